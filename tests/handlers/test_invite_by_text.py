"""/invite on Telegram names the way to join by text when the service can text (Twilio is set).

Built by the composition root from settings, as `mentorbot serve` builds it, so the number shown
is the one the settings give Twilio to send from.
"""

from __future__ import annotations

import re

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from bot.app import build_service, build_web
from bot.flows import texts
from bot.service import MentorService
from tests.conftest import FakeClock
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.twilio_api import FakeTwilioAPI, form, inbound_params, signed
from tests.handlers.test_sms import PUBLIC
from tests.handlers.test_telegram import MENTEE, MENTOR, running
from tests.utils import add_staff


async def test_invite_shows_text_join_and_the_number_when_sms_is_set_up(
    database_url: str, clock: FakeClock
) -> None:
    async with FakeTelegramAPI() as fake, FakeTwilioAPI() as twilio:
        settings = twilio.settings(
            database_url=database_url,
            telegram_token=fake.token,
            telegram_api_url=fake.base_url,
            telegram_mode="polling",
            public_url=PUBLIC,
        )
        engine, service = build_service(settings, clock=clock)
        await add_staff(service.session_factory, service, telegram_user_id=MENTOR)
        web = build_web(settings, engine, service)
        async with web.router.lifespan_context(web):
            fake.user_message(MENTOR, "/invite Sam")
            [invite] = await fake.wait_for_sent(1, chat_id=MENTOR)
            code = re.search(r"Code: ([A-Z0-9]+)", invite.text or "")
            assert code is not None, invite.text
            # A mentee without Telegram does what the line says, and is asked to agree.
            params = {"From": "+447700900123", "Body": f"JOIN {code.group(1)}"}
            await _text_in(web, params)
            await twilio.wait_for("+447700900123", 5)
        await engine.dispose()
    assert f"By text: they send JOIN {code.group(1)} to 07700 900000" in (invite.text or "")
    assert f"(they send /start {code.group(1)})" in (invite.text or "")  # Telegram's wording
    assert twilio.to("+447700900123")[-1].startswith(texts.ASK_CONSENT)


async def _text_in(web: Starlette, params: dict[str, str]) -> None:
    full = inbound_params("SM" + "7" * 32, params["From"], params["Body"])
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        response = await client.post(
            "/twilio/sms", content=form(full), headers=signed(f"{PUBLIC}/twilio/sms", full)
        )
    assert response.status_code == 200


async def test_without_sms_invite_and_strangers_keep_the_telegram_words(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await add_staff(session_factory, service, telegram_user_id=MENTOR)
    async with FakeTelegramAPI() as fake, running(fake, service):
        fake.user_message(MENTOR, "/invite Sam")
        [invite] = await fake.wait_for_sent(1, chat_id=MENTOR)
        fake.user_message(MENTEE, "hello")
        [stranger] = await fake.wait_for_sent(1, chat_id=MENTEE)
    assert "JOIN" not in (invite.text or "") and "/start" in (invite.text or "")
    assert stranger.text == texts.START_NEEDS_CODE
