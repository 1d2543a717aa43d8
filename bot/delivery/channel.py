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


def choose_sender(
    person: Person, senders: list[Sender], message: OutboxMessage | None = None
) -> Sender | None:
    """The channel the message asks for, else the first that can reach the person."""
    forced = (message.payload or {}).get("channel") if message is not None else None
    if forced:
        return next((sender for sender in senders if sender.name == forced), None)
    return next((sender for sender in senders if sender.can_reach(person)), None)
