"""Run Alembic migrations on demand (`mentorbot db upgrade`), never implicitly at start-up.

The migration scripts ship inside the package, so this works from any working directory.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from config.settings import SettingsError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database up to `revision` (blocking: call it from a thread inside a loop)."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


def current_head() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


async def ensure_schema_current(engine: AsyncEngine) -> None:
    """Refuse to run on a database that `mentorbot db upgrade` has not brought up to date."""
    # Failing to connect is not "out of date": that error goes up to be named as it is.
    async with engine.connect() as connection:
        try:
            version = (
                await connection.execute(text("SELECT version_num FROM alembic_version"))
            ).scalar()
        except SQLAlchemyError:  # no alembic_version table: never upgraded
            version = None
    if version != current_head():
        raise SettingsError("The database is not up to date: run `mentorbot db upgrade` first")
