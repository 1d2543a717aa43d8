"""Signed, expiring links to one picture, for channels that fetch media by URL (WhatsApp).

Twilio fetches a WhatsApp message's picture from a URL under MENTORBOT_PUBLIC_URL
(`/media/<token>`). The token names the stored picture and when the link ends, sealed with an
HMAC under a key derived from the encryption keys, so a link cannot be guessed, changed to
another picture or used after it ends, and names nobody. The pictures are in
`sent_pictures` (bot/storage/sent_pictures.py); the route is bot/handlers/media.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

LIFETIME = timedelta(hours=1)  # long enough for Twilio's fetch and its retries
_SEAL = 16  # bytes of HMAC-SHA256 kept


class MediaLinks:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def token(self, media_id: int, *, now: datetime) -> str:
        """A token for this picture, valid for LIFETIME from `now`."""
        ends = int((now + LIFETIME).timestamp())
        body = media_id.to_bytes(8, "big") + ends.to_bytes(8, "big")
        return _b64(body + self._seal(body))

    def media_id(self, token: str, *, now: datetime) -> int | None:
        """The picture a token names, or None if it is forged, changed or has ended."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except ValueError:
            return None
        body, seal = raw[:16], raw[16:]
        if len(body) != 16 or not hmac.compare_digest(seal, self._seal(body)):
            return None
        ends = datetime.fromtimestamp(int.from_bytes(body[8:], "big"), UTC)
        return int.from_bytes(body[:8], "big") if now < ends else None

    def _seal(self, body: bytes) -> bytes:
        return hmac.new(self._key, body, hashlib.sha256).digest()[:_SEAL]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
