"""Choosing the weekly check-in day and time: after the first full check, and by /settings."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import texts
from bot.service import MentorService
from bot.storage.models import Person
from tests.utils import Chat, add_staff, joined_mentee


async def mentee_chat(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> Chat:
    mentor = await add_staff(session_factory, service)
    chat = await joined_mentee(service, session_factory, mentor)
    await chat.send("/cancel")  # leave the baseline for later
    return chat


async def saved(
    session_factory: async_sessionmaker[AsyncSession],
) -> tuple[int | None, time | None]:
    async with session_factory() as session:
        person = await session.get(Person, 2)
        assert person is not None
        return person.checkin_weekday, person.checkin_time


async def test_settings_by_buttons(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await mentee_chat(service, session_factory)
    await chat.send("/settings")
    assert chat.question.text == texts.ASK_CHECKIN_DAY
    assert [c.label for c in chat.question.choices][:2] == ["Mon", "Tue"]
    await chat.tap("Wed")
    assert chat.question.text == texts.ASK_CHECKIN_TIME
    replies = await chat.tap(texts.TIME_EVENING)
    assert replies[0].text == texts.SETTINGS_SAVED.format(day="Wednesday", time="18:00")
    assert await saved(session_factory) == (3, time(18))


@pytest.mark.parametrize(
    ("day", "at", "expected"),
    [
        ("friday", "9:15", (5, time(9, 15))),
        ("Sun", "20.30", (7, time(20, 30))),
        ("1", "2", (1, time(14))),
    ],
)
async def test_settings_by_typing(
    day: str,
    at: str,
    expected: tuple[int, time],
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    chat = await mentee_chat(service, session_factory)
    await chat.send("/settings")
    await chat.send(day)
    await chat.send(at)
    assert await saved(session_factory) == expected


@pytest.mark.parametrize("bad_time", ["03:00", "23:30", "25:00", "soon", ""])
async def test_times_in_the_night_or_unclear_are_asked_again(
    bad_time: str, service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await mentee_chat(service, session_factory)
    await chat.send("/settings")
    await chat.send("t")  # ambiguous: Tuesday or Thursday
    assert chat.last[0].text == texts.SETTINGS_REASK
    await chat.send("tue")
    replies = await chat.send(bad_time)
    assert replies[0].text == texts.SETTINGS_TIME_REASK
    assert replies[1].text == texts.ASK_CHECKIN_TIME
    assert await saved(session_factory) == (None, None)


async def test_staff_cannot_use_mentee_settings(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await add_staff(session_factory, service)
    from bot.flows.types import Channel, Sender
    from tests.utils import MENTOR_PHONE

    replies = await Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE)).send("/settings")
    assert replies[0].text == texts.COMMAND_NOT_ALLOWED
