"""Staff set when they read relayed messages (`/hours`), so a mentee knows when to expect them.

`/hours Mon-Fri 09:00-17:00` sets them at once, `/hours off` clears them, and `/hours` alone
asks for the days, then from when, then until when (buttons, or typed). Outside these hours a
message still reaches the mentor at once; only what the mentee is told changes (bot.flows.relay).
"""

from __future__ import annotations

import secrets
from typing import Any

from bot.flows import texts
from bot.flows.context import FlowContext
from bot.flows.hours_rules import (
    Hours,
    describe_days,
    from_stored,
    parse_days,
    parse_hours,
    parse_time,
)
from bot.flows.types import Choice, InboundMessage, Outcome, Reply, tapped
from bot.storage import conversations
from bot.storage.models import Person

FLOW = "hours"
OFF_WORDS = {"off", "none", "clear"}
DAY_CHOICES = (("Mon-Fri", "mon-fri"), ("Mon-Sat", "mon-sat"), (texts.HOURS_EVERY_DAY, "daily"))
FROM_CHOICES = ("08:00", "09:00", "10:00", "12:00")
TO_CHOICES = ("13:00", "17:00", "18:00", "20:00")


async def start(ctx: FlowContext, staff: Person, argument: str) -> Outcome:
    """Sets, clears or asks for the person's hours."""
    words = argument.strip()
    if words.lower() in OFF_WORDS:
        staff.available_hours = None
        await conversations.clear_state(ctx.session, staff.id)
        return Outcome([Reply(texts.HOURS_CLEARED)])
    if words:
        hours = parse_hours(words)
        if hours is None:
            return Outcome([Reply(texts.HOURS_USAGE)])
        return _save(staff, hours)
    current = from_stored(staff.available_hours)
    lead = [Reply(texts.HOURS_NOW.format(hours=current.describe()))] if current else []
    outcome = await _ask(ctx, staff, "days", {})
    outcome.replies[:0] = lead
    return outcome


def _save(staff: Person, hours: Hours) -> Outcome:
    staff.available_hours = hours.stored()
    return Outcome([Reply(texts.HOURS_SAVED.format(hours=hours.describe()))])


async def _ask(ctx: FlowContext, staff: Person, step_name: str, data: dict[str, Any]) -> Outcome:
    token = secrets.token_hex(3)
    await conversations.save_state(
        ctx.session,
        person_id=staff.id,
        flow=FLOW,
        step=step_name,
        data={**data, "step": step_name, "token": token},
        now=ctx.now(),
    )
    if step_name == "days":
        choices = tuple(Choice(label, value) for label, value in DAY_CHOICES)
        return Outcome([Reply(texts.HOURS_ASK_DAYS, choices=choices, token=token)])
    question, offered = (
        (texts.HOURS_ASK_FROM, FROM_CHOICES)
        if step_name == "from"
        else (texts.HOURS_ASK_TO, TO_CHOICES)
    )
    choices = tuple(Choice(at, at) for at in offered)
    return Outcome([Reply(question, choices=choices, token=token)])


def _answer(message: InboundMessage) -> str:
    return (message.choice or message.text or "").strip()


async def _reask(
    ctx: FlowContext, staff: Person, step_name: str, data: dict[str, Any], said: str
) -> Outcome:
    outcome = await _ask(ctx, staff, step_name, data)
    outcome.replies.insert(0, Reply(said))
    return outcome


async def step(
    ctx: FlowContext, staff: Person, data: dict[str, Any], message: InboundMessage
) -> Outcome:
    """Takes the days, then the start, then the end, and saves them."""
    if message.choice is not None and message.token != data["token"]:
        return Outcome(stale_tap=True)
    answer = _answer(message)
    kept = {key: value for key, value in data.items() if key not in ("step", "token")}
    if data["step"] == "days":
        days = parse_days(answer)
        if days is None:
            return await _reask(ctx, staff, "days", kept, texts.HOURS_DAYS_REASK)
        outcome = await _ask(ctx, staff, "from", {"days": list(days)})
        return tapped(outcome, message, describe_days(days))
    at = parse_time(answer)
    if at is None:
        return await _reask(ctx, staff, data["step"], kept, texts.HOURS_TIME_REASK)
    if data["step"] == "from":
        outcome = await _ask(ctx, staff, "to", {**kept, "from": f"{at:%H:%M}"})
        return tapped(outcome, message, answer)
    hours = from_stored({**kept, "to": f"{at:%H:%M}"})
    if hours is None:
        said = texts.HOURS_END_REASK.format(start=kept["from"])
        return await _reask(ctx, staff, "to", kept, said)
    await conversations.clear_state(ctx.session, staff.id)
    return tapped(_save(staff, hours), message, answer)
