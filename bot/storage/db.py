"""Engine and session factories, built from a URL and passed in (no module-level engine)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.storage import sqlite_inline


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores foreign keys unless asked; WAL lets the scheduler read while the bot writes.
    # How long to wait for a busy database is the connection's own (storage/sqlite_inline.py).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create an async engine with the per-dialect settings mentorbot relies on.

    `hide_parameters` keeps bound values (names, phone numbers, answers) out of error
    messages, and so out of logs. SQLite's connections run statements on the event loop's
    thread, and only waits, long reads and commits in aiosqlite's (storage/sqlite_inline.py).
    """
    if make_url(url).get_backend_name() != "sqlite":
        return create_async_engine(url, hide_parameters=True, **kwargs)

    def connect() -> sqlite_inline.InlineConnection:
        # The database and options of the URL, as SQLAlchemy's aiosqlite dialect reads them.
        args, options = engine.dialect.create_connect_args(engine.url)
        return sqlite_inline.connect(*args, **options)

    engine = create_async_engine(url, hide_parameters=True, async_creator=connect, **kwargs)
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
