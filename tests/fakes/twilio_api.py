"""A fake Twilio REST API on 127.0.0.1, and signed webhook requests as Twilio makes them.

The real twilio client sends through it (MENTORBOT_TWILIO_API_URL points here), texts and
WhatsApp messages alike (To and From `whatsapp:+44...`, a picture's MediaUrl, a template's
ContentSid and ContentVariables); inbound webhooks and status callbacks are signed with
twilio's own RequestValidator.compute_signature, so the bot's
signature check is exercised exactly as in production.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import urlencode

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from config.settings import Settings, load_settings
from tests.fakes.telegram_api import _QuietServer

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "fake-twilio-auth-token"
FROM_NUMBER = "+447700900000"
WHATSAPP_FROM = "+447700900002"  # the service's WhatsApp sender
TEMPLATE_SID = "HX" + "1" * 32  # an approved Content template with one variable
# Content templates for choices as buttons (bot/delivery/whatsapp_buttons.py): quick replies
# with 1-3 buttons and list pickers with 4-10 items, laid out {{1}} the message, {{2n}} button
# n's title, {{2n+1}} its id.
QUICK_REPLY_SIDS = tuple(f"HXa{count:031d}" for count in range(1, 4))
LIST_PICKER_SIDS = tuple(f"HXb{count:031d}" for count in range(4, 11))
_BUTTON_COUNTS = {
    sid: count for count, sid in enumerate((*QUICK_REPLY_SIDS, *LIST_PICKER_SIDS), start=1)
}


@dataclass
class SentSms:
    sid: str
    to: str
    body: str
    sender: str
    status_callback: str | None
    media_urls: list[str] = field(default_factory=list)
    content_sid: str | None = None
    content_variables: dict[str, str] | None = None


@dataclass
class _Failure:
    status: int
    code: int
    message: str


TwilioFault = _Failure


class FakeTwilioAPI:
    def __init__(self) -> None:
        self.sent: list[SentSms] = []
        self._failures: list[_Failure] = []
        # Asked on every send after fail_next's queue: a failure to answer with, or None.
        self.fault: Callable[[], _Failure | None] | None = None
        self._ids = itertools.count(1)
        self._server: _QuietServer | None = None
        self._task: asyncio.Task[None] | None = None
        self.port = 0
        self._changed = asyncio.Event()
        route = "/2010-04-01/Accounts/{account}/Messages.json"
        self._app = Starlette(routes=[Route(route, self._create, methods=["POST"])])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings(self, **more: Any) -> Settings:
        """mentorbot's settings for texting through this fake; `more` adds or overrides."""
        return load_settings(
            **{
                "twilio_account_sid": ACCOUNT_SID,
                "twilio_auth_token": AUTH_TOKEN,
                "twilio_from_number": FROM_NUMBER,
                "twilio_api_url": self.base_url,
                "public_url": "https://bot.example.org",
                **more,
            }
        )

    async def __aenter__(self) -> Self:
        config = uvicorn.Config(
            self._app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"
        )
        self._server = _QuietServer(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:  # noqa: ASYNC110 - uvicorn offers no event
            await asyncio.sleep(0.001)
        self.port = int(self._server.servers[0].sockets[0].getsockname()[1])
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None and self._task is not None
        self._server.should_exit = True
        self._server.exit_requested.set()
        await self._task

    def fail_next(self, *, status: int, code: int, message: str) -> None:
        self._failures.append(_Failure(status, code, message))

    def to(self, number: str) -> list[str]:
        return [sms.body for sms in self.sent if sms.to == number]

    async def wait_for(self, number: str, count: int, timeout: float = 10.0) -> list[str]:  # noqa: ASYNC109
        async def enough() -> None:
            while len(self.to(number)) < count:
                self._changed.clear()
                await self._changed.wait()

        try:
            await asyncio.wait_for(enough(), timeout)
        except TimeoutError:
            raise AssertionError(f"{number} got {self.to(number)!r}, wanted {count}") from None
        return self.to(number)

    async def _create(self, request: Request) -> JSONResponse:
        expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return JSONResponse({"code": 20003, "message": "Authenticate", "status": 401}, 401)
        failure = self._failures.pop(0) if self._failures else None
        if failure is None and self.fault is not None:
            failure = self.fault()
        if failure is not None:
            body = {"code": failure.code, "message": failure.message, "status": failure.status}
            return JSONResponse(body, failure.status)
        form = await request.form()
        variables = form.get("ContentVariables")
        sms = SentSms(
            sid=f"SM{next(self._ids):032d}",
            to=str(form["To"]),
            body=str(form.get("Body", "")),
            sender=str(form.get("From") or form.get("MessagingServiceSid")),
            status_callback=str(form["StatusCallback"]) if "StatusCallback" in form else None,
            media_urls=[str(url) for url in form.getlist("MediaUrl")],
            content_sid=str(form["ContentSid"]) if "ContentSid" in form else None,
            content_variables=json.loads(str(variables)) if variables else None,
        )
        if sms.body == "" and sms.content_sid is None and not sms.media_urls:
            body = {"code": 21602, "message": "Message body is required.", "status": 400}
            return JSONResponse(body, 400)
        self.sent.append(sms)
        self._changed.set()
        return JSONResponse(
            {
                "sid": sms.sid,
                "account_sid": ACCOUNT_SID,
                "to": sms.to,
                "from": sms.sender,
                "body": sms.body,
                "status": "queued",
                "num_segments": "1",
                "direction": "outbound-api",
            },
            201,
        )


def signed(url: str, params: dict[str, str], *, token: str = AUTH_TOKEN) -> dict[str, str]:
    """Headers for a webhook POST to `url`, signed as Twilio signs them."""
    signature = RequestValidator(token).compute_signature(url, params)
    return {
        "X-Twilio-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }


def form(params: dict[str, str]) -> str:
    return urlencode(params)


def inbound_params(sid: str, sender: str, body: str) -> dict[str, Any]:
    return {
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "To": FROM_NUMBER,
        "Body": body,
        "NumMedia": "0",
    }


def whatsapp_params(sid: str, sender: str, body: str) -> dict[str, Any]:
    """An incoming WhatsApp message as Twilio posts it to /twilio/whatsapp."""
    return {
        **inbound_params(sid, f"whatsapp:{sender}", body),
        "To": f"whatsapp:{WHATSAPP_FROM}",
        "ProfileName": "Sam",
        "WaId": sender.lstrip("+"),
    }


def whatsapp_tap_params(
    sid: str, sender: str, *, title: str, payload: str, field: str = "ButtonPayload"
) -> dict[str, Any]:
    """A tapped quick-reply button (or a picked list item) as Twilio posts it: the button's
    id as ButtonPayload, its title as ButtonText and as the Body."""
    return {**whatsapp_params(sid, sender, title), field: payload, "ButtonText": title}


def shown(sms: SentSms) -> str:
    """The words a person sees: the body, or a Content template's message variable."""
    return sms.body or (sms.content_variables or {}).get("1", "")


def buttons(sms: SentSms) -> list[tuple[str, str]]:
    """(title, id) of each button a Content send shows; [] for a plain message. Fails as
    WhatsApp would if the variables do not fill the template they name."""
    if sms.content_sid not in _BUTTON_COUNTS:
        return []
    variables = sms.content_variables or {}
    count = _BUTTON_COUNTS[sms.content_sid]
    assert sorted(variables, key=int) == [str(n) for n in range(1, 2 * count + 2)], variables
    limit = 20 if count <= 3 else 24
    pairs = [(variables[str(2 * n)], variables[str(2 * n + 1)]) for n in range(1, count + 1)]
    assert all(0 < len(title) <= limit for title, _ in pairs), pairs
    assert len(variables["1"]) <= 1024
    return pairs


def status_params(sid: str, to: str, status: str, error: str | None = None) -> dict[str, str]:
    """A status callback (delivery report) as Twilio posts it to /twilio/status."""
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": ACCOUNT_SID, "To": to}
    return params | ({"ErrorCode": error} if error else {})
