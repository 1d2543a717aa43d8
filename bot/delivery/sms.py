"""Texts through Twilio: the SMS channel. Remembers the options it sent so "2" is understood."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.channel import reply_for
from bot.delivery.errors import Blocked, PermanentFailure, RetryLater
from bot.delivery.sms_text import pages, render
from bot.delivery.twilio_gateway import SmsRejected, TwilioGateway
from bot.messages import Reply
from bot.storage.models import OutboxMessage, OutboxStatus, Person, Role

Writing = Callable[[], AbstractAsyncContextManager[None]]
FAILED_STATUSES = {"failed", "undelivered"}


# Twilio's error codes worth a few words in /failed.
ERROR_MEANINGS = {"63016": "outside WhatsApp's 24-hour window"}


def delivery_report(params: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """Twilio's status callback as (MessageSid, outbox columns to set): a failed or
    undelivered text or WhatsApp message is marked failed with Twilio's error code, so
    /failed shows it."""
    sid, status = params.get("MessageSid", ""), params.get("MessageStatus", "")
    values: dict[str, Any] = {"delivery_status": status[:16]}
    if status in FAILED_STATUSES:
        code = (params.get("ErrorCode") or "unknown")[:16]  # Twilio's are 5 digits
        whatsapp = params.get("To", "").startswith("whatsapp:")
        meaning = f": {ERROR_MEANINGS[code]}" if code in ERROR_MEANINGS else ""
        error = f"{'WhatsApp' if whatsapp else 'SMS'} {status} (error {code}{meaning})"
        values |= {"status": OutboxStatus.FAILED, "last_error": error}
    return sid, values


# Twilio error 21610: the number replied STOP; 21211/21614: not a valid mobile number.
_UNSUBSCRIBED = {21610}


class SmsSender:
    """Texts through Twilio; remembers the numbered options it sent so "2" can be understood."""

    name = "sms"

    def __init__(
        self,
        gateway: TwilioGateway | None,
        session_factory: async_sessionmaker[AsyncSession],
        writing: Writing = contextlib.nullcontext,
    ) -> None:
        self.gateway = gateway  # set once the event loop runs (its HTTP session needs one)
        self.session_factory = session_factory
        # In the bot, MentorService.writing: on SQLite the options and pages it remembers wait
        # their turn with the messages being handled instead of failing as "database is
        # locked" (seen with every text delivered twice: the reply was then not sent).
        self.writing = writing

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
        paged = bool(payload.get("paged"))  # a reply's last text: a long one waits for MORE
        return await self.send_to(str(phone), reply, person.id, paged=paged, staff=staff)

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
                async with self.writing():
                    await remember_pages(self.session_factory, person_id, paged_bodies[1:])
        if reply.choices and person_id is not None:
            # Before the text goes: a person who answers at once must find their "2" read
            # against these options, not the last ones (docs/decisions.md, "Options first").
            async with self.writing():
                await remember_choices(self.session_factory, person_id, reply)
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
