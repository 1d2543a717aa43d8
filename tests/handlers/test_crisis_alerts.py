"""On Telegram end to end: crisis alerts are picked up by name, and serve keeps re-alerting
when the scheduler has stopped; /healthz says when the scheduler has gone quiet."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from functools import partial

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import texts
from bot.handlers.health import HealthCheck
from bot.handlers.web import create_web_app
from bot.service import MentorService
from bot.storage import heartbeat
from bot.storage.models import Role
from tests.conftest import FakeClock
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.handlers import test_telegram as tg
from tests.utils import add_staff

Sessions = async_sessionmaker[AsyncSession]
SUPERVISOR = 3003
REALERT = "URGENT, not picked up after 30 minutes: Sam"


async def staff_on_telegram(sessions: Sessions, service: MentorService) -> None:
    await add_staff(sessions, service, telegram_user_id=tg.MENTOR)
    await add_staff(
        sessions, service, name="Pat", role=Role.SUPERVISOR, telegram_user_id=SUPERVISOR
    )


def texts_to(fake: FakeTelegramAPI, chat: int) -> list[str]:
    return [m.text or "" for m in fake.messages_to(chat)]


def received(fake: FakeTelegramAPI, chat: int, start: str) -> bool:
    return any(text.startswith(start) for text in texts_to(fake, chat))


async def crisis(fake: FakeTelegramAPI) -> None:
    """Sam (joined) says it; the mentor and the supervisor are alerted at once."""
    fake.user_message(tg.MENTEE, "I want to kill myself")
    for chat in (tg.MENTOR, SUPERVISOR):
        await fake.wait_until(partial(received, fake, chat, "URGENT: Sam"))


async def beat(sessions: Sessions, at: datetime) -> None:
    async with sessions() as session, session.begin():
        await heartbeat.beat(session, at)


async def test_ack_sam_picks_up_the_alert_and_everyone_alerted_hears_who(
    service: MentorService, session_factory: Sessions
) -> None:
    await staff_on_telegram(session_factory, service)
    async with FakeTelegramAPI() as fake, tg.running(fake, service):
        await tg.join(fake)
        await crisis(fake)
        fake.user_message(tg.MENTOR, "/ack Sam")
        await fake.wait_until(
            lambda: texts_to(fake, tg.MENTOR)[-1] == texts.ACK_DONE.format(name="Sam")
        )
        picked = texts.CRISIS_PICKED_UP.format(staff="Alex", name="Sam")
        await fake.wait_until(lambda: texts_to(fake, SUPERVISOR)[-1] == picked)
        assert picked not in texts_to(fake, tg.MENTOR)


async def test_serve_sends_the_realert_once_when_the_scheduler_has_stopped(
    database_url: str, service: MentorService, session_factory: Sessions, clock: FakeClock
) -> None:
    from bot.app import build_web
    from bot.storage.db import make_engine
    from config.settings import load_settings

    await staff_on_telegram(session_factory, service)
    await beat(session_factory, clock.now)  # the scheduler ran, then stopped
    async with FakeTelegramAPI() as fake:
        settings = load_settings(
            database_url=database_url,
            telegram_token=fake.token,
            telegram_api_url=fake.base_url,
            telegram_mode="polling",
        )
        web = build_web(settings, make_engine(database_url), service)
        watchman = web.state.watchman
        watchman.interval = 0.05
        async with web.router.lifespan_context(web):
            await tg.join(fake)
            await crisis(fake)
            # The scheduler still beats: its beat is written before the clock moves, so that
            # serve's watchman, checking every 0.05 s, never sees a silent moment in between.
            await beat(session_factory, clock.now + timedelta(minutes=28))
            clock.advance(minutes=31)
            await asyncio.sleep(0.5)
            assert not any(REALERT in t for t in texts_to(fake, SUPERVISOR))
            clock.advance(minutes=3)  # the last beat is now 6 minutes old: serve steps in
            for chat in (tg.MENTOR, SUPERVISOR):
                await fake.wait_until(partial(received, fake, chat, REALERT))
            await asyncio.sleep(0.5)  # ten more checks by serve
            await asyncio.gather(watchman.check(), watchman.check())  # and two at once
            await asyncio.sleep(0.2)
            for chat in (tg.MENTOR, SUPERVISOR):
                assert sum(t.startswith(REALERT) for t in texts_to(fake, chat)) == 1


async def healthz(sessions: Sessions, clock: FakeClock) -> httpx.Response:
    web = create_web_app(health=HealthCheck(sessions, clock))
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        return await client.get("/healthz")


async def test_healthz_reports_the_heartbeat_and_is_503_when_it_is_stale(
    session_factory: Sessions, clock: FakeClock
) -> None:
    never = await healthz(session_factory, clock)
    assert never.status_code == 503
    assert never.json()["scheduler_heartbeat"] is None
    await beat(session_factory, clock.now)
    clock.advance(seconds=119)
    fresh = await healthz(session_factory, clock)
    assert fresh.status_code == 200
    assert fresh.json() == {
        "status": "ok",
        "database": "ok",
        "scheduler_heartbeat": (clock.now - timedelta(seconds=119)).isoformat(),
        "scheduler_heartbeat_age_seconds": 119,
    }
    clock.advance(seconds=2)
    stale = await healthz(session_factory, clock)
    assert stale.status_code == 503
    assert stale.json()["status"] == "scheduler silent"
    assert stale.json()["scheduler_heartbeat_age_seconds"] == 121
