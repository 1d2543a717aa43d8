"""Channels the dispatcher sends through, and the three ways a send can fail.

Each sender turns its channel's errors into `Blocked`, `RetryLater` or `PermanentFailure`, so
the dispatcher's bookkeeping is the same for every channel. SMS (Twilio) plugs in here as a
second sender; `choose_sender` is the seam where the channel is picked per person.
"""

from __future__ import annotations

from typing import Any, Protocol

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.flows.types import Choice, Reply
from bot.handlers.telegram_keyboard import keyboard
from bot.storage.models import OutboxMessage, Person


class Blocked(Exception):
    """The person blocked the bot on this channel; sending again is pointless."""


class RetryLater(Exception):
    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.after = after  # seconds the channel asked us to wait, if it said


class PermanentFailure(Exception):
    """The channel refused this message for good (bad request, no chat)."""


class Sender(Protocol):
    def can_reach(self, person: Person) -> bool: ...

    async def send(self, person: Person, message: OutboxMessage) -> None: ...


def reply_for(message: OutboxMessage) -> Reply:
    """The outbox row as a channel-neutral Reply (text and its buttons)."""
    payload = message.payload or {}
    choices = tuple(Choice(label, value) for label, value in payload.get("choices", []))
    return Reply(message.text, choices=choices, token=payload.get("token"))


class TelegramSender:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    def can_reach(self, person: Person) -> bool:
        return person.telegram_chat_id is not None and person.telegram_blocked_at is None

    async def send(self, person: Person, message: OutboxMessage) -> None:
        assert person.telegram_chat_id is not None
        reply = reply_for(message)
        try:
            await self.bot.send_message(
                person.telegram_chat_id, reply.text, reply_markup=keyboard(reply)
            )
        except Forbidden as exc:
            raise Blocked(exc.message) from exc
        except RetryAfter as exc:
            raise RetryLater("Telegram asked us to slow down", _seconds(exc.retry_after)) from exc
        except BadRequest as exc:
            raise PermanentFailure(exc.message) from exc
        except (TimedOut, NetworkError) as exc:
            # NetworkError also covers Telegram's 5xx answers.
            raise RetryLater(type(exc).__name__) from exc


def _seconds(value: Any) -> float:
    return float(value.total_seconds()) if hasattr(value, "total_seconds") else float(value)


def choose_sender(person: Person, senders: list[Sender]) -> Sender | None:
    """The first channel that can reach the person (Telegram first, then SMS when added)."""
    return next((sender for sender in senders if sender.can_reach(person)), None)
