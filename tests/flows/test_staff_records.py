"""Staff record-keeping from the chat: notes, site moves, assignment, supervision, audit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.authorisation import refusal
from bot.flows import texts
from bot.messages import Channel, Sender
from bot.reports.outcome_formats import as_text
from bot.reports.outcomes import Filters, outcome_report
from bot.service import MentorService
from bot.storage.models import (
    AuditEvent,
    Episode,
    OutboxMessage,
    Person,
    Role,
    SessionNote,
    SiteMove,
    Supervision,
)
from tests.conftest import FakeClock
from tests.utils import MENTOR_PHONE, Chat, add_staff, count_rows, joined_mentee

Sessions = async_sessionmaker[AsyncSession]
OTHER_PHONE, SUPERVISOR_PHONE = "+447700900002", "+447700900003"


async def _team(service: MentorService, sessions: Sessions) -> tuple[Chat, Chat, Chat]:
    """Alex mentors Sam; Jo mentors nobody yet; Pat supervises."""
    alex = await add_staff(sessions, service, name="Alex")
    await add_staff(sessions, service, name="Jo", phone=OTHER_PHONE)
    await add_staff(sessions, service, name="Pat", role=Role.SUPERVISOR, phone=SUPERVISOR_PHONE)
    await joined_mentee(service, sessions, alex)
    return (
        Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE)),
        Chat(service, sender=Sender(Channel.CONSOLE, OTHER_PHONE)),
        Chat(service, sender=Sender(Channel.CONSOLE, SUPERVISOR_PHONE)),
    )


async def test_notes_are_kept_for_own_mentees_only_and_audited(
    service: MentorService, session_factory: Sessions
) -> None:
    alex, jo, _ = await _team(service, session_factory)
    (reply,) = await alex.send("/note Sam talked about housing, went well")
    assert reply.text == texts.NOTE_SAVED.format(name="Sam")
    (refused,) = await jo.send("/note Sam something")
    assert refused.text == texts.NO_SUCH_MENTEE.format(name="Sam")
    (long,) = await alex.send("/note Sam " + "x" * 201)
    assert long.text == texts.NOTE_TOO_LONG.format(limit=200, length=201)
    # The name alone: the note is asked for (bot/flows/command_args.py).
    asked = await alex.send("/note Sam")
    assert asked[0].text == texts.ARG_ASK_NOTE.format(name="Sam")
    assert (await jo.send("/note Sam"))[0].text == texts.NOTE_USAGE
    async with session_factory() as session:
        (note,) = (await session.execute(select(SessionNote))).scalars()
        (event,) = (await session.execute(select(AuditEvent))).scalars()
    assert note.text == "talked about housing, went well"
    assert event.action == "note" and event.subject_id == note.mentee_id


async def test_site_move_is_recorded_with_its_date(
    service: MentorService, session_factory: Sessions, clock: FakeClock
) -> None:
    alex, jo, _ = await _team(service, session_factory)
    assert (await jo.send("/site Sam camberwell"))[0].text == texts.NO_SUCH_MENTEE.format(
        name="Sam"
    )
    assert (await alex.send("/site Sam nowhere"))[0].text.startswith("Add the mentee's name")
    (reply,) = await alex.send("/site Sam Camberwell")
    assert reply.text == texts.SITE_MOVED.format(name="Sam", site="camberwell")
    async with session_factory() as session:
        (move,) = (await session.execute(select(SiteMove))).scalars()
        episode = (await session.execute(select(Episode))).scalar_one()
    assert (move.from_site, move.to_site, move.moved_on) == ("hub", "camberwell", clock().date())
    assert episode.site == "camberwell"
    async with session_factory() as session:
        report = await outcome_report(session, service.instruments, Filters())
    assert report.activity.site_moves == {"hub -> camberwell": 1}
    assert "Moves between clinics: hub -> camberwell 1." in as_text(report, title="R")


async def test_supervisor_assigns_a_mentee_and_everyone_is_told(
    service: MentorService, session_factory: Sessions
) -> None:
    alex, jo, pat = await _team(service, session_factory)
    assert (await alex.send("/assign Sam Jo"))[0].text == refusal("assign")
    (reply,) = await pat.send("/assign Sam Jo")
    assert reply.text == texts.ASSIGN_DONE.format(name="Sam", mentor="Jo")
    async with session_factory() as session:
        sent = {m.text for m in (await session.execute(select(OutboxMessage))).scalars()}
    assert texts.ASSIGN_TO_NEW.format(name="Sam") in sent
    assert texts.ASSIGN_TO_OLD.format(name="Sam", mentor="Jo") in sent
    assert texts.ASSIGN_TO_MENTEE.format(mentor="Jo") in sent
    # Sam is now Jo's: Alex can no longer act for Sam, Jo can.
    assert (await alex.send("/note Sam hi"))[0].text == texts.NO_SUCH_MENTEE.format(name="Sam")
    assert (await jo.send("/note Sam hi"))[0].text == texts.NOTE_SAVED.format(name="Sam")


async def test_caseloads_count_and_show_supervision_due(
    service: MentorService, session_factory: Sessions
) -> None:
    _, _, pat = await _team(service, session_factory)
    (before,) = await pat.send("/caseloads")
    alex_line = next(line for line in before.text.splitlines() if line.startswith("Alex"))
    assert "1 mentees" in alex_line and texts.CASELOADS_OVERDUE in alex_line
    assert (await pat.send("/supervision Alex"))[0].text == texts.SUPERVISION_SAVED.format(
        name="Alex"
    )
    (after,) = await pat.send("/caseloads")
    alex_line = next(line for line in after.text.splitlines() if line.startswith("Alex"))
    assert texts.CASELOADS_OVERDUE not in alex_line
    jo_line = next(line for line in after.text.splitlines() if line.startswith("Jo"))
    assert "0 mentees" in jo_line
    assert await count_rows(session_factory, Supervision) == 1


async def test_audit_lists_who_looked_without_content(
    service: MentorService, session_factory: Sessions
) -> None:
    alex, _, pat = await _team(service, session_factory)
    await alex.send("/note Sam private words")
    (reply,) = await pat.send("/audit Sam")
    assert reply.text.startswith(texts.AUDIT_HEADER.format(name="Sam"))
    assert "Alex: note" in reply.text
    assert "private words" not in reply.text
    assert (await alex.send("/audit Sam"))[0].text == refusal("audit")
    async with session_factory() as session:
        actions = [e.action for e in (await session.execute(select(AuditEvent))).scalars()]
        sam = (
            await session.execute(select(Person).where(Person.display_name == "Sam"))
        ).scalar_one()
    assert actions == ["note", "audit"]
    assert sam.role is Role.MENTEE


async def test_help_lists_each_role_its_own_commands_with_examples(
    service: MentorService, session_factory: Sessions
) -> None:
    alex, _, pat = await _team(service, session_factory)
    mentor_help = (await alex.send("/help"))[0].text
    supervisor_help = (await pat.send("/help"))[0].text
    assert "Mentees: /mentees, /attention, /ack NAME, /mentee NAME," in mentor_help
    assert len(mentor_help.splitlines()) <= 8 and len(supervisor_help.splitlines()) <= 10
    assert alex.texts == [mentor_help]  # no crisis lines, no second message
    example = "/mentee NAME - one mentee's record (e.g. /mentee Sam)"
    assert (await alex.send("/help mentee"))[0].text == example
    assert (await alex.send("/help /report"))[0].text == mentor_help  # not theirs: the list
    assert "/caseloads" not in mentor_help and "/report" not in mentor_help
    assert "/caseloads" in supervisor_help and "/report" in supervisor_help
    assert "/checkin" not in mentor_help


def test_every_staff_command_is_in_a_group_of_the_help() -> None:
    from bot.authorisation import RULES, STAFF, SUPERVISOR
    from bot.flows.staff_help import staff_help

    grouped = " ".join(texts.STAFF_HELP_GROUPS.values()).split()
    staff_commands = {n for n, roles in RULES.items() if roles in (STAFF, SUPERVISOR)} - {"web"}
    assert staff_commands <= set(grouped)
    assert len(grouped) == len(set(grouped))
    assert "Directory:" in staff_help(Role.SUPERVISOR) and "Directory:" not in staff_help(
        Role.MENTOR
    )
