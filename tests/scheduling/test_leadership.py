"""One scheduler leads. PostgreSQL: a standby takes over and two dispatchers never collide.
SQLite: a second scheduler refuses to start."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery.telegram import TelegramSender
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.leader import PostgresLeadership, SqliteLeadership
from bot.scheduling.process import run_scheduler
from bot.storage.db import make_engine, make_session_factory
from bot.storage.models import OutboxStatus
from config.settings import SettingsError
from tests.conftest import POSTGRES_URL
from tests.scheduling.conftest import SchedulerWorld
from tests.scheduling.test_dispatcher import queue

postgres_only = pytest.mark.skipif(POSTGRES_URL is None, reason="needs PostgreSQL")
sqlite_only = pytest.mark.skipif(POSTGRES_URL is not None, reason="SQLite behaviour")


@postgres_only
async def test_two_dispatchers_send_every_message_exactly_once(
    world: SchedulerWorld, database_url: str
) -> None:
    await queue(world, 300)
    engines = [make_engine(database_url) for _ in range(2)]
    dispatchers = [
        Dispatcher(
            session_factory=make_session_factory(engine),
            senders=[TelegramSender(world.bot)],
            clock=world.clock,
            quiet=world.jobs.dispatcher.quiet,
            rate_per_second=None,
            per_chat_gap=0,
            batch_size=25,
        )
        for engine in engines
    ]

    async def drain(dispatcher: Dispatcher) -> int:
        total = 0
        while handled := await dispatcher.run_once():
            total += handled
        return total

    shares = await asyncio.gather(*(drain(d) for d in dispatchers))
    for engine in engines:
        await engine.dispose()
    texts = [m.text for m in world.fake.sent]
    assert len(texts) == 300 and len(set(texts)) == 300
    assert sum(shares) == 300 and all(share > 0 for share in shares)  # both took part
    assert {row.status for row in await world.outbox()} == {OutboxStatus.SENT}


@postgres_only
async def test_standby_takes_over_when_the_leader_dies(engine: AsyncEngine) -> None:
    leader, standby = PostgresLeadership(engine), PostgresLeadership(engine)
    assert await leader.acquire()
    assert not await standby.acquire()
    assert leader.connection is not None
    await leader.connection.invalidate()  # the leader's process dies: its connection drops
    leader.connection = None
    assert await standby.acquire()
    assert await standby.still_leading()
    await standby.release()


@sqlite_only
async def test_second_sqlite_scheduler_refuses_to_start(database_url: str) -> None:
    from config.settings import load_settings

    first = SqliteLeadership(database_url)
    assert await first.acquire()
    settings = load_settings(database_url=database_url, telegram_token="123:TEST")
    with pytest.raises(SettingsError, match="Another mentorbot scheduler is already running"):
        await run_scheduler(settings)
    await first.release()
    again = SqliteLeadership(database_url)
    assert await again.acquire()
    await again.release()
