"""Picking up a crisis alert after its button has scrolled away: /ack NAME and /attention."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import texts
from bot.flows.crisis import ACK, describe
from bot.messages import Channel, Sender
from bot.safety.crisis import CrisisCategory
from bot.service import MentorService
from bot.storage.models import CrisisAlert, OutboxMessage, OutboxStatus
from tests.conftest import FakeClock
from tests.flows.test_crisis import SUPERVISOR_PHONE, escalate, mentee_and_staff
from tests.utils import MENTOR_PHONE, Chat

Sessions = async_sessionmaker[AsyncSession]


async def picked_up_notices(sessions: Sessions) -> list[tuple[int, str]]:
    async with sessions() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == "crisis_picked_up")
        return [(m.person_id, m.text) for m in (await session.execute(query)).scalars()]


async def statuses_of_realerts(sessions: Sessions) -> list[OutboxStatus]:
    async with sessions() as session:
        query = select(OutboxMessage.status).where(
            OutboxMessage.idempotency_key.like("crisis:%:escalated:%")
        )
        return list((await session.execute(query)).scalars())


async def test_ack_by_name_picks_up_and_tells_everyone_alerted(
    service: MentorService, session_factory: Sessions, clock: FakeClock
) -> None:
    sam = await mentee_and_staff(service, session_factory)
    await sam.send("I want to kill myself")
    clock.advance(minutes=30)
    assert await escalate(session_factory, clock) == 1  # queued, not yet sent
    mentor = Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))
    assert (await mentor.send("/ack sam"))[0].text == texts.ACK_DONE.format(name="Sam")
    async with session_factory() as session:
        [alert] = (await session.execute(select(CrisisAlert))).scalars()
    assert alert.acknowledged_at == clock.now and alert.acknowledged_by_id == 1
    # The supervisor (id 2) was alerted too; the one who picked it up is not told.
    assert await picked_up_notices(session_factory) == [
        (2, texts.CRISIS_PICKED_UP.format(staff="Alex", name="Sam"))
    ]
    assert set(await statuses_of_realerts(session_factory)) == {OutboxStatus.SKIPPED}
    again = await mentor.send("/ack Sam")
    assert again[0].text == texts.ACK_NONE_OPEN.format(name="Sam")
    clock.advance(minutes=60)
    assert await escalate(session_factory, clock) == 0


async def test_attention_lists_open_alerts_first_with_age_and_a_button(
    service: MentorService, session_factory: Sessions, clock: FakeClock
) -> None:
    sam = await mentee_and_staff(service, session_factory)
    await sam.send("he hit me again")
    clock.advance(minutes=47)
    supervisor = Chat(service, sender=Sender(Channel.CONSOLE, SUPERVISOR_PHONE))
    replies = await supervisor.send("/attention")
    assert replies[0].text == texts.ATTENTION_OPEN_ALERT.format(
        name="Sam", what=describe(CrisisCategory.HARM_FROM_OTHERS.value), age="47 min"
    )
    assert [c.label for c in replies[0].choices] == [texts.CRISIS_ACK]
    assert replies[1].text.startswith(texts.ATTENTION_HEADER)
    assert texts.FLAG_SAFETY_OPEN in replies[1].text
    picked = await supervisor.tap(texts.CRISIS_ACK, reply=replies[0])
    assert picked[0].text == texts.CRISIS_ACKED
    assert await picked_up_notices(session_factory) == [
        (1, texts.CRISIS_PICKED_UP.format(staff="Kit", name="Sam"))
    ]
    after = await supervisor.send("/attention")
    assert len(after) == 1 and texts.FLAG_SAFETY in after[0].text
    assert texts.FLAG_SAFETY_OPEN not in after[0].text


async def test_the_alerts_own_button_also_tells_the_others(
    service: MentorService, session_factory: Sessions
) -> None:
    sam = await mentee_and_staff(service, session_factory)
    await sam.send("he hit me again")
    async with session_factory() as session:
        query = select(OutboxMessage).where(OutboxMessage.person_id == 2)
        [alert] = (await session.execute(query)).scalars()
    assert alert.payload is not None
    from tests.utils import tap_sent_button

    supervisor = Chat(service, sender=Sender(Channel.CONSOLE, SUPERVISOR_PHONE))
    await tap_sent_button(supervisor, alert.payload["token"], ACK)
    assert await picked_up_notices(session_factory) == [
        (1, texts.CRISIS_PICKED_UP.format(staff="Kit", name="Sam"))
    ]
