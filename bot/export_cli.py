"""`mentorbot export` and `mentorbot audit`: the data for analysis, and who looked at a record."""

from __future__ import annotations

import asyncio
import io
import zipfile
from pathlib import Path

import typer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows.context import utc_now
from bot.reports.export import build_export
from bot.storage import audit
from bot.storage.db import make_engine, make_session_factory
from bot.storage.migrate import ensure_schema_current
from bot.storage.models import AuditEvent, Person, Role
from config.settings import Settings, SettingsError


async def export(
    settings: Settings, *, out: Path, identified: bool, supervisor: str | None
) -> None:
    engine = make_engine(settings.database_url)
    try:
        await ensure_schema_current(engine)
        async with make_session_factory(engine)() as session, session.begin():
            actor = None
            if identified:
                actor = await _supervisor(session, supervisor)
                audit.record(session, actor_id=actor, action="export_identified", now=utc_now())
            data = await build_export(session, identified=identified)
    finally:
        await engine.dispose()
    names = await asyncio.to_thread(_unpack, data, out)
    kind = "identified" if identified else "pseudonymous"
    typer.echo(f"Wrote {len(names)} {kind} CSV files to {out}")


def _unpack(data: bytes, out: Path) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(out)
        return archive.namelist()


async def _supervisor(session: AsyncSession, name: str | None) -> int:
    if not name:
        raise SettingsError("--identified needs --supervisor NAME (a supervisor's name)")
    found = await session.scalar(
        select(Person.id).where(
            Person.role == Role.SUPERVISOR, func.lower(Person.display_name) == name.lower()
        )
    )
    if found is None:
        raise SettingsError(f"{name} is not a supervisor; identified exports are refused")
    return int(found)


async def show_audit(settings: Settings, *, mentee: str) -> None:
    engine = make_engine(settings.database_url)
    try:
        await ensure_schema_current(engine)
        async with make_session_factory(engine)() as session:
            people = (
                (
                    await session.execute(
                        select(Person).where(
                            Person.role == Role.MENTEE,
                            func.lower(Person.display_name) == mentee.lower(),
                        )
                    )
                )
                .scalars()
                .all()
            )
            staff = {
                p.id: p.display_name for p in (await session.execute(select(Person))).scalars()
            }
            found = False
            for person in people:
                found = True
                events = (
                    await session.execute(
                        select(AuditEvent)
                        .where(AuditEvent.subject_id == person.id)
                        .order_by(AuditEvent.at, AuditEvent.id)
                    )
                ).scalars()
                typer.echo(f"{person.display_name} (P{person.id}):")
                for event in events:
                    who = staff.get(event.actor_id or 0, "former staff")
                    when = event.at.astimezone(settings.zone)
                    typer.echo(f"  {when:%Y-%m-%d %H:%M} {who}: {event.action}")
            if not found:
                raise SettingsError(f"no mentee called {mentee}")
    finally:
        await engine.dispose()
