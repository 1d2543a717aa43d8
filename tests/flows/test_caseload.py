"""/mentees and /attention: who needs the mentor, most urgent first, and only their own."""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.authorisation import refusal
from bot.flows import texts
from bot.messages import Channel, Sender
from bot.service import MentorService
from bot.storage import assessments, meetings, people
from bot.storage.models import (
    Assessment,
    AssessmentStatus,
    CrisisAlert,
    Episode,
    MeetingStatus,
    OutboxMessage,
    OutboxStatus,
    Person,
    Role,
    Timepoint,
)
from tests.conftest import FakeClock
from tests.utils import MENTOR_PHONE, Chat, add_staff

Sessions = async_sessionmaker[AsyncSession]
_numbers = itertools.count(10)


async def _mentee(session: AsyncSession, mentor: Person, name: str, clock: FakeClock) -> Episode:
    mentee = await people.add_person(
        session,
        role=Role.MENTEE,
        display_name=name,
        now=clock(),
        phone=f"+4477009003{next(_numbers):02}",
    )
    started = clock() - timedelta(days=30)
    return await people.start_episode(
        session,
        mentee=mentee,
        mentor_id=mentor.id,
        site="hub",
        today=started.date(),
        now=started,
    )


async def _checkin(
    session: AsyncSession, episode: Episode, days_ago: float, total: float, clock: FakeClock
) -> None:
    at = clock() - timedelta(days=days_ago)
    sitting = Assessment(
        person_id=episode.mentee_id,
        episode_id=episode.id,
        timepoint=Timepoint.WEEKLY,
        status=AssessmentStatus.COMPLETE,
        started_at=at,
        completed_at=at,
    )
    session.add(sitting)
    await session.flush()
    await assessments.save_scores(
        session, assessment_id=sitting.id, scores={"weekly": {"total": total}}
    )


async def _meeting(
    session: AsyncSession,
    episode: Episode,
    mentor: Person,
    hours_ahead: float,
    clock: FakeClock,
    status: MeetingStatus = MeetingStatus.CONFIRMED,
) -> None:
    meeting = await meetings.create_meeting(
        session,
        episode=episode,
        mentor_id=mentor.id,
        starts_at=clock() + timedelta(hours=hours_ahead),
        place="The clinic",
        now=clock() - timedelta(days=3),
    )
    meeting.status = status


async def _crafted(service: MentorService, sessions: Sessions, clock: FakeClock) -> Chat:
    mentor = await add_staff(sessions, service, name="Alex")
    other = await add_staff(sessions, service, name="Jo", phone="+447700900002")
    async with sessions() as session, session.begin():
        fine = await _mentee(session, mentor, "Fay", clock)
        await _checkin(session, fine, 2, 40, clock)
        await _meeting(session, fine, mentor, 100, clock)
        # Dan: two rank-3 flags (no check-in, no meeting).
        await _mentee(session, mentor, "Dan", clock)
        # Eve: only failed deliveries (rank 5).
        eve = await _mentee(session, mentor, "Eve", clock)
        await _checkin(session, eve, 1, 40, clock)
        await _meeting(session, eve, mentor, 100, clock)
        session.add(
            OutboxMessage(
                person_id=eve.mentee_id,
                idempotency_key="x",
                kind="reminder",
                text="t",
                status=OutboxStatus.FAILED,
                not_before=clock(),
                created_at=clock() - timedelta(days=1),
            )
        )
        # Cat: weekly total fell by 12 (rank 2).
        cat = await _mentee(session, mentor, "Cat", clock)
        await _checkin(session, cat, 8, 45, clock)
        await _checkin(session, cat, 1, 33, clock)
        await _meeting(session, cat, mentor, 100, clock)
        # Bob: a meeting tomorrow he has not confirmed (rank 1).
        bob = await _mentee(session, mentor, "Bob", clock)
        await _checkin(session, bob, 1, 40, clock)
        await _meeting(session, bob, mentor, 24, clock, MeetingStatus.PROPOSED)
        # Ann: a crisis alert nobody picked up (rank 0).
        ann = await _mentee(session, mentor, "Ann", clock)
        await _checkin(session, ann, 1, 40, clock)
        await _meeting(session, ann, mentor, 100, clock)
        session.add(
            CrisisAlert(
                person_id=ann.mentee_id,
                categories="self_harm",
                life_at_risk=False,
                created_at=clock() - timedelta(hours=2),
            )
        )
        # Someone else's mentee with every flag must never show.
        await _mentee(session, other, "Zed", clock)
    return Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))


async def test_attention_orders_the_caseload_by_urgency(
    service: MentorService, session_factory: Sessions, clock: FakeClock
) -> None:
    chat = await _crafted(service, session_factory, clock)
    alert, reply = await chat.send("/attention")
    # The open alert first, on its own with its age and a button to pick it up.
    assert alert.text == texts.ATTENTION_OPEN_ALERT.format(
        name="Ann", what="self-harm", age="2 hours"
    )
    assert [choice.label for choice in alert.choices] == [texts.CRISIS_ACK]
    lines = reply.text.splitlines()
    assert lines[0] == texts.ATTENTION_HEADER
    assert [line.split(":")[0] for line in lines[1:]] == [
        "1. Ann",
        "2. Bob",
        "3. Cat",
        "4. Dan",
        "5. Eve",
    ]
    assert texts.FLAG_SAFETY_OPEN in lines[1]
    assert "weekly check-in down 12 points" in lines[3]
    assert texts.FLAG_NO_CHECKIN.format(days=30) in lines[4]
    assert texts.FLAG_NO_MEETING.format(days=30) in lines[4]
    assert "Zed" not in reply.text and "Fay" not in reply.text


async def test_mentees_lists_everyone_with_their_week_and_next_meeting(
    service: MentorService, session_factory: Sessions, clock: FakeClock
) -> None:
    chat = await _crafted(service, session_factory, clock)
    (reply,) = await chat.send("/mentees")
    names = [line.split(" (")[0] for line in reply.text.splitlines() if not line.startswith(" ")]
    assert names == ["Ann", "Bob", "Cat", "Dan", "Eve", "Fay"]
    fay = next(line for line in reply.text.splitlines() if line.startswith("Fay"))
    assert "(hub, week 5)" in fay and "next meeting" in fay and "not booked" not in fay
    dan = next(line for line in reply.text.splitlines() if line.startswith("Dan"))
    assert texts.CASELOAD_NEVER in dan and texts.CASELOAD_NONE in dan


async def test_a_supervisor_sees_every_caseload_and_a_mentee_sees_none(
    service: MentorService, session_factory: Sessions, clock: FakeClock
) -> None:
    await _crafted(service, session_factory, clock)
    await add_staff(
        session_factory, service, name="Pat", role=Role.SUPERVISOR, phone="+447700900003"
    )
    supervisor = Chat(service, sender=Sender(Channel.CONSOLE, "+447700900003"))
    alert, reply = await supervisor.send("/attention")
    assert alert.text.startswith("Crisis alert NOT picked up: Ann")
    assert "Zed" in reply.text
    async with session_factory() as session:
        ann = (
            await session.execute(select(Person).where(Person.display_name == "Ann"))
        ).scalar_one()
    mentee = Chat(service, sender=Sender(Channel.CONSOLE, ann.phone or ""))
    replies = await mentee.send("/attention")
    assert replies[0].text == refusal("attention")
