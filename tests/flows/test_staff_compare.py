"""/report compare in the chat: supervisors see two groups side by side; mentors hear who may."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.authorisation import refusal
from bot.flows import texts
from bot.instruments import Instrument
from bot.messages import Channel, Sender
from bot.reports.compare import compare_rows
from bot.reports.compare_chart import ComparisonChart
from bot.reports.compare_csv import parse_scores
from bot.reports.compare_formats import as_text
from bot.reports.compare_groups import keep
from bot.reports.outcome_chart import HEADLINE
from bot.reports.pictures import render_picture
from bot.service import MentorService
from bot.storage.models import AuditEvent, Role
from tests.reports.test_compare import START, _cohort, _rows
from tests.utils import Chat, add_staff

Sessions = async_sessionmaker[AsyncSession]
SUPERVISOR_PHONE = "+447700900003"
MENTOR_PHONE = "+447700900009"


async def _chat(service: MentorService, sessions: Sessions, role: Role) -> Chat:
    phone = SUPERVISOR_PHONE if role is Role.SUPERVISOR else MENTOR_PHONE
    await add_staff(sessions, service, name=role.value.title(), role=role, phone=phone)
    return Chat(service, sender=Sender(Channel.CONSOLE, phone))


async def _audit(sessions: Sessions) -> list[str]:
    async with sessions() as session:
        return [event.action for event in (await session.execute(select(AuditEvent))).scalars()]


async def test_a_supervisor_sees_hub_and_spokes_side_by_side(
    service: MentorService, session_factory: Sessions
) -> None:
    await _cohort(session_factory)
    chat = await _chat(service, session_factory, Role.SUPERVISOR)
    picture, figures, notes = await chat.send("/report compare hub spokes")
    assert picture.text == texts.COMPARE_PICTURE
    assert isinstance(picture.card, ComparisonChart)
    assert render_picture(picture.card).startswith(b"\x89PNG")
    assert [m.label for m in picture.card.comparison.measures] == list(HEADLINE)
    assert figures.text.startswith("Compare: Hub clinic and Spokes\n\nARC total\n")
    assert "Hub clinic: n 3, 25.00 -> 29.33, change +4.33" in figures.text
    assert "Spokes: n 3, 20.67 -> 23.33, change +2.67" in figures.text
    assert "Hub clinic minus Spokes: +1.67 (95% CI " in figures.text
    assert "ARC: " not in figures.text  # each area only on the command line
    assert "The groups were not chosen at random" in notes.text
    assert notes.text.endswith(texts.COMPARE_MORE)
    assert await _audit(session_factory) == ["report_compare"]


async def test_other_groups_and_filters_in_the_same_words(
    service: MentorService, session_factory: Sessions
) -> None:
    await _cohort(session_factory)
    chat = await _chat(service, session_factory, Role.SUPERVISOR)
    replies = await chat.send("/report compare MENTOR=alex")
    assert replies[1].text.startswith("Compare: Alex's mentees and Everyone else")
    # At the hub one person left early: too few to compare, so words and no picture.
    figures, _ = await chat.send("/report compare finished left site=hub from=2026-01-01")
    assert figures.card is None
    assert "Left early: n 1, not enough for a paired test" in figures.text
    assert "Too small to compare: Left early has 1 with a before and after" in figures.text
    [none, _] = await chat.send("/report compare finished left to=2026-01-06")
    assert "Finished: n 0" in none.text  # every follow-up came later
    assert await _audit(session_factory) == ["report_compare"] * 3


async def test_a_kept_programme_is_compared_with_all_our_mentees(
    service: MentorService, session_factory: Sessions, instruments: dict[str, Instrument]
) -> None:
    await _cohort(session_factory)
    rows = "".join(f"D{n},arc_total,{20 + n},{21 + 2 * n}\n" for n in range(4))
    async with session_factory() as session, session.begin():
        scores = parse_scores("id,measure,before,after\n" + rows, instruments)
        await keep(session, "day-programme", scores, START)
    chat = await _chat(service, session_factory, Role.SUPERVISOR)
    _, figures, _ = await chat.send("/report compare day-programme")
    assert figures.text.startswith("Compare: Mentoring and day-programme")
    assert "day-programme: n 4, 21.50 -> 24.00, change +2.50" in figures.text


async def test_words_that_name_no_groups_get_the_usage(
    service: MentorService, session_factory: Sessions
) -> None:
    await _cohort(session_factory)
    chat = await _chat(service, session_factory, Role.SUPERVISOR)
    assert [r.text for r in await chat.send("/report compare")] == [texts.COMPARE_USAGE]
    assert [r.text for r in await chat.send("/report compare hub spokes from=May")] == [
        texts.COMPARE_USAGE
    ]
    assert [r.text for r in await chat.send("/report compare hub site=hub site=x")] == [
        texts.COMPARE_USAGE
    ]
    assert [r.text for r in await chat.send("/report compare nowhere")] == [
        "'nowhere' is not a group we know (see docs/compare.md for the words).",
        texts.COMPARE_USAGE,
    ]
    assert await _audit(session_factory) == []


async def test_a_mentor_is_told_who_may_see_it_and_sees_nothing(
    service: MentorService, session_factory: Sessions
) -> None:
    await _cohort(session_factory)
    chat = await _chat(service, session_factory, Role.MENTOR)
    replies = await chat.send("/report compare hub spokes")
    assert [reply.text for reply in replies] == ["Only supervisors can see the report."]
    assert replies[0].text == refusal("report")
    assert await _audit(session_factory) == []


def test_the_longest_chat_message_fits_telegrams_4096(
    instruments: dict[str, Instrument],
) -> None:
    long_name = "x" * 40  # the longest name a kept group may have
    rows = _rows(instruments, [1.5, -2.25, 3.75])
    for row in rows:  # every measure filled, so every line is at its longest
        row.before[:] = [10.0, 20.0, 30.0]
        row.after[:] = [11.5, 17.75, 33.75]
    comparison = compare_rows(long_name, rows, "Everyone else", rows).headline(HEADLINE)
    figures = as_text(comparison, title=texts.COMPARE_TITLE.format(a=long_name, b="Everyone"))
    assert len(figures) < 4096


async def test_odd_words_get_a_plain_answer_not_an_error(
    service: MentorService, session_factory: Sessions
) -> None:
    chat = await _chat(service, session_factory, Role.SUPERVISOR)
    for words in ("mentor=\x00", "é ü", "= ==", "mentor=a=b rest", "x" * 500, "mentor="):
        replies = await chat.send(f"/report compare {words}")
        assert replies[-1].text == texts.COMPARE_USAGE, words
