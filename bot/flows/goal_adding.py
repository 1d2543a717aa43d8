"""Adding a goal, step by step: area, what, a first step, by when; then the reminder.

Each question offers Back to the one before, keeping what was given, so a slip at the date
does not mean typing the goal again. The goal is saved before the reminder question, so
someone who stops there keeps their goal (and the reminder question has no Back: the goal is
already on their list). Free text is held to the length limit with a kind word and the same
question again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date, timedelta

from bot.flows import asked, goal_rhythm, texts
from bot.flows.context import FlowContext
from bot.flows.dates import day_label
from bot.flows.goal_parts import (
    MENTEE_FLOW,
    SKIP,
    GoalsState,
    TooLong,
    Words,
    area_choices,
    area_words,
    in_own_words,
    move,
    synonyms,
    words_answer,
)
from bot.flows.meetings import parse_day
from bot.flows.types import Outcome, tapped
from bot.messages import Choice, InboundMessage, Reply
from bot.questions import asking
from bot.questions.asking import Kind, Question, Read
from bot.questions.state import new_token
from bot.questions.vocabulary import Control, read_choice, read_control, read_yes_no
from bot.storage import conversations, goals, people
from bot.storage.models import Person, Role

WHEN_CHOICES = (
    Choice(texts.GOAL_IN_A_WEEK, "week"),
    Choice(texts.GOAL_IN_A_MONTH, "month"),
    Choice(texts.GOAL_NO_DATE, "none"),
)
_WHEN_WORDS = {"week": "week", "a week": "week", "month": "month", "a month": "month"}
_WHEN_WORDS |= {"no": "none", "none": "none", "no date": "none", "skip": "none"}
# Ways of saying "no first step" beyond the shared skip words and a plain no.
_NO_STEP_WORDS = {"none": SKIP, "not now": SKIP, "no step": SKIP}
_SKIPS = (Control.SKIP, Control.PREFER_NOT)
SKIP_CHOICE = (Choice(texts.GOAL_SKIP, SKIP),)
_BEFORE = {"what": "area", "first_step": "what", "when": "first_step"}

Handler = Callable[[FlowContext, Person, GoalsState, InboundMessage], Awaitable[Outcome]]


async def begin(ctx: FlowContext, person: Person, lead: list[Reply]) -> Outcome:
    """Asks which part of life the new goal is about."""
    state = GoalsState(at="area", token=new_token())
    return await _advance(ctx, person, state, "area", lead)


def read_skip(text: str) -> str | None:
    """Typed words that mean "no first step": skip, pass, no, not now."""
    if read_control(text) in _SKIPS or read_yes_no(text) is False:
        return SKIP
    return synonyms(_NO_STEP_WORDS)(text)


def question(ctx: FlowContext, state: GoalsState) -> Question:
    if state.at == "area":
        return Question(texts.GOAL_ASK_AREA, area_choices(ctx), read_words=area_words(ctx))
    if state.at == "what":
        return in_own_words(texts.GOAL_ASK_WHAT, state.title)
    if state.at == "first_step":
        return in_own_words(texts.GOAL_ASK_STEP, state.step, SKIP_CHOICE, read_skip)
    # The date is asked just after the first step, so it is that step's date when there is one.
    prompt = texts.GOAL_ASK_WHEN if state.step else texts.GOAL_ASK_WHEN_GOAL
    return Question(prompt, WHEN_CHOICES, read_words=_when_words(ctx), back=True)


def _when_words(ctx: FlowContext) -> Callable[[str], str | None]:
    """ "a week", "no date", or a day (Friday, 14/3) as an ISO date; a number is a choice's."""

    def read(text: str) -> str | None:
        if read_choice(text, [choice.label for choice in WHEN_CHOICES]) is not None:
            return None  # the engine reads the choice
        named = synonyms(_WHEN_WORDS)(text)
        day = None if named is not None else parse_day(text, ctx.today())
        return named if day is None else day.isoformat()

    return read


async def _advance(
    ctx: FlowContext, person: Person, state: GoalsState, at: str, lead: list[Reply]
) -> Outcome:
    state = await move(ctx, person, MENTEE_FLOW, state, at)
    return Outcome([*lead, asking.ask(question(ctx, state), state.token)])


def _reask(ctx: FlowContext, state: GoalsState, why: str) -> Outcome:
    return Outcome([Reply(why), asking.ask(question(ctx, state), state.token)])


async def _back(
    ctx: FlowContext, person: Person, state: GoalsState, message: InboundMessage
) -> Outcome:
    outcome = await _advance(ctx, person, state, _BEFORE[state.at], [])
    return tapped(outcome, message, texts.BACK_LABEL)


async def _area(
    ctx: FlowContext, person: Person, state: GoalsState, message: InboundMessage
) -> Outcome:
    ask = question(ctx, state)
    got = await asked.answer(ctx, person, ask, message, state.token)
    if isinstance(got, Outcome):
        return got
    state = replace(state, area=got.value)
    return tapped(await _advance(ctx, person, state, "what", []), message, got.label(ask))


async def _typed(
    ctx: FlowContext, state: GoalsState, message: InboundMessage, unclear: str
) -> Read | Words | Outcome:
    """Own words at this step, a choice, or the reply when the words are too long or missing."""
    try:
        got = words_answer(question(ctx, state), message, state.token)
    except TooLong as long:
        return _reask(ctx, state, texts.GOAL_TOO_LONG.format(count=long.count))
    if isinstance(got, Read) and got.kind is Kind.UNCLEAR:
        return _reask(ctx, state, unclear)
    return got


async def _what(
    ctx: FlowContext, person: Person, state: GoalsState, message: InboundMessage
) -> Outcome:
    got = await _typed(ctx, state, message, texts.GOAL_WHAT_REASK)
    if isinstance(got, Outcome):
        return got
    if isinstance(got, Words):
        return await _advance(ctx, person, replace(state, title=got.text), "first_step", [])
    if got.kind is Kind.BACK:
        return await _back(ctx, person, state, message)
    outcome = await _advance(ctx, person, state, "first_step", [])  # the words kept
    return tapped(outcome, message, texts.GOAL_KEEP)


async def _first_step(
    ctx: FlowContext, person: Person, state: GoalsState, message: InboundMessage
) -> Outcome:
    got = await _typed(ctx, state, message, texts.GOAL_STEP_REASK)
    if isinstance(got, Outcome):
        return got
    if isinstance(got, Words):
        return await _advance(ctx, person, replace(state, step=got.text), "when", [])
    if got.kind is Kind.BACK:
        return await _back(ctx, person, state, message)
    skipped = got.value == SKIP
    if skipped:
        state = replace(state, step=None)
    outcome = await _advance(ctx, person, state, "when", [])
    return tapped(outcome, message, texts.GOAL_SKIP if skipped else texts.GOAL_KEEP)


def _target(ctx: FlowContext, value: str) -> date | None:
    """The date a chosen or typed answer means; None for no date."""
    today = ctx.today()
    if value == "week":
        return today + timedelta(days=7)
    if value == "month":
        return people.add_months(today, 1)
    return None if value == "none" else date.fromisoformat(value)


async def _when(
    ctx: FlowContext, person: Person, state: GoalsState, message: InboundMessage
) -> Outcome:
    got = await asked.answer(ctx, person, question(ctx, state), message, state.token)
    if isinstance(got, Outcome):
        return got
    if got.kind is Kind.BACK:
        return await _back(ctx, person, state, message)
    target_on = _target(ctx, got.value or "none")
    if target_on is not None and target_on < ctx.today():
        return _reask(ctx, state, texts.GOAL_DATE_PAST)
    episode = await people.active_episode(ctx.session, person.id)
    if episode is None:
        await conversations.clear_state(ctx.session, person.id)
        return Outcome([Reply(texts.NO_EPISODE)])
    goal = await goals.add_goal(
        ctx.session,
        person_id=person.id,
        episode_id=episode.id,
        domain=state.area or "",
        title=state.title or "",
        set_by=(person.id, Role.MENTEE),
        now=ctx.now(),
        steps=[state.step] if state.step else [],
        target_on=target_on,
    )
    saved = _sentence(texts.GOAL_SAVED.format(title=goal.title))
    if target_on is not None and state.step:
        step = state.step.rstrip(".!?")
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
