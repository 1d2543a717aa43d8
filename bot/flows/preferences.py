"""The weekly check-in prompt: which day and time suit the mentee (`/settings`).

Asked once after the first full check, so the prompt arrives when the person has said it
suits them rather than when the software happens to run. Times are local and kept outside
quiet hours.
"""

from __future__ import annotations

import secrets
from datetime import time
from typing import Any

from bot.flows import texts
from bot.flows.context import FlowContext
from bot.flows.types import Answered, Choice, InboundMessage, Outcome, Reply
from bot.questions.vocabulary import read_time, read_weekday
from bot.storage import conversations
from bot.storage.models import Person

FLOW = "settings"
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TIME_CHOICES = (
    (texts.TIME_MORNING, time(10)),
    (texts.TIME_AFTERNOON, time(14)),
    (texts.TIME_EVENING, time(18)),
)
EARLIEST, LATEST = time(8), time(20, 59)  # the check-in never wakes anyone


async def start(ctx: FlowContext, person: Person) -> Outcome:
    """Asks which day suits the person for the weekly check-in."""
    return await _ask(ctx, person, "day", {})


async def _ask(ctx: FlowContext, person: Person, step: str, data: dict[str, Any]) -> Outcome:
    token = secrets.token_hex(3)
    await conversations.save_state(
        ctx.session,
        person_id=person.id,
        flow=FLOW,
        step=step,
        data={**data, "step": step, "token": token},
        now=ctx.now(),
    )
    if step == "day":
        choices = tuple(Choice(name[:3], str(n)) for n, name in enumerate(DAY_NAMES, start=1))
        return Outcome([Reply(texts.ASK_CHECKIN_DAY, choices=choices, token=token)])
    choices = tuple(Choice(label, at.strftime("%H:%M")) for label, at in TIME_CHOICES)
    return Outcome([Reply(texts.ASK_CHECKIN_TIME, choices=choices, token=token)])


def _day(message: InboundMessage) -> int | None:
    """An ISO weekday: a button, its number, the start of a name, or the shared vocabulary's."""
    answer = (message.choice or message.text or "").strip().lower()
    if answer.isdecimal() and len(answer) == 1 and 1 <= int(answer) <= 7:
        return int(answer)
    matches = [n for n, name in enumerate(DAY_NAMES, start=1) if name.lower().startswith(answer)]
    if len(answer) >= 2 and len(matches) == 1:
        return matches[0]
    weekday = read_weekday(answer)
    return None if weekday is None else weekday + 1


def _time(message: InboundMessage) -> time | None:
    """A button, its number, its label, or a time in the shared vocabulary (7pm, morning)."""
    answer = (message.choice or message.text or "").strip().lower()
    for number, (label, at) in enumerate(TIME_CHOICES, start=1):
        if answer in (label.lower(), str(number)):
            return at
    return read_time(answer, {label.split()[0]: at for label, at in TIME_CHOICES})


async def step(
    ctx: FlowContext, person: Person, data: dict[str, Any], message: InboundMessage
) -> Outcome:
    """Takes the day, then the time, then saves both."""
    if message.choice is not None and message.token != data["token"]:
        return Outcome(stale_tap=True)
    tapped = message.choice is not None
    if data["step"] == "day":
        day = _day(message)
        if day is None:
            outcome = await _ask(ctx, person, "day", {})
            outcome.replies.insert(0, Reply(texts.SETTINGS_REASK))
            return outcome
        outcome = await _ask(ctx, person, "time", {"day": day})
        outcome.answered = Answered(DAY_NAMES[day - 1]) if tapped else None
        return outcome
    at = _time(message)
    if at is None or not EARLIEST <= at <= LATEST:
        outcome = await _ask(ctx, person, "time", {"day": data["day"]})
        why = texts.SETTINGS_TIME_REASK if at is None else texts.SETTINGS_TIME_OUTSIDE
        outcome.replies.insert(0, Reply(why))
        return outcome
    person.checkin_weekday, person.checkin_time = int(data["day"]), at
    await conversations.clear_state(ctx.session, person.id)
    saved = texts.SETTINGS_SAVED.format(
        day=DAY_NAMES[person.checkin_weekday - 1], time=f"{at:%H:%M}"
    )
    return Outcome([Reply(saved)], answered=Answered(f"{at:%H:%M}") if tapped else None)
