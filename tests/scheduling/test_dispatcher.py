"""The dispatcher: retries, blocked chats, and what a crash mid-send can and cannot do."""

from __future__ import annotations

import asyncio
from datetime import UTC, timedelta

from sqlalchemy import select

from bot.delivery.channel import Sender
from bot.delivery.telegram import TelegramSender
from bot.scheduling.dispatcher import MAX_ATTEMPTS, Dispatcher
from bot.storage import outbox
from bot.storage.models import (
    AttemptOutcome,
    DeliveryAttempt,
    OutboxMessage,
    OutboxStatus,
    Person,
)
from bot.storage.outbox import Queued
from tests.scheduling.conftest import MENTEE_CHAT, MENTOR_CHAT, SchedulerWorld, local


async def queue(world: SchedulerWorld, count: int, *, person_id: int | None = None) -> None:
    async with world.session_factory() as session, session.begin():
        for number in range(count):
            await outbox.enqueue(
                session,
                Queued(
                    person_id=person_id or world.mentee_id,
                    key=f"test:{person_id}:{number}",
                    kind="test",
                    text=f"Message {number}",
                    not_before=world.clock.now,
                    respect_quiet_hours=False,
                ),
                now=world.clock.now,
            )


async def attempts(world: SchedulerWorld) -> list[AttemptOutcome]:
    async with world.session_factory() as session:
        query = select(DeliveryAttempt.outcome).order_by(DeliveryAttempt.id)
        return list((await session.execute(query)).scalars())


async def test_429_is_retried_after_the_wait_telegram_names(world: SchedulerWorld) -> None:
    world.fake.fail_next(
        "sendMessage",
        error_code=429,
        description="Too Many Requests: retry after 5",
        retry_after=5,
    )
    await queue(world, 1)
    await world.jobs.dispatch()
    [row] = await world.outbox()
    assert row.status is OutboxStatus.PENDING and world.fake.sent == []
    assert row.not_before == world.clock.now + timedelta(seconds=5.1)
    world.clock.advance(seconds=4)
    await world.jobs.dispatch()
    assert world.fake.sent == []
    world.clock.advance(seconds=2)
    await world.jobs.dispatch()
    assert [m.text for m in world.fake.sent] == ["Message 0"]
    assert await attempts(world) == [AttemptOutcome.RETRY, AttemptOutcome.SENT]


async def test_server_errors_back_off_then_give_up_with_the_reason(world: SchedulerWorld) -> None:
    world.fake.fail_next(
        "sendMessage", error_code=500, description="Internal Server Error", times=MAX_ATTEMPTS
    )
    await queue(world, 1)
    for _ in range(MAX_ATTEMPTS):
        await world.jobs.dispatch()
        world.clock.advance(seconds=400)
    [row] = await world.outbox()
    assert row.status is OutboxStatus.FAILED
    assert (row.last_error or "").startswith(f"gave up after {MAX_ATTEMPTS} tries")
    assert world.fake.sent == []


async def test_blocked_chat_is_marked_and_the_mentor_told_once(world: SchedulerWorld) -> None:
    # Once blocked, Telegram refuses every send to that chat.
    world.fake.fail_next(
        "sendMessage",
        error_code=403,
        description="Forbidden: bot was blocked by the user",
        times=3,
    )
    await queue(world, 3)
    await world.jobs.dispatch()
    await world.jobs.dispatch()  # the mentor's notice was queued by the first pass
    mentee = await world.person(world.mentee_id)
    assert mentee.telegram_blocked_at is not None
    assert {row.status for row in await world.outbox() if row.kind == "test"} == {
        OutboxStatus.BLOCKED
    }
    [notice] = world.fake.messages_to(MENTOR_CHAT)
    assert "Sam has blocked the bot" in (notice.text or "")
    async with world.session_factory() as session, session.begin():
        await outbox.enqueue(
            session,
            Queued(
                person_id=world.mentee_id,
                key="after-block",
                kind="test",
                text="Anyone there?",
                not_before=world.clock.now,
                respect_quiet_hours=False,
            ),
            now=world.clock.now,
        )
    await world.jobs.dispatch()
    after = next(row for row in await world.outbox() if row.idempotency_key == "after-block")
    assert (after.status, after.last_error) == (
        OutboxStatus.FAILED,
        "no channel can reach this person",
    )
    assert len(world.fake.messages_to(MENTOR_CHAT)) == 1  # told once
    assert world.fake.messages_to(MENTEE_CHAT) == []


async def test_opted_out_person_gets_nothing(world: SchedulerWorld) -> None:
    async with world.session_factory() as session, session.begin():
        mentee = await session.get(Person, world.mentee_id)
        assert mentee is not None
        mentee.opted_out_at = world.clock.now
    await queue(world, 1)
    await world.jobs.dispatch()
    [row] = await world.outbox()
    assert (row.status, row.last_error) == (OutboxStatus.SKIPPED, "opted out")


class _DiesAfterSending:
    """Sends for real, then the process 'dies' before the result is recorded."""

    name = "telegram"

    def __init__(self, inner: Sender, die_after: int) -> None:
        self.inner = inner
        self.remaining = die_after
        self.dead = asyncio.Event()

    def can_reach(self, person: Person) -> bool:
        return self.inner.can_reach(person)

    async def send(self, person: Person, message: OutboxMessage) -> str | None:
        if self.remaining == 0:
            self.dead.set()
            await asyncio.Event().wait()  # hangs until the task is killed
        await self.inner.send(person, message)
        self.remaining -= 1
        if self.remaining == 0:
            self.dead.set()
            await asyncio.Event().wait()
        return None


async def test_kill_between_send_and_record_loses_nothing_and_duplicates_at_most_one(
    world: SchedulerWorld,
) -> None:
    await queue(world, 20)
    dying = _DiesAfterSending(TelegramSender(world.bot), die_after=5)
    first = Dispatcher(
        session_factory=world.session_factory,
        senders=[dying],
        clock=world.clock,
        quiet=world.jobs.dispatcher.quiet,
        rate_per_second=None,
        per_chat_gap=0,
        concurrency=1,
    )
    task = asyncio.create_task(first.run_once())
    await asyncio.wait_for(dying.dead.wait(), 10)
    # Let the four finished sends be recorded, then kill -9 at the worst moment: after the
    # fifth send and before its record.
    await world.fake.wait_until(lambda: len(world.fake.sent) == 5)
    for _ in range(100):
        if len([r for r in await world.outbox() if r.status is OutboxStatus.SENT]) == 4:
            break
        await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert len(world.fake.sent) == 5
    # A new process starts; the dead one's claims are released once they are old enough.
    restarted = world.jobs.dispatcher
    assert await restarted.recover() == 0
    world.clock.advance(minutes=3)
    assert await restarted.recover() == 16
    await world.jobs.dispatch()
    texts = [m.text or "" for m in world.fake.sent]
    assert sorted(set(texts)) == sorted(f"Message {n}" for n in range(20))  # none lost
    assert len(texts) - len(set(texts)) <= 1  # only the interrupted one may come twice
    assert [row.status for row in await world.outbox()] == [OutboxStatus.SENT] * 20
    assert (await attempts(world)).count(AttemptOutcome.INTERRUPTED) == 16


async def test_quiet_hours_hold_mentee_reminders_but_not_crisis_alerts(
    world: SchedulerWorld,
) -> None:
    world.clock.now = local(2026, 3, 27, 23, 30).astimezone(UTC)
    async with world.session_factory() as session, session.begin():
        for key, person, quiet in (
            ("reminder", world.mentee_id, True),
            ("crisis", world.mentor_id, False),
        ):
            await outbox.enqueue(
                session,
                Queued(
                    person_id=person,
                    key=key,
                    kind=key,
                    text=f"{key} text",
                    not_before=world.clock.now,
                    respect_quiet_hours=quiet,
                ),
                now=world.clock.now,
            )
    await world.jobs.dispatch()
    assert [m.text for m in world.fake.sent] == ["crisis text"]
    world.clock.now = local(2026, 3, 28, 7, 59).astimezone(UTC)
    await world.jobs.dispatch()
    assert len(world.fake.sent) == 1
    world.clock.now = local(2026, 3, 28, 8, 0).astimezone(UTC)
    await world.jobs.dispatch()
    assert [m.text for m in world.fake.sent] == ["crisis text", "reminder text"]


async def test_blocked_on_telegram_falls_back_to_sms_and_tells_the_mentor_once(
    world: SchedulerWorld,
) -> None:
    from bot.delivery.sms import SmsSender
    from bot.delivery.twilio_gateway import TwilioGateway
    from tests.fakes.twilio_api import FakeTwilioAPI

    async with world.session_factory() as session, session.begin():
        mentee = await session.get(Person, world.mentee_id)
        assert mentee is not None
        mentee.phone = "+447700900123"
    async with FakeTwilioAPI() as twilio:
        settings = twilio.settings()
        gateway = TwilioGateway(settings)
        world.jobs.dispatcher.senders.append(SmsSender(gateway, world.session_factory))
        world.fake.fail_next(
            "sendMessage", error_code=403, description="Forbidden: bot was blocked by the user"
        )
        await queue(world, 1)
        await world.jobs.dispatch()
        await world.jobs.dispatch()
        await queue(world, 2)  # keys test:None:0 and :1 exist; :1 is new
        await world.jobs.dispatch()
        await gateway.close()
    assert twilio.to("+447700900123") == ["Message 1"]
    [notice] = world.fake.messages_to(MENTOR_CHAT)
    assert (
        notice.text
        == "Sam has blocked the bot on Telegram. Their reminders will now go by text message."
    )
    assert world.fake.messages_to(MENTEE_CHAT) == []


async def test_a_claim_holds_only_a_few_seconds_of_sending(world: SchedulerWorld) -> None:
    def claim_size(rate: float | None) -> int:
        dispatcher = Dispatcher(
            session_factory=world.session_factory,
            senders=[],
            clock=world.clock,
            quiet=world.jobs.dispatcher.quiet,
            rate_per_second=rate,
        )
        return dispatcher.batch_size

    # Four seconds' worth at the configured rate; unthrottled, the whole default batch.
    assert (claim_size(25), claim_size(0.5), claim_size(None)) == (100, 2, 500)
