"""WhatsApp end to end: Twilio's signed webhooks in, the real twilio client out to the fake.

A WhatsApp-only mentee joins with JOIN <code>, does the first check-in by numbers and words,
and by taps when the service has made Content templates for buttons, gets the picture (fetched
from /media as Twilio would), gets reminders inside the 24-hour window as text and outside it
as the approved template (or by SMS without one), and STOP works.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.media_links import MediaLinks
from bot.delivery.sms import SmsSender
from bot.delivery.twilio_gateway import TwilioGateway
from bot.delivery.whatsapp import WhatsAppSender
from bot.delivery.whatsapp_buttons import ChoiceTemplates
from bot.flows import texts
from bot.flows.context import JoinLinks
from bot.handlers.media import MediaRoute
from bot.handlers.sms import SmsWebhook
from bot.handlers.web import create_web_app
from bot.messages import Channel
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.quiet import QuietHours
from bot.service import MentorService
from bot.storage import outbox
from bot.storage.models import Answer, OutboxMessage, OutboxStatus, Person, ProcessedInbound
from bot.storage.outbox import Queued
from bot.storage.people import has_phone
from tests.conftest import FakeClock
from tests.fakes.twilio_api import (
    AUTH_TOKEN,
    LIST_PICKER_SIDS,
    QUICK_REPLY_SIDS,
    TEMPLATE_SID,
    WHATSAPP_FROM,
    FakeTwilioAPI,
    SentSms,
    buttons,
    form,
    inbound_params,
    shown,
    signed,
    status_params,
    whatsapp_params,
    whatsapp_tap_params,
)
from tests.utils import MENTOR_PHONE, add_staff, count_rows, make_invite

PUBLIC = "https://bot.example.org"
SAM = "+447700900123"
SAM_WA = f"whatsapp:{SAM}"
PNG = b"\x89PNG\r\n\x1a\n"


@dataclass
class WhatsAppWorld:
    twilio: FakeTwilioAPI
    client: httpx.AsyncClient
    whatsapp: SmsWebhook
    sms: SmsWebhook
    dispatcher: Dispatcher
    sids: itertools.count[int]

    async def send(self, body: str, *, sender: str = SAM, sid: str | None = None) -> int:
        """The person writes on WhatsApp; returns the HTTP status Twilio would see."""
        params = whatsapp_params(sid or f"SMWA{next(self.sids):028d}", sender, body)
        return await self._post(params)

    async def tap(self, title: str, *, on: SentSms | None = None) -> int:
        """Sam taps the button with this title, on the last message that had buttons (or on
        `on`); returns the HTTP status Twilio would see."""
        message = on or next(sent for sent in reversed(self.messages()) if buttons(sent))
        payload = dict(buttons(message))[title]
        params = whatsapp_tap_params(
            f"SMWA{next(self.sids):028d}", SAM, title=title, payload=payload
        )
        return await self._post(params)

    async def _post(self, params: dict[str, str]) -> int:
        """Twilio's signed webhook for a WhatsApp message; the status Twilio would see."""
        response = await self.client.post(
            "/twilio/whatsapp",
            content=form(params),
            headers=signed(f"{PUBLIC}/twilio/whatsapp", params),
        )
        await self.whatsapp.drain()
        return response.status_code

    async def text(self, body: str, *, sender: str) -> None:
        """Someone texts by SMS (the mentor, here)."""
        params = inbound_params(f"SMIN{next(self.sids):028d}", sender, body)
        headers = signed(f"{PUBLIC}/twilio/sms", params)
        await self.client.post("/twilio/sms", content=form(params), headers=headers)
        await self.sms.drain()

    def messages(self, to: str = SAM_WA) -> list[SentSms]:
        return [sent for sent in self.twilio.sent if sent.to == to]

    def inbox(self, to: str = SAM_WA) -> list[str]:
        return [sent.body for sent in self.messages(to)]


CHOICE_TEMPLATES = ChoiceTemplates(QUICK_REPLY_SIDS, LIST_PICKER_SIDS)


async def _world(
    service: MentorService, template: str | None, choices: ChoiceTemplates | None = None
) -> AsyncIterator[WhatsAppWorld]:
    async with FakeTwilioAPI() as twilio:
        settings = twilio.settings(
            public_url=PUBLIC, whatsapp_from=WHATSAPP_FROM, whatsapp_template_sid=template
        )
        service.links = JoinLinks(
            sms_number=settings.twilio_from_number, whatsapp_number=WHATSAPP_FROM
        )
        gateway = TwilioGateway(settings)
        links = MediaLinks(b"m" * 32)
        whatsapp = WhatsAppSender(
            gateway,
            service.session_factory,
            links=links,
            public_url=PUBLIC,
            clock=service.clock,
            template_sid=template,
            choice_templates=choices,
            writing=service.writing,
        )
        sms = SmsSender(gateway, service.session_factory, service.writing)
        dispatcher = Dispatcher(
            session_factory=service.session_factory,
            senders=[sms, whatsapp],  # each person's own order decides, not this list's
            clock=service.clock,
            quiet=QuietHours.from_settings(settings),
            rate_per_second=None,
            per_chat_gap=0,
        )
        hooks = {
            channel: SmsWebhook(
                service=service,
                auth_token=AUTH_TOKEN,
                public_url=PUBLIC,
                dispatcher=dispatcher,
                sms=sender,
                channel=channel,
            )
            for channel, sender in ((Channel.WHATSAPP, whatsapp), (Channel.SMS, sms))
        }
        app = create_web_app(
            sms=hooks[Channel.SMS],
            whatsapp=hooks[Channel.WHATSAPP],
            media=MediaRoute(service, links),
        )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://internal") as client:
            yield WhatsAppWorld(
                twilio,
                client,
                hooks[Channel.WHATSAPP],
                hooks[Channel.SMS],
                dispatcher,
                itertools.count(1),
            )
        await gateway.close()


@pytest.fixture
async def wa(service: MentorService) -> AsyncIterator[WhatsAppWorld]:
    async for world in _world(service, TEMPLATE_SID):
        yield world


@pytest.fixture
async def wa_buttons(service: MentorService) -> AsyncIterator[WhatsAppWorld]:
    """The service has made Content templates for buttons too."""
    async for world in _world(service, TEMPLATE_SID, CHOICE_TEMPLATES):
        yield world


@pytest.fixture
async def wa_without_template(service: MentorService) -> AsyncIterator[WhatsAppWorld]:
    async for world in _world(service, None):
        yield world


async def _joined(
    wa: WhatsAppWorld, service: MentorService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Sam joins on WhatsApp and pauses the first check-in."""
    mentor = await add_staff(sessions, service)
    assert await wa.send(f"JOIN {await make_invite(sessions, service, mentor)}") == 200
    await wa.send("1")
    await wa.send("/cancel")


async def _sam(sessions: async_sessionmaker[AsyncSession]) -> Person:
    async with sessions() as session:
        found = await session.scalar(select(Person).where(has_phone(SAM)))
    assert found is not None
    return found


async def _remind(
    wa: WhatsAppWorld,
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    key: str,
    *,
    later: str = "Later",
) -> OutboxMessage:
    """A reminder Sam did not ask for, queued and sent as the scheduler would."""
    sam = await _sam(sessions)
    async with sessions() as session, session.begin():
        message_id = await outbox.enqueue(
            session,
            Queued(
                person_id=sam.id,
                key=key,
                kind="checkin",
                text="Time for your weekly check-in. It takes 2 minutes.",
                not_before=clock(),
                choices=(("Start now", "go"), (later, "later")),
                token="t1",
            ),
            now=clock(),
        )
    assert message_id is not None
    await wa.dispatcher.run_once()
    async with sessions() as session:
        sent = await session.get(OutboxMessage, message_id)
    assert sent is not None
    return sent


async def test_whatsapp_only_mentee_joins_and_does_the_first_check_in(
    wa: WhatsAppWorld,
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    clock: FakeClock,
) -> None:
    mentor = await add_staff(session_factory, service)
    code = await make_invite(session_factory, service, mentor)
    assert await wa.send(f"JOIN {code.lower()}") == 200
    consent = wa.messages()[-1]
    assert consent.sender == f"whatsapp:{WHATSAPP_FROM}"
    assert consent.content_sid is None  # no templates for buttons: numbered text
    assert consent.body.endswith("\n\n1 Yes, I agree\n2 No, thanks\nReply 1-2")
    await wa.send("1")
    assert wa.inbox()[-1].startswith("Part 1 of 3, question 1 of 50: ")
    assert wa.twilio.to(MENTOR_PHONE) == ["Sam has joined and agreed to take part."]
    answers = itertools.cycle(["1", "yes", "2", "no please", "Yes"])
    for _ in range(50):
        await wa.send(next(answers))
    assert wa.inbox()[-1].endswith(f"1 {texts.CARRY_ON}\n2 {texts.TAKE_BREAK}\nReply 1-2")
    await wa.send(texts.CARRY_ON)  # the option's words, as a tap's label would come back
    assert wa.inbox()[-1].startswith("Part 2 of 3, question 1 of 6: ")
    for answer in ["agree", "4", "not sure", "Agree strongly", "5", "2", "yes"] + ["3"] * 5:
        await wa.send(answer)
    assert await count_rows(session_factory, Answer) == 61
    said = "\n".join(wa.inbox()[-4:])
    assert "Thank you. That's all the questions." in said
    # The picture comes as media, from a signed link Twilio can fetch (and nobody can guess).
    pictures = [sent for sent in wa.messages() if sent.media_urls]
    assert len(pictures) == 1
    (url,) = pictures[0].media_urls
    assert url.startswith(f"{PUBLIC}/media/")
    fetched = await wa.client.get(url.removeprefix(PUBLIC))
    assert fetched.status_code == 200
    assert fetched.headers["content-type"] == "image/png"
    assert fetched.content.startswith(PNG)
    assert (await wa.client.get(url.removeprefix(PUBLIC)[:-2] + "xx")).status_code == 404
    assert wa.inbox()[-1].startswith(texts.PRIORITIES_ASK)
    # Nothing went by SMS to Sam: WhatsApp was enough.
    assert wa.twilio.to(SAM) == []
    clock.advance(hours=2)  # the link has ended: Twilio had its hour
    assert (await wa.client.get(url.removeprefix(PUBLIC))).status_code == 404


async def test_reminders_go_as_text_inside_the_window_and_as_the_template_outside(
    wa: WhatsAppWorld,
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    clock: FakeClock,
) -> None:
    await _joined(wa, service, session_factory)
    clock.advance(hours=3)
    inside = await _remind(wa, session_factory, clock, "checkin:1")
    assert inside.status is OutboxStatus.SENT and inside.channel == "whatsapp"
    last = wa.messages()[-1]
    assert last.content_sid is None
    assert last.body.startswith("Time for your weekly check-in.")
    assert last.body.endswith("1 Start now\n2 Later\nReply 1-2")
    clock.advance(hours=23)  # 26 hours since Sam last wrote
    outside = await _remind(wa, session_factory, clock, "checkin:2")
    assert outside.status is OutboxStatus.SENT and outside.channel == "whatsapp"
    last = wa.messages()[-1]
    assert last.content_sid == TEMPLATE_SID and last.body == ""
    assert last.content_variables == {
        "1": "Time for your weekly check-in. It takes 2 minutes. "
        "Reply 1 for Start now or 2 for Later."
    }
    assert outside.provider_id == last.sid
    assert wa.twilio.to(SAM) == []  # not by SMS
    # Sam answers the template with a number: read against its options, and the window opens.
    await wa.send("2")
    assert (await _sam(session_factory)).whatsapp_seen_at == clock()


async def test_without_a_template_a_reminder_outside_the_window_goes_by_sms(
    wa_without_template: WhatsAppWorld,
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    clock: FakeClock,
) -> None:
    wa = wa_without_template
    await _joined(wa, service, session_factory)
    inside = await _remind(wa, session_factory, clock, "checkin:1")
    assert inside.channel == "whatsapp"
    clock.advance(hours=25)
    outside = await _remind(wa, session_factory, clock, "checkin:2")
    assert outside.status is OutboxStatus.SENT and outside.channel == "sms"
    (texted,) = wa.twilio.to(SAM)
    assert texted.startswith("Time for your weekly check-in.")
    assert all(sent.content_sid is None for sent in wa.twilio.sent)


async def test_stop_on_whatsapp_is_answered_and_stops_reminders_until_start(
    wa: WhatsAppWorld,
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    clock: FakeClock,
) -> None:
    await _joined(wa, service, session_factory)
    await wa.send("STOP")
    assert wa.inbox()[-1] == texts.STOPPED  # no carrier blocks a WhatsApp reply
    sam = await _sam(session_factory)
    assert sam.opted_out_at == clock() and sam.whatsapp_opted_out_at == clock()
    before = len(wa.twilio.sent)
    skipped = await _remind(wa, session_factory, clock, "checkin:1")
    assert skipped.status is OutboxStatus.SKIPPED
    assert len(wa.twilio.sent) == before
    await wa.send("START")
    assert wa.inbox()[-1] == texts.RESTARTED
    sam = await _sam(session_factory)
    assert sam.opted_out_at is None and sam.whatsapp_opted_out_at is None
    sent = await _remind(wa, session_factory, clock, "checkin:2")
    assert sent.channel == "whatsapp"


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Twilio-Signature": "forged"},
        {},
        signed(f"{PUBLIC}/twilio/sms", whatsapp_params("SM1", SAM, "hi")),  # another route's
        signed(f"{PUBLIC}/twilio/whatsapp", whatsapp_params("SM1", SAM, "hi"), token="wrong"),
    ],
    ids=["forged", "missing", "wrong-url", "wrong-token"],
)
async def test_a_bad_signature_is_refused_and_nothing_is_stored(
    headers: dict[str, str],
    wa: WhatsAppWorld,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    params = whatsapp_params("SM1", SAM, "hi")
    response = await wa.client.post(
        "/twilio/whatsapp",
        content=form(params),
        headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 403
    assert await count_rows(session_factory, ProcessedInbound) == 0
    assert wa.twilio.sent == []


async def test_a_message_without_the_whatsapp_prefix_is_refused(wa: WhatsAppWorld) -> None:
    params = inbound_params("SM1", SAM, "hi")  # From +44..., as a text would be
    headers = signed(f"{PUBLIC}/twilio/whatsapp", params)
    response = await wa.client.post("/twilio/whatsapp", content=form(params), headers=headers)
    assert response.status_code == 400


async def test_a_message_delivered_twice_is_handled_once(
    wa: WhatsAppWorld, service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    mentor = await add_staff(session_factory, service)
    code = await make_invite(session_factory, service, mentor)
    assert await wa.send(f"JOIN {code}", sid="SMWADUP") == 200
    welcomed = wa.inbox()
    assert welcomed[-1].endswith("Reply 1-2")
    assert await wa.send(f"JOIN {code}", sid="SMWADUP") == 200
    assert wa.inbox() == welcomed
    assert await count_rows(session_factory, ProcessedInbound) == 1
    async with session_factory() as session:
        (claimed,) = (await session.scalars(select(ProcessedInbound))).all()
    assert claimed.channel == "whatsapp"


async def test_outside_the_window_error_63016_is_recorded_and_shown_in_failed(
    wa: WhatsAppWorld,
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    clock: FakeClock,
) -> None:
    await _joined(wa, service, session_factory)
    sent = await _remind(wa, session_factory, clock, "checkin:1")
    assert sent.provider_id is not None
    params = status_params(sent.provider_id, SAM_WA, "undelivered", "63016")
    url = f"{PUBLIC}/twilio/status"
    response = await wa.client.post(
        "/twilio/status", content=form(params), headers=signed(url, params)
    )
    assert response.status_code == 204
    async with session_factory() as session:
        failed = await session.get(OutboxMessage, sent.id)
    assert failed is not None and failed.status is OutboxStatus.FAILED
    assert (
        failed.last_error
        == "WhatsApp undelivered (error 63016: outside WhatsApp's 24-hour window)"
    )
    await wa.text("/failed", sender=MENTOR_PHONE)
    shown = wa.twilio.to(MENTOR_PHONE)[-1]
    assert "Sam" in shown and "63016" in shown and "24-hour window" in shown


async def test_the_mentor_sees_how_a_whatsapp_mentee_is_reached(
    wa: WhatsAppWorld, service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _joined(wa, service, session_factory)
    await wa.text("/mentee Sam", sender=MENTOR_PHONE)
    record = "\n".join(wa.twilio.to(MENTOR_PHONE))
    assert "Reached by WhatsApp, then SMS." in record


async def test_invite_gives_the_whatsapp_line_and_a_mentor_adds_a_whatsapp_number(
    wa: WhatsAppWorld,
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    clock: FakeClock,
) -> None:
    await add_staff(session_factory, service)
    await wa.text("/invite Jo", sender=MENTOR_PHONE)
    invited = wa.twilio.to(MENTOR_PHONE)[-1]
    assert "On WhatsApp: they send JOIN " in invited
    assert "07700 900002" in invited and "https://wa.me/447700900002?text=JOIN%20" in invited
    await wa.text("/addmentee whatsapp 07700 900123 Sam", sender=MENTOR_PHONE)
    assert wa.twilio.to(MENTOR_PHONE)[-1].startswith("Invitation sent to Sam on WhatsApp")
    # No plain message may open a WhatsApp chat: the invitation goes as the template.
    invitation = wa.messages()[-1]
    assert invitation.content_sid == TEMPLATE_SID
    assert invitation.content_variables is not None
    assert "JOIN" in invitation.content_variables["1"]
    await wa.send("JOIN")
    assert wa.inbox()[-1].endswith("1 Yes, I agree\n2 No, thanks\nReply 1-2")
    await wa.send("yes")
    sam = await _sam(session_factory)
    assert sam.channel_order == "whatsapp,sms" and sam.whatsapp_seen_at == clock()


ANSWERS_IN_THE_FIRST_CHECK_IN = 61


async def test_a_whatsapp_only_mentee_does_the_first_check_in_by_taps(
    wa_buttons: WhatsAppWorld,
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    wa = wa_buttons
    mentor = await add_staff(session_factory, service)
    assert await wa.send(f"JOIN {await make_invite(session_factory, service, mentor)}") == 200
    consent = wa.messages()[-1]
    assert consent.content_sid == QUICK_REPLY_SIDS[1] and consent.body == ""
    assert [title for title, _ in buttons(consent)] == ["Yes, I agree", "No, thanks"]
    assert "Reply 1-2" not in shown(consent)  # the buttons are the options
    assert await wa.tap("Yes, I agree") == 200
    assert shown(wa.messages()[-1]).startswith("Part 1 of 3, question 1 of 50: ")
    kinds: set[str | None] = set()
    for _ in range(ANSWERS_IN_THE_FIRST_CHECK_IN + 5):  # the questions, and "Carry on" twice
        question = wa.messages()[-1]
        if "That's all the questions." in "\n".join(shown(sent) for sent in wa.messages()[-4:]):
            break
        titles = [title for title, _ in buttons(question)]
        assert titles, f"no buttons on {shown(question)!r}"
        kinds.add(question.content_sid)
        answer = next(title for title in titles if title not in ("Skip", "Back"))
        assert await wa.tap(answer) == 200
    assert await count_rows(session_factory, Answer) == ANSWERS_IN_THE_FIRST_CHECK_IN
    assert QUICK_REPLY_SIDS[1] in kinds and LIST_PICKER_SIDS[7 - 4] in kinds
    # The five answers of Part 2 and 3 in a list, Back and Skip with them; the numbers stay
    # in the text, since the items hide behind the list's button.
    listed = next(sent for sent in wa.messages() if sent.content_sid in LIST_PICKER_SIDS)
    assert [title for title, _ in buttons(listed)] == [
        "Disagree strongly",
        "Disagree",
        "Not sure",
        "Agree",
        "Agree strongly",
        "Back",
        "Skip",
    ]
    assert shown(listed).endswith("\n5 Agree strongly\nReply 1-5, BACK or SKIP")
    assert [sent for sent in wa.messages() if sent.media_urls]  # the picture, as media
    assert wa.twilio.to(SAM) == []  # nothing by SMS


async def test_a_tap_on_a_question_already_answered_is_stale(
    wa_buttons: WhatsAppWorld,
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    wa = wa_buttons
    mentor = await add_staff(session_factory, service)
    await wa.send(f"JOIN {await make_invite(session_factory, service, mentor)}")
    await wa.tap("Yes, I agree")
    first = wa.messages()[-1]
    (title, _), *_ = buttons(first)
    assert [title for title, _ in buttons(first)] == ["Yes", "No", "Skip"]
    await wa.tap(title, on=first)
    second = wa.messages()[-1]
    assert shown(second).startswith("Part 1 of 3, question 2 of 50: ")
    # Two answers keep two big buttons; Back and Skip, which would not fit, are words.
    assert [title for title, _ in buttons(second)] == ["Yes", "No"]
    assert shown(second).endswith("?\n\nOr reply BACK or SKIP")
    assert await count_rows(session_factory, Answer) == 1
    assert await wa.tap(title, on=first) == 200  # the old question's button, again
    assert shown(wa.messages()[-1]) == texts.TAPPED_ANSWERED_ALREADY
    assert await count_rows(session_factory, Answer) == 1  # not taken for question 2
    # The same words typed are an answer to the question open now, as typing always is.
    await wa.send(title)
    assert await count_rows(session_factory, Answer) == 2
    assert shown(wa.messages()[-1]).startswith("Part 1 of 3, question 3 of 50: ")


async def test_typing_a_number_or_the_words_still_works_with_buttons_shown(
    wa_buttons: WhatsAppWorld,
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    wa = wa_buttons
    mentor = await add_staff(session_factory, service)
    await wa.send(f"JOIN {await make_invite(session_factory, service, mentor)}")
    assert buttons(wa.messages()[-1])
    await wa.send("1")  # "Yes, I agree", typed as its number
    assert shown(wa.messages()[-1]).startswith("Part 1 of 3, question 1 of 50: ")
    assert buttons(wa.messages()[-1])
    await wa.send("2")
    await wa.send("yes")
    assert await count_rows(session_factory, Answer) == 2
    assert shown(wa.messages()[-1]).startswith("Part 1 of 3, question 3 of 50: ")
    await wa.send("BACK")  # named as a word where the buttons had no room for it
    assert shown(wa.messages()[-1]).startswith("Part 1 of 3, question 2 of 50: ")


async def test_a_label_too_long_for_a_button_goes_as_numbered_text(
    wa_buttons: WhatsAppWorld,
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    clock: FakeClock,
) -> None:
    wa = wa_buttons
    await _joined(wa, service, session_factory)
    # A queued message inside the window renders as a live reply does: buttons...
    sent = await _remind(wa, session_factory, clock, "checkin:1")
    last = wa.messages()[-1]
    assert sent.status is OutboxStatus.SENT and last.content_sid == QUICK_REPLY_SIDS[1]
    assert buttons(last) == [("Start now", "t1:go"), ("Later", "t1:later")]
    assert sent.provider_id == last.sid
    # ...but a title longer than WhatsApp's 20 characters for a button goes as numbers.
    long = "Not today, maybe later"
    await _remind(wa, session_factory, clock, "checkin:2", later=long)
    last = wa.messages()[-1]
    assert last.content_sid is None and buttons(last) == []
    assert last.body.endswith(f"1 Start now\n2 {long}\nReply 1-2")
    await wa.send("2")  # the numbers were remembered: "2" is read against them
    assert (await _sam(session_factory)).sms_choices is not None


async def test_a_list_pick_as_list_id_is_a_tap_and_a_foreign_button_is_its_words(
    wa_buttons: WhatsAppWorld,
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    wa = wa_buttons
    mentor = await add_staff(session_factory, service)
    await wa.send(f"JOIN {await make_invite(session_factory, service, mentor)}")
    # A button that is not one of ours (an approved template's own, say): read as its words.
    params = whatsapp_tap_params("SMWAFOREIGN", SAM, title="Yes, I agree", payload="agree")
    headers = signed(f"{PUBLIC}/twilio/whatsapp", params)
    await wa.client.post("/twilio/whatsapp", content=form(params), headers=headers)
    await wa.whatsapp.drain()
    assert shown(wa.messages()[-1]).startswith("Part 1 of 3, question 1 of 50: ")
    for _ in range(50):  # "No" all through Part 1, typed, up to the break
        await wa.send("No")
    await wa.tap(texts.CARRY_ON)
    listed = wa.messages()[-1]
    assert listed.content_sid in LIST_PICKER_SIDS
    await wa.tap("Agree", on=listed)  # as ButtonPayload
    assert shown(wa.messages()[-1]).startswith("Part 2 of 3, question 2 of 6: ")
    answers = await count_rows(session_factory, Answer)
    # An item of that answered list picked again, its id as ListId: stale, not typed words
    # (which would answer the question open now).
    params = whatsapp_tap_params(
        "SMWALIST",
        SAM,
        title="Not sure",
        payload=dict(buttons(listed))["Not sure"],
        field="ListId",
    )
    headers = signed(f"{PUBLIC}/twilio/whatsapp", params)
    await wa.client.post("/twilio/whatsapp", content=form(params), headers=headers)
    await wa.whatsapp.drain()
    assert shown(wa.messages()[-1]) == texts.TAPPED_ANSWERED_ALREADY
    assert await count_rows(session_factory, Answer) == answers
