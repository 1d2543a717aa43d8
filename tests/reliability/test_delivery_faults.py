"""A 30-second 429 storm, then 10% random 5xx, from both the Bot API and Twilio.

The dispatcher sends 700 queued messages (500 on Telegram, 200 by text) through the real PTB
Bot and the real twilio client to the fakes. Every one must end either delivered exactly once
or recorded as failed with the reason. The clock is a test clock moved a second at a time, so
the storm lasts 30 seconds of the dispatcher's time without the test waiting for them.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from bot.delivery.sms import SmsSender
from bot.delivery.telegram import TelegramSender
from bot.delivery.twilio_gateway import TwilioGateway
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.quiet import QuietHours
from bot.storage.models import OutboxMessage, OutboxStatus, Person, PersonStatus, Role
from tests.conftest import FakeClock
from tests.fakes.telegram_api import FakeTelegramAPI, Fault
from tests.fakes.twilio_api import (
    FakeTwilioAPI,
    TwilioFault,
)
from tests.reliability.mentees import phone

pytestmark = pytest.mark.reliability

TELEGRAM, SMS = 500, 200
STORM = timedelta(seconds=30)
ERROR_RATE = 0.10


async def queue(session_factory: async_sessionmaker[AsyncSession], now: datetime) -> None:
    """One message each for 500 people on Telegram and 200 reachable only by text."""
    rows = [
        {"telegram_user_id": 9_000_001 + n, "telegram_chat_id": 9_000_001 + n}
        for n in range(TELEGRAM)
    ] + [{"phone": phone(n)} for n in range(SMS)]
    async with session_factory() as session, session.begin():
        people = list(
            (
                await session.execute(
                    insert(Person).returning(Person.id),
                    [
                        {
                            "role": Role.MENTEE,
                            "display_name": "Someone",
                            "status": PersonStatus.ACTIVE,
                            "created_at": now,
                            "telegram_user_id": None,
                            "telegram_chat_id": None,
                            "phone": None,
                        }
                        | row
                        for row in rows
                    ],
                )
            ).scalars()
        )
        await session.execute(
            insert(OutboxMessage),
            [
                {
                    "person_id": person_id,
                    "idempotency_key": f"storm:{n}",
                    "kind": "test",
                    "text": f"Message {n}",
                    "status": OutboxStatus.PENDING,
                    "respect_quiet_hours": False,
                    "not_before": now,
                    "attempts": 0,
                    "created_at": now,
                }
                for n, person_id in enumerate(people)
            ],
        )


async def test_429_storm_and_random_5xx_end_delivered_once_or_failed_with_a_reason(
    database_url: str, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    clock = FakeClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    storm_ends = clock.now + STORM
    dice = random.Random(9)  # the same faults on every run

    def telegram_fault(method: str) -> Fault | None:
        if method != "sendMessage":
            return None
        if clock.now < storm_ends:
            return Fault(429, "Too Many Requests: retry after 5", 5)
        if dice.random() < ERROR_RATE:
            return Fault(dice.choice([500, 502]), "Internal Server Error", None)
        return None

    def twilio_fault() -> TwilioFault | None:
        if clock.now < storm_ends:
            return TwilioFault(429, 20429, "Too Many Requests")
        if dice.random() < ERROR_RATE:
            return TwilioFault(dice.choice([500, 503]), 20500, "Internal Server Error")
        return None

    await queue(session_factory, clock.now)
    async with FakeTelegramAPI() as fake, FakeTwilioAPI() as twilio:
        fake.fault, twilio.fault = telegram_fault, twilio_fault
        settings = twilio.settings(database_url=database_url)
        gateway = TwilioGateway(settings)
        async with Bot(fake.token, base_url=fake.base_url) as bot:
            dispatcher = Dispatcher(
                session_factory=session_factory,
                senders=[TelegramSender(bot), SmsSender(gateway, session_factory)],
                clock=clock,
                quiet=QuietHours.from_settings(settings),
                rate_per_second=None,
                per_chat_gap=0,
            )
            for _ in range(1200):  # twenty minutes of dispatcher time, a second at a time
                while await dispatcher.run_once():
                    pass
                if not await unfinished(session_factory):
                    break
                clock.advance(seconds=1)
        await gateway.close()
    rows = await outbox(session_factory)
    by_status = Counter(row.status for row in rows)
    received = Counter([m.text for m in fake.sent] + [sms.body for sms in twilio.sent])
    print(
        f"\nended: {dict(by_status)}; reasons for failure: "
        f"{Counter(row.last_error for row in rows if row.status is OutboxStatus.FAILED)}"
    )
    assert set(by_status) <= {OutboxStatus.SENT, OutboxStatus.FAILED}
    assert by_status[OutboxStatus.SENT] > 0.95 * (TELEGRAM + SMS)
    for row in rows:
        if row.status is OutboxStatus.SENT:
            assert received[row.text] == 1, row.text  # delivered, once
        else:
            assert received[row.text] == 0 and row.last_error, row.text  # failed, and why
    assert set(received) <= {row.text for row in rows}


async def unfinished(session_factory: async_sessionmaker[AsyncSession]) -> bool:
    return any(
        row.status in (OutboxStatus.PENDING, OutboxStatus.SENDING)
        for row in await outbox(session_factory)
    )


async def outbox(session_factory: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with session_factory() as session:
        return list((await session.execute(select(OutboxMessage))).scalars())
