"""Meeting reminders at the right local times, once, across a clock change and quiet hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.storage import outbox, people
from bot.storage.models import MeetingStatus, OutboxStatus
from tests.scheduling.conftest import MENTEE_CHAT, MENTOR_CHAT, SchedulerWorld, local


async def sent_times(world: SchedulerWorld) -> dict[str, datetime]:
    """When each message went out, in local time, keyed by the end of its idempotency key."""
    return {
        row.idempotency_key.rsplit(":", 1)[1]: row.sent_at.astimezone(local(2026, 1, 1).tzinfo)
        for row in await world.outbox()
        if row.status is OutboxStatus.SENT and row.sent_at is not None
    }


async def test_monday_0930_meeting_across_the_clock_change(world: SchedulerWorld) -> None:
    # Clocks go forward at 01:00 UTC on Sunday 29 March 2026; the meeting is on Monday 30th.
    meeting = await world.book(local(2026, 3, 30, 9, 30))
    await world.run_until(local(2026, 3, 30, 12, 0))
    times = await sent_times(world)
    assert times == {
        "mentee-day-before": local(2026, 3, 29, 17, 0),
        # 07:30 is inside quiet hours (21:00-08:00): held until they end.
        "mentee-hours-before": local(2026, 3, 30, 8, 0),
        "mentor-morning": local(2026, 3, 30, 8, 30),
        "outcome-ask": local(2026, 3, 30, 10, 30),
    }
    assert times["mentee-day-before"].utcoffset() == timedelta(hours=1)  # BST
    mentee_texts = [m.text for m in world.fake.messages_to(MENTEE_CHAT)]
    assert mentee_texts == [
        "Reminder: you are meeting Alex on Mon 30 Mar at 09:30, at Hub clinic, front desk.",
        "See you soon: you are meeting Alex at 09:30 today, at Hub clinic, front desk.",
    ]
    assert all(
        m.button_labels == ["Confirm", "Can't make it"]
        for m in world.fake.messages_to(MENTEE_CHAT)
    )
    ask = world.fake.messages_to(MENTOR_CHAT)[-1]
    assert ask.button_labels == ["Met", "Didn't come", "Cancelled"]
    assert ask.data_for("Met") == f"mo-{meeting}:met"
    # Running on changes nothing: every message went out exactly once.
    await world.run_until(local(2026, 3, 31, 12, 0), step=timedelta(hours=1))
    assert len(world.fake.sent) == 4


async def test_october_clock_change_keeps_local_times(world: SchedulerWorld) -> None:
    # Clocks go back at 01:00 UTC on Sunday 25 October 2026. Sam's six months from 27 March
    # would be over by then (and mentoring ended), so this mentoring runs longer.
    async with world.session_factory() as session, session.begin():
        episode = await people.active_episode(session, world.mentee_id)
        assert episode is not None
        episode.planned_end_on = date(2027, 3, 1)
    world.clock.now = local(2026, 10, 24, 12, 0).astimezone(UTC)
    await world.book(local(2026, 10, 26, 11, 0))
    await world.run_until(local(2026, 10, 26, 12, 30), step=timedelta(minutes=10))
    times = await sent_times(world)
    assert times["mentee-day-before"] == local(2026, 10, 25, 17, 0)
    assert times["mentee-day-before"].utcoffset() == timedelta(0)  # GMT again
    assert times["mentee-hours-before"] == local(2026, 10, 26, 9, 0)
    assert times["mentor-morning"] == local(2026, 10, 26, 8, 30)


async def test_stale_reminder_is_skipped_not_sent_late(world: SchedulerWorld) -> None:
    """The scheduler was down on Sunday: the day-before reminder is recorded as skipped."""
    await world.book(local(2026, 3, 30, 9, 30))
    world.clock.now = local(2026, 3, 30, 7, 40).astimezone(UTC)
    await world.run_until(local(2026, 3, 30, 9, 0))
    rows = {row.idempotency_key.rsplit(":", 1)[1]: row for row in await world.outbox()}
    assert rows["mentee-day-before"].status is OutboxStatus.SKIPPED
    assert (rows["mentee-day-before"].last_error or "").startswith("stale")
    assert rows["mentee-hours-before"].status is OutboxStatus.SENT
    assert len(world.fake.messages_to(MENTEE_CHAT)) == 1


async def test_booked_late_gets_no_reminder_that_was_due_before_booking(
    world: SchedulerWorld,
) -> None:
    world.clock.now = local(2026, 3, 29, 20, 0).astimezone(UTC)
    await world.book(local(2026, 3, 30, 9, 30))
    await world.run_until(local(2026, 3, 30, 9, 0))
    keys = {row.idempotency_key.rsplit(":", 1)[1] for row in await world.outbox()}
    assert "mentee-day-before" not in keys
    assert "mentee-hours-before" in keys


async def test_cancelled_meeting_sends_nothing(world: SchedulerWorld) -> None:
    meeting = await world.book(local(2026, 3, 30, 9, 30))
    # Queued already (Sunday 17:00) but cancelled before it went out: withdrawn.
    world.clock.now = local(2026, 3, 29, 16, 58).astimezone(UTC)
    world.clock.advance(minutes=2)
    await world.jobs.materialise_meetings()
    async with world.session_factory() as session, session.begin():
        from bot.storage.models import Meeting

        booked = await session.get(Meeting, meeting)
        assert booked is not None
        booked.status = MeetingStatus.CANCELLED
        await outbox.skip_pending(
            session, key_prefix=f"meeting:{meeting}:", reason="cancelled", now=world.clock.now
        )
    await world.run_until(local(2026, 3, 30, 12, 0))
    assert world.fake.sent == []
    assert {row.status for row in await world.outbox()} == {OutboxStatus.SKIPPED}


async def test_text_message_wording_never_names_the_place(world: SchedulerWorld) -> None:
    await world.book(local(2026, 3, 30, 9, 30))
    await world.run_until(local(2026, 3, 30, 9, 0))
    mentee_rows = [row for row in await world.outbox() if row.person_id == world.mentee_id]
    sms_texts = [(row.payload or {}).get("sms_text", "") for row in mentee_rows]
    assert sms_texts == [
        "Reminder: meeting with Alex on Mon 30 Mar at 09:30 at the usual place.",
        "See you soon: meeting with Alex at 09:30 today at the usual place.",
    ]
