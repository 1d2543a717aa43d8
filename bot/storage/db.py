"""Engine and session factories, built from a URL and passed in (no module-level engine)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores foreign keys unless asked, and fails at once on a busy database unless told
    # to wait; WAL lets the scheduler read while the bot writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create an async engine with the per-dialect settings mentorbot relies on.

    `hide_parameters` keeps bound values (names, phone numbers, answers) out of error
    messages, and so out of logs.
    """
    engine = create_async_engine(url, hide_parameters=True, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


async def open_connections(engine: AsyncEngine, count: int) -> None:
    """Open `count` connections now and leave them in the pool.

    A connection opened on demand cost the update that asked for it a login and the driver's
    set-up; after a restart the first burst (reminders at nine, answered together) paid that on
    every connection at once, and waited behind it (issue 19).
    """
    async with contextlib.AsyncExitStack() as held:
        await asyncio.gather(*(held.enter_async_context(engine.connect()) for _ in range(count)))


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions keep loaded values after commit so replies can be rendered from them."""
    return async_sessionmaker(engine, expire_on_commit=False)
