"""Keeping the directory trustworthy from the chat: /stale and /retire, for supervisors only.

Services close and helplines change number, and a wrong number given to someone in trouble is
worse than none. `/stale` lists the entries nobody has checked for a year, so a supervisor can
check them and import the corrected file; `/retire NAME` stops showing an entry at once (a
service that has closed should not wait for the next import). A retired row is kept, since
signposts already sent point at it, and an import that lists it again brings it back. Adding
and editing entries is done in the file and imported (`mentorbot resources import`).
"""

from __future__ import annotations

from bot.flows import texts
from bot.flows.context import FlowContext
from bot.flows.types import Outcome, Reply
from bot.signposting.directory import normalise
from bot.storage import people, resources
from bot.storage.models import Person, Resource

STALE_AFTER_MONTHS = 12


async def stale(ctx: FlowContext, person: Person) -> Outcome:
    """Lists the entries in use that were last checked over 12 months ago, oldest first."""
    cutoff = people.add_months(ctx.today(), -STALE_AFTER_MONTHS)
    rows = await resources.stale_resources(ctx.session, verified_before=cutoff)
    if not rows:
        return Outcome([Reply(texts.STALE_NONE)])
    labels = {category.id: category.label for category in resources.shipped_categories()}
    lines = [texts.STALE_HEADER.format(count=len(rows))]
    lines += [
        texts.STALE_LINE.format(
            name=row.name,
            category=labels.get(row.category, row.category),
            verified=row.verified.isoformat(),
        )
        for row in rows
    ]
    lines.append(texts.STALE_FOOTER)
    return Outcome([Reply("\n".join(lines))])


async def retire(ctx: FlowContext, person: Person, argument: str) -> Outcome:
    """Stops showing the named entry: its whole name, or a part only it has."""
    wanted = " ".join(argument.split())
    if not wanted:
        return Outcome([Reply(texts.RETIRE_NEEDS_NAME)])
    matches = _matching(await resources.active_resources(ctx.session), wanted)
    if not matches:
        return Outcome([Reply(texts.RETIRE_NOT_FOUND.format(name=wanted))])
    if len(matches) > 1:
        names = "; ".join(row.name for row in matches)
        return Outcome([Reply(texts.RETIRE_WHICH.format(name=wanted, names=names))])
    resources.retire(matches[0], now=ctx.now())
    return Outcome([Reply(texts.RETIRE_DONE.format(name=matches[0].name))])


def _matching(rows: list[Resource], wanted: str) -> list[Resource]:
    """The entry named exactly (ignoring case and punctuation), else those containing it."""
    key = normalise(wanted)
    exact = [row for row in rows if normalise(row.name) == key]
    if exact or not key:
        return exact
    return [row for row in rows if f" {key} " in f" {normalise(row.name)} "]
