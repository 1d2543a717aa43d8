"""Pieces shared by the goal flows: their typed states, reading typed words, areas.

Questions with choices are read by the question engine (bot/flows/asked.py). Free text (a
goal, a step) is read here: "back" and "skip" typed there steer as at any question, and the
rest is tidied and held to the goal length limit, so a long answer is met with a kind word and
the same question, and nothing chosen before it is lost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from bot.flows import texts
from bot.flows.context import FlowContext
from bot.flows.types import Outcome
from bot.instruments import Instrument, glossary
from bot.messages import Choice, InboundMessage, Reply
from bot.questions import asking
from bot.questions.asking import Kind, Question, Read
from bot.questions.state import FlowState, new_token
from bot.questions.vocabulary import fold, read_choice
from bot.storage import conversations
from bot.storage.goals import TITLE_LIMIT
from bot.storage.models import Goal, Person

MENTEE_FLOW = "goals"
STAFF_FLOW = "goal"
SKIP = "skip"
KEEP = "keep"
# Titles shown inside a longer line (a list, a button) are cut to this many characters.
SHORT = 40
BUTTON = 30
# Phones turn quotes and dashes curly; one such character halves what an SMS can hold.
_PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-"})

Data = dict[str, Any]


@dataclass(frozen=True)
class GoalsState(FlowState):
    """The mentee's /goals conversation; the keys are those the flow has always stored."""

    at: str
    token: str
    goal: int | None = None
    area: str | None = None
    title: str | None = None
    step: str | None = None
    rhythm: str | None = None
    weekday: int | None = None
    on: str | None = None  # ISO date of a one-off reminder


@dataclass(frozen=True)
class StaffGoalState(FlowState):
    """A staff member's /goal conversation, about one mentee."""

    at: str
    token: str
    mentee: int | None = None
    name: str = ""
    goal: int | None = None
    area: str | None = None
    title: str | None = None
    step: str | None = None
    listed: bool = False  # came through the mentee's list of goals, so Back returns to it
    # The goal's words came with the command, so the area is the only question. None in states
    # saved before this was kept: then words already there came with the command.
    from_command: bool | None = None


S = TypeVar("S", GoalsState, StaffGoalState)


class TooLong(Exception):
    """Typed words over the limit; `count` is how many characters they had."""

    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.count = count


async def save(ctx: FlowContext, person: Person, flow: str, data: Data, at: str) -> Data:
    """Saves the flow at step `at` with a fresh token; returns the data saved."""
    data = {**data, "at": at, "token": new_token()}
    await conversations.save_state(
        ctx.session, person_id=person.id, flow=flow, step=at, data=data, now=ctx.now()
    )
    return data


async def move(ctx: FlowContext, person: Person, flow: str, state: S, at: str) -> S:
    """The state at step `at` with a fresh token, saved; whatever was given is kept."""
    state = replace(state, at=at, token=new_token())
    await conversations.save_state(
        ctx.session, person_id=person.id, flow=flow, step=at, data=state.dump(), now=ctx.now()
    )
    return state


def in_own_words(
    prompt: str,
    given: str | None,
    choices: tuple[Choice, ...] = (),
    read_words: Callable[[str], str | None] | None = None,
) -> Question:
    """A question answered in own words; back at it, what was written before may be kept."""
    if given:
        prompt = f"{prompt}\n{texts.GOAL_YOU_WROTE.format(words=given)}"
        choices = (*choices, Choice(texts.GOAL_KEEP, KEEP))
    return Question(prompt, choices, read_words=read_words, back=True)


@dataclass(frozen=True)
class Words:
    """Words typed as the answer, told apart from a choice that happens to read the same."""

    text: str


def words_answer(
    question: Question, message: InboundMessage, token: str
) -> Read | Words | Outcome:
    """A question answered in own words: one of its choices, skip or back where offered, or
    the words themselves (UNCLEAR when there are none, or a tap that is not one of the
    question's). Raises TooLong, so the flow can say how long they were.
    """
    got = asking.read(question, message, token)
    if got.kind is Kind.STALE:
        return Outcome(stale_tap=True)
    if got.kind in (Kind.SKIP, Kind.BACK, Kind.ANSWER):
        return got
    if got.kind is Kind.NO_WAY_BACK:
        return Outcome([Reply(texts.NOTHING_BEFORE), asking.ask(question, token)])
    words = typed_words(message)
    return Read(Kind.UNCLEAR) if words is None else Words(words)


def after_choices(
    choices: Sequence[Choice], reader: Callable[[str], str | None]
) -> Callable[[str], str | None]:
    """`reader` for what is not one of the choices, so "2" stays the second choice, not 2am."""
    labels = [choice.label for choice in choices]
    return lambda text: None if read_choice(text, labels) is not None else reader(text)


def synonyms(table: Mapping[str, str]) -> Callable[[str], str | None]:
    """Reads a question's own words for its choices ("weekly", "no date")."""
    return lambda text: table.get(fold(text))


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


def area_words(ctx: FlowContext) -> Callable[[str], str | None]:
    """Reads an area typed by its term, or one word that names only one area ("flat")."""
    domains = arc(ctx).domains

    def read(text: str) -> str | None:
        typed = " ".join(text.split()).casefold()
        terms = {glossary.names_typed(domain)[1]: domain.id for domain in domains}
        if typed in terms or len(typed) < 3:
            return terms.get(typed)
        matches = [
            domain.id
            for domain in domains
            if any(typed in name for name in glossary.names_typed(domain))
        ]
        return matches[0] if len(matches) == 1 else None

    return read


def area_name(ctx: FlowContext, domain_id: str) -> str:
    return glossary.domain_named(arc(ctx), domain_id)


def status_name(goal: Goal) -> str:
    return texts.GOAL_STATUS_NAMES[goal.status.value]
