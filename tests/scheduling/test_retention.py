"""Records of mentoring that ended over the retention period ago are erased by the scheduler."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.reminder_policy import load_policy
from bot.scheduling.materialiser import Materialiser
from bot.storage import outbox, people
from bot.storage.models import (
    EpisodeStatus,
    ErasedCount,
    OutboxMessage,
    OutboxStatus,
    Person,
    Role,
)
from bot.storage.outbox import Queued
from tests.conftest import LONDON, FakeClock


async def test_old_closed_records_are_erased_and_counted(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    now = clock()
    async with session_factory() as session, session.begin():
        mentor = await people.add_person(session, role=Role.MENTOR, display_name="Alex", now=now)
        for name, ended_days_ago, status in (
            ("Old", 400, EpisodeStatus.ENDED),
            ("Recent", 100, EpisodeStatus.ENDED),
            ("Active", None, EpisodeStatus.ACTIVE),
        ):
            mentee = await people.add_person(
                session, role=Role.MENTEE, display_name=name, now=now - timedelta(days=600)
            )
            episode = await people.start_episode(
                session,
                mentee=mentee,
                mentor_id=mentor.id,
                site="hub",
                today=(now - timedelta(days=600)).date(),
                now=now,
            )
            episode.status = status
            if ended_days_ago is not None:
                episode.ended_on = (now - timedelta(days=ended_days_ago)).date()
    materialiser = Materialiser(session_factory=session_factory, policy=load_policy(), zone=LONDON)
    assert await materialiser.purge_expired(now, retention_days=365) == 1
    assert await materialiser.purge_expired(now, retention_days=365) == 0
    async with session_factory() as session:
        names = set((await session.execute(select(Person.display_name))).scalars())
        counted = (await session.execute(select(ErasedCount.metric))).scalars().all()
    assert names == {"Alex", "Recent", "Active"}
    assert counted == ["mentees"]


async def test_replies_settled_over_a_week_ago_are_deleted_and_the_rest_kept(
    session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    now = clock()
    async with session_factory() as session, session.begin():
        sam = await people.add_person(session, role=Role.MENTEE, display_name="Sam", now=now)
        rows = [
            (f"{status}-{age}", status, age)
            for status in (OutboxStatus.SENT, OutboxStatus.PENDING, OutboxStatus.REPLYING)
            for age in (8, 6)
        ]
        await outbox.queue_replies(
            session,
            [
                {
                    "person_id": sam.id,
                    "idempotency_key": key,
                    "text": "Question 2",
                    "payload": None,
                    "now": now - timedelta(days=age),
                    "expires_at": None,
                }
                for key, _, age in rows
            ],
        )
        for key, status, _ in rows:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.idempotency_key == key)
                .values(status=status)
            )
        await outbox.enqueue(  # a reminder, not a reply: kept
            session,
            Queued(sam.id, "meeting:1", "meeting", "See you", now - timedelta(days=30)),
            now=now - timedelta(days=30),
            status=OutboxStatus.SENT,
        )
    materialiser = Materialiser(session_factory=session_factory, policy=load_policy(), zone=LONDON)
    assert await materialiser.forget_old_replies(now) == 1
    async with session_factory() as session:
        kept = set((await session.execute(select(OutboxMessage.idempotency_key))).scalars())
    assert kept == {"sent-6", "pending-8", "pending-6", "replying-8", "replying-6", "meeting:1"}
