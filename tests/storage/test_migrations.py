"""Migrations: an empty database goes to head, back to base, and up again (the stairway)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import JSON, DateTime, insert, inspect, select, text
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.engine import make_url

from bot.storage import people
from bot.storage.db import make_engine, make_session_factory
from bot.storage.migrate import downgrade, upgrade
from bot.storage.models import Base, Goal, OutboxMessage
from tests.conftest import POSTGRES_URL

# One per pytest-xdist worker, so parallel workers never drop each other's.
STAIRWAY_DB = "mentorbot_stairway_" + os.environ.get("PYTEST_XDIST_WORKER", "main")


async def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    await engine.dispose()
    return names - {"alembic_version"}


async def _recreate_database(url: str, name: str) -> None:
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        await connection.execute(text(f"CREATE DATABASE {name}"))
    await engine.dispose()


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of the kind under test (never the shared test database)."""
    if POSTGRES_URL is None:
        yield f"sqlite+aiosqlite:///{tmp_path / 'stairway.db'}"
        return
    asyncio.run(_recreate_database(POSTGRES_URL, STAIRWAY_DB))
    yield make_url(POSTGRES_URL).set(database=STAIRWAY_DB).render_as_string(hide_password=False)


def test_upgrade_downgrade_upgrade(empty_database_url: str) -> None:
    expected = {table.name for table in Base.metadata.sorted_tables}
    upgrade(empty_database_url)
    assert asyncio.run(_tables(empty_database_url)) == expected
    downgrade(empty_database_url)
    assert asyncio.run(_tables(empty_database_url)) == set()
    upgrade(empty_database_url)
    assert asyncio.run(_tables(empty_database_url)) == expected


def test_models_and_migrations_agree(empty_database_url: str) -> None:
    """No model change without its migration: autogenerate against head finds nothing."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    upgrade(empty_database_url)

    async def diff() -> list[object]:
        engine = make_engine(empty_database_url)
        async with engine.connect() as connection:
            changes = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
                )
            )
        await engine.dispose()
        return list(changes)

    assert asyncio.run(diff()) == []


PHONE = "+447700900777"
GOAL = "Visit my sister in Dover"


async def _write_plaintext_at_0009(url: str) -> None:
    """Rows as the app wrote them before encryption: plain words, a number in an outbox key."""
    now, day = datetime(2026, 3, 2, 10, tzinfo=UTC), date(2026, 3, 2)
    rows: list[tuple[str, dict[str, object]]] = [
        (
            "people",
            dict(id=1, role="mentee", status="active", display_name="Sam", phone=PHONE,
                 sms_choices={"token": "t1", "choices": [[GOAL, "g1"]]}, created_at=now),
        ),
        (
            "episodes",
            dict(id=1, mentee_id=1, site="hub", started_on=day, planned_end_on=day,
                 status="active", created_at=now),
        ),
        (
            "goals",
            dict(id=1, person_id=1, episode_id=1, domain="relationships", title=GOAL,
                 set_by_role="mentee", status="active", rhythm="none", created_at=now,
                 updated_at=now),
        ),
        (
            "outbox",
            dict(id=1, person_id=1, idempotency_key=f"phone:1:{PHONE}:confirm", kind="notice",
                 text=f"Your goal: {GOAL}", payload=None, status="sent",
                 respect_quiet_hours=True, not_before=now, attempts=0, created_at=now),
        ),
    ]  # fmt: skip
    types = {"sms_choices": JSON(), "payload": JSON(), "created_at": DateTime(timezone=True)}
    types |= {"updated_at": DateTime(timezone=True), "not_before": DateTime(timezone=True)}
    engine = make_engine(url)
    async with engine.begin() as connection:
        for name, values in rows:
            table = sa_table(name, *(sa_column(c, types.get(c)) for c in values))
            await connection.execute(insert(table).values(values))
    await engine.dispose()


async def _raw(url: str) -> tuple[str, str, str, str]:
    engine = make_engine(url)
    async with engine.connect() as connection:
        phone, choices = (
            await connection.execute(text("SELECT phone, sms_choices FROM people"))
        ).one()
        (title,) = (await connection.execute(text("SELECT title FROM goals"))).one()
        (key,) = (await connection.execute(text("SELECT idempotency_key FROM outbox"))).one()
    await engine.dispose()
    return str(phone), str(choices), str(title), str(key)


def test_upgrading_encrypts_existing_rows_and_downgrading_decrypts_them(
    empty_database_url: str,
) -> None:
    upgrade(empty_database_url, "0009")
    asyncio.run(_write_plaintext_at_0009(empty_database_url))
    upgrade(empty_database_url)

    phone, choices, title, key = asyncio.run(_raw(empty_database_url))
    assert all(v.startswith("gAAAAA") for v in (phone, choices, title))  # Fernet tokens
    assert PHONE not in key and key.startswith("phone:1:")

    async def read() -> tuple[str | None, str, dict[str, object] | None, str]:
        engine = make_engine(empty_database_url)
        async with make_session_factory(engine)() as session:
            sam = await people.person_by_phone(session, PHONE)  # found by its hash
            goal = (await session.execute(select(Goal))).scalar_one()
            notice = (await session.execute(select(OutboxMessage))).scalar_one()
        await engine.dispose()
        assert sam is not None
        return sam.phone, goal.title, sam.sms_choices, notice.text

    assert asyncio.run(read()) == (
        PHONE,
        GOAL,
        {"token": "t1", "choices": [[GOAL, "g1"]]},
        f"Your goal: {GOAL}",
    )

    downgrade(empty_database_url, "0009")
    phone, choices, title, _key = asyncio.run(_raw(empty_database_url))
    assert (phone, title, GOAL in choices) == (PHONE, GOAL, True)
