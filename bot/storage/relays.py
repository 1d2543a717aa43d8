"""Messages relayed between a mentee and staff (`/msg`), kept only while the episode lasts.

Each relayed message goes out through the outbox under the key `relay:<episode>:<relay>`, so
when the episode ends both the stored words and the outbox copies can be found and removed
(`forget_episode`): the rows are deleted, and the outbox keeps its delivery record with the
words replaced by a placeholder.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import OutboxMessage, OutboxStatus, RelayMessage

KIND = "relay"
REMOVED = "[relayed message removed: mentoring ended]"
ENDED_REASON = "mentoring ended"


def outbox_key(episode_id: int, relay_id: int) -> str:
    return f"{KIND}:{episode_id}:{relay_id}"


async def add_relay(
    session: AsyncSession,
    *,
    episode_id: int,
    sender_id: int,
    recipient_id: int,
    text: str,
    now: datetime,
) -> RelayMessage:
    relay = RelayMessage(
        episode_id=episode_id,
        sender_id=sender_id,
        recipient_id=recipient_id,
        text=text,
        created_at=now,
    )
    session.add(relay)
    await session.flush()
    return relay


async def get_relay(session: AsyncSession, relay_id: int) -> RelayMessage | None:
    return await session.get(RelayMessage, relay_id)


async def forget_episode(session: AsyncSession, episode_id: int) -> None:
    """Delete the episode's relayed words and blank their outbox copies (unsent ones stop)."""
    await session.execute(delete(RelayMessage).where(RelayMessage.episode_id == episode_id))
    copies = (
        OutboxMessage.kind == KIND,
        OutboxMessage.idempotency_key.startswith(f"{KIND}:{episode_id}:", autoescape=True),
    )
    await session.execute(
        update(OutboxMessage)
        .where(*copies, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.SKIPPED, last_error=ENDED_REASON)
    )
    await session.execute(update(OutboxMessage).where(*copies).values(text=REMOVED, payload=None))
