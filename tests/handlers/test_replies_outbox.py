"""Replies through the outbox (docs/decisions.md, "Replies through the outbox").

The reply to a message is queued with the answer it follows and sent at once from memory; these
tests check what a person would notice when that send does not happen: the process dies before
it (the next serve sends the reply, unless the person has moved on), or Telegram fails it (the
dispatcher sends it later). Real PTB against the fake Bot API, the real dispatcher.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import time
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from bot.delivery.reply_payload import keepable, payload_for, reply_from
from bot.delivery.telegram import TelegramSender
from bot.handlers.polling import StoringPoller, replay_kept
from bot.instruments import Instrument
from bot.messages import Channel, Choice, Document, InboundMessage, Reply, Sender
from bot.reports.charts import Panel, Series
from bot.reports.outcome_chart import OutcomesChart
from bot.reports.plan_card import CardGoal, PlanCard
from bot.scheduling import replies
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.quiet import QuietHours
from bot.service import MentorService
from bot.storage.models import OutboxMessage, OutboxStatus
from tests.conftest import LONDON, FakeClock, make_service
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.handlers.channels import kept_polling
from tests.handlers.test_telegram import telegram_app
from tests.reliability.mentees import seed_mentees
from tests.utils import overall_number


async def reply_rows(session_factory: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with session_factory() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == "reply")
        return list((await session.execute(query.order_by(OutboxMessage.id))).scalars())


@asynccontextmanager
async def dispatcher_over(
    fake: FakeTelegramAPI, service: MentorService
) -> AsyncIterator[Dispatcher]:
    async with telegram_app(fake, service) as application:
        yield Dispatcher(
            session_factory=service.session_factory,
            senders=[TelegramSender(application.bot)],
            clock=service.clock,
            quiet=QuietHours(time(21), time(8), LONDON),
            rate_per_second=None,
            per_chat_gap=0,
        )


def typed(chat: int, text: str) -> InboundMessage:
    return InboundMessage(Sender(Channel.TELEGRAM, str(chat), chat_id=chat), text=text)


def questions(fake: FakeTelegramAPI, chat: int) -> list[int]:
    """The numbers of the questions the chat was asked, in order (other messages left out)."""
    numbers = [overall_number(m.text or "") for m in fake.messages_to(chat)]
    return [number for number in numbers if number is not None]


async def test_a_reply_is_queued_with_the_answer_and_marked_sent_once_it_has_gone(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    [chat] = await seed_mentees(session_factory, 1)
    async with FakeTelegramAPI() as fake, kept_polling(telegram_app(fake, service), service):
        fake.user_message(chat, "/checkin")
        await fake.wait_for_sent(1, chat_id=chat)
        fake.user_message(chat, "1")
        await fake.wait_until(lambda: 2 in questions(fake, chat), what="question 2")
        await service.replies.close()
    rows = await reply_rows(session_factory)
    assert [overall_number(row.text) for row in rows] == [None, 1, 2]  # the intro, 1, 2
    assert {(row.status, row.channel) for row in rows} == {(OutboxStatus.SENT, "telegram")}


async def test_a_reply_telegram_fails_goes_back_to_the_outbox_and_the_dispatcher_sends_it(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    [chat] = await seed_mentees(session_factory, 1)
    async with FakeTelegramAPI() as fake, kept_polling(telegram_app(fake, service), service):
        fake.fail_next("sendMessage", error_code=502, description="Bad Gateway")
        fake.user_message(chat, "/checkin")
        await fake.wait_until(lambda: len(fake.calls_of("sendMessage")) == 1, what="a try")
        await asyncio.sleep(0.2)
        rows = await reply_rows(session_factory)  # the intro failed; question 1 waits too
        assert [row.status for row in rows] == [OutboxStatus.PENDING] * 2
        assert rows[0].last_error and fake.messages_to(chat) == []
        async with dispatcher_over(fake, service) as dispatcher:
            await dispatcher.run_once()
    assert [m.text for m in fake.messages_to(chat)] == [row.text for row in rows]  # in order
    rows = await reply_rows(session_factory)
    assert [row.status for row in rows] == [OutboxStatus.SENT] * 2


async def test_replies_a_dead_process_left_unsent_are_sent_by_the_next_unless_superseded(
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
    clock: FakeClock,
) -> None:
    first, second = await seed_mentees(session_factory, 2)
    dead = make_service(session_factory, instruments, clock)
    # The process handles three messages and dies before sending any reply.
    for chat in (first, second):
        assert await dead.handle(typed(chat, "/checkin"), external_id=f"{chat}-1") is not None
    clock.advance(seconds=5)
    await dead.handle(typed(second, "1"), external_id=f"{second}-2")  # saw question 1 after all
    clock.advance(seconds=5)
    restarted = make_service(session_factory, instruments, clock)
    async with FakeTelegramAPI() as fake, dispatcher_over(fake, restarted) as dispatcher:
        recovered = await replies.recover(dispatcher, started=clock(), after=0)
    assert recovered == 5  # the intro and question 1 to each, question 2 to the second
    assert questions(fake, first) == [1]  # never sent: sent now, with its buttons
    assert fake.messages_to(first)[-1].button_labels
    assert questions(fake, second) == [2]  # question 1 was answered: only where they are now
    assert len(fake.messages_to(second)) == 1
    skipped = [row for row in await reply_rows(session_factory) if row.status == "skipped"]
    assert len(skipped) == 2 and skipped[0].last_error == "superseded by a newer reply"


async def test_a_copy_of_a_message_after_a_restart_does_not_send_its_replies_again(
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
    clock: FakeClock,
) -> None:
    """Its reply may have gone out unmarked just before the restart: the next serve's
    recovery decides, once the person's next message has had time to supersede it."""
    [chat] = await seed_mentees(session_factory, 1)
    dead = make_service(session_factory, instruments, clock)
    assert await dead.handle(typed(chat, "/checkin"), external_id="7") is not None
    restarted = make_service(session_factory, instruments, clock)
    assert await restarted.handle(typed(chat, "/checkin"), external_id="7") is None
    rows = await reply_rows(session_factory)
    assert [row.status for row in rows] == [OutboxStatus.REPLYING] * 2


async def test_a_polled_update_kept_but_never_handled_is_handled_after_a_restart(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    [chat] = await seed_mentees(session_factory, 1)
    async with FakeTelegramAPI() as fake:
        update = fake.user_message(chat, "/checkin")
        # The poller kept the batch, confirmed it to Telegram, then the process died.
        await service.store_telegram_updates([(update["update_id"], update)])
        async with Bot(fake.token, base_url=fake.base_url) as bot:
            await bot.get_updates(offset=update["update_id"] + 1, timeout=0)
        application = telegram_app(fake, service)
        async with kept_polling(application, service):
            assert await replay_kept(application, service) == 1
            await fake.wait_until(lambda: questions(fake, chat) == [1], what="question 1")


async def test_a_stop_while_a_batch_is_being_kept_keeps_it_for_the_next_start(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    [chat] = await seed_mentees(session_factory, 1)
    keeping, go_on = asyncio.Event(), asyncio.Event()
    store = service.store_telegram_updates

    async def slow_store(updates: list[tuple[int, dict[str, Any]]]) -> None:
        keeping.set()
        await go_on.wait()  # a slow commit, as a busy database gives
        await store(updates)

    monkeypatch.setattr(service, "store_telegram_updates", slow_store)
    async with FakeTelegramAPI() as fake, telegram_app(fake, service) as application:
        poller = StoringPoller(application, service, allowed_updates=["message"], timeout=1)
        await poller.start()
        fake.user_message(chat, "/checkin")
        await keeping.wait()
        stopping = asyncio.create_task(poller.stop())
        await asyncio.sleep(0.1)
        assert not stopping.done()  # waits for the batch rather than cancel its write
        go_on.set()
        await asyncio.wait_for(stopping, 5)
    [kept] = await service.unprocessed_telegram_updates()
    assert kept["message"]["text"] == "/checkin"  # handed to PTB by the next start


def test_a_reply_survives_the_outbox_as_it_was_made() -> None:
    panel = Panel(
        title="Your recovery strengths",
        categories=("Drug use", "Mood"),
        series=(Series("Now (8 Dec)", (3.0, math.nan)),),
        scale_min=1,
        scale_max=5,
        marks=("strongest", ""),
        note="Based on 1 of 2 answers",
    )
    card = PlanCard(
        title="Your plan",
        priorities_heading="What matters",
        priorities=("Housing",),
        goals_heading="Goals",
        goals=(CardGoal("Call the council", 1, 3, ("Next step: ring",)),),
        no_goals="",
        meeting="Wed 4 Mar",
    )
    made = [
        Reply(
            "Pick one", choices=(Choice("Yes", "y"),), token="t1", controls=(Choice("Back", "b"),)
        ),
        Reply("Your results", picture=(panel,)),
        Reply("Your plan", card=card),
        Reply("Share your number", ask_contact=True),
    ]
    for reply in made:
        stored = json.loads(json.dumps(payload_for(reply)))  # as EncryptedJSON keeps it
        again = reply_from(reply.text, stored)
        assert repr(again) == repr(reply)  # NaN != NaN, so compare what it shows
    assert not keepable(Reply("Your data", document=Document("my-data.json", b"{}")))
    assert not keepable(Reply("Report", card=OutcomesChart(())))
