"""The small vocabulary shared by every channel and every flow.

A channel adapter turns what arrived into an `InboundMessage`; a flow answers with `Reply`
values; the adapter renders those (inline keyboard, numbered lines, terminal). Flows never see a
Telegram or Twilio object, which is what lets one conversation run on any channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.reports.charts import Panel
from bot.reports.pictures import Card


class Channel(StrEnum):
    TELEGRAM = "telegram"
    SMS = "sms"
    CONSOLE = "console"


@dataclass(frozen=True)
class Sender:
    """Who sent a message, as the channel knows them (a Telegram user id, or an E.164 phone)."""

    channel: Channel
    address: str
    chat_id: int | None = None  # Telegram only: where replies go


@dataclass(frozen=True)
class InboundMessage:
    """One thing a person did: typed text, or tapped a choice offered earlier.

    `choice` is set when a button was tapped (its value); `token` ties that tap to the question
    it answered, so a tap on an old keyboard is recognised as stale instead of being taken as an
    answer to whatever is being asked now. `text` is None for stickers, photos and the like.
    """

    sender: Sender
    text: str | None = None
    choice: str | None = None
    token: str | None = None
    contact_phone: str | None = None  # Telegram: the person shared their own number

    @property
    def is_command(self) -> bool:
        return self.text is not None and self.text.startswith("/")


@dataclass(frozen=True)
class Choice:
    label: str
    value: str


@dataclass(frozen=True)
class Document:
    """A file to hand over (an export, someone's own data): Telegram sends it as a document."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class Reply:
    """Something to show the person who wrote.

    `token` is carried by the choices' taps. A `picture` (result charts) or a `card` (the plan)
    is described, not drawn: the adapter renders it after the transaction has committed, so no
    lock is held while matplotlib works.
    """

    text: str
    choices: tuple[Choice, ...] = ()
    token: str | None = None
    # Steering rather than answering (Back, Skip): a second row of buttons on Telegram, a few
    # words after the numbers by SMS ("Reply 1-2, SKIP or BACK").
    controls: tuple[Choice, ...] = ()
    picture: tuple[Panel, ...] = ()
    card: Card | None = None  # a plan card or the outcomes chart, drawn in the same place
    ask_contact: bool = False  # Telegram: offer a "share my number" button
    document: Document | None = None  # not sent by SMS: say so in the text for that channel


@dataclass(frozen=True)
class Answered:
    """Marks the tapped question as answered, so its keyboard is replaced by the answer."""

    label: str


@dataclass
class Outcome:
    """What a flow step produced: replies to the sender and how to mark a tapped question."""

    replies: list[Reply] = field(default_factory=list)
    answered: Answered | None = None
    stale_tap: bool = False


def tapped(outcome: Outcome, message: InboundMessage, label: str) -> Outcome:
    """Marks the question answered with `label` when the answer was a tap (not typed)."""
    if message.choice is not None:
        outcome.answered = Answered(label)
    return outcome
