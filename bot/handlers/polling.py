"""Long polling that keeps each update before Telegram forgets it.

Telegram forgets every update below the offset of the next getUpdates call. PTB's own polling
loop makes that call as soon as it has queued a batch, so a batch still being handled when the
process dies is lost: the person's answer was never seen, and they wait for a reply that never
comes. Here each batch is kept in the database, as the webhook keeps each update, before the
next call lets Telegram forget it, and serve hands PTB what was kept but never handled after a
restart (`replay_kept`). A batch that cannot be kept (the database is away) is not confirmed:
Telegram gives it again on the next call, and the person is never asked to send it again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from bot.service import MentorService

logger = logging.getLogger(__name__)

POLL_TIMEOUT = 10  # seconds Telegram holds a getUpdates open while nothing is new
MAX_PAUSE = 30.0  # seconds between tries while Telegram or the database fails
KEEP_WAIT = 5.0  # seconds a stop waits for a batch being kept


def pause(failures: int) -> float:
    return min(MAX_PAUSE, 0.5 * 2.0 ** max(failures - 1, 0))


class StoringPoller:
    """Feeds PTB's update queue from getUpdates, keeping each batch first."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        service: MentorService,
        *,
        allowed_updates: list[str],
        timeout: int = POLL_TIMEOUT,
    ) -> None:
        self.application = application
        self.service = service
        self.allowed_updates = allowed_updates
        self.timeout = timeout
        self.task: asyncio.Task[None] | None = None
        self.keeping = False  # a batch is being written: stopping waits for it
        self.stopping = False

    async def start(self) -> None:
        # getUpdates is refused while a webhook is set (left by an earlier webhook mode).
        await self.application.bot.delete_webhook(drop_pending_updates=False)
        self.task = asyncio.create_task(self._run(), name="mentorbot:polling")

    async def stop(self) -> None:
        """Stop polling. A long poll is cancelled: what it fetched and did not keep, Telegram
        gives again. A batch being kept is given KEEP_WAIT to be kept first (a transaction
        cancelled in its commit has its connection reset under the cancel, an error in the
        log), and the next serve hands PTB what was kept (`replay_kept`)."""
        if self.task is None:
            return
        self.stopping = True
        if self.keeping:
            await asyncio.wait({self.task}, timeout=KEEP_WAIT)
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        self.task = None

    async def _run(self) -> None:
        offset: int | None = None
        failures = 0
        while not self.stopping:
            try:
                updates = await self.application.bot.get_updates(
                    offset=offset, timeout=self.timeout, allowed_updates=self.allowed_updates
                )
                if updates:
                    self.keeping = True
                    try:
                        await self.service.store_telegram_updates(
                            [(update.update_id, update.to_dict()) for update in updates]
                        )
                    finally:
                        self.keeping = False
                    if self.stopping:
                        return
            except (TelegramError, SQLAlchemyError, OSError) as exc:
                if self.stopping:
                    return
                failures += 1
                logger.warning("Polling failed (%s); trying again", type(exc).__name__)
                await asyncio.sleep(pause(failures))
                continue
            failures = 0
            for update in updates:
                self.application.update_queue.put_nowait(update)
            if updates:
                offset = updates[-1].update_id + 1  # the next call confirms this batch


async def replay_kept(
    application: Application[Any, Any, Any, Any, Any, Any], service: MentorService
) -> int:
    """After a restart, hand PTB the updates that were kept but never handled."""
    pending = await service.unprocessed_telegram_updates()
    for payload in pending:
        await application.update_queue.put(Update.de_json(payload, application.bot))
    if pending:
        logger.info("Replaying %d stored Telegram updates", len(pending))
    return len(pending)
