"""Staff set when they read relayed messages (`/hours`), so a mentee knows when to expect them.

`/hours Mon-Fri 09:00-17:00` sets them at once, `/hours off` clears them, and `/hours` alone
asks for the days, then from when, then until when (buttons, or typed), each question asked and
read by the question engine; Back goes to the step before, keeping what was chosen. Outside
these hours a message still reaches the mentor at once; only what the mentee is told changes
(bot.flows.relay).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Self

from bot.flows import asked, texts
from bot.flows.context import FlowContext
from bot.flows.hours_rules import (
    Hours,
    describe_days,
    from_stored,
    parse_days,
    parse_hours,
    parse_time,
)
from bot.flows.types import Outcome, tapped
from bot.messages import Choice, InboundMessage, Reply
from bot.questions import asking
from bot.questions.asking import Kind, Question
from bot.questions.state import FlowState, new_token
from bot.storage import conversations
from bot.storage.models import Person

FLOW = "hours"
OFF_WORDS = {"off", "none", "clear"}
DAY_CHOICES = (("Mon-Fri", "mon-fri"), ("Mon-Sat", "mon-sat"), (texts.HOURS_EVERY_DAY, "daily"))
FROM_CHOICES = ("08:00", "09:00", "10:00", "12:00")
TO_CHOICES = ("13:00", "17:00", "18:00", "20:00")
DAYS, FROM, TO = "days", "from", "to"
_BEFORE = {FROM: DAYS, TO: FROM}


@dataclass(frozen=True)
class HoursState(FlowState):
    """The question being asked and what was chosen before it."""

    step: str
    token: str
    days: list[int] | None = None
    start: str | None = None  # "HH:MM"; stored as "from" by the code before the engine

    @classmethod
    def load(cls, data: dict[str, Any]) -> Self:
        if "from" in data:
            data = {**data, "start": data["from"]}
        return super().load(data)


def _typed_days(text: str) -> str | None:
    return text if parse_days(text) is not None else None


def _typed_time(text: str) -> str | None:
    return text if parse_time(text) is not None else None


def question(step_name: str) -> Question:
    """Days first; then from and until, each with Back to the one before."""
    if step_name == DAYS:
        return Question(
            texts.HOURS_ASK_DAYS,
            choices=tuple(Choice(label, value) for label, value in DAY_CHOICES),
            read_words=_typed_days,
        )
    prompt, offered = (
        (texts.HOURS_ASK_FROM, FROM_CHOICES)
        if step_name == FROM
        else (texts.HOURS_ASK_TO, TO_CHOICES)
    )
    return Question(
        prompt,
        choices=tuple(Choice(at, at) for at in offered),
        read_words=_typed_time,
        back=True,
    )


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
    return await _ask(ctx, staff, HoursState(DAYS, ""), lead)


def _save(staff: Person, hours: Hours) -> Outcome:
    staff.available_hours = hours.stored()
    return Outcome([Reply(texts.HOURS_SAVED.format(hours=hours.describe()))])


async def _ask(ctx: FlowContext, staff: Person, state: HoursState, lead: list[Reply]) -> Outcome:
    state = HoursState(state.step, new_token(), state.days, state.start)
    await conversations.save_state(
        ctx.session,
        person_id=staff.id,
        flow=FLOW,
        step=state.step,
        data=state.dump(),
        now=ctx.now(),
    )
    return Outcome([*lead, asking.ask(question(state.step), state.token)])


async def step(
    ctx: FlowContext, staff: Person, data: dict[str, Any], message: InboundMessage
) -> Outcome:
    """Takes the days, then the start, then the end, and saves them."""
    state = HoursState.load(data)
    asking_now = question(state.step)
    got = await asked.answer(ctx, staff, asking_now, message, state.token)
    if isinstance(got, Outcome):
        return got
    label = got.label(asking_now) or (got.value or "")
    if got.kind is Kind.BACK:
        earlier = HoursState(_BEFORE[state.step], "", state.days, state.start)
        return tapped(await _ask(ctx, staff, earlier, []), message, label)
    if state.step == DAYS:
        days = parse_days(got.value or "")
        assert days is not None  # read by _typed_days, or a listed choice
        outcome = await _ask(ctx, staff, HoursState(FROM, "", list(days)), [])
        return tapped(outcome, message, describe_days(days))
    at = parse_time(got.value or "")
    assert at is not None  # read by _typed_time, or a listed choice
    if state.step == FROM:
        outcome = await _ask(ctx, staff, HoursState(TO, "", state.days, f"{at:%H:%M}"), [])
        return tapped(outcome, message, label)
    hours = from_stored({"days": state.days, "from": state.start, "to": f"{at:%H:%M}"})
    if hours is None:
        said = Reply(texts.HOURS_END_REASK.format(start=state.start))
        return await _ask(ctx, staff, state, [said])
    await conversations.clear_state(ctx.session, staff.id)
    return tapped(_save(staff, hours), message, label)
