"""Kept external groups: another programme's scores, stored under a name to compare with later.

Written only by `mentorbot report --compare FILE --keep NAME` once the whole file has passed
its checks (bot/reports/compare_csv.py); read by the comparison on the command line and in the
chat. Each person is a number, never the file's id (docs/compare.md).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.reports.compare_csv import ExternalScores, Pair
from bot.storage.models import ExternalCohort, ExternalScore


async def find(session: AsyncSession, name: str) -> ExternalCohort | None:
    found: ExternalCohort | None = await session.scalar(
        select(ExternalCohort).where(func.lower(ExternalCohort.name) == name.lower())
    )
    return found


async def keep(session: AsyncSession, *, name: str, scores: ExternalScores, now: datetime) -> None:
    """Add the group; the caller has checked the name is free and commits."""
    cohort = ExternalCohort(name=name.lower(), people=scores.people, created_at=now)
    session.add(cohort)
    await session.flush()
    session.add_all(
        ExternalScore(
            cohort_id=cohort.id,
            member=pair.member,
            instrument=pair.instrument,
            key=pair.key,
            before=pair.before,
            after=pair.after,
        )
        for pair in scores.pairs
    )


async def load(session: AsyncSession, cohort: ExternalCohort) -> ExternalScores:
    rows = await session.execute(
        select(
            ExternalScore.member,
            ExternalScore.instrument,
            ExternalScore.key,
            ExternalScore.before,
            ExternalScore.after,
        )
        .where(ExternalScore.cohort_id == cohort.id)
        .order_by(ExternalScore.member, ExternalScore.id)
    )
    pairs = tuple(Pair(*row) for row in rows.tuples())
    return ExternalScores(cohort.people, pairs)


async def names(session: AsyncSession) -> list[str]:
    return list(await session.scalars(select(ExternalCohort.name).order_by(ExternalCohort.name)))
