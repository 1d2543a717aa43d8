"""Signposts: the services staff sent to a mentee, and what the mentee said a week later.

The `signposts` table is the truth the scheduler reads the one-week question from, so an
answered signpost is never asked about again. Repositories never commit: the caller owns the
transaction (docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.storage.models import FollowupAnswer, Person, Resource, Signpost


@dataclass(frozen=True)
class SentService:
    """A signpost with the names it is shown with: the service and who sent it."""

    signpost: Signpost
    service: str
    sender: str | None  # None once the sender's account has gone


async def record_signpost(
    session: AsyncSession, *, mentee_id: int, mentor_id: int, resource_id: int, now: datetime
) -> Signpost:
    signpost = Signpost(
        mentee_id=mentee_id, mentor_id=mentor_id, resource_id=resource_id, sent_at=now
    )
    session.add(signpost)
    await session.flush()
    return signpost


async def get_signpost(session: AsyncSession, signpost_id: int) -> Signpost | None:
    return await session.get(Signpost, signpost_id)


def record_answer(signpost: Signpost, answer: FollowupAnswer, *, now: datetime) -> None:
    """Keep the mentee's answer; a later tap replaces an earlier one."""
    signpost.followup_answer = answer
    signpost.answered_at = now


def _with_names() -> Select[tuple[Signpost, str, str]]:
    sender = aliased(Person)  # an outer join: the sender may have left
    return (
        select(Signpost, Resource.name, sender.display_name)
        .join(Resource, Resource.id == Signpost.resource_id)
        .outerjoin(sender, sender.id == Signpost.mentor_id)
    )


async def sent_to(session: AsyncSession, mentee_id: int) -> list[SentService]:
    """Everything sent to this mentee, newest first."""
    query = (
        _with_names()
        .where(Signpost.mentee_id == mentee_id)
        .order_by(Signpost.sent_at.desc(), Signpost.id.desc())
    )
    return [SentService(*row) for row in (await session.execute(query)).tuples()]


async def unanswered_sent_between(
    session: AsyncSession, *, start: datetime, end: datetime
) -> list[SentService]:
    """Unanswered signposts sent from `start` to `end`: those whose follow-up may be due."""
    query = (
        _with_names()
        .where(
            Signpost.answered_at.is_(None),
            Signpost.sent_at >= start,
            Signpost.sent_at <= end,
        )
        .order_by(Signpost.sent_at, Signpost.id)
    )
    return [SentService(*row) for row in (await session.execute(query)).tuples()]
