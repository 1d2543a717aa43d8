"""Ask one question and read what came back, the same way in every flow and on every channel.

A flow declares a `Question` (its prompt, its choices, how its own typed words read, whether
skip and back are allowed); `ask` turns it into a `Reply` tied to a token, and `read` turns the
next message into one `Read`: an answer, a skip, a step back, a stale tap, or not understood.
Typed words are read with the shared vocabulary (docs/vocabulary.md), so a word that works at
one question works at every question that offers it. The re-ask names the choices in words
that fit the channel: buttons on Telegram, numbered replies by text message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from bot.flows import texts
from bot.messages import Channel, Choice, InboundMessage, Reply
from bot.questions.vocabulary import Control, read_choice, read_control

# The values carried by the control buttons; no flow's answer starts with "_".
SKIP = "_skip"
BACK = "_back"
# Typed "skip" and "prefer not to say" mean the same to a questionnaire: no answer is kept.
_SKIP_WORDS = frozenset({Control.SKIP, Control.PREFER_NOT})


@dataclass(frozen=True)
class Question:
    """One question as a flow declares it.

    `read_words` reads typed words the flow knows best (an instrument's own synonyms); it is
    tried before the choices' labels. It returns a choice's value, or None.
    """

    prompt: str
    choices: tuple[Choice, ...] = ()
    read_words: Callable[[str], str | None] | None = None
    skip: bool = False
    back: bool = False


class Kind(StrEnum):
    ANSWER = "answer"
    SKIP = "skip"
    BACK = "back"
    STALE = "stale"  # a tap on a keyboard of an earlier question
    NO_WAY_BACK = "no_way_back"  # "back" at the first question: said so, not re-asked blind
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class Read:
    kind: Kind
    value: str | None = None  # the chosen value, for an answer

    def label(self, question: Question) -> str:
        """What a tapped keyboard is replaced by once answered."""
        if self.kind is Kind.SKIP:
            return texts.SKIPPED
        if self.kind is Kind.BACK:
            return texts.BACK_LABEL
        return next(
            (choice.label for choice in question.choices if choice.value == self.value), ""
        )


def controls(question: Question) -> tuple[Choice, ...]:
    """The Back and Skip buttons a question offers, in that order."""
    offered = []
    if question.back:
        offered.append(Choice(texts.BACK_LABEL, BACK))
    if question.skip:
        offered.append(Choice(texts.SKIP_LABEL, SKIP))
    return tuple(offered)


def ask(question: Question, token: str) -> Reply:
    return Reply(
        question.prompt, choices=question.choices, token=token, controls=controls(question)
    )


def read(question: Question, message: InboundMessage, token: str) -> Read:
    """What the message means for this question; never raises on odd input."""
    if message.choice is not None:
        return _read_tap(question, message, token)
    if message.text is None:
        return Read(Kind.UNCLEAR)
    control = read_control(message.text)
    if control in _SKIP_WORDS and question.skip:
        return Read(Kind.SKIP)
    if control is Control.BACK:
        return Read(Kind.BACK if question.back else Kind.NO_WAY_BACK)
    value = question.read_words(message.text) if question.read_words is not None else None
    if value is None:
        index = read_choice(message.text, [choice.label for choice in question.choices])
        value = None if index is None else question.choices[index].value
    return Read(Kind.UNCLEAR) if value is None else Read(Kind.ANSWER, value)


def _read_tap(question: Question, message: InboundMessage, token: str) -> Read:
    if message.token != token:
        return Read(Kind.STALE)
    if message.choice == SKIP and question.skip:
        return Read(Kind.SKIP)
    if message.choice == BACK and question.back:
        return Read(Kind.BACK)
    if any(choice.value == message.choice for choice in question.choices):
        return Read(Kind.ANSWER, message.choice)
    return Read(Kind.UNCLEAR)  # forged or from an older version of the question


def reask(question: Question, channel: Channel) -> str:
    """'Sorry, I did not get that.' and how to answer, in the channel's own words."""
    labels = [choice.label for choice in question.choices]
    if channel.texted:
        how = (
            texts.REASK_SMS_FEW.format(
                options=texts.OR.join(f"{n} for {label}" for n, label in enumerate(labels, 1))
            )
            if len(labels) <= 3
            else texts.REASK_SMS_MANY.format(last=len(labels))
        )
    else:
        how = (
            texts.REASK_CHAT_FEW.format(options=texts.OR.join(labels))
            if len(labels) <= 3
            else texts.REASK_CHAT_MANY.format(last=len(labels))
        )
    lines = [texts.REASK_SORRY, how] if labels else [texts.REASK_SORRY]
    if question.skip:
        lines.append(texts.REASK_SKIP_SMS if channel.texted else texts.REASK_SKIP_CHAT)
    return " ".join(lines)
