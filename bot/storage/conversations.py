"""Conversation state: one row per person, whatever the channel."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import ConversationState


async def load_state(session: AsyncSession, person_id: int) -> ConversationState | None:
    query = select(ConversationState).where(ConversationState.person_id == person_id)
    return (await session.execute(query)).scalar_one_or_none()


async def save_state(
    session: AsyncSession,
    *,
    person_id: int,
    flow: str,
    step: str,
    data: dict[str, Any],
    now: datetime,
) -> None:
    state = await session.get(ConversationState, person_id)
    if state is None:
        session.add(
            ConversationState(person_id=person_id, flow=flow, step=step, data=data, updated_at=now)
        )
        return
    state.flow, state.step, state.data, state.updated_at = flow, step, dict(data), now


async def clear_state(session: AsyncSession, person_id: int) -> None:
    await session.execute(
        delete(ConversationState).where(ConversationState.person_id == person_id)
    )
