"""A commit lost in flight never puts an answer on the wrong question (issue 20).

The bot reaches PostgreSQL through the fault suite's proxy (tests/reliability/proxy.py), which
lets the COMMIT of every third answer reach the server and, once it has committed, resets the
connection instead of passing on the result. The bot sees an error for an answer that is
stored. Mentees answer by Telegram (polling and webhook) and by text, one after another so the
run is the same every time; each must end with every answer stored once, at the right
question, never told to try again nor left waiting. PostgreSQL only: SQLite has no connection
to lose.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import texts
from bot.instruments import Instrument
from bot.service import MentorService
from bot.storage.db import make_engine, make_session_factory
from tests.conftest import POSTGRES_URL, FakeClock, close_services, make_service
from tests.handlers.channels import CHANNELS, Channel, channel
from tests.reliability.mentees import (
    Mentee,
    check_answers,
    mentee_ids,
    option_for,
    seed_mentees,
    stored_checkins,
)
from tests.reliability.proxy import CuttableProxy, through
from tests.utils import overall_number

pytestmark = pytest.mark.skipif(
    POSTGRES_URL is None, reason="PostgreSQL only: SQLite has no connection to lose mid-commit"
)

MENTEES = 2
ANSWERS = 6
EVERY = 3  # every third answer's commit is lost in flight
ANSWER_SQL = b"INSERT INTO answers"
PATIENCE = 10.0  # seconds a mentee waits for the next question before asking again


@pytest.fixture
async def proxy(database_url: str) -> AsyncIterator[CuttableProxy]:
    target = make_url(database_url)
    proxy = CuttableProxy(target.host or "127.0.0.1", target.port or 5432)
    await proxy.start()
    yield proxy
    await proxy.close()


@pytest.fixture
async def service(
    database_url: str, proxy: CuttableProxy, instruments: dict[str, Instrument]
) -> AsyncIterator[MentorService]:
    """The bot's service, its database behind the proxy; the test reads past it."""
    engine = make_engine(through(proxy, database_url))
    factory = make_session_factory(engine)
    yield make_service(factory, instruments, FakeClock(datetime.now(UTC)))
    await close_services(factory)
    await engine.dispose()


def outage(proxy: CuttableProxy, seconds: float, restored: list[asyncio.Task[None]]) -> None:
    """The database away for `seconds`, from now: no connection gets through meanwhile."""
    proxy.refuse()
    loop = asyncio.get_running_loop()
    loop.call_later(seconds, lambda: restored.append(loop.create_task(proxy.restore())))


async def check_ins(way: Channel, addresses: list[int]) -> list[Mentee]:
    mentees = []
    for index, address in enumerate(addresses):
        mentee = Mentee(
            index, way.key(address), way.sender(address), way.inbox, PATIENCE, retry_wait=0.05
        )
        # A text's options are kept just after it is sent: a person takes a moment to read it.
        mentee.think = 0.1 if way.name == "sms" else 0.0
        await mentee.check_in(ANSWERS, resume=way.resume)
        mentees.append(mentee)
    return mentees


async def problems(
    session_factory: async_sessionmaker[AsyncSession], mentees: list[Mentee]
) -> list[str]:
    found = [f"mentee {m.index}: {problem}" for m in mentees for problem in m.problems]
    ids = await mentee_ids(session_factory)
    found += check_answers(await stored_checkins(session_factory, ids), ids, ANSWERS)
    if sum(m.asked_again + m.answered_again for m in mentees):
        found.append("a mentee was left waiting, or asked a question twice")
    return found


@pytest.mark.parametrize("name", CHANNELS)
async def test_an_answer_stored_as_its_commit_fails_is_not_answered_again(
    name: str,
    proxy: CuttableProxy,
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    addresses = await seed_mentees(session_factory, MENTEES, telegram=name != "sms")
    restored: list[asyncio.Task[None]] = []

    # After the second lost commit the database is away for a second as well: that message is
    # held, the person told it is being saved, and its question sent once the database is back.
    def then() -> None:
        if trap.dropped == 2:
            outage(proxy, 1.0, restored)

    trap = proxy.drop_after_commit(ANSWER_SQL, every=EVERY, then=then)
    async with channel(name, service) as way:
        mentees = await check_ins(way, addresses)
        saving = [
            text
            for address in addresses
            for text in way.inbox.messages(way.key(address))
            if text == texts.SAVING_YOUR_ANSWER
        ]
    await asyncio.gather(*restored)
    assert await problems(session_factory, mentees) == []
    assert trap.dropped == MENTEES * ANSWERS // EVERY
    assert sum(m.told_to_retry for m in mentees) == 0
    assert len(saving) == 1
    assert service.held.count() == 0


@pytest.mark.parametrize("name", ["polling", "webhook"])
async def test_a_kept_update_handled_again_sends_the_replies_its_lost_commit_stored(
    name: str,
    proxy: CuttableProxy,
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """With no room to hold, the update is handled again a few seconds later; its claim says
    it was handled, and the replies that commit queued are sent from the outbox."""
    addresses = await seed_mentees(session_factory, 1, telegram=True)
    service.held.most = 0
    trap = proxy.drop_after_commit(ANSWER_SQL, every=EVERY)
    async with channel(name, service) as way:
        mentees = await check_ins(way, addresses)
    assert await problems(session_factory, mentees) == []
    assert trap.dropped == ANSWERS // EVERY
    assert sum(m.told_to_retry for m in mentees) == 0


# Telegram updates are kept (webhook and polling alike) and handled again, never "try again".
@pytest.mark.parametrize("name", ["sms"])
async def test_the_same_answer_sent_after_try_again_is_known_as_a_repeat(
    name: str,
    proxy: CuttableProxy,
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    addresses = await seed_mentees(session_factory, MENTEES, telegram=name != "sms")
    service.held.most = 0  # no room to hold a message: the person is told to try again
    trap = proxy.drop_after_commit(ANSWER_SQL, every=EVERY)
    async with channel(name, service) as way:
        mentees = await check_ins(way, addresses)
        repeats = sum(
            way.inbox.messages(way.key(address)).count(texts.GOT_IT_ALREADY)
            for address in addresses
        )
    assert await problems(session_factory, mentees) == []
    assert sum(m.told_to_retry for m in mentees) == trap.dropped == MENTEES * ANSWERS // EVERY
    assert repeats == trap.dropped


@pytest.mark.parametrize("name", ["polling", "sms"])  # a webhook update waits for the database
async def test_the_same_answer_sent_while_held_is_known_as_a_repeat(
    name: str,
    proxy: CuttableProxy,
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    [address] = await seed_mentees(session_factory, 1, telegram=name != "sms")

    def away() -> None:  # the second answer's commit is lost, and the database stays away
        proxy.trap = None
        proxy.refuse()

    proxy.drop_after_commit(ANSWER_SQL, every=2, then=away)
    async with channel(name, service) as way:
        send, key = way.sender(address), way.key(address)

        async def shown(wanted: str | int) -> None:
            def seen() -> bool:
                latest = (way.inbox.messages(key) or [""])[-1]
                return latest == wanted or overall_number(latest) == wanted

            async with asyncio.timeout(PATIENCE):
                while True:
                    news = way.inbox.event(key)
                    news.clear()
                    if seen():
                        return
                    await news.wait()

        await send(way.resume)
        await shown(1)
        await send(str(option_for(0, 1)))
        await shown(2)
        await send(str(option_for(0, 2)))  # stored, but the bot does not know yet
        await shown(texts.SAVING_YOUR_ANSWER)
        await send(str(option_for(0, 2)))  # impatient: the same again, held behind the first
        await asyncio.sleep(0.3)
        await proxy.restore()
        await shown(texts.GOT_IT_ALREADY)
        await send(str(option_for(0, 3)))
        await shown(4)
        seen = way.inbox.messages(key)
    assert seen[-4:-1] == [texts.SAVING_YOUR_ANSWER, seen[-3], texts.GOT_IT_ALREADY]
    assert overall_number(seen[-3]) == 3
    ids = await mentee_ids(session_factory)
    assert check_answers(await stored_checkins(session_factory, ids), ids, 3) == []
