"""The small vocabulary shared by every channel and every flow.

A channel adapter turns what arrived into an `InboundMessage`; a flow answers with `Reply`
values; bot/delivery renders those (inline keyboard, numbered lines, terminal). Flows never see a
Telegram or Twilio object, which is what lets one conversation run on any channel. Storage keeps
a person's channel addresses, flows answer them and delivery reaches them, so these types live
below all three (docs/architecture.md, "Imports run one way").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # descriptions of pictures, drawn by delivery after the commit
    from bot.reports.charts import Panel
    from bot.reports.pictures import Card


class Channel(StrEnum):
    TELEGRAM = "telegram"
    SMS = "sms"
    CONSOLE = "console"
    WHATSAPP = "whatsapp"

    @property
    def texted(self) -> bool:
        """Typed messages: options are numbered lines answered by number or word (WhatsApp's
        optional buttons can be answered so too), and commands are keywords (SMS and
        WhatsApp). `SMS` alone means the phone network's own limits too: GSM-7, segments,
        the carrier's STOP."""
        return self in (Channel.SMS, Channel.WHATSAPP)

    @property
    def shows_pictures(self) -> bool:
        return self in (Channel.TELEGRAM, Channel.WHATSAPP)


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
