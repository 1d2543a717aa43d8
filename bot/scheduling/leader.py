"""Only one scheduler leads; a second one waits (PostgreSQL) or refuses to start (SQLite).

PostgreSQL: a session-level advisory lock held on a dedicated connection. When the leader dies
its connection closes, the lock is freed, and a standby polling every few seconds takes over.
SQLite: an exclusive lock on a file beside the database; the operating system frees it when the
process dies, however it dies.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

logger = logging.getLogger(__name__)

# Any constant works; this one spells "mentorbot" in a 64-bit space.
ADVISORY_LOCK_KEY = 0x6D656E746F72626F


class Leadership(Protocol):
    async def acquire(self) -> bool: ...

    async def still_leading(self) -> bool: ...

    async def release(self) -> None: ...


class PostgresLeadership:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.connection: AsyncConnection | None = None

    async def acquire(self) -> bool:
        """True if this process now leads; False if another does or the database is away."""
        try:
            if self.connection is None:
                self.connection = await self.engine.connect()
            query = text("SELECT pg_try_advisory_lock(:key)")
            result = await self.connection.execute(query, {"key": ADVISORY_LOCK_KEY})
            got = bool(result.scalar())
            await self.connection.commit()
        except (SQLAlchemyError, OSError) as exc:
            # The database is down or restarting: keep trying rather than end the process.
            logger.warning("Cannot reach the database to lead: %s", type(exc).__name__)
            await self.release()
            return False
        return got

    async def still_leading(self) -> bool:
        """False if the lock's connection was lost (the database restarted, say)."""
        if self.connection is None:
            return False
        try:
            await self.connection.execute(text("SELECT 1"))
            await self.connection.commit()
        except Exception:
            logger.warning("Lost the scheduler's database connection; leadership is gone")
            return False
        return True

    async def release(self) -> None:
        if self.connection is not None:
            connection, self.connection = self.connection, None
            with contextlib.suppress(SQLAlchemyError, OSError):  # already broken: nothing to free
                await connection.close()


class SqliteLeadership:
    def __init__(self, database_url: str) -> None:
        database = make_url(database_url).database or "mentorbot.db"
        self.path = Path(f"{database}.scheduler.lock")
        self.handle: int | None = None

    async def acquire(self) -> bool:
        handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)
            return False
        self.handle = handle
        return True

    async def still_leading(self) -> bool:
        return self.handle is not None

    async def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            os.close(self.handle)
            self.handle = None


def leadership_for(engine: AsyncEngine, database_url: str) -> Leadership:
    if engine.dialect.name == "postgresql":
        return PostgresLeadership(engine)
    return SqliteLeadership(database_url)
