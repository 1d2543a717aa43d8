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

from sqlalchemy import Table, and_, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

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
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([a.message_id for a in sent if a.channel == channel]))
            .values(
                status=OutboxStatus.SENT,
                sent_at=now,
                attempts=OutboxMessage.attempts + 1,
                claimed_at=None,
                last_error=None,
                channel=channel,
            )
        )
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


async def release_stale_claims(
    session: AsyncSession, *, now: datetime, older_than: timedelta
) -> int:
    """Put back messages claimed by a dispatcher that died; returns how many."""
    stale = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.SENDING,
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
