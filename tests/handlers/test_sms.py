"""SMS end to end: Twilio's signed webhooks in, the real twilio client out to a fake REST API."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.sms import SmsSender
from bot.delivery.twilio_gateway import TwilioGateway
from bot.flows import texts
from bot.handlers.sms import SmsWebhook
from bot.handlers.web import create_web_app
from bot.messages import Channel, Sender
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.quiet import QuietHours
from bot.service import MentorService
from bot.storage import people
from bot.storage.models import Answer, OutboxMessage, OutboxStatus, Person, ProcessedInbound
from bot.storage.people import has_phone
from tests.conftest import FakeClock
from tests.fakes.twilio_api import (
    AUTH_TOKEN,
    FakeTwilioAPI,
    form,
    inbound_params,
    signed,
)
from tests.utils import MENTOR_PHONE, Chat, add_staff, count_rows, make_invite

PUBLIC = "https://bot.example.org"
SAM = "+447700900123"


@dataclass
class SmsWorld:
    twilio: FakeTwilioAPI
    client: httpx.AsyncClient
    webhook: SmsWebhook
    dispatcher: Dispatcher
    service: MentorService
    sids: itertools.count[int]

    async def text(self, body: str, *, sender: str = SAM, sid: str | None = None) -> int:
        """The person texts the bot; returns the HTTP status Twilio would see."""
        params = inbound_params(sid or f"SMIN{next(self.sids):028d}", sender, body)
        url = f"{PUBLIC}/twilio/sms"
        response = await self.client.post(
            "/twilio/sms", content=form(params), headers=signed(url, params)
        )
        await self.webhook.drain()
        return response.status_code

    def inbox(self, number: str = SAM) -> list[str]:
        return self.twilio.to(number)


@pytest.fixture
async def sms(database_url: str, service: MentorService) -> AsyncIterator[SmsWorld]:
    async with FakeTwilioAPI() as twilio:
        settings = twilio.settings(database_url=database_url, public_url=PUBLIC)
        gateway = TwilioGateway(settings)
        sender = SmsSender(gateway, service.session_factory, service.writing)
        dispatcher = Dispatcher(
            session_factory=service.session_factory,
            senders=[sender],
            clock=service.clock,
            quiet=QuietHours.from_settings(settings),
            rate_per_second=None,
            per_chat_gap=0,
        )
        webhook = SmsWebhook(
            service=service,
            auth_token=AUTH_TOKEN,
            public_url=PUBLIC,
            dispatcher=dispatcher,
            sms=sender,
        )
        transport = httpx.ASGITransport(app=create_web_app(sms=webhook))
        async with httpx.AsyncClient(transport=transport, base_url="http://internal") as client:
            yield SmsWorld(twilio, client, webhook, dispatcher, service, itertools.count(1))
        await gateway.close()


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Twilio-Signature": "forged"},
        {},
        signed("https://elsewhere.example.org/twilio/sms", inbound_params("SM1", SAM, "hi")),
        signed(f"{PUBLIC}/twilio/sms", inbound_params("SM1", SAM, "hi"), token="wrong-token"),
    ],
    ids=["forged", "missing", "wrong-url", "wrong-token"],
)
async def test_bad_signature_is_refused_and_nothing_changes(
    headers: dict[str, str], sms: SmsWorld, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    params = inbound_params("SM1", SAM, "hi")
    response = await sms.client.post(
        "/twilio/sms",
        content=form(params),
        headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 403
    assert await count_rows(session_factory, ProcessedInbound) == 0
    assert sms.twilio.sent == []


async def joined_by_text(
    sms: SmsWorld, service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """Sam joins by text with Alex as mentor and pauses the first check-in."""
    mentor = await add_staff(session_factory, service)
    await sms.text(f"JOIN {await make_invite(session_factory, service, mentor)}")
    await sms.text("yes")
    await sms.text("/cancel")


async def test_sms_only_mentee_joins_and_does_the_baseline_by_text(
    sms: SmsWorld, service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    mentor = await add_staff(session_factory, service)
    code = await make_invite(session_factory, service, mentor)
    assert await sms.text(f"JOIN {code.lower()}") == 200
    consent = sms.inbox()
    assert consent[-1].endswith("1 Yes, I agree\n2 No, thanks\nReply 1-2")
    await sms.text("1")
    assert sms.inbox()[-1].startswith("Part 1 of 3, question 1 of 50: ")
    assert sms.inbox()[-1].endswith("Reply 1-2, SKIP")
    assert sms.twilio.to(MENTOR_PHONE) == ["Sam has joined and agreed to take part."]
    answers = itertools.cycle(["1", "yes", "2", "no please", "Yes"])
    for _ in range(50):
        await sms.text(next(answers))
    assert sms.inbox()[-1].endswith(f"1 {texts.CARRY_ON}\n2 {texts.TAKE_BREAK}\nReply 1-2")
    await sms.text("1")
    assert sms.inbox()[-1].startswith("Part 2 of 3, question 1 of 6: ")
    assert sms.inbox()[-1].endswith("Reply 1-5, BACK or SKIP")
    for answer in ["agree", "4", "not sure", "Agree strongly", "5", "2", "yes"] + ["3"] * 5:
        await sms.text(answer)
    said = "\n".join(sms.inbox()[-4:])
    assert "Thank you. That's all the questions." in said
    assert "Self-worth, how you feel about yourself: " in said
    assert await count_rows(session_factory, Answer) == 61
    assert sms.inbox()[-1].startswith(texts.PRIORITIES_ASK)
    assert sms.inbox()[-1].endswith("\n10 Recovery (to work on)\nReply 1-10")
    await sms.text("7")
    assert sms.inbox()[-1].endswith("11 Done\nReply 1-11, BACK")  # Back takes Home off
    await sms.text("mood")
    await sms.text("11")
    assert sms.inbox()[-2] == texts.PRIORITIES_SAVED.format(areas="Home and Mood")
    assert sms.inbox()[-1].startswith(texts.ASK_CHECKIN_DAY)
    told = (
        "Sam chose what matters most to them now: Home (Housing and safety) and "
        "Mood (Global psychological health)."
    )
    assert told in sms.twilio.to(MENTOR_PHONE)
    await sms.text("PLAN")
    assert sms.inbox()[-1].startswith("Your plan\nWhat matters most: Home, Mood.")
    for body in sms.inbox():
        assert len(body) <= 306


async def test_stop_mid_questionnaire_opts_out_and_start_opts_back_in(
    sms: SmsWorld, service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    mentor = await add_staff(session_factory, service)
    await sms.text(f"JOIN {await make_invite(session_factory, service, mentor)}")
    await sms.text("yes")
    await sms.text("yes")
    before = len(sms.inbox())
    await sms.text("STOP")
    assert len(sms.inbox()) == before  # Twilio confirms STOP itself; the carrier blocks us
    async with session_factory() as session:
        sam = (await session.execute(select(Person).where(has_phone(SAM)))).scalar_one()
    assert sam.opted_out_at is not None and sam.sms_opted_out_at is not None
    await sms.text("START")
    assert sms.inbox()[-1] == texts.RESTARTED
    await sms.text("CHECKIN")
    assert sms.inbox()[-1].startswith("Part 1 of 3, question 2 of 50: ")
    await sms.text("HELP")
    assert "Samaritans" in sms.inbox()[-1]
    await sms.text("no")
    assert sms.inbox()[-1].startswith("Part 1 of 3, question 3 of 50: ")
    assert await count_rows(session_factory, Answer) == 2


async def test_same_message_sid_twice_is_processed_once(
    sms: SmsWorld, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    assert await sms.text("hello", sid="SMDUPLICATE") == 200
    assert await sms.text("hello", sid="SMDUPLICATE") == 200
    assert sms.inbox() == [texts.START_NEEDS_CODE_SMS]


async def test_meeting_invitation_and_confirmation_by_text(
    sms: SmsWorld, service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await joined_by_text(sms, service, session_factory)
    booking = Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))
    await booking.send("/meet Sam")
    await booking.tap("Wed 4 Mar")
    await booking.tap("14:00")
    place = booking.question.choices[0].label
    await booking.tap(place)
    await sms.dispatcher.run_once()
    invitation = sms.inbox()[-1]
    assert "Wed 4 Mar at 14:00" in invitation and invitation.endswith("Reply 1-3")
    assert "clinic" not in invitation.lower() and place not in invitation  # a shared phone
    await sms.text("DETAILS")
    assert place in sms.inbox()[-1]
    await sms.text("1")
    assert "Wed 4 Mar" in sms.inbox()[-1]
    assert "confirmed" in sms.twilio.to(MENTOR_PHONE)[-1]


async def test_failed_delivery_report_shows_in_failed(
    sms: SmsWorld, service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    mentor = await add_staff(session_factory, service)
    await sms.text(f"JOIN {await make_invite(session_factory, service, mentor)}")
    await sms.text("yes")
    async with session_factory() as session:
        notice = (
            (await session.execute(select(OutboxMessage).where(OutboxMessage.kind == "notice")))
            .scalars()
            .first()
        )
    assert notice is not None and notice.provider_id is not None and notice.channel == "sms"
    params = {
        "MessageSid": notice.provider_id,
        "MessageStatus": "undelivered",
        "ErrorCode": "30003",
    }
    bad = await sms.client.post("/twilio/status", content=form(params), headers={})
    assert bad.status_code == 403
    url = f"{PUBLIC}/twilio/status"
    ok = await sms.client.post("/twilio/status", content=form(params), headers=signed(url, params))
    assert ok.status_code == 204
    async with session_factory() as session:
        row = await session.get(OutboxMessage, notice.id)
    assert row is not None
    assert (row.status, row.delivery_status) == (OutboxStatus.FAILED, "undelivered")
    assert row.last_error == "SMS undelivered (error 30003)"


async def test_mentor_adds_an_sms_only_mentee_who_agrees_by_reply(
    sms: SmsWorld, service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    from tests.utils import Chat

    await add_staff(session_factory, service)
    service.sms_enabled = True
    mentor = Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))
    [refused] = await mentor.send("/addmentee 12345 Sam")
    assert refused.text.startswith("That does not look like a UK mobile number")
    [usage] = await mentor.send("/addmentee Sam")
    assert usage.text == texts.ADDMENTEE_USAGE
    [added] = await mentor.send("/addmentee 07700 900123 Sam")
    assert added.text.startswith("Invitation texted to Sam.")
    [taken] = await mentor.send("/addmentee +44 7700 900123 Sam")
    assert taken.text == texts.ADDMENTEE_TAKEN
    await sms.dispatcher.run_once()
    [invitation] = sms.inbox()
    assert invitation.startswith("Hello Sam, this is the mentoring service.")
    code = invitation.split("JOIN ", 1)[1].split()[0]
    await sms.text(f"JOIN {code}")
    assert sms.inbox()[-1].endswith("Reply 1-2")  # the consent question
    await sms.text("2")
    assert sms.inbox()[-1] == texts.CONSENT_DECLINED
    async with session_factory() as session:
        kept = (await session.execute(select(Person).where(has_phone(SAM)))).first()
    assert kept is None  # declining keeps nothing, not even the number


async def test_addmentee_needs_sms_set_up(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    from tests.utils import Chat

    await add_staff(session_factory, service)
    mentor = Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))
    [reply] = await mentor.send("/addmentee 07700 900123 Sam")
    assert reply.text == texts.ADDMENTEE_NO_SMS


async def test_mentor_adds_a_phone_that_counts_only_after_yes(
    sms: SmsWorld, service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    from tests.utils import Chat, joined_mentee

    mentor = await add_staff(session_factory, service)
    mentee = await joined_mentee(
        service, session_factory, mentor, phone="+447700900124"
    )  # a console mentee with another number
    await mentee.send("/cancel")
    service.sms_enabled = True
    staff = Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))
    [sent] = await staff.send("/addphone Sam 07700 900123")
    assert sent.text == texts.ADDPHONE_SENT.format(name="Sam")
    await sms.dispatcher.run_once()
    assert sms.inbox() == [texts.PHONE_CONFIRM_SMS.format(mentor="Alex")]
    await sms.text("who is this?")
    assert sms.inbox()[-1] == texts.PHONE_CONFIRM_REASK
    async with session_factory() as session:
        sam = (
            await session.execute(select(Person).where(Person.display_name == "Sam"))
        ).scalar_one()
    assert sam.phone == "+447700900124" and sam.pending_phone == SAM
    await sms.text("maybe")
    assert sms.inbox()[-1] == texts.PHONE_CONFIRM_REASK
    for not_yes in ("no", "back", "I think you have the wrong number, I am not Sam"):
        before = len(sms.inbox())
        await sms.text(not_yes)  # own words too: asked again, nothing offered to pass on
        assert sms.inbox()[before:] == [texts.PHONE_CONFIRM_REASK]
    await sms.text("Yse please!")  # yes, in the words and slips people type
    assert sms.inbox()[-1] == texts.PHONE_CONFIRMED
    async with session_factory() as session:
        sam = (
            await session.execute(select(Person).where(Person.display_name == "Sam"))
        ).scalar_one()
    assert (sam.phone, sam.pending_phone) == (SAM, None)


async def test_a_long_list_is_paged_with_more(
    sms: SmsWorld, session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    from bot.delivery.sms_text import BUDGET, MORE_PROMPT, length
    from tests.flows.test_caseload import _crafted

    await _crafted(sms.service, session_factory, clock)  # six mentees for Alex
    mentor = "+447700900001"
    assert await sms.text("/mentees", sender=mentor) == 200
    (first,) = sms.inbox(mentor)
    assert first.endswith(MORE_PROMPT) and length(first) <= BUDGET
    assert "Ann (hub" in first and "Fay (hub" not in first
    pages = 1
    while sms.inbox(mentor)[-1].endswith(MORE_PROMPT):
        assert await sms.text("more", sender=mentor) == 200
        pages += 1
        assert pages < 10
    received = "\n".join(sms.inbox(mentor))
    assert "Fay (hub" in received and pages >= 2
    # MORE once the pages are used up is just a word again; a retried MORE sends nothing twice.
    assert await sms.text("MORE", sender=mentor, sid="SMMORE") == 200
    assert await sms.text("MORE", sender=mentor, sid="SMMORE") == 200
    assert sms.inbox(mentor)[-1] == "Send HELP for your commands."
    assert all(length(text) <= BUDGET for text in sms.inbox(mentor)[:pages])


async def test_mentee_and_mentor_message_each_other_by_text(
    sms: SmsWorld, service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await joined_by_text(sms, service, session_factory)
    await sms.text("MSG Running late, there by 11")
    assert sms.inbox()[-1] == texts.RELAY_SENT_NO_HOURS.format(name="Alex")
    await sms.dispatcher.run_once()
    assert sms.inbox(MENTOR_PHONE)[-1] == (
        "Message from Sam: Running late, there by 11\n1 Reply\nReply 1-1"
    )
    await sms.text("1", sender=MENTOR_PHONE)
    assert sms.inbox(MENTOR_PHONE)[-1] == texts.RELAY_ASK.format(name="Sam")
    await sms.text("No problem, see you soon", sender=MENTOR_PHONE)
    assert sms.inbox(MENTOR_PHONE)[-1] == "Sent to Sam."
    await sms.dispatcher.run_once()
    assert sms.inbox()[-1] == "Alex replied: No problem, see you soon\n1 Reply\nReply 1-1"
    await sms.text("msg")
    assert sms.inbox()[-1] == texts.RELAY_ASK.format(name="Alex")


async def test_relapse_told_by_text_gets_the_facts_and_yes_tells_the_mentor(
    sms: SmsWorld, service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await joined_by_text(sms, service, session_factory)
    await sms.text("i usd agen last nite n i feel terrible")
    reply, facts, offer = sms.inbox()[-3:]
    assert reply == texts.RELAPSE_REPLY
    assert facts == texts.RELAPSE_FACTS
    assert offer == (
        f"{texts.RELAPSE_OFFER.format(name='Alex')}\n1 Yes, tell Alex\n2 No, not now\nReply 1-2"
    )
    await sms.text("1")
    assert sms.inbox()[-1] == texts.RELAPSE_TOLD.format(name="Alex")
    await sms.dispatcher.run_once()
    assert sms.inbox(MENTOR_PHONE)[-1] == texts.NOTICE_RELAPSE.format(name="Sam")
    told = len(sms.inbox(MENTOR_PHONE))
    await sms.text("I slipped up again")
    await sms.text("no")
    assert sms.inbox()[-1] == texts.RELAPSE_NOT_TOLD
    await sms.dispatcher.run_once()
    assert len(sms.inbox(MENTOR_PHONE)) == told  # "no" tells nobody
    await sms.text("I used again and I want to end it all")  # crisis words come first
    assert texts.RELAPSE_REPLY not in sms.inbox()[-4:]
    assert texts.CRISIS_REPLY_LIFE in sms.inbox()
    assert all(len(body) <= 306 and "tap" not in body.lower() for body in sms.inbox())


async def test_relapse_told_by_text_mid_check_in_gets_the_facts_and_the_same_question(
    sms: SmsWorld, service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    mentor = await add_staff(session_factory, service)
    await sms.text(f"JOIN {await make_invite(session_factory, service, mentor)}")
    await sms.text("yes")
    question = sms.inbox()[-1]
    assert question.startswith("Part 1 of 3, question 1 of 50: ")
    await sms.text("I used again last night and I feel terrible")
    said = sms.inbox()[-4:]
    assert said[:2] == [texts.RELAPSE_REPLY, texts.RELAPSE_FACTS]
    assert said[-1] == question  # the same question, its numbers still the answers'
    assert not any("did not get that" in body for body in said)
    await sms.text("TELL")
    await sms.dispatcher.run_once()
    assert sms.inbox(MENTOR_PHONE)[-1] == texts.NOTICE_RELAPSE.format(name="Sam")
    await sms.text("1")
    assert sms.inbox()[-1].startswith("Part 1 of 3, question 2 of 50: ")


async def test_own_words_by_text_can_be_sent_to_the_mentor_after_seeing_them(
    sms: SmsWorld, service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await joined_by_text(sms, service, session_factory)
    words = "my mum is in hospital so I can't make Thursday"
    await sms.text(words)
    assert sms.inbox()[-1] == (
        f"{texts.FREE_ACK}\n{texts.FREE_WHAT_NEXT}\n"
        "1 Send it to Alex\n2 Find help\n3 Carry on\nReply 1-3"
    )
    await sms.text("1")
    assert sms.inbox()[-1].startswith(texts.FREE_SHOW_BACK.format(name="Alex", text=words))
    await sms.text("yes")
    assert sms.inbox()[-1] == texts.RELAY_SENT_NO_HOURS.format(name="Alex")
    await sms.dispatcher.run_once()
    assert sms.inbox(MENTOR_PHONE)[-1] == f"Message from Sam: {words}\n1 Reply\nReply 1-1"


async def test_relapse_told_in_find_by_text_offers_tell_then_asks_again(
    sms: SmsWorld, service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await joined_by_text(sms, service, session_factory)
    await sms.text("FIND")
    assert sms.inbox()[-1].startswith(texts.FIND_WHICH)
    await sms.text("had a slip at the weekend")
    reply, facts, offer, question = sms.inbox()[-4:]
    assert (reply, facts) == (texts.RELAPSE_REPLY, texts.RELAPSE_FACTS)
    assert offer == texts.RELAPSE_SMS_OFFER.format(name="Alex")  # numbers are the question's
    assert question.startswith(texts.FIND_WHICH)
    await sms.text("Tell")
    assert sms.inbox()[-2] == texts.RELAPSE_TOLD.format(name="Alex")
    assert sms.inbox()[-1].startswith(texts.FIND_WHICH)  # /find is still open
    await sms.dispatcher.run_once()
    assert sms.inbox(MENTOR_PHONE)[-1] == texts.NOTICE_RELAPSE.format(name="Sam")


async def test_an_invited_number_is_guided_to_join_until_its_invite_runs_out(
    sms: SmsWorld,
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    clock: FakeClock,
) -> None:
    await add_staff(session_factory, service)
    service.sms_enabled = True
    mentor = Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))
    await mentor.send("/addmentee 07700 900123 Sam")
    await mentor.send("/addmentee 07700 900124 Kim")
    await sms.dispatcher.run_once()
    await sms.text("Hi, what is this about?")
    assert sms.inbox()[-1] == texts.INVITE_WAITING_SMS.format(name="Sam", mentor="Alex")
    await sms.text("Join")  # the keyword alone opens the invite made for this number
    assert sms.inbox()[-1].startswith(texts.ASK_CONSENT)
    assert await count_rows(session_factory, Answer) == 0  # nothing kept before consent
    clock.advance(days=15)  # invites last 14 days
    await sms.text("yes", sender="+447700900124")
    assert sms.inbox("+447700900124")[-1] == texts.START_NEEDS_CODE_SMS


async def test_a_number_read_against_options_since_replaced_answers_the_open_question(
    sms: SmsWorld, service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """A reply that overtakes the saving of the options it answers is not lost in silence."""
    mentor = await add_staff(session_factory, service)
    await sms.text(f"JOIN {await make_invite(session_factory, service, mentor)}")
    await sms.text("1")  # agrees; question 1 comes
    async with session_factory() as session:
        sam = await people.person_by_phone(session, SAM)
        assert sam is not None and sam.sms_choices is not None
        first_options, sam_id = sam.sms_choices, sam.id
    await sms.text("1")  # answers question 1; question 2 comes with options of its own
    assert sms.inbox()[-1].startswith("Part 1 of 3, question 2 of 50: ")
    async with session_factory() as session, session.begin():  # as if still question 1's
        await session.execute(
            update(Person).where(Person.id == sam_id).values(sms_choices=first_options)
        )
    await sms.text("2")
    assert sms.inbox()[-1].startswith("Part 1 of 3, question 3 of 50: ")
    assert await count_rows(session_factory, Answer) == 2
