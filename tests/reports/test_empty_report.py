"""Before anyone has a baseline and a follow-up, every report format says so in words.

No before/after pairs used to give five empty panels with 0-1 axes and a table of dashes; a
supervisor could not tell "nothing yet" from "broken".
"""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import texts
from bot.instruments import Instrument
from bot.messages import Channel, Sender
from bot.reports.outcome_chart import HEADLINE, NOT_ENOUGH, outcomes_figure, render_outcomes_png
from bot.reports.outcome_formats import NOT_ENOUGH_PAIRS, as_csv, as_json, as_text
from bot.reports.outcomes import Filters, OutcomeReport, outcome_report
from bot.service import MentorService
from bot.storage.models import Role
from tests.reports.test_outcomes import _cohort
from tests.utils import Chat, add_staff

Sessions = async_sessionmaker[AsyncSession]


async def _report(sessions: Sessions, instruments: dict[str, Instrument]) -> OutcomeReport:
    async with sessions() as session:
        return await outcome_report(session, instruments, Filters())


def _words(figure: object) -> list[str]:
    return [text.get_text() for ax in figure.axes for text in ax.texts]  # type: ignore[attr-defined]


async def test_no_pairs_gives_words_in_every_format(
    session_factory: Sessions, instruments: dict[str, Instrument]
) -> None:
    report = await _report(session_factory, instruments)
    assert report.pairs == 0
    assert NOT_ENOUGH_PAIRS in as_text(report, title="Outcomes")
    assert json.loads(as_json(report))["enough_pairs"] is False
    rows = list(csv.DictReader(io.StringIO(as_csv(report))))
    assert rows[0]["measure"] == "ARC total" and rows[0]["n"] == "0"
    assert rows[0]["mean_before"] == ""  # the same columns, the figures left empty
    figure = outcomes_figure(report.rows)
    assert len(figure.axes) == 1  # one panel of words, not five empty ones
    assert not figure.axes[0].axison
    assert any(word.startswith(NOT_ENOUGH) for word in _words(figure))
    assert render_outcomes_png(report.rows).startswith(b"\x89PNG")


async def test_a_measure_without_pairs_says_so_beside_the_others(
    session_factory: Sessions, instruments: dict[str, Instrument]
) -> None:
    await _cohort(session_factory)  # nobody has CEST self-efficacy scores
    report = await _report(session_factory, instruments)
    assert json.loads(as_json(report))["enough_pairs"] is True
    figure = outcomes_figure(report.rows)
    assert len(figure.axes) == len(HEADLINE)
    efficacy = figure.axes[HEADLINE.index("CEST self-efficacy")]
    assert not efficacy.axison and efficacy.texts[0].get_text() == "Not enough\npairs yet"
    total = figure.axes[HEADLINE.index("ARC total")]
    assert total.axison and len(total.lines) == 4 + 1  # four mentees and the mean


async def test_chat_report_with_no_pairs_sends_the_words_and_no_picture(
    service: MentorService, session_factory: Sessions
) -> None:
    phone = "+447700900003"
    await add_staff(session_factory, service, name="Pat", role=Role.SUPERVISOR, phone=phone)
    chat = Chat(service, sender=Sender(Channel.CONSOLE, phone))
    [reply] = await chat.send("/report")
    assert reply.card is None
    assert reply.text.startswith(texts.REPORT_TITLE)
    assert NOT_ENOUGH_PAIRS in reply.text
