"""serve keeps crisis re-alerts going when the scheduler has stopped.

Re-alerts are the one thing that must not wait for someone to notice a dead scheduler. serve
reads the scheduler's heartbeat every half minute; once it is 5 minutes old (or was never
written) serve queues the due re-alerts itself and sends every crisis message still waiting.
Never twice: each re-alert round has an idempotency key per recipient (scheduling.realerts),
sending claims each outbox row once, and on PostgreSQL a transaction-level advisory lock lets
one serve at a time do the queueing. SQLite runs one serve process, so it needs no lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.context import Clock
from bot.scheduling import realerts
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.leader import ADVISORY_LOCK_KEY
from bot.storage import heartbeat

logger = logging.getLogger(__name__)

SILENT_AFTER = timedelta(minutes=5)
WATCH_SECONDS = 30.0
WATCHMAN_LOCK_KEY = ADVISORY_LOCK_KEY + 1  # not the scheduler's: a hung leader still holds that


class Watchman:
    def __init__(
        self,
        *,
        session_factory: async_sessionmaker[AsyncSession],
        dispatcher: Dispatcher,
        clock: Clock,
        writing: Callable[[], AbstractAsyncContextManager[None]] = contextlib.nullcontext,
        interval: float = WATCH_SECONDS,
    ) -> None:
        self.session_factory = session_factory
        self.dispatcher = dispatcher
        self.clock = clock
        self.writing = writing
        self.interval = interval

    async def check(self) -> int:
        """Sends what is due if the scheduler is silent; returns how many messages it tried."""
        now = self.clock()
        async with self.writing(), self.session_factory() as session, session.begin():
            last = await heartbeat.last_beat(session)
            if last is not None and now - last < SILENT_AFTER:
                return 0
            if not await _lock(session):
                return 0  # another serve is doing it right now
            realerted = await realerts.queue_due(session, now)
            waiting = await realerts.pending_alert_ids(session, now)
        if realerted:
            logger.warning("The scheduler is silent: serve re-alerted %d crisis alerts", realerted)
        await self.dispatcher.deliver(waiting)
        return len(waiting)

    async def run(self, stop: asyncio.Event) -> None:
        """Checks every `interval` seconds until `stop` is set; a database outage is waited out."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval)
            if stop.is_set():
                break
            try:
                await self.check()
            except (SQLAlchemyError, OSError) as exc:
                logger.warning("Could not check the scheduler's heartbeat: %s", type(exc).__name__)


async def _lock(session: AsyncSession) -> bool:
    """Held until this transaction ends; SQLite allows one serve process and needs none."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    result = await session.execute(
        text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": WATCHMAN_LOCK_KEY}
    )
    return bool(result.scalar())
