"""Adding a goal, step by step: area, what, a first step, by when; then the reminder.

The goal is saved before the reminder question, so someone who stops there keeps their goal.
Free text is held to the length limit with a kind word and the same question again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta

from bot.flows import goal_rhythm, texts
from bot.flows.context import FlowContext
from bot.flows.dates import day_label
from bot.flows.goal_parts import (
    MENTEE_FLOW,
    SKIP,
    SKIP_WORDS,
    Data,
    TooLong,
    area_choices,
    area_name,
    picked,
    picked_area,
    save,
    typed_words,
)
from bot.flows.meetings import parse_day
from bot.flows.types import Choice, InboundMessage, Outcome, Reply, tapped
from bot.storage import conversations, goals, people
from bot.storage.models import Person, Role

WHEN_CHOICES = (
    Choice(texts.GOAL_IN_A_WEEK, "week"),
    Choice(texts.GOAL_IN_A_MONTH, "month"),
    Choice(texts.GOAL_NO_DATE, "none"),
)
_WHEN_WORDS = {"week": "week", "a week": "week", "month": "month", "a month": "month"}
_WHEN_WORDS |= {"no": "none", "none": "none", "no date": "none", "skip": "none"}

Handler = Callable[[FlowContext, Person, Data, InboundMessage], Awaitable[Outcome]]


async def begin(ctx: FlowContext, person: Person, lead: list[Reply]) -> Outcome:
    """Asks which part of life the new goal is about."""
    return await _advance(ctx, person, {}, "area", lead)


def question(ctx: FlowContext, data: Data) -> Reply:
    at, token = data["at"], data["token"]
    if at == "area":
        return Reply(texts.GOAL_ASK_AREA, choices=area_choices(ctx), token=token)
    if at == "what":
        return Reply(texts.GOAL_ASK_WHAT)
    if at == "first_step":
        return Reply(texts.GOAL_ASK_STEP, choices=(Choice(texts.GOAL_SKIP, SKIP),), token=token)
    # The date is asked just after the first step, so it is that step's date when there is one.
    ask = texts.GOAL_ASK_WHEN if data.get("step") else texts.GOAL_ASK_WHEN_GOAL
    return Reply(ask, choices=WHEN_CHOICES, token=token)


async def _advance(
    ctx: FlowContext, person: Person, data: Data, at: str, lead: list[Reply]
) -> Outcome:
    data = await save(ctx, person, MENTEE_FLOW, data, at)
    return Outcome([*lead, question(ctx, data)])


def _reask(ctx: FlowContext, data: Data, why: str) -> Outcome:
    return Outcome([Reply(why), question(ctx, data)])


async def _area(ctx: FlowContext, person: Person, data: Data, message: InboundMessage) -> Outcome:
    domain = picked_area(ctx, message)
    if domain is None:
        return _reask(ctx, data, texts.GOAL_AREA_REASK)
    outcome = await _advance(ctx, person, {"area": domain}, "what", [])
    return tapped(outcome, message, area_name(ctx, domain))


async def _what(ctx: FlowContext, person: Person, data: Data, message: InboundMessage) -> Outcome:
    try:
        title = typed_words(message)
    except TooLong as long:
        return _reask(ctx, data, texts.GOAL_TOO_LONG.format(count=long.count))
    if title is None:
        return _reask(ctx, data, texts.GOAL_WHAT_REASK)
    return await _advance(ctx, person, {**data, "title": title}, "first_step", [])


async def _first_step(
    ctx: FlowContext, person: Person, data: Data, message: InboundMessage
) -> Outcome:
    skipped = picked(message, (Choice(texts.GOAL_SKIP, SKIP),)) == SKIP
    typed = (message.text or "").strip().casefold().rstrip(".!")
    if skipped or (message.choice is None and typed in SKIP_WORDS):
        outcome = await _advance(ctx, person, {**data, "step": None}, "when", [])
        return tapped(outcome, message, texts.GOAL_SKIP)
    try:
        words = typed_words(message)
    except TooLong as long:
        return _reask(ctx, data, texts.GOAL_TOO_LONG.format(count=long.count))
    if words is None:
        return _reask(ctx, data, texts.GOAL_STEP_REASK)
    return await _advance(ctx, person, {**data, "step": words}, "when", [])


def _target(ctx: FlowContext, message: InboundMessage) -> date | str | None:
    """The date chosen, "none" for no date, or None if not understood."""
    value = picked(message, WHEN_CHOICES, _WHEN_WORDS)
    today = ctx.today()
    if value == "week":
        return today + timedelta(days=7)
    if value == "month":
        return people.add_months(today, 1)
    if value is not None or message.choice is not None:
        return value
    return parse_day(message.text or "", today)


async def _when(ctx: FlowContext, person: Person, data: Data, message: InboundMessage) -> Outcome:
    target = _target(ctx, message)
    if target is None:
        return _reask(ctx, data, texts.GOAL_WHEN_REASK)
    target_on = target if isinstance(target, date) else None
    if target_on is not None and target_on < ctx.today():
        return _reask(ctx, data, texts.GOAL_DATE_PAST)
    episode = await people.active_episode(ctx.session, person.id)
    if episode is None:
        await conversations.clear_state(ctx.session, person.id)
        return Outcome([Reply(texts.NO_EPISODE)])
    goal = await goals.add_goal(
        ctx.session,
        person_id=person.id,
        episode_id=episode.id,
        domain=data["area"],
        title=data["title"],
        set_by=(person.id, Role.MENTEE),
        now=ctx.now(),
        steps=[data["step"]] if data.get("step") else [],
        target_on=target_on,
    )
    saved = _sentence(texts.GOAL_SAVED.format(title=goal.title))
    if target_on is not None and data.get("step"):
        step = data["step"].rstrip(".!?")
        saved += " " + texts.GOAL_SAVED_STEP_BY.format(step=step, day=day_label(target_on))
    elif target_on is not None:
        saved += " " + texts.GOAL_SAVED_BY.format(day=day_label(target_on))
    outcome = await goal_rhythm.ask(ctx, person, goal.id, [Reply(saved)])
    label = day_label(target_on) if target_on is not None else texts.GOAL_NO_DATE
    return tapped(outcome, message, label)


def _sentence(text: str) -> str:
    """Ends typed words with a full stop, unless the person ended them already."""
    return text if text.endswith((".", "!", "?")) else text + "."


STEPS: dict[str, Handler] = {
    "area": _area,
    "what": _what,
    "first_step": _first_step,
    "when": _when,
}
