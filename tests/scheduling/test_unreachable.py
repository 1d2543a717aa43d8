"""A chat that keeps failing: texts take over, the mentor is told once, and Telegram comes back
as soon as the person writes there again. Throttling (429) never counts as failing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.delivery.sms import SmsSender
from bot.delivery.twilio_gateway import TwilioGateway
from bot.flows import texts
from bot.messages import Channel, InboundMessage, Sender
from bot.scheduling.dispatcher import MAX_ATTEMPTS, UNREACHABLE_AFTER
from bot.service import MentorService
from bot.storage import outbox
from bot.storage.models import AttemptOutcome, DeliveryAttempt, OutboxMessage, OutboxStatus, Person
from bot.storage.outbox import Queued
from tests.fakes.twilio_api import FakeTwilioAPI
from tests.scheduling.conftest import MENTEE_CHAT, MENTOR_CHAT, SchedulerWorld

PHONE = "+447700900123"
MEETING = "Your meeting with Alex is tomorrow at 10:00."


@pytest.fixture
async def twilio(world: SchedulerWorld) -> AsyncIterator[FakeTwilioAPI]:
    """Texts are set up for this scheduler; whether the mentee has a number is up to the test."""
    async with FakeTwilioAPI() as fake:
        settings = fake.settings()
        gateway = TwilioGateway(settings)
        world.jobs.dispatcher.senders.append(SmsSender(gateway, world.session_factory))
        yield fake
        await gateway.close()


async def give_number(world: SchedulerWorld) -> None:
    async with world.session_factory() as session, session.begin():
        mentee = await session.get(Person, world.mentee_id)
        assert mentee is not None
        mentee.phone = PHONE


async def remind(world: SchedulerWorld, key: str, text: str = MEETING) -> None:
    async with world.session_factory() as session, session.begin():
        await outbox.enqueue(
            session,
            Queued(
                person_id=world.mentee_id,
                key=key,
                kind="reminder",
                text=text,
                not_before=world.clock.now,
            ),
            now=world.clock.now,
        )


async def dispatch_rounds(world: SchedulerWorld, rounds: int, *, seconds: float = 400) -> None:
    """Dispatch, then let the longest backoff pass; `rounds` times."""
    for _ in range(rounds):
        await world.jobs.dispatch()
        world.clock.advance(seconds=seconds)


def fail_with_bad_gateway(world: SchedulerWorld, times: int) -> None:
    world.fake.fail_next("sendMessage", error_code=502, description="Bad Gateway", times=times)


async def reminder(world: SchedulerWorld, key: str) -> OutboxMessage:
    return next(row for row in await world.outbox() if row.idempotency_key == key)


async def outcomes(world: SchedulerWorld, message_id: int) -> list[AttemptOutcome]:
    async with world.session_factory() as session:
        query = (
            select(DeliveryAttempt.outcome)
            .where(DeliveryAttempt.outbox_id == message_id)
            .order_by(DeliveryAttempt.id)
        )
        return list((await session.execute(query)).scalars())


async def test_a_failing_chat_gets_its_reminders_by_text_and_the_mentor_is_told_once(
    world: SchedulerWorld, twilio: FakeTwilioAPI
) -> None:
    await give_number(world)
    fail_with_bad_gateway(world, times=2 * UNREACHABLE_AFTER)  # both reminders, every try
    await remind(world, "first", MEETING)
    await remind(world, "second", "Your check-in is ready when you are.")
    await dispatch_rounds(world, UNREACHABLE_AFTER + 1)
    assert twilio.to(PHONE) == [MEETING, "Your check-in is ready when you are."]
    first = await reminder(world, "first")
    assert (first.status, first.channel) == (OutboxStatus.SENT, "sms")
    assert await outcomes(world, first.id) == [AttemptOutcome.RETRY] * UNREACHABLE_AFTER + [
        AttemptOutcome.SENT
    ]
    assert (await world.person(world.mentee_id)).telegram_blocked_at is not None
    [notice] = world.fake.messages_to(MENTOR_CHAT)
    assert notice.text == texts.NOTICE_FAILING_TEXTING.format(name="Sam")
    # Later reminders go straight to texts, and the mentor hears nothing more.
    await remind(world, "third", "See you soon.")
    await dispatch_rounds(world, 2)
    assert twilio.to(PHONE)[-1] == "See you soon."
    assert len(world.fake.messages_to(MENTOR_CHAT)) == 1
    assert world.fake.messages_to(MENTEE_CHAT) == []
    tries = [call for call in world.fake.calls_of("sendMessage") if call["chat_id"] == MENTEE_CHAT]
    assert len(tries) == 2 * UNREACHABLE_AFTER


async def test_without_a_number_telegram_is_tried_until_the_message_gives_up(
    world: SchedulerWorld, twilio: FakeTwilioAPI
) -> None:
    fail_with_bad_gateway(world, times=MAX_ATTEMPTS)
    await remind(world, "first")
    await dispatch_rounds(world, MAX_ATTEMPTS)
    row = await reminder(world, "first")
    assert (row.status, row.last_error) == (
        OutboxStatus.FAILED,
        f"gave up after {MAX_ATTEMPTS} tries: Telegram failed: NetworkError",
    )
    assert (await world.person(world.mentee_id)).telegram_blocked_at is None
    assert world.fake.messages_to(MENTOR_CHAT) == []
    assert twilio.sent == []


async def test_a_storm_of_429s_is_only_throttling_and_keeps_telegram(
    world: SchedulerWorld, twilio: FakeTwilioAPI
) -> None:
    await give_number(world)
    world.fake.fail_next(
        "sendMessage",
        error_code=429,
        description="Too Many Requests: retry after 1",
        retry_after=1,
        times=2 * UNREACHABLE_AFTER,
    )
    await remind(world, "first")
    await dispatch_rounds(world, 2 * UNREACHABLE_AFTER + 1, seconds=2)
    row = await reminder(world, "first")
    assert (row.status, row.channel) == (OutboxStatus.SENT, "telegram")
    assert [m.text for m in world.fake.messages_to(MENTEE_CHAT)] == [MEETING]
    assert (await world.person(world.mentee_id)).telegram_blocked_at is None
    assert world.fake.messages_to(MENTOR_CHAT) == []
    assert twilio.sent == []


async def test_writing_on_telegram_again_brings_reminders_back_to_telegram(
    world: SchedulerWorld, twilio: FakeTwilioAPI, service: MentorService
) -> None:
    await give_number(world)
    fail_with_bad_gateway(world, times=UNREACHABLE_AFTER)
    await remind(world, "first")
    await dispatch_rounds(world, UNREACHABLE_AFTER + 1)
    assert twilio.to(PHONE) == [MEETING]
    hello = InboundMessage(
        sender=Sender(Channel.TELEGRAM, str(MENTEE_CHAT), chat_id=MENTEE_CHAT), text="hello"
    )
    assert await service.handle(hello, external_id="update-1") is not None
    assert (await world.person(world.mentee_id)).telegram_blocked_at is None
    await remind(world, "second", "See you soon.")
    await dispatch_rounds(world, 1)
    assert [m.text for m in world.fake.messages_to(MENTEE_CHAT)] == ["See you soon."]
    assert twilio.to(PHONE) == [MEETING]
