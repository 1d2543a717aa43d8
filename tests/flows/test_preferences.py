"""Choosing the weekly check-in day and time: after the first full check, and by /settings."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.authorisation import refusal
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
        ("weds", "7pm", (3, time(19))),
        ("thrusday", "morning", (4, time(10))),
        ("mondays", "in the evening", (1, time(18))),
        ("Sat", "7.30pm", (6, time(19, 30))),
        ("sun", "noon", (7, time(12))),
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


async def test_a_mentee_types_morning_and_the_check_in_time_is_10(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await mentee_chat(service, session_factory)
    await chat.send("/settings")
    await chat.send("Friday")
    replies = await chat.send("morning")
    assert replies[0].text == texts.SETTINGS_SAVED.format(day="Friday", time="10:00")
    assert await saved(session_factory) == (5, time(10))


@pytest.mark.parametrize("outside", ["03:00", "23:30", "11pm", "midnight", "6am"])
async def test_a_time_at_night_is_understood_and_the_hours_are_explained(
    outside: str, service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await mentee_chat(service, session_factory)
    await chat.send("/settings")
    await chat.send("tue")
    replies = await chat.send(outside)
    assert replies[0].text == texts.SETTINGS_TIME_OUTSIDE
    assert replies[1].text == texts.ASK_CHECKIN_TIME
    await chat.send("7pm")
    assert await saved(session_factory) == (2, time(19))


@pytest.mark.parametrize("bad_time", ["25:00", "soon", "", "13pm", "7 or 8"])
async def test_times_in_the_night_or_unclear_are_asked_again(
    bad_time: str, service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await mentee_chat(service, session_factory)
    await chat.send("/settings")
    await chat.send("t")  # ambiguous: Tuesday or Thursday
    assert chat.texts == [
        "Sorry, I did not get that. Please choose an answer, or type its number, 1 to 7.",
        texts.ASK_CHECKIN_DAY,
    ]
    await chat.send("tue")
    replies = await chat.send(bad_time)
    assert [reply.text for reply in replies] == [
        "Sorry, I did not get that. "
        "Please choose Morning (10:00) or Afternoon (14:00) or Evening (18:00), or type it.",
        texts.ASK_CHECKIN_TIME,
    ]
    assert await saved(session_factory) == (None, None)


async def test_staff_cannot_use_mentee_settings(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await add_staff(session_factory, service)
    from bot.messages import Channel, Sender
    from tests.utils import MENTOR_PHONE

    replies = await Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE)).send("/settings")
    assert replies[0].text == refusal("settings")


@pytest.mark.parametrize("back", ["tap", "back", "go back"])
async def test_back_from_the_time_asks_the_day_again(
    back: str, service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await mentee_chat(service, session_factory)
    await chat.send("/settings")
    await chat.tap("Wed")
    assert [c.label for c in chat.question.controls] == [texts.BACK_LABEL]
    if back == "tap":
        await chat.tap(texts.BACK_LABEL)
    else:
        await chat.send(back)
    assert chat.question.text == texts.ASK_CHECKIN_DAY
    assert chat.question.controls == ()  # the first question: nothing before it
    await chat.send("friday")
    await chat.send("7pm")
    assert await saved(session_factory) == (5, time(19))


async def test_back_at_the_day_says_there_is_nothing_before(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await mentee_chat(service, session_factory)
    await chat.send("/settings")
    token = chat.question.token
    await chat.send("back")
    assert chat.texts == [texts.NOTHING_BEFORE, texts.ASK_CHECKIN_DAY]
    assert chat.question.token == token


async def test_a_number_picks_the_time_choice_not_an_hour(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await mentee_chat(service, session_factory)
    await chat.send("/settings")
    await chat.send("mon")
    await chat.send("1")  # the first choice, Morning (10:00), not 1pm
    assert await saved(session_factory) == (1, time(10))


async def test_a_tap_on_the_day_question_after_it_was_answered_is_stale(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await mentee_chat(service, session_factory)
    await chat.send("/settings")
    day_question = chat.question
    await chat.tap("Wed")
    await chat.tap("Sat", reply=day_question)
    assert chat.stale
    assert await saved(session_factory) == (None, None)
