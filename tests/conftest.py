"""Shared fixtures: a real database per test (SQLite, or PostgreSQL when configured), a clock.

The whole suite runs on SQLite and again on PostgreSQL when MENTORBOT_TEST_DATABASE_URL is set
(README, Run the tests). SQLite tests each get a copy of a migrated template file; PostgreSQL
tests share one migrated database per pytest-xdist worker and start from empty tables.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

# PTB 22 warns inside RetryAfter unless told to use timedelta durations; with warnings as
# errors that would replace every 429 with a warning. Set before any PTB object is built.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.instruments import Instrument, load_instruments
from bot.safety import CrisisDetector
from bot.service import MentorService
from bot.signposting import Directory, load_directory
from bot.signposting.stored import replace_directory
from bot.storage import crypto
from bot.storage.db import make_engine, make_session_factory
from bot.storage.migrate import upgrade
from bot.storage.models import Base

LONDON = ZoneInfo("Europe/London")


def _database_per_worker(url: str | None) -> str | None:
    """Under pytest-xdist each worker gets its own PostgreSQL database (`<name>_gw0`, ...).

    The workers would otherwise empty each other's tables mid-test (README, Run the tests).
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if url is None or not worker:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


POSTGRES_URL = _database_per_worker(os.environ.get("MENTORBOT_TEST_DATABASE_URL"))
# A fixed key for tests only (never a real one), installed for the whole run as `mentorbot`
# installs the operator's keys at start-up; tests that rotate keys put it back afterwards.
TEST_KEY = "bWVudG9yYm90LXRlc3RzLW9ubHkta2V5LTMyYnl0ZXM="
crypto.install(crypto.KeyRing([TEST_KEY]))


class FakeClock:
    """A clock tests move by hand; always timezone-aware."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def instruments() -> dict[str, Instrument]:
    return load_instruments()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _postgres_ready() -> str:
    assert POSTGRES_URL is not None
    asyncio.run(_reset_postgres(POSTGRES_URL))
    upgrade(POSTGRES_URL)
    return POSTGRES_URL


async def _reset_postgres(url: str) -> None:
    await _create_database_if_missing(url)
    engine = make_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


async def _create_database_if_missing(url: str) -> None:
    """A worker's database is made on first use, from the server's `postgres` database."""
    name = make_url(url).database
    server = make_url(url).set(database="postgres").render_as_string(hide_password=False)
    engine = make_engine(server, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        found = await connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not found:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database for this test."""
    if POSTGRES_URL is not None:
        url = request.getfixturevalue("_postgres_ready")
        asyncio.run(_empty_postgres(url))  # every test starts from empty tables
        yield url
        return
    template: Path = request.getfixturevalue("_sqlite_template")
    path = tmp_path / "test.db"
    shutil.copyfile(template, path)
    yield f"sqlite+aiosqlite:///{path}"


async def _empty_postgres(url: str) -> None:
    engine = make_engine(url)
    names = ", ".join(table.name for table in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


# Services made over a test's database, so that what they are still recording is recorded
# before the database goes: a recorder left running past the test's event loop fails in
# aiosqlite's thread ("Event loop is closed").
_MADE: list[MentorService] = []


@pytest.fixture
async def session_factory(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    factory = make_session_factory(engine)
    yield factory
    await close_services(factory)


async def close_services(factory: async_sessionmaker[AsyncSession]) -> None:
    """Let the services made over `factory` record the replies they sent (as serve does)."""
    made = [service for service in _MADE if service.session_factory is factory]
    _MADE[:] = [service for service in _MADE if service.session_factory is not factory]
    for service in made:
        await service.replies.close()


CRISIS = CrisisDetector.from_file()


def make_service(
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
    clock: FakeClock,
) -> MentorService:
    """A service over the test database; call again to simulate a restarted process."""
    service = MentorService(
        session_factory=session_factory,
        instruments=instruments,
        zone=LONDON,
        clock=clock,
        crisis=CRISIS,
    )
    _MADE.append(service)
    return service


@pytest.fixture
def service(
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
    clock: FakeClock,
) -> MentorService:
    return make_service(session_factory, instruments, clock)


@pytest.fixture
async def shipped_directory(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> Directory:
    """The shipped config/resources.yaml imported into the test database, as an operator would."""
    directory = load_directory()
    async with session_factory() as session, session.begin():
        await replace_directory(session, directory.entries, now=clock.now)
    return directory


# Synthetic personal data the suites use: none of it may reach a log line, at any level.
PERSONAL = re.compile(
    r"7700\s?900|\b(Sam|Alex|Kim|Zephyrine|Lee|Fay|Bob|Ann)\b"
    r"|Walk to the park|keeps being late|blue bicycle|talked about|yes please|housing office",
)


@pytest.fixture(autouse=True)
def no_personal_data_in_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every test doubles as a log scan: what the code logs while it runs names nobody."""
    caplog.set_level(logging.DEBUG, logger="bot")
    caplog.set_level(logging.INFO)
    yield
    leaked = [
        record.name + ": " + record.getMessage()
        for record in caplog.records
        if PERSONAL.search(record.getMessage() + (record.exc_text or ""))
    ]
    assert not leaked, f"personal data in logs: {leaked[:3]}"
