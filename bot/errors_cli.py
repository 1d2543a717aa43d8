"""A database that cannot be reached, as one line for the operator instead of a traceback.

Whatever the command, a refused connection used to end in hundreds of lines of traceback (or,
where the schema check swallowed it, in "not up to date", which sent people to the wrong fix).
The line names where mentorbot tried to connect (host and port, the socket file for a URL with
`?host=/var/run/postgresql` as docs/deploy.md sets, or the SQLite file) and the likely cause; it
never repeats the URL itself, which may hold a password.
"""

from __future__ import annotations

import errno
import socket
import traceback
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import URL, make_url

SETTING = "MENTORBOT_DATABASE_URL"
DRIVERS = ("sqlalchemy", "asyncpg", "aiosqlite")
# Network failures only: a file that cannot be written is some other command's problem.
_NETWORK = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL, errno.ETIMEDOUT}


def database_problem(error: BaseException, database_url: str) -> str | None:
    """One line for a failure to reach or open the database; None for any other error."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        where = f"the SQLite file {url.database}"
    else:
        where = _postgres_address(url)
    causes = list(_chain(error))
    if not any(_raised_by_driver(cause) for cause in causes):
        return None  # Telegram or Twilio refusing a connection is not the database
    for cause in causes:
        reason = _reason(
            cause, user=url.username, database=url.database, via_socket=where.startswith("/")
        )
        if reason is not None:
            return f"Cannot reach the database at {where}: {reason} (check {SETTING})"
    return None


def sqlite_problem(database_url: str) -> str | None:
    """A SQLite file whose folder is missing, found before the driver fails on it noisily."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    folder = Path(url.database).parent
    if folder.is_dir():
        return None
    return f"Cannot open the SQLite file {url.database}: no folder {folder} (check {SETTING})"


def _postgres_address(url: URL) -> str:
    """host:port, or the socket file when the host is a folder (`?host=/var/run/postgresql`)."""
    host = url.host or _query_value(url, "host")
    port = url.port or _query_value(url, "port") or 5432
    if host and host.startswith("/"):
        return f"{host.rstrip('/')}/.s.PGSQL.{port}"
    return f"{host or 'localhost'}:{port}"


def _query_value(url: URL, name: str) -> str | None:
    value = url.query.get(name)
    if isinstance(value, tuple):
        value = value[0] if value else None
    return value or None


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, what it wraps (SQLAlchemy's `orig`), and what caused it, each once."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        pending += [orig if isinstance(orig, BaseException) else None]
        pending += [current.__cause__, current.__context__]


def _raised_by_driver(error: BaseException) -> bool:
    return any(
        frame.f_globals.get("__name__", "").startswith(DRIVERS)
        for frame, _line in traceback.walk_tb(error.__traceback__)
    )


def _reason(
    error: BaseException, *, user: str | None, database: str | None, via_socket: bool
) -> str | None:
    name = type(error).__name__
    if isinstance(error, ConnectionRefusedError):
        return "connection refused (is PostgreSQL running there?)"
    if via_socket and isinstance(error, FileNotFoundError):  # PostgreSQL removes it when it stops
        return "no such socket (is PostgreSQL running, on that port?)"
    if isinstance(error, socket.gaierror):
        return "host name not found"
    if isinstance(error, TimeoutError):
        return "no answer (timed out)"
    if isinstance(error, ConnectionError):  # reset, or refused SSL, on the way in
        return "the server broke off the connection (is it PostgreSQL, on that port?)"
    if isinstance(error, OSError) and error.errno in _NETWORK:
        return (error.strerror or "network error").lower()
    if name in ("InvalidPasswordError", "InvalidAuthorizationSpecificationError"):
        return f"user {user or '?'} was refused (check the user name and password)"
    if name == "InvalidCatalogNameError":
        return f"there is no database called {database} (create it first)"
    if name == "OperationalError" and "unable to open database file" in str(error):
        return "the file cannot be opened (does its folder exist?)"
    return None
