"""Encryption at rest: the database file (or a PostgreSQL dump) holds none of the words people
typed nor their phone numbers, the app still reads them, SMS still finds the person, and
rotating keys keeps everything readable."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Text, select, text, type_coerce
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.messages import Channel, Sender
from bot.service import MentorService
from bot.storage import crypto, goals, meetings, people
from bot.storage.db import make_engine, make_session_factory
from bot.storage.models import Goal, Meeting, Person, RelayMessage, Role
from bot.storage.rotation import rotate_all
from config.settings import SettingsError
from tests.conftest import TEST_KEY
from tests.handlers.test_sms import SmsWorld, sms  # noqa: F401  (the SMS fixture)
from tests.utils import MENTOR_PHONE, Chat, add_staff, joined_mentee

Sessions = async_sessionmaker[AsyncSession]

PHONE = "+447700900777"
GOAL = "Visit my sister in Dover"
STEP = "Look up the train times to Dover"
NOTE = "Talked about the Tuesday group at Marlowe House"
PLACE = "Costa on Priory Street"
RELAY = "Running late, save me a seat by the window"
SECRETS = (PHONE, PHONE.removeprefix("+"), "7700900777", GOAL, STEP, NOTE, PLACE, RELAY)
KEY_A, KEY_B = crypto.new_key(), crypto.new_key()


@pytest.fixture
def keys() -> Iterator[None]:
    """Tests here install their own keys; everyone else keeps the test key."""
    yield
    crypto.install(crypto.KeyRing([TEST_KEY]))


@dataclass
class Written:
    mentee_id: int
    goal_id: int
    meeting_id: int


async def write_everything(service: MentorService, sessions: Sessions) -> Written:
    """Sam joins from +447700900777, sets a goal, Alex notes a session and books a meeting."""
    alex = await add_staff(sessions, service, name="Alex")
    await joined_mentee(service, sessions, alex, phone=PHONE)
    mentor = Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))
    await mentor.send(f"/note Sam {NOTE}")
    now = service.clock()
    async with sessions() as session, session.begin():
        sam = await people.person_by_phone(session, PHONE)
        assert sam is not None
        episode = await people.active_episode(session, sam.id)
        assert episode is not None
        goal = await goals.add_goal(
            session,
            person_id=sam.id,
            episode_id=episode.id,
            domain="relationships",
            title=GOAL,
            set_by=(sam.id, Role.MENTEE),
            now=now,
            steps=[STEP],
        )
        meeting = await meetings.create_meeting(
            session,
            episode=episode,
            mentor_id=alex.id,
            starts_at=now + timedelta(days=2),
            place=PLACE,
            now=now,
        )
        session.add(
            RelayMessage(
                episode_id=episode.id,
                sender_id=sam.id,
                recipient_id=alex.id,
                text=RELAY,
                created_at=now,
            )
        )
    return Written(sam.id, goal.id, meeting.id)


async def raw_database_bytes(engine: AsyncEngine, database_url: str) -> bytes:
    """Everything the database keeps on disk: the SQLite file, or a PostgreSQL dump."""
    if engine.dialect.name == "sqlite":
        async with engine.connect() as connection:
            await connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        await engine.dispose()
        path = Path(make_url(database_url).database or "")
        files = [path, *path.parent.glob(f"{path.name}-*")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    url = make_url(database_url)
    command = ["pg_dump", "--no-owner", "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432)]
    command += ["-U", url.username or "postgres", url.database or ""]
    done = await asyncio.to_thread(
        subprocess.run, command, capture_output=True, check=True, timeout=120
    )
    return done.stdout


async def read_back(sessions: Sessions, written: Written) -> tuple[str | None, ...]:
    async with sessions() as session:
        sam = await session.get(Person, written.mentee_id)
        goal = await session.get(Goal, written.goal_id)
        meeting = await session.get(Meeting, written.meeting_id)
        relay = (await session.execute(select(RelayMessage))).scalar_one()
        steps = await goals.steps_of(session, written.goal_id)
        assert sam and goal and meeting
        return sam.phone, goal.title, steps[0].text, meeting.place, relay.text


async def test_the_database_holds_none_of_the_words_and_the_app_reads_them(
    service: MentorService, session_factory: Sessions, engine: AsyncEngine, database_url: str
) -> None:
    written = await write_everything(service, session_factory)
    mentor = Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))
    record, *_ = await mentor.send("/mentee Sam")
    assert NOTE in record.text  # the note is read back and shown to the mentor

    dump = await raw_database_bytes(engine, database_url)
    assert b"Sam" in dump  # names stay in clear (staff find mentees by name): the scan works
    found = [secret for secret in SECRETS if secret.encode() in dump]
    assert found == []

    fresh = make_engine(database_url)  # a new process reading the same database
    try:
        assert await read_back(make_session_factory(fresh), written) == (
            PHONE,
            GOAL,
            STEP,
            PLACE,
            RELAY,
        )
    finally:
        await fresh.dispose()


async def test_an_inbound_text_from_the_encrypted_number_finds_the_person(
    service: MentorService,
    session_factory: Sessions,
    sms: SmsWorld,  # noqa: F811
) -> None:
    await write_everything(service, session_factory)
    assert await sms.text("/plan", sender=PHONE) == 200
    assert any(GOAL in body for body in sms.inbox(PHONE))  # Sam's own plan, with the goal
    async with session_factory() as session:
        stored = (
            await session.execute(select(type_coerce(Person.phone, Text)).where(Person.id > 0))
        ).scalars()
        assert PHONE not in list(stored)


async def test_rotation_rewrites_everything_under_the_new_key(
    keys: None, service: MentorService, session_factory: Sessions, engine: AsyncEngine
) -> None:
    crypto.install(crypto.KeyRing([KEY_A]))
    written = await write_everything(service, session_factory)
    expected = await read_back(session_factory, written)

    only_b = crypto.KeyRing([KEY_B])
    crypto.install(only_b)
    with pytest.raises(crypto.KeyRingError):  # B alone cannot read what A wrote
        await read_back(session_factory, written)

    both = crypto.KeyRing([KEY_B, KEY_A])  # the new key first, the old one kept
    crypto.install(both)
    assert await read_back(session_factory, written) == expected
    async with session_factory() as session:
        assert await people.person_by_phone(session, PHONE) is not None  # old hash still found
    assert await rotate_all(engine, both, batch=2) > 0

    crypto.install(only_b)  # the old key is gone: everything was re-encrypted and rehashed
    assert await read_back(session_factory, written) == expected
    sam = Chat(service, sender=Sender(Channel.SMS, PHONE))
    replies = await sam.send("/plan")
    assert any(GOAL in reply.text for reply in replies)


def test_a_key_ring_refuses_bad_or_missing_keys() -> None:
    with pytest.raises(SettingsError, match="Missing setting MENTORBOT_ENCRYPTION_KEYS"):
        crypto.KeyRing.from_text(" , ")
    with pytest.raises(SettingsError, match="key 2 is not a Fernet key"):
        crypto.KeyRing.from_text(f"{KEY_A},not-a-key")
    ring = crypto.KeyRing.from_text(f"{KEY_B}, {KEY_A}")
    assert ring.decrypt(crypto.KeyRing([KEY_A]).encrypt(GOAL)) == GOAL
    assert ring.phone_hash(PHONE) != crypto.KeyRing([KEY_A]).phone_hash(PHONE)
    assert crypto.KeyRing([KEY_A]).phone_hash(PHONE) in ring.phone_hashes(PHONE)
