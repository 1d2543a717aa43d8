"""Channels the dispatcher sends through, and the three ways a send can fail.

Each sender turns its channel's errors into `Blocked`, `RetryLater` or `PermanentFailure`, so
the dispatcher's bookkeeping is the same for every channel. SMS (Twilio) plugs in here as a
second sender; `choose_sender` is the seam where the channel is picked per person.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.delivery.sms_text import pages, render
from bot.delivery.telegram_keyboard import keyboard
from bot.delivery.twilio_gateway import SmsRejected, TwilioGateway
from bot.messages import Choice, Reply
from bot.storage.models import OutboxMessage, Person, Role


class Blocked(Exception):
    """The person blocked the bot on this channel; sending again is pointless."""


class RetryLater(Exception):
    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.after = after  # seconds the channel asked us to wait, if it said


class TransientFailure(RetryLater):
    """The channel failed this time (a 5xx, a timeout, a network error), and not to slow us
    down: worth a retry, but a chat that keeps failing like this counts as unreachable."""


# The start of the reason recorded for such a Telegram failure, so that a run of them can be
# recognised among a message's attempts.
TELEGRAM_FAILED = "Telegram failed"


class PermanentFailure(Exception):
    """The channel refused this message for good (bad request, no chat)."""


class Sender(Protocol):
    name: str

    def can_reach(self, person: Person) -> bool: ...

    async def send(self, person: Person, message: OutboxMessage) -> str | None:
        """Send; return the provider's message id when it gives one."""
        ...


def reply_for(message: OutboxMessage) -> Reply:
    """The outbox row as a channel-neutral Reply (text and its buttons)."""
    payload = message.payload or {}
    choices = tuple(Choice(label, value) for label, value in payload.get("choices", []))
    return Reply(message.text, choices=choices, token=payload.get("token"))


class TelegramSender:
    name = "telegram"

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    def can_reach(self, person: Person) -> bool:
        return person.telegram_chat_id is not None and person.telegram_blocked_at is None

    async def send(self, person: Person, message: OutboxMessage) -> str | None:
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
            if "chat not found" in exc.message.lower():  # the account is gone: use another way
                raise Blocked(exc.message) from exc
            raise PermanentFailure(exc.message) from exc
        except (TimedOut, NetworkError) as exc:
            # NetworkError also covers Telegram's 5xx answers.
            raise TransientFailure(f"{TELEGRAM_FAILED}: {type(exc).__name__}") from exc
        return None


def _seconds(value: Any) -> float:
    return float(value.total_seconds()) if hasattr(value, "total_seconds") else float(value)


def choose_sender(
    person: Person, senders: list[Sender], message: OutboxMessage | None = None
) -> Sender | None:
    """The channel the message asks for, else the first that can reach the person."""
    forced = (message.payload or {}).get("channel") if message is not None else None
    if forced:
        return next((sender for sender in senders if sender.name == forced), None)
    return next((sender for sender in senders if sender.can_reach(person)), None)


# Twilio error 21610: the number replied STOP; 21211/21614: not a valid mobile number.
_UNSUBSCRIBED = {21610}


class SmsSender:
    """Texts through Twilio; remembers the numbered options it sent so "2" can be understood."""

    name = "sms"

    def __init__(
        self,
        gateway: TwilioGateway | None,
        session_factory: async_sessionmaker[AsyncSession],
    ) -> None:
        self.gateway = gateway  # set once the event loop runs (its HTTP session needs one)
        self.session_factory = session_factory

    def can_reach(self, person: Person) -> bool:
        return (
            self.gateway is not None
            and person.phone is not None
            and person.sms_opted_out_at is None
        )

    async def send(self, person: Person, message: OutboxMessage) -> str | None:
        payload = message.payload or {}
        phone = payload.get("sms_to") or person.phone
        assert phone is not None
        reply = reply_for(message)
        if payload.get("sms_text"):  # neutral wording: phones are often shared
            reply = Reply(str(payload["sms_text"]), choices=reply.choices, token=reply.token)
        staff = person.role is not Role.MENTEE
        return await self.send_to(str(phone), reply, person.id, staff=staff)

    async def send_to(
        self,
        phone: str,
        reply: Reply,
        person_id: int | None,
        *,
        paged: bool = False,
        staff: bool = False,
    ) -> str | None:
        """Text one reply and remember its options; `paged` keeps a long one for MORE.

        The wording is made for a phone here, at sending (a reminder queued days ago too):
        `staff` says whose commands to name (see sms_text.render).
        """
        assert self.gateway is not None
        sid: str | None = None
        bodies = render(reply, staff=staff)
        if paged and person_id is not None:
            paged_bodies = pages(reply, staff=staff)
            bodies = paged_bodies[:1]
            if paged_bodies[1:]:
                await remember_pages(self.session_factory, person_id, paged_bodies[1:])
        try:
            for body in bodies:
                sid = await self.gateway.send(phone, body)
        except SmsRejected as exc:
            if exc.code in _UNSUBSCRIBED:
                raise Blocked(str(exc)) from exc
            if exc.status == 429 or exc.status >= 500:
                raise RetryLater(f"Twilio {exc.status}") from exc
            raise PermanentFailure(str(exc)) from exc
        except (OSError, TimeoutError) as exc:
            raise RetryLater(type(exc).__name__) from exc
        if reply.choices and person_id is not None:
            await remember_choices(self.session_factory, person_id, reply)
        return sid


async def remember_pages(
    session_factory: async_sessionmaker[AsyncSession], person_id: int, rest: list[str]
) -> None:
    """Keep the pages of a long reply not yet texted, for when the person replies MORE."""
    async with session_factory() as session, session.begin():
        await session.execute(
            update(Person).where(Person.id == person_id).values(sms_choices={"more": rest})
        )


async def remember_choices(
    session_factory: async_sessionmaker[AsyncSession], person_id: int, reply: Reply
) -> None:
    offered = {"token": reply.token, "choices": [[c.label, c.value] for c in reply.choices]}
    async with session_factory() as session, session.begin():
        await session.execute(
            update(Person).where(Person.id == person_id).values(sms_choices=offered)
        )
