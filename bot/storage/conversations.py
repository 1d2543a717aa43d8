"""Conversation state: one row per person, whatever the channel.

One key of a state's data is reserved (`ASIDE_KEY`): the offer made after a message in the
person's own words ("send this to your mentor?", bot.flows.free_text), kept beside whatever flow
is open so that flow is not disturbed. When no flow is open the offer has a state of its own
(flow `ASIDE_FLOW`), which the engine treats as no flow at all. A flow saving its next step
keeps the offer; a new flow or a cleared state drops it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import ConversationState

ASIDE_KEY = "_aside"
ASIDE_FLOW = "aside"


async def load_state(session: AsyncSession, person_id: int) -> ConversationState | None:
    """By primary key, so a state already in the session (read with the person, say) costs no
    round trip."""
    return await session.get(ConversationState, person_id)


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
    data = dict(data)
    if state.flow == flow and ASIDE_KEY in state.data:
        data.setdefault(ASIDE_KEY, state.data[ASIDE_KEY])
    state.flow, state.step, state.data, state.updated_at = flow, step, data, now


async def clear_state(session: AsyncSession, person_id: int) -> None:
    await session.execute(
        delete(ConversationState).where(ConversationState.person_id == person_id)
    )
