"""Staff ratings of a mentee (the self-sufficiency matrix), kept as assessments with a rater.

A rating is written whole when the mentor gives the last answer, so there is never an
unfinished rated row for the check-in queries to trip over; those queries look only at the
mentee's own sittings (assessments.SELF_REPORT).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import assessments
from bot.storage.assessments import SELF_REPORT
from bot.storage.models import Assessment, AssessmentStatus, Score, Timepoint

RATED = Assessment.rated_by_id.is_not(None)
Rating = tuple[Assessment, dict[str, float]]  # the sitting and its scores for one instrument


async def save_rating(
    session: AsyncSession,
    *,
    person_id: int,
    episode_id: int,
    rated_by_id: int,
    timepoint: Timepoint,
    instrument: str,
    levels: Mapping[str, int],
    scores: Mapping[str, float],
    started_at: datetime,
    now: datetime,
) -> Assessment:
    """One complete rated sitting: an answer per domain rated and the scores."""
    assessment = Assessment(
        person_id=person_id,
        episode_id=episode_id,
        timepoint=timepoint,
        status=AssessmentStatus.COMPLETE,
        started_at=started_at,
        completed_at=now,
        rated_by_id=rated_by_id,
    )
    session.add(assessment)
    await session.flush()
    for item_id, value in levels.items():
        assessments.record_answer(
            session,
            assessment_id=assessment.id,
            instrument=instrument,
            item_id=item_id,
            value=value,
            now=now,
        )
    await assessments.save_scores(
        session, assessment_id=assessment.id, scores={instrument: scores}
    )
    return assessment


async def ratings_in_episode(
    session: AsyncSession, episode_id: int, instrument: str
) -> list[Rating]:
    """The episode's complete staff ratings on this instrument, oldest first, with scores."""
    scored = exists().where(Score.assessment_id == Assessment.id, Score.instrument == instrument)
    query = (
        select(Assessment)
        .where(
            Assessment.episode_id == episode_id,
            Assessment.status == AssessmentStatus.COMPLETE,
            RATED,
            scored,
        )
        .order_by(Assessment.completed_at, Assessment.id)
    )
    sittings = list((await session.execute(query)).scalars())
    if not sittings:
        return []
    rows = await session.execute(
        select(Score.assessment_id, Score.key, Score.value).where(
            Score.assessment_id.in_([sitting.id for sitting in sittings]),
            Score.instrument == instrument,
        )
    )
    scores: dict[int, dict[str, float]] = {}
    for assessment_id, key, value in rows.tuples():
        scores.setdefault(assessment_id, {})[key] = value
    return [(sitting, scores.get(sitting.id, {})) for sitting in sittings]


async def latest_own_sitting(
    session: AsyncSession, episode_id: int, timepoints: tuple[Timepoint, ...]
) -> Assessment | None:
    """The mentee's own most recent finished sitting of these kinds in the episode."""
    query = (
        select(Assessment)
        .where(
            Assessment.episode_id == episode_id,
            Assessment.status == AssessmentStatus.COMPLETE,
            Assessment.timepoint.in_(timepoints),
            SELF_REPORT,
        )
        .order_by(Assessment.completed_at.desc(), Assessment.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()
