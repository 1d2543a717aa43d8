"""/mydata and /forget: a mentee sees everything held about them, or has it erased."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import texts
from bot.flows.types import Channel, Sender
from bot.reports.outcomes import Filters, outcome_report
from bot.service import MentorService
from bot.storage import goals, meetings
from bot.storage.models import Base, GoalStatus, MeetingOutcome, OutboxMessage, Person, Role
from tests.conftest import FakeClock
from tests.utils import MENTOR_PHONE, Chat, add_staff, joined_mentee

Sessions = async_sessionmaker[AsyncSession]
NAME, PHONE = "Zephyrine", "+447700900555"
GOAL, NOTE = "Fix my old blue bicycle", "talked about the allotment plot"


async def _mentee_with_history(
    service: MentorService, sessions: Sessions, clock: FakeClock
) -> tuple[Chat, Chat]:
    alex = await add_staff(sessions, service, name="Alex")
    chat = await joined_mentee(service, sessions, alex, name=NAME, phone=PHONE)
    for _ in range(63):  # the whole baseline and its two breaks, by tapping the first option
        if not chat.last or not any(r.choices for r in chat.last):
            break
        await chat.tap(chat.question.choices[0].label)
    await chat.send("/cancel")
    async with sessions() as session, session.begin():
        (mentee, episode), *_ = await meetings.mentees_of(session, alex.id)
        goal = await goals.add_goal(
            session,
            person_id=mentee.id,
            episode_id=episode.id,
            domain="housing",
            title=GOAL,
            set_by=(mentee.id, Role.MENTEE),
            now=clock(),
        )
        goals.set_status(goal, GoalStatus.DONE, now=clock())
        meeting = await meetings.create_meeting(
            session,
            episode=episode,
            mentor_id=alex.id,
            starts_at=clock() - timedelta(days=1),
            place="Blue cafe on the corner",
            now=clock() - timedelta(days=2),
        )
        meetings.set_outcome(meeting, MeetingOutcome.MET, now=clock())
    mentor = Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))
    await mentor.send(f"/note {NAME} {NOTE}")
    return chat, mentor


async def test_mydata_gives_a_summary_and_everything_as_a_file(
    service: MentorService, session_factory: Sessions, clock: FakeClock
) -> None:
    chat, _ = await _mentee_with_history(service, session_factory, clock)
    summary, file = await chat.send("/mydata")
    assert NAME in summary.text and PHONE in summary.text
    assert file.document is not None and file.document.filename == "my-data.json"
    data = json.loads(file.document.content)
    assert data["you"]["display_name"] == NAME
    assert data["goals"][0]["title"] == GOAL
    assert data["notes_by_your_mentor"][0]["text"] == NOTE
    assert len(data["check_ins"][0]["answers"]) == 61


async def _every_value(sessions: Sessions) -> str:
    found = []
    async with sessions() as session:
        for table in Base.metadata.sorted_tables:
            for row in await session.execute(select(table)):
                found += [str(value) for value in row]
    return "\n".join(found)


async def test_forget_leaves_no_trace_and_the_counts_stay_right(
    service: MentorService, session_factory: Sessions, clock: FakeClock
) -> None:
    chat, _ = await _mentee_with_history(service, session_factory, clock)
    async with session_factory() as session:
        before = (await outcome_report(session, service.instruments, Filters())).activity
    assert (before.mentees, before.meetings_held, before.goals_achieved) == (1, 1, 1)
    everything = await _every_value(session_factory)
    assert NAME in everything and PHONE in everything and GOAL in everything
    await chat.send("/forget")
    assert chat.texts == [texts.FORGET_ASK]
    await chat.tap(texts.FORGET_YES)
    assert chat.texts == [texts.FORGET_LAST_CHECK]
    replies = await chat.send("DELETE")
    assert replies[0].text == texts.FORGET_DONE
    everything = await _every_value(session_factory)
    for trace in (NAME, PHONE, PHONE[1:], GOAL, NOTE, "Blue cafe"):
        assert trace not in everything, trace
    async with session_factory() as session:
        after = (await outcome_report(session, service.instruments, Filters())).activity
        notices = [m.text for m in (await session.execute(select(OutboxMessage))).scalars()]
        left = (await session.execute(select(Person.role))).scalars().all()
    assert after == before
    assert texts.FORGET_MENTOR_NOTICE.format(started="02 Mar 2026", site="hub") in notices
    assert list(left) == [Role.MENTOR]
    # Writing again is like never having joined.
    assert (await chat.send("hello"))[0].text == texts.START_NEEDS_CODE


async def test_forget_keeps_everything_unless_confirmed_twice(
    service: MentorService, session_factory: Sessions, clock: FakeClock
) -> None:
    chat, _ = await _mentee_with_history(service, session_factory, clock)
    await chat.send("/forget")
    await chat.tap(texts.FORGET_NO)
    assert chat.texts == [texts.FORGET_KEPT]
    await chat.send("/forget")
    assert (await chat.send("nope"))[0].text == texts.FORGET_KEPT
    await chat.send("/forget")
    assert (await chat.send("maybe"))[0].text == texts.FORGET_ASK  # asked again
    assert (await chat.send("yeah"))[0].text == texts.FORGET_LAST_CHECK
    assert (await chat.send("ok"))[0].text == texts.FORGET_KEPT
    summary, _ = await chat.send("/mydata")
    assert NAME in summary.text
