"""Words people type move every kind of question on, without a re-ask (docs/vocabulary.md).

One table per kind of question: each form is typed where that kind of question is asked, and
the conversation must move to the next step with no "Sorry, I did not get that".
"""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import texts
from bot.messages import Channel, Reply, Sender
from bot.service import MentorService
from bot.storage.models import Answer, Person
from tests.utils import (
    MENTEE_PHONE,
    Chat,
    add_staff,
    is_break,
    joined_mentee,
    make_invite,
    question_number,
)

Sessions = async_sessionmaker[AsyncSession]

CONSENT = ["yes", "Yes!", "yse", "yes please", "ok", "\U0001f44d", "Yes, I agree"]
YES_NO = {
    "yes": 1,
    "Y": 1,
    "yep": 1,
    "yeah": 1,
    "yes please": 1,
    "Yes!": 1,
    "yse": 1,
    "no": 0,
    "nah": 0,
    "nope": 0,
    "No thanks": 0,
    "2": 0,
}
AGREEMENT = {
    "agree": 4,
    "Agree strongly": 5,
    "strongly agree": 5,
    "agre": 4,
    "not sure": 3,
    "disagree": 2,
    "4": 4,
    "1": 1,
}
CARRY_ON = ["carry on", "Carry on", "yes", "1", "ok"]
WEEKDAY = {"thursday": 4, "Thu": 4, "thurs": 4, "thrusday": 4, "mon": 1, "Sunday": 7}
TIME = {
    "7pm": time(19),
    "7 pm": time(19),
    "19:00": time(19),
    "7.30pm": time(19, 30),
    "morning": time(10),
    "evening": time(18),
    "afternoon": time(14),
    "11:30": time(11, 30),
}


def reasked(replies: list[Reply]) -> bool:
    return any("did not get" in reply.text.lower() for reply in replies)


async def mentee(service: MentorService, sessions: Sessions) -> Chat:
    return await joined_mentee(service, sessions, await add_staff(sessions, service))


async def stored(sessions: Sessions) -> list[int | None]:
    async with sessions() as session:
        return [a.value for a in await session.scalars(select(Answer).order_by(Answer.id))]


@pytest.mark.parametrize("typed", CONSENT)
async def test_consent_in_everyday_words(
    typed: str, service: MentorService, session_factory: Sessions
) -> None:
    mentor = await add_staff(session_factory, service)
    chat = Chat(service, sender=Sender(Channel.CONSOLE, MENTEE_PHONE))
    await chat.send(f"/start {await make_invite(session_factory, service, mentor)}")
    replies = await chat.send(typed)
    assert not reasked(replies)
    assert question_number(chat.question) == 1


async def test_yes_and_no_in_everyday_and_misspelt_words(
    service: MentorService, session_factory: Sessions
) -> None:
    chat = await mentee(service, session_factory)
    for number, typed in enumerate(YES_NO, start=2):
        replies = await chat.send(typed)
        assert not reasked(replies), typed
        assert question_number(chat.question) == number, typed
    assert await stored(session_factory) == list(YES_NO.values())


async def test_agreement_and_carrying_on_in_words(
    service: MentorService, session_factory: Sessions
) -> None:
    chat = await mentee(service, session_factory)
    for _ in range(50):
        await chat.send("yes")
    for typed in CARRY_ON:  # each form, at a fresh break: a break, then back to it
        assert is_break(chat.question)
        replies = await chat.send(typed)
        assert not reasked(replies), typed
        assert question_number(chat.question) == 1, typed
        await chat.send("back")
        await chat.send("yes")
    await chat.send("carry on")
    for typed in AGREEMENT:
        before = question_number(chat.question)
        replies = await chat.send(typed)
        assert not reasked(replies), typed
        if is_break(chat.question):
            await chat.send("carry on")
        else:
            assert question_number(chat.question) == before + 1, typed
    assert (await stored(session_factory))[50:] == list(AGREEMENT.values())


@pytest.mark.parametrize(("day", "at"), list(zip(WEEKDAY, TIME, strict=False)))
async def test_check_in_day_and_time_in_words(
    day: str, at: str, service: MentorService, session_factory: Sessions
) -> None:
    chat = await mentee(service, session_factory)
    await chat.send("/settings")
    assert not reasked(await chat.send(day))
    assert chat.question.text == texts.ASK_CHECKIN_TIME
    assert not reasked(await chat.send(at))
    async with session_factory() as session:
        sam = (await session.scalars(select(Person).where(Person.display_name == "Sam"))).one()
    assert (sam.checkin_weekday, sam.checkin_time) == (WEEKDAY[day], TIME[at])
