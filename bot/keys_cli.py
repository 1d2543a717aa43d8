"""`mentorbot keys new|rotate`: make an encryption key, and move stored data to the newest key."""

from __future__ import annotations

import typer

from bot.storage import crypto
from bot.storage.db import make_engine
from bot.storage.migrate import ensure_schema_current
from bot.storage.rotation import rotate_all
from config.settings import Settings, SettingsError


async def rotate_keys(settings: Settings) -> None:
    """Re-encrypt every encrypted value (and phone hash) with the first key in the setting."""
    engine = make_engine(settings.database_url)
    try:
        await ensure_schema_current(engine)
        rows = await rotate_all(engine, crypto.installed())
    except crypto.KeyRingError as exc:
        raise SettingsError(str(exc)) from None
    finally:
        await engine.dispose()
    typer.echo(f"Re-encrypted {rows} rows with the first key. Older keys can now be removed.")
