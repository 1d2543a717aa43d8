"""A meeting's whole life over Telegram: booked, confirmed by button, reminded, and recorded.

The bot process (PTB Application, polling) and the scheduler (materialiser and dispatcher over
their own PTB Bot) both talk to the fake Bot API, as two processes would in production.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from bot.delivery.telegram import TelegramSender
from bot.flows import texts
from bot.instruments import Instrument
from bot.scheduling.process import build_jobs
from bot.storage.models import Meeting, MeetingOutcome, MeetingStatus
from config.settings import load_settings
from tests.conftest import FakeClock, make_service
from tests.fakes.telegram_api import FakeTelegramAPI, SentMessage
from tests.handlers.test_telegram import MENTEE, MENTOR, join, running
from tests.scheduling.conftest import local
from tests.utils import add_staff


async def newest(fake: FakeTelegramAPI, chat: int, text: str) -> SentMessage:
    await fake.wait_until(
        lambda: any(text in (m.text or "") for m in fake.messages_to(chat)), what=repr(text)
    )
    return next(m for m in reversed(fake.messages_to(chat)) if text in (m.text or ""))


async def test_book_confirm_remind_and_record(
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
) -> None:
    clock = FakeClock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))  # Monday 2 March, 10:00
    service = make_service(session_factory, instruments, clock)
    await add_staff(session_factory, service, telegram_user_id=MENTOR)
    settings = load_settings(database_url=database_url)
    async with FakeTelegramAPI() as fake, running(fake, service):
        await join(fake)
        # The mentor books Wednesday 4 March at 14:00 at the Hub clinic, by buttons.
        fake.user_message(MENTOR, "/meet Sam")
        day = await newest(fake, MENTOR, "Which day?")
        fake.user_presses(MENTOR, day.message_id, day.data_for("Wed 4 Mar"))
        hour = await newest(fake, MENTOR, "what time?")
        fake.user_presses(MENTOR, hour.message_id, hour.data_for("14:00"))
        where = await newest(fake, MENTOR, texts.MEET_WHERE)
        place = where.button_labels[0]
        fake.user_presses(MENTOR, where.message_id, where.data_for(place))
        await newest(fake, MENTOR, "Booked: Sam, Wed 4 Mar at 14:00")
        # The invitation reaches the mentee at once; they confirm by button.
        invite = await newest(fake, MENTEE, "Wed 4 Mar at 14:00")
        assert invite.button_labels == [
            texts.MEETING_CONFIRM,
            texts.MEETING_CANT,
            texts.MEETING_MOVE,
        ]
        fake.user_presses(MENTEE, invite.message_id, invite.data_for(texts.MEETING_CONFIRM))
        await newest(fake, MENTOR, "confirmed")

        # The scheduler runs through to the afternoon after the meeting.
        async with Bot(fake.token, base_url=fake.base_url) as bot:
            jobs = build_jobs(
                settings,
                session_factory=session_factory,
                senders=[TelegramSender(bot)],
                clock=clock,
                rate_per_second=1000,
            )
            jobs.dispatcher.spacing.gap = 0
            while clock.now < local(2026, 3, 4, 16, 0):
                clock.advance(minutes=15)
                await jobs.materialise_meetings()
                await jobs.dispatch()
        day_before = await newest(fake, MENTEE, "Reminder: you are meeting Alex on Wed 4 Mar")
        assert day_before.button_labels == [texts.MEETING_CONFIRM, texts.MEETING_CANT]
        await newest(fake, MENTEE, "See you soon: you are meeting Alex at 14:00 today")
        await newest(fake, MENTOR, "Today: meeting with Sam at 14:00")
        ask = await newest(fake, MENTOR, "Did your meeting with Sam on Wed 4 Mar at 14:00 happen?")
        fake.user_presses(MENTOR, ask.message_id, ask.data_for(texts.OUTCOME_MET))
        await fake.wait_until(lambda: len(fake.answered_callbacks) >= 6, what="the last tap")
        await fake.wait_until(
            lambda: (fake.messages_to(MENTOR)[-1].text or "") != ask.text, what="thanks"
        )
    async with session_factory() as session:
        meeting = (await session.execute(select(Meeting))).scalar_one()
    assert meeting.status is MeetingStatus.CONFIRMED
    assert meeting.outcome is MeetingOutcome.MET
    assert meeting.starts_at == local(2026, 3, 4, 14, 0)
