"""A message in the person's own words gets a kind reply, never a re-ask or the menu alone.

Driven through the real service (engine, flows, SQLite) on the console channel; the Telegram
and SMS ends are in tests/handlers/test_telegram.py and test_sms.py.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import free_text, texts
from bot.messages import Channel, Sender
from bot.service import MentorService
from bot.storage.models import ConversationState, LookupCount, OutboxMessage, RelayMessage
from tests.utils import MENTOR_PHONE, Chat, add_staff, count_rows, joined_mentee, question_number

Sessions = async_sessionmaker[AsyncSession]
RELAPSE = "I used again last night and I feel terrible"


async def sam_with_nothing_open(service: MentorService, sessions: Sessions) -> Chat:
    """Sam, mentee of Alex, has paused the first check-in: no flow is open."""
    mentor = await add_staff(sessions, service)
    sam = await joined_mentee(service, sessions, mentor)
    await sam.send("/cancel")
    return sam


async def notices_to_alex(sessions: Sessions) -> list[str]:
    async with sessions() as session:
        rows = await session.execute(
            select(OutboxMessage).where(OutboxMessage.kind == "notice").order_by("id")
        )
        return [row.text for row in rows.scalars() if row.text.startswith("Sam told")]


@pytest.mark.parametrize(
    ("text", "own"),
    [
        ("I used again last night and I feel terrible", True),
        ("relapsed", True),
        ("feeling low", True),
        ("my mum is not well", True),
        ("yse", False),
        ("2", False),
        ("agre", False),
        ("skip", False),
        ("/find", False),
        ("", False),
        (None, False),
    ],
)
def test_own_words_are_told_apart_from_a_missed_answer(text: str | None, own: bool) -> None:
    assert free_text.is_own_words(text) is own


async def test_relapse_outside_a_flow_gets_the_facts_and_yes_tells_the_mentor(
    service: MentorService, session_factory: Sessions
) -> None:
    sam = await sam_with_nothing_open(service, session_factory)
    await sam.send(RELAPSE)
    assert sam.texts[:2] == [texts.RELAPSE_REPLY, texts.RELAPSE_FACTS]
    assert "naloxone" in sam.texts[1] and "999" in sam.texts[1]
    assert sam.question.text == texts.RELAPSE_OFFER.format(name="Alex")
    assert await notices_to_alex(session_factory) == []
    await sam.tap(texts.RELAPSE_TELL.format(name="Alex"))
    assert sam.texts == [texts.RELAPSE_TOLD.format(name="Alex")]
    assert await notices_to_alex(session_factory) == [texts.NOTICE_RELAPSE.format(name="Sam")]
    assert await count_rows(session_factory, ConversationState) == 0  # the offer is gone


async def test_relapse_and_no_tells_nobody(
    service: MentorService, session_factory: Sessions
) -> None:
    sam = await sam_with_nothing_open(service, session_factory)
    await sam.send("had a slip")
    await sam.send("no")  # typed, with nothing else open
    assert sam.texts == [texts.RELAPSE_NOT_TOLD]
    assert await notices_to_alex(session_factory) == []


@pytest.mark.parametrize(
    ("typed", "told"), [("nah mate", False), ("yeah go on", True), ("yse", True)]
)
async def test_an_offer_takes_yes_and_no_as_every_question_does(
    service: MentorService, session_factory: Sessions, typed: str, told: bool
) -> None:
    """The shared vocabulary (docs/vocabulary.md), slips included, answers an offer too."""
    sam = await sam_with_nothing_open(service, session_factory)
    await sam.send("had a slip")
    await sam.send(typed)
    expected = texts.RELAPSE_TOLD.format(name="Alex") if told else texts.RELAPSE_NOT_TOLD
    assert sam.texts == [expected]
    assert len(await notices_to_alex(session_factory)) == int(told)


async def test_own_words_are_shown_back_and_relayed_only_when_confirmed(
    service: MentorService, session_factory: Sessions
) -> None:
    sam = await sam_with_nothing_open(service, session_factory)
    words = "my mum is in hospital so I can't come on Thursday"
    await sam.send(words)
    assert sam.question.text == f"{texts.FREE_ACK}\n{texts.FREE_WHAT_NEXT}"
    await sam.tap(texts.FREE_TO_MENTOR.format(name="Alex"))
    assert sam.question.text == texts.FREE_SHOW_BACK.format(name="Alex", text=words)
    assert await count_rows(session_factory, RelayMessage) == 0
    await sam.tap(texts.FREE_SEND)
    assert sam.texts == [texts.RELAY_SENT_NO_HOURS.format(name="Alex")]
    async with session_factory() as session:
        [relayed] = (await session.execute(select(RelayMessage))).scalars()
    assert relayed.text == words


async def test_an_old_offer_is_stale_and_short_unknown_words_get_the_menu(
    service: MentorService, session_factory: Sessions
) -> None:
    sam = await sam_with_nothing_open(service, session_factory)
    await sam.send("my mum is in hospital this week")
    offer = sam.question
    await sam.send("hello")
    assert sam.texts == [texts.MENU]
    await sam.tap(texts.FREE_TO_MENTOR.format(name="Alex"), reply=offer)
    assert sam.stale


async def test_a_relapse_told_during_a_check_in_gets_the_facts_then_the_same_question(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor = await add_staff(session_factory, service)
    sam = await joined_mentee(service, session_factory, mentor)
    first = sam.question
    await sam.send(RELAPSE)
    assert sam.texts[:2] == [texts.RELAPSE_REPLY, texts.RELAPSE_FACTS]
    assert not any(text.startswith(texts.REASK_SORRY) for text in sam.texts)
    assert sam.last[-1].text == first.text and sam.last[-1].token == first.token
    offer = next(r for r in sam.last if r.text == texts.RELAPSE_OFFER.format(name="Alex"))
    await sam.tap(texts.RELAPSE_TELL.format(name="Alex"), reply=offer)
    assert sam.texts[0] == texts.RELAPSE_TOLD.format(name="Alex")
    assert question_number(sam.question) == 1  # the check-in is still open, asked again
    await sam.send("yes")
    assert question_number(sam.question) == 2
    assert await notices_to_alex(session_factory) == [texts.NOTICE_RELAPSE.format(name="Sam")]


async def test_own_words_in_find_keep_the_question(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor = await add_staff(session_factory, service)
    sam = await joined_mentee(service, session_factory, mentor)
    await sam.send("/find")
    await sam.send(RELAPSE)
    assert sam.texts[:2] == [texts.RELAPSE_REPLY, texts.RELAPSE_FACTS]
    assert sam.texts[-1] == texts.FIND_WHICH
    assert texts.FIND_NOT_FOUND not in sam.texts
    offer = next(r for r in sam.last if r.text == texts.RELAPSE_OFFER.format(name="Alex"))
    await sam.tap(texts.RELAPSE_TELL.format(name="Alex"), reply=offer)
    assert sam.texts[0] == texts.RELAPSE_TOLD.format(name="Alex")
    assert sam.texts[-1] == texts.FIND_WHICH  # /find is still open, asked again
    assert await notices_to_alex(session_factory) == [texts.NOTICE_RELAPSE.format(name="Sam")]


async def test_own_words_in_find_that_find_nothing_get_the_kind_reply_then_the_question(
    service: MentorService, session_factory: Sessions
) -> None:
    sam = await sam_with_nothing_open(service, session_factory)
    await sam.send("/find")
    await sam.send("I feel so alone these days")
    assert sam.texts[0] == f"{texts.FREE_ACK_FEELING}\n{texts.FREE_WHAT_NEXT}"
    assert sam.texts[-1] == texts.FIND_WHICH
    await sam.tap(texts.FREE_CARRY_ON, reply=sam.last[0])
    assert sam.texts == [texts.FIND_WHICH]
    async with session_factory() as session:  # asked again, not looked up again
        [unmatched] = (await session.execute(select(LookupCount))).scalars()
    assert unmatched.category == "unmatched" and unmatched.count == 1


async def test_crisis_words_still_get_the_crisis_reply(
    service: MentorService, session_factory: Sessions
) -> None:
    sam = await sam_with_nothing_open(service, session_factory)
    await sam.send("I used again and I want to die")
    assert texts.CRISIS_REPLY in sam.texts
    assert texts.RELAPSE_REPLY not in sam.texts
    assert await notices_to_alex(session_factory) == []


async def test_staff_own_words_still_get_their_help(
    service: MentorService, session_factory: Sessions
) -> None:
    await add_staff(session_factory, service)
    alex = Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))
    await alex.send("I used again last night")
    assert texts.RELAPSE_REPLY not in alex.texts
