"""Drains the outbox: claim, send at the allowed rate, record every attempt.

Telegram allows about 30 messages a second overall and one a second per chat; we keep under
the configured rate with a token bucket and space messages to one chat a second apart. A 429
waits for the time Telegram names, other transient failures back off exponentially, and a
message that keeps failing is recorded as failed with the reason, never dropped silently. A
Telegram chat that keeps failing is treated like a blocked one when texts can take over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import timedelta

from aiolimiter import AsyncLimiter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.channel import Sender, choose_sender
from bot.delivery.errors import (
    TELEGRAM_FAILED,
    Blocked,
    PermanentFailure,
    RetryLater,
    TransientFailure,
)
from bot.flows import texts
from bot.flows.context import Clock
from bot.scheduling.quiet import QuietHours
from bot.storage import outbox, people
from bot.storage.models import AttemptOutcome, OutboxMessage, Person, Role
from bot.storage.outbox import AttemptResult, Queued

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF = 300.0
# Telegram failures in a row (5xx, timeouts, network errors; never 429) before a chat counts as
# unreachable and texts take over.
UNREACHABLE_AFTER = 3
PER_CHAT_GAP = 1.0  # seconds between two messages to one chat
CLAIM_TIMEOUT = timedelta(minutes=2)  # a claim older than this belongs to a dead dispatcher
# A claim holds at most this many seconds of sending at the configured rate (100 messages at
# 25/s), so what it holds goes out within seconds: never mistaken for a dead dispatcher's
# claim, never far into quiet hours. Unthrottled, a claim takes `batch_size`: fewer, larger
# claims leave more of the CPU for sending.
CLAIM_SECONDS = 4.0
# Finished attempts are recorded together, every FLUSH_INTERVAL seconds or as soon as FLUSH_ROWS
# are waiting. Each record is a transaction with a fixed cost: at full speed, recording every
# 20 ms took almost twice the CPU per message (docs/benchmarks.md). A kill can resend what
# finished since the last record: at 25/s, 0.1 s is two or three messages, plus those in flight.
FLUSH_INTERVAL = 0.1
FLUSH_ROWS = 50


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


class _Backlog:
    """Claimed messages still waiting for a sending slot; says when only a few are left."""

    def __init__(self, low: int) -> None:
        self.low = low
        self.waiting = 0
        self.running_low = asyncio.Event()

    def add(self, count: int) -> None:
        self.waiting += count
        if self.waiting > self.low:
            self.running_low.clear()

    def started(self) -> None:
        self.waiting -= 1
        if self.waiting <= self.low:
            self.running_low.set()


class _Finished:
    """Attempts sent but not yet recorded; wakes the recorder when enough are waiting."""

    def __init__(self, enough: int) -> None:
        self.enough = enough
        self.attempts: list[Attempt] = []
        self.wake = asyncio.Event()
        self.closed = False

    def add(self, attempt: Attempt) -> None:
        self.attempts.append(attempt)
        if len(self.attempts) >= self.enough:
            self.wake.set()

    def take(self) -> list[Attempt]:
        taken, self.attempts = self.attempts, []
        self.wake.clear()
        return taken

    def close(self) -> None:
        self.closed = True
        self.wake.set()


class Dispatcher:
    def __init__(
        self,
        *,
        session_factory: async_sessionmaker[AsyncSession],
        senders: list[Sender],
        clock: Clock,
        quiet: QuietHours,
        rate_per_second: float | None,
        batch_size: int = 500,
        concurrency: int = 16,
        per_chat_gap: float = PER_CHAT_GAP,
        writing: Callable[[], AbstractAsyncContextManager[None]] = contextlib.nullcontext,
    ) -> None:
        self.session_factory = session_factory
        # Inside the bot on SQLite, its claims and records wait their turn with message
        # handling (MentorService.writing) rather than race it for SQLite's one writer.
        self.writing = writing
        self.senders = senders
        self.clock = clock
        self.quiet = quiet
        # A shallow bucket: one as deep as the rate let twice the rate start within a second
        # after an idle spell (49 at 25/s, measured), over Telegram's 30/s; a bucket of one
        # lost every event-loop delay for good (-2.3%). Three holds 25/s within 1%, <= 27/s.
        self.limiter = AsyncLimiter(3, 3.0 / rate_per_second) if rate_per_second else None
        self.batch_size = (
            batch_size
            if not rate_per_second
            else max(1, min(batch_size, round(rate_per_second * CLAIM_SECONDS)))
        )
        self.concurrency_limit = concurrency
        self.concurrency = asyncio.Semaphore(concurrency)
        self.spacing = _ChatSpacing(per_chat_gap)
        self.interrupted_total = 0

    async def run_once(self) -> int:
        """Send everything due, batch after batch; returns how many were handled."""
        return await self._drain(ids=None)

    async def deliver(self, ids: list[int]) -> None:
        """Send these just-queued messages now (after the commit that queued them)."""
        if ids:
            await self._drain(ids=ids)

    async def recover(self) -> int:
        """Return messages claimed by a dispatcher that died to the queue."""
        async with self.writing(), self.session_factory() as session, session.begin():
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
        claimed = await self._claim(ids)
        if not claimed:
            return 0
        finished = _Finished(FLUSH_ROWS)
        recorder = asyncio.create_task(self._record_until_closed(finished))
        backlog = _Backlog(low=self.concurrency_limit)
        sending: set[asyncio.Task[None]] = set()
        handled = 0
        try:
            while claimed:
                handled += len(claimed)
                backlog.add(len(claimed))
                for message, person in claimed:
                    task = asyncio.create_task(self._send_one(message, person, finished, backlog))
                    sending.add(task)
                    task.add_done_callback(sending.discard)
                if ids is not None or len(claimed) < self.batch_size:
                    break
                # Claim the next batch while the last round of this one is still sending, so
                # the senders never stand idle at a batch boundary.
                await backlog.running_low.wait()
                claimed = await self._claim(ids)
            await asyncio.gather(*sending)
        finally:
            for task in sending:  # cancelled (the process is stopping): these stay claimed
                task.cancel()
            await asyncio.gather(*sending, return_exceptions=True)
            finished.close()  # never cancel a flush halfway: its records would be lost
            await recorder
        return handled

    async def _claim(self, ids: list[int] | None) -> list[tuple[OutboxMessage, Person]]:
        now = self.clock()
        async with self.writing(), self.session_factory() as session, session.begin():
            if ids is None:  # a reply put back after a failure or a crash may be out of date
                await outbox.skip_superseded_replies(session)
            return await outbox.claim_due(
                session,
                now=now,
                limit=self.batch_size,
                in_quiet_hours=self.quiet.contains(now),
                ids=ids,
            )

    async def _send_one(
        self, message: OutboxMessage, person: Person, finished: _Finished, backlog: _Backlog
    ) -> None:
        async with self.concurrency:
            backlog.started()
            result = await self._attempt(message, person)
        finished.add(Attempt(person, result))

    async def _record_until_closed(self, finished: _Finished) -> None:
        """Record finished attempts while a drain is still sending.

        Recording each attempt in its own transaction would cap us far below Telegram's rate;
        recording only at the end of a batch would let a crash resend the whole batch. A kill
        can repeat at most what finished since the last record, plus the sends in flight.
        """
        while not finished.closed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(finished.wake.wait(), FLUSH_INTERVAL)
            await self._flush(finished.take())
        await self._flush(finished.take())  # what finished while the last flush was writing

    async def _flush(self, batch: list[Attempt]) -> None:
        if not batch:
            return
        now = self.clock()
        async with self.writing(), self.session_factory() as session, session.begin():
            await outbox.record_many(session, [a.result for a in batch], now=now)
            for attempt in batch:
                result = attempt.result
                if result.outcome is AttemptOutcome.BLOCKED or result.unreachable:
                    await self._mark_blocked(
                        session, attempt.person, result.channel, failing=result.unreachable
                    )

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
        except TransientFailure as exc:
            if await self._keeps_failing(sender, person, message):
                # Texts take over from the next attempt, which need not wait.
                return AttemptResult(
                    message.id,
                    AttemptOutcome.RETRY,
                    str(exc),
                    retry_at=self.clock(),
                    channel=sender.name,
                    unreachable=True,
                )
            return self._retry(message, str(exc), exc.after)
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

    async def _keeps_failing(self, sender: Sender, person: Person, message: OutboxMessage) -> bool:
        """True if this is the message's UNREACHABLE_AFTER-th Telegram failure in a row and
        texts can take over; with no other way to reach the person, Telegram is tried until
        the message gives up."""
        earlier = UNREACHABLE_AFTER - 1
        if sender.name != "telegram" or message.attempts < earlier:
            return False
        if not self._texts_reach(person):
            return False
        async with self.session_factory() as session:
            errors = await outbox.latest_errors(session, message.id, earlier)
        return len(errors) == earlier and all(
            error is not None and error.startswith(TELEGRAM_FAILED) for error in errors
        )

    async def _mark_blocked(
        self, session: AsyncSession, person: Person, channel: str | None, *, failing: bool
    ) -> None:
        """Stop using the channel (blocked, or failing again and again); tell the mentor, once.

        Telegram is used again once the person writes there (see MentorService.handle).
        """
        blocked = await session.get(Person, person.id)
        if blocked is None:
            return
        if channel == "sms":
            blocked.sms_opted_out_at = blocked.sms_opted_out_at or self.clock()
            return
        if channel == "whatsapp":  # not on WhatsApp, or unsubscribed: their next channel
            blocked.whatsapp_opted_out_at = blocked.whatsapp_opted_out_at or self.clock()
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
                text=self._blocked_notice(blocked, failing=failing).format(
                    name=blocked.display_name
                ),
                not_before=self.clock(),
                respect_quiet_hours=False,
            ),
            now=self.clock(),
        )

    def _blocked_notice(self, person: Person, *, failing: bool) -> str:
        if failing:  # only ever when texts reach them
            return texts.NOTICE_FAILING_TEXTING
        return texts.NOTICE_BLOCKED_TEXTING if self._texts_reach(person) else texts.NOTICE_BLOCKED
