"""The scheduler's heartbeat: one row, rewritten while its jobs run.

A process can be alive and still do nothing (a stuck event loop, a lost leadership it never
noticed), so the beat is written by the jobs themselves, not by a timer beside them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import SchedulerHeartbeat

SCHEDULER = "scheduler"


async def beat(session: AsyncSession, now: datetime, name: str = SCHEDULER) -> None:
    """Records a beat; only the leading scheduler writes, so the first insert cannot race."""
    result = await session.execute(
        update(SchedulerHeartbeat).where(SchedulerHeartbeat.name == name).values(beat_at=now)
    )
    if getattr(result, "rowcount", 0) == 0:
        session.add(SchedulerHeartbeat(name=name, beat_at=now))


async def last_beat(session: AsyncSession, name: str = SCHEDULER) -> datetime | None:
    beat: datetime | None = await session.scalar(
        select(SchedulerHeartbeat.beat_at).where(SchedulerHeartbeat.name == name)
    )
    return beat
