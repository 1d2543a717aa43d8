"""Check-ins as a mentee lives them: the baseline, pausing, bad input, the weekly form."""

from __future__ import annotations

import math
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import texts
from bot.flows.checkin import due_timepoint
from bot.instruments import Instrument
from bot.messages import Channel, Choice
from bot.questions.asking import Question, reask
from bot.service import MentorService
from bot.storage.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Episode,
    EpisodeStatus,
    OutboxMessage,
    Score,
    Timepoint,
)
from tests.conftest import FakeClock, make_service
from tests.utils import QUESTION_AT, Chat, count_rows, invited_chat, is_break, question_number


async def joined(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> Chat:
    """A mentee who has just agreed: the first baseline question is showing."""
    chat, code = await invited_chat(service, session_factory)
    await chat.send(f"/start {code}")
    await chat.tap(texts.CONSENT_YES)
    return chat


async def answer_all(chat: Chat, label_for: dict[str, str]) -> None:
    """Taps through every remaining question, choosing by the instrument's answer labels and
    carrying on at each break between parts."""
    while chat.last:
        if is_break(chat.last[-1]):
            await chat.tap(texts.CARRY_ON)
        elif QUESTION_AT.search(chat.last[-1].text):
            labels = [choice.label for choice in chat.question.choices]
            await chat.tap(next(label for label in labels if label in label_for))
        else:
            return


ALL_POSITIVE = {"Yes": "", "Agree strongly": ""}


async def test_baseline_by_buttons_gives_summary_picture_and_tells_mentor(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await joined(service, session_factory)
    await answer_all(chat, ALL_POSITIVE)
    done, summary, ask_areas = chat.last
    assert ask_areas.text == texts.PRIORITIES_ASK  # what matters most, then the check-in day
    assert done.text == texts.ALL_DONE
    assert "Your strongest areas:" in summary.text
    assert "Areas to work on" not in summary.text  # every area is at the top: nothing to flag
    assert [panel.title for panel in summary.picture] == [
        texts.PICTURE_ARC_TITLE,
        texts.PICTURE_CEST_TITLE,
    ]
    arc_panel = summary.picture[0]
    assert len(arc_panel.categories) == 10 and len(arc_panel.series) == 1
    assert arc_panel.series[0].values == (5.0,) * 10
    async with session_factory() as session:
        assessment = (await session.execute(select(Assessment))).scalar_one()
        scores = {(s.instrument, s.key): s.value for s in (await session.scalars(select(Score)))}
        notices = [m.text for m in await session.scalars(select(OutboxMessage))]
    assert assessment.status is AssessmentStatus.COMPLETE
    assert scores[("arc", "total")] == 50
    assert scores[("arc", "strengths")] == 10 and scores[("arc", "threats")] == 0
    # Four of the six self-esteem items are reflected: "agree strongly" on all gives
    # (5 + 5 + 1 + 1 + 1 + 1) / 6 * 10 = 23.3
    assert scores[("cest_self_esteem", "score")] == pytest.approx(140 / 6)
    assert any("Sam finished their first full check" in text for text in notices)
    assert await count_rows(session_factory, Answer) == 61
    await chat.send("home")
    await chat.tap(texts.PRIORITIES_DONE)
    assert chat.question.text == texts.ASK_CHECKIN_DAY  # asked once, after the first full check


async def test_typed_answers_are_understood(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await joined(service, session_factory)
    assert question_number(chat.question) == 1
    await chat.send("yes please")
    assert question_number(chat.question) == 2
    await chat.send("2")
    await chat.send("Y")
    await chat.send("no")
    assert question_number(chat.question) == 5
    async with session_factory() as session:
        values = [a.value for a in await session.scalars(select(Answer).order_by(Answer.id))]
    assert values == [1, 0, 1, 0]


@pytest.mark.parametrize(
    "bad",
    ["", "   ", "x" * 5000, "\U0001f600\U0001f44d", "/unknown", None, "7", "maybe", "not yes"],
    ids=[
        "empty",
        "spaces",
        "5000-chars",
        "emoji",
        "unknown-command",
        "sticker",
        "7",
        "maybe",
        "not",
    ],
)
async def test_bad_input_gets_a_friendly_reask_and_loses_nothing(
    bad: str | None, service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await joined(service, session_factory)
    await chat.send("yes")
    await chat.send("no")
    before = chat.question
    replies = await chat.send(bad)
    assert len(replies) == 2 and len(replies[0].text) < 120
    assert replies[0].text.startswith((texts.REASK_SORRY, texts.UNKNOWN_COMMAND))
    assert replies[1].text == before.text and replies[1].token == before.token
    assert await count_rows(session_factory, Answer) == 2
    await chat.send("yes")
    assert question_number(chat.question) == 4


async def test_out_of_range_on_agreement_scale_names_the_range(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await joined(service, session_factory)
    for _ in range(50):
        await chat.send("yes")
    assert is_break(chat.question)
    await chat.send("yes")  # yes, carry on
    assert "agree" in chat.question.choices[0].label.lower()
    replies = await chat.send("9")
    assert replies[0].text == " ".join(
        (texts.REASK_SORRY, texts.REASK_CHAT_MANY.format(last=5), texts.REASK_SKIP_CHAT)
    )


async def test_pause_and_resume_at_the_same_question(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await joined(service, session_factory)
    for answer in ("yes", "no", "yes"):
        await chat.send(answer)
    assert (await chat.send("/cancel"))[0].text == texts.PAUSED
    assert chat.last[0].choices == ()
    replies = await chat.send("/checkin")
    assert replies[0].text == texts.RESUME
    assert question_number(chat.question) == 4
    assert await count_rows(session_factory, Assessment) == 1


async def test_stop_mid_questionnaire_is_never_taken_as_an_answer(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await joined(service, session_factory)
    await chat.send("yes")
    assert (await chat.send("STOP"))[0].text == texts.STOPPED
    assert (await chat.send("help"))[-1].text == texts.CRISIS_LINES
    assert (await chat.send("start"))[0].text == texts.RESTARTED
    await chat.send("/checkin")
    assert question_number(chat.question) == 2
    assert await count_rows(session_factory, Answer) == 1


async def test_a_second_tap_on_an_answered_question_changes_nothing(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await joined(service, session_factory)
    first = chat.question
    await chat.tap("Yes", reply=first)
    second = chat.question
    await chat.tap("No", reply=first)
    assert chat.stale and chat.last == []
    await chat.tap("No", reply=second)
    async with session_factory() as session:
        values = [a.value for a in await session.scalars(select(Answer).order_by(Answer.id))]
    assert values == [1, 0]


async def test_weekly_checkin_after_baseline_compares_with_the_first(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    chat = await joined(service, session_factory)
    await answer_all(chat, ALL_POSITIVE)
    for week, answer in ((1, "Agree"), (2, "Strongly agree")):
        clock.advance(days=7)
        await chat.send("/checkin")
        assert chat.question.text.startswith("Question 1 of 10: "), week
        await answer_all(chat, {answer: ""})
    summary = next(reply for reply in chat.last if reply.picture)
    assert summary.text.startswith(
        "Your score this week: 60 out of 60. Your first check-in was 50."
    )
    assert [s.values for s in summary.picture[0].series] == [(5.0,) * 10, (6.0,) * 10]
    (weekly_panel,) = summary.picture  # its own chart, never beside a full check
    assert [s.label for s in weekly_panel.series] == ["First week (9 Mar)", "This week (16 Mar)"]
    assert weekly_panel.title == texts.PICTURE_WEEKLY_TITLE
    assert (weekly_panel.scale_min, weekly_panel.scale_max) == (1, 6)
    assert weekly_panel.scale == "Each answer, 1 to 6"


async def test_three_month_check_is_the_full_set_pictured_beside_the_baseline(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    chat = await joined(service, session_factory)
    await answer_all(chat, {"No": "", "Disagree strongly": ""})
    clock.advance(days=85)
    await chat.send("/checkin")
    assert chat.question.text.startswith("Part 1 of 3, question 1 of 50: ")
    await answer_all(chat, ALL_POSITIVE)
    summary = next(reply for reply in chat.last if reply.picture)
    arc_panel, cest_panel = summary.picture
    assert [s.label for s in arc_panel.series] == ["First check (2 Mar)", "Now (26 May)"]
    assert arc_panel.scale == "Each area, out of 5" and cest_panel.scale == "Score, out of 50"
    assert [s.values for s in arc_panel.series] == [(0.0,) * 10, (5.0,) * 10]
    assert cest_panel.categories == ("Self-worth", "Coping")
    assert (cest_panel.scale_min, cest_panel.scale_max) == (10, 50)
    assert len(cest_panel.series) == 2
    async with session_factory() as session:
        timepoints = [a.timepoint for a in await session.scalars(select(Assessment))]
    assert timepoints == [Timepoint.BASELINE, Timepoint.THREE_MONTH]


async def test_resume_survives_a_new_service(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
    clock: FakeClock,
) -> None:
    chat = await joined(service, session_factory)
    await chat.send("yes")
    await chat.send("yes")
    again = Chat(make_service(session_factory, instruments, clock))
    await again.send("no")
    assert question_number(again.question) == 4


def _episode(started: date, planned_end: date) -> Episode:
    return Episode(started_on=started, planned_end_on=planned_end, status=EpisodeStatus.ACTIVE)


@pytest.mark.parametrize(
    ("done", "today", "expected"),
    [
        (set(), date(2026, 1, 5), Timepoint.BASELINE),
        (set(), date(2026, 6, 1), Timepoint.BASELINE),
        ({Timepoint.BASELINE}, date(2026, 1, 12), Timepoint.WEEKLY),
        ({Timepoint.BASELINE}, date(2026, 3, 28), Timepoint.WEEKLY),
        ({Timepoint.BASELINE}, date(2026, 3, 29), Timepoint.THREE_MONTH),
        ({Timepoint.BASELINE, Timepoint.THREE_MONTH}, date(2026, 4, 20), Timepoint.WEEKLY),
        ({Timepoint.BASELINE, Timepoint.THREE_MONTH}, date(2026, 6, 20), Timepoint.WEEKLY),
        ({Timepoint.BASELINE, Timepoint.THREE_MONTH}, date(2026, 6, 21), Timepoint.EXIT),
        ({Timepoint.BASELINE}, date(2026, 7, 1), Timepoint.EXIT),
        ({Timepoint.BASELINE, Timepoint.EXIT}, date(2026, 7, 10), Timepoint.WEEKLY),
    ],
)
def test_which_checkin_is_due(done: set[Timepoint], today: date, expected: Timepoint) -> None:
    episode = _episode(date(2026, 1, 5), date(2026, 7, 5))
    assert due_timepoint(episode, done, today) is expected


# --- Skip, back, parts and breaks --------------------------------------------------------------


async def stored_values(session_factory: async_sessionmaker[AsyncSession]) -> list[int | None]:
    async with session_factory() as session:
        return [a.value for a in await session.scalars(select(Answer).order_by(Answer.id))]


async def test_the_first_question_says_how_long_it_takes_and_offers_skip_not_back(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await joined(service, session_factory)
    intro, question = chat.last[-2:]
    assert "61 questions in 3 parts" in intro.text and "about 10 minutes" in intro.text
    assert question.text.startswith("Part 1 of 3, question 1 of 50: ")
    assert [control.label for control in question.controls] == [texts.SKIP_LABEL]
    replies = await chat.send("go back")
    assert replies[0].text == texts.NOTHING_BEFORE
    assert question_number(replies[1]) == 1


async def test_skip_by_button_by_word_and_prefer_not_to_say_store_missing_answers(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await joined(service, session_factory)
    await chat.tap(texts.SKIP_LABEL)
    assert question_number(chat.question) == 2
    await chat.send("skip")
    assert question_number(chat.question) == 3
    await chat.send("I'd prefer not to say")
    assert question_number(chat.question) == 4
    assert [c.label for c in chat.question.controls] == [texts.BACK_LABEL, texts.SKIP_LABEL]
    assert await stored_values(session_factory) == [None, None, None]


async def test_back_asks_the_last_question_again_and_keeps_the_new_answer(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await joined(service, session_factory)
    await chat.send("yes")
    await chat.send("yes")
    await chat.tap(texts.BACK_LABEL)
    assert question_number(chat.question) == 2
    await chat.send("back")
    assert question_number(chat.question) == 1
    await chat.send("no")
    await chat.send("no")
    assert question_number(chat.question) == 3
    assert await stored_values(session_factory) == [0, 0]


async def test_a_break_between_parts_then_resume_at_part_two(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await joined(service, session_factory)
    for _ in range(50):
        await chat.send("yes")
    offer = chat.question
    assert is_break(offer)
    assert texts.PART_DONE.format(part=1, parts=3) in offer.text
    assert texts.PART_NEXT.format(part=2, total=6) in offer.text
    await chat.tap(texts.TAKE_BREAK)
    assert chat.texts == [texts.BREAK_TAKEN]
    replies = await chat.send("/checkin")
    assert replies[0].text == texts.RESUME
    assert chat.question.text.startswith("Part 2 of 3, question 1 of 6: ")
    assert await count_rows(session_factory, Answer) == 50


async def test_a_fully_skipped_area_has_no_score_and_the_summary_says_so(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await joined(service, session_factory)
    for _ in range(5):  # the whole first area
        await chat.send("skip")
    await answer_all(chat, ALL_POSITIVE)
    summary = next(reply for reply in chat.last if reply.picture)
    assert texts.BASED_ON.format(given=56, asked=61) in summary.text
    arc_panel = summary.picture[0]
    assert arc_panel.note == texts.BASED_ON.format(given=56, asked=61)
    assert math.isnan(arc_panel.series[-1].values[0])  # the skipped area has no bar
    async with session_factory() as session:
        keys = {
            s.key for s in await session.scalars(select(Score).where(Score.instrument == "arc"))
        }
    assert "domain:substance_use" not in keys and "strengths" not in keys
    assert "total" in keys  # 45 of 50 answered is enough for the total


def test_the_re_ask_names_the_choices_in_the_channels_words() -> None:
    yes_no = Question("Q?", (Choice("Yes", "1"), Choice("No", "0")), skip=True)
    assert reask(yes_no, Channel.SMS) == (
        "Sorry, I did not get that. Please reply 1 for Yes or 2 for No. Or reply SKIP to leave it."
    )
    assert reask(yes_no, Channel.TELEGRAM) == (
        "Sorry, I did not get that. Please choose Yes or No, or type it. Or type skip to leave it."
    )
    assert reask(Question("Your words?"), Channel.TELEGRAM) == texts.REASK_SORRY
