"""SQLite's statements run on the event loop's thread (bot/storage/sqlite_inline.py); what that
must never cost.

Every chat shares that thread. A tap that finds the database locked by another connection (the
scheduler's process writing, say) waits for it out of the way while the other chats go on, and
is then stored once and answered. The cohort report's reading over a large cohort takes a good
fraction of a second, also out of the way. A naive version that ran everything on the loop's
thread fails both: the loop would stand still for the whole wait, or the whole read.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from typing import Any, cast

import pytest
from sqlalchemy import make_url, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import Request

from benchmarks.load import seed
from bot.handlers.health import HealthCheck
from bot.instruments import Instrument
from bot.reports.outcomes import Filters, outcome_report
from bot.service import MentorService
from bot.storage import audit
from bot.storage.models import Answer, AuditEvent, ProcessedInbound
from tests.conftest import POSTGRES_URL
from tests.handlers.test_statements_per_tap import TelegramMentee
from tests.reliability.mentees import seed_mentees
from tests.utils import count_rows, overall_number

pytestmark = pytest.mark.skipif(POSTGRES_URL is not None, reason="SQLite's own locking")

HELD = 0.5  # seconds another connection keeps the write lock


def hold_write_lock(path: str, taken: threading.Event, releasing: list[float]) -> None:
    """Another connection, on its own thread, writes for HELD seconds, as the scheduler might."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")  # the write lock, now
        taken.set()
        time.sleep(HELD)
        releasing.append(time.perf_counter())
        connection.execute("COMMIT")
    finally:
        connection.close()


async def test_a_tap_waits_out_another_writer_while_the_other_chats_go_on(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    database_url: str,
) -> None:
    [chat] = await seed_mentees(session_factory, 1)
    mentee = TelegramMentee(service, chat)
    await mentee.type("/checkin")
    await mentee.tap(1)
    answers = await count_rows(session_factory, Answer)
    health = HealthCheck(session_factory, service.clock)
    taken, releasing = threading.Event(), list[float]()
    holder = threading.Thread(
        target=hold_write_lock, args=(make_url(database_url).database, taken, releasing)
    )
    holder.start()
    try:
        assert await asyncio.to_thread(taken.wait, 5)
        tap = asyncio.create_task(mentee.tap(2))
        await asyncio.sleep(0.05)  # the tap has met the lock by now
        checked = await health.handle(cast(Request, None))  # another reader, meanwhile
        checked_at = time.perf_counter()
        replies = await tap
        answered_at = time.perf_counter()
    finally:
        await asyncio.to_thread(holder.join)
    # The read did not wait, so the loop was free while the tap waited; the tap did wait.
    assert checked_at < releasing[0] < answered_at
    assert b'"database":"ok"' in bytes(checked.body)
    assert [overall_number(reply.text) for reply in replies] == [3]  # the next question
    assert await count_rows(session_factory, Answer) == answers + 1  # stored, and once
    assert await count_rows(session_factory, ProcessedInbound) == 3  # /checkin and two taps


async def test_the_cohort_report_reads_beside_the_chats(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    instruments: dict[str, Instrument],
) -> None:
    """The report's reading, as the dashboard's and /report's transactions do it: after a write
    (the audit record here; the session renewed, or the message claimed, there)."""
    population = 4_000
    await seed(engine, population)
    loop_thread, read_in = threading.get_ident(), set()

    def traced(sql: str) -> None:  # SQLite calls it in the thread that runs the statement
        if sql.lstrip().upper().startswith("SELECT"):
            read_in.add(threading.get_ident())

    async with session_factory() as session, session.begin():
        audit.record(session, actor_id=None, action="report", now=service.clock())
        await session.flush()
        raw = await (await session.connection()).get_raw_connection()
        sqlite: Any = raw.driver_connection
        await sqlite.set_trace_callback(traced)
        report = await outcome_report(session, instruments, Filters())
        await sqlite.set_trace_callback(None)
    assert report.pairs == population
    # The long reading went to aiosqlite's thread, where it keeps no chat waiting. (Timed, how
    # long the loop stood still was the report's own work on the rows, and the machine's.)
    assert read_in - {loop_thread}, "every read of the report ran on the event loop's thread"
    async with session_factory() as session:
        actions: Any = (await session.scalars(select(AuditEvent.action))).all()
    assert actions == ["report"]  # the transaction the read ran in was committed whole


async def test_a_long_write_is_never_cut_short(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """Interrupting a write would roll back its whole transaction: only reads are moved to the
    thread when they run long, and a write that begins with WITH is a write."""
    rows = 100_000  # far more than the few milliseconds a read may take inline
    async with session_factory() as session, session.begin():
        audit.record(session, actor_id=None, action="before", now=service.clock())
        await session.flush()
        await session.execute(
            text(
                "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < :rows)"
                " INSERT INTO audit_events (action, at) SELECT 'bulk', :at FROM n"
            ),
            {"rows": rows, "at": service.clock()},
        )
    async with session_factory() as session:
        actions: Any = (await session.scalars(select(AuditEvent.action))).all()
    assert actions.count("before") == 1 and actions.count("bulk") == rows
