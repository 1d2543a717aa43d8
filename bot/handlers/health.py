"""GET /healthz: is serve up, and is the scheduler still running its jobs?

An outside uptime check only sees serve, so serve reports the scheduler's heartbeat and answers
503 once it is over 2 minutes old: the check then pages someone about a scheduler that died
quietly. The last heartbeat read is remembered, so a short database outage (which serve and the
scheduler both ride out) does not turn the check red by itself; one longer than 2 minutes does.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.flows.context import Clock
from bot.storage import heartbeat

STALE_AFTER = timedelta(minutes=2)
READ_TIMEOUT = 2.0  # seconds: an uptime check must get an answer, not a hang


class HealthCheck:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.seen: datetime | None = None

    async def handle(self, _request: Request) -> Response:
        database = "ok"
        try:
            async with asyncio.timeout(READ_TIMEOUT), self.session_factory() as session:
                beat = await heartbeat.last_beat(session)
            self.seen = beat or self.seen
        except (SQLAlchemyError, OSError, TimeoutError):
            database = "unreachable"
        now = self.clock()
        age = (now - self.seen).total_seconds() if self.seen is not None else None
        healthy = age is not None and age <= STALE_AFTER.total_seconds()
        body: dict[str, Any] = {
            "status": "ok" if healthy else "scheduler silent",
            "database": database,
            "scheduler_heartbeat": self.seen.isoformat() if self.seen is not None else None,
            "scheduler_heartbeat_age_seconds": round(age) if age is not None else None,
        }
        return JSONResponse(body, status_code=200 if healthy else 503)
