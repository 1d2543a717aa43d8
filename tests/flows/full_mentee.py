"""A mentee holding every kind of record the product keeps, for tests of /mydata and /forget.

Built through the real flows where a person would make the record (check-ins, settings,
priorities, goals, messages, notes, ratings, a concern), and through the storage layer where
the flow needs a channel or a schedule the test does not have (meetings, signposts and their
follow-up, a safety alert, a number waiting to be confirmed, an ended episode, a raw Telegram
update). Every typed value is synthetic and distinct, so a test can look for each by value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import texts
from bot.messages import Channel, Sender
from bot.service import MentorService
from bot.storage import meetings, people, signposts
from bot.storage.models import (
    CrisisAlert,
    Episode,
    EpisodeStatus,
    FollowupAnswer,
    MeetingOutcome,
    Resource,
    Role,
    TelegramUpdate,
)
from tests.utils import MENTOR_PHONE, Chat, add_staff, in_checkin, joined_mentee

Sessions = async_sessionmaker[AsyncSession]

NAME, PHONE, NEW_PHONE = "Zephyrine", "+447700900555", "+447700900556"
TELEGRAM_ID = 700900555
# One synthetic value per kind of record, each found nowhere else in the database.
VALUES = {
    "goal": "Fix my old blue bicycle",
    "step": "Buy a puncture kit",
    "proposed_goal": "Visit the quince orchard",
    "note": "talked about the allotment plot",
    "place": "Blue cafe on the corner",
    "to_mentor": "Can we meet by the xylophone shop?",
    "to_mentee": "Yes, the xylophone shop at noon",
    "concern": "my mentor keeps cancelling on Wednesdays",
    "typed": "hello from a zebra crossing",
    "end_reason": "moved to Orkney",
    "service": "Quokka Housing Advice (synthetic)",
}
SAFETY = "self_harm"


@dataclass
class FullMentee:
    chat: Chat
    mentor: Chat
    person_id: int


async def _check_in(chat: Chat, command: str | None = None) -> None:
    """Answers a whole check-in by tapping the first option of each question."""
    if command:
        await chat.send(command)
    while in_checkin(chat):  # carries on at the breaks; priorities come next
        await chat.tap(chat.question.choices[0].label)


async def full_mentee(service: MentorService, sessions: Sessions) -> FullMentee:
    """A mentee of Alex (with a supervisor, Pat) holding one of everything kept."""
    alex = await add_staff(sessions, service, name="Alex")
    await add_staff(sessions, service, name="Pat", role=Role.SUPERVISOR, phone="+447700900003")
    chat = await joined_mentee(service, sessions, alex, name=NAME, phone=PHONE)
    mentor = Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))
    clock = service.clock

    await _check_in(chat)  # the full first check-in, then priorities and check-in day
    await chat.tap("Home")
    await chat.tap("Health")
    await chat.tap(texts.PRIORITIES_DONE)
    await chat.tap("Wed")
    await chat.tap(texts.TIME_EVENING)
    await _check_in(chat, "/checkin")  # a weekly one

    await chat.send("/goals")
    await chat.tap("Things you do")
    await chat.send(VALUES["goal"])
    await chat.send(VALUES["step"])
    await chat.tap(texts.GOAL_IN_A_WEEK)
    await chat.tap(texts.GOAL_RHYTHM_WEEKLY)
    await chat.tap("Fri")
    await chat.tap(chat.question.choices[0].label)
    await mentor.send(f"/goal {NAME} {VALUES['proposed_goal']}")
    await mentor.tap("Community")

    await chat.send(f"/msg {VALUES['to_mentor']}")
    await mentor.send(f"/msg {NAME} {VALUES['to_mentee']}")
    await mentor.send(f"/note {NAME} {VALUES['note']}")
    await mentor.send(f"/rate {NAME}")
    for _ in range(12):
        await mentor.tap(mentor.question.choices[0].label)
    await mentor.send(f"/site {NAME} Camberwell")
    await mentor.send(f"/mentee {NAME}")  # staff looking at the record leave an audit trail

    await chat.send("/concern")
    await chat.tap(texts.CONCERN_SOMETHING_WRONG)
    await chat.send(VALUES["concern"])
    await chat.send("/goals")  # a chat left open

    async with sessions() as session, session.begin():
        (mentee, episode), *_ = await meetings.mentees_of(session, alex.id)
        meeting = await meetings.create_meeting(
            session,
            episode=episode,
            mentor_id=alex.id,
            starts_at=clock() - timedelta(days=1),
            place=VALUES["place"],
            now=clock() - timedelta(days=2),
        )
        meetings.set_outcome(meeting, MeetingOutcome.MET, now=clock())
        resource = Resource(
            name=VALUES["service"],
            category="housing",
            description="Advice on renting",
            area="Southwark",
            verified=date(2026, 1, 5),
            confidence="high",
            source="synthetic",
            position=999,
            created_at=clock(),
            updated_at=clock(),
        )
        session.add(resource)
        await session.flush()
        sent = await signposts.record_signpost(
            session, mentee_id=mentee.id, mentor_id=alex.id, resource_id=resource.id, now=clock()
        )
        signposts.record_answer(sent, FollowupAnswer.YES_HELPED, now=clock())
        session.add(
            CrisisAlert(
                person_id=mentee.id, categories=SAFETY, life_at_risk=False, created_at=clock()
            )
        )
        mentee.pending_phone = NEW_PHONE
        mentee.telegram_user_id = TELEGRAM_ID
        update = {"message": {"from": {"id": TELEGRAM_ID}, "text": VALUES["typed"]}}
        session.add(TelegramUpdate(update_id=1, payload=update, received_at=clock()))
        session.add(
            Episode(
                mentee_id=mentee.id,
                mentor_id=alex.id,
                site="hub",
                started_on=date(2025, 1, 6),
                planned_end_on=people.add_months(date(2025, 1, 6), 6),
                ended_on=date(2025, 7, 6),
                status=EpisodeStatus.ENDED,
                end_reason=VALUES["end_reason"],
                created_at=clock() - timedelta(days=400),
            )
        )
        person_id = mentee.id
    return FullMentee(chat, mentor, person_id)
