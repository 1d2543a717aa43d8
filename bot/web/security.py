"""Web security for the dashboard: response headers, opaque ids, and access-log redaction.

- Headers: a Content-Security-Policy with no inline script or style, no framing, no referrer
  (a sign-in link carries its token in the path), and no caching of pages with personal data.
- Ids in URLs are opaque: a record's number is encrypted with a key derived from the
  encryption keys (one AES block, so it decrypts back and a forged one fails), so a URL names
  nobody and cannot be counted through. Each kind of id has its own tag, so a meeting's id
  cannot stand in for a mentee's.
- The access log never holds a sign-in token or a client's address for /staff paths.
"""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.storage import crypto

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]
_KIND_TAGS = {"mentee": 1, "alert": 2, "meeting": 3, "mentor": 4, "service": 5}


class SecurityHeaders:
    """ASGI middleware adding the dashboard's security headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                given = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in HEADERS if n not in given]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


class OpaqueIds:
    """Database ids <-> URL-safe opaque strings (22 characters), per kind of record."""

    def __init__(self, key: bytes | None = None) -> None:
        key = key or crypto.installed().derived_key(b"mentorbot dashboard ids v1")
        self._cipher = Cipher(algorithms.AES(key[:16]), modes.ECB())

    def encode(self, kind: str, number: int) -> str:
        block = _KIND_TAGS[kind].to_bytes(8, "big") + number.to_bytes(8, "big")
        encryptor = self._cipher.encryptor()
        sealed = encryptor.update(block) + encryptor.finalize()
        return base64.urlsafe_b64encode(sealed).decode("ascii").rstrip("=")

    def decode(self, kind: str, text: str) -> int | None:
        """The id, or None for anything not made by encode for this kind."""
        if len(text) != 22:
            return None
        try:
            sealed = base64.urlsafe_b64decode(text + "==")
        except (binascii.Error, ValueError):
            return None
        if len(sealed) != 16:
            return None
        decryptor = self._cipher.decryptor()
        block = decryptor.update(sealed) + decryptor.finalize()
        if int.from_bytes(block[:8], "big") != _KIND_TAGS[kind]:
            return None
        return int.from_bytes(block[8:], "big")


LOGIN_PREFIX = "/staff/login/"


class AccessLogRedaction(logging.Filter):
    """Drops sign-in tokens and client addresses from uvicorn's access lines for /staff."""

    def filter(self, record: logging.LogRecord) -> bool:
        args: Any = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            _client, method, path, version, status = args
            if path.startswith("/media/"):  # a picture's link works for an hour: not logged
                record.args = (args[0], method, "/media/...", version, status)
            elif path.startswith("/staff"):
                if path.startswith(LOGIN_PREFIX):
                    path = LOGIN_PREFIX + "..."
                record.args = ("-", method, path.split("?", 1)[0], version, status)
        return True
