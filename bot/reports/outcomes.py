"""The cohort's outcomes: each mentee's baseline paired with their latest full reassessment.

A pair is one episode's baseline and its exit assessment, or its latest 3-month one when there
is no exit yet. Only the mentee's own answers count (staff ratings are kept apart). Filters
narrow the cohort by the episode's site and mentor, and by when the follow-up was completed.
Scores are read as stored when each sitting finished, so a report never re-scores old answers
with a newer instrument file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.instruments import Instrument, glossary
from bot.instruments.model import DOMAIN_PREFIX, MEAN_KEY
from bot.reports.paired import NotEnoughPairs, PairedResult, paired
from bot.storage.assessments import SELF_REPORT
from bot.storage.models import (
    Assessment,
    AssessmentStatus,
    Episode,
    ErasedCount,
    Goal,
    GoalStatus,
    LookupCount,
    Meeting,
    MeetingOutcome,
    Resource,
    Score,
    Signpost,
    SiteMove,
    Timepoint,
)

FOLLOW_UPS = (Timepoint.THREE_MONTH, Timepoint.EXIT)

DEFINITIONS = (
    "Pairs: each mentee's first full check (baseline) and their exit check, or their latest "
    "3-month check when there is no exit check yet.",
    "ARC strengths: number of ARC areas scoring {strong} or more of 5 (0-10). ARC threats: "
    "number of ARC areas scoring {weak} or less of 5 (0-10); a fall in threats is an "
    "improvement.",
    "CEST scales are scored 10-50 (mean item score x 10), negatively worded items reflected.",
    "Difference = follow-up minus baseline. 95% CI of the mean difference from the t "
    "distribution; paired t-test, two-sided p; Cohen's d_z = mean difference / SD of the "
    "differences; Wilcoxon signed-rank p as a check for small samples.",
    "n/a: not defined because every difference is the same (SD 0). Fewer than 2 pairs: "
    "not computed.",
)


@dataclass(frozen=True)
class Filters:
    site: str | None = None
    mentor_id: int | None = None
    since: datetime | None = None  # follow-up completed at or after
    until: datetime | None = None  # follow-up completed before


@dataclass(frozen=True)
class Measure:
    instrument: str
    key: str
    label: str
    higher_is_better: bool = True


@dataclass
class Row:
    measure: Measure
    before: list[float] = field(default_factory=list)
    after: list[float] = field(default_factory=list)

    @property
    def result(self) -> PairedResult | NotEnoughPairs:
        return paired(self.before, self.after)


@dataclass(frozen=True)
class Activity:
    mentees: int  # who took part (an episode began), forgotten people included
    meetings_held: int
    meetings_missed: int
    goals_set: int
    goals_achieved: int
    signposts_by_category: dict[str, int]
    lookups_by_category: dict[str, int]  # /find searches, counted without who searched
    site_moves: dict[str, int]  # "hub -> camberwell": how many mentees moved on that way


@dataclass(frozen=True)
class OutcomeReport:
    rows: list[Row]
    pairs: int
    activity: Activity
    definitions: tuple[str, ...]


def measures(instruments: Mapping[str, Instrument]) -> list[Measure]:
    """ARC total, strengths, threats and each area; CEST self-esteem and self-efficacy."""
    arc = instruments["arc"]
    found = [
        Measure("arc", "total", "ARC total"),
        Measure("arc", "strengths", "ARC strengths"),
        Measure("arc", "threats", "ARC threats", higher_is_better=False),
    ]
    found += [
        Measure("arc", DOMAIN_PREFIX + d.id, f"ARC: {glossary.area_name(d, staff=True)}")
        for d in arc.domains
    ]
    for name, label in (
        ("cest_self_esteem", "CEST self-esteem"),
        ("cest_self_efficacy", "CEST self-efficacy"),
    ):
        found.append(Measure(name, MEAN_KEY, label))
    return found


async def outcome_report(
    session: AsyncSession, instruments: Mapping[str, Instrument], filters: Filters
) -> OutcomeReport:
    rows, pairs = await outcome_rows(session, instruments, filters)
    arc = instruments["arc"].scoring
    definitions = tuple(
        line.format(strong=arc.strengths_min, weak=arc.threats_max) for line in DEFINITIONS
    )
    return OutcomeReport(rows, pairs, await _activity(session, filters), definitions)


async def outcome_rows(
    session: AsyncSession,
    instruments: Mapping[str, Instrument],
    filters: Filters,
    group: Sequence[Any] = (),
) -> tuple[list[Row], int]:
    """Each measure's pairs, and how many pairs there are; `group` narrows the episodes
    further (SQL conditions on Episode, as bot/reports/compare_groups.py builds them)."""
    wanted = measures(instruments)
    pairs = await _pairs(session, filters, group)
    scores = await _scores(session, filters, wanted, group)
    rows = [Row(measure) for measure in wanted]
    for before_id, after_id in pairs:
        before, after = scores.get(before_id), scores.get(after_id)
        if before is None or after is None:
            continue
        for row, old, new in zip(rows, before, after, strict=True):
            if old is not None and new is not None:
                row.before.append(old)
                row.after.append(new)
    return rows, len(pairs)


def _episode_filters(filters: Filters) -> list[Any]:
    conditions: list[Any] = []
    if filters.site is not None:
        conditions.append(Episode.site == filters.site)
    if filters.mentor_id is not None:
        conditions.append(Episode.mentor_id == filters.mentor_id)
    return conditions


def _sittings(filters: Filters, group: Sequence[Any]) -> list[Any]:
    """Complete self-reported baselines and follow-ups of the episodes in the cohort."""
    return [
        Assessment.status == AssessmentStatus.COMPLETE,
        SELF_REPORT,
        Assessment.timepoint.in_((Timepoint.BASELINE, *FOLLOW_UPS)),
        *_episode_filters(filters),
        *group,
    ]


async def _pairs(
    session: AsyncSession, filters: Filters, group: Sequence[Any]
) -> list[tuple[int, int]]:
    """(baseline id, follow-up id) per episode that has both."""
    query = (
        select(Assessment.episode_id, Assessment.id, Assessment.timepoint, Assessment.completed_at)
        .join(Episode, Episode.id == Assessment.episode_id)
        .where(*_sittings(filters, group))
        .order_by(Assessment.completed_at, Assessment.id)
    )
    # Core rows, not the ORM's: a large cohort has tens of thousands of them.
    found = await (await session.connection()).execute(query)
    baseline: dict[int, int] = {}
    follow_up: dict[int, tuple[int, Timepoint, datetime]] = {}
    for episode_id, assessment_id, timepoint, completed_at in found:
        if timepoint is Timepoint.BASELINE:
            baseline.setdefault(episode_id, assessment_id)
            continue
        current = follow_up.get(episode_id)
        if current is None or timepoint is Timepoint.EXIT or current[1] is not Timepoint.EXIT:
            follow_up[episode_id] = (assessment_id, timepoint, completed_at)
    pairs = []
    for episode_id, (after_id, _, completed_at) in sorted(follow_up.items()):
        if episode_id not in baseline:
            continue
        if filters.since is not None and completed_at < filters.since:
            continue
        if filters.until is not None and completed_at >= filters.until:
            continue
        pairs.append((baseline[episode_id], after_id))
    return pairs


async def _scores(
    session: AsyncSession, filters: Filters, wanted: list[Measure], group: Sequence[Any]
) -> dict[int, tuple[float | None, ...]]:
    """Each sitting's value of every measure, in the order of `wanted` (None when missing).

    One query for the whole cohort, turned on its side in the database: a row per sitting with
    a column per measure, rather than a row per score (ten thousand pairs have 300,000 scores).
    A few sittings more than the pairs use come back (an older 3-month check, say); that is
    cheaper than naming thousands of ids.
    """
    columns = [
        func.max(
            case(
                (and_(Score.instrument == m.instrument, Score.key == m.key), Score.value),
            )
        )
        for m in wanted
    ]
    sittings = (
        select(Assessment.id)
        .join(Episode, Episode.id == Assessment.episode_id)
        .where(*_sittings(filters, group))
    )
    query = (
        select(Score.assessment_id, *columns)
        .where(
            Score.assessment_id.in_(sittings),
            Score.instrument.in_({m.instrument for m in wanted}),
            Score.key.in_({m.key for m in wanted}),
        )
        .group_by(Score.assessment_id)
    )
    found = await (await session.connection()).execute(query)
    return {assessment_id: tuple(values) for assessment_id, *values in found}


def _in_range(column: Any, filters: Filters) -> list[Any]:
    conditions = []
    if filters.since is not None:
        conditions.append(column >= filters.since)
    if filters.until is not None:
        conditions.append(column < filters.until)
    return conditions


async def _activity(session: AsyncSession, filters: Filters) -> Activity:
    """Meetings held and missed, goals set and achieved, services signposted by kind.

    The date range applies to when each thing happened: the meeting, the goal being set (or,
    for goals achieved, being done), the signpost being sent.
    """
    in_cohort = select(Episode.id).where(*_episode_filters(filters))
    meetings = dict(
        (
            await session.execute(
                select(Meeting.outcome, func.count())
                .where(
                    Meeting.episode_id.in_(in_cohort),
                    Meeting.outcome.is_not(None),
                    *_in_range(Meeting.starts_at, filters),
                )
                .group_by(Meeting.outcome)
            )
        )
        .tuples()
        .all()
    )
    agreed = (Goal.episode_id.in_(in_cohort), Goal.status != GoalStatus.PROPOSED)
    goals_set = await session.scalar(
        select(func.count()).where(*agreed, *_in_range(Goal.created_at, filters))
    )
    goals_done = await session.scalar(
        select(func.count()).where(
            *agreed, Goal.status == GoalStatus.DONE, *_in_range(Goal.completed_at, filters)
        )
    )
    mentees = select(Episode.mentee_id).where(*_episode_filters(filters))
    signposts = dict(
        (
            await session.execute(
                select(Resource.category, func.count())
                .join(Signpost, Signpost.resource_id == Resource.id)
                .where(Signpost.mentee_id.in_(mentees), *_in_range(Signpost.sent_at, filters))
                .group_by(Resource.category)
                .order_by(Resource.category)
            )
        )
        .tuples()
        .all()
    )
    taken_part = await session.scalar(
        select(func.count())
        .select_from(Episode)
        .where(*_episode_filters(filters), *_in_range(Episode.created_at, filters))
    )
    erased = await _erased(session, filters)
    moves = await _moves(session, filters)
    for metric, count in erased.items():
        if metric.startswith("signposts:"):
            category = metric.removeprefix("signposts:")
            signposts[category] = signposts.get(category, 0) + count
        if metric.startswith("site_moves:"):  # bot.storage.erasure.MOVES
            way = metric.removeprefix("site_moves:")
            moves[way] = moves.get(way, 0) + count
    return Activity(
        mentees=(taken_part or 0) + erased["mentees"],
        meetings_held=meetings.get(MeetingOutcome.MET, 0) + erased["meetings_held"],
        meetings_missed=meetings.get(MeetingOutcome.NO_SHOW, 0) + erased["meetings_missed"],
        goals_set=(goals_set or 0) + erased["goals_set"],
        goals_achieved=(goals_done or 0) + erased["goals_achieved"],
        signposts_by_category=dict(sorted(signposts.items())),
        lookups_by_category=await _lookups(session, filters),
        site_moves=dict(sorted(moves.items())),
    )


async def _moves(session: AsyncSession, filters: Filters) -> dict[str, int]:
    """Progressions between clinics (hub to spoke as clients become more stable)."""
    conditions: list[Any] = [
        SiteMove.episode_id.in_(
            select(Episode.id).where(
                *(
                    [Episode.mentor_id == filters.mentor_id]
                    if filters.mentor_id is not None
                    else []
                )
            )
        )
    ]
    if filters.site is not None:
        conditions.append(
            (SiteMove.from_site == filters.site) | (SiteMove.to_site == filters.site)
        )
    if filters.since is not None:
        conditions.append(SiteMove.moved_on >= filters.since.date())
    if filters.until is not None:
        conditions.append(SiteMove.moved_on < filters.until.date())
    rows = await session.execute(
        select(SiteMove.from_site, SiteMove.to_site, func.count())
        .where(*conditions)
        .group_by(SiteMove.from_site, SiteMove.to_site)
        .order_by(SiteMove.from_site, SiteMove.to_site)
    )
    return {f"{old} -> {new}": int(n) for old, new, n in rows.tuples()}


async def _lookups(session: AsyncSession, filters: Filters) -> dict[str, int]:
    """Self-service lookups per kind of help: by site and day only, so no mentor filter."""
    conditions: list[Any] = []
    if filters.site is not None:
        conditions.append(LookupCount.site == filters.site)
    if filters.since is not None:
        conditions.append(LookupCount.day >= filters.since.date())
    if filters.until is not None:
        conditions.append(LookupCount.day < filters.until.date())
    rows = await session.execute(
        select(LookupCount.category, func.sum(LookupCount.count))
        .where(*conditions)
        .group_by(LookupCount.category)
        .order_by(LookupCount.category)
    )
    return {category: int(total) for category, total in rows.tuples()}


async def _erased(session: AsyncSession, filters: Filters) -> Counter[str]:
    """What forgotten people still add, counted by the month their mentoring began."""
    conditions: list[Any] = []
    if filters.site is not None:
        conditions.append(ErasedCount.site == filters.site)
    if filters.mentor_id is not None:
        conditions.append(ErasedCount.mentor_id == filters.mentor_id)
    if filters.since is not None:
        conditions.append(ErasedCount.month >= filters.since.date().replace(day=1))
    if filters.until is not None:
        conditions.append(ErasedCount.month < filters.until.date())
    rows = await session.execute(
        select(ErasedCount.metric, func.sum(ErasedCount.count))
        .where(*conditions)
        .group_by(ErasedCount.metric)
    )
    return Counter({metric: int(total) for metric, total in rows.tuples()})
