"""`mentorbot staff add|list`: the only way to create staff; no chat can make itself a mentor."""

from __future__ import annotations

import typer
from sqlalchemy.exc import IntegrityError

from bot.flows.context import utc_now
from bot.storage import people
from bot.storage.db import make_engine, make_session_factory
from bot.storage.migrate import ensure_schema_current
from bot.storage.models import Role
from config.settings import Settings, SettingsError


async def add_staff(settings: Settings, *, name: str, telegram_id: int, role: str) -> None:
    engine = make_engine(settings.database_url)
    try:
        await ensure_schema_current(engine)
        async with make_session_factory(engine)() as session, session.begin():
            person = await people.add_person(
                session,
                role=Role(role),
                display_name=name,
                now=utc_now(),
                telegram_user_id=telegram_id,
            )
        typer.echo(f"Added {role} {name} (id {person.id}).")
    except IntegrityError:
        raise SettingsError(f"Telegram id {telegram_id} already belongs to someone") from None
    finally:
        await engine.dispose()


async def list_staff(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    try:
        await ensure_schema_current(engine)
        async with make_session_factory(engine)() as session:
            members = await people.staff(session)
        if not members:
            typer.echo(
                "No staff yet. Add one with: mentorbot staff add --name NAME --telegram-id ID"
            )
        for person in members:
            typer.echo(
                f"{person.id}\t{person.role.value}\t{person.display_name}\t{person.telegram_user_id}"
            )
    finally:
        await engine.dispose()
