"""The export ZIP opens, its CSVs parse, and a pseudonymous export names nobody."""

from __future__ import annotations

import csv
import io
import zipfile

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.reports.export import build_export
from bot.service import MentorService
from bot.storage import goals, meetings, people
from bot.storage.models import Role
from tests.conftest import FakeClock
from tests.utils import MENTEE_PHONE, add_staff, joined_mentee

Sessions = async_sessionmaker[AsyncSession]
SYNTHETIC = ("Sam", "Alex", MENTEE_PHONE, MENTEE_PHONE[3:], "Find a flat", "Blue cafe")


async def _world(service: MentorService, sessions: Sessions, clock: FakeClock) -> None:
    alex = await add_staff(sessions, service, name="Alex")
    await joined_mentee(service, sessions, alex)
    async with sessions() as session, session.begin():
        (mentee, episode), *_ = await meetings.mentees_of(session, alex.id)
        await goals.add_goal(
            session,
            person_id=mentee.id,
            episode_id=episode.id,
            domain="housing",
            title="Find a flat",
            set_by=(mentee.id, Role.MENTEE),
            now=clock(),
            steps=["Call the council"],
        )
        await meetings.create_meeting(
            session,
            episode=episode,
            mentor_id=alex.id,
            starts_at=clock(),
            place="Blue cafe",
            now=clock(),
        )
        await people.add_person(session, role=Role.SUPERVISOR, display_name="Pat", now=clock())


def _files(data: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {
            name: list(csv.DictReader(io.StringIO(archive.read(name).decode())))
            for name in archive.namelist()
        }


async def test_pseudonymous_export_parses_and_holds_no_name_or_number(
    service: MentorService, session_factory: Sessions, clock: FakeClock
) -> None:
    await _world(service, session_factory, clock)
    async with session_factory() as session:
        data = await build_export(session, identified=False)
    files = _files(data)
    assert {
        "people.csv",
        "episodes.csv",
        "assessments.csv",
        "answers.csv",
        "scores.csv",
        "goals.csv",
        "goal_progress.csv",
        "meetings.csv",
        "signposts.csv",
        "outbox.csv",
    } == set(files)
    people_rows = files["people.csv"]
    assert [row["person"] for row in people_rows] == ["P1", "P2", "P3"]
    assert files["goals.csv"][0]["domain"] == "housing"
    assert files["meetings.csv"][0]["mentee"] == "P2"
    raw = zipfile.ZipFile(io.BytesIO(data))
    everything = "".join(raw.read(name).decode() for name in raw.namelist())
    for value in SYNTHETIC:
        assert value not in everything


async def test_identified_export_carries_names_numbers_and_words(
    service: MentorService, session_factory: Sessions, clock: FakeClock
) -> None:
    await _world(service, session_factory, clock)
    async with session_factory() as session:
        files = _files(await build_export(session, identified=True))
    sam = next(row for row in files["people.csv"] if row["name"] == "Sam")
    assert sam["phone"] == MENTEE_PHONE
    assert files["goals.csv"][0]["title"] == "Find a flat"
    assert files["meetings.csv"][0]["place"] == "Blue cafe"
