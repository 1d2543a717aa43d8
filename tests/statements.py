"""Counting the SQL statements a piece of code sends, as the database sees them.

A listener on the engine's `before_cursor_execute` sees every statement, ORM or Core, once per
round trip (an executemany is one). BEGIN and COMMIT are left out: the drivers send them on
their own, so they never reach the cursor events anyway.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@contextlib.contextmanager
def statements_sent(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL of each statement sent inside the block, in order."""
    sent: list[str] = []

    def note(
        _conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        if statement.split(None, 1)[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}:
            sent.append(" ".join(statement.split()))

    event.listen(engine.sync_engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", note)
