"""SQLite statements on the event loop's own thread; waits and long reads in aiosqlite's.

aiosqlite runs every call (new cursor, execute, fetch, close, commit) in a worker thread per
connection and hands the result back: a queue put, a thread wake-up, `call_soon_threadsafe`
and an event-loop wake-up, each time. A primary-key read costs 0.005 ms in sqlite3 and about
0.3 ms that way, and one Telegram update made about 35 such hand-offs (issue 19). The bot's
statements take microseconds, so `InlineConnection` runs them on the loop's thread instead,
except where a call could keep the loop, and so every chat, waiting:

- **A lock held by someone else** (the scheduler process writing, say). Inline, the
  connection's busy timeout is 0: SQLite answers SQLITE_BUSY at once instead of sleeping on the
  loop's thread. A statement that fails so has done nothing (SQLite takes the lock before it
  changes anything, and gives the lock it could not upgrade back), so it runs again in the
  worker thread with SQLite's usual wait of `PATIENCE_MS`, as every statement did before.
  SQLITE_BUSY_SNAPSHOT is raised as it comes: no wait can cure it, and SQLite does not wait
  for it either.
- **A long read** (the cohort report over thousands of mentees, an export, a dashboard page).
  A read runs inline within `READ_BUDGET_S`, which SQLite's progress handler checks; past it,
  SQLite interrupts the read, which changes nothing and leaves the transaction as it was, and
  the read runs again, whole, in the worker thread. Only a statement that cannot write is ever
  interrupted: an interrupted write rolls back its whole transaction.
- **COMMIT**: where SQLite writes to disk and, every 1000 pages of WAL, checkpoints with fsync,
  which a slow disk can make long. A commit with something to commit goes to the worker
  thread: one hand-off per write transaction.

Anything else aiosqlite offers (executescript, backup, create_function, ...) still runs in the
worker thread, with the wait. Nothing runs inline while an earlier call of the connection is
still in the worker (one a cancelled task left behind): the two would share the connection.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from time import perf_counter
from typing import Any, TypeVar

import aiosqlite
from aiosqlite.context import contextmanager

# How long a statement waits for another connection's lock: SQLite's busy timeout, in the
# worker thread only.
PATIENCE_MS = 5000
# How long a read may run on the loop's thread before it is moved to the worker. The bot's
# reads take 0.005-0.1 ms; the cost of a long one is this much work done twice.
READ_BUDGET_S = 0.002
# SQLite virtual-machine steps between two looks at the clock during an inline read.
PROGRESS_STEPS = 1000

_T = TypeVar("_T")
_WRITING_WORDS = re.compile(r"\b(?:INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def read_only(sql: str) -> bool:
    """Whether `sql` surely cannot write, so interrupting it harms nothing.

    A SELECT cannot write. A WITH can (`WITH ... INSERT`), so it counts as a read only when no
    writing word occurs anywhere in it. Anything else, recognised or not, counts as a write.
    """
    head = sql.lstrip()[:6].upper()
    if head == "SELECT":
        return True
    return head[:4] == "WITH" and _WRITING_WORDS.search(sql) is None


def _worth_a_wait(error: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY, and its kinds that SQLite's own busy handler waits out."""
    code = error.sqlite_errorcode
    return code & 0xFF == sqlite3.SQLITE_BUSY and code != sqlite3.SQLITE_BUSY_SNAPSHOT


def _deadline(seconds: float) -> Callable[[], bool]:
    """A progress handler that interrupts the statement once `seconds` have passed."""
    until = perf_counter() + seconds
    return lambda: perf_counter() > until


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection that runs cursors, statements and rollbacks inline."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int) -> None:
        super().__init__(connector, iter_chunk_size)
        self._handed = 0  # calls given to the worker thread (counted on the loop's thread)
        self._done = 0  # those of them finished (counted on the worker thread)

    def _live(self) -> sqlite3.Connection:
        if not self._running or self._connection is None:
            raise ValueError("Connection closed")  # as aiosqlite says it
        return self._connection

    async def _execute(self, fn: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        """In the worker thread, as aiosqlite does it, with SQLite's busy wait on."""
        self._live()
        self._handed += 1
        call = partial(fn, *args, **kwargs)
        result: _T = await super()._execute(self._patiently, call)  # type: ignore[no-untyped-call]
        return result

    def _patiently(self, call: Callable[[], _T]) -> _T:
        """Runs in the worker thread: `call` may wait there for another connection's lock."""
        try:
            connection = self._connection
            if connection is not None:
                connection.execute(f"PRAGMA busy_timeout = {PATIENCE_MS}")
            try:
                return call()
            finally:
                if connection is not None:
                    with contextlib.suppress(sqlite3.ProgrammingError):  # `call` closed it
                        connection.execute("PRAGMA busy_timeout = 0")
        finally:
            self._done += 1

    async def _inline(self, call: Callable[[], _T], *, read: bool = False) -> _T:
        """`call` on this thread; in the worker if it would wait, or if a read runs long.

        `call` must be safe to run again after SQLITE_BUSY (true of one statement, and of a
        rollback) and, for a `read`, after an interruption.
        """
        connection = self._live()
        if self._handed == self._done:  # nothing of this connection's still in the worker
            if read:
                connection.set_progress_handler(_deadline(READ_BUDGET_S), PROGRESS_STEPS)
            try:
                return call()
            except sqlite3.OperationalError as error:
                interrupted = read and error.sqlite_errorcode == sqlite3.SQLITE_INTERRUPT
                if not (interrupted or _worth_a_wait(error)):
                    raise
            finally:
                if read:
                    connection.set_progress_handler(None, PROGRESS_STEPS)
        return await self._execute(call)

    @contextmanager
    async def cursor(self) -> aiosqlite.Cursor:
        return InlineCursor(self, await self._inline(self._live().cursor))

    async def commit(self) -> None:
        connection = self._live()
        if self._handed == self._done and not connection.in_transaction:
            return  # nothing to commit: sqlite3's commit would do nothing either
        await self._execute(connection.commit)

    async def rollback(self) -> None:
        await self._inline(self._live().rollback)


class InlineCursor(aiosqlite.Cursor):
    """Executes and fetches in one call, so that an interrupted read can run again whole.

    The rows are kept here and handed out by the fetch methods, as SQLAlchemy's aiosqlite
    adapter does with them anyway.
    """

    _conn: InlineConnection

    def __init__(self, conn: InlineConnection, cursor: sqlite3.Cursor) -> None:
        super().__init__(conn, cursor)
        self._rows: list[Any] | None = None  # None: no rows kept (no statement, or no result)
        self._next = 0

    def _run(self, sql: str, parameters: Iterable[Any]) -> list[Any] | None:
        cursor = self._cursor
        cursor.execute(sql, parameters)  # type: ignore[arg-type]  # a sequence or a mapping
        return cursor.fetchall() if cursor.description else None

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> InlineCursor:
        self._rows, self._next = None, 0
        call = partial(self._run, sql, [] if parameters is None else parameters)
        self._rows = await self._conn._inline(call, read=read_only(sql))
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> InlineCursor:
        self._rows, self._next = None, 0
        # A list, so that a run again after SQLITE_BUSY has every row to write.
        rows: Any = parameters if isinstance(parameters, Sequence) else list(parameters)
        await self._conn._inline(partial(self._cursor.executemany, sql, rows))
        return self

    async def fetchone(self) -> Any:
        if self._rows is None:
            return await super().fetchone()
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        if self._rows is None:
            return list(await super().fetchmany(size))
        start = self._next
        self._next = min(len(self._rows), start + (self.arraysize if size is None else size))
        return self._rows[start : self._next]

    async def fetchall(self) -> list[Any]:
        if self._rows is None:
            return list(await super().fetchall())
        rows = self._rows if self._next == 0 else self._rows[self._next :]
        self._rows, self._next = [], 0
        return rows

    async def close(self) -> None:
        self._rows = None
        await self._conn._inline(self._cursor.close)


def connect(database: str, **options: Any) -> InlineConnection:
    """Like `aiosqlite.connect`, for SQLAlchemy's `async_creator` (bot/storage/db.py).

    `timeout` is dropped: inline the connection never waits, and in the worker it waits
    `PATIENCE_MS`, as the busy_timeout pragma made every connection wait before.
    """
    options.pop("timeout", None)
    options["check_same_thread"] = False  # used from the loop's thread and the worker's

    def connector() -> sqlite3.Connection:
        connection: sqlite3.Connection = sqlite3.connect(database, timeout=0, **options)
        return connection

    connection = InlineConnection(connector, iter_chunk_size=64)
    connection._thread.daemon = True  # as SQLAlchemy's dialect does: never hold up an exit
    return connection
