"""`mentorbot report`: the cohort's paired before/after outcomes on the command line.

With `--compare`, two groups side by side instead (docs/compare.md): our mentees and another
programme's CSV file (kept under a name with `--keep`), a kept group, or our own groups named
in words (`"hub spokes"`, `"mentor=Alex"`, `"finished left"`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

import typer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import instruments_for
from bot.reports import compare_formats
from bot.reports.compare import Comparison
from bot.reports.compare_csv import CompareFileError, read_scores
from bot.reports.compare_groups import (
    OURS,
    CompareError,
    Group,
    check_cohort_name,
    compare_groups,
    keep,
    resolve,
)
from bot.reports.outcome_formats import as_csv, as_json, as_text, enough_pairs, rich_table
from bot.reports.outcomes import Filters, OutcomeReport, outcome_report
from bot.storage import cohorts
from bot.storage.db import make_engine, make_session_factory
from bot.storage.migrate import ensure_schema_current
from bot.storage.models import Person, Role
from config.settings import Settings, SettingsError

FORMATS = ("table", "text", "csv", "json", "png")


@dataclass(frozen=True)
class ReportRequest:
    format: str = "table"
    site: str | None = None
    mentor: str | None = None
    since: date | None = None
    until: date | None = None
    out: Path | None = None
    compare: str | None = None
    keep: str | None = None


async def print_report(settings: Settings, request: ReportRequest) -> None:
    if request.compare is not None:
        await print_comparison(settings, request)
        return
    engine = make_engine(settings.database_url)
    try:
        await ensure_schema_current(engine)
        async with make_session_factory(engine)() as session:
            filters = await filters_for(session, settings, request)
            report = await outcome_report(session, instruments_for(settings), filters)
    finally:
        await engine.dispose()
    _write(report, request)


async def filters_for(
    session: AsyncSession, settings: Settings, request: ReportRequest
) -> Filters:
    """The --site, --mentor, --since and --until options as the report's filters."""
    mentor_id = None
    if request.mentor is not None:
        mentor_id = await session.scalar(
            select(Person.id).where(
                Person.role.in_((Role.MENTOR, Role.SUPERVISOR)),
                func.lower(Person.display_name) == request.mentor.lower(),
            )
        )
        if mentor_id is None:
            raise SettingsError(f"no mentor called {request.mentor}")
    zone = settings.zone

    def at(day: date | None) -> datetime | None:
        return None if day is None else datetime.combine(day, time(), tzinfo=zone)

    return Filters(
        site=request.site, mentor_id=mentor_id, since=at(request.since), until=at(request.until)
    )


def _write(report: OutcomeReport, request: ReportRequest) -> None:
    title = "Outcomes: baseline and follow-up"
    if request.format == "png":
        from bot.reports.outcome_chart import render_outcomes_png

        path = request.out or Path("outcomes.png")
        path.write_bytes(render_outcomes_png(report.rows))
        typer.echo(f"Wrote {path}")
        return
    if request.format == "table":
        from rich.console import Console

        console = Console()
        if not enough_pairs(report):  # a table of dashes says less than the sentence
            console.print(as_text(report, title=title), markup=False, highlight=False)
            return
        console.print(rich_table(report, title=title))
        text = as_text(report, title="").split("\n\n", 1)[-1]
        console.print(text, markup=False, highlight=False)
        return
    rendered = {"csv": as_csv, "json": as_json}.get(request.format)
    content = rendered(report) if rendered else as_text(report, title=title) + "\n"
    if request.out is not None:
        request.out.write_text(content, encoding="utf-8")
        typer.echo(f"Wrote {request.out}")
    else:
        typer.echo(content, nl=False)


def is_file(words: str) -> bool:
    """--compare names a file (other.csv) rather than groups (hub spokes, a kept group)."""
    return words.lower().endswith(".csv") or Path(words).is_file()


async def print_comparison(settings: Settings, request: ReportRequest) -> None:
    """Read and check a file first (nothing is stored unless every row is right), then compare."""
    assert request.compare is not None
    instruments = instruments_for(settings)
    external: Group | None = None
    if is_file(request.compare):
        path = Path(request.compare)
        try:
            scores = read_scores(path, instruments)
        except CompareFileError as error:
            for problem in error.problems:
                typer.echo(problem, err=True)
            raise SettingsError(f"{path.name} was refused; nothing was kept") from None
        external = Group(path.stem, external=scores)
        if request.keep is not None:
            refused = check_cohort_name(request.keep)
            if refused is not None:
                raise SettingsError(f"--keep: {refused}")
            external = Group(request.keep.lower(), external=scores)
    elif request.keep is not None:
        raise SettingsError("--keep goes with --compare FILE.csv: it keeps that file's scores")
    engine = make_engine(settings.database_url)
    try:
        await ensure_schema_current(engine)
        async with make_session_factory(engine)() as session:
            filters = await filters_for(session, settings, request)
            if external is None:
                try:
                    groups = await resolve(session, request.compare.split())
                except CompareError as error:
                    raise SettingsError(str(error)) from None
            else:
                groups = (Group(OURS), external)
                if request.keep is not None:
                    await _keep(session, request.keep, external)
            comparison = await compare_groups(session, instruments, groups, filters)
    finally:
        await engine.dispose()
    _write_comparison(comparison, request)


async def _keep(session: AsyncSession, name: str, group: Group) -> None:
    assert group.external is not None
    if await cohorts.find(session, name) is not None:
        raise SettingsError(f"a group called {name.lower()} is kept already; choose another name")
    await keep(session, name, group.external, datetime.now(UTC))
    await session.commit()
    people = group.external.people
    typer.echo(f"Kept {name.lower()}: {people} people, no names or ids.", err=True)


def _write_comparison(comparison: Comparison, request: ReportRequest) -> None:
    if request.format == "png":
        from bot.reports.compare_chart import render_comparison_png

        path = request.out or Path("comparison.png")
        path.write_bytes(render_comparison_png(comparison))
        typer.echo(f"Wrote {path}")
        return
    title = f"Compare: {comparison.a_label} and {comparison.b_label}"
    formats = {"csv": compare_formats.as_csv, "json": compare_formats.as_json}
    rendered = formats.get(request.format)
    if rendered is not None:
        content = rendered(comparison)
    else:
        content = compare_formats.as_text(comparison, title=title)
    if request.out is not None:
        request.out.write_text(content.rstrip("\n") + "\n", encoding="utf-8")
        typer.echo(f"Wrote {request.out}")
    else:
        typer.echo(content.rstrip("\n"))
