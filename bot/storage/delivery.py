"""Inbound dedupe and the outbox: what makes retried deliveries safe in both directions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import (
    OutboxMessage,
    OutboxStatus,
    Person,
    ProcessedInbound,
    TelegramUpdate,
)


async def claim_inbound(
    session: AsyncSession, *, channel: str, external_id: str, now: datetime
) -> bool:
    """Record an inbound id; False when it was handled before (a retried delivery).

    Runs in a savepoint so the caller's transaction survives the duplicate-key error.
    """
    try:
        async with session.begin_nested():
            await session.execute(
                insert(ProcessedInbound).values(
                    channel=channel, external_id=external_id, processed_at=now
                )
            )
    except IntegrityError:
        return False
    return True


async def store_telegram_update(
    session: AsyncSession, *, update_id: int, payload: dict[str, Any], now: datetime
) -> bool:
    """Keep a raw webhook update before acknowledging it; False if it was stored already."""
    try:
        async with session.begin_nested():
            session.add(TelegramUpdate(update_id=update_id, payload=payload, received_at=now))
    except IntegrityError:
        return False
    return True


async def unprocessed_telegram_updates(session: AsyncSession) -> list[dict[str, Any]]:
    """Stored updates never handled (the process died between storing and handling)."""
    handled = select(ProcessedInbound.id).where(
        ProcessedInbound.channel == "telegram",
        ProcessedInbound.external_id == cast(TelegramUpdate.update_id, String),
    )
    query = (
        select(TelegramUpdate.payload).where(~handled.exists()).order_by(TelegramUpdate.update_id)
    )
    return list((await session.execute(query)).scalars())


async def enqueue(
    session: AsyncSession, *, person_id: int, key: str, text: str, now: datetime
) -> int | None:
    """Queue a message to someone; None if that idempotency key was queued before."""
    try:
        async with session.begin_nested():
            result = await session.execute(
                insert(OutboxMessage)
                .values(
                    person_id=person_id,
                    idempotency_key=key,
                    text=text,
                    status=OutboxStatus.PENDING,
                    attempts=0,
                    created_at=now,
                )
                .returning(OutboxMessage.id)
            )
            return int(result.scalar_one())
    except IntegrityError:
        return None


async def pending_with_recipients(
    session: AsyncSession, ids: list[int]
) -> list[tuple[OutboxMessage, Person]]:
    query = (
        select(OutboxMessage, Person)
        .join(Person, Person.id == OutboxMessage.person_id)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.PENDING)
        .order_by(OutboxMessage.id)
    )
    return [(row[0], row[1]) for row in await session.execute(query)]


async def mark_outbox(
    session: AsyncSession, *, message_id: int, sent: bool, now: datetime, error: str | None = None
) -> None:
    """Record a delivery attempt; a failed one stays pending for the dispatcher to retry."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(
            status=OutboxStatus.SENT if sent else OutboxStatus.PENDING,
            attempts=OutboxMessage.attempts + 1,
            sent_at=now if sent else None,
            last_error=None if error is None else error[:200],
        )
    )
