"""Sending texts through Twilio's REST API with its async client.

twilio's library has no setting for its base URL, so a small HTTP client subclass rewrites
`https://api.twilio.com` to MENTORBOT_TWILIO_API_URL: that is how tests talk to a fake on
127.0.0.1 with the real client code.

twilio (and with it requests: about 5 MB of the bot's memory) is imported only when a gateway is
made, so a bot without SMS never loads it (benchmarks/load.py measures memory). aiohttp, which it
also uses, is loaded anyway: it is the bot's client to the Bot API (aiohttp_request.py).
"""

from __future__ import annotations

import base64
import functools
import json
from typing import TYPE_CHECKING, Any

from config.settings import Settings

if TYPE_CHECKING:
    from twilio.http.response import Response

TWILIO_BASE = "https://api.twilio.com"


@functools.cache
def _rebased_client_class() -> type[Any]:
    from twilio.http.async_http_client import AsyncTwilioHttpClient

    class RebasedHttpClient(AsyncTwilioHttpClient):  # type: ignore[misc]
        def __init__(self, base_url: str) -> None:
            super().__init__(timeout=10)
            self.base_url = base_url.rstrip("/")

        async def request(
            self,
            method: str,
            url: str,
            params: dict[str, object] | None = None,
            data: dict[str, object] | None = None,
            headers: dict[str, str] | None = None,
            auth: tuple[str, str] | None = None,
            **kwargs: Any,
        ) -> Response:
            if url.startswith(TWILIO_BASE):
                url = self.base_url + url[len(TWILIO_BASE) :]
            if auth is not None:
                # aiohttp deprecates the BasicAuth object twilio would build: send the header.
                token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
                headers = {**(headers or {}), "Authorization": f"Basic {token}"}
            return await super().request(method, url, params, data, headers, None, **kwargs)

    return RebasedHttpClient


class SmsRejected(Exception):
    """Twilio refused the message; `status` is its HTTP status (429 and 5xx are worth a retry)."""

    def __init__(self, status: int, code: int | None, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code


class TwilioGateway:
    """Create inside a running event loop (its HTTP session belongs to the loop); close after."""

    def __init__(self, settings: Settings) -> None:
        from twilio.rest import Client

        assert settings.twilio_account_sid and settings.twilio_auth_token
        self.http = _rebased_client_class()(settings.twilio_api_url)
        self.client = Client(
            settings.twilio_account_sid,
            settings.twilio_auth_token.get_secret_value(),
            http_client=self.http,
        )
        self.from_number = settings.twilio_from_number
        self.whatsapp_from = settings.whatsapp_from
        self.service_sid = settings.twilio_messaging_service_sid
        self.status_callback = (
            f"{settings.public_url}/twilio/status" if settings.public_url else None
        )

    async def send(self, to: str, body: str) -> str:
        """Send one text; returns Twilio's MessageSid."""
        options: dict[str, Any] = {"to": to, "body": body}
        if self.service_sid:
            options["messaging_service_sid"] = self.service_sid
        else:
            options["from_"] = self.from_number
        return await self._create(options)

    async def send_whatsapp(
        self,
        to: str,
        *,
        body: str | None = None,
        media_url: str | None = None,
        content_sid: str | None = None,
        content_variables: dict[str, str] | None = None,
    ) -> str:
        """One WhatsApp message (text, a picture with its caption, or a template) to an
        E.164 number; returns Twilio's MessageSid."""
        assert self.whatsapp_from is not None
        options: dict[str, Any] = {
            "to": f"whatsapp:{to}",
            "from_": f"whatsapp:{self.whatsapp_from}",
        }
        if body is not None:
            options["body"] = body
        if media_url is not None:
            options["media_url"] = [media_url]
        if content_sid is not None:
            options["content_sid"] = content_sid
            options["content_variables"] = json.dumps(content_variables or {})
        return await self._create(options)

    async def _create(self, options: dict[str, Any]) -> str:
        from twilio.base.exceptions import TwilioRestException

        if self.status_callback:
            options["status_callback"] = self.status_callback
        try:
            message = await self.client.messages.create_async(**options)
        except TwilioRestException as exc:
            raise SmsRejected(exc.status, exc.code, str(exc.msg)) from exc
        return str(message.sid)

    async def close(self) -> None:
        await self.http.close()
