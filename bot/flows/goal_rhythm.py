"""How often a goal is brought up: none, daily, weekly on a day, or once on a date; and when.

Asked as the last step of adding a goal (and after accepting one a mentor suggested), and again
from /goals with "Change reminder". Only the rule is stored on the goal; the scheduler turns it
into messages. Times are local and kept outside quiet hours, as for the check-in prompt. The
day and the time offer Back to the question before; how often does not, as it is reached from
several places and the goal is already saved.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from bot.flows import asked, texts
from bot.flows.context import FlowContext
from bot.flows.dates import day_label
from bot.flows.goal_parts import MENTEE_FLOW, GoalsState, after_choices, move, synonyms
from bot.flows.meetings import parse_day
from bot.flows.preferences import DAY_NAMES, EARLIEST, LATEST, TIME_CHOICES
from bot.flows.types import Outcome, tapped
from bot.messages import Choice, InboundMessage, Reply
from bot.questions import asking
from bot.questions.asking import Kind, Question
from bot.questions.state import new_token
from bot.questions.vocabulary import fold, read_time, read_weekday
from bot.storage import conversations, goals
from bot.storage.models import GoalRhythm, Person

RHYTHM_CHOICES = (
    Choice(texts.GOAL_RHYTHM_NONE, GoalRhythm.NONE.value),
    Choice(texts.GOAL_RHYTHM_DAILY, GoalRhythm.DAILY.value),
    Choice(texts.GOAL_RHYTHM_WEEKLY, GoalRhythm.WEEKLY.value),
    Choice(texts.GOAL_RHYTHM_ONCE, GoalRhythm.ONCE.value),
)
RHYTHM_WORDS = {
    "no": "none",
    "none": "none",
    "never": "none",
    "no thanks": "none",
    "daily": "daily",
    "every day": "daily",
    "weekly": "weekly",
    "week": "weekly",
    "once": "once",
    "date": "once",
}
DAY_CHOICES = tuple(Choice(name[:3], str(n)) for n, name in enumerate(DAY_NAMES, start=1))
TIME_CHOICE_LIST = tuple(Choice(label, f"{at:%H:%M}") for label, at in TIME_CHOICES)
_PARTS_OF_DAY = {label.split()[0]: at for label, at in TIME_CHOICES}  # as the buttons say
_AFTER_RHYTHM = {
    GoalRhythm.DAILY: "time",
    GoalRhythm.WEEKLY: "weekday",
    GoalRhythm.ONCE: "remind_on",
}

Handler = Callable[[FlowContext, Person, GoalsState, InboundMessage], Awaitable[Outcome]]


async def ask(ctx: FlowContext, person: Person, goal_id: int, lead: list[Reply]) -> Outcome:
    """Asks how often to bring this goal up; the goal itself is already saved."""
    state = GoalsState(at="rhythm", token=new_token(), goal=goal_id)
    return await _advance(ctx, person, state, "rhythm", lead)


def question(ctx: FlowContext, state: GoalsState) -> Question:
    if state.at == "rhythm":
        return Question(texts.GOAL_ASK_RHYTHM, RHYTHM_CHOICES, read_words=synonyms(RHYTHM_WORDS))
    if state.at == "weekday":
        return Question(texts.GOAL_ASK_WEEKDAY, DAY_CHOICES, read_words=_weekday_words, back=True)
    if state.at == "remind_on":
        choices = _date_choices(ctx)
        reader = after_choices(choices, lambda text: _iso(parse_day(text, ctx.today())))
        return Question(texts.GOAL_ASK_REMIND_DATE, choices, read_words=reader, back=True)
    reader = after_choices(TIME_CHOICE_LIST, _time_words)
    return Question(texts.GOAL_ASK_REMIND_TIME, TIME_CHOICE_LIST, read_words=reader, back=True)


def _date_choices(ctx: FlowContext) -> tuple[Choice, ...]:
    today = ctx.today()
    return (
        Choice(texts.GOAL_TOMORROW, (today + timedelta(days=1)).isoformat()),
        Choice(texts.GOAL_IN_A_WEEK, (today + timedelta(days=7)).isoformat()),
    )


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _weekday_words(text: str) -> str | None:
    """A day by the start of its name ("thu") or in the shared vocabulary ("weds")."""
    typed = fold(text)
    days = [n for n, name in enumerate(DAY_NAMES, start=1) if name.casefold().startswith(typed)]
    weekday = read_weekday(typed)
    if len(days) != 1 and weekday is not None:
        days = [weekday + 1]
    return str(days[0]) if len(typed) >= 2 and len(days) == 1 else None


def _time_words(text: str) -> str | None:
    """A time in the shared vocabulary (7pm, 9.30, morning), even in quiet hours: the step
    says which hours it may be, rather than not understanding."""
    chosen = read_time(text, _PARTS_OF_DAY)
    return None if chosen is None else f"{chosen:%H:%M}"


async def _advance(
    ctx: FlowContext, person: Person, state: GoalsState, at: str, lead: list[Reply]
) -> Outcome:
    state = await move(ctx, person, MENTEE_FLOW, state, at)
    return Outcome([*lead, asking.ask(question(ctx, state), state.token)])


def _reask(ctx: FlowContext, state: GoalsState, why: str) -> Outcome:
    return Outcome([Reply(why), asking.ask(question(ctx, state), state.token)])


async def _rhythm(
    ctx: FlowContext, person: Person, state: GoalsState, message: InboundMessage
) -> Outcome:
    ask = question(ctx, state)
    got = await asked.answer(ctx, person, ask, message, state.token)
    if isinstance(got, Outcome):
        return got
    rhythm = GoalRhythm(got.value or GoalRhythm.NONE.value)
    state = replace(state, rhythm=rhythm.value, weekday=None, on=None)
    if rhythm is GoalRhythm.NONE:
        outcome = await _store(ctx, person, state, None)
    else:
        outcome = await _advance(ctx, person, state, _AFTER_RHYTHM[rhythm], [])
    return tapped(outcome, message, got.label(ask))


async def _back(
    ctx: FlowContext, person: Person, state: GoalsState, message: InboundMessage
) -> Outcome:
    before = "rhythm"
    if state.at == "time" and state.rhythm != GoalRhythm.DAILY.value:
        before = "weekday" if state.rhythm == GoalRhythm.WEEKLY.value else "remind_on"
    outcome = await _advance(ctx, person, state, before, [])
    return tapped(outcome, message, texts.BACK_LABEL)


async def _weekday(
    ctx: FlowContext, person: Person, state: GoalsState, message: InboundMessage
) -> Outcome:
    got = await asked.answer(ctx, person, question(ctx, state), message, state.token)
    if isinstance(got, Outcome):
        return got
    if got.kind is Kind.BACK:
        return await _back(ctx, person, state, message)
    day = int(got.value or 1)
    outcome = await _advance(ctx, person, replace(state, weekday=day), "time", [])
    return tapped(outcome, message, DAY_NAMES[day - 1])


async def _remind_on(
    ctx: FlowContext, person: Person, state: GoalsState, message: InboundMessage
) -> Outcome:
    got = await asked.answer(ctx, person, question(ctx, state), message, state.token)
    if isinstance(got, Outcome):
        return got
    if got.kind is Kind.BACK:
        return await _back(ctx, person, state, message)
    day = date.fromisoformat(got.value or "")
    if day < ctx.today():
        return _reask(ctx, state, texts.GOAL_DATE_PAST)
    outcome = await _advance(ctx, person, replace(state, on=day.isoformat()), "time", [])
    return tapped(outcome, message, day_label(day))


async def _time(
    ctx: FlowContext, person: Person, state: GoalsState, message: InboundMessage
) -> Outcome:
    got = await asked.answer(ctx, person, question(ctx, state), message, state.token)
    if isinstance(got, Outcome):
        return got
    if got.kind is Kind.BACK:
        return await _back(ctx, person, state, message)
    at = time.fromisoformat(got.value or "")
    if not EARLIEST <= at <= LATEST:
        return _reask(ctx, state, texts.GOAL_TIME_REASK)
    on = state.on
    if on is not None and datetime.combine(date.fromisoformat(on), at, ctx.zone) <= ctx.now():
        return _reask(ctx, state, texts.GOAL_TIME_PAST)
    return tapped(await _store(ctx, person, state, at), message, f"{at:%H:%M}")


async def _store(ctx: FlowContext, person: Person, state: GoalsState, at: time | None) -> Outcome:
    """Saves the rule on the goal (if it is still the person's) and says what will happen."""
    await conversations.clear_state(ctx.session, person.id)
    goal = await goals.goal_of(ctx.session, person.id, state.goal or 0)
    if goal is None:
        return Outcome([Reply(texts.GOAL_GONE)])
    rhythm = GoalRhythm(state.rhythm or GoalRhythm.NONE.value)
    on = date.fromisoformat(state.on) if state.on else None
    weekday = state.weekday
    goals.set_rhythm(goal, rhythm, now=ctx.now(), weekday=weekday, on=on, at=at)
    if at is None:
        return Outcome([Reply(texts.GOAL_REMIND_NONE_SAVED)])
    when = f"{at:%H:%M}"
    if rhythm is GoalRhythm.DAILY:
        text = texts.GOAL_REMIND_DAILY_SAVED.format(time=when)
    elif rhythm is GoalRhythm.WEEKLY:
        assert weekday is not None
        text = texts.GOAL_REMIND_WEEKLY_SAVED.format(day=DAY_NAMES[weekday - 1], time=when)
    else:
        assert on is not None
        text = texts.GOAL_REMIND_ONCE_SAVED.format(day=day_label(on), time=when)
    return Outcome([Reply(text)])


STEPS: dict[str, Handler] = {
    "rhythm": _rhythm,
    "weekday": _weekday,
    "remind_on": _remind_on,
    "time": _time,
}
