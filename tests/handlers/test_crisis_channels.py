"""A crisis of each kind, a near-miss and a search, end to end on Telegram and by SMS.

Telegram runs the real PTB application against the fake Bot API; SMS posts signed Twilio
webhooks and reads what the real twilio client sent to the fake REST API. A crisis gives the
crisis lines at once and alerts the mentor and the supervisors; a near-miss and a search for a
crisis subject alert nobody.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import texts
from bot.service import MentorService
from bot.storage.models import CrisisAlert, Role
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.handlers import test_sms
from tests.handlers.test_sms import SmsWorld, joined_by_text
from tests.handlers.test_telegram import MENTEE, MENTOR, join, running
from tests.utils import MENTOR_PHONE, add_staff, count_rows

CORPUS: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parents[1] / "safety" / "corpus.yaml").read_text(encoding="utf-8")
)
# The first message of each category in the corpus.
ONE_OF_EACH = [pytest.param(texts_[0], id=name) for name, texts_ in CORPUS["crisis"].items()]
SUPERVISOR = 3003
SUPERVISOR_PHONE = "+447700900009"
Sessions = async_sessionmaker[AsyncSession]
pytestmark = pytest.mark.usefixtures("shipped_directory")  # so a search finds services
sms = test_sms.sms  # the signed-webhook world of tests/handlers/test_sms.py, as a fixture here


def urgent(messages: list[Any]) -> list[str]:
    return [m.text for m in messages if "URGENT" in (m.text or "")]


@pytest.mark.parametrize("text", ONE_OF_EACH)
async def test_telegram_crisis_of_each_kind_gives_the_lines_and_alerts_mentor_and_supervisor(
    text: str, service: MentorService, session_factory: Sessions
) -> None:
    await add_staff(session_factory, service, telegram_user_id=MENTOR)
    await add_staff(
        session_factory, service, name="Kit", role=Role.SUPERVISOR,
        telegram_user_id=SUPERVISOR, phone=SUPERVISOR_PHONE,
    )  # fmt: skip
    async with FakeTelegramAPI() as fake, running(fake, service):
        await join(fake)
        fake.user_message(MENTEE, text)
        await fake.wait_until(
            lambda: texts.CRISIS_LINES in [m.text for m in fake.messages_to(MENTEE)]
        )
        await fake.wait_until(lambda: bool(urgent(fake.messages_to(MENTOR))), what="mentor")
        await fake.wait_until(lambda: bool(urgent(fake.messages_to(SUPERVISOR))), what="kit")
        assert texts.CRISIS_MENTOR_TOLD in [m.text for m in fake.messages_to(MENTEE)]
        assert text not in urgent(fake.messages_to(MENTOR))[0]  # the words are not passed on
    assert await count_rows(session_factory, CrisisAlert) == 1


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("this traffic is killing me", False),
        ("I'm going to kill him in Fortnite", False),
        ("/find domestic abuse", True),
    ],
    ids=["near-miss", "near-miss-game", "search"],
)
async def test_telegram_near_miss_and_search_alert_nobody(
    text: str, lines: bool, service: MentorService, session_factory: Sessions
) -> None:
    await add_staff(session_factory, service, telegram_user_id=MENTOR)
    async with FakeTelegramAPI() as fake, running(fake, service):
        await join(fake)
        fake.user_message(MENTEE, "/cancel")  # the check-in put aside: at the hub
        await fake.wait_until(lambda: "/checkin" in (fake.messages_to(MENTEE)[-1].text or ""))
        before = len(fake.messages_to(MENTEE))
        fake.user_message(MENTEE, text)
        await fake.wait_until(lambda: len(fake.messages_to(MENTEE)) > before, what="a reply")
        if lines:  # the search shows the crisis lines, then the services
            await fake.wait_until(
                lambda: (fake.messages_to(MENTEE)[-1].text or "").startswith("Domestic abuse")
            )
        said = [m.text for m in fake.messages_to(MENTEE)[before:]]
        assert (texts.CRISIS_LINES in said) is lines
        assert texts.CRISIS_MENTOR_TOLD not in said
        assert urgent(fake.messages_to(MENTOR)) == []
    assert await count_rows(session_factory, CrisisAlert) == 0


@pytest.mark.parametrize("text", ONE_OF_EACH)
async def test_sms_crisis_of_each_kind_gives_the_lines_and_alerts_mentor_and_supervisor(
    text: str, sms: SmsWorld, service: MentorService, session_factory: Sessions
) -> None:
    await joined_by_text(sms, service, session_factory)
    await add_staff(
        session_factory, service, name="Kit", role=Role.SUPERVISOR, phone=SUPERVISOR_PHONE
    )
    before = len(sms.inbox())
    await sms.text(text)
    said = "\n".join(sms.inbox()[before:])
    assert texts.CRISIS_LINES.splitlines()[0] in said
    assert texts.CRISIS_MENTOR_TOLD in said
    for phone in (MENTOR_PHONE, SUPERVISOR_PHONE):
        assert any(m.startswith("URGENT: Sam") for m in sms.twilio.to(phone)), phone
    assert await count_rows(session_factory, CrisisAlert) == 1


@pytest.mark.parametrize(
    ("text", "lines"),
    [("dying to see my kids", False), ("FIND DOMESTIC ABUSE", True), ("FIND CRISIS", False)],
    ids=["near-miss", "search-abuse", "search-crisis"],
)
async def test_sms_near_miss_and_search_alert_nobody(
    text: str, lines: bool, sms: SmsWorld, service: MentorService, session_factory: Sessions
) -> None:
    await joined_by_text(sms, service, session_factory)
    to_mentor = len(sms.twilio.to(MENTOR_PHONE))
    before = len(sms.inbox())
    await sms.text(text)
    said = "\n".join(sms.inbox()[before:])
    assert said  # answered
    assert (texts.CRISIS_LINES.splitlines()[0] in said) is lines
    assert texts.CRISIS_MENTOR_TOLD not in said
    assert len(sms.twilio.to(MENTOR_PHONE)) == to_mentor
    assert await count_rows(session_factory, CrisisAlert) == 0


async def test_sms_intent_to_hurt_someone_else_gives_999_first_and_names_it_to_staff(
    sms: SmsWorld, service: MentorService, session_factory: Sessions
) -> None:
    await joined_by_text(sms, service, session_factory)
    await add_staff(
        session_factory, service, name="Kit", role=Role.SUPERVISOR, phone=SUPERVISOR_PHONE
    )
    before = len(sms.inbox())
    await sms.text("im gonna batter him when i see him")
    said = "\n".join(sms.inbox()[before:])
    assert said.index(texts.CRISIS_REPLY_LIFE) < said.index(texts.CRISIS_LINES.splitlines()[0])
    assert texts.CRISIS_MENTOR_TOLD in said
    what = texts.CRISIS_CATEGORY_NAMES["harm_to_others"]
    for phone in (MENTOR_PHONE, SUPERVISOR_PHONE):
        alerts = [m for m in sms.twilio.to(phone) if m.startswith("URGENT: Sam")]
        assert len(alerts) == 1 and f"({what})" in alerts[0], phone
        assert "batter" not in alerts[0]  # the words are not passed on
    assert await count_rows(session_factory, CrisisAlert) == 1
