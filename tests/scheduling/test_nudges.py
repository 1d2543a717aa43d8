"""Nudges to mentors when a mentee drifts, and prompts to mentees on the day they chose."""

from __future__ import annotations

from datetime import UTC, time, timedelta

from bot.flows import texts
from bot.storage.models import (
    Assessment,
    AssessmentStatus,
    OutboxStatus,
    Person,
    Timepoint,
)
from tests.scheduling.conftest import MENTEE_CHAT, MENTOR_CHAT, SchedulerWorld, local


async def sent_to(world: SchedulerWorld, chat: int) -> list[str]:
    return [m.text or "" for m in world.fake.messages_to(chat)]


async def add_assessment(
    world: SchedulerWorld, timepoint: Timepoint, *, complete: bool, days_ago: float = 0
) -> None:
    from bot.storage import people

    async with world.session_factory() as session, session.begin():
        episode = await people.active_episode(session, world.mentee_id)
        assert episode is not None
        when = world.clock.now - timedelta(days=days_ago)
        session.add(
            Assessment(
                person_id=world.mentee_id,
                episode_id=episode.id,
                timepoint=timepoint,
                status=AssessmentStatus.COMPLETE if complete else AssessmentStatus.IN_PROGRESS,
                started_at=when,
                completed_at=when if complete else None,
            )
        )


async def test_mentor_is_nudged_once_per_lapse(world: SchedulerWorld) -> None:
    await world.run_until(world.clock.now + timedelta(days=13), step=timedelta(hours=6))
    assert await sent_to(world, MENTOR_CHAT) == []
    await world.run_until(world.clock.now + timedelta(days=2), step=timedelta(hours=6))
    nudges = await sent_to(world, MENTOR_CHAT)
    assert sorted(nudges) == [
        "Sam has had no meeting for 14 days. Book one with /meet Sam.",
        "Sam has not checked in for 14 days.",
    ]
    await world.run_until(world.clock.now + timedelta(days=5), step=timedelta(hours=6))
    assert len(await sent_to(world, MENTOR_CHAT)) == 2  # not again for the same lapse


async def test_unfinished_assessment_nudges_after_three_days(world: SchedulerWorld) -> None:
    await add_assessment(world, Timepoint.BASELINE, complete=False)
    await world.run_until(world.clock.now + timedelta(days=2, hours=23), step=timedelta(hours=1))
    assert await sent_to(world, MENTOR_CHAT) == []
    await world.run_until(world.clock.now + timedelta(hours=2), step=timedelta(hours=1))
    assert await sent_to(world, MENTOR_CHAT) == [
        "Sam started a check-in 3 days ago and has not finished it."
    ]


async def test_weekly_prompt_on_the_chosen_day_and_time(world: SchedulerWorld) -> None:
    await add_assessment(world, Timepoint.BASELINE, complete=True, days_ago=4)
    async with world.session_factory() as session, session.begin():
        mentee = await session.get(Person, world.mentee_id)
        assert mentee is not None
        mentee.checkin_weekday, mentee.checkin_time = 2, time(18, 0)  # Tuesdays at 18:00
    await world.run_until(local(2026, 4, 1, 12, 0))  # Friday 27 March to Wednesday 1 April
    prompts = [row for row in await world.outbox() if row.kind == "prompt"]
    assert [(row.status, row.sent_at) for row in prompts] == [
        (OutboxStatus.SENT, local(2026, 3, 31, 18, 0).astimezone(UTC))
    ]
    [message] = [m for m in world.fake.messages_to(MENTEE_CHAT)]
    assert message.button_labels == ["Start now"]


async def test_three_month_check_prompted_once_when_due(world: SchedulerWorld) -> None:
    await add_assessment(world, Timepoint.BASELINE, complete=True, days_ago=1)
    world.clock.advance(days=84)  # Fri 19 June: the 3-month check opens on Sat 20 June
    await world.tick()
    assert await sent_to(world, MENTEE_CHAT) == []
    world.clock.advance(days=1)
    await world.tick()
    await world.tick()
    assert await sent_to(world, MENTEE_CHAT) == [
        "Hello. It's time for a longer check-in about how things are going."
    ]


async def test_a_check_in_left_part_way_is_mentioned_once_the_next_day(
    world: SchedulerWorld,
) -> None:
    await add_assessment(world, Timepoint.BASELINE, complete=False)  # Fri 27 Mar, 09:00
    next_day = local(2026, 3, 28, 11)  # unfinished_checkin_at, as no check-in time is set
    await world.run_until(next_day - timedelta(hours=1), step=timedelta(hours=1))
    assert texts.UNFINISHED_CHECKIN not in await sent_to(world, MENTEE_CHAT)
    await world.run_until(next_day + timedelta(days=2), step=timedelta(hours=1))
    prompts = [
        m for m in world.fake.messages_to(MENTEE_CHAT) if m.text == texts.UNFINISHED_CHECKIN
    ]
    assert len(prompts) == 1  # once, not every day
    assert prompts[0].button_labels == [texts.START_NOW]


async def test_a_finished_check_in_is_not_mentioned(world: SchedulerWorld) -> None:
    await add_assessment(world, Timepoint.BASELINE, complete=True)
    await world.run_until(world.clock.now + timedelta(days=2), step=timedelta(hours=1))
    assert texts.UNFINISHED_CHECKIN not in await sent_to(world, MENTEE_CHAT)
