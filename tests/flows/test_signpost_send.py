"""/signpost: a mentor sends a mentee a service; it is recorded, queued, and listed later.

The clock says Monday 2 March 2026, 10:00 in London.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.authorisation import refusal
from bot.flows import texts
from bot.flows.staff_help import staff_help
from bot.messages import Channel, Reply, Sender
from bot.service import MentorService
from bot.storage.models import (
    ConversationState,
    FollowupAnswer,
    OutboxMessage,
    OutboxStatus,
    Resource,
    Role,
    Signpost,
)
from tests.utils import MENTOR_PHONE, Chat, add_staff, joined_mentee

Sessions = async_sessionmaker[AsyncSession]
pytestmark = pytest.mark.usefixtures("shipped_directory")
OTHER_MENTOR_PHONE = "+447700900002"


async def mentor_and_mentee(service: MentorService, sessions: Sessions) -> Chat:
    mentor = await add_staff(sessions, service)
    chat = await joined_mentee(service, sessions, mentor)
    await chat.send("/cancel")
    return Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))


def labels(reply: Reply) -> list[str]:
    return [choice.label for choice in reply.choices]


async def signposts(sessions: Sessions) -> list[Signpost]:
    async with sessions() as session:
        return list(await session.scalars(select(Signpost).order_by(Signpost.id)))


async def outbox(sessions: Sessions) -> dict[str, OutboxMessage]:
    async with sessions() as session:
        return {row.idempotency_key: row for row in await session.scalars(select(OutboxMessage))}


async def test_signpost_by_buttons_records_it_and_queues_it_to_the_mentee(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor = await mentor_and_mentee(service, session_factory)
    [kind] = await mentor.send("/signpost sam")
    assert kind.text == texts.SIGNPOST_WHICH_KIND.format(name="Sam")
    assert len(kind.choices) == 13
    [which] = await mentor.tap("Money and debt")
    assert which.text == texts.SIGNPOST_WHICH_SERVICE.format(category="Money and debt", name="Sam")
    assert labels(which) == [
        "Debt Free Advice (London)",
        "National Debtline",
        "StepChange Debt Charity",
    ]
    [done] = await mentor.tap("StepChange Debt Charity")
    assert done.text == texts.SIGNPOST_SENT.format(service="StepChange Debt Charity", name="Sam")
    [signpost] = await signposts(session_factory)
    assert signpost.sent_at == service.clock() and signpost.followup_answer is None
    queued = (await outbox(session_factory))[f"signpost:{signpost.id}:sent"]
    assert queued.person_id == signpost.mentee_id and queued.respect_quiet_hours
    assert queued.status is OutboxStatus.PENDING
    assert queued.text.splitlines()[:4] == [
        "Alex thought this might help:",
        "",
        "StepChange Debt Charity",
        "Free help to sort out your debts, make a plan to pay and deal with the people you owe.",
    ]
    assert "Call 0800 138 1111" in queued.text
    async with session_factory() as session:
        assert list(await session.scalars(select(ConversationState))) == []


async def test_signpost_by_typing_a_service_name_with_a_slip(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor = await mentor_and_mentee(service, session_factory)
    await mentor.send("/signpost")  # the only mentee is chosen at once
    [which] = await mentor.send("samaritens")
    assert labels(which)[0] == "Samaritans"
    [sorry, again] = await mentor.send("nothing like this")
    assert sorry.text.startswith(texts.REASK_SORRY) and "1 to 6" in sorry.text
    assert again.text == which.text and labels(again) == labels(which)  # the same question
    [kind] = await mentor.tap(texts.BACK_LABEL)
    assert kind.text == texts.SIGNPOST_WHICH_KIND.format(name="Sam") and not kind.controls
    await mentor.send("samaritens")
    [kind] = await mentor.send("back")  # typed, as tapped
    assert kind.text == texts.SIGNPOST_WHICH_KIND.format(name="Sam")
    [which] = await mentor.send("rent arrears")
    assert which.text.startswith("Money and debt for Sam")
    await mentor.send("national debtline")
    [signpost] = await signposts(session_factory)
    async with session_factory() as session:
        resource = await session.get(Resource, signpost.resource_id)
        assert resource is not None and resource.name == "National Debtline"


async def test_which_mentee_is_read_by_name_or_number_and_asked_again_kindly(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor = await add_staff(session_factory, service)
    for name, phone in (("Sam", "+447700900123"), ("Robin", "+447700900124")):
        chat = await joined_mentee(service, session_factory, mentor, name=name, phone=phone)
        await chat.send("/cancel")
    alex = Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))
    [who] = await alex.send("/signpost")
    assert who.text == texts.SIGNPOST_WHO and labels(who) == ["Robin", "Sam"]  # by name
    sorry, again = await alex.send("nobody")
    assert sorry.text == " ".join(
        (texts.REASK_SORRY, texts.REASK_CHAT_FEW.format(options="Robin or Sam"))
    )
    assert again.token == who.token and labels(again) == labels(who)
    [kind] = await alex.send("2")
    assert kind.text == texts.SIGNPOST_WHICH_KIND.format(name="Sam")


async def test_an_empty_kind_of_help_and_a_retired_service_are_handled_kindly(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor = await mentor_and_mentee(service, session_factory)
    async with session_factory() as session, session.begin():  # every service there retired
        await session.execute(
            update(Resource)
            .where(Resource.category == "education_work")
            .values(retired_at=service.clock())
        )
    await mentor.send("/signpost Sam")
    [empty, kind] = await mentor.tap("Learning and work")
    assert empty.text == texts.SIGNPOST_EMPTY.format(category="Learning and work")
    await mentor.tap("Housing", reply=kind)
    async with session_factory() as session, session.begin():
        await session.execute(
            update(Resource)
            .where(Resource.name == "StreetLink")
            .values(retired_at=service.clock())
        )
    [gone, _] = await mentor.tap("StreetLink")
    assert gone.text == texts.SIGNPOST_GONE
    assert await signposts(session_factory) == []


async def test_a_mentor_signposts_only_their_own_mentees_and_a_supervisor_anyone(
    service: MentorService, session_factory: Sessions
) -> None:
    await mentor_and_mentee(service, session_factory)
    await add_staff(session_factory, service, name="Bo", phone=OTHER_MENTOR_PHONE)
    other = Chat(service, sender=Sender(Channel.CONSOLE, OTHER_MENTOR_PHONE))
    assert (await other.send("/signpost Sam"))[0].text == texts.MEET_NO_MENTEES
    kim = await add_staff(
        session_factory, service, name="Kim", role=Role.SUPERVISOR, phone="+447700900003"
    )
    supervisor = Chat(service, sender=Sender(Channel.CONSOLE, "+447700900003"))
    [kind] = await supervisor.send("/signpost Sam")
    assert kind.text.startswith("What kind of help for Sam?")
    await supervisor.send("frank")
    [done] = await supervisor.tap("FRANK")
    assert done.text.startswith("Sent FRANK to Sam.")
    [signpost] = await signposts(session_factory)
    queued = (await outbox(session_factory))[f"signpost:{signpost.id}:sent"]
    assert queued.text.startswith("Kim thought this might help:")
    assert signpost.mentor_id == kim.id  # recorded as sent by the supervisor
    [mentee] = await supervisor.send("/signposts nobody")
    assert mentee.text == texts.NO_SUCH_MENTEE.format(name="nobody")


async def test_signposts_lists_what_was_sent_and_the_answers(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor = await mentor_and_mentee(service, session_factory)
    assert (await mentor.send("/signposts"))[0].text == texts.ARG_ASK_MENTEE
    [none] = await mentor.send("/signposts Sam")
    assert none.text == texts.SIGNPOSTS_NONE.format(name="Sam")
    await mentor.send("/signpost Sam")
    await mentor.send("frank")
    await mentor.tap("FRANK")
    await mentor.send("/signpost Sam")
    await mentor.send("shelter")
    await mentor.tap("Shelter emergency housing helpline")
    async with session_factory() as session, session.begin():
        await session.execute(
            update(Signpost)
            .where(Signpost.id == 1)
            .values(followup_answer=FollowupAnswer.YES_HELPED, answered_at=service.clock())
        )
    [listing] = await mentor.send("/signposts sam")
    assert listing.text.splitlines() == [
        "Services sent to Sam:",
        "Mon 2 Mar - Shelter emergency housing helpline (from Alex): will be asked Mon 9 Mar",
        "Mon 2 Mar - FRANK (from Alex): yes, it helped",
    ]
    assert "/signposts NAME" in staff_help(Role.MENTOR) and "/signpost NAME" in staff_help(
        Role.MENTOR
    )


async def test_mentees_cannot_signpost(service: MentorService, session_factory: Sessions) -> None:
    mentor = await add_staff(session_factory, service)
    chat = await joined_mentee(service, session_factory, mentor)
    await chat.send("/cancel")
    for command in ("/signpost Sam", "/signposts Sam"):
        replies = await chat.send(command)
        assert replies[0].text == refusal(command.split()[0][1:])
