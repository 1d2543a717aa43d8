"""One interface for every channel, and the outbox row as a channel-neutral Reply.

A channel renders a `Reply` in its own way and sends it, maps its errors to those in
`bot/delivery/errors.py`, and says whether it can reach a person at all. The live reply to a
message and a queued message go through the same channel code (docs/architecture.md).
"""

from __future__ import annotations

from typing import Protocol

from bot.delivery.reply_payload import reply_from
from bot.messages import Reply
from bot.storage.models import OutboxMessage, Person


class Sender(Protocol):
    name: str

    def can_reach(self, person: Person) -> bool: ...

    async def send(self, person: Person, message: OutboxMessage) -> str | None:
        """Send; return the provider's message id when it gives one."""
        ...


def reply_for(message: OutboxMessage) -> Reply:
    """The outbox row as the channel-neutral Reply it was made from."""
    return reply_from(message.text, message.payload)


# The service's order when a person has none of their own: Telegram, then text. WhatsApp
# comes in only for someone who wrote on it or was added on it (WhatsAppSender.can_reach).
DEFAULT_ORDER = ("telegram", "whatsapp", "sms")


def reaches_by(person: Person) -> tuple[str, ...]:
    """The channels to try for this person, in order: their own order, else the service's."""
    if not person.channel_order:
        return DEFAULT_ORDER
    return tuple(name.strip() for name in person.channel_order.split(",") if name.strip())


def uses_whatsapp(person: Person) -> bool:
    """They wrote to us on WhatsApp, or were added there (/addmentee whatsapp)."""
    own = person.channel_order.split(",") if person.channel_order else []
    return person.whatsapp_seen_at is not None or "whatsapp" in own


def choose_sender(
    person: Person, senders: list[Sender], message: OutboxMessage | None = None
) -> Sender | None:
    """The channel the message asks for, else the first in the person's order that can reach
    them (a channel left out of their order is not used for them)."""
    forced = (message.payload or {}).get("channel") if message is not None else None
    if forced:
        return next((sender for sender in senders if sender.name == forced), None)
    by_name = {sender.name: sender for sender in senders}
    ordered = [by_name[name] for name in reaches_by(person) if name in by_name]
    ordered += [s for s in senders if s.name not in DEFAULT_ORDER]  # the console, in tests
    return next((sender for sender in ordered if sender.can_reach(person)), None)
