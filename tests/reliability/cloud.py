"""Telegram's and Twilio's side of a webhook: deliver each update until the bot takes it.

Telegram keeps an update and tries again until the webhook answers 2xx, and it holds at most
`max_connections` (40 by default) requests open at once; that is what makes storing before
answering 200 enough for nothing to be lost. `copies` > 1 delivers every update several times
at once, as a retry racing a slow first delivery does.
"""

from __future__ import annotations

import asyncio
from typing import Any, Self

import httpx

from tests.fakes.twilio_api import inbound_params, signed
from tests.reliability.processes import WEBHOOK_SECRET

RETRY_EVERY = 0.5  # seconds; Telegram's own gaps grow, which would only slow the test
GIVE_UP_AFTER = 600.0


class WebhookCloud:
    def __init__(self, port: int, *, copies: int = 1, connections: int = 40) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.copies = copies
        self.gate = asyncio.Semaphore(connections)
        self.client = httpx.AsyncClient(timeout=30.0)
        self.refused = 0  # deliveries answered with no 2xx (connection refused, 5xx)
        self.statuses: dict[int, int] = {}
        self._sms_ids = 0

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.client.aclose()

    async def telegram(self, update: dict[str, Any]) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        await self._copies(lambda: self._post("/telegram/webhook", json=update, headers=headers))

    async def sms(self, sender: str, body: str) -> None:
        """One text from `sender`, signed as Twilio signs it, with a fresh MessageSid."""
        self._sms_ids += 1
        params = inbound_params(f"SM{self._sms_ids:032d}", sender, body)
        headers = signed(f"{self.base}/twilio/sms", params)
        await self._copies(lambda: self._post("/twilio/sms", data=params, headers=headers))

    async def _copies(self, post: Any) -> None:
        await asyncio.gather(*(self._until_taken(post) for _ in range(self.copies)))

    async def _until_taken(self, post: Any) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + GIVE_UP_AFTER
        while loop.time() < deadline:
            status = await post()
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if 200 <= status < 300:
                return
            self.refused += 1
            await asyncio.sleep(RETRY_EVERY)
        raise AssertionError("the bot did not take an update within 10 minutes")

    async def _post(self, path: str, **kwargs: Any) -> int:
        async with self.gate:
            try:
                response = await self.client.post(self.base + path, **kwargs)
            except httpx.HTTPError:
                return 0  # refused, reset or timed out: the bot is down
            return response.status_code
