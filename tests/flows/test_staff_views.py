"""/upcoming and /failed: a mentor sees what will be sent to a mentee and what did not arrive."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import texts
from bot.messages import Channel, Sender
from bot.service import MentorService
from bot.storage import outbox
from bot.storage.models import OutboxStatus, Person, Role
from bot.storage.outbox import Queued
from tests.conftest import FakeClock
from tests.utils import MENTOR_PHONE, Chat, add_staff, joined_mentee


async def setup(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> tuple[Chat, Chat, Person]:
    mentor = await add_staff(session_factory, service)
    mentee = await joined_mentee(service, session_factory, mentor)
    await mentee.send("/cancel")
    return Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE)), mentee, mentor


async def book(mentor: Chat) -> None:
    """Books Wednesday 4 March at 14:00 (the clock says Monday 2 March, 10:00 UTC)."""
    await mentor.send("/meet Sam")
    await mentor.tap("Wed 4 Mar")
    await mentor.tap("14:00")
    await mentor.tap(mentor.question.choices[0].label)


async def test_upcoming_lists_reminders_in_the_order_they_will_go(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    mentor, mentee, _ = await setup(service, session_factory)
    await mentee.send("/settings")
    await mentee.send("thursday")
    await mentee.send("10:00")
    await book(mentor)
    [reply] = await mentor.send("/upcoming sam")
    lines = reply.text.splitlines()
    assert lines[0] == texts.UPCOMING_HEADER.format(name="Sam")
    # The invitation is still queued: no dispatcher runs in a flow test.
    assert lines[1].startswith("Mon 2 Mar at 10:00 - Alex would like to meet you")
    assert lines[2].startswith("Tue 3 Mar at 17:00 - Reminder: you are meeting Alex on Wed 4 Mar")
    assert lines[3].startswith("Wed 4 Mar at 12:00 - See you soon")
    assert lines[4].startswith("Thu 5 Mar at 10:00 - " + texts.CHECKIN_PROMPT[:20])
    assert len(lines) == 5


async def test_upcoming_refuses_someone_elses_mentee_and_needs_a_name(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    mentor, _, _ = await setup(service, session_factory)
    other = await add_staff(session_factory, service, name="Bo", phone="+447700900002")
    other_chat = Chat(service, sender=Sender(Channel.CONSOLE, "+447700900002"))
    assert other.role is Role.MENTOR
    [refused] = await other_chat.send("/upcoming Sam")
    assert refused.text == texts.NO_SUCH_MENTEE.format(name="Sam")
    [asked] = await mentor.send("/upcoming")
    assert asked.text == texts.ARG_ASK_MENTEE
    [nothing] = await mentor.send("/upcoming Sam")
    assert nothing.text == texts.UPCOMING_NONE.format(name="Sam")
    supervisor = await add_staff(
        session_factory, service, name="Kit", role=Role.SUPERVISOR, phone="+447700900003"
    )
    assert supervisor.role is Role.SUPERVISOR
    [seen] = await Chat(service, sender=Sender(Channel.CONSOLE, "+447700900003")).send(
        "/upcoming Sam"
    )
    assert seen.text == texts.UPCOMING_NONE.format(name="Sam")


async def test_failed_lists_undelivered_messages_with_the_reason(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    mentor, _, _ = await setup(service, session_factory)
    [none] = await mentor.send("/failed")
    assert none.text == texts.FAILED_NONE
    async with session_factory() as session, session.begin():
        await outbox.enqueue(
            session,
            Queued(
                person_id=2,
                key="meeting:9:mentee-day-before",
                kind="reminder",
                text="Reminder: you are meeting Alex on Wed 4 Mar at 14:00, at the Hub.",
                not_before=clock.now,
            ),
            now=clock.now,
            status=OutboxStatus.SKIPPED,
            reason="stale: came due too late to be useful",
        )
    [report] = await mentor.send("/failed")
    assert report.text.splitlines() == [
        texts.FAILED_HEADER,
        "Sam, Mon 2 Mar at 10:00: skipped (stale: came due too late to be useful) - "
        "Reminder: you are meeting Alex on Wed 4 Mar at 14:00, at ...",
    ]
    clock.advance(days=8)
    [aged] = await mentor.send("/failed")
    assert aged.text == texts.FAILED_NONE
