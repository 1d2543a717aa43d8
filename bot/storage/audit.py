"""The audit log of staff access to mentees' records (issue: who saw what, never the content)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import AuditEvent


def record(
    session: AsyncSession,
    *,
    actor_id: int | None,
    action: str,
    now: datetime,
    subject_id: int | None = None,
) -> None:
    session.add(AuditEvent(actor_id=actor_id, action=action, subject_id=subject_id, at=now))


async def events_about(session: AsyncSession, subject_id: int) -> list[AuditEvent]:
    query = (
        select(AuditEvent)
        .where(AuditEvent.subject_id == subject_id)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return list((await session.execute(query)).scalars())
