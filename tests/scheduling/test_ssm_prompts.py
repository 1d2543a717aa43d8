"""A mentor's self-sufficiency rating leaves the mentee's check-in prompts and nudges alone."""

from __future__ import annotations

from datetime import time, timedelta

from bot.flows import texts
from bot.instruments import Instrument
from bot.messages import Channel, Sender
from bot.storage.models import OutboxStatus, Person, Timepoint
from tests.conftest import make_service
from tests.scheduling.conftest import MENTEE_CHAT, MENTOR_CHAT, SchedulerWorld, local
from tests.scheduling.test_nudges import add_assessment, sent_to
from tests.utils import Chat


async def rate_everything_safe(world: SchedulerWorld, instruments: dict[str, Instrument]) -> None:
    """The mentor rates Sam over Telegram: level 3 in every domain."""
    service = make_service(world.session_factory, instruments, world.clock)
    mentor = Chat(service, sender=Sender(Channel.TELEGRAM, str(MENTOR_CHAT), MENTOR_CHAT))
    await mentor.send("/rate Sam")
    for _ in range(12):
        await mentor.tap("3 Safe")
    assert mentor.texts[0] == "Saved: Sam's self-sufficiency rating (baseline)."


async def test_weekly_prompt_still_comes_the_day_after_a_rating(
    world: SchedulerWorld, instruments: dict[str, Instrument]
) -> None:
    await add_assessment(world, Timepoint.BASELINE, complete=True, days_ago=4)
    async with world.session_factory() as session, session.begin():
        mentee = await session.get(Person, world.mentee_id)
        assert mentee is not None
        mentee.checkin_weekday, mentee.checkin_time = 2, time(18, 0)  # Tuesdays at 18:00
    await world.run_until(local(2026, 3, 30, 12, 0))
    await rate_everything_safe(world, instruments)  # Monday: a check-in would hold the prompt
    await world.run_until(local(2026, 4, 1, 12, 0))
    prompts = [row for row in await world.outbox() if row.kind == "prompt"]
    assert [(row.text, row.status) for row in prompts] == [
        (texts.CHECKIN_PROMPT, OutboxStatus.SENT)
    ]


async def test_a_rating_does_not_count_as_checking_in(
    world: SchedulerWorld, instruments: dict[str, Instrument]
) -> None:
    joined = world.clock.now
    await world.run_until(joined + timedelta(days=7), step=timedelta(hours=6))
    await rate_everything_safe(world, instruments)
    await world.run_until(joined + timedelta(days=15), step=timedelta(hours=6))
    assert "Sam has not checked in for 14 days." in await sent_to(world, MENTOR_CHAT)
    # No baseline of Sam's own, so nothing is due for Sam but the baseline they start.
    assert await sent_to(world, MENTEE_CHAT) == []
