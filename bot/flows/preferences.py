"""The weekly check-in prompt: which day and time suit the mentee (`/settings`).

Asked once after the first full check, so the prompt arrives when the person has said it
suits them rather than when the software happens to run. Times are local and kept outside
quiet hours. Both questions are asked by the question engine; Back at the time returns to the
day.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import time
from typing import Any

from bot.flows import asked, texts
from bot.flows.context import FlowContext
from bot.flows.types import Answered, Outcome
from bot.messages import Choice, InboundMessage, Reply
from bot.questions import asking
from bot.questions.asking import Kind, Question
from bot.questions.state import FlowState, new_token
from bot.questions.vocabulary import read_choice, read_time, read_weekday
from bot.storage import conversations
from bot.storage.models import Person

FLOW = "settings"
DAY, TIME = "day", "time"
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TIME_CHOICES = (
    (texts.TIME_MORNING, time(10)),
    (texts.TIME_AFTERNOON, time(14)),
    (texts.TIME_EVENING, time(18)),
)
EARLIEST, LATEST = time(8), time(20, 59)  # the check-in never wakes anyone


@dataclass(frozen=True)
class SettingsState(FlowState):
    """Which of the two questions is open, and the day once given (kept on going back)."""

    token: str
    step: str = DAY
    day: int | None = None


def _weekday(text: str) -> str | None:
    weekday = read_weekday(text)
    return None if weekday is None else str(weekday + 1)


DAY_QUESTION = Question(
    prompt=texts.ASK_CHECKIN_DAY,
    choices=tuple(Choice(name[:3], str(n)) for n, name in enumerate(DAY_NAMES, start=1)),
    read_words=_weekday,
)
_TIME_LABELS = tuple(label for label, _at in TIME_CHOICES)


def _time(text: str) -> str | None:
    """Any time of day, once the choices had their turn ("1" is the morning, not 13:00)."""
    if read_choice(text, _TIME_LABELS) is not None:
        return None  # a choice's number or words: the engine reads it against the choices
    at = read_time(text, {label.split()[0]: at for label, at in TIME_CHOICES})
    return None if at is None else f"{at:%H:%M}"


TIME_QUESTION = Question(
    prompt=texts.ASK_CHECKIN_TIME,
    choices=tuple(Choice(label, f"{at:%H:%M}") for label, at in TIME_CHOICES),
    read_words=_time,
    back=True,
)


async def start(ctx: FlowContext, person: Person) -> Outcome:
    """Asks which day suits the person for the weekly check-in."""
    return await _ask(ctx, person, SettingsState(new_token()))


async def _ask(ctx: FlowContext, person: Person, state: SettingsState) -> Outcome:
    await conversations.save_state(
        ctx.session,
        person_id=person.id,
        flow=FLOW,
        step=state.step,
        data=state.dump(),
        now=ctx.now(),
    )
    question = DAY_QUESTION if state.step == DAY else TIME_QUESTION
    return Outcome([asking.ask(question, state.token)])


async def step(
    ctx: FlowContext, person: Person, data: dict[str, Any], message: InboundMessage
) -> Outcome:
    """Takes the day, then the time (Back returns to the day), then saves both."""
    state = SettingsState.load(data)
    day = state.day if state.step == TIME else None
    question = DAY_QUESTION if day is None else TIME_QUESTION
    got = await asked.answer(ctx, person, question, message, state.token)
    if isinstance(got, Outcome):
        return got
    label = got.label(question)
    if got.kind is Kind.BACK:
        outcome = await _ask(ctx, person, replace(state, step=DAY, token=new_token()))
    elif day is None:
        chosen = int(got.value or 0)
        outcome = await _ask(ctx, person, SettingsState(new_token(), TIME, chosen))
        label = DAY_NAMES[chosen - 1]
    else:
        at = time.fromisoformat(got.value or "")
        if not EARLIEST <= at <= LATEST:
            return Outcome([Reply(texts.SETTINGS_TIME_OUTSIDE), asking.ask(question, state.token)])
        person.checkin_weekday, person.checkin_time = day, at
        await conversations.clear_state(ctx.session, person.id)
        saved = texts.SETTINGS_SAVED.format(day=DAY_NAMES[day - 1], time=f"{at:%H:%M}")
        outcome = Outcome([Reply(saved)])
    if message.choice is not None:
        outcome.answered = Answered(label)
    return outcome
