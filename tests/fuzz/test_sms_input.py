"""Twilio's webhooks with any body and any form fields: 200, 204, 400 or 403, never a 500.

Signed posts go through the real Starlette app and SmsWebhook (signed as Twilio signs, with
its RequestValidator); unsigned ones are refused. A joined SMS mentee texts anything at all at
whatever step they are on, which is also answered without an error.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update

from bot.handlers.sms import SmsWebhook
from bot.handlers.web import create_web_app
from bot.service import MentorService
from bot.storage import outbox
from bot.storage.models import OutboxMessage
from bot.storage.outbox import Queued
from tests.fakes.twilio_api import AUTH_TOKEN, form, inbound_params, signed
from tests.fuzz.world import ANY_CHAR, ANY_TEXT, FUZZ, Sessions, no_errors
from tests.utils import add_staff, make_invite

PUBLIC = "https://bot.example.org"
SAM = "+447700900123"
SENT_SID = "SMOUT0000000000000000000000000001"


@dataclass
class Twilio:
    client: httpx.AsyncClient
    webhook: SmsWebhook
    sids: itertools.count[int]

    async def post(self, path: str, params: dict[str, str], *, sign: bool = True) -> int:
        headers = (
            signed(f"{PUBLIC}{path}", params)
            if sign
            else {"Content-Type": "application/x-www-form-urlencoded"}
        )
        response = await self.client.post(path, content=form(params), headers=headers)
        await self.webhook.drain()
        return response.status_code

    async def text(self, body: str) -> int:
        return await self.post("/twilio/sms", inbound_params(self.sid(), SAM, body))

    def sid(self) -> str:
        return f"SMIN{next(self.sids):028d}"


@pytest.fixture
async def twilio(service: MentorService, session_factory: Sessions) -> AsyncIterator[Twilio]:
    """Sam joined by text and is on the first question of the baseline; one text went out."""
    webhook = SmsWebhook(service=service, auth_token=AUTH_TOKEN, public_url=PUBLIC)
    transport = httpx.ASGITransport(app=create_web_app(sms=webhook))
    async with httpx.AsyncClient(transport=transport, base_url="http://internal") as client:
        world = Twilio(client, webhook, itertools.count(1))
        mentor = await add_staff(session_factory, service)
        code = await make_invite(session_factory, service, mentor)
        assert await world.text(f"JOIN {code}") == 200
        assert await world.text("1") == 200
        async with session_factory() as session, session.begin():
            message_id = await outbox.enqueue(
                session,
                Queued(mentor.id, "sent", "notice", "Hello", not_before=service.clock()),
                now=service.clock(),
            )
            assert message_id is not None
            sent = update(OutboxMessage).where(OutboxMessage.id == message_id)
            await session.execute(sent.values(provider_id=SENT_SID))
        yield world


FIELD = st.text(ANY_CHAR, max_size=20)
FIELDS = st.dictionaries(FIELD, st.one_of(ANY_TEXT, FIELD), max_size=4)


@FUZZ
@given(bodies=st.lists(ANY_TEXT, min_size=1, max_size=4))
async def test_any_text_from_a_mentee_is_answered(
    twilio: Twilio, caplog: pytest.LogCaptureFixture, bodies: list[str]
) -> None:
    caplog.clear()
    for body in bodies:
        assert await twilio.text(body) == 200
        no_errors(caplog)


@FUZZ
@given(
    extra=FIELDS,
    missing=st.sets(st.sampled_from(["MessageSid", "From", "Body", "To", "AccountSid"])),
    sender=st.one_of(st.just(SAM), FIELD, st.sampled_from(["+447700900999", "07700900124"])),
    sid=st.one_of(st.none(), FIELD, st.text(ANY_CHAR, min_size=60, max_size=300)),
    body=ANY_TEXT,
    sign=st.booleans(),
)
async def test_any_inbound_form_gets_200_400_or_403(
    twilio: Twilio,
    caplog: pytest.LogCaptureFixture,
    extra: dict[str, str],
    missing: set[str],
    sender: str,
    sid: str | None,
    body: str,
    sign: bool,
) -> None:
    caplog.clear()
    params = {**inbound_params(sid or twilio.sid(), sender, body), **extra}
    for name in missing:
        params.pop(name, None)
    status = await twilio.post("/twilio/sms", params, sign=sign)
    assert status in ({200, 400} if sign else {403})
    no_errors(caplog)


@FUZZ
@given(
    extra=FIELDS,
    sid=st.one_of(st.just(SENT_SID), FIELD, st.text(ANY_CHAR, min_size=60, max_size=300)),
    status=st.one_of(st.sampled_from(["failed", "undelivered", "delivered", "sent"]), FIELD),
    error=st.one_of(st.none(), FIELD, ANY_TEXT),
    sign=st.booleans(),
)
async def test_any_status_report_gets_204_or_403(
    twilio: Twilio,
    caplog: pytest.LogCaptureFixture,
    extra: dict[str, str],
    sid: str,
    status: str,
    error: str | None,
    sign: bool,
) -> None:
    caplog.clear()
    params = {**extra, "MessageSid": sid, "MessageStatus": status}
    if error is not None:
        params["ErrorCode"] = error
    assert await twilio.post("/twilio/status", params, sign=sign) == (204 if sign else 403)
    no_errors(caplog)


async def test_a_long_or_nul_error_code_is_cut_to_fit(
    twilio: Twilio, session_factory: Sessions
) -> None:
    """Found by the test above: PostgreSQL refused it and Twilio got a 500."""
    params = {"MessageSid": SENT_SID, "MessageStatus": "failed", "ErrorCode": "\x00" + "3" * 300}
    assert await twilio.post("/twilio/status", params) == 204
    async with session_factory() as session:
        row = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.provider_id == SENT_SID)
        )
    assert row is not None and row.last_error == f"SMS failed (error {'3' * 16})"


async def test_a_message_id_too_long_to_record_is_a_bad_request(twilio: Twilio) -> None:
    """It could not be recorded as handled, so the person was told to try again later."""
    assert await twilio.post("/twilio/sms", inbound_params("SM" + "1" * 70, SAM, "hi")) == 400
