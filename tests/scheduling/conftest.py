"""A scheduler over the test database, sending through a real PTB Bot to the fake Bot API.

Time in this world is the fake clock alone. The fake API answers from this same event loop, so
the Bot is given no real-time deadlines: PTB's defaults (5 s to connect, write or read, 1 s for
a pooled connection) turned a slow moment on a loaded machine into "timed out", the dispatcher
retried a second later in fake time, and `run_until`'s hour-long steps sent it an hour late
(issue 16: a follow-up due at 08:00 went at 09:00).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.delivery.telegram import TelegramSender
from bot.scheduling.process import SchedulerJobs, build_jobs
from bot.signposting import load_directory, stored
from bot.storage import people, signposts
from bot.storage.models import Meeting, MeetingStatus, OutboxMessage, Person, Role
from config.settings import Settings, load_settings
from tests.conftest import LONDON, FakeClock
from tests.fakes.telegram_api import FakeTelegramAPI

MENTOR_CHAT, MENTEE_CHAT = 1001, 2002


@dataclass
class SchedulerWorld:
    fake: FakeTelegramAPI
    bot: Bot
    jobs: SchedulerJobs
    clock: FakeClock
    session_factory: async_sessionmaker[AsyncSession]
    settings: Settings
    mentor_id: int
    mentee_id: int

    async def tick(self) -> None:
        """One scheduler beat: materialise everything due, then drain the outbox."""
        await self.jobs.end_episodes()
        await self.jobs.materialise_meetings()
        await self.jobs.materialise_nudges()
        await self.jobs.materialise_followups()
        await self.jobs.materialise_goal_reminders()
        await self.jobs.escalate_crises()
        await self.jobs.dispatch()

    async def run_until(self, end: datetime, step: timedelta = timedelta(minutes=15)) -> None:
        while self.clock.now < end:
            self.clock.advance(seconds=step.total_seconds())
            await self.tick()

    async def book(self, starts_at: datetime, *, booked_at: datetime | None = None) -> int:
        async with self.session_factory() as session, session.begin():
            episode = await people.active_episode(session, self.mentee_id)
            assert episode is not None
            meeting = Meeting(
                episode_id=episode.id,
                mentee_id=self.mentee_id,
                mentor_id=self.mentor_id,
                starts_at=starts_at,
                place="Hub clinic, front desk",
                status=MeetingStatus.CONFIRMED,
                created_at=booked_at or self.clock.now,
                updated_at=booked_at or self.clock.now,
            )
            session.add(meeting)
            await session.flush()
            return meeting.id

    async def signpost(self, service: str = "FRANK") -> int:
        """The mentor sends the mentee a service now; the shipped directory is imported first."""
        async with self.session_factory() as session, session.begin():
            if not await stored.active_resources(session):
                entries = load_directory().entries
                await stored.replace_directory(session, entries, now=self.clock.now)
            live = await stored.live_directory(session)
            signpost = await signposts.record_signpost(
                session,
                mentee_id=self.mentee_id,
                mentor_id=self.mentor_id,
                resource_id=live.ids[service],
                now=self.clock.now,
            )
            return signpost.id

    async def outbox(self) -> list[OutboxMessage]:
        async with self.session_factory() as session:
            query = select(OutboxMessage).order_by(OutboxMessage.id)
            return list((await session.execute(query)).scalars())

    async def person(self, person_id: int) -> Person:
        async with self.session_factory() as session:
            found = await session.get(Person, person_id)
            assert found is not None
            return found


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def clock() -> FakeClock:
    """Friday 27 March 2026, 09:00 UTC: two days before the clocks go forward."""
    return FakeClock(datetime(2026, 3, 27, 9, 0, tzinfo=UTC))


@pytest.fixture
async def world(
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
    clock: FakeClock,
) -> AsyncIterator[SchedulerWorld]:
    settings = load_settings(database_url=database_url)
    async with FakeTelegramAPI() as fake:
        # A minute, not PTB's 5 s: long enough that a busy machine never turns a send into a
        # retry an hour of fake time later, short enough that a hung fake fails the test.
        patient = HTTPXRequest(
            connect_timeout=60, read_timeout=60, write_timeout=60, pool_timeout=60
        )
        bot = Bot(fake.token, base_url=fake.base_url, request=patient)
        async with bot:
            async with session_factory() as session, session.begin():
                now = clock.now
                mentor = await people.add_person(
                    session,
                    role=Role.MENTOR,
                    display_name="Alex",
                    now=now,
                    telegram_user_id=MENTOR_CHAT,
                )
                mentee = await people.add_person(
                    session,
                    role=Role.MENTEE,
                    display_name="Sam",
                    now=now,
                    telegram_user_id=MENTEE_CHAT,
                )
                await people.start_episode(
                    session,
                    mentee=mentee,
                    mentor_id=mentor.id,
                    site="hub",
                    today=clock.now.astimezone(LONDON).date(),
                    now=now,
                )
            jobs = build_jobs(
                settings,
                session_factory=session_factory,
                senders=[TelegramSender(bot)],
                clock=clock,
                rate_per_second=1000,
            )
            jobs.dispatcher.spacing.gap = 0  # tests step a fake clock; no real waiting
            yield SchedulerWorld(
                fake=fake,
                bot=bot,
                jobs=jobs,
                clock=clock,
                session_factory=session_factory,
                settings=settings,
                mentor_id=mentor.id,
                mentee_id=mentee.id,
            )
