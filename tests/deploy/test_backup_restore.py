"""deploy/backup.sh and deploy/restore.sh as an operator runs them (docs/deploy.md).

The round trip runs the real scripts, with the real pg_dump and pg_restore, against the test
PostgreSQL database: a mentee is part-way through a check-in, the database is dumped, wiped
and restored, and a restarted service carries on at the question the mentee was on, with
every answer given before the dump still there.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.instruments import Instrument
from bot.storage.db import make_engine, make_session_factory
from bot.storage.migrate import upgrade
from bot.storage.models import Answer
from tests.conftest import POSTGRES_URL, FakeClock, make_service
from tests.utils import Chat, add_staff, joined_mentee, question_number

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
BACKUP, RESTORE = DEPLOY / "backup.sh", DEPLOY / "restore.sh"
Sessions = async_sessionmaker[AsyncSession]
AnswerRow = tuple[str, str, int]

postgres_only = pytest.mark.skipif(
    POSTGRES_URL is None, reason="backups are of PostgreSQL (SQLite: copy the file)"
)


async def run(script: Path, *args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """Run a deploy script with only the environment given (no /etc/mentorbot/env)."""
    process = await asyncio.create_subprocess_exec(
        "sh",
        str(script),
        *args,
        env={"PATH": os.environ["PATH"], "MENTORBOT_ENV_FILE": "/nonexistent", **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def major_version(version: str) -> int:
    match = re.search(r"(\d+)", version)
    assert match is not None, version
    return int(match.group(1))


async def check_client_tools(engine: AsyncEngine) -> None:
    """pg_dump refuses a server newer than itself: say so rather than fail obscurely."""
    for tool in ("pg_dump", "pg_restore", "psql"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (Debian: postgresql-client)")
    process = await asyncio.create_subprocess_exec(
        "pg_dump", "--version", stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    async with engine.connect() as connection:
        server = str((await connection.execute(text("SHOW server_version"))).scalar())
    client = out.decode().split()[2]  # "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"
    if major_version(client) < major_version(server):
        pytest.skip(f"pg_dump ({out.decode().strip()}) is older than the server ({server})")


async def answers(sessions: Sessions) -> list[AnswerRow]:
    async with sessions() as session:
        rows = await session.execute(
            select(Answer.instrument, Answer.item_id, Answer.value).order_by(Answer.id)
        )
        return [(row.instrument, row.item_id, row.value) for row in rows]


async def wipe(database_url: str) -> None:
    """The disaster: every table gone."""
    engine = make_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    try:
        async with engine.connect() as connection:
            with pytest.raises(ProgrammingError):
                await connection.execute(text("SELECT count(*) FROM answers"))
    finally:
        await engine.dispose()


async def schema_present(database_url: str) -> bool:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT version_num FROM alembic_version"))
        return True
    except ProgrammingError:
        return False
    finally:
        await engine.dispose()


@postgres_only
async def test_a_restored_backup_carries_on_every_conversation_where_it_was(
    database_url: str,
    engine: AsyncEngine,
    session_factory: Sessions,
    instruments: dict[str, Instrument],
    clock: FakeClock,
    tmp_path: Path,
) -> None:
    await check_client_tools(engine)
    service = make_service(session_factory, instruments, clock)
    mentor = await add_staff(session_factory, service)
    sam = await joined_mentee(service, session_factory, mentor)
    await sam.tap("Yes")
    await sam.tap("No")
    await sam.send("yes")  # typed words count as much as taps
    assert question_number(sam.question) == 4
    on_screen = sam.question  # what Sam's phone shows: question 4 and its buttons
    before = await answers(session_factory)
    assert len(before) == 3

    env = {"MENTORBOT_DATABASE_URL": database_url, "MENTORBOT_BACKUP_DIR": str(tmp_path)}
    status, out, err = await run(BACKUP, env=env)
    assert status == 0, err
    dump = Path(out.strip())
    made = await asyncio.to_thread(dump.stat)
    assert dump.parent == tmp_path and made.st_size > 0
    assert made.st_mode & 0o077 == 0  # the dump holds what mentees wrote: owner only

    # Written after the backup, so lost with the database: the restore goes back to the dump.
    await sam.tap("No")
    assert question_number(sam.question) == 5
    await engine.dispose()

    restored = False
    try:
        await wipe(database_url)
        status, out, err = await run(RESTORE, str(dump), "--yes", env=env)
        assert status == 0, err
        assert "schema version" in out
        restored = True
    finally:
        if not restored and not await schema_present(database_url):
            await asyncio.to_thread(upgrade, database_url)  # leave the suite a usable database

    # A new process: new engine, new service, same database.
    new_engine = make_engine(database_url)
    try:
        sessions = make_session_factory(new_engine)
        assert await answers(sessions) == before
        again = Chat(make_service(sessions, instruments, clock), sender=sam.sender)
        await again.tap("No", reply=on_screen)  # Sam taps the button still on their phone
        assert not again.stale
        assert question_number(again.question) == 5
        assert await answers(sessions) == [*before, ("arc", "arc_substance_use_4", 0)]
    finally:
        await new_engine.dispose()


@postgres_only
async def test_backup_keeps_the_newest_dumps_only(
    database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    await check_client_tools(engine)
    for day in ("20260101", "20260102"):
        await asyncio.to_thread((tmp_path / f"mentorbot-{day}T033000Z.dump").write_bytes, b"old")
    env = {"MENTORBOT_DATABASE_URL": database_url, "MENTORBOT_BACKUP_KEEP": "2"}
    status, out, err = await run(BACKUP, str(tmp_path), env=env)
    assert status == 0, err
    kept = sorted(await asyncio.to_thread(os.listdir, tmp_path))
    assert kept == ["mentorbot-20260102T033000Z.dump", Path(out.strip()).name]


async def test_restore_asks_for_yes_before_replacing_anything(tmp_path: Path) -> None:
    status, _, err = await run(RESTORE, str(tmp_path / "any.dump"), env={})
    assert status == 2
    assert "--yes" in err


async def test_backup_names_what_it_cannot_back_up(tmp_path: Path) -> None:
    status, _, err = await run(BACKUP, env={})
    assert status == 2 and "MENTORBOT_DATABASE_URL is not set" in err
    sqlite = {"MENTORBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/m.db"}
    status, _, err = await run(BACKUP, str(tmp_path), env=sqlite)
    assert status == 2 and "sqlite3" in err
