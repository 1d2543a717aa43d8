"""/report and /export in the chat: supervisors get the outcomes and the data; nobody else does."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.authorisation import refusal
from bot.flows import texts
from bot.messages import Channel, Sender
from bot.reports.outcome_chart import HEADLINE, OutcomesChart
from bot.reports.pictures import render_picture
from bot.service import MentorService
from bot.storage.models import AuditEvent, Role
from tests.reports.test_outcomes import _cohort
from tests.utils import Chat, add_staff

Sessions = async_sessionmaker[AsyncSession]
SUPERVISOR_PHONE = "+447700900003"


async def _supervisor(service: MentorService, sessions: Sessions) -> Chat:
    await add_staff(sessions, service, name="Pat", role=Role.SUPERVISOR, phone=SUPERVISOR_PHONE)
    return Chat(service, sender=Sender(Channel.CONSOLE, SUPERVISOR_PHONE))


async def test_supervisor_gets_the_headline_outcomes(
    service: MentorService, session_factory: Sessions
) -> None:
    await _cohort(session_factory)
    chat = await _supervisor(service, session_factory)
    picture, reply = await chat.send("/report")
    assert isinstance(picture.card, OutcomesChart) and render_picture(picture.card).startswith(
        b"\x89PNG"
    )
    assert [row.measure.label for row in picture.card.rows] == list(HEADLINE)
    assert reply.text.startswith(texts.REPORT_TITLE)
    assert "Pairs (baseline and follow-up): 4" in reply.text
    assert "ARC total: " in reply.text and "CEST self-esteem: " in reply.text
    assert "ARC: " not in reply.text  # each area only on the command line
    assert len(reply.text) < 4096
    async with session_factory() as session:
        (event,) = (await session.execute(select(AuditEvent))).scalars()
    assert event.action == "report" and event.subject_id is None


async def test_filters_and_bad_arguments(
    service: MentorService, session_factory: Sessions
) -> None:
    await _cohort(session_factory)
    chat = await _supervisor(service, session_factory)
    [reply] = await chat.send("/report mentor=jo site=spoke-north")  # no picture yet
    assert "Pairs (baseline and follow-up): 1" in reply.text
    assert "Fewer than 2 mentees" in reply.text
    assert (await chat.send("/report from=yesterday"))[0].text == texts.REPORT_USAGE
    assert (await chat.send("/report mentor=Nobody"))[0].text == texts.REPORT_NO_MENTOR.format(
        name="Nobody"
    )


async def test_a_mentor_cannot_run_the_report(
    service: MentorService, session_factory: Sessions
) -> None:
    await _cohort(session_factory)
    await add_staff(session_factory, service, name="Max", phone="+447700900009")
    chat = Chat(service, sender=Sender(Channel.CONSOLE, "+447700900009"))
    replies = await chat.send("/report")
    assert replies[0].text == refusal("report")
    assert not any("Pairs" in text for text in chat.texts)


async def test_export_sends_a_zip_and_logs_it(
    service: MentorService, session_factory: Sessions
) -> None:
    await _cohort(session_factory)
    chat = await _supervisor(service, session_factory)
    (plain,) = await chat.send("/export")
    assert plain.document is not None and plain.document.filename.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(plain.document.content)) as archive:
        people_csv = archive.read("people.csv").decode()
    assert "Sam" not in people_csv and "Pat" not in people_csv
    (named,) = await chat.send("/export identified")
    assert named.text == texts.EXPORT_IDENTIFIED and named.document is not None
    with zipfile.ZipFile(io.BytesIO(named.document.content)) as archive:
        assert "Sam" in archive.read("people.csv").decode()
    assert (await chat.send("/export everything"))[0].text == texts.EXPORT_USAGE
    async with session_factory() as session:
        actions = [e.action for e in (await session.execute(select(AuditEvent))).scalars()]
    assert actions == ["export", "export_identified"]
