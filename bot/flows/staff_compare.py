"""`/report compare A B` for supervisors: two groups' outcomes side by side in the chat.

The groups are words (bot/reports/compare_groups.py): `hub spokes`, `mentor=Alex` (that
mentor's mentees and everyone else), `finished left`, or a kept external group's name. As with
/report, `site=`, `from=` and `to=` narrow our own mentees. The chat gets the picture of the
five headline measures, their figures, and the notes on how to read them; every ARC area, CSV
and JSON are on the command line. Each use is audit-logged, as /report is.
"""

from __future__ import annotations

from bot.flows import texts
from bot.flows.context import FlowContext
from bot.flows.dates import date_range
from bot.flows.types import Outcome
from bot.messages import Reply
from bot.reports.compare import Comparison
from bot.reports.compare_chart import ComparisonChart
from bot.reports.compare_formats import as_text
from bot.reports.compare_groups import CompareError, compare_groups, resolve
from bot.reports.outcome_chart import HEADLINE
from bot.reports.outcomes import Filters
from bot.storage import audit
from bot.storage.models import Person

_FILTERS = ("site", "from", "to")


def _split(argument: str) -> tuple[list[str], dict[str, str]] | None:
    """Group words apart from the filters; None when a filter is given twice or empty."""
    words: list[str] = []
    filters: dict[str, str] = {}
    for word in argument.split():
        key, sep, value = word.partition("=")
        if sep and key.lower() in _FILTERS:
            if not value or key.lower() in filters:
                return None
            filters[key.lower()] = value
        else:
            words.append(word)
    return words, filters


async def comparison(ctx: FlowContext, argument: str) -> Comparison | list[str]:
    """The headline comparison the words ask for, or what to tell the person instead."""
    split = _split(argument)
    if split is None or not split[0]:
        return [texts.COMPARE_USAGE]
    words, options = split
    try:
        since, until = date_range(options, ctx.zone)
    except ValueError:
        return [texts.COMPARE_USAGE]
    try:
        groups = await resolve(ctx.session, words)
    except CompareError as error:
        return [str(error), texts.COMPARE_USAGE]
    filters = Filters(site=options.get("site"), since=since, until=until)
    full = await compare_groups(ctx.session, ctx.instruments, groups, filters)
    return full.headline(HEADLINE)


async def compare(ctx: FlowContext, staff: Person, argument: str) -> Outcome:
    """Answers `/report compare ...` with a picture, the figures and the notes.

    The staff dashboard's report page shows the same (bot/web/pages_reports.py).
    """
    shown = await comparison(ctx, argument)
    if isinstance(shown, list):
        return Outcome([Reply(line) for line in shown])
    audit.record(ctx.session, actor_id=staff.id, action="report_compare", now=ctx.now())
    title = texts.COMPARE_TITLE.format(a=shown.a_label, b=shown.b_label)
    figures = as_text(shown, title=title, notes=False)
    notes = Reply("\n".join([*shown.definitions, texts.COMPARE_MORE]))
    if not shown.comparable:  # the figures say why; a picture of the same words adds nothing
        return Outcome([Reply(figures), notes])
    picture = Reply(texts.COMPARE_PICTURE, card=ComparisonChart(shown))
    return Outcome([picture, Reply(figures), notes])
