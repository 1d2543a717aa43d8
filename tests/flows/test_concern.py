"""/privacy and /concern: what is kept, and telling a supervisor rather than one's mentor."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import texts
from bot.service import MentorService
from bot.storage.models import OutboxMessage, Role
from tests.utils import add_staff, joined_mentee

Sessions = async_sessionmaker[AsyncSession]


async def _sent(sessions: Sessions) -> list[tuple[int, str]]:
    async with sessions() as session:
        rows = (await session.execute(select(OutboxMessage))).scalars()
        return [(row.person_id, row.text) for row in rows]


async def test_privacy_says_what_is_kept_who_sees_it_and_how_to_delete_it(
    service: MentorService, session_factory: Sessions
) -> None:
    alex = await add_staff(session_factory, service)
    chat = await joined_mentee(service, session_factory, alex)
    await chat.send("/cancel")
    *kept, who, yours = await chat.send("/privacy")
    assert kept[0].text.startswith(texts.PRIVACY_KEPT_HEAD)
    listed = "\n".join(reply.text for reply in kept)
    assert all(words in listed for words in texts.KEPT_WORDS.values())
    assert (who.text, yours.text) == (texts.WHO_SEES, texts.PRIVACY_YOUR_DATA)


async def test_a_concern_reaches_supervisors_and_not_the_mentor(
    service: MentorService, session_factory: Sessions
) -> None:
    alex = await add_staff(session_factory, service)
    pat = await add_staff(
        session_factory, service, name="Pat", role=Role.SUPERVISOR, phone="+447700900003"
    )
    chat = await joined_mentee(service, session_factory, alex)
    await chat.send("/cancel")
    told_mentor = [text for person, text in await _sent(session_factory) if person == alex.id]
    await chat.send("/concern")
    assert chat.texts == [texts.CONCERN_ASK]
    await chat.send("maybe")
    assert chat.texts == [
        "Sorry, I did not get that. Please choose "
        f"{texts.CONCERN_SOMETHING_WRONG} or {texts.CONCERN_NEW_MENTOR}, or type it.",
        texts.CONCERN_ASK,
    ]
    await chat.tap(texts.CONCERN_SOMETHING_WRONG)
    assert chat.texts == [texts.CONCERN_ASK_WORDS]
    assert (await chat.send("x" * 201))[0].text == texts.CONCERN_TOO_LONG.format(length=201)
    await chat.send("my mentor keeps being late")
    assert chat.texts == [texts.CONCERN_SENT]
    sent = await _sent(session_factory)
    assert (
        pat.id,
        texts.CONCERN_ALERT.format(name="Sam", mentor="Alex", words="my mentor keeps being late"),
    ) in sent
    assert [text for person, text in sent if person == alex.id] == told_mentor
    await chat.send("/concern")
    await chat.send("2")  # "I want a new mentor", by number as on a basic phone
    assert chat.texts == [texts.CONCERN_SENT]
    assert (pat.id, texts.CONCERN_ALERT_NEW_MENTOR.format(name="Sam", mentor="Alex")) in (
        await _sent(session_factory)
    )


async def test_without_a_supervisor_the_mentee_is_told_where_else_to_go(
    service: MentorService, session_factory: Sessions
) -> None:
    alex = await add_staff(session_factory, service)
    chat = await joined_mentee(service, session_factory, alex)
    await chat.send("/cancel")
    await chat.send("/concern")
    await chat.tap(texts.CONCERN_NEW_MENTOR)
    assert chat.texts == [texts.CONCERN_NOBODY]


async def test_back_from_the_words_asks_what_it_is_about_again(
    service: MentorService, session_factory: Sessions
) -> None:
    alex = await add_staff(session_factory, service)
    pat = await add_staff(
        session_factory, service, name="Pat", role=Role.SUPERVISOR, phone="+447700900003"
    )
    chat = await joined_mentee(service, session_factory, alex)
    await chat.send("/cancel")
    await chat.send("/concern")
    await chat.send("1")
    assert chat.texts == [texts.CONCERN_ASK_WORDS]
    await chat.send("go back")
    assert chat.texts == [texts.CONCERN_ASK]
    await chat.send("new mentor")
    assert chat.texts == [texts.CONCERN_SENT]
    alerts = [text for person, text in await _sent(session_factory) if person == pat.id]
    assert alerts == [texts.CONCERN_ALERT_NEW_MENTOR.format(name="Sam", mentor="Alex")]


async def test_a_tap_on_the_first_question_while_the_words_are_asked_is_stale(
    service: MentorService, session_factory: Sessions
) -> None:
    alex = await add_staff(session_factory, service)
    chat = await joined_mentee(service, session_factory, alex)
    await chat.send("/cancel")
    await chat.send("/concern")
    first = chat.question
    await chat.tap(texts.CONCERN_SOMETHING_WRONG)
    await chat.tap(texts.CONCERN_NEW_MENTOR, reply=first)
    assert chat.stale
    await chat.send("I do not feel listened to")  # still the words, taken as they are
    assert chat.texts == [texts.CONCERN_NOBODY]
