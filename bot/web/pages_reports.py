"""The outcomes report and the export, for supervisors: the same functions as `/report`,
`/export` and `mentorbot report` (bot/reports), with filters by site, mentor and dates.

Viewing the report and each download are audit-logged as in the chat. The export is
pseudonymous unless "identified" is chosen; both are for supervisors only, as in the chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from bot.flows import staff_compare, texts
from bot.reports.compare_chart import ComparisonChart
from bot.reports.compare_formats import as_text
from bot.reports.export import build_export
from bot.reports.outcome_chart import OutcomesChart, comparable, headline_rows
from bot.reports.outcome_formats import NOT_ENOUGH_PAIRS, activity_lines, enough_pairs, record
from bot.reports.outcomes import Filters, outcome_report
from bot.reports.pictures import draw
from bot.sites import shipped_sites
from bot.storage import audit, people
from bot.storage.models import Role
from bot.web.render import page
from bot.web.sessions import Page, staff_page


@dataclass(frozen=True)
class Chosen:
    """The report's filters as given in the query string (opaque mentor id, ISO dates)."""

    site: str
    mentor: str
    since: str
    until: str
    filters: Filters
    problems: list[str]

    @property
    def query(self) -> str:
        given = {"site": self.site, "mentor": self.mentor, "from": self.since, "to": self.until}
        return urlencode({k: v for k, v in given.items() if v})


def _day(text: str, problems: list[str], what: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.combine(date.fromisoformat(text), time())
    except ValueError:
        problems.append(f"The {what} date is not a date.")
        return None


async def _chosen(view: Page) -> Chosen:
    params = view.request.query_params
    problems: list[str] = []
    site = params.get("site", "")
    if site and site not in shipped_sites():
        problems.append("That site is not one of the clinics.")
        site = ""
    mentor = params.get("mentor", "")
    mentor_id = view.ids.decode("mentor", mentor) if mentor else None
    if mentor and mentor_id is None:
        problems.append("That mentor is not known.")
        mentor = ""
    since = _day(params.get("from", ""), problems, "from")
    until = _day(params.get("to", ""), problems, "to")
    zone = view.ctx.zone
    filters = Filters(
        site=site or None,
        mentor_id=mentor_id,
        since=since.replace(tzinfo=zone) if since else None,
        until=until.replace(tzinfo=zone) if until else None,
    )
    return Chosen(
        site,
        mentor,
        params.get("from", "") if since else "",
        params.get("to", "") if until else "",
        filters,
        problems,
    )


def _shown(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


@staff_page("report")
async def report(view: Page) -> Response:
    ctx = view.ctx
    chosen = await _chosen(view)
    found = await outcome_report(ctx.session, ctx.instruments, chosen.filters)
    audit.record(ctx.session, actor_id=view.staff.id, action="report", now=ctx.now())
    staff = [p for p in await people.staff(ctx.session) if p.role is not Role.MENTEE]
    rows = [{k: _shown(v) for k, v in record(row).items()} for row in found.rows]
    return page(
        view.request,
        "report.html",
        staff=view.staff,
        csrf=view.csrf,
        title="Outcomes report",
        chosen=chosen,
        sites=list(shipped_sites()),
        mentors=[(view.ids.encode("mentor", m.id), m.display_name) for m in staff],
        pairs=found.pairs,
        enough=enough_pairs(found),
        not_enough=NOT_ENOUGH_PAIRS,
        rows=rows,
        chart=comparable(found.rows),
        activity=activity_lines(found),
        definitions=found.definitions,
    )


@staff_page("report")
async def report_chart(view: Page) -> Response:
    """The paired chart of the headline measures, for the same filters."""
    ctx = view.ctx
    chosen = await _chosen(view)
    found = await outcome_report(ctx.session, ctx.instruments, chosen.filters)
    picture = await draw(OutcomesChart(tuple(headline_rows(found.rows))))
    return Response(picture, media_type="image/png")


DEFAULT_GROUPS = "hub spokes"


def _groups(view: Page) -> str:
    """The groups to compare, as typed after `/report compare` in the chat (docs/compare.md)."""
    return " ".join(view.request.query_params.get("groups", DEFAULT_GROUPS).split())[:200]


@staff_page("report")
async def compare_page(view: Page) -> Response:
    """Two groups side by side: what `/report compare WORDS` sends, as a page."""
    ctx, groups = view.ctx, _groups(view)
    shown = await staff_compare.comparison(ctx, groups)
    if isinstance(shown, list):
        lines, figures, picture = shown, "", False
    else:
        audit.record(ctx.session, actor_id=view.staff.id, action="report_compare", now=ctx.now())
        title = texts.COMPARE_TITLE.format(a=shown.a_label, b=shown.b_label)
        lines, figures = list(shown.definitions), as_text(shown, title=title, notes=False)
        picture = shown.comparable
    return page(
        view.request,
        "compare.html",
        staff=view.staff,
        csrf=view.csrf,
        title="Compare two groups",
        groups=groups,
        query=urlencode({"groups": groups}),
        figures=figures,
        lines=lines,
        picture=picture,
    )


@staff_page("report")
async def compare_chart(view: Page) -> Response:
    """The comparison's picture for the same words (the page above logged the viewing)."""
    shown = await staff_compare.comparison(view.ctx, _groups(view))
    if isinstance(shown, list):  # words that name no groups: the page says why
        return Response(status_code=404)
    return Response(await draw(ComparisonChart(shown)), media_type="image/png")


@staff_page("export")
async def export_page(view: Page) -> Response:
    return page(
        view.request, "export.html", staff=view.staff, csrf=view.csrf, title="Export the data"
    )


@staff_page("export")
async def export_download(view: Page) -> Response:
    """The ZIP of CSV files, as `/export` sends it; "identified" adds names and numbers."""
    assert view.form is not None
    identified = view.form.get("identified") == "yes"
    ctx = view.ctx
    action = "export_identified" if identified else "export"
    audit.record(ctx.session, actor_id=view.staff.id, action=action, now=ctx.now())
    data = await build_export(ctx.session, identified=identified)
    name = f"mentorbot-{action.replace('_', '-')}-{ctx.today():%Y%m%d}.zip"
    return Response(
        data,
        media_type="application/zip",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
