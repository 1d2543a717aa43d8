"""Keeping the directory trustworthy from the chat: /stale and /retire, for supervisors only.

Services close and helplines change number, and a wrong number given to someone in trouble is
worse than none. `/stale` lists the entries nobody has checked for a year, so a supervisor can
check them and import the corrected file; `/retire NAME` stops showing an entry at once (a
service that has closed should not wait for the next import). A retired row is kept, since
signposts already sent point at it, and an import that lists it again brings it back.
`/service add` and `/service edit` change one entry from the chat, checked by exactly the rules
an import uses; a whole new file is still best done by `mentorbot resources import`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict

from sqlalchemy import func, select

from bot.flows import texts
from bot.flows.context import FlowContext
from bot.flows.types import Outcome
from bot.messages import Reply
from bot.signposting import stored
from bot.signposting.directory import Entry, normalise, parse_entry
from bot.storage import people
from bot.storage.models import Person, Resource

STALE_AFTER_MONTHS = 12


async def stale(ctx: FlowContext, person: Person) -> Outcome:
    """Lists the entries in use that were last checked over 12 months ago, oldest first."""
    cutoff = people.add_months(ctx.today(), -STALE_AFTER_MONTHS)
    rows = await stored.stale_resources(ctx.session, verified_before=cutoff)
    if not rows:
        return Outcome([Reply(texts.STALE_NONE)])
    labels = {category.id: category.label for category in stored.shipped_categories()}
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
    matches = _matching(await stored.active_resources(ctx.session), wanted)
    if not matches:
        return Outcome([Reply(texts.RETIRE_NOT_FOUND.format(name=wanted))])
    if len(matches) > 1:
        names = "; ".join(row.name for row in matches)
        return Outcome([Reply(texts.RETIRE_WHICH.format(name=wanted, names=names))])
    stored.retire(matches[0], now=ctx.now())
    return Outcome([Reply(texts.RETIRE_DONE.format(name=matches[0].name))])


def _matching(rows: list[Resource], wanted: str) -> list[Resource]:
    """The entry named exactly (ignoring case and punctuation), else those containing it."""
    key = normalise(wanted)
    exact = [row for row in rows if normalise(row.name) == key]
    if exact or not key:
        return exact
    return [row for row in rows if f" {key} " in f" {normalise(row.name)} "]


def _fields(text: str) -> dict[str, str] | None:
    """`name=Shelter; phone=0808 800 4444` as a dict; None when a part has no `=`."""
    found: dict[str, str] = {}
    for part in text.replace("\n", ";").split(";"):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep:
            return None
        found[key.strip().lower()] = value.strip()
    return found


async def service(ctx: FlowContext, person: Person, argument: str) -> Outcome:
    """/service add FIELDS or /service edit NAME; FIELDS (supervisors)."""
    action, _, rest = argument.strip().partition(" ")
    if action.lower() == "add":
        return await _add(ctx, rest)
    if action.lower() == "edit":
        name, _, changes = rest.partition(";")
        return await _edit(ctx, name, changes)
    return Outcome([Reply(texts.SERVICE_USAGE)])


async def _add(ctx: FlowContext, rest: str) -> Outcome:
    fields = _fields(rest)
    if not fields:
        return Outcome([Reply(texts.SERVICE_USAGE)])
    return Outcome([Reply((await add_entry(ctx, fields))[1])])


async def add_entry(ctx: FlowContext, fields: dict[str, str]) -> tuple[bool, str]:
    """Adds an entry checked by the import's rules: (added?, what to tell the person).
    The chat's /service add and the dashboard's form both come here."""
    raw = {"verified": ctx.today().isoformat(), "confidence": "verified", **fields}
    entry, reasons = parse_entry(raw, [c.id for c in stored.shipped_categories()])
    if entry is None:
        return False, texts.SERVICE_PROBLEMS.format(problems="; ".join(reasons))
    taken = await ctx.session.scalar(
        select(Resource.id).where(func.lower(Resource.name) == entry.name.lower())
    )
    if taken is not None:
        return False, texts.SERVICE_EXISTS.format(name=entry.name)
    last = await ctx.session.scalar(select(func.max(Resource.position)))
    now = ctx.now()
    ctx.session.add(
        Resource(**asdict(entry), position=(last or 0) + 1, created_at=now, updated_at=now)
    )
    return True, texts.SERVICE_ADDED.format(name=entry.name)


async def _edit(ctx: FlowContext, name: str, changes: str) -> Outcome:
    fields = _fields(changes)
    if not name.strip() or not fields:
        return Outcome([Reply(texts.SERVICE_USAGE)])
    matches = _matching(await stored.active_resources(ctx.session), name)
    if len(matches) != 1:
        found = "; ".join(row.name for row in matches)
        text = (
            texts.RETIRE_WHICH.format(name=name, names=found)
            if matches
            else (texts.RETIRE_NOT_FOUND.format(name=name))
        )
        return Outcome([Reply(text)])
    return Outcome([Reply(edit_entry(ctx, matches[0], fields)[1])])


def edit_entry(
    ctx: FlowContext, row: Resource, fields: Mapping[str, str | None]
) -> tuple[bool, str]:
    """Changes an entry, checked by the import's rules: (changed?, what to tell the person)."""
    current = {k: v for k, v in asdict(stored.to_entry(row)).items() if v is not None}
    # Editing an entry means someone has just checked it.
    raw = {**current, "verified": ctx.today().isoformat(), **fields}
    entry, reasons = parse_entry(raw, [c.id for c in stored.shipped_categories()])
    if entry is None:
        return False, texts.SERVICE_PROBLEMS.format(problems="; ".join(reasons))
    _apply(row, entry)
    row.updated_at = ctx.now()
    return True, texts.SERVICE_EDITED.format(name=row.name)


def _apply(row: Resource, entry: Entry) -> None:
    for key, value in asdict(entry).items():
        setattr(row, key, value)
