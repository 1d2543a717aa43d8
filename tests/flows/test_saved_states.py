"""A question saved by the code before the question engine resumes after the upgrade.

The typed states keep the stored key names, so a mentee halfway through /settings or /forget
when the new version is deployed carries on where they were.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import preferences, texts, your_data
from bot.service import MentorService
from bot.storage import conversations
from bot.storage.models import Person
from tests.utils import Chat, add_staff, joined_mentee

Sessions = async_sessionmaker[AsyncSession]


async def _saved_by_old_code(
    service: MentorService, sessions: Sessions, flow: str, step: str, data: dict[str, Any]
) -> Chat:
    chat = await joined_mentee(service, sessions, await add_staff(sessions, service))
    await chat.send("/cancel")
    async with sessions() as session, session.begin():
        await conversations.save_state(
            session,
            person_id=2,
            flow=flow,
            step=step,
            data=data,
            now=datetime(2026, 3, 2, 9, tzinfo=UTC),
        )
    return chat


async def test_settings_saved_at_the_time_question_carry_on(
    service: MentorService, session_factory: Sessions
) -> None:
    old = {"step": "time", "token": "a1b2c3", "day": 3}
    chat = await _saved_by_old_code(service, session_factory, preferences.FLOW, "time", old)
    replies = await chat.send("7pm")
    assert replies[0].text == texts.SETTINGS_SAVED.format(day="Wednesday", time="19:00")
    async with session_factory() as session:
        person = await session.get(Person, 2)
        assert person is not None and person.checkin_time == time(19)


async def test_forget_saved_at_the_last_check_still_needs_delete(
    service: MentorService, session_factory: Sessions
) -> None:
    old = {"at": "second", "token": "a1b2c3"}
    chat = await _saved_by_old_code(service, session_factory, your_data.FLOW, "second", old)
    assert (await chat.send("yes"))[0].text == texts.FORGET_KEPT
