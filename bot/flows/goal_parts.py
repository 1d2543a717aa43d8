"""Pieces shared by the goal flows: saving a step, reading a choice or typed words, areas.

Every question takes a tap, the number of a choice typed (how SMS answers), or the choice's
words typed; free text is tidied and held to the goal length limit, so a long answer is met
with a kind word and the same question, and nothing chosen before it is lost.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from bot.flows import texts
from bot.flows.context import FlowContext
from bot.flows.types import Choice, InboundMessage
from bot.instruments import Instrument, glossary
from bot.storage import conversations
from bot.storage.goals import TITLE_LIMIT
from bot.storage.models import Goal, Person

MENTEE_FLOW = "goals"
STAFF_FLOW = "goal"
SKIP = "skip"
SKIP_WORDS = frozenset({"skip", "no", "none", "not now", "no step"})
# Titles shown inside a longer line (a list, a button) are cut to this many characters.
SHORT = 40
BUTTON = 30
# Phones turn quotes and dashes curly; one such character halves what an SMS can hold.
_PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-"})

Data = dict[str, Any]


class TooLong(Exception):
    """Typed words over the limit; `count` is how many characters they had."""

    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.count = count


async def save(ctx: FlowContext, person: Person, flow: str, data: Data, at: str) -> Data:
    """Saves the flow at step `at` with a fresh token; returns the data saved."""
    data = {**data, "at": at, "token": secrets.token_hex(3)}
    await conversations.save_state(
        ctx.session, person_id=person.id, flow=flow, step=at, data=data, now=ctx.now()
    )
    return data


def stale(data: Data, message: InboundMessage) -> bool:
    """A tap on an older question (its token is not the one asked now)."""
    return message.choice is not None and message.token != data.get("token")


def picked(
    message: InboundMessage, choices: Sequence[Choice], words: Mapping[str, str] | None = None
) -> str | None:
    """The value chosen: tapped, or typed as its number, its label or one of `words`."""
    values = [choice.value for choice in choices]
    if message.choice is not None:
        return message.choice if message.choice in values else None
    typed = " ".join((message.text or "").split()).casefold().rstrip(".!")
    if typed.isdecimal() and len(typed) <= 3:  # not "²", nor 5,000 digits int() refuses
        number = int(typed)
        return values[number - 1] if 1 <= number <= len(values) else None
    for choice in choices:
        if typed == choice.label.casefold():
            return choice.value
    value = (words or {}).get(typed)
    return value if value in values else None


def typed_words(message: InboundMessage) -> str | None:
    """Free text, tidied; None if empty or a tap. Raises TooLong over the limit."""
    return None if message.choice is not None else tidy(message.text or "")


def tidy(text: str) -> str | None:
    """Words with plain quotes and single spaces; None if empty. Raises TooLong."""
    words = " ".join(text.translate(_PLAIN).split())
    if len(words) > TITLE_LIMIT:
        raise TooLong(len(words))
    return words or None


def clip(text: str, size: int = SHORT) -> str:
    return text if len(text) <= size else text[: size - 3].rstrip() + "..."


def arc(ctx: FlowContext) -> Instrument:
    return ctx.instruments["arc"]


def area_choices(ctx: FlowContext) -> tuple[Choice, ...]:
    """The ARC domains by their plain names, as the mentee knows them."""
    return tuple(Choice(glossary.area_name(domain), domain.id) for domain in arc(ctx).domains)


def picked_area(ctx: FlowContext, message: InboundMessage) -> str | None:
    """A domain id: tapped, typed by number or name, or one word that names only one area."""
    choices = area_choices(ctx)
    words = {glossary.names_typed(domain)[1]: domain.id for domain in arc(ctx).domains}
    found = picked(message, choices, words)
    typed = " ".join((message.text or "").split()).casefold()
    if found is not None or message.choice is not None or len(typed) < 3:
        return found
    matches = [
        domain.id
        for domain in arc(ctx).domains
        if any(typed in name for name in glossary.names_typed(domain))
    ]
    return matches[0] if len(matches) == 1 else None


def area_name(ctx: FlowContext, domain_id: str) -> str:
    return glossary.domain_named(arc(ctx), domain_id)


def status_name(goal: Goal) -> str:
    return texts.GOAL_STATUS_NAMES[goal.status.value]
