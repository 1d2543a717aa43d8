"""A cry for help is answered at once, in any flow, and staff are alerted and chased."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import texts
from bot.flows.crisis import ACK
from bot.messages import Channel, Sender
from bot.reminder_policy import ReminderPolicy
from bot.safety.corpus import looks_like_search
from bot.scheduling.materialiser import Materialiser
from bot.service import MentorService
from bot.storage.models import Answer, CrisisAlert, OutboxMessage, Role
from tests.conftest import LONDON, FakeClock
from tests.utils import MENTOR_PHONE, Chat, add_staff, count_rows, joined_mentee, question_number

CORPUS: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parents[1] / "safety" / "corpus.yaml").read_text(encoding="utf-8")
)
AT_RISK = {
    "intent", "method", "place", "passive_wish", "goodbye", "harm_from_others", "harm_to_others",
    "overdose",
}  # fmt: skip
# Two messages of each category, and every fourth near-miss: the whole corpus is checked
# against the rules in tests/safety; here each kind goes through the engine end to end.
POSITIVE = [
    {"text": text, "life_at_risk": name in AT_RISK}
    for name, texts in CORPUS["crisis"].items()
    for text in texts[:2]
]
NEAR_MISSES: list[str] = CORPUS["near_miss"][::4]
SUPERVISOR_PHONE = "+447700900009"


async def mentee_and_staff(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> Chat:
    mentor = await add_staff(session_factory, service)
    await add_staff(
        session_factory, service, name="Kit", role=Role.SUPERVISOR, phone=SUPERVISOR_PHONE
    )
    return await joined_mentee(service, session_factory, mentor)


async def alerts_queued(session_factory: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with session_factory() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == "crisis_alert")
        return list((await session.execute(query)).scalars())


@pytest.mark.parametrize("case", POSITIVE, ids=lambda case: case["text"][:40])
async def test_every_positive_gets_the_crisis_lines_and_alerts_mentor_and_supervisor(
    case: dict[str, Any],
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    chat = await mentee_and_staff(service, session_factory)
    await chat.send("yes")  # halfway through the baseline
    replies = await chat.send(case["text"])
    said = [reply.text for reply in replies]
    assert texts.CRISIS_LINES in said
    assert (said[0] == texts.CRISIS_REPLY_LIFE) is case["life_at_risk"]
    assert texts.CRISIS_MENTOR_TOLD in said
    assert not any(reply.choices for reply in replies)  # never "please answer 1-5"
    alerts = await alerts_queued(session_factory)
    assert sorted(a.person_id for a in alerts) == [1, 2]  # the mentor and the supervisor
    assert all(a.respect_quiet_hours is False and a.payload for a in alerts)
    assert all(case["text"] not in a.text for a in alerts)  # the message itself is not kept
    assert await count_rows(session_factory, Answer) == 1


@pytest.mark.parametrize("text", NEAR_MISSES, ids=lambda text: str(text)[:40])
async def test_no_negative_or_near_miss_raises_an_alert(
    text: str, service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await mentee_and_staff(service, session_factory)
    replies = await chat.send(text)
    shown = texts.CRISIS_LINES in [reply.text for reply in replies]
    assert not shown or text.lower() == "help" or looks_like_search(text)
    assert texts.CRISIS_MENTOR_TOLD not in [reply.text for reply in replies]
    assert await alerts_queued(session_factory) == []


async def test_the_checkin_is_kept_for_later(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await mentee_and_staff(service, session_factory)
    for answer in ("yes", "no", "yes"):
        await chat.send(answer)
    replies = await chat.send("I can't go on like this")
    assert replies[-1].text == texts.CRISIS_FLOW_KEPT
    await chat.send("/checkin")
    assert question_number(chat.question) == 4
    assert await count_rows(session_factory, Answer) == 3


async def test_a_second_message_soon_after_raises_no_second_alert(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    chat = await mentee_and_staff(service, session_factory)
    await chat.send("I want to die")
    replies = await chat.send("i really want to die")
    assert texts.CRISIS_LINES in [reply.text for reply in replies]
    assert await count_rows(session_factory, CrisisAlert) == 1


async def escalate(session_factory: async_sessionmaker[AsyncSession], clock: FakeClock) -> int:
    materialiser = Materialiser(
        session_factory=session_factory, policy=ReminderPolicy(), zone=LONDON
    )
    return await materialiser.crisis_escalations(clock.now)


async def test_unacknowledged_alert_goes_to_mentor_and_supervisors_again_at_30_minutes(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    chat = await mentee_and_staff(service, session_factory)
    await chat.send("took too much, can't wake him")
    clock.advance(minutes=29)
    assert await escalate(session_factory, clock) == 0
    clock.advance(minutes=1)
    assert await escalate(session_factory, clock) == 1
    assert await escalate(session_factory, clock) == 0  # once
    escalated = [
        a for a in await alerts_queued(session_factory) if ":escalated:" in a.idempotency_key
    ]
    assert sorted(a.person_id for a in escalated) == [1, 2]  # the mentor and the supervisor
    assert escalated[0].text.startswith("URGENT, not picked up after 30 minutes: Sam")


async def test_acknowledged_alert_is_not_escalated(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    chat = await mentee_and_staff(service, session_factory)
    await chat.send("he hit me again")
    [alert] = [a for a in await alerts_queued(session_factory) if a.person_id == 1]
    assert alert.payload is not None
    mentor = Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))
    from tests.utils import tap_sent_button

    replies = await tap_sent_button(mentor, alert.payload["token"], ACK)
    assert replies[0].text == texts.CRISIS_ACKED
    supervisor = Chat(service, sender=Sender(Channel.CONSOLE, SUPERVISOR_PHONE))
    late = await tap_sent_button(supervisor, alert.payload["token"], ACK)
    assert late[0].text == texts.CRISIS_ALREADY_ACKED.format(name="Alex")
    clock.advance(minutes=45)
    assert await escalate(session_factory, clock) == 0
    # A mentee cannot acknowledge their own alert.
    await tap_sent_button(chat, alert.payload["token"], ACK)
    assert chat.stale


async def test_a_mentor_the_alert_was_not_sent_to_cannot_pick_it_up(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    """Found by tests/fuzz: any staff tap with the alert's token stopped the escalation."""
    chat = await mentee_and_staff(service, session_factory)
    await add_staff(session_factory, service, name="Robin", phone="+447700900008")
    await chat.send("he hit me again")
    [alert] = [a for a in await alerts_queued(session_factory) if a.person_id == 1]
    assert alert.payload is not None
    robin = Chat(service, sender=Sender(Channel.CONSOLE, "+447700900008"))
    from tests.utils import tap_sent_button

    assert await tap_sent_button(robin, alert.payload["token"], ACK) == []
    assert robin.stale
    async with session_factory() as session:
        [row] = (await session.execute(select(CrisisAlert))).scalars()
        assert row.acknowledged_by_id is None
    clock.advance(minutes=30)
    assert await escalate(session_factory, clock) == 1  # still chased
