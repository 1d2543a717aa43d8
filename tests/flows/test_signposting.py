"""Finding help with /find: by button, by command, by typed words with slips, nearest first.

The clock says Monday 2 March 2026, 10:00 in London. Mentees start at the hub (Southwark).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import texts
from bot.flows.signposting import typed_find
from bot.messages import Channel, Reply, Sender
from bot.service import MentorService
from bot.signposting import Directory
from bot.storage.models import (
    ConversationState,
    CrisisAlert,
    Episode,
    LookupCount,
    Resource,
    Role,
)
from tests.utils import MENTEE_PHONE, MENTOR_PHONE, Chat, add_staff, count_rows, joined_mentee

Sessions = async_sessionmaker[AsyncSession]
pytestmark = pytest.mark.usefixtures("shipped_directory")


async def mentee(service: MentorService, sessions: Sessions) -> Chat:
    """A mentee at the hub with nothing in progress (the first check-in put aside)."""
    mentor = await add_staff(sessions, service)
    chat = await joined_mentee(service, sessions, mentor)
    await chat.send("/cancel")
    return chat


def labels(reply: Reply) -> list[str]:
    return [choice.label for choice in reply.choices]


def names_in(reply: Reply) -> list[str]:
    """The service names on a page: the first line of each block after the header."""
    return [block.splitlines()[0] for block in reply.text.split("\n\n")[1:]]


async def counts(sessions: Sessions) -> set[tuple[str, str, date, int]]:
    async with sessions() as session:
        rows = await session.scalars(select(LookupCount))
        return {(row.category, row.site, row.day, row.count) for row in rows}


async def test_kinds_of_help_as_buttons_then_three_services_a_message(
    service: MentorService, session_factory: Sessions, shipped_directory: Directory
) -> None:
    chat = await mentee(service, session_factory)
    [question] = await chat.send("/find")
    assert question.text == texts.FIND_WHICH
    assert labels(question) == [category.label for category in shipped_directory.categories]
    [page] = await chat.tap("Domestic abuse")
    assert page.text.startswith("Domestic abuse (1 to 3 of 6):")
    # Nearest first for the hub: the Southwark service, then the national ones by name.
    assert names_in(page) == [
        "Southwark domestic and sexual violence service (Refuge)",
        "Galop National LGBT+ Domestic Abuse Helpline",
        "Men's Advice Line (Respect)",
    ]
    assert labels(page) == [texts.FIND_MORE]
    [second] = await chat.tap(texts.FIND_MORE)
    assert second.text.startswith("Domestic abuse (4 to 6 of 6):")
    assert second.choices == ()  # all shown: no More, and the conversation is over
    async with session_factory() as session:
        assert list(await session.scalars(select(ConversationState))) == []


async def test_an_entry_shows_a_tappable_phone_the_text_number_and_the_website(
    service: MentorService, session_factory: Sessions
) -> None:
    chat = await mentee(service, session_factory)
    [page] = await chat.send("/find frank")
    frank = page.text.split("\n\n")[1]
    assert frank.splitlines() == [
        "FRANK",
        "Ask anything about any drug by phone, text or live chat, and it stays private.",
        "Call 0300 123 6600",
        "Text 82111",
        "talktofrank.com",
        "Phone any time, day or night. Live chat 2pm to 6pm every day.",
    ]


async def test_by_sms_services_are_compact_and_more_can_be_typed(
    service: MentorService, session_factory: Sessions
) -> None:
    await mentee(service, session_factory)
    sms = Chat(service, sender=Sender(Channel.SMS, MENTEE_PHONE))
    [page] = await sms.send("FIND CRISIS")
    assert len(page.text) <= 306  # two SMS segments
    assert page.text.split("\n\n")[1].splitlines() == [
        "Solidarity in a Crisis (Certitude)",
        "Call 0300 123 1922",
        "certitude.london",
    ]
    [more] = await sms.send("MORE")
    assert more.text.startswith("Crisis (4 to 6 of 6):")
    assert len(more.text) <= 306


@pytest.mark.parametrize("typed", ["find domestic abuse", "/find domestic abuse"])
async def test_a_lookup_for_a_crisis_subject_shows_the_crisis_lines_and_services_and_alerts_nobody(
    typed: str, service: MentorService, session_factory: Sessions
) -> None:
    chat = await mentee(service, session_factory)
    await add_staff(
        session_factory, service, name="Kit", role=Role.SUPERVISOR, phone="+447700900009"
    )
    before = list(chat.notices)
    replies = await chat.send(typed)
    assert replies[0].text == texts.CRISIS_LINES
    assert replies[-1].text.startswith("Domestic abuse (1 to 3 of 6):")
    assert texts.CRISIS_MENTOR_TOLD not in chat.texts
    assert chat.notices == before  # nobody is told
    assert await count_rows(session_factory, CrisisAlert) == 0


async def test_a_statement_inside_a_lookup_still_alerts_and_shows_the_services(
    service: MentorService, session_factory: Sessions
) -> None:
    chat = await mentee(service, session_factory)
    before = list(chat.notices)
    replies = await chat.send("find domestic abuse, he hit me again last night")
    assert texts.CRISIS_LINES in chat.texts
    assert texts.CRISIS_MENTOR_TOLD in chat.texts
    assert len(chat.notices) > len(before)  # the mentor is alerted: a statement, not a search
    assert replies[-1].text.startswith("Domestic abuse (1 to 3 of 6):")
    assert await count_rows(session_factory, CrisisAlert) == 1


@pytest.mark.parametrize(
    ("typed", "category"),
    [
        ("/find debt", "Money and debt"),
        ("/find dept", "Money and debt"),
        ("find dept", "Money and debt"),
        ("find housng", "Housing"),
        ("FIND HOUSING", "Housing"),
        ("find court", "Legal help"),
        ("find rent arrears", "Money and debt"),
        ("Find: a solicitor", "Legal help"),
        ("/find solicter", "Legal help"),
    ],
)
async def test_typed_words_and_slips_go_straight_to_the_kind_of_help(
    service: MentorService, session_factory: Sessions, typed: str, category: str
) -> None:
    chat = await mentee(service, session_factory)
    [page] = await chat.send(typed)
    assert page.text.startswith(f"{category} (1 to 3 of ")


@pytest.mark.parametrize("typed", ["find pizza", "/find xyzzy", "find"])
async def test_nothing_found_gives_the_kinds_of_help_never_an_empty_reply(
    service: MentorService, session_factory: Sessions, typed: str
) -> None:
    chat = await mentee(service, session_factory)
    replies = await chat.send(typed)
    if typed == "find":
        assert [reply.text for reply in replies] == [texts.FIND_WHICH]
    else:
        assert [reply.text for reply in replies] == [texts.FIND_NOT_FOUND, texts.FIND_WHICH]
    assert len(replies[-1].choices) == 13
    [page] = await chat.send("housing")  # words typed at the question are searched too
    assert page.text.startswith("Housing")


async def test_words_at_the_question_that_find_nothing_are_asked_again_by_the_engine(
    service: MentorService, session_factory: Sessions
) -> None:
    chat = await mentee(service, session_factory)
    [question] = await chat.send("/find")
    sorry, again = await chat.send("xyzzy")
    assert sorry.text == " ".join(
        (texts.REASK_SORRY, texts.REASK_CHAT_MANY.format(last=len(question.choices)))
    )
    assert again.text == texts.FIND_WHICH and again.token == question.token
    [page] = await chat.tap("Housing", reply=question)  # the first keyboard still answers it
    assert page.text.startswith("Housing")
    assert ("unmatched", "hub", date(2026, 3, 2), 1) in await counts(session_factory)


async def test_a_kind_of_help_and_more_can_be_typed_by_name_or_number(
    service: MentorService, session_factory: Sessions, shipped_directory: Directory
) -> None:
    chat = await mentee(service, session_factory)
    await chat.send("/find")
    [page] = await chat.send("2")
    assert page.text.startswith(shipped_directory.categories[1].label)
    await chat.send("find volunteering")
    [rest] = await chat.send("more please")
    assert rest.text.startswith("Volunteering (4 of 4):")


async def test_find_typed_again_in_the_middle_of_a_lookup_starts_afresh(
    service: MentorService, session_factory: Sessions
) -> None:
    chat = await mentee(service, session_factory)
    await chat.send("find volunteering")  # More is on offer
    [page] = await chat.send("find dept")
    assert page.text.startswith("Money and debt (1 to 3 of 3):")
    await chat.send("find volunteering")
    assert [reply.text for reply in await chat.send("FIND")] == [texts.FIND_WHICH]


async def test_cancel_from_find_stops_it_without_talk_of_saved_answers(
    service: MentorService, session_factory: Sessions
) -> None:
    chat = await mentee(service, session_factory)
    await chat.send("/find")
    assert chat.texts == [texts.FIND_WHICH]
    assert await chat.send("/cancel") and chat.texts == [texts.STOPPED_THAT]
    assert "/checkin" not in texts.STOPPED_THAT
    async with session_factory() as session:
        assert list(await session.scalars(select(ConversationState))) == []


async def test_a_kind_of_help_with_nothing_listed_says_so_and_offers_the_others(
    service: MentorService, session_factory: Sessions
) -> None:
    chat = await mentee(service, session_factory)
    async with session_factory() as session, session.begin():  # every service there retired
        await session.execute(
            update(Resource)
            .where(Resource.category == "education_work")
            .values(retired_at=service.clock())
        )
    await chat.send("/find")
    empty, question = await chat.tap("Learning and work")
    assert empty.text == texts.FIND_EMPTY.format(category="Learning and work")
    assert "Learning and work" not in labels(question) and len(question.choices) == 12


async def test_a_greenwich_mentee_sees_greenwich_first_and_national_services_too(
    service: MentorService, session_factory: Sessions
) -> None:
    chat = await mentee(service, session_factory)
    [hub_page] = await chat.send("find volunteering")
    assert names_in(hub_page) == ["Community Southwark", "Team London", "NAVCA"]
    async with session_factory() as session, session.begin():
        await session.execute(update(Episode).values(site="greenwich"))
    [page] = await chat.send("find volunteering")
    assert names_in(page) == ["Volunteer Centre Greenwich", "Team London", "NAVCA"]
    [rest] = await chat.send("more")
    assert rest.text.startswith("Volunteering (4 of 4):")
    assert names_in(rest) == ["Community Southwark"]  # another borough comes last
    [page] = await chat.send("/find sexual health")
    assert names_in(page)[0] == "Lewisham and Greenwich NHS Trust sexual health service"
    assert "Terrence Higgins Trust - THT Direct" in names_in(page)  # national


async def test_staff_find_too_with_no_local_services_first(
    service: MentorService, session_factory: Sessions
) -> None:
    await add_staff(session_factory, service, role=Role.SUPERVISOR)
    staff = Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))
    [menu] = await staff.send("find housing")  # the typed shortcut is for mentees
    assert menu.text == texts.STAFF_HINT
    [page] = await staff.send("/find volunteering")
    assert names_in(page) == ["Team London", "NAVCA", "Community Southwark"]


async def test_the_menu_offers_find_help(
    service: MentorService, session_factory: Sessions
) -> None:
    chat = await mentee(service, session_factory)
    [menu] = await chat.send("hello")
    assert texts.MENU_FIND in labels(menu)
    [question] = await chat.tap(texts.MENU_FIND)
    assert question.text == texts.FIND_WHICH
    assert "/find" in texts.HELP


async def test_find_typed_mid_checkin_is_an_answer_problem_but_the_command_works(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor = await add_staff(session_factory, service)
    chat = await joined_mentee(service, session_factory, mentor)  # first check-in showing
    replies = await chat.send("find housing")
    assert replies[0].text.startswith(texts.REASK_SORRY)
    replies = await chat.send("/find housing")
    assert replies[0].text == texts.CRISIS_FLOW_KEPT
    assert replies[1].text.startswith("Housing")


async def test_an_old_keyboard_is_stale_and_retired_services_vanish_at_once(
    service: MentorService, session_factory: Sessions
) -> None:
    chat = await mentee(service, session_factory)
    [old] = await chat.send("/find")
    await chat.send("/find")
    await chat.tap("Housing", reply=old)
    assert chat.stale
    async with session_factory() as session, session.begin():
        await session.execute(
            update(Resource)
            .where(Resource.name == "StreetLink")
            .values(retired_at=service.clock())
        )
    [page] = await chat.send("find housing")
    assert page.text.startswith("Housing (1 to 2 of 2):")
    assert "StreetLink" not in page.text


async def test_lookups_are_counted_by_kind_site_and_day_with_nothing_about_who(
    service: MentorService, session_factory: Sessions
) -> None:
    chat = await mentee(service, session_factory)
    await chat.send("find debt")
    await chat.send("/find dept")
    await chat.send("find pizza")
    await chat.tap("Housing")
    await chat.send("more")  # not a new lookup
    await add_staff(session_factory, service, name="Bo", phone="+447700900002")
    await Chat(service, sender=Sender(Channel.CONSOLE, "+447700900002")).send("/find debt")
    day = date(2026, 3, 2)
    assert await counts(session_factory) == {
        ("debt", "hub", day, 2),
        ("unmatched", "hub", day, 1),
        ("housing", "hub", day, 1),
        ("debt", "staff", day, 1),
    }
    assert {column.name for column in LookupCount.__table__.columns} == {
        "id",
        "category",
        "site",
        "day",
        "count",
    }


def test_typed_find_takes_only_the_word_find() -> None:
    assert typed_find("find housing") == "housing"
    assert typed_find("  FIND:  rent  arrears ") == "rent arrears"
    assert typed_find("find") == ""
    assert typed_find("finding it hard") is None
    assert typed_find("I can't find my keys") is None
    assert typed_find(None) is None
