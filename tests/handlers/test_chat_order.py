"""Updates from different chats are handled at once; one chat's always in the order sent."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import CallbackQuery, Chat, Message, Update, User

from bot.flows import texts
from bot.handlers.chat_order import PerChatOrder
from bot.service import MentorService
from bot.storage.models import Answer, OutboxMessage, OutboxStatus
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.handlers.test_telegram import MENTEE, MENTOR, join, running, wait_for_question
from tests.utils import add_staff, question_number


def message_from(chat_id: int, update_id: int) -> Update:
    user = User(chat_id, "Test", is_bot=False)
    chat = Chat(chat_id, Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, datetime.now(UTC), chat, from_user=user))


async def step(name: str, log: list[str], gate: asyncio.Event | None = None) -> None:
    log.append(f"{name} started")
    if gate is not None:
        await gate.wait()
    log.append(f"{name} done")


async def test_a_slow_chat_holds_up_its_own_next_update_and_nobody_elses() -> None:
    processor = PerChatOrder(4)
    log: list[str] = []
    gate = asyncio.Event()
    async with processor:
        first = asyncio.create_task(
            processor.process_update(message_from(1, 1), step("A1", log, gate))
        )
        second = asyncio.create_task(processor.process_update(message_from(1, 2), step("A2", log)))
        await asyncio.sleep(0.01)
        await processor.process_update(message_from(2, 3), step("B1", log))
        assert log == ["A1 started", "B1 started", "B1 done"]
        gate.set()
        await asyncio.gather(first, second)
    assert log[3:] == ["A1 done", "A2 started", "A2 done"]


async def test_no_more_than_the_bound_run_at_once() -> None:
    processor = PerChatOrder(2)
    log: list[str] = []
    gate = asyncio.Event()
    async with processor:
        tasks = [
            asyncio.create_task(
                processor.process_update(message_from(chat, chat), step(f"{chat}", log, gate))
            )
            for chat in (1, 2, 3)
        ]
        await asyncio.sleep(0.01)
        assert log == ["1 started", "2 started"]
        gate.set()
        await asyncio.gather(*tasks)
    assert sorted(log) == sorted(f"{c} {w}" for c in "123" for w in ("started", "done"))


async def test_a_tap_on_a_message_too_old_to_show_is_ordered_by_the_person() -> None:
    processor = PerChatOrder(4)
    log: list[str] = []
    gate = asyncio.Event()
    tap = Update(2, callback_query=CallbackQuery("q1", User(1, "Test", is_bot=False), "ci-1"))
    async with processor:
        first = asyncio.create_task(
            processor.process_update(message_from(1, 1), step("message", log, gate))
        )
        second = asyncio.create_task(processor.process_update(tap, step("tap", log)))
        await asyncio.sleep(0.01)
        assert log == ["message started"]
        gate.set()
        await asyncio.gather(first, second)
    assert log == ["message started", "message done", "tap started", "tap done"]


async def test_answers_typed_quickly_are_kept_in_the_order_typed(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await add_staff(session_factory, service, telegram_user_id=MENTOR)
    async with FakeTelegramAPI() as fake, running(fake, service):
        await join(fake)
        typed = ["yes", "no", "no", "yes", "no"]
        for text in typed:  # all waiting for the bot's next getUpdates: one batch
            fake.user_message(MENTEE, text)
        await wait_for_question(fake, len(typed) + 1)
        asked = [m.text or "" for m in fake.messages_to(MENTEE)[-len(typed) - 1 :]]
    async with session_factory() as session:
        answers = (await session.scalars(select(Answer).order_by(Answer.id))).all()
    assert [answer.value for answer in answers] == [1 if t == "yes" else 0 for t in typed]
    assert [question_number(text) for text in asked] == list(range(1, 7))


async def test_a_mentors_held_up_notice_does_not_hold_up_the_mentee(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    mentor = await add_staff(session_factory, service, telegram_user_id=MENTOR)
    async with FakeTelegramAPI() as fake, running(fake, service):
        fake.user_message(MENTOR, "/invite Sam")
        [invite] = await fake.wait_for_sent(1, chat_id=MENTOR)
        code = re.search(r"start=([A-Z0-9]+)", invite.text or "")
        assert code is not None, invite.text
        # From now on Telegram is slow to answer for the mentor's chat: the notice waits.
        release = fake.hold("sendMessage", MENTOR)
        fake.user_message(MENTEE, f"/start {code.group(1)}")
        consent = (await fake.wait_for_sent(5, chat_id=MENTEE))[-1]
        fake.user_presses(MENTEE, consent.message_id, consent.data_for(texts.CONSENT_YES))
        first = await wait_for_question(fake, 1)
        fake.user_presses(MENTEE, first.message_id, first.data_for("Yes"))
        await wait_for_question(fake, 2)
        assert [m.text for m in fake.messages_to(MENTOR)] == [invite.text]  # still waiting
        release.set()
        notice = (await fake.wait_for_sent(2, chat_id=MENTOR))[-1]
        row = await sent_notice(session_factory, mentor.id)
    assert notice.text == texts.NOTICE_JOINED.format(name="Sam")
    # Sent on its first try: the mentee's question did not wait for it, and it did not wait
    # so long that the bot gave up on Telegram's answer and tried again.
    assert row.attempts == 1 and row.last_error is None


async def sent_notice(
    session_factory: async_sessionmaker[AsyncSession], person_id: int
) -> OutboxMessage:
    for _ in range(100):
        async with session_factory() as session:
            row = await session.scalar(
                select(OutboxMessage).where(OutboxMessage.person_id == person_id)
            )
        if row is not None and row.status is OutboxStatus.SENT:
            return row
        await asyncio.sleep(0.05)
    raise AssertionError(f"the notice was not recorded as sent: {row and row.status}")
