"""`/report` for supervisors: the cohort's outcomes as a compact chat message.

Arguments are optional words: `site=spoke-north`, `mentor=Alex`, `from=2026-01-01`,
`to=2026-07-01`, so the report can be narrowed without a guided flow. `/report compare A B`
sets two groups side by side (bot/flows/staff_compare.py).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select

from bot.flows import staff_compare, texts
from bot.flows.context import FlowContext
from bot.flows.dates import date_range
from bot.flows.types import Outcome
from bot.messages import Document, Reply
from bot.reports.export import build_export
from bot.reports.outcome_chart import OutcomesChart, comparable, headline_rows
from bot.reports.outcome_formats import as_text
from bot.reports.outcomes import Filters, outcome_report
from bot.storage import audit
from bot.storage.models import Person, Role

_KEYS = ("site", "mentor", "from", "to")


def _parse(argument: str) -> dict[str, str] | None:
    found: dict[str, str] = {}
    for word in argument.split():
        key, sep, value = word.partition("=")
        if not sep or key.lower() not in _KEYS or not value:
            return None
        found[key.lower()] = value
    return found


async def report(ctx: FlowContext, staff: Person, argument: str) -> Outcome:
    first, _, rest = argument.strip().partition(" ")
    if first.lower() == "compare":  # two groups side by side (bot/flows/staff_compare.py)
        return await staff_compare.compare(ctx, staff, rest)
    options = _parse(argument)
    if options is None:
        return Outcome([Reply(texts.REPORT_USAGE)])
    try:
        since, until = date_range(options, ctx.zone)
    except ValueError:
        return Outcome([Reply(texts.REPORT_USAGE)])
    mentor_id = None
    if "mentor" in options:
        mentor_id = await ctx.session.scalar(
            select(Person.id).where(
                Person.role.in_((Role.MENTOR, Role.SUPERVISOR)),
                func.lower(Person.display_name) == options["mentor"].lower(),
            )
        )
        if mentor_id is None:
            return Outcome([Reply(texts.REPORT_NO_MENTOR.format(name=options["mentor"]))])
    filters = Filters(site=options.get("site"), mentor_id=mentor_id, since=since, until=until)
    full = await outcome_report(ctx.session, ctx.instruments, filters)
    audit.record(ctx.session, actor_id=staff.id, action="report", now=ctx.now())
    # The chat version keeps the headline measures; each ARC area is in `mentorbot report`.
    compact = replace(full, rows=headline_rows(full.rows))
    title = texts.REPORT_TITLE + (f" ({argument.strip()})" if argument.strip() else "")
    text = as_text(compact, title=title) + "\n" + texts.REPORT_MORE
    if not comparable(compact.rows):  # the text says "not enough pairs yet"; no empty picture
        return Outcome([Reply(text)])
    return Outcome(
        [Reply(texts.REPORT_PICTURE, card=OutcomesChart(tuple(compact.rows))), Reply(text)]
    )


async def export(ctx: FlowContext, staff: Person, argument: str) -> Outcome:
    """/export (supervisors): the data as a ZIP of CSV files; `/export identified` adds names."""
    words = argument.strip().lower()
    if words not in ("", "identified"):
        return Outcome([Reply(texts.EXPORT_USAGE)])
    identified = words == "identified"
    action = "export_identified" if identified else "export"
    audit.record(ctx.session, actor_id=staff.id, action=action, now=ctx.now())
    data = await build_export(ctx.session, identified=identified)
    name = f"mentorbot-{action.replace('_', '-')}-{ctx.today():%Y%m%d}.zip"
    text = texts.EXPORT_IDENTIFIED if identified else texts.EXPORT_PSEUDONYMOUS
    return Outcome([Reply(text, document=Document(name, data))])
