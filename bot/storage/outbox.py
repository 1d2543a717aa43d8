"""The outbox: messages the bot sends on its own, claimed and recorded so each goes out once.

Claiming flips rows to `sending` in one statement. On PostgreSQL the inner select takes
`FOR UPDATE SKIP LOCKED`, so two dispatchers never claim the same row; SQLite ignores the
clause and runs one scheduler only. A dispatcher that dies after claiming leaves rows in
`sending`; `release_stale_claims` puts them back, and the one message that may have gone out
just before the crash is the only duplicate the design allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, delete, exists, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.storage.models import (
    AttemptOutcome,
    DeliveryAttempt,
    OutboxMessage,
    OutboxStatus,
    Person,
)

FINAL_STATUS = {
    AttemptOutcome.SENT: OutboxStatus.SENT,
    AttemptOutcome.FAILED: OutboxStatus.FAILED,
    AttemptOutcome.BLOCKED: OutboxStatus.BLOCKED,
    AttemptOutcome.SKIPPED: OutboxStatus.SKIPPED,
}


@dataclass(frozen=True)
class Queued:
    """A message to queue. Choices are (label, value) pairs tapped with `token`."""

    person_id: int
    key: str
    kind: str
    text: str
    not_before: datetime
    expires_at: datetime | None = None
    choices: tuple[tuple[str, str], ...] = ()
    token: str | None = None
    respect_quiet_hours: bool = True
    # Wording for a text message where the chat wording would say too much on a shared phone.
    sms_text: str | None = None
    channel: str | None = None  # send only on this channel (a number's confirmation: sms)
    sms_to: str | None = None  # a number not yet confirmed as the person's own

    def payload(self) -> dict[str, Any] | None:
        payload: dict[str, Any] = {}
        if self.channel:
            payload["channel"] = self.channel
        if self.sms_to:
            payload["sms_to"] = self.sms_to
        if self.choices:
            payload |= {"token": self.token, "choices": [list(c) for c in self.choices]}
        if self.sms_text:
            payload["sms_text"] = self.sms_text
        return payload or None


async def enqueue(
    session: AsyncSession,
    message: Queued,
    *,
    now: datetime,
    status: OutboxStatus = OutboxStatus.PENDING,
    reason: str | None = None,
) -> int | None:
    """Queue a message once; None if its idempotency key was queued before."""
    dialect = session.get_bind().dialect.name
    values = {
        "person_id": message.person_id,
        "idempotency_key": message.key,
        "kind": message.kind,
        "text": message.text,
        "payload": message.payload(),
        "status": status,
        "respect_quiet_hours": message.respect_quiet_hours,
        "not_before": message.not_before,
        "expires_at": message.expires_at,
        "attempts": 0,
        "created_at": now,
        "last_error": reason,
    }
    insert_into = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert_into(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OutboxMessage.id)
    )
    return (await session.execute(statement)).scalar_one_or_none()


def _due(now: datetime, *, in_quiet_hours: bool) -> Any:
    condition = and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now)
    if in_quiet_hours:
        return and_(condition, OutboxMessage.respect_quiet_hours.is_(False))
    return condition


async def claim_due(
    session: AsyncSession,
    *,
    now: datetime,
    limit: int,
    in_quiet_hours: bool = False,
    ids: list[int] | None = None,
) -> list[tuple[OutboxMessage, Person]]:
    """Claim up to `limit` due messages (only these ids, if given) with their recipients."""
    due = select(OutboxMessage.id).where(_due(now, in_quiet_hours=in_quiet_hours))
    if ids is not None:
        due = due.where(OutboxMessage.id.in_(ids))
    due = (
        due.order_by(OutboxMessage.not_before, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(status=OutboxStatus.SENDING, claimed_at=now)
        .returning(OutboxMessage.id)
    )
    claimed_ids = list(claimed.scalars())
    if not claimed_ids:
        return []
    rows = await session.execute(
        select(OutboxMessage, Person)
        .join(Person, Person.id == OutboxMessage.person_id)
        .where(OutboxMessage.id.in_(claimed_ids))
        .order_by(OutboxMessage.not_before, OutboxMessage.id)
        .execution_options(populate_existing=True)
    )
    return [(row[0], row[1]) for row in rows]


@dataclass(frozen=True)
class AttemptResult:
    message_id: int
    outcome: AttemptOutcome
    error: str | None = None
    retry_at: datetime | None = None
    channel: str | None = None  # the channel it went out on, when sent
    provider_id: str | None = None  # e.g. Twilio's MessageSid, for status callbacks
    # This channel kept failing for the person: stop using it for them, as if blocked.
    unreachable: bool = False


async def record_many(
    session: AsyncSession, attempts: list[AttemptResult], *, now: datetime
) -> None:
    """Record attempts and each message's new status; a retry goes back to pending.

    Successful sends, the common case, are one UPDATE per channel, so bookkeeping keeps up
    with any rate Telegram allows.
    """
    sent = [a for a in attempts if a.outcome is AttemptOutcome.SENT]
    for channel in {a.channel for a in sent}:
        ids = [a.message_id for a in sent if a.channel == channel]
        await _mark_sent(session, OutboxMessage.id.in_(ids), channel, now)
    with_ids = [a for a in sent if a.provider_id is not None]
    if with_ids:
        table = cast(Table, OutboxMessage.__table__)  # Core executemany: one statement
        await session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(provider_id=bindparam("b_provider")),
            [{"b_id": a.message_id, "b_provider": a.provider_id} for a in with_ids],
        )
    for attempt in attempts:
        if attempt.outcome is not AttemptOutcome.SENT:
            await _record_other(
                session, attempt.message_id, attempt.outcome, attempt.error, attempt.retry_at
            )
    await session.execute(
        insert(DeliveryAttempt),
        [
            {
                "outbox_id": a.message_id,
                "attempted_at": now,
                "outcome": a.outcome,
                "error": None if a.error is None else a.error[:200],
            }
            for a in attempts
        ],
    )


async def _mark_sent(
    session: AsyncSession, which: Any, channel: str | None, now: datetime
) -> None:
    await session.execute(
        update(OutboxMessage)
        .where(which)
        .values(
            status=OutboxStatus.SENT,
            sent_at=now,
            attempts=OutboxMessage.attempts + 1,
            claimed_at=None,
            last_error=None,
            channel=channel,
        )
    )


async def _record_other(
    session: AsyncSession,
    message_id: int,
    outcome: AttemptOutcome,
    error: str | None,
    retry_at: datetime | None,
) -> None:
    values: dict[str, Any] = {
        "attempts": OutboxMessage.attempts + 1,
        "claimed_at": None,
        "last_error": None if error is None else error[:200],
    }
    if outcome is AttemptOutcome.RETRY:
        assert retry_at is not None
        values |= {"status": OutboxStatus.PENDING, "not_before": retry_at}
    else:
        values["status"] = FINAL_STATUS[outcome]
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
    )


async def latest_errors(session: AsyncSession, message_id: int, count: int) -> list[str | None]:
    """The reasons recorded for the message's last `count` attempts, newest first."""
    latest = await session.scalars(
        select(DeliveryAttempt.error)
        .where(DeliveryAttempt.outbox_id == message_id)
        .order_by(DeliveryAttempt.id.desc())
        .limit(count)
    )
    return list(latest)


def reply_key(channel: str, external_id: str, number: int) -> str:
    """The key of the `number`-th reply to one inbound message: known before the commit, so a
    reply whose commit was in doubt can still be marked sent (bot/held.py)."""
    return f"reply:{channel}:{external_id}:{number}"


def inbound_of(key: str) -> str:
    """What the replies to one inbound message share: their key up to the number."""
    return key.rsplit(":", 1)[0] + ":"


async def release_unsent_replies(session: AsyncSession, inbound: str) -> list[int]:
    """Put back the replies to an inbound message whose commit went unseen; their ids.

    A copy of the message found it handled, but nobody is sending its replies: the attempt
    that committed them lost its connection before it knew (bot/held.py).
    """
    released = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.REPLYING,
            OutboxMessage.idempotency_key.startswith(inbound, autoescape=True),
        )
        .values(status=OutboxStatus.PENDING, claimed_at=None)
        .returning(OutboxMessage.id)
    )
    return sorted(released.scalars())


async def queue_replies(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Queue the replies to a message as claimed by the live path, in one statement.

    Each row holds person_id, idempotency_key, text, payload, now and expires_at. The process
    that handles the message sends them from memory straight after the commit; the rows are
    how they survive that process dying first (scheduling/replies.py).
    """
    table = cast(Table, OutboxMessage.__table__)
    await session.execute(
        insert(table),
        [
            {
                "person_id": row["person_id"],
                "idempotency_key": row["idempotency_key"],
                "kind": "reply",
                "text": row["text"],
                "payload": row["payload"],
                "status": OutboxStatus.REPLYING,
                "respect_quiet_hours": False,  # asked for just now
                "not_before": row["now"],
                "expires_at": row["expires_at"],
                "attempts": 0,
                "claimed_at": row["now"],
                "created_at": row["now"],
            }
            for row in rows
        ],
    )


_LIVE = (OutboxStatus.REPLYING, OutboxStatus.PENDING)  # pending: a restart put it back


async def mark_replies_sent(
    session: AsyncSession, sent: list[tuple[str, str, str | None]], *, now: datetime
) -> None:
    """Record replies sent from memory, given as (key, channel, provider id): one UPDATE per
    channel, and one more for the provider ids (Twilio's, for delivery reports)."""
    for channel in {c for _, c, _ in sent}:
        keys = [k for k, c, _ in sent if c == channel]
        which = and_(OutboxMessage.idempotency_key.in_(keys), OutboxMessage.status.in_(_LIVE))
        await _mark_sent(session, which, channel, now)
    with_ids = [(key, provider) for key, _, provider in sent if provider is not None]
    if with_ids:
        table = cast(Table, OutboxMessage.__table__)
        await session.execute(
            update(table)
            .where(table.c.idempotency_key == bindparam("b_key"))
            .values(provider_id=bindparam("b_provider")),
            [{"b_key": key, "b_provider": provider} for key, provider in with_ids],
        )


async def replies_back(
    session: AsyncSession, keys: list[str], *, error: str, now: datetime
) -> None:
    """Replies whose live send failed go back to the queue, for the dispatcher to retry."""
    returned = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.idempotency_key.in_(keys),
            OutboxMessage.status == OutboxStatus.REPLYING,
        )
        .values(
            status=OutboxStatus.PENDING,
            claimed_at=None,
            not_before=now,
            attempts=OutboxMessage.attempts + 1,
            last_error=error[:200],
        )
        .returning(OutboxMessage.id)
    )
    session.add_all(
        DeliveryAttempt(
            outbox_id=message_id, attempted_at=now, outcome=AttemptOutcome.RETRY, error=error[:200]
        )
        for message_id in returned.scalars()
    )


async def release_replies(session: AsyncSession, *, claimed_before: datetime) -> list[int]:
    """Put back replies a process that is gone was sending from memory; returns their ids.

    Only `serve` sends replies, and one runs at a time: one that has just started knows that
    every reply claimed before it started belongs to a process that died.
    """
    released = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.REPLYING,
            OutboxMessage.claimed_at < claimed_before,
        )
        .values(status=OutboxStatus.PENDING, claimed_at=None)
        .returning(OutboxMessage.id)
    )
    ids = list(released.scalars())
    session.add_all(
        DeliveryAttempt(
            outbox_id=message_id, attempted_at=claimed_before, outcome=AttemptOutcome.INTERRUPTED
        )
        for message_id in ids
    )
    return ids


async def skip_superseded_replies(session: AsyncSession) -> int:
    """A waiting reply the person has since had a newer reply after is not sent.

    They wrote again and were answered: that newer reply says where they are now, and the old
    one (the question before, say) would only confuse, or be answered a second time.
    """
    newer = aliased(OutboxMessage)
    skipped = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.kind == "reply",
            OutboxMessage.status == OutboxStatus.PENDING,
            exists().where(
                newer.person_id == OutboxMessage.person_id,
                newer.kind == "reply",
                newer.created_at > OutboxMessage.created_at,
            ),
        )
        .values(status=OutboxStatus.SKIPPED, last_error="superseded by a newer reply")
        .returning(OutboxMessage.id)
    )
    return len(list(skipped.scalars()))


async def forget_old_replies(session: AsyncSession, *, before: datetime) -> int:
    """Delete replies settled long ago: once a reply has gone (or been given up), its words
    are needed only to explain a delivery problem, and the conversation itself is kept where
    it belongs (answers, goals, notes)."""
    forgotten = await session.execute(
        delete(OutboxMessage)
        .where(
            OutboxMessage.kind == "reply",
            OutboxMessage.status.not_in(
                (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.REPLYING)
            ),
            OutboxMessage.created_at < before,
        )
        .returning(OutboxMessage.id)
    )
    return len(list(forgotten.scalars()))


async def release_stale_claims(
    session: AsyncSession, *, now: datetime, older_than: timedelta
) -> int:
    """Put back messages claimed by a dispatcher (or a replying process) that died."""
    stale = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status.in_((OutboxStatus.SENDING, OutboxStatus.REPLYING)),
            OutboxMessage.claimed_at < now - older_than,
        )
        .values(status=OutboxStatus.PENDING, claimed_at=None)
        .returning(OutboxMessage.id)
    )
    released = list(stale.scalars())
    session.add_all(
        DeliveryAttempt(outbox_id=message_id, attempted_at=now, outcome=AttemptOutcome.INTERRUPTED)
        for message_id in released
    )
    return len(released)


async def skip_pending(
    session: AsyncSession,
    *,
    key_prefix: str,
    reason: str,
    now: datetime,
    kind: str | None = None,
) -> int:
    """Withdraw queued messages that no longer make sense (a cancelled meeting's reminders)."""
    conditions = [
        OutboxMessage.idempotency_key.startswith(key_prefix, autoescape=True),
        OutboxMessage.status == OutboxStatus.PENDING,
    ]
    if kind is not None:  # only this kind: a notice under the same prefix still goes
        conditions.append(OutboxMessage.kind == kind)
    skipped = await session.execute(
        update(OutboxMessage)
        .where(*conditions)
        .values(status=OutboxStatus.SKIPPED, last_error=reason)
        .returning(OutboxMessage.id)
    )
    return len(list(skipped.scalars()))
