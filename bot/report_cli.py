"""`mentorbot report`: the cohort's paired before/after outcomes on the command line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import typer

from bot.app import instruments_for
from bot.reports.outcome_formats import as_csv, as_json, as_text, enough_pairs, rich_table
from bot.reports.outcomes import Filters, OutcomeReport, outcome_report
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


async def print_report(settings: Settings, request: ReportRequest) -> None:
    from sqlalchemy import func, select

    engine = make_engine(settings.database_url)
    try:
        await ensure_schema_current(engine)
        async with make_session_factory(engine)() as session:
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

            filters = Filters(
                site=request.site,
                mentor_id=mentor_id,
                since=at(request.since),
                until=at(request.until),
            )
            report = await outcome_report(session, instruments_for(settings), filters)
    finally:
        await engine.dispose()
    _write(report, request)


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
