"""The end of a mentoring episode: which episodes are due to end, and what ending stops.

Ending leaves the record as it was (answers, scores, goals, past meetings) and only stops
what would go on happening: meetings still to come are cancelled, and messages queued for the
mentee, or for the mentor about the mentee, are withdrawn (kept as `skipped`, with the reason).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import outbox
from bot.storage.assessments import SELF_REPORT
from bot.storage.models import (
    Assessment,
    AssessmentStatus,
    Episode,
    EpisodeStatus,
    Meeting,
    MeetingStatus,
    OutboxMessage,
    OutboxStatus,
    Timepoint,
)

# What stops for the mentee when mentoring ends. Notices, crisis messages and the closing
# summary itself are not in this list.
STOPPED_KINDS = ("reminder", "nudge", "prompt", "signpost_followup", "goal_reminder")
LIVE_MEETINGS = (MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED, MeetingStatus.MOVE_REQUESTED)
ENDED_REASON = "mentoring ended"


async def due_to_end(session: AsyncSession, *, today: date, grace: timedelta) -> list[Episode]:
    """Active episodes past their planned end whose exit check is done, or past the grace."""
    exit_done = exists().where(
        Assessment.episode_id == Episode.id,
        Assessment.timepoint == Timepoint.EXIT,
        Assessment.status == AssessmentStatus.COMPLETE,
        SELF_REPORT,
    )
    query = (
        select(Episode)
        .where(
            Episode.status == EpisodeStatus.ACTIVE,
            Episode.planned_end_on <= today,
            or_(exit_done, Episode.planned_end_on <= today - grace),
        )
        .order_by(Episode.id)
        .with_for_update(skip_locked=True)
    )
    return list((await session.execute(query)).scalars())


async def full_sittings(
    session: AsyncSession, episode_id: int, timepoints: Sequence[Timepoint]
) -> list[Assessment]:
    """The mentee's finished full checks in this episode, first to last."""
    query = (
        select(Assessment)
        .where(
            Assessment.episode_id == episode_id,
            Assessment.status == AssessmentStatus.COMPLETE,
            Assessment.timepoint.in_(timepoints),
            SELF_REPORT,
        )
        .order_by(Assessment.completed_at, Assessment.id)
    )
    return list((await session.execute(query)).scalars())


async def latest_ended(session: AsyncSession, mentee_id: int) -> Episode | None:
    query = (
        select(Episode)
        .where(Episode.mentee_id == mentee_id, Episode.status == EpisodeStatus.ENDED)
        .order_by(Episode.ended_on.desc(), Episode.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def cancel_meetings_to_come(
    session: AsyncSession, episode_id: int, *, now: datetime
) -> list[int]:
    """Cancel the episode's meetings that have not started yet; returns their ids."""
    cancelled = await session.execute(
        update(Meeting)
        .where(
            Meeting.episode_id == episode_id,
            Meeting.status.in_(LIVE_MEETINGS),
            Meeting.starts_at > now,
        )
        .values(status=MeetingStatus.CANCELLED, updated_at=now)
        .returning(Meeting.id)
    )
    return list(cancelled.scalars())


async def withdraw_pending(
    session: AsyncSession,
    *,
    mentee_id: int,
    meeting_ids: Sequence[int],
    unfinished_ids: Sequence[int],
    now: datetime,
) -> None:
    """Skip what is still queued for the mentee, and the mentor's nudges and meeting notes."""
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.person_id == mentee_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.kind.in_(STOPPED_KINDS),
        )
        .values(status=OutboxStatus.SKIPPED, last_error=ENDED_REASON)
    )
    if unfinished_ids:  # exact keys: "nudge:unfinished:4" is a prefix of ":42"
        await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.idempotency_key.in_(
                    [f"nudge:unfinished:{assessment_id}" for assessment_id in unfinished_ids]
                ),
                OutboxMessage.status == OutboxStatus.PENDING,
            )
            .values(status=OutboxStatus.SKIPPED, last_error=ENDED_REASON)
        )
    prefixes = [
        f"nudge:no-meeting:{mentee_id}:",
        f"nudge:no-checkin:{mentee_id}:",
        *(f"meeting:{meeting_id}:" for meeting_id in meeting_ids),
    ]
    for prefix in prefixes:
        await outbox.skip_pending(session, key_prefix=prefix, reason=ENDED_REASON, now=now)


async def unfinished_sittings(session: AsyncSession, episode_id: int) -> list[int]:
    query = select(Assessment.id).where(
        Assessment.episode_id == episode_id,
        Assessment.status == AssessmentStatus.IN_PROGRESS,
        SELF_REPORT,
    )
    return list((await session.execute(query)).scalars())
