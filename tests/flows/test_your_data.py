"""/mydata and /forget with a mentee holding every kind of record kept; /privacy names them all."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import data_file, kept, texts
from bot.reports.outcomes import Filters, outcome_report
from bot.service import MentorService
from bot.storage.models import Base, GoalStatus, OutboxMessage, Person, Role, Timepoint
from tests.flows.full_mentee import (
    NAME,
    NEW_PHONE,
    PHONE,
    SAFETY,
    TELEGRAM_ID,
    VALUES,
    FullMentee,
    full_mentee,
)
from tests.readability import flesch_reading_ease, is_gsm7
from tests.utils import Chat, add_staff, joined_mentee

Sessions = async_sessionmaker[AsyncSession]


async def _mydata(mentee: FullMentee) -> tuple[str, dict[str, Any]]:
    summary, file = await mentee.chat.send("/mydata")
    assert file.document is not None and file.document.filename == "my-data.json"
    return summary.text, json.loads(file.document.content)


async def test_mydata_holds_every_kind_kept_and_the_summary_counts_them(
    service: MentorService, session_factory: Sessions
) -> None:
    mentee = await full_mentee(service, session_factory)
    summary, data = await _mydata(mentee)
    assert summary.startswith(texts.MYDATA_HEAD.format(name=NAME, number=PHONE))
    for counted, label in texts.KEPT_COUNTS.items():  # every kind counted, none at nought
        count = sum(len(data[section]) for section in kept.KINDS[counted].sections)
        assert count and label.format(count=count) in summary.splitlines(), counted
    for name, kind in kept.KINDS.items():
        assert all(data[section] for section in kind.sections), name
    you = data["you"]
    assert (you["display_name"], you["phone"], you["pending_phone"]) == (NAME, PHONE, NEW_PHONE)
    assert (you["checkin_weekday"], you["checkin_time"]) == (3, "18:00:00")
    assert you["created_at"] == "2026-03-02T10:00:00+00:00"  # timezone-aware, ISO 8601
    assert you["telegram_user_id"] == TELEGRAM_ID
    assert data["consents"][0]["version"] == texts.CONSENT_VERSION
    assert data["how_you_joined"][0]["mentee_name"] == NAME
    assert [c["timepoint"] for c in data["check_ins"]] == [Timepoint.BASELINE, Timepoint.WEEKLY]
    assert len(data["check_ins"][0]["answers"]) == 61 and data["check_ins"][0]["scores"]
    assert data["check_ins"][1]["answers"] and data["check_ins"][1]["status"] == "complete"
    assert len(data["ratings_by_your_mentor"][0]["answers"]) == 12
    assert [p["domain"] for p in data["priorities"]] == ["housing_safety", "physical_health"]
    own, proposed = data["goals"]
    assert (own["title"], own["steps"][0]["text"]) == (VALUES["goal"], VALUES["step"])
    assert own["target_on"] == "2026-03-09"
    assert own["reminder"]["rhythm"] == "weekly" and own["reminder"]["remind_weekday"] == 5
    assert (proposed["title"], proposed["status"]) == (VALUES["proposed_goal"], "proposed")
    assert proposed["set_by_role"] == Role.MENTOR
    assert data["meetings"][0]["place"] == VALUES["place"]
    assert data["meetings"][0]["outcome"] == "met"
    assert data["services_sent_to_you"][0]["service"] == VALUES["service"]
    assert data["services_sent_to_you"][0]["followup_answer"] == "yes_helped"
    assert data["notes_by_your_mentor"][0]["text"] == VALUES["note"]
    assert data["messages_you_sent_through_the_bot"][0]["text"] == VALUES["to_mentor"]
    assert data["messages_to_you_through_the_bot"][0]["text"] == VALUES["to_mentee"]
    assert data["safety_alerts"][0]["categories"] == SAFETY
    [concern] = data["concerns_you_raised"]  # one, though told to a supervisor
    assert VALUES["concern"] in concern["text"]
    assert any(VALUES["to_mentee"] in m["text"] for m in data["messages_sent_to_you"])
    assert data["messages_you_typed_to_the_bot"][0]["text"] == VALUES["typed"]
    assert data["chat_in_progress"][0]["flow"] == "goals"
    assert {"ended_on": "2025-07-06", "end_reason": VALUES["end_reason"]}.items() <= (
        data["mentoring"][1].items()
    )
    assert data["staff_who_looked_at_your_record"][0]["action"]


def test_the_file_writes_each_stored_kind_of_value_and_refuses_the_unknown() -> None:
    aware = datetime(2026, 3, 2, 18, 30, tzinfo=UTC)
    written = data_file.encode(
        {
            "time": time(18, 30),
            "date": date(2026, 3, 2),
            "at": aware,
            "enum": GoalStatus.DONE,
            "money": Decimal("2.50"),
        }
    )
    assert json.loads(written) == {
        "time": "18:30:00",
        "date": "2026-03-02",
        "at": "2026-03-02T18:30:00+00:00",
        "enum": "done",
        "money": "2.50",
    }
    with pytest.raises(data_file.UnknownValue):
        data_file.encode({"naive": datetime(2026, 3, 2, 18, 30)})
    with pytest.raises(data_file.UnknownValue):
        data_file.encode({"bytes": b"\x00"})


def test_every_table_is_a_kind_kept_or_says_why_it_holds_nothing_about_a_mentee() -> None:
    about_mentees = {table for kind in kept.KINDS.values() for table in kind.tables}
    tables = set(Base.metadata.tables)
    assert about_mentees | set(kept.NOT_ABOUT_A_MENTEE) == tables
    assert not about_mentees & set(kept.NOT_ABOUT_A_MENTEE)
    assert set(texts.KEPT_WORDS) == set(kept.KINDS)
    assert set(texts.KEPT_COUNTS) <= set(kept.KINDS)


async def test_the_file_has_exactly_the_sections_the_kinds_name(
    service: MentorService, session_factory: Sessions
) -> None:
    mentee = await full_mentee(service, session_factory)
    _, data = await _mydata(mentee)
    sections = [section for kind in kept.KINDS.values() for section in kind.sections]
    assert sorted(data) == sorted(sections)


def test_privacy_names_every_kind_in_plain_words_that_fit_a_text() -> None:
    replies = kept.privacy_replies()
    for reply in replies:
        assert is_gsm7(reply.text) and len(reply.text) <= kept.LONGEST_REPLY, reply.text
        assert flesch_reading_ease(reply.text) >= 70, reply.text
    listed = "\n".join(reply.text for reply in replies)
    for words in texts.KEPT_WORDS.values():
        assert f"- {words}" in listed


async def _every_value(sessions: Sessions) -> str:
    found = []
    async with sessions() as session:
        for table in Base.metadata.sorted_tables:
            for row in await session.execute(select(table)):
                found += [str(value) for value in row]
    return "\n".join(found)


async def test_forget_leaves_no_trace_and_the_counts_stay_right(
    service: MentorService, session_factory: Sessions
) -> None:
    mentee = await full_mentee(service, session_factory)
    chat = mentee.chat
    async with session_factory() as session:
        before = (await outcome_report(session, service.instruments, Filters())).activity
    assert (before.meetings_held, before.goals_achieved) == (1, 0)
    words = [value for key, value in VALUES.items() if key != "service"]
    traces = [NAME, PHONE, PHONE[1:], NEW_PHONE, str(TELEGRAM_ID), *words]
    everything = await _every_value(session_factory)
    assert all(trace in everything for trace in traces)
    await chat.send("/forget")
    assert chat.texts == [texts.FORGET_ASK]
    await chat.tap(texts.FORGET_YES)
    assert chat.texts == [texts.FORGET_LAST_CHECK]
    replies = await chat.send("DELETE")
    assert replies[0].text == texts.FORGET_DONE
    everything = await _every_value(session_factory)
    for trace in traces:
        assert trace not in everything, trace
    assert VALUES["service"] in everything  # the directory entry stays: it is not about them
    async with session_factory() as session:
        after = (await outcome_report(session, service.instruments, Filters())).activity
        notices = [m.text for m in (await session.execute(select(OutboxMessage))).scalars()]
        left = (await session.execute(select(Person.role))).scalars().all()
    assert after == before
    assert texts.FORGET_MENTOR_NOTICE.format(started="02 Mar 2026", site="camberwell") in notices
    assert sorted(left) == [Role.MENTOR, Role.SUPERVISOR]
    # Writing again is like never having joined.
    assert (await chat.send("hello"))[0].text == texts.START_NEEDS_CODE


async def test_forget_keeps_everything_unless_confirmed_twice(
    service: MentorService, session_factory: Sessions
) -> None:
    chat = (await full_mentee(service, session_factory)).chat
    await chat.send("/forget")
    await chat.tap(texts.FORGET_NO)
    assert chat.texts == [texts.FORGET_KEPT]
    await chat.send("/forget")
    await chat.send("yes")
    assert (await chat.send("ok"))[0].text == texts.FORGET_KEPT
    summary, _ = await chat.send("/mydata")
    assert NAME in summary.text


async def _forget_asked(service: MentorService, session_factory: Sessions) -> Chat:
    alex = await add_staff(session_factory, service)
    chat = await joined_mentee(service, session_factory, alex)
    await chat.send("/cancel")
    await chat.send("/forget")
    return chat


async def _still_there(session_factory: Sessions) -> bool:
    async with session_factory() as session:
        return await session.get(Person, 2) is not None


async def test_an_unclear_answer_to_are_you_sure_is_asked_again_and_deletes_nothing(
    service: MentorService, session_factory: Sessions
) -> None:
    chat = await _forget_asked(service, session_factory)
    token = chat.question.token
    await chat.send("hmm")
    assert chat.texts == [
        f"Sorry, I did not get that. Please choose {texts.FORGET_YES} or {texts.FORGET_NO}, "
        "or type it.",
        texts.FORGET_ASK,
    ]
    assert chat.question.token == token
    await chat.send("back")
    assert chat.texts == [texts.NOTHING_BEFORE, texts.FORGET_ASK]
    await chat.send("no")
    assert chat.texts == [texts.FORGET_KEPT]
    assert await _still_there(session_factory)


@pytest.mark.parametrize("typed", ["delet", "yes", "back", "DELETE IT", None])
async def test_only_the_word_delete_typed_erases_at_the_last_check(
    typed: str | None, service: MentorService, session_factory: Sessions
) -> None:
    chat = await _forget_asked(service, session_factory)
    await chat.tap(texts.FORGET_YES)
    assert chat.texts == [texts.FORGET_LAST_CHECK]
    assert (await chat.send(typed))[0].text == texts.FORGET_KEPT
    assert await _still_there(session_factory)


async def test_a_tap_on_are_you_sure_at_the_last_check_is_stale(
    service: MentorService, session_factory: Sessions
) -> None:
    chat = await _forget_asked(service, session_factory)
    sure = chat.question
    await chat.tap(texts.FORGET_YES)
    await chat.tap(texts.FORGET_YES, reply=sure)
    assert chat.stale
    assert await _still_there(session_factory)
    assert (await chat.send("Delete."))[0].text == texts.FORGET_DONE
    assert not await _still_there(session_factory)
