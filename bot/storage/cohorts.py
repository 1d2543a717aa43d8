"""Kept external groups: another programme's scores, stored under a name to compare with later.

Written only by `mentorbot report --compare FILE --keep NAME` once the whole file has passed
its checks (bot/reports/compare_csv.py); read by the comparison on the command line and in the
chat. Each person is a number, never the file's id (docs/compare.md). Scores go in and out as
plain tuples, so storage needs nothing from the reports that use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import ExternalCohort, ExternalScore

# One person's before and after on one measure: (member, instrument, key, before, after).
Kept = tuple[int, str, str, float, float]


async def find(session: AsyncSession, name: str) -> ExternalCohort | None:
    found: ExternalCohort | None = await session.scalar(
        select(ExternalCohort).where(func.lower(ExternalCohort.name) == name.lower())
    )
    return found


async def keep(
    session: AsyncSession, *, name: str, people: int, scores: Iterable[Kept], now: datetime
) -> None:
    """Add the group; the caller has checked the name is free and commits."""
    cohort = ExternalCohort(name=name.lower(), people=people, created_at=now)
    session.add(cohort)
    await session.flush()
    session.add_all(
        ExternalScore(
            cohort_id=cohort.id,
            member=member,
            instrument=instrument,
            key=key,
            before=before,
            after=after,
        )
        for member, instrument, key, before, after in scores
    )


async def load(session: AsyncSession, cohort: ExternalCohort) -> list[Kept]:
    """The group's scores, person by person in the order they were kept."""
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
    return [(member, instrument, key, b, a) for member, instrument, key, b, a in rows.tuples()]


async def names(session: AsyncSession) -> list[str]:
    return list(await session.scalars(select(ExternalCohort.name).order_by(ExternalCohort.name)))
