"""Inbound dedupe: what makes a retried delivery from Telegram or Twilio safe."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, bindparam, cast, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import ProcessedInbound, TelegramUpdate
from bot.storage.types import EncryptedJSON, UTCDateTime

# Written out rather than built with the dialects' insert(): their ON CONFLICT clause keeps a
# statement out of SQLAlchemy's compiled cache, so every message paid for compiling it afresh
# (issue 19). The same text suits PostgreSQL and SQLite (3.35 or later, for RETURNING).
_CLAIM = (
    text(
        f"INSERT INTO {ProcessedInbound.__tablename__} (channel, external_id, processed_at)"
        " VALUES (:channel, :external_id, :processed_at)"
        " ON CONFLICT (channel, external_id) DO NOTHING RETURNING id"
    )
    .bindparams(bindparam("processed_at", type_=UTCDateTime()))
    .columns(id=Integer)
)
_KEEP_UPDATES = text(
    f"INSERT INTO {TelegramUpdate.__tablename__} (update_id, payload, received_at)"
    " VALUES (:update_id, :payload, :received_at) ON CONFLICT (update_id) DO NOTHING"
).bindparams(
    bindparam("payload", type_=EncryptedJSON()), bindparam("received_at", type_=UTCDateTime())
)


async def claim_inbound(
    session: AsyncSession, *, channel: str, external_id: str, now: datetime
) -> bool:
    """Record an inbound id; False when it was handled before (a retried delivery).

    One `INSERT ... ON CONFLICT DO NOTHING RETURNING` on either database. It is the first
    statement of every message's transaction; a savepoint around a plain insert cost two more
    round trips each time. A copy racing the first waits for the first to commit, then finds
    the row and gets nothing back.
    """
    values = {"channel": channel, "external_id": external_id, "processed_at": now}
    return (await session.execute(_CLAIM, values)).first() is not None


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


async def store_telegram_updates(
    session: AsyncSession, updates: list[tuple[int, dict[str, Any]]], *, now: datetime
) -> None:
    """Keep a batch of polled updates in one statement; those kept before are left alone.

    Written out, like the claim, to stay in SQLAlchemy's compiled cache.
    """
    await session.execute(
        _KEEP_UPDATES,
        [
            {"update_id": update_id, "payload": payload, "received_at": now}
            for update_id, payload in updates
        ],
    )


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


async def any_claimed(session: AsyncSession, channel: str, external_ids: list[str]) -> bool:
    """Whether any of these inbound ids was handled: a commit whose outcome was unknown."""
    claimed = select(ProcessedInbound.id).where(
        ProcessedInbound.channel == channel, ProcessedInbound.external_id.in_(external_ids)
    )
    return bool((await session.execute(select(claimed.exists()))).scalar())
