"""Joining with an invite: consent is asked before anything is kept."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import texts
from bot.messages import Reply, Sender
from bot.service import MentorService
from bot.storage.models import (
    Consent,
    ConversationState,
    Episode,
    Invite,
    OutboxMessage,
    Person,
)
from tests.conftest import FakeClock
from tests.utils import Chat, add_staff, count_rows, invited_chat, make_invite


async def test_start_without_code_says_how_to_get_one(service: MentorService) -> None:
    chat = Chat(service)
    assert await chat.send("/start") == [Reply(texts.START_NEEDS_CODE)]
    assert await chat.send("hello") == [Reply(texts.START_NEEDS_CODE)]


async def test_unknown_or_used_code_is_refused_kindly(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    mentor = await add_staff(session_factory, service)
    code = await make_invite(session_factory, service, mentor)
    chat = Chat(service)
    assert (await chat.send("/start NOTACODE"))[0].text == texts.START_BAD_CODE
    await chat.send(f"/start {code}")
    await chat.tap(texts.CONSENT_YES)
    other = Chat(service, sender=Sender(chat.sender.channel, "+447700900999"))
    assert (await other.send(f"/start {code}"))[0].text == texts.START_BAD_CODE


async def test_expired_code_is_refused(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    mentor = await add_staff(session_factory, service)
    code = await make_invite(session_factory, service, mentor)
    clock.advance(days=14, seconds=1)
    assert (await Chat(service).send(f"/start {code}"))[0].text == texts.START_BAD_CODE


async def test_consent_screens_explain_and_ask(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    mentor = await add_staff(session_factory, service)
    code = await make_invite(session_factory, service, mentor)
    replies = await Chat(service).send(f"/start {code.lower()}")
    joined = " ".join(reply.text for reply in replies)
    for must_say in ("keep", "mentor", "supervisors", "serious risk of harm", "STOP", "delete"):
        assert must_say in joined
    assert [c.label for c in replies[-1].choices] == [texts.CONSENT_YES, texts.CONSENT_NO]
    assert await count_rows(session_factory, Consent) == 0


async def test_agreeing_records_consent_starts_episode_and_baseline(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    mentor = await add_staff(session_factory, service)
    code = await make_invite(session_factory, service, mentor)
    chat = Chat(service)
    await chat.send(f"/start {code}")
    replies = await chat.send("yes")
    assert replies[0].text == texts.CONSENT_THANKS
    assert chat.question.text.startswith("Part 1 of 3, question 1 of 50: ")
    async with session_factory() as session:
        consent = (await session.execute(select(Consent))).scalar_one()
        episode = (await session.execute(select(Episode))).scalar_one()
        invite = (await session.execute(select(Invite))).scalar_one()
        notice = (await session.execute(select(OutboxMessage))).scalar_one()
    assert consent.version == texts.CONSENT_VERSION
    assert consent.agreed_at == clock.now
    assert (episode.started_on.isoformat(), episode.planned_end_on.isoformat()) == (
        "2026-03-02",
        "2026-09-02",
    )
    assert episode.mentor_id == mentor.id and episode.site == "hub"
    assert invite.used_at == clock.now
    assert notice.person_id == mentor.id and "Sam has joined" in notice.text


async def test_declining_keeps_nothing_and_the_link_still_works(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat, code = await invited_chat(service, session_factory)
    await chat.send(f"/start {code}")
    assert (await chat.tap(texts.CONSENT_NO))[0].text == texts.CONSENT_DECLINED
    assert await count_rows(session_factory, Person) == 1  # only the mentor
    assert await count_rows(session_factory, Consent) == 0
    await chat.send(f"/start {code}")
    assert chat.question.text == texts.ASK_CONSENT


@pytest.mark.parametrize("typed", ["yse", "Yes please!", "yeah sure", "ok", "\U0001f44d", "1"])
async def test_consent_typed_in_everyday_words_is_understood(
    typed: str, service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat, code = await invited_chat(service, session_factory)
    await chat.send(f"/start {code}")
    replies = await chat.send(typed)
    assert replies[0].text == texts.CONSENT_THANKS
    assert await count_rows(session_factory, Consent) == 1


@pytest.mark.parametrize("typed", ["nah", "no thanks", "No, thanks", "nope", "decline"])
async def test_no_typed_in_everyday_words_keeps_nothing(
    typed: str, service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat, code = await invited_chat(service, session_factory)
    await chat.send(f"/start {code}")
    assert (await chat.send(typed))[0].text == texts.CONSENT_DECLINED
    assert await count_rows(session_factory, Consent) == 0


async def test_unclear_consent_answer_is_asked_again(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat, code = await invited_chat(service, session_factory)
    await chat.send(f"/start {code}")
    reask = "Sorry, I did not get that. Please choose Yes, I agree or No, thanks, or type it."
    for unclear in ("maybe", None, "/checkin", "\U0001f600", "yes and no", "not sure", "back"):
        replies = await chat.send(unclear)
        assert [reply.text for reply in replies] == [reask, texts.ASK_CONSENT]
        assert [c.label for c in replies[-1].choices] == [texts.CONSENT_YES, texts.CONSENT_NO]
    assert await count_rows(session_factory, Consent) == 0
    await chat.tap(texts.CONSENT_YES)
    assert await count_rows(session_factory, Consent) == 1


async def test_own_words_before_consent_are_not_kept_or_offered_on(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat, code = await invited_chat(service, session_factory)
    await chat.send(f"/start {code}")
    token = chat.question.token
    replies = await chat.send("I am not sure what this is all about to be honest")
    assert replies[-1].text == texts.ASK_CONSENT and replies[-1].token == token
    assert all(not reply.choices for reply in replies[:-1])  # no offer to pass the words on
    async with session_factory() as session:
        state = (await session.execute(select(ConversationState))).scalar_one()
    assert "_aside" not in state.data
    assert "all about" not in str(state.data)
    await chat.tap(texts.CONSENT_YES)
    assert await count_rows(session_factory, Consent) == 1


async def test_a_tap_on_an_older_consent_question_is_not_taken_as_an_answer(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat, code = await invited_chat(service, session_factory)
    await chat.send(f"/start {code}")
    old = chat.question
    await chat.send(f"/start {code}")  # asked afresh: a new token
    new = chat.question
    assert new.token != old.token
    await chat.tap(texts.CONSENT_YES, reply=old)
    assert chat.stale
    assert await count_rows(session_factory, Consent) == 0
    await chat.tap(texts.CONSENT_YES, reply=new)
    assert await count_rows(session_factory, Consent) == 1
