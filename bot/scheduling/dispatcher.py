"""Drains the outbox: claim, send at the allowed rate, record every attempt.

Telegram allows about 30 messages a second overall and one a second per chat; we keep under
the configured rate with a token bucket and space messages to one chat a second apart. A 429
waits for the time Telegram names, other transient failures back off exponentially, and a
message that keeps failing is recorded as failed with the reason, never dropped silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from dataclasses import dataclass, field
from datetime import timedelta

from aiolimiter import AsyncLimiter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import texts
from bot.flows.context import Clock
from bot.scheduling.quiet import QuietHours
from bot.scheduling.senders import Blocked, PermanentFailure, RetryLater, Sender, choose_sender
from bot.storage import outbox, people
from bot.storage.models import AttemptOutcome, OutboxMessage, Person, Role
from bot.storage.outbox import AttemptResult, Queued

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF = 300.0
PER_CHAT_GAP = 1.0  # seconds between two messages to one chat
CLAIM_TIMEOUT = timedelta(minutes=2)  # a claim older than this belongs to a dead dispatcher
FLUSH_INTERVAL = 0.02  # seconds between recording batches of finished attempts


@dataclass(frozen=True)
class Attempt:
    person: Person
    result: AttemptResult


def backoff(attempt: int) -> float:
    """1, 2, 4 ... seconds (capped), with jitter so retries do not arrive in step."""
    return float(min(MAX_BACKOFF, 2 ** max(attempt - 1, 0)) * random.uniform(0.8, 1.2))


@dataclass
class _ChatSpacing:
    """Keeps messages to one chat at least `gap` seconds apart, across batches."""

    gap: float
    slots: dict[int, float] = field(default_factory=dict)

    async def wait_turn(self, person_id: int) -> None:
        # Reserve the slot before sleeping, so three messages to one chat queue up in turn.
        now = asyncio.get_running_loop().time()
        slot = max(now, self.slots.get(person_id, now - self.gap) + self.gap)
        self.slots[person_id] = slot
        if slot > now:
            await asyncio.sleep(slot - now)


class Dispatcher:
    def __init__(
        self,
        *,
        session_factory: async_sessionmaker[AsyncSession],
        senders: list[Sender],
        clock: Clock,
        quiet: QuietHours,
        rate_per_second: float | None,
        batch_size: int = 100,
        concurrency: int = 16,
        per_chat_gap: float = PER_CHAT_GAP,
    ) -> None:
        self.session_factory = session_factory
        self.senders = senders
        self.clock = clock
        self.quiet = quiet
        # A shallow bucket: one as deep as the rate let twice the rate start within a second
        # after an idle spell (49 at 25/s, measured), over Telegram's 30/s; a bucket of one
        # lost every event-loop delay for good (-2.3%). Three holds 25/s within 1%, <= 27/s.
        self.limiter = AsyncLimiter(3, 3.0 / rate_per_second) if rate_per_second else None
        self.batch_size = batch_size
        self.concurrency = asyncio.Semaphore(concurrency)
        self.spacing = _ChatSpacing(per_chat_gap)
        self.interrupted_total = 0

    async def run_once(self) -> int:
        """Claim one batch of due messages and send them; returns how many were handled."""
        return await self._drain(ids=None)

    async def deliver(self, ids: list[int]) -> None:
        """Send these just-queued messages now (after the commit that queued them)."""
        if ids:
            await self._drain(ids=ids)

    async def recover(self) -> int:
        """Return messages claimed by a dispatcher that died to the queue."""
        async with self.session_factory() as session, session.begin():
            released = await outbox.release_stale_claims(
                session, now=self.clock(), older_than=CLAIM_TIMEOUT
            )
        if released:
            self.interrupted_total += released
            logger.warning(
                "Re-queued %d messages interrupted mid-send; at most these may arrive twice",
                released,
            )
        return released

    async def _drain(self, ids: list[int] | None) -> int:
        now = self.clock()
        async with self.session_factory() as session, session.begin():
            claimed = await outbox.claim_due(
                session,
                now=now,
                limit=self.batch_size,
                in_quiet_hours=self.quiet.contains(now),
                ids=ids,
            )
        if not claimed:
            return 0
        results: list[Attempt] = []
        sent_all = asyncio.Event()
        flusher = asyncio.create_task(self._flush_until(sent_all, results))
        try:
            await asyncio.gather(
                *(self._send_one(message, person, results) for message, person in claimed)
            )
        finally:
            sent_all.set()  # never cancel a flush halfway: its records would be lost
            await flusher
        return len(claimed)

    async def _send_one(
        self, message: OutboxMessage, person: Person, results: list[Attempt]
    ) -> None:
        async with self.concurrency:
            result = await self._attempt(message, person)
        results.append(Attempt(person, result))

    async def _flush_until(self, done: asyncio.Event, results: list[Attempt]) -> None:
        """Record finished attempts every few milliseconds while a batch is still sending.

        Recording each attempt in its own transaction would cap us far below Telegram's rate;
        recording only at the end of a batch would let a crash resend the whole batch. A short
        interval keeps both small: a kill can repeat at most what was sent in the last
        FLUSH_INTERVAL, plus the sends still in flight.
        """
        while not done.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), FLUSH_INTERVAL)
            await self._flush(results)
        await self._flush(results)  # what finished while the last flush was writing

    async def _flush(self, results: list[Attempt]) -> None:
        if not results:
            return
        batch = results[:]
        del results[: len(batch)]
        now = self.clock()
        async with self.session_factory() as session, session.begin():
            await outbox.record_many(session, [a.result for a in batch], now=now)
            for attempt in batch:
                if attempt.result.outcome is AttemptOutcome.BLOCKED:
                    await self._mark_blocked(session, attempt.person, attempt.result.channel)

    async def _attempt(self, message: OutboxMessage, person: Person) -> AttemptResult:
        now = self.clock()
        if message.expires_at is not None and message.expires_at <= now:
            return AttemptResult(
                message.id, AttemptOutcome.SKIPPED, "stale: too late to be useful"
            )
        if person.opted_out_at is not None:
            return AttemptResult(message.id, AttemptOutcome.SKIPPED, "opted out")
        sender = choose_sender(person, self.senders, message)
        if sender is None:
            return AttemptResult(
                message.id, AttemptOutcome.FAILED, "no channel can reach this person"
            )
        await self.spacing.wait_turn(person.id)
        if self.limiter is not None:
            await self.limiter.acquire()
        try:
            provider_id = await sender.send(person, message)
        except Blocked:
            return AttemptResult(
                message.id, AttemptOutcome.BLOCKED, "blocked the bot", channel=sender.name
            )
        except PermanentFailure as exc:
            return AttemptResult(message.id, AttemptOutcome.FAILED, f"refused: {exc}")
        except RetryLater as exc:
            return self._retry(message, str(exc), exc.after)
        except Exception as exc:  # a bug or an unknown error: retry, and say what it was
            logger.exception("Unexpected error sending outbox message %s", message.id)
            return self._retry(message, type(exc).__name__, None)
        return AttemptResult(
            message.id, AttemptOutcome.SENT, channel=sender.name, provider_id=provider_id
        )

    def _retry(self, message: OutboxMessage, reason: str, after: float | None) -> AttemptResult:
        attempt = message.attempts + 1
        if attempt >= MAX_ATTEMPTS:
            return AttemptResult(
                message.id, AttemptOutcome.FAILED, f"gave up after {attempt} tries: {reason}"
            )
        wait = after + 0.1 if after is not None else backoff(attempt)
        retry_at = self.clock() + timedelta(seconds=wait)
        return AttemptResult(message.id, AttemptOutcome.RETRY, reason, retry_at=retry_at)

    def _texts_reach(self, person: Person) -> bool:
        return any(s.name == "sms" and s.can_reach(person) for s in self.senders)

    async def _mark_blocked(
        self, session: AsyncSession, person: Person, channel: str | None
    ) -> None:
        """Stop using the channel and tell the mentor, once."""
        blocked = await session.get(Person, person.id)
        if blocked is None:
            return
        if channel == "sms":
            blocked.sms_opted_out_at = blocked.sms_opted_out_at or self.clock()
            return
        if blocked.telegram_blocked_at is not None:
            return
        blocked.telegram_blocked_at = self.clock()
        if blocked.role is not Role.MENTEE:
            return
        episode = await people.active_episode(session, blocked.id)
        if episode is None or episode.mentor_id is None:
            return
        await outbox.enqueue(
            session,
            Queued(
                person_id=episode.mentor_id,
                key=f"blocked:telegram:{blocked.id}",
                kind="notice",
                text=(
                    texts.NOTICE_BLOCKED_TEXTING
                    if self._texts_reach(blocked)
                    else texts.NOTICE_BLOCKED
                ).format(name=blocked.display_name),
                not_before=self.clock(),
                respect_quiet_hours=False,
            ),
            now=self.clock(),
        )
