"""Mentee and mentor talk through the bot (/msg, Reply), with the mentor's hours (/hours).

The clock starts on Monday 2 March 2026 at 10:00 UTC, which is 10:00 in London (GMT).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.authorisation import refusal
from bot.flows import hours, texts
from bot.flows.closing import end_episode
from bot.flows.hours_rules import parse_hours
from bot.handlers.sms import translate
from bot.messages import Channel, InboundMessage, Sender
from bot.questions import asking
from bot.service import MentorService
from bot.storage import conversations, people, relays
from bot.storage.models import (
    ConversationState,
    CrisisAlert,
    OutboxMessage,
    OutboxStatus,
    Person,
    RelayMessage,
    Role,
)
from tests.conftest import FakeClock
from tests.utils import (
    MENTOR_PHONE,
    Chat,
    add_staff,
    count_rows,
    joined_mentee,
    tap_sent_button,
)

Sessions = async_sessionmaker[AsyncSession]
OTHER_MENTOR_PHONE = "+447700900002"
OTHER_MENTEE_PHONE = "+447700900456"
SUPERVISOR_PHONE = "+447700900003"


async def alex_and_sam(service: MentorService, sessions: Sessions) -> tuple[Chat, Chat]:
    """Mentor Alex and mentee Sam, who has joined (their first check-in is showing)."""
    mentor = await add_staff(sessions, service)
    sam = await joined_mentee(service, sessions, mentor)
    return Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE)), sam


async def relay_rows(sessions: Sessions) -> list[OutboxMessage]:
    async with sessions() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == "relay").order_by("id")
        return list((await session.execute(query)).scalars())


async def person_named(sessions: Sessions, name: str) -> Person:
    async with sessions() as session:
        query = select(Person).where(Person.display_name == name)
        return (await session.execute(query)).scalar_one()


async def tap_reply(chat: Chat, row: OutboxMessage) -> list[str]:
    assert row.payload is not None
    [[label, value]] = row.payload["choices"]
    assert label == texts.RELAY_REPLY
    await tap_sent_button(chat, row.payload["token"], value)
    return chat.texts


async def test_mentee_mentor_and_back_by_taps(
    service: MentorService, session_factory: Sessions
) -> None:
    alex, sam = await alex_and_sam(service, session_factory)
    await alex.send("/hours Mon-Fri 09:00-17:00")
    await sam.send("/msg Can we meet on Thursday?")
    assert sam.texts == [texts.RELAY_SENT.format(name="Alex")]  # Monday 10:00: in hours
    [to_alex] = await relay_rows(session_factory)
    mentor = await person_named(session_factory, "Alex")
    assert to_alex.person_id == mentor.id
    assert to_alex.text == "Message from Sam: Can we meet on Thursday?"
    assert not to_alex.respect_quiet_hours and to_alex.status is OutboxStatus.PENDING
    assert to_alex.id in sam.notices  # sent as soon as the message commits

    assert await tap_reply(alex, to_alex) == [texts.RELAY_ASK.format(name="Sam")]
    await alex.send("Yes, 2pm at the hub.")
    assert alex.texts == ["Sent to Sam."]
    to_sam = (await relay_rows(session_factory))[-1]
    assert to_sam.person_id != mentor.id and to_sam.text == "Alex replied: Yes, 2pm at the hub."
    assert to_sam.respect_quiet_hours  # a mentee is not woken at night

    assert await tap_reply(sam, to_sam) == [texts.RELAY_ASK.format(name="Alex")]
    await sam.send("Great, see you then.")
    assert sam.texts == [texts.RELAY_SENT.format(name="Alex")]
    back = (await relay_rows(session_factory))[-1]
    assert back.person_id == mentor.id and back.text == "Sam replied: Great, see you then."
    assert await count_rows(session_factory, RelayMessage) == 3


async def test_typed_messages_both_ways(service: MentorService, session_factory: Sessions) -> None:
    alex, sam = await alex_and_sam(service, session_factory)
    await sam.send("/msg")
    assert sam.texts == [texts.RELAY_ASK.format(name="Alex")]
    asked = sam.last[0]
    assert asked.token is not None and not asked.choices  # typed, never tapped
    await sam._deliver(InboundMessage(sender=sam.sender, choice="hi", token=asked.token))
    assert sam.stale and await count_rows(session_factory, RelayMessage) == 0
    await sam.send(None)  # a sticker
    assert sam.texts == [texts.RELAY_ASK_AGAIN.format(name="Alex")]
    await sam.send("x" * 501)
    assert sam.texts == [texts.RELAY_TOO_LONG.format(limit=500)]
    assert await count_rows(session_factory, RelayMessage) == 0
    await sam.send("I got the job!")
    # Alex has set no hours: Sam is told a reply may take a while.
    assert sam.texts == [texts.RELAY_SENT_NO_HOURS.format(name="Alex")]
    await alex.send("/msg sam Well done, that is great news")
    assert alex.texts == ["Sent to Sam."]
    await alex.send("/msg Sam")
    assert alex.texts == [texts.RELAY_ASK.format(name="Sam")]
    await alex.send("Shall we celebrate on Friday?")
    assert [row.text for row in await relay_rows(session_factory)] == [
        "Message from Sam: I got the job!",
        "Message from Alex: Well done, that is great news",
        "Message from Alex: Shall we celebrate on Friday?",
    ]
    async with session_factory() as session:
        assert (
            await session.get(ConversationState, (await person_named(session_factory, "Alex")).id)
            is None
        )


async def test_sms_keyword_msg_works_like_the_command(
    service: MentorService, session_factory: Sessions
) -> None:
    _, sam = await alex_and_sam(service, session_factory)
    mentee = await person_named(session_factory, "Sam")
    message, keyword = translate(
        "MSG  running late,\nsorry", mentee, Sender(Channel.SMS, "+447700900123")
    )
    assert keyword == "msg" and message.text == "/msg running late,\nsorry"
    bare, _ = translate("msg", mentee, Sender(Channel.SMS, "+447700900123"))
    assert bare.text == "/msg"
    sam.sender = Sender(Channel.SMS, "+447700900123")
    await sam._deliver(message)
    [row] = await relay_rows(session_factory)
    assert row.text == "Message from Sam: running late,\nsorry"


@pytest.mark.parametrize(
    ("when", "told"),
    [
        (datetime(2026, 3, 6, 18, 0, tzinfo=UTC), "on Monday morning"),  # Friday evening
        (datetime(2026, 3, 7, 11, 0, tzinfo=UTC), "on Monday morning"),  # Saturday
        (datetime(2026, 3, 3, 7, 30, tzinfo=UTC), "later today"),  # Tuesday, early
        (datetime(2026, 3, 3, 21, 0, tzinfo=UTC), "tomorrow morning"),  # Tuesday night
        (datetime(2026, 3, 31, 17, 30, tzinfo=UTC), "tomorrow morning"),  # 18:30 in BST
    ],
)
async def test_outside_hours_the_mentee_is_told_when_and_given_the_crisis_lines(
    when: datetime,
    told: str,
    service: MentorService,
    session_factory: Sessions,
    clock: FakeClock,
) -> None:
    alex, sam = await alex_and_sam(service, session_factory)
    await alex.send("/hours Mon-Fri 9am-5pm")
    clock.now = when
    await sam.send("/msg Are we still on for this week?")
    assert sam.texts == [
        "Thanks, it is sent. Alex usually reads messages Mon-Fri 9:00-17:00, so they will see "
        f"this {told}. If you need help before then, you can call or text one of these:",
        texts.CRISIS_LINES,
    ]
    [row] = await relay_rows(session_factory)  # it still goes to Alex at once
    assert row.not_before == when and not row.respect_quiet_hours


@pytest.mark.parametrize(
    "when",
    [datetime(2026, 3, 2, 9, 0, tzinfo=UTC), datetime(2026, 3, 6, 16, 59, tzinfo=UTC)],
)
async def test_inside_hours_no_crisis_lines(
    when: datetime, service: MentorService, session_factory: Sessions, clock: FakeClock
) -> None:
    alex, sam = await alex_and_sam(service, session_factory)
    await alex.send("/hours Mon-Fri 09:00-17:00")
    clock.now = when
    await sam.send("/msg hello")
    assert sam.texts == [texts.RELAY_SENT.format(name="Alex")]


@pytest.mark.parametrize(
    ("typed", "described"),
    [
        ("Mon-Fri 09:00-17:00", "Mon-Fri 9:00-17:00"),
        ("mon - fri 9am to 5:30pm", "Mon-Fri 9:00-17:30"),
        ("Mon, Wed, Fri 10-14", "Mon, Wed, Fri 10:00-14:00"),
        ("weekends 12:00-16:00", "Sat, Sun 12:00-16:00"),
        ("every day 8.30-20.00", "every day 8:30-20:00"),
        ("Sat-Mon 10:00-12:00", "Mon, Sat, Sun 10:00-12:00"),
        ("Tue-Thu 18:00-21:00", "Tue-Thu 18:00-21:00"),
        ("Mon-Fri 9-5", "Mon-Fri 9:00-17:00"),  # a bare hour as people mean it
        ("weds, thurs 7.30pm-9pm", "Wed, Thu 19:30-21:00"),
        ("Moonday 10am-noon", "Mon 10:00-12:00"),  # a small slip
        ("mondays 9:00-17:00", "Mon 9:00-17:00"),
    ],
)
def test_hours_are_read_as_typed(typed: str, described: str) -> None:
    hours = parse_hours(typed)
    assert hours is not None and hours.describe() == described


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "Mon-Fri",
        "09:00-17:00",
        "Mon-Fri 17:00-09:00",  # across midnight
        "Mon-Fri 09:00-09:00",
        "Mon-Fri 25:00-26:00",
        "Mon-Fri 9:75-17:00",
        "Mon-Fri 13pm-5pm",
        "Someday 09:00-17:00",
        "T 09:00-17:00",  # Tuesday or Thursday?
        "Mon-Fri 9 17",
    ],
)
def test_hours_that_make_no_sense_are_refused(typed: str) -> None:
    assert parse_hours(typed) is None


async def test_hours_by_command_and_step_by_step(
    service: MentorService, session_factory: Sessions
) -> None:
    alex, sam = await alex_and_sam(service, session_factory)
    await alex.send("/hours Mon-Fri 17:00-09:00")
    assert alex.texts == [texts.HOURS_USAGE]
    assert (await person_named(session_factory, "Alex")).available_hours is None
    await alex.send("/hours")
    await alex.tap("Mon-Fri")
    await alex.send("half nine")
    assert alex.texts == [
        asking.reask(hours.question(hours.FROM), Channel.CONSOLE),
        texts.HOURS_ASK_FROM,
    ]
    await alex.tap("09:00")
    await alex.send("8am")
    assert alex.texts[0] == texts.HOURS_END_REASK.format(start="09:00")
    await alex.send("5pm")
    assert alex.texts[0].startswith("Saved: you read messages Mon-Fri 9:00-17:00.")
    stored = (await person_named(session_factory, "Alex")).available_hours
    assert stored == {"days": [1, 2, 3, 4, 5], "from": "09:00", "to": "17:00"}
    await alex.send("/hours")
    assert alex.texts[0] == "Your hours now: Mon-Fri 9:00-17:00."
    await alex.send("Monday, wed")
    await alex.send("nonsense")
    assert alex.texts[0] == asking.reask(hours.question(hours.FROM), Channel.CONSOLE)
    await alex.send("10")
    await alex.send("12:30")
    stored = (await person_named(session_factory, "Alex")).available_hours
    assert stored == {"days": [1, 3], "from": "10:00", "to": "12:30"}
    await alex.send("/hours off")
    assert alex.texts == [texts.HOURS_CLEARED]
    assert (await person_named(session_factory, "Alex")).available_hours is None
    await sam.send("/hours Mon-Fri 09:00-17:00")
    assert sam.texts[0] == refusal("hours")


async def test_hours_back_goes_to_the_step_before_keeping_what_was_chosen(
    service: MentorService, session_factory: Sessions
) -> None:
    alex, _ = await alex_and_sam(service, session_factory)
    await alex.send("/hours")
    assert alex.question.controls == ()  # the first question: nothing to go back to
    await alex.send("back")
    assert alex.texts == [texts.NOTHING_BEFORE, texts.HOURS_ASK_DAYS]
    await alex.tap("Mon-Sat")
    await alex.tap("10:00")
    assert alex.texts == [texts.HOURS_ASK_TO]
    await alex.send("go back")
    assert alex.texts == [texts.HOURS_ASK_FROM]
    await alex.tap(texts.BACK_LABEL)
    assert alex.texts == [texts.HOURS_ASK_DAYS]
    await alex.send("weekends")
    await alex.send("12")
    await alex.tap(texts.BACK_LABEL)
    await alex.tap("09:00")
    await alex.send("1pm")
    stored = (await person_named(session_factory, "Alex")).available_hours
    assert stored == {"days": [6, 7], "from": "09:00", "to": "13:00"}


async def test_hours_asked_before_the_engine_still_resume(
    service: MentorService, session_factory: Sessions
) -> None:
    alex, _ = await alex_and_sam(service, session_factory)
    staff = await person_named(session_factory, "Alex")
    old = {"step": "to", "token": "abc123", "days": [1, 2], "from": "08:00"}
    async with session_factory() as session, session.begin():
        await conversations.save_state(
            session, person_id=staff.id, flow=hours.FLOW, step="to", data=old, now=service.clock()
        )
    await alex.send("4pm")
    stored = (await person_named(session_factory, "Alex")).available_hours
    assert stored == {"days": [1, 2], "from": "08:00", "to": "16:00"}


async def test_words_asked_for_before_the_engine_are_still_sent(
    service: MentorService, session_factory: Sessions
) -> None:
    _, sam = await alex_and_sam(service, session_factory)
    mentee = await person_named(session_factory, "Sam")
    mentor = await person_named(session_factory, "Alex")
    async with session_factory() as session, session.begin():
        episode = await people.active_episode(session, mentee.id)
        assert episode is not None
        old = {"to": mentor.id, "episode": episode.id, "reply": False}
        await conversations.save_state(
            session,
            person_id=episode.mentee_id,
            flow="relay",
            step="text",
            data=old,
            now=service.clock(),
        )
    await sam.send("Running late, sorry")
    assert sam.texts == [texts.RELAY_SENT_NO_HOURS.format(name="Alex")]
    assert [row.text for row in await relay_rows(session_factory)] == [
        "Message from Sam: Running late, sorry"
    ]


async def test_staff_cannot_message_another_mentors_mentee(
    service: MentorService, session_factory: Sessions
) -> None:
    await alex_and_sam(service, session_factory)
    await add_staff(session_factory, service, name="Jo", phone=OTHER_MENTOR_PHONE)
    jo = Chat(service, sender=Sender(Channel.CONSOLE, OTHER_MENTOR_PHONE))
    await jo.send("/msg Sam hello from Jo")
    assert jo.texts == [texts.NO_SUCH_MENTEE.format(name="Sam")]
    await jo.send("/msg Sam")
    assert jo.texts == [texts.NO_SUCH_MENTEE.format(name="Sam")]
    await jo.send("/msg")
    assert jo.texts == [texts.ARG_ASK_MENTEE]
    await jo.send("Sam")
    assert jo.texts == [texts.NO_SUCH_MENTEE.format(name="Sam"), texts.ARG_ASK_MENTEE]
    await jo.send("/cancel")
    assert await count_rows(session_factory, RelayMessage) == 0
    assert await relay_rows(session_factory) == []
    async with session_factory() as session:
        assert (
            await session.get(ConversationState, (await person_named(session_factory, "Jo")).id)
            is None
        )


async def test_a_supervisor_may_message_anyones_mentee_and_gets_the_reply(
    service: MentorService, session_factory: Sessions
) -> None:
    _, sam = await alex_and_sam(service, session_factory)
    await add_staff(
        session_factory, service, name="Pat", role=Role.SUPERVISOR, phone=SUPERVISOR_PHONE
    )
    pat = Chat(service, sender=Sender(Channel.CONSOLE, SUPERVISOR_PHONE))
    await pat.send("/msg Sam Hello, I am Alex's supervisor.")
    assert pat.texts == ["Sent to Sam."]
    [to_sam] = await relay_rows(session_factory)
    await tap_reply(sam, to_sam)
    assert sam.texts == [texts.RELAY_ASK.format(name="Pat")]
    await sam.send("Hi Pat")
    back = (await relay_rows(session_factory))[-1]
    assert back.person_id == (await person_named(session_factory, "Pat")).id


async def test_a_forged_reply_token_does_nothing(
    service: MentorService, session_factory: Sessions
) -> None:
    alex, sam = await alex_and_sam(service, session_factory)
    jo_person = await add_staff(session_factory, service, name="Jo", phone=OTHER_MENTOR_PHONE)
    kim = await joined_mentee(
        service, session_factory, jo_person, name="Kim", phone=OTHER_MENTEE_PHONE
    )
    jo = Chat(service, sender=Sender(Channel.CONSOLE, OTHER_MENTOR_PHONE))
    await sam.send("/msg private words")
    [to_alex] = await relay_rows(session_factory)
    for intruder in (jo, kim, sam):  # another mentor, another mentee, the sender
        await tap_reply(intruder, to_alex)
        assert intruder.stale and intruder.texts == []
    await tap_sent_button(kim, "rl-999999", "reply")  # no such message
    assert kim.stale
    async with session_factory() as session:
        states = (await session.execute(select(ConversationState.flow))).scalars().all()
    assert "relay" not in states
    await kim.send("hello")  # nothing is waiting to be sent on Kim's behalf
    assert await count_rows(session_factory, RelayMessage) == 1
    await alex.send("/msg Kim hi")
    assert alex.texts == [texts.NO_SUCH_MENTEE.format(name="Kim")]


async def test_words_of_crisis_in_a_message_take_the_crisis_path(
    service: MentorService, session_factory: Sessions
) -> None:
    _, sam = await alex_and_sam(service, session_factory)
    await sam.send("/msg I want to die")
    assert texts.CRISIS_REPLY in sam.texts and texts.CRISIS_LINES in sam.texts
    assert texts.CRISIS_MENTOR_TOLD in sam.texts
    assert await count_rows(session_factory, CrisisAlert) == 1
    await sam.send("/msg")
    await sam.send("I can't go on like this")
    assert texts.CRISIS_REPLY in sam.texts
    # The words are not stored or passed on: the alert names the risk and staff call.
    assert await count_rows(session_factory, RelayMessage) == 0
    assert await relay_rows(session_factory) == []


async def test_when_the_episode_ends_the_words_are_gone(
    service: MentorService, session_factory: Sessions, clock: FakeClock
) -> None:
    alex, sam = await alex_and_sam(service, session_factory)
    await sam.send("/msg My new address is 1 Test Street")
    await alex.send("/msg Sam Thanks, noted")
    first, second = await relay_rows(session_factory)
    assert first.payload is not None
    old_button = first.payload["token"]
    async with session_factory() as session, session.begin():
        # The first went out; the second is still waiting (Sam's quiet hours, say).
        went = await session.get(OutboxMessage, first.id)
        assert went is not None
        went.status = OutboxStatus.SENT
        mentee = await person_named(session_factory, "Sam")
        episode = await people.active_episode(session, mentee.id)
        assert episode is not None
        await end_episode(session, episode, now=clock.now, today=clock.now.date())
    assert await count_rows(session_factory, RelayMessage) == 0
    first, second = await relay_rows(session_factory)
    assert first.text == second.text == relays.REMOVED
    assert first.payload is None and second.payload is None
    assert first.status is OutboxStatus.SENT and second.status is OutboxStatus.SKIPPED
    await tap_sent_button(alex, old_button, "reply")
    assert alex.stale  # the old button does nothing now
    await sam.send("/msg hello?")
    assert sam.texts == [texts.NO_EPISODE]
    assert await count_rows(session_factory, RelayMessage) == 0


async def test_mydata_shows_the_messages_and_forget_blanks_them(
    service: MentorService, session_factory: Sessions
) -> None:
    _, sam = await alex_and_sam(service, session_factory)
    await sam.send("/msg My new address is 1 Test Street")
    await sam.send("/mydata")
    document = next(reply.document for reply in sam.last if reply.document is not None)
    assert b"My new address is 1 Test Street" in document.content
    await sam.send("/forget")
    await sam.tap(texts.FORGET_YES)
    await sam.send("DELETE")
    assert sam.texts[0] == texts.FORGET_DONE
    [row] = await relay_rows(session_factory)  # the copy sent to Alex
    assert row.text == relays.REMOVED and "Test Street" not in str(row.payload)
