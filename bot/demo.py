"""`mentorbot demo`: a console chat on a local SQLite file with synthetic people.

The demo people are invented; their numbers are from Ofcom's drama range (07700 900xxx), which
is never given to a real phone. Without MENTORBOT_ENCRYPTION_KEYS the demo makes its own key and
keeps it beside its database (`mentorbot-demo.db.key`), so it runs with nothing set up. It ends
by printing the `mentorbot report` command for that database: the report needs both the
database URL and the key, and neither is where a plain `mentorbot report` would look.
"""

from __future__ import annotations

import asyncio
import shlex
import sys
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

from sqlalchemy import select

from bot.app import build_service
from bot.handlers.console import ConsoleChat, terminal_lines
from bot.messages import Channel, Sender
from bot.scheduling.quiet import QuietHours
from bot.signposting import load_directory, stored
from bot.storage import crypto, people
from bot.storage.migrate import upgrade
from bot.storage.models import Invite, PersonStatus, Role
from config.settings import Settings

MENTOR_NAME, MENTOR_PHONE = "Alex", "+447700900001"
MENTEE_NAME, MENTEE_PHONE = "Sam", "+447700900123"
DEMO_CODE = "DEMO2026"


def _database_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path.resolve()}"


def install_demo_keys(settings: Settings, database: Path) -> None:
    """Use the configured keys, or the demo's own key file (made on first run)."""
    if settings.encryption_keys is not None:
        crypto.install_from_settings(settings)
        return
    key_file = Path(f"{database}.key")
    if not key_file.exists():
        key_file.touch(mode=0o600)
        key_file.write_text(crypto.new_key() + "\n", encoding="ascii")
    crypto.install(crypto.KeyRing.from_text(key_file.read_text(encoding="ascii")))


async def _prepare(chat: ConsoleChat) -> bool:
    """Create the demo mentor and invite; True when the mentee still has to join."""
    service = chat.service
    async with service.session_factory() as session, session.begin():
        now = service.clock()
        mentor = await people.person_by_phone(session, MENTOR_PHONE)
        if mentor is None:
            mentor = await people.add_person(
                session, role=Role.MENTOR, display_name=MENTOR_NAME, now=now, phone=MENTOR_PHONE
            )
        if not await stored.active_resources(session):  # so /find has services to show
            await stored.replace_directory(session, load_directory().entries, now=now)
        mentee = await people.person_by_sender(session, chat.sender)
        if mentee is not None and mentee.status is PersonStatus.ACTIVE:
            return False
        invite = (
            await session.execute(select(Invite).where(Invite.code == DEMO_CODE))
        ).scalar_one_or_none()
        if invite is not None:
            await session.delete(invite)
            await session.flush()
        invite = await people.create_invite(
            session, created_by=mentor, mentee_name=MENTEE_NAME, site="hub", now=now
        )
        invite.code = DEMO_CODE
    return True


async def run_demo(
    settings: Settings,
    *,
    database: Path,
    picture_dir: Path,
    script: Iterable[str] | None,
    as_mentor: bool,
) -> None:
    url = _database_url(database)
    install_demo_keys(settings, database)
    await asyncio.to_thread(upgrade, url)
    engine, service = build_service(settings, database_url=url)
    phone = MENTOR_PHONE if as_mentor else MENTEE_PHONE
    chat = ConsoleChat(
        service=service,
        sender=Sender(Channel.CONSOLE, phone),
        out=sys.stdout,
        picture_dir=picture_dir,
        quiet=QuietHours.from_settings(settings),
    )
    try:
        must_join = await _prepare(chat)
        print(_intro(as_mentor, must_join), flush=True)
        if must_join and not as_mentor:
            print(f"You: /start {DEMO_CODE}", flush=True)
            await chat.say(f"/start {DEMO_CODE}")
        lines: AsyncIterator[str] | Iterable[str] = terminal_lines() if script is None else script
        await chat.run(lines, echo=script is not None)
    finally:
        await engine.dispose()
    print(report_hint(settings, database), flush=True)


def report_hint(settings: Settings, database: Path) -> str:
    """The shell command that runs the cohort report on this demo's database, as printed.

    Absolute paths, so it works from any folder; the key is read from its file by the shell
    rather than printed. With MENTORBOT_ENCRYPTION_KEYS set, the demo used that key and the
    report will too.
    """
    command = f"MENTORBOT_DATABASE_URL={shlex.quote(_database_url(database))}"
    if settings.encryption_keys is None:
        key_file = shlex.quote(str(Path(f"{database}.key").resolve()))
        command += f' MENTORBOT_ENCRYPTION_KEYS="$(cat {key_file})"'
    return f"To see the outcomes report on this demo's data, run:\n  {command} mentorbot report"


def _intro(as_mentor: bool, must_join: bool) -> str:
    if as_mentor:
        return (
            f"mentorbot demo. You are {MENTOR_NAME}, a volunteer mentor. "
            "Try /invite Jo. Type quit to leave."
        )
    joining = f"{MENTOR_NAME}, your mentor, sent you an invite. " if must_join else ""
    return (
        f"mentorbot demo. You are {MENTEE_NAME}, a mentee. {joining}"
        "Type a number to pick an answer, or type words. Type quit to leave."
    )
