"""/mentee NAME: the whole record for the mentee's own mentor or a supervisor, and logged."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import texts
from bot.messages import Channel, Sender
from bot.service import MentorService
from bot.storage.models import AuditEvent, Role
from tests.utils import MENTOR_PHONE, Chat, add_staff, in_checkin, joined_mentee

Sessions = async_sessionmaker[AsyncSession]


async def _sam_after_baseline(service: MentorService, sessions: Sessions) -> Chat:
    alex = await add_staff(sessions, service, name="Alex")
    sam = await joined_mentee(service, sessions, alex)
    while in_checkin(sam):  # Yes / the first option throughout; carry on at the breaks
        await sam.tap(sam.question.choices[0].label)
    await sam.send("/cancel")
    mentor = Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))
    await mentor.send("/note Sam talked about work")
    return mentor


async def test_the_mentor_sees_scores_plan_meetings_and_notes(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor = await _sam_after_baseline(service, session_factory)
    record, *services = await mentor.send("/mentee sam")
    text = record.text
    assert text.startswith("Sam: hub, started ")
    assert "Latest full check (" in text and "ARC 50/50 (strengths 10, threats 0)" in text
    assert texts.SSM_NONE.format(name="Sam") in text
    assert "Meetings: 0 held, 0 missed. Next: not booked" in text
    assert texts.MENTEE_NOTES in text and "talked about work" in text
    assert len(record.picture) == 2  # the ARC areas and the CEST scales
    assert services and services[0].text == texts.SIGNPOSTS_NONE.format(name="Sam")
    async with session_factory() as session:
        actions = [e.action for e in (await session.execute(select(AuditEvent))).scalars()]
    assert actions == ["note", "mentee"]


async def test_nobody_else_sees_it_and_nothing_is_logged_for_them(
    service: MentorService, session_factory: Sessions
) -> None:
    await _sam_after_baseline(service, session_factory)
    await add_staff(session_factory, service, name="Jo", phone="+447700900002")
    other = Chat(service, sender=Sender(Channel.CONSOLE, "+447700900002"))
    assert (await other.send("/mentee Sam"))[0].text == texts.NO_SUCH_MENTEE.format(name="Sam")
    [asked] = await other.send("/mentee")
    assert asked.text == texts.ARG_ASK_MENTEE and not asked.choices  # Jo has no mentees
    assert (await other.send("Sam"))[0].text == texts.NO_SUCH_MENTEE.format(name="Sam")
    await add_staff(
        session_factory, service, name="Pat", role=Role.SUPERVISOR, phone="+447700900003"
    )
    supervisor = Chat(service, sender=Sender(Channel.CONSOLE, "+447700900003"))
    record, *_ = await supervisor.send("/mentee Sam")
    assert record.text.startswith("Sam: hub")
    async with session_factory() as session:
        actions = [e.action for e in (await session.execute(select(AuditEvent))).scalars()]
    assert actions == ["note", "mentee"]
