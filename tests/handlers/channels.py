"""One way in and out per channel, for tests that drive mentees through the real adapters.

Telegram in polling mode (serve's StoringPoller against the fake Bot API), Telegram in webhook mode
(updates posted to our ASGI app, and posted again on a 503 as Telegram does), and SMS (signed
Twilio webhooks in, the real twilio client out to the fake REST API). Each gives what a
simulated person needs (tests/reliability/mentees.py): a way to send, and an inbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import time
from typing import Any

import httpx

from bot.delivery.sms import SmsSender
from bot.delivery.twilio_gateway import TwilioGateway
from bot.handlers.polling import StoringPoller
from bot.handlers.sms import SmsWebhook
from bot.handlers.telegram import build_application
from bot.handlers.web import SECRET_HEADER, TelegramWebhook, create_web_app
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.quiet import QuietHours
from bot.service import MentorService
from tests.conftest import LONDON
from tests.fakes.telegram_api import AnyApplication, FakeTelegramAPI, polling
from tests.fakes.twilio_api import AUTH_TOKEN, FakeTwilioAPI, form, inbound_params, signed
from tests.reliability.mentees import Inbox, phone

CHANNELS = ["polling", "webhook", "sms"]
SECRET = "webhook-secret-for-tests"
PUBLIC = "https://bot.example.org"
Send = Callable[[str], Awaitable[None]]


@dataclass
class Channel:
    name: str
    inbox: Inbox
    _send: Callable[[int, str], Awaitable[None]]

    @property
    def resume(self) -> str:
        return "checkin" if self.name == "sms" else "/checkin"

    def key(self, address: int) -> object:
        """Whom the inbox files this person's messages under."""
        return phone(address) if self.name == "sms" else address

    def sender(self, address: int) -> Send:
        async def send(text: str) -> None:
            await self._send(address, text)

        return send


@contextlib.asynccontextmanager
async def kept_polling(
    application: AnyApplication, service: MentorService
) -> AsyncIterator[list[BaseException]]:
    """The application fed by serve's own poller (bot/handlers/polling.py), as in production;
    like the fake's `polling`, the block fails if a handler raised."""
    poller = StoringPoller(
        application, service, allowed_updates=["message", "callback_query"], timeout=1
    )
    async with polling(application, updater=poller) as errors:
        yield errors


@contextlib.asynccontextmanager
async def channel(name: str, service: MentorService) -> AsyncIterator[Channel]:
    if name == "sms":
        async with _sms(service) as way:
            yield way
        return
    async with FakeTelegramAPI() as fake:
        application = build_application(
            token=fake.token,
            base_url=fake.base_url,
            service=service,
            send_rate_per_second=1000,
            concurrent_updates=8,
            quiet=QuietHours(time(21), time(8), LONDON),
        )
        inbox = Inbox(fake.sent, lambda sent: sent.chat_id, lambda sent: sent.text or "")
        if name == "polling":

            async def typed(chat: int, text: str) -> None:
                fake.user_message(chat, text)

            async with kept_polling(application, service), inbox:
                yield Channel(name, inbox, typed)
            return
        webhook = TelegramWebhook(service=service, application=application, secret=SECRET)
        transport = httpx.ASGITransport(app=create_web_app(webhook=webhook))
        client = httpx.AsyncClient(transport=transport, base_url="http://bot")
        way = Channel(name, inbox, _posted(client, fake))
        async with client, application, inbox:
            await application.start()
            try:
                yield way
            finally:
                await application.stop()


def _posted(client: httpx.AsyncClient, fake: FakeTelegramAPI) -> Callable[[int, str], Any]:
    async def post(chat: int, text: str) -> None:
        update = fake.user_message(chat, text)
        # Telegram keeps an update until the webhook answers 2xx (503 while the database is
        # away), and sends it again.
        headers = {SECRET_HEADER: SECRET}
        while True:
            response = await client.post("/telegram/webhook", json=update, headers=headers)
            if response.status_code == 200:
                return
            await asyncio.sleep(0.1)

    return post


@contextlib.asynccontextmanager
async def _sms(service: MentorService) -> AsyncIterator[Channel]:
    async with FakeTwilioAPI() as twilio:
        settings = twilio.settings(public_url=PUBLIC)
        gateway = TwilioGateway(settings)
        sender = SmsSender(gateway, service.session_factory, service.writing)
        dispatcher = Dispatcher(
            session_factory=service.session_factory,
            senders=[sender],
            clock=service.clock,
            quiet=QuietHours.from_settings(settings),
            rate_per_second=None,
            per_chat_gap=0,
        )
        webhook = SmsWebhook(
            service=service, auth_token=AUTH_TOKEN, public_url=PUBLIC, dispatcher=dispatcher
        )
        webhook.sms = sender
        transport = httpx.ASGITransport(app=create_web_app(sms=webhook))
        sids = itertools.count(1)

        async def text(address: int, body: str) -> None:
            params = inbound_params(f"SM{next(sids):032d}", phone(address), body)
            headers = signed(f"{PUBLIC}/twilio/sms", params)
            response = await client.post("/twilio/sms", content=form(params), headers=headers)
            assert response.status_code == 200

        inbox = Inbox(twilio.sent, lambda sms: sms.to, lambda sms: sms.body)
        async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
            async with inbox:
                yield Channel("sms", inbox, text)
            await webhook.drain()
        await gateway.close()
