"""A crisis alert nobody picks up is sent again every 30 minutes, quiet hours or not.

The first re-alert goes to the mentor and the supervisors, later ones to the supervisors only,
until someone picks it up; the scheduler's jobs leave a heartbeat each time they run.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.flows import texts
from bot.messages import Channel, InboundMessage, Sender
from bot.scheduling.process import beating, schedule
from bot.service import MentorService
from bot.storage import heartbeat, people
from bot.storage.models import Role
from tests.conftest import LONDON
from tests.scheduling.conftest import MENTEE_CHAT, MENTOR_CHAT, SchedulerWorld, local

SUPERVISOR_CHAT = 3003


async def say(service: MentorService, chat: int, text: str) -> list[str]:
    sender = Sender(Channel.TELEGRAM, str(chat), chat_id=chat)
    handled = await service.handle(InboundMessage(sender=sender, text=text), external_id=None)
    assert handled is not None
    return [reply.text for reply in handled.outcome.replies]


def realerts(world: SchedulerWorld, chat: int) -> list[str]:
    return [
        m.text or ""
        for m in world.fake.messages_to(chat)
        if (m.text or "").startswith("URGENT, not picked up")
    ]


async def test_realerts_every_30_minutes_in_quiet_hours_until_picked_up(
    world: SchedulerWorld, service: MentorService
) -> None:
    async with world.session_factory() as session, session.begin():
        await people.add_person(
            session,
            role=Role.SUPERVISOR,
            display_name="Pat",
            now=world.clock.now,
            telegram_user_id=SUPERVISOR_CHAT,
        )
    service.clock = world.clock
    world.clock.now = local(2026, 3, 27, 23, 0)  # quiet hours
    said = await say(service, MENTEE_CHAT, "I want to kill myself")
    assert texts.CRISIS_LINES in said
    await world.tick()
    for chat in (MENTOR_CHAT, SUPERVISOR_CHAT):
        assert (world.fake.messages_to(chat)[0].text or "").startswith("URGENT: Sam")
    await world.run_until(local(2026, 3, 27, 23, 29), step=timedelta(minutes=1))
    assert realerts(world, MENTOR_CHAT) == realerts(world, SUPERVISOR_CHAT) == []
    await world.run_until(local(2026, 3, 27, 23, 30), step=timedelta(minutes=1))
    first = "URGENT, not picked up after 30 minutes: Sam"
    assert [t[: len(first)] for t in realerts(world, MENTOR_CHAT)] == [first]
    assert [t[: len(first)] for t in realerts(world, SUPERVISOR_CHAT)] == [first]
    await world.run_until(local(2026, 3, 28, 1, 5), step=timedelta(minutes=1))
    # Every 30 minutes after the first, to the supervisors only.
    assert len(realerts(world, MENTOR_CHAT)) == 1
    later = realerts(world, SUPERVISOR_CHAT)[1:]
    assert [t.split(":")[0] for t in later] == [
        "URGENT, not picked up after 60 minutes",
        "URGENT, not picked up after 90 minutes",
        "URGENT, not picked up after 120 minutes",
    ]
    assert await say(service, MENTOR_CHAT, "/ack Sam") == [texts.ACK_DONE.format(name="Sam")]
    await world.tick()  # the scheduler sends the news
    assert world.fake.messages_to(SUPERVISOR_CHAT)[-1].text == texts.CRISIS_PICKED_UP.format(
        staff="Alex", name="Sam"
    )
    before = len(world.fake.sent)
    await world.run_until(local(2026, 3, 28, 3, 0), step=timedelta(minutes=5))
    assert len(world.fake.sent) == before  # picked up: nobody is chased any more


async def test_a_round_missed_while_nothing_ran_is_not_sent_late(
    world: SchedulerWorld, service: MentorService
) -> None:
    service.clock = world.clock
    await say(service, MENTEE_CHAT, "I want to kill myself")
    await world.tick()
    world.clock.advance(minutes=100)  # the scheduler was away for rounds 1 to 3
    await world.tick()
    await world.tick()
    assert [t.split(":")[0] for t in realerts(world, MENTOR_CHAT)] == [
        "URGENT, not picked up after 90 minutes"  # no supervisor: the mentor is chased
    ]


async def test_every_job_run_leaves_a_heartbeat(world: SchedulerWorld) -> None:
    async with world.session_factory() as session:
        assert await heartbeat.last_beat(session) is None
    await beating(world.jobs, world.jobs.dispatch)()
    async with world.session_factory() as session:
        assert await heartbeat.last_beat(session) == world.clock.now
    world.clock.advance(seconds=30)
    await beating(world.jobs, world.jobs.escalate_crises)()
    async with world.session_factory() as session:
        beat = await heartbeat.last_beat(session)
    assert beat == world.clock.now and beat.tzinfo is not None
    assert beat.astimezone(LONDON).hour == 9


async def test_the_running_scheduler_writes_its_heartbeat(world: SchedulerWorld) -> None:
    scheduler = schedule(world.jobs, world.settings)
    scheduler.start()
    try:
        for _ in range(50):  # the dispatch job runs every second
            async with world.session_factory() as session:
                if await heartbeat.last_beat(session) is not None:
                    break
            await asyncio.sleep(0.1)
    finally:
        scheduler.shutdown(wait=False)
    async with world.session_factory() as session:
        assert await heartbeat.last_beat(session) == world.clock.now
