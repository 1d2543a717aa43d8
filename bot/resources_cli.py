"""`mentorbot resources import|export`: the service directory in and out of the database.

Staff keep the directory as a file (YAML, or CSV from a spreadsheet). An import is all or
nothing: the whole file is checked first and every bad row is named by line and reason; only a
good file replaces the directory, in one transaction. Entries the file leaves out are retired,
not deleted, because signposts already sent point at them. Categories are not imported: they
are the shipped ones (config/resources.yaml), whose keywords are reviewed with each release.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
import yaml
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.context import utc_now
from bot.signposting import Directory, DirectoryError, RowProblem, export_file, import_file, stored
from bot.signposting.files import CSV_SUFFIX, YAML_SUFFIXES
from bot.signposting.stored import ImportSummary
from bot.storage.db import make_engine, make_session_factory
from bot.storage.migrate import ensure_schema_current
from config.settings import Settings, SettingsError

CATEGORIES_NOTE = (
    "note: the file's categories differ from the shipped ones; entries were imported, "
    "categories were not (they change with a release)"
)


def read_directory_file(path: Path) -> tuple[Directory, list[str]]:
    """Read and check a directory file; DirectoryError names every bad row by its line."""
    try:
        directory = import_file(path)
        shipped = stored.shipped_categories()
        known = {category.id for category in shipped}
        problems = [
            RowProblem(number, f"unknown category {entry.category!r}", "entry")
            for number, entry in enumerate(directory.entries, start=1)
            if entry.category not in known
        ]
        if problems:
            raise DirectoryError(problems, source=path.name)
    except DirectoryError as error:
        if not any(problem.kind == "entry" for problem in error.problems):
            raise  # a CSV's rows are named by line already; a whole-file problem has none
        lines = _entry_lines(path.read_text(encoding="utf-8-sig"))
        problems = [_with_line(problem, lines) for problem in error.problems]
        raise DirectoryError(problems, source=path.name) from None
    return directory, [] if directory.categories == shipped else [CATEGORIES_NOTE]


def _entry_lines(text: str) -> list[int]:
    """The line each YAML entry starts on, so a problem can be found in an editor."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == "entries" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _with_line(problem: RowProblem, lines: list[int]) -> RowProblem:
    """ "entry 5: ..." becomes "line 120: ... (entry 5)"."""
    if problem.kind != "entry" or not 1 <= problem.line <= len(lines):
        return problem
    return RowProblem(lines[problem.line - 1], f"{problem.reason} (entry {problem.line})")


async def import_into(
    session_factory: async_sessionmaker[AsyncSession], path: Path, *, now: datetime
) -> tuple[ImportSummary, list[str]]:
    """Replace the directory with the file's entries, or change nothing if any row is bad."""
    directory, notes = read_directory_file(path)
    async with session_factory() as session, session.begin():
        summary = await stored.replace_directory(session, directory.entries, now=now)
    return summary, notes


def check_export_path(path: Path) -> str | None:
    """Say what is wrong with a file name to export to, if anything."""
    if path.suffix.casefold() not in (*YAML_SUFFIXES, CSV_SUFFIX):
        return f"cannot write {path.name}: use a .yaml or .csv file name"
    return None


async def export_from(session_factory: async_sessionmaker[AsyncSession], path: Path) -> int:
    """Write the entries in use to a YAML or CSV file; returns how many."""
    problem = check_export_path(path)
    if problem is not None:
        raise SettingsError(problem)
    async with session_factory() as session:
        live = await stored.live_directory(session)
    if not live.directory.entries:
        raise SettingsError("The directory is empty: run `mentorbot resources import` first")
    try:
        export_file(live.directory, path)
    except OSError as error:
        raise SettingsError(f"cannot write {path}: {error.strerror}") from None
    return len(live.directory.entries)


async def import_resources(settings: Settings, path: Path) -> None:
    engine = make_engine(settings.database_url)
    try:
        await ensure_schema_current(engine)
        summary, notes = await import_into(make_session_factory(engine), path, now=utc_now())
    finally:
        await engine.dispose()
    for note in notes:
        typer.echo(note)
    typer.echo(
        f"Imported {path.name}: {summary.added} added, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.retired} retired."
    )


async def export_resources(settings: Settings, path: Path) -> None:
    engine = make_engine(settings.database_url)
    try:
        await ensure_schema_current(engine)
        count = await export_from(make_session_factory(engine), path)
    finally:
        await engine.dispose()
    typer.echo(f"Exported {count} entries to {path}.")
