"""Every Telegram update and every SMS delivered twice at once: each is processed once.

Telegram resends an update when our 200 is slow to arrive, Twilio retries a webhook that timed
out, and both can race the first delivery. The real `serve` process takes 20 mentees on
Telegram and 20 by text through part of their check-in with every delivery doubled; each
answer must be stored once and each question asked once.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.models import Answer, ProcessedInbound
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.twilio_api import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilioAPI
from tests.reliability.cloud import WebhookCloud
from tests.reliability.mentees import (
    Inbox,
    Mentee,
    check_answers,
    mentee_ids,
    phone,
    seed_mentees,
    stored_checkins,
)
from tests.reliability.processes import BotProcess, bot_environment, free_port
from tests.reliability.test_bot_kill import count

pytestmark = pytest.mark.reliability

EACH = 20  # mentees on each channel
ANSWERS = 8


async def test_every_update_and_text_delivered_twice_is_processed_once(
    database_url: str, session_factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    chats = await seed_mentees(session_factory, EACH)
    numbers = [phone(n) for n in await seed_mentees(session_factory, EACH, telegram=False)]
    async with FakeTelegramAPI() as fake, FakeTwilioAPI() as twilio:
        port = free_port()
        twilio_settings = {
            "MENTORBOT_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "MENTORBOT_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "MENTORBOT_TWILIO_FROM_NUMBER": FROM_NUMBER,
            "MENTORBOT_TWILIO_API_URL": twilio.base_url,
        }
        env = bot_environment(
            database_url=database_url, fake=fake, port=port, extra=twilio_settings
        )
        bot = BotProcess("serve", env, tmp_path, port=port)
        await bot.start()
        async with (
            WebhookCloud(port, copies=2) as cloud,
            Inbox(
                fake.sent, lambda sent: sent.chat_id, lambda sent: sent.text or ""
            ) as chat_inbox,
            Inbox(twilio.sent, lambda sms: sms.to, lambda sms: sms.body) as sms_inbox,
        ):

            def on_telegram(index: int, chat: int) -> Mentee:
                async def send(text: str) -> None:
                    await cloud.telegram(fake.user_message(chat, text))

                return Mentee(index, chat, send, chat_inbox)

            def by_text(index: int, number: str) -> Mentee:
                async def send(text: str) -> None:
                    await cloud.sms(number, text)

                # A person takes a moment to read a text before answering it.
                return Mentee(index, number, send, sms_inbox, think=0.5)

            telegram = [on_telegram(i, chat) for i, chat in enumerate(chats)]
            texting = [by_text(EACH + i, number) for i, number in enumerate(numbers)]
            try:
                await asyncio.wait_for(
                    asyncio.gather(
                        *(m.check_in(ANSWERS) for m in telegram),
                        *(m.check_in(ANSWERS, resume="checkin") for m in texting),
                    ),
                    600,
                )
            finally:
                await bot.stop()
    mentees = telegram + texting
    ids = await mentee_ids(session_factory)
    problems = [f"mentee {m.index}: {p}" for m in mentees for p in m.problems]
    problems += check_answers(await stored_checkins(session_factory, ids), ids, ANSWERS)
    deliveries = sum(cloud.statuses.values())
    processed = await count(session_factory, ProcessedInbound)
    print(f"\ndeliveries: {deliveries} (two of each); processed: {processed}")
    assert problems == [], "\n".join(problems[:20]) + "\n" + bot.log_tail()
    print(
        "AGAIN",
        [
            (m.index, m.answered_again, m.asked_again, m.inbox.messages(m.key)[-6:])
            for m in mentees
            if m.answered_again or m.asked_again
        ],
    )
    assert sum(m.answered_again + m.asked_again for m in mentees) == 0  # nothing asked twice
    assert await count(session_factory, Answer) == 2 * EACH * ANSWERS
    assert await count(session_factory, ProcessedInbound) * 2 == deliveries
