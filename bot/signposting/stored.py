"""The signposting directory in the database: the entries as last imported, and lookup counts.

People edit and review the directory as a file (`config/resources.yaml`, or a CSV from a
spreadsheet); the bot reads it from here, so `mentorbot resources import` takes effect without
a restart. An import replaces the entries in one transaction and retires, never deletes, the
ones it leaves out, because signposts already sent point at them. Categories stay in the
shipped YAML: their keywords are code-reviewed search terms that change with a release.

Repositories never commit: the caller owns the transaction (docs/architecture.md).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.signposting import Category, Directory, Entry, load_directory
from bot.storage.models import LookupCount, Resource

ENTRY_COLUMNS = tuple(field.name for field in fields(Entry))


@functools.cache
def shipped_categories() -> tuple[Category, ...]:
    """The categories of the shipped directory file, read once per process."""
    return load_directory().categories


@dataclass(frozen=True)
class LiveDirectory:
    """The active entries as a searchable Directory, and the row ids that tie them to signposts."""

    directory: Directory
    ids: Mapping[str, int]  # entry name -> row id
    by_id: Mapping[int, Entry]


@dataclass(frozen=True)
class ImportSummary:
    """What an import changed; `updated` counts changed and restored entries."""

    added: int
    updated: int
    unchanged: int
    retired: int


def to_entry(resource: Resource) -> Entry:
    """Return a row as the Entry it was imported from."""
    values: dict[str, Any] = {name: getattr(resource, name) for name in ENTRY_COLUMNS}
    return Entry(**values)


async def replace_directory(
    session: AsyncSession, entries: Sequence[Entry], *, now: datetime
) -> ImportSummary:
    """Make these entries, in this order, the active directory; retire every other row."""
    rows = (await session.execute(select(Resource))).scalars().all()
    by_name = {row.name.casefold(): row for row in rows}
    added = updated = unchanged = 0
    kept: set[int] = set()
    for position, entry in enumerate(entries):
        row = by_name.get(entry.name.casefold())
        if row is None:
            values = {name: getattr(entry, name) for name in ENTRY_COLUMNS}
            session.add(Resource(**values, position=position, created_at=now, updated_at=now))
            added += 1
            continue
        kept.add(row.id)
        row.position = position  # a move up or down the file is not worth reporting
        if to_entry(row) == entry and row.retired_at is None:
            unchanged += 1
            continue
        for name in ENTRY_COLUMNS:
            setattr(row, name, getattr(entry, name))
        row.retired_at, row.updated_at = None, now
        updated += 1
    retired = 0
    for row in rows:
        if row.id not in kept and row.retired_at is None:
            row.retired_at, row.updated_at = now, now
            retired += 1
    await session.flush()
    return ImportSummary(added=added, updated=updated, unchanged=unchanged, retired=retired)


async def active_resources(session: AsyncSession) -> list[Resource]:
    """Every entry not retired, in the order of the file it was imported from."""
    query = (
        select(Resource)
        .where(Resource.retired_at.is_(None))
        .order_by(Resource.position, Resource.id)
    )
    return list((await session.execute(query)).scalars())


async def live_directory(session: AsyncSession) -> LiveDirectory:
    """The active directory, in one query: what a lookup searches and lists."""
    categories = shipped_categories()
    known = {category.id for category in categories}
    # An entry of a category a release has since dropped cannot be shown under any button.
    rows = [row for row in await active_resources(session) if row.category in known]
    directory = Directory(categories, tuple(to_entry(row) for row in rows))
    return LiveDirectory(
        directory=directory,
        ids={row.name: row.id for row in rows},
        by_id={row.id: entry for row, entry in zip(rows, directory.entries, strict=True)},
    )


async def get_resource(session: AsyncSession, resource_id: int) -> Resource | None:
    return await session.get(Resource, resource_id)


async def stale_resources(session: AsyncSession, *, verified_before: date) -> list[Resource]:
    """Active entries last checked before this day, oldest first."""
    query = (
        select(Resource)
        .where(Resource.retired_at.is_(None), Resource.verified < verified_before)
        .order_by(Resource.verified, Resource.position)
    )
    return list((await session.execute(query)).scalars())


def retire(resource: Resource, *, now: datetime) -> None:
    resource.retired_at, resource.updated_at = now, now


async def count_lookup(session: AsyncSession, *, category: str, site: str, day: date) -> None:
    """Add one to the day's count for this kind of help at this site (one upsert)."""
    dialect = session.get_bind().dialect.name
    insert_into = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert_into(LookupCount)
        .values(category=category, site=site, day=day, count=1)
        .on_conflict_do_update(
            index_elements=["category", "site", "day"],
            set_={"count": LookupCount.count + 1},
        )
    )
    await session.execute(statement)
