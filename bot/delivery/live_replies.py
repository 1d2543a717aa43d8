"""Replies sent from memory, recorded in batches.

The reply to a message is queued in the outbox with the answer it follows, as `replying`, and
sent at once from memory by the adapter that handled the message (docs/decisions.md, "Replies
through the outbox"). `LiveReplies` records what happened to it: a sent reply is marked sent in
a batched UPDATE (one per channel, every FLUSH_INTERVAL or FLUSH_ROWS), so the reply path costs
one INSERT more per message and a share of an UPDATE; a failed one goes back to the queue for
the dispatcher, with its retries and fallbacks.

A process killed between the commit and the send leaves its replies `replying`: the next serve
sends them (bot/scheduling/replies.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage import outbox

logger = logging.getLogger(__name__)

# As the dispatcher records its sends (scheduling/dispatcher.py): a kill sends again at most
# what was sent in the last FLUSH_INTERVAL, and only if nobody has written since.
FLUSH_INTERVAL = 0.1
FLUSH_ROWS = 50
RETRY_FLUSH_AFTER = 1.0  # seconds, while the database is away
Sent = tuple[str, str, str | None]  # outbox key, channel, the provider's message id


class LiveReplies:
    def __init__(
        self,
        *,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime],
        writing: Callable[[], AbstractAsyncContextManager[None]] = contextlib.nullcontext,
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.writing = writing
        self.waiting: list[Sent] = []
        self.wake = asyncio.Event()
        self.recorder: asyncio.Task[None] | None = None
        self.closing = False
        # Inbound messages whose commit went unseen here, their replies perhaps stored and
        # unsent: a copy of one that finds it handled sends them (MentorService). Only these:
        # after a restart a copy may follow a reply that went out unmarked, and sending it
        # again would ask the person the same question twice.
        self.unseen: set[str] = set()

    def left_unseen(self, keys: tuple[str, ...]) -> None:
        """Their commit went unseen, and nobody here will send them."""
        self.unseen.update(outbox.inbound_of(key) for key in keys)

    def sent(self, key: str, channel: str, provider_id: str | None = None) -> None:
        """The reply with this key has gone: it is marked sent with the next batch."""
        self.waiting.append((key, channel, provider_id))
        if len(self.waiting) >= FLUSH_ROWS:
            self.wake.set()
        if self.recorder is None or self.recorder.done():
            self.recorder = asyncio.create_task(self._record(), name="mentorbot:live-replies")

    async def failed(self, keys: list[str], error: str) -> None:
        """These replies did not go (the first failed, the rest wait behind it): the
        dispatcher sends them, in order, with its retries and fallbacks."""
        if not keys:
            return
        try:
            async with self.writing(), self.session_factory() as session, session.begin():
                await outbox.replies_back(session, keys, error=error, now=self.clock())
        except (SQLAlchemyError, OSError) as exc:
            # Still `replying`: the next serve, or the scheduler after a while, sends them.
            logger.warning("Could not put back unsent replies: %s", type(exc).__name__)

    async def _record(self) -> None:
        while self.waiting:
            if not self.closing:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), FLUSH_INTERVAL)
            self.wake.clear()
            batch, self.waiting = self.waiting, []
            try:
                async with self.writing(), self.session_factory() as session, session.begin():
                    await outbox.mark_replies_sent(session, batch, now=self.clock())
            except (SQLAlchemyError, OSError) as exc:
                # Kept, and tried again: unmarked, they would be sent again after a restart.
                logger.warning("Could not mark replies sent: %s", type(exc).__name__)
                self.waiting = batch + self.waiting
                if self.closing:
                    return
                await asyncio.sleep(RETRY_FLUSH_AFTER)

    async def close(self) -> None:
        """Record what is waiting now (a clean stop): nothing is sent twice after it."""
        self.closing = True
        self.wake.set()
        if self.recorder is not None:
            await self.recorder
