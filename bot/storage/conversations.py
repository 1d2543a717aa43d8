"""Conversation state: one row per person, whatever the channel.

One key of a state's data is reserved (`ASIDE_KEY`): the offer made after a message in the
person's own words ("send this to your mentor?", bot.flows.free_text), kept beside whatever flow
is open so that flow is not disturbed. When no flow is open the offer has a state of its own
(flow `ASIDE_FLOW`), which the engine treats as no flow at all. A flow saving its next step
keeps the offer; a new flow or a cleared state drops it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, Update, bindparam, delete, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bot.storage import read_ahead
from bot.storage.assessments import Write
from bot.storage.models import ConversationState

ASIDE_KEY = "_aside"
ASIDE_FLOW = "aside"
_STATES = cast(Table, ConversationState.__table__)
# A write a new state follows from (an answer kept or dropped), sent with it by `save_state`.
Along = Write
_MOVED = ("flow", "step", "data", "updated_at")
# Built once with parameters (issue 19): see people.person_writing.
_SAVE = (
    update(_STATES)
    .where(_STATES.c.person_id == bindparam("state_person_id"))
    .values({name: bindparam(f"state_{name}", type_=_STATES.c[name].type) for name in _MOVED})
)
# On PostgreSQL, the same UPDATE with each kind of `along` as a CTE, built on first use.
_SAVE_WITH: dict[int, Update] = {}


async def load_state(session: AsyncSession, person_id: int) -> ConversationState | None:
    """By primary key, so a state already in the session (read with the person, say) costs no
    round trip; nor does one that read showed there is none of."""
    if read_ahead.known_absent(session, read_ahead.STATE, person_id):
        return None
    return await session.get(ConversationState, person_id)


async def save_state(
    session: AsyncSession,
    *,
    person_id: int,
    flow: str,
    step: str,
    data: dict[str, Any],
    now: datetime,
    along: Along | None = None,
) -> None:
    """Keep where the person is now; `along` is a write the new position follows from (the
    answer just given), sent in the same statement on PostgreSQL and just before on SQLite.

    On PostgreSQL `along` becomes a data-modifying CTE of the state's UPDATE: one round trip
    for a tap's whole write (issue 19). The state is written at once, not at the next flush,
    so nothing of the step is left for the commit to send.
    """
    state = await load_state(session, person_id)
    if state is None:
        if along is not None:
            await session.execute(along.statement, along.values)
        read_ahead.forget(session, read_ahead.STATE, person_id)
        session.add(
            ConversationState(person_id=person_id, flow=flow, step=step, data=data, updated_at=now)
        )
        return
    data = dict(data)
    if state.flow == flow and ASIDE_KEY in state.data:
        data.setdefault(ASIDE_KEY, state.data[ASIDE_KEY])
    values = {"flow": flow, "step": step, "data": data, "updated_at": now}
    params = {f"state_{name}": value for name, value in values.items()}
    params["state_person_id"] = person_id
    if along is not None and session.get_bind().dialect.name == "postgresql":
        await session.execute(_saved_with(along), {**along.values, **params})
    else:
        if along is not None:
            await session.execute(along.statement, along.values)
        await session.execute(_SAVE, params)
    for key, value in values.items():  # what the row now holds, with nothing left to flush
        set_committed_value(state, key, value)


def _saved_with(along: Along) -> Update:
    key = id(along.statement)  # statements built once, at import (assessments.Write)
    if key not in _SAVE_WITH:
        _SAVE_WITH[key] = _SAVE.add_cte(along.statement.cte("along"))
    return _SAVE_WITH[key]


async def clear_state(session: AsyncSession, person_id: int) -> None:
    await session.execute(
        delete(ConversationState).where(ConversationState.person_id == person_id)
    )
