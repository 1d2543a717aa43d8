"""Migrations: an empty database goes to head, back to base, and up again (the stairway)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from bot.storage.db import make_engine
from bot.storage.migrate import downgrade, upgrade
from bot.storage.models import Base
from tests.conftest import POSTGRES_URL

STAIRWAY_DB = "mentorbot_stairway"


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
