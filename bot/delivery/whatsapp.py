"""WhatsApp through Twilio: the third channel, numbered options as by SMS, pictures as media.

Meta lets a business send plain messages only within 24 hours of the person's last message to
it (the "window"). After that only an approved template goes: here one Content template whose
single variable carries the message. Without a template set, WhatsApp cannot reach the person
outside the window, and `choose_sender` moves on down their channel order (by SMS when a number
is known and texts are set up). The window is measured from `Person.whatsapp_seen_at`, set as
each WhatsApp message is handled (bot/service.py).

Inside the window, choices go as buttons when the service has made Twilio Content templates
for them (bot/delivery/whatsapp_buttons.py), else as numbered options; either way they are
remembered, so a typed "2" or the option's words work as well as a tap.

Pictures cannot be uploaded with the message: Twilio fetches them from a URL. Each is kept
encrypted for an hour (bot/storage/sent_pictures.py) behind a signed, expiring `/media/<token>`
link under MENTORBOT_PUBLIC_URL (bot/delivery/media_links.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.channel import reply_for, uses_whatsapp
from bot.delivery.errors import Blocked, PermanentFailure, RetryLater
from bot.delivery.media_links import LIFETIME, MediaLinks
from bot.delivery.sms import Writing, remember_choices
from bot.delivery.twilio_gateway import SmsRejected, TwilioGateway
from bot.delivery.whatsapp_buttons import ChoiceTemplates, buttons
from bot.delivery.whatsapp_text import one_line, render
from bot.messages import Reply
from bot.reports.pictures import draw
from bot.storage import crypto, sent_pictures
from bot.storage.models import OutboxMessage, Person, Role
from config.settings import Settings

# A little short of Meta's 24 hours, so a message sent at the edge is not refused on arrival.
WINDOW = timedelta(hours=24) - timedelta(minutes=10)
# 21610: the number is unsubscribed (STOP); 63003: the number is not on WhatsApp; 63024: not a
# valid WhatsApp recipient. WhatsApp stops for the person, and their next channel takes over.
_UNREACHABLE = {21610, 63003, 63024}
Clock = Callable[[], datetime]
MEDIA_LINKS_KEY = b"mentorbot whatsapp media links v1"  # derived from the encryption keys


class WhatsAppSender:
    name = "whatsapp"

    def __init__(
        self,
        gateway: TwilioGateway | None,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        links: MediaLinks,
        public_url: str,
        clock: Clock,
        template_sid: str | None = None,
        choice_templates: ChoiceTemplates | None = None,
        writing: Writing = contextlib.nullcontext,
    ) -> None:
        self.gateway = gateway  # set once the event loop runs, as SmsSender's
        self.session_factory = session_factory
        self.links = links
        self.public_url = public_url.rstrip("/")
        self.clock = clock
        self.template_sid = template_sid
        self.choice_templates = choice_templates or ChoiceTemplates()
        self.writing = writing

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        gateway: TwilioGateway | None,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        clock: Clock,
        writing: Writing = contextlib.nullcontext,
    ) -> WhatsAppSender | None:
        """The sender serve and the scheduler both use; None when WhatsApp is off."""
        if not settings.whatsapp_enabled:
            return None
        assert settings.public_url is not None  # settings refuse WhatsApp without it
        return cls(
            gateway,
            session_factory,
            links=MediaLinks(crypto.installed().derived_key(MEDIA_LINKS_KEY)),
            public_url=settings.public_url,
            clock=clock,
            template_sid=settings.whatsapp_template_sid,
            choice_templates=ChoiceTemplates.parse(
                settings.whatsapp_quick_reply_sids, settings.whatsapp_list_picker_sids
            ),
            writing=writing,
        )

    def in_window(self, person: Person) -> bool:
        seen = person.whatsapp_seen_at
        return seen is not None and self.clock() - seen < WINDOW

    def can_reach(self, person: Person) -> bool:
        return (
            self.gateway is not None
            and person.phone is not None
            and person.whatsapp_opted_out_at is None
            and uses_whatsapp(person)
            and (self.template_sid is not None or self.in_window(person))
        )

    async def send(self, person: Person, message: OutboxMessage) -> str | None:
        """A queued message: plain inside the window, else as the approved template."""
        assert person.phone is not None and self.gateway is not None
        payload = message.payload or {}
        reply = reply_for(message)
        if payload.get("sms_text"):  # neutral wording: a lock screen is seen by others too
            reply = Reply(str(payload["sms_text"]), choices=reply.choices, token=reply.token)
        staff = person.role is not Role.MENTEE
        if self.in_window(person):
            return await self.send_to(person.phone, reply, person.id, staff=staff)
        if self.template_sid is None:
            raise PermanentFailure("outside WhatsApp's 24-hour window, and no template is set")
        await self._remember(person.id, reply)
        variables = {"1": one_line(reply, staff=staff)}
        return await self._sent(
            self.gateway.send_whatsapp(
                person.phone, content_sid=self.template_sid, content_variables=variables
            )
        )

    async def send_to(
        self,
        phone: str,
        reply: Reply,
        person_id: int | None,
        *,
        paged: bool = False,
        staff: bool = False,
    ) -> str | None:
        """One reply inside the window (the person just wrote, or wrote lately): options as
        buttons where a template fits them, else numbered, and remembered for "2" either way;
        a picture as media. Queued and live replies both come here, so both look the same.
        `paged` is SMS's, unused here: a WhatsApp message holds 1,600 characters."""
        assert self.gateway is not None
        await self._remember(person_id, reply)
        content = buttons(reply, self.choice_templates, staff=staff)
        if content is not None:
            template, variables = content
            return await self._sent(
                self.gateway.send_whatsapp(
                    phone, content_sid=template, content_variables=variables
                )
            )
        bodies = render(reply, staff=staff)
        media = await self._picture_link(reply, person_id)
        sid: str | None = None
        for number, body in enumerate(bodies):
            url = media if number == 0 else None
            sid = await self._sent(self.gateway.send_whatsapp(phone, body=body, media_url=url))
        return sid

    async def _remember(self, person_id: int | None, reply: Reply) -> None:
        # Before it goes: an answer sent at once must be read against these options.
        if reply.choices and person_id is not None:
            async with self.writing():
                await remember_choices(self.session_factory, person_id, reply)

    async def _picture_link(self, reply: Reply, person_id: int | None) -> str | None:
        picture = reply.card or reply.picture
        if not picture:
            return None
        png = await draw(picture)
        now = self.clock()
        async with self.writing(), self.session_factory() as session, session.begin():
            kept = await sent_pictures.keep(
                session, person_id=person_id, png=png, now=now, ends=now + LIFETIME
            )
        return f"{self.public_url}/media/{self.links.token(kept, now=now)}"

    async def _sent(self, sending: Awaitable[str]) -> str:
        """Await one Twilio send, its errors as the dispatcher understands them."""
        try:
            return await sending
        except SmsRejected as exc:
            if exc.code in _UNREACHABLE:
                raise Blocked(str(exc)) from exc
            if exc.status == 429 or exc.status >= 500:
                raise RetryLater(f"Twilio {exc.status}") from exc
            raise PermanentFailure(str(exc)) from exc
        except (OSError, TimeoutError) as exc:
            raise RetryLater(type(exc).__name__) from exc
