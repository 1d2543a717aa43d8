"""How often a goal is brought up: none, daily, weekly on a day, or once on a date; and when.

Asked as the last step of adding a goal (and after accepting one a mentor suggested), and again
from /goals with "Change reminder". Only the rule is stored on the goal; the scheduler turns it
into messages. Times are local and kept outside quiet hours, as for the check-in prompt.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta

from bot.flows import texts
from bot.flows.context import FlowContext
from bot.flows.dates import day_label
from bot.flows.goal_parts import MENTEE_FLOW, Data, picked, save
from bot.flows.meetings import parse_day
from bot.flows.preferences import DAY_NAMES, EARLIEST, LATEST, TIME_CHOICES
from bot.flows.types import Choice, InboundMessage, Outcome, Reply, tapped
from bot.questions.vocabulary import read_time, read_weekday
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
_TIME_WORDS = {label.split()[0].casefold(): f"{at:%H:%M}" for label, at in TIME_CHOICES}
_PARTS_OF_DAY = {label.split()[0]: at for label, at in TIME_CHOICES}  # as the buttons say

Handler = Callable[[FlowContext, Person, Data, InboundMessage], Awaitable[Outcome]]


async def ask(ctx: FlowContext, person: Person, goal_id: int, lead: list[Reply]) -> Outcome:
    """Asks how often to bring this goal up; the goal itself is already saved."""
    data = await save(ctx, person, MENTEE_FLOW, {"goal": goal_id}, "rhythm")
    return Outcome([*lead, question(ctx, data)])


def question(ctx: FlowContext, data: Data) -> Reply:
    at, token = data["at"], data["token"]
    if at == "rhythm":
        return Reply(texts.GOAL_ASK_RHYTHM, choices=RHYTHM_CHOICES, token=token)
    if at == "weekday":
        return Reply(texts.GOAL_ASK_WEEKDAY, choices=DAY_CHOICES, token=token)
    if at == "remind_on":
        return Reply(texts.GOAL_ASK_REMIND_DATE, choices=_date_choices(ctx), token=token)
    return Reply(texts.GOAL_ASK_REMIND_TIME, choices=TIME_CHOICE_LIST, token=token)


def _date_choices(ctx: FlowContext) -> tuple[Choice, ...]:
    today = ctx.today()
    return (
        Choice(texts.GOAL_TOMORROW, (today + timedelta(days=1)).isoformat()),
        Choice(texts.GOAL_IN_A_WEEK, (today + timedelta(days=7)).isoformat()),
    )


async def _reask(ctx: FlowContext, data: Data, why: str) -> Outcome:
    return Outcome([Reply(why), question(ctx, data)])


async def _rhythm(
    ctx: FlowContext, person: Person, data: Data, message: InboundMessage
) -> Outcome:
    value = picked(message, RHYTHM_CHOICES, RHYTHM_WORDS)
    if value is None:
        return await _reask(ctx, data, texts.GOAL_RHYTHM_REASK)
    label = next(choice.label for choice in RHYTHM_CHOICES if choice.value == value)
    rhythm = GoalRhythm(value)
    if rhythm is GoalRhythm.NONE:
        return tapped(await _store(ctx, person, {**data, "rhythm": value}, None), message, label)
    at = {GoalRhythm.DAILY: "time", GoalRhythm.WEEKLY: "weekday", GoalRhythm.ONCE: "remind_on"}
    data = await save(ctx, person, MENTEE_FLOW, {**data, "rhythm": value}, at[rhythm])
    return tapped(Outcome([question(ctx, data)]), message, label)


async def _weekday(
    ctx: FlowContext, person: Person, data: Data, message: InboundMessage
) -> Outcome:
    value = picked(message, DAY_CHOICES)
    typed = (message.text or "").strip().casefold()
    if value is None and len(typed) >= 2 and message.choice is None:
        days = [
            n for n, name in enumerate(DAY_NAMES, start=1) if name.casefold().startswith(typed)
        ]
        weekday = read_weekday(typed)
        if len(days) != 1 and weekday is not None:
            days = [weekday + 1]
        value = str(days[0]) if len(days) == 1 else None
    if value is None:
        return await _reask(ctx, data, texts.GOAL_WEEKDAY_REASK)
    data = await save(ctx, person, MENTEE_FLOW, {**data, "weekday": int(value)}, "time")
    return tapped(Outcome([question(ctx, data)]), message, DAY_NAMES[int(value) - 1])


async def _remind_on(
    ctx: FlowContext, person: Person, data: Data, message: InboundMessage
) -> Outcome:
    day = parse_day(message.choice or message.text or "", ctx.today())
    if day is None:
        return await _reask(ctx, data, texts.GOAL_REMIND_DATE_REASK)
    if day < ctx.today():
        return await _reask(ctx, data, texts.GOAL_DATE_PAST)
    data = await save(ctx, person, MENTEE_FLOW, {**data, "on": day.isoformat()}, "time")
    return tapped(Outcome([question(ctx, data)]), message, day_label(day))


def parse_time(message: InboundMessage) -> time | None:
    """A tapped time, its number, or a time in the shared vocabulary (7pm, 9.30, morning),
    outside quiet hours."""
    value = picked(message, TIME_CHOICE_LIST, _TIME_WORDS)
    chosen = read_time(value or message.text or "", _PARTS_OF_DAY)
    return chosen if chosen is not None and EARLIEST <= chosen <= LATEST else None


async def _time(ctx: FlowContext, person: Person, data: Data, message: InboundMessage) -> Outcome:
    at = parse_time(message)
    if at is None:
        return await _reask(ctx, data, texts.GOAL_TIME_REASK)
    on = data.get("on")
    if on is not None and datetime.combine(date.fromisoformat(on), at, ctx.zone) <= ctx.now():
        return await _reask(ctx, data, texts.GOAL_TIME_PAST)
    return tapped(await _store(ctx, person, data, at), message, f"{at:%H:%M}")


async def _store(ctx: FlowContext, person: Person, data: Data, at: time | None) -> Outcome:
    """Saves the rule on the goal (if it is still the person's) and says what will happen."""
    await conversations.clear_state(ctx.session, person.id)
    goal = await goals.goal_of(ctx.session, person.id, data["goal"])
    if goal is None:
        return Outcome([Reply(texts.GOAL_GONE)])
    rhythm = GoalRhythm(data["rhythm"])
    on = date.fromisoformat(data["on"]) if data.get("on") else None
    weekday: int | None = data.get("weekday")
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
