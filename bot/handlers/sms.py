"""SMS and WhatsApp adapter: Twilio's webhooks in, the same flows, replies out over the REST API.

`POST /twilio/sms` (and `/twilio/whatsapp`, the same code for the other channel) checks the
signature against MENTORBOT_PUBLIC_URL + path (a proxy changes the URL the server sees, so that one
cannot be trusted), runs the flow in one transaction deduped on MessageSid, answers Twilio at once
with empty TwiML, and texts the replies in the background so slow work never makes Twilio time out.
Keywords are read here, before any flow, so "STOP" mid-questionnaire opts out rather than being
taken as an answer.
WhatsApp differs in four small ways: its From is `whatsapp:+44...`, STOP there is answered (no
carrier blocks the reply), MORE never comes up (its messages are long enough not to be paged),
and a button can be tapped (`ButtonPayload`): read as a tap, as on Telegram, never as keywords.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Coroutine
from typing import Any

import phonenumbers
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from twilio.request_validator import RequestValidator

from bot.delivery.sms import SmsSender, delivery_report
from bot.delivery.sms_text import choice_for
from bot.delivery.sms_words import COMMAND_WORDS
from bot.delivery.whatsapp import WhatsAppSender
from bot.delivery.whatsapp_buttons import tapped
from bot.flows import texts
from bot.held import Deliver
from bot.messages import Channel, InboundMessage, Reply, Sender
from bot.scheduling.dispatcher import Dispatcher
from bot.service import Handled, MentorService, storable
from bot.storage import inbound, people
from bot.storage.models import OutboxMessage, Person, Role

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# Twilio's standard opt-out and opt-in words: the carrier stops delivery on these, so we must
# record them too, whatever flow the person is in.
OPT_OUT = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"}
OPT_IN = {"start", "unstop"}
HELP = {"help", "info"}
SID_LENGTH = 64  # Twilio's are 34 characters; longer ones cannot be recorded as handled


def e164(raw: str) -> str | None:
    """A UK-default E.164 number, or None if it cannot be one.

    "Possible" rather than "valid": Ofcom's drama range (07700 900xxx), used in tests and
    demos, is deliberately not a valid allocation.
    """
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def said(body: str, channel: Channel = Channel.SMS) -> str:
    """A text as sent, to recognise it sent again: what it means depends on the options
    texted last, which a held message's reply changes (bot/held.py)."""
    return f"{channel.value} " + " ".join(body.split()).lower()


WHATSAPP_PREFIX = "whatsapp:"


def address(raw: str, channel: Channel) -> str | None:
    """The E.164 number in a webhook's From ('whatsapp:+44...' on WhatsApp), or None."""
    if channel is Channel.WHATSAPP:
        if not raw.startswith(WHATSAPP_PREFIX):
            return None
        raw = raw.removeprefix(WHATSAPP_PREFIX)
    return e164(raw)


def translate(
    body: str, person: Person | None, sender: Sender
) -> tuple[InboundMessage, str | None]:
    """What a text means to the engine, and the keyword it was, if any."""
    words = body.strip().split()
    first = words[0].lower().strip(".!") if words else ""
    if len(words) == 1 and first in OPT_OUT:
        return InboundMessage(sender=sender, text="stop"), "stop"
    opted_out = (
        person is not None
        and (
            person.whatsapp_opted_out_at
            if sender.channel is Channel.WHATSAPP
            else person.sms_opted_out_at
        )
        is not None
    )
    if len(words) == 1 and (first in OPT_IN or (first == "yes" and opted_out)):
        return InboundMessage(sender=sender, text="start"), "start"
    if len(words) == 1 and first in HELP:
        return InboundMessage(sender=sender, text="help"), "help"
    if first == "join" and len(words) == 2:
        return InboundMessage(sender=sender, text=f"/start {words[1]}"), "join"
    if len(words) == 1 and first in COMMAND_WORDS:
        return InboundMessage(sender=sender, text=COMMAND_WORDS[first]), first
    if first == "find":
        return InboundMessage(sender=sender, text="/find " + " ".join(words[1:])), "find"
    if first == "msg":  # "MSG see you Tuesday": the words after the keyword, line breaks kept
        rest = body.strip()[len(words[0]) :].strip()
        return InboundMessage(sender=sender, text=f"/msg {rest}".strip()), "msg"
    picked = choice_for(body, person.sms_choices if person else None)
    if picked is not None:
        token, value = picked
        # The words are kept too: if those options belong to a question already answered,
        # the number is read against the one open now (bot/flows/asked.py).
        message = InboundMessage(sender=sender, text=body, choice=value, token=token or None)
        return message, None
    waiting = (person.sms_choices or {}).get("more") if person is not None else None
    if len(words) == 1 and first == "more" and waiting:
        return InboundMessage(sender=sender, text=body), "more"
    return InboundMessage(sender=sender, text=body), None


def tap(params: dict[str, str], sender: Sender) -> InboundMessage | None:
    """A WhatsApp button tapped or list item picked, as a tap: its id carries the question's
    token, so a tap on an old question is stale rather than an answer to the one open now.
    Twilio posts the id as ButtonPayload (ListId is read too, for a list item)."""
    payload = params.get("ButtonPayload") or params.get("ListId")
    found = tapped(payload) if payload else None
    if found is None:  # not one of ours: the words on the button are read as typed
        return None
    token, value = found
    return InboundMessage(sender=sender, choice=value, token=token)


class SmsWebhook:
    """Twilio's routes for one channel (SMS by default, or WhatsApp). `sms` (the sender the
    replies go by) is set once the event loop is running."""

    def __init__(
        self,
        *,
        service: MentorService,
        auth_token: str,
        public_url: str,
        dispatcher: Dispatcher | None = None,
        sms: SmsSender | WhatsAppSender | None = None,
        channel: Channel = Channel.SMS,
    ) -> None:
        self.service = service
        self.channel = channel
        # After STOP by SMS the carrier blocks our texts, so none is tried; WhatsApp has no
        # such block, and the person is told they are stopped.
        self.answers_stop = channel is not Channel.SMS
        self.validator = RequestValidator(auth_token)
        self.public_url = public_url.rstrip("/")
        self.dispatcher = dispatcher
        self.sms = sms
        self._background: set[asyncio.Task[None]] = set()
        # One message at a time per number: Twilio's retry racing the first delivery must
        # find it handled (on SQLite two writers at once fail, and both were told to retry).
        self._senders: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    async def _signed_form(self, request: Request) -> dict[str, str] | None:
        form = await request.form()
        params = {key: str(value) for key, value in form.items()}
        signature = request.headers.get("X-Twilio-Signature", "")
        url = self.public_url + request.url.path
        if not self.validator.validate(url, params, signature):
            return None
        return {key: storable(value) or "" for key, value in params.items()}  # no NUL

    async def inbound(self, request: Request) -> Response:
        params = await self._signed_form(request)
        if params is None:
            return PlainTextResponse("forbidden", status_code=403)
        phone = address(params.get("From", ""), self.channel)
        sid = params.get("MessageSid", "")
        if phone is None or not sid or len(sid) > SID_LENGTH:
            return PlainTextResponse("bad request", status_code=400)
        lock = self._senders.setdefault(phone, asyncio.Lock())
        async with lock:
            person = await self._person(phone)
            body = params.get("Body", "")
            sender = Sender(self.channel, phone)
            tapped_on = tap(params, sender) if self.channel is Channel.WHATSAPP else None
            message, keyword = (tapped_on, None) if tapped_on else translate(body, person, sender)
            if keyword == "more" and person is not None:
                page = await self._next_page(person.id, sid)
                if page is not None:
                    self._in_background(self._text(phone, page))
                return Response(EMPTY_TWIML, media_type="text/xml")
            handled = await self.service.handle(
                message,
                external_id=sid,
                deliver=self._later(phone, keyword),
                said=None if tapped_on else said(body, self.channel),  # a tap: the tap
                replies=self._answers(keyword),  # after STOP by SMS the carrier blocks texts
            )
        if handled is not None and self._answers(keyword):
            self._in_background(self._reply(phone, handled))
        return Response(EMPTY_TWIML, media_type="text/xml")

    def _later(self, phone: str, keyword: str | None) -> Deliver:
        """How a reply worked out later reaches this phone: a held message's (bot/held.py)."""

        async def deliver(handled: Handled) -> None:
            if self._answers(keyword):
                await self._reply(phone, handled)

        return deliver

    def _answers(self, keyword: str | None) -> bool:
        return keyword != "stop" or self.answers_stop

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _next_page(self, person_id: int, sid: str) -> str | None:
        """Take the next page of a long reply, once per MessageSid (a retry gets nothing)."""
        service = self.service
        async with service.writing(), service.session_factory() as session, session.begin():
            if not await inbound.claim_inbound(
                session, channel=Channel.SMS.value, external_id=sid, now=self.service.clock()
            ):
                return None
            person = await session.get(Person, person_id)
            waiting = list((person.sms_choices or {}).get("more", [])) if person else []
            if person is None or not waiting:
                return None
            person.sms_choices = {"more": waiting[1:]} if waiting[1:] else None
            return str(waiting[0])

    async def _text(self, phone: str, body: str) -> None:
        if not isinstance(self.sms, SmsSender) or self.sms.gateway is None:
            return
        try:
            await self.sms.gateway.send(phone, body)
        except Exception as exc:  # Twilio's error text can quote the number: log the kind only
            logger.warning("Could not text a page: %s", type(exc).__name__)

    async def status(self, request: Request) -> Response:
        """Delivery reports: a failed or undelivered text becomes visible in /failed."""
        params = await self._signed_form(request)
        if params is None:
            return PlainTextResponse("forbidden", status_code=403)
        sid, values = delivery_report(params)
        service = self.service
        async with service.writing(), service.session_factory() as session, session.begin():
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.provider_id == sid).values(**values)
            )
        return Response(status_code=204)

    async def _person(self, phone: str) -> Person | None:
        """Who texted; None if unknown or the database is away (the flow then says so)."""
        try:
            async with self.service.session_factory() as session:
                return await people.person_by_phone(session, phone)
        except (SQLAlchemyError, OSError) as exc:
            # Twilio does not send a text again, so carry on: the person is told to retry.
            logger.warning("Could not look up who texted: %s", type(exc).__name__)
            return None

    async def _reply(self, phone: str, handled: Handled) -> None:
        """Text the replies and record each as sent; from the first that fails, they go back
        to the outbox for the dispatcher. Then send what the message queued for others."""
        if self.sms is None:
            return
        person = await self._person(phone)
        staff = person is not None and person.role is not Role.MENTEE
        if handled.outcome.stale_tap:  # Telegram shows this for a moment; here it is a message
            await self._stale(phone)
        replies, keys, ledger = handled.outcome.replies, handled.queued, self.service.replies
        for number, reply in enumerate(replies):
            last = number == len(replies) - 1  # only the last can wait for MORE
            try:
                sid = await self.sms.send_to(
                    phone, reply, person.id if person else None, paged=last, staff=staff
                )
            except Exception as exc:  # Twilio's text can quote the number: log the kind only
                logger.warning("Could not text a reply: %s", type(exc).__name__)
                await ledger.failed(list(keys[number:]), type(exc).__name__)
                break
            if keys:
                ledger.sent(keys[number], self.channel.value, sid)
        if self.dispatcher is not None:
            await self.dispatcher.deliver(handled.notices)

    async def _stale(self, phone: str) -> None:
        """Say a tapped question was answered already; like Telegram's notice, not queued."""
        assert self.sms is not None
        try:
            await self.sms.send_to(phone, Reply(texts.TAPPED_ANSWERED_ALREADY), None)
        except Exception as exc:  # Twilio's text can quote the number: log the kind only
            logger.warning("Could not say a tap was stale: %s", type(exc).__name__)

    async def drain(self) -> None:
        """Wait for replies still being texted (tests, and a clean shutdown)."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
