"""A mentee's record on the dashboard: what it shows, and what staff can do from it."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from bot.service import MentorService
from bot.storage.models import AuditEvent, CrisisAlert, Meeting, Person, SessionNote
from bot.web.security import OpaqueIds
from tests.conftest import FakeClock
from tests.flows.full_mentee import NAME, SAFETY, VALUES, full_mentee
from tests.web.conftest import Sessions, csrf_of, sign_in, team

RECORD = re.compile(r'href="(/staff/mentees/[A-Za-z0-9_-]{22})"')


async def open_record(web: httpx.AsyncClient, caseload: httpx.Response, nth: int = 0) -> str:
    """The path of the nth record linked from the caseload."""
    links = RECORD.findall(caseload.text)
    assert links, caseload.text
    return str(links[nth])


async def test_the_record_shows_everything_and_is_audit_logged(
    web: httpx.AsyncClient, web_service: MentorService, session_factory: Sessions
) -> None:
    mentee = await full_mentee(web_service, session_factory)
    caseload = await sign_in(web, mentee.mentor)
    assert "crisis alert NOT picked up" in caseload.text  # the most urgent flag shows
    path = await open_record(web, caseload)
    assert NAME not in path
    record = await web.get(path)
    assert record.status_code == 200
    for value in ("goal", "note", "place", "service"):
        assert VALUES[value] in record.text, value
    for part in ("Weekly total", "Recovery capital (ARC)", "I am on it", "Book or move"):
        assert part in record.text, part
    picture = await web.get(f"{path}/picture.png")
    assert picture.status_code == 200 and picture.content.startswith(b"\x89PNG")
    async with session_factory() as session:
        actions = [
            (e.action, e.subject_id) for e in (await session.execute(select(AuditEvent))).scalars()
        ]
    assert actions[-1] == ("mentee", mentee.person_id)  # the page view, as /mentee logs it


async def test_add_a_note_and_pick_up_an_alert(
    web: httpx.AsyncClient, web_service: MentorService, session_factory: Sessions
) -> None:
    mentee = await full_mentee(web_service, session_factory)
    path = await open_record(web, await sign_in(web, mentee.mentor))
    record = await web.get(path)
    csrf = csrf_of(record)
    saved = await web.post(f"{path}/notes", data={"csrf": csrf, "text": "Walk to the park"})
    assert saved.status_code == 303 and saved.headers["location"].endswith("?done=note#notes")
    assert "Note saved." in (await web.get(saved.headers["location"])).text
    too_long = await web.post(f"{path}/notes", data={"csrf": csrf, "text": "x" * 201})
    assert too_long.headers["location"].endswith("?done=note-long#notes")
    forged = await web.post(f"{path}/notes", data={"csrf": "guess", "text": "sneaky"})
    assert forged.status_code == 403
    [pick_up] = re.findall(r'action="([^"]+/pick-up)"', record.text)
    picked = await web.post(pick_up, data={"csrf": csrf})
    assert picked.headers["location"].endswith("?done=picked#alerts")
    async with session_factory() as session:
        notes = [n.text for n in (await session.execute(select(SessionNote))).scalars()]
        alert = (await session.execute(select(CrisisAlert))).scalar_one()
        alex = (
            await session.execute(select(Person).where(Person.display_name == "Alex"))
        ).scalar_one()
    assert notes.count("Walk to the park") == 1 and "sneaky" not in notes
    assert alert.acknowledged_by_id == alex.id and alert.categories == SAFETY


async def test_book_and_move_a_meeting(
    web: httpx.AsyncClient,
    web_service: MentorService,
    session_factory: Sessions,
    clock: FakeClock,
) -> None:
    chats = await team(web_service, session_factory)
    path = await open_record(web, await sign_in(web, chats["Alex"]))
    csrf = csrf_of(await web.get(path))
    day = "2026-03-04"  # two days after the test clock's Monday
    booked = await web.post(
        f"{path}/meetings", data={"csrf": csrf, "day": day, "time": "14:00", "other": "Library"}
    )
    assert booked.headers["location"].endswith("?done=booked#meetings")
    late = await web.post(
        f"{path}/meetings", data={"csrf": csrf, "day": day, "time": "23:00", "other": "Library"}
    )
    assert late.headers["location"].endswith("?done=when-bad#meetings")
    record = await web.get(path)
    [move] = re.findall(r'<option value="([A-Za-z0-9_-]{22})">Move: ', record.text)
    moved = await web.post(
        f"{path}/meetings",
        data={"csrf": csrf, "day": day, "time": "15:30", "other": "Cafe", "replaces": move},
    )
    assert moved.headers["location"].endswith("?done=booked#meetings")
    async with session_factory() as session:
        found = [
            (m.place, m.status.value)
            for m in (await session.execute(select(Meeting).order_by(Meeting.id))).scalars()
        ]
    assert found == [("Library", "cancelled"), ("Cafe", "proposed")]


async def test_another_mentors_mentee_is_not_found_like_a_made_up_id(
    web: httpx.AsyncClient, web_service: MentorService, session_factory: Sessions
) -> None:
    chats = await team(web_service, session_factory)
    await sign_in(web, chats["Alex"])
    async with session_factory() as session:
        kim = (
            await session.execute(select(Person).where(Person.display_name == "Kim"))
        ).scalar_one()
    others = await web.get(f"/staff/mentees/{OpaqueIds().encode('mentee', kim.id)}")
    made_up = await web.get("/staff/mentees/" + "B" * 22)
    assert others.status_code == made_up.status_code == 404
    assert others.text == made_up.text
