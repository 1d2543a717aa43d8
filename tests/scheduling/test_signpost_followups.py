"""A week after a signpost the mentee is asked, once, at 11:00 local, and the answer is kept.

The clock starts on Friday 27 March 2026 at 09:00 UTC (09:00 GMT); the clocks go forward on
Sunday 29 March, so the question a week later is at 11:00 BST, 10:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import texts
from bot.flows.followups import followup_due
from bot.instruments import Instrument
from bot.messages import Channel, Sender
from bot.reminder_policy import ReminderPolicy
from bot.storage.models import (
    Episode,
    EpisodeStatus,
    FollowupAnswer,
    OutboxStatus,
    Signpost,
)
from tests.conftest import LONDON, make_service
from tests.scheduling.conftest import MENTEE_CHAT, SchedulerWorld, local
from tests.utils import Chat, tap_sent_button

QUESTION = "Last week Alex sent you details of FRANK. Did you get in touch with them?"


async def followups(world: SchedulerWorld) -> list[tuple[OutboxStatus, datetime | None]]:
    return [
        (row.status, row.sent_at)
        for row in await world.outbox()
        if row.idempotency_key.endswith(":followup")
    ]


async def get_signpost(
    session_factory: async_sessionmaker[AsyncSession], signpost_id: int
) -> Signpost:
    async with session_factory() as session:
        found = await session.get(Signpost, signpost_id)
        assert found is not None
        return found


async def test_asked_once_a_week_later_at_11_local_and_the_answer_is_kept(
    world: SchedulerWorld, instruments: dict[str, Instrument]
) -> None:
    signpost = await world.signpost("FRANK")
    await world.run_until(local(2026, 4, 3, 10, 0), step=timedelta(hours=1))
    assert world.fake.messages_to(MENTEE_CHAT) == []  # not before 11:00 on the seventh day
    await world.run_until(local(2026, 4, 3, 12, 0), step=timedelta(minutes=15))
    [question] = world.fake.messages_to(MENTEE_CHAT)
    assert question.text == QUESTION
    assert question.button_labels == [
        texts.FOLLOWUP_HELPED,
        texts.FOLLOWUP_NOT_HELPFUL,
        texts.FOLLOWUP_NOT_YET,
        texts.FOLLOWUP_DONT_NEED,
    ]
    assert question.data_for(texts.FOLLOWUP_HELPED) == f"sp-{signpost}:yes_helped"
    [(status, sent_at)] = await followups(world)
    assert status is OutboxStatus.SENT and sent_at is not None
    assert sent_at.astimezone(LONDON) == local(2026, 4, 3, 11, 0)
    assert sent_at == datetime(2026, 4, 3, 10, 0, tzinfo=UTC)  # BST by then

    service = make_service(world.session_factory, instruments, world.clock)
    mentee = Chat(service, sender=Sender(Channel.TELEGRAM, str(MENTEE_CHAT), MENTEE_CHAT))
    replies = await tap_sent_button(mentee, f"sp-{signpost}", "not_yet")
    assert replies[0].text == texts.FOLLOWUP_THANKS_NOT_YET
    assert replies[1].text.startswith("FRANK\n")  # the details again
    await tap_sent_button(mentee, f"sp-{signpost}", "yes_helped")  # a later answer wins
    answered = await get_signpost(world.session_factory, signpost)
    assert answered.followup_answer is FollowupAnswer.YES_HELPED
    assert answered.answered_at == world.clock.now

    await world.run_until(local(2026, 4, 12, 12, 0), step=timedelta(hours=6))
    assert len(world.fake.messages_to(MENTEE_CHAT)) == 1  # sent once


async def test_only_the_mentee_it_was_sent_to_can_answer(
    world: SchedulerWorld, instruments: dict[str, Instrument]
) -> None:
    signpost = await world.signpost("FRANK")
    service = make_service(world.session_factory, instruments, world.clock)
    mentor = Chat(service, sender=Sender(Channel.TELEGRAM, "1001", 1001))
    await tap_sent_button(mentor, f"sp-{signpost}", "yes_helped")
    assert mentor.stale
    assert (await get_signpost(world.session_factory, signpost)).followup_answer is None


async def test_quiet_hours_hold_the_question_until_morning(world: SchedulerWorld) -> None:
    world.jobs.materialiser.policy = ReminderPolicy(signpost_followup_at=time(22, 0))
    await world.signpost("FRANK")
    await world.run_until(local(2026, 4, 4, 9, 0), step=timedelta(hours=1))
    [(status, sent_at)] = await followups(world)
    assert status is OutboxStatus.SENT and sent_at is not None
    assert sent_at.astimezone(LONDON) == local(2026, 4, 4, 8, 0)  # quiet hours end at 08:00
    [row] = [row for row in await world.outbox() if row.idempotency_key.endswith(":followup")]
    assert row.attempts == 1 and row.last_error is None  # sent first time, not a late retry


async def test_no_question_once_answered_or_when_mentoring_has_ended(
    world: SchedulerWorld,
) -> None:
    answered = await world.signpost("FRANK")
    await world.signpost("Samaritans")
    async with world.session_factory() as session, session.begin():
        await session.execute(
            update(Signpost)
            .where(Signpost.id == answered)
            .values(followup_answer=FollowupAnswer.DONT_NEED, answered_at=world.clock.now)
        )
    await world.run_until(local(2026, 4, 2, 12, 0), step=timedelta(hours=6))
    async with world.session_factory() as session, session.begin():
        await session.execute(update(Episode).values(status=EpisodeStatus.ENDED))
    await world.run_until(local(2026, 4, 6, 12, 0), step=timedelta(hours=1))
    assert await followups(world) == []
    async with world.session_factory() as session:
        assert len(list(await session.scalars(select(Signpost)))) == 2


async def test_a_question_the_scheduler_could_not_send_for_a_week_is_skipped(
    world: SchedulerWorld,
) -> None:
    await world.signpost("FRANK")
    world.clock.now = local(2026, 4, 10, 12, 0).astimezone(UTC)  # down until then
    await world.tick()
    [(status, sent_at)] = await followups(world)
    assert status is OutboxStatus.SKIPPED and sent_at is None
    assert world.fake.messages_to(MENTEE_CHAT) == []


@pytest.mark.parametrize(
    ("sent", "due"),
    [
        (local(2026, 3, 2, 10, 59), local(2026, 3, 9, 11, 0)),
        (local(2026, 3, 2, 11, 0), local(2026, 3, 9, 11, 0)),
        (local(2026, 3, 2, 11, 1), local(2026, 3, 10, 11, 0)),
        (local(2026, 3, 2, 23, 30), local(2026, 3, 10, 11, 0)),
        (local(2026, 3, 25, 15, 0), local(2026, 4, 2, 11, 0)),  # across the clock change
    ],
)
def test_the_question_is_due_at_the_first_11_00_a_week_or_more_later(
    sent: datetime, due: datetime
) -> None:
    assert followup_due(sent.astimezone(UTC), ReminderPolicy(), LONDON) == due
