"""Forged button data: nobody answers, changes or sees another person's things by a tap.

Quinn (Robin's mentee) has a live check-in question, a meeting, a service sent, a suggested
goal, a goal with reminders and a crisis alert. Sam (Alex's mentee) and Alex send taps with
Quinn's tokens, old tokens and made-up ones. Nothing of Quinn's may change, and what Sam and
Alex are told never names Quinn or anything of Quinn's they did not type themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.messages import InboundMessage
from bot.service import MentorService
from bot.signposting import Directory
from bot.storage.models import Base, CrisisAlert, Goal, Meeting, Signpost
from tests.fuzz.world import FUZZ, Sessions, World, answered, no_errors, tap_index
from tests.utils import Chat, tap_sent_button

VICTIM = "Quinn"
SECRET_WORDS = ("quinn", "zanzibar", "robin")  # her name, her goal, her mentor
# Written by every message whoever sends it; never about Quinn.
BOOKKEEPING = {"processed_inbound"}


@dataclass
class Victim:
    tokens: list[str]
    forgers: list[Chat]


async def _finish(chat: Chat) -> None:
    """Taps the first choice until no question is left (a booking, a signpost)."""
    for _ in range(6):
        if not any(reply.choices for reply in chat.last):
            return
        await tap_index(chat, 0)


async def _last(world: World, model: type[Any]) -> Any:
    async with world.sessions() as session:
        return (await session.scalars(select(model).order_by(model.id.desc()))).first()


async def quinns_world(world: World) -> Victim:
    alex, alex_chat = await world.staff("Alex")
    sam = await world.mentee(alex, "Sam")
    robin, robin_chat = await world.staff("Robin")
    quinn = await world.mentee(robin, VICTIM)
    await quinn.send("I want to die")  # a crisis alert to Robin; the check-in is put aside
    alert = await _last(world, CrisisAlert)
    await robin_chat.send(f"/meet {VICTIM}")
    await tap_index(robin_chat, 1)
    await _finish(robin_chat)
    meeting = await _last(world, Meeting)
    await robin_chat.send(f"/signpost {VICTIM}")
    await _finish(robin_chat)
    signpost = await _last(world, Signpost)
    await robin_chat.send(f"/goal {VICTIM} Visit Zanzibar gardens")
    await _finish(robin_chat)
    proposed = await _last(world, Goal)
    await robin_chat.send(f"/goal {VICTIM} Walk to Zanzibar park")
    await _finish(robin_chat)
    active = await _last(world, Goal)
    await tap_sent_button(quinn, f"gp-{active.id}", "accept")
    await _finish(quinn)
    await quinn.send("/checkin")  # a live question of her own
    assert None not in (alert, meeting, signpost, proposed, active)
    tokens = [
        quinn.question.token or "",
        f"mt-{meeting.id}",
        f"mo-{meeting.id}",
        f"mm-{meeting.id}",
        f"sp-{signpost.id}",
        f"gp-{proposed.id}",
        f"gp-{active.id}",
        f"gr-{active.id}-20260302",
        f"gr-{active.id}-20260303",
        f"ca-{alert.id}",
        "menu",
    ]
    return Victim(tokens, [sam, alex_chat])


# Ids no row can have: past PostgreSQL's integer, past any 64-bit integer.
OUT_OF_RANGE = [
    f"{kind}-{number}"
    for kind in ("mt", "mo", "mm", "sp", "gp", "ca")
    for number in ("2147483648", "99999999999999999999")
] + ["gr-2147483648-20260302", "gr-1-99999999", "ca-" + "9" * 60]

VALUES = [
    "confirm",
    "decline",
    "move",
    "met",
    "no_show",
    "cancelled",
    "cancel",
    "accept",
    "change",
    "done",
    "some",
    "not_yet",
    "used",
    "ack",
    "yes",
    "1",
    "0",
    "/meetings",
    "/mentee Quinn",
    "/goal Quinn",
    "/plan Quinn",
    "/signposts Quinn",
    "/rate Quinn",
]


async def snapshot(sessions: Sessions) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (small: one test's people)."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    async with sessions() as session:
        for table in Base.metadata.sorted_tables:
            if table.name not in BOOKKEEPING:
                result = await session.execute(select(table).order_by(*table.primary_key))
                rows[table.name] = [tuple(row) for row in result]
    return rows


def changed_rows(
    before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]
) -> dict[str, list[tuple[Any, ...]]]:
    return {
        name: [row for row in after[name] if row not in before[name]]
        + [row for row in before[name] if row not in after[name]]
        for name in after
        if after[name] != before[name]
    }


@pytest.fixture
def world(
    service: MentorService, session_factory: Sessions, shipped_directory: Directory
) -> World:
    return World(service, session_factory)


@pytest.fixture
def victims() -> dict[str, Victim]:
    return {}


TOKEN_INDEX = st.integers(0, 10)
FORGED = st.tuples(
    st.integers(0, 1),
    st.one_of(TOKEN_INDEX, st.text(max_size=30)),
    st.one_of(st.sampled_from(VALUES), st.text(max_size=40)),
)


async def forge(
    world: World, caplog: pytest.LogCaptureFixture, forger: Chat, token: str, values: list[str]
) -> None:
    """Forged taps: answered, nothing of anyone else's changed, nothing of Quinn's shown."""
    before = await snapshot(world.sessions)
    for value in values:
        message = InboundMessage(sender=forger.sender, choice=value, token=token or None)
        replies = await forger._deliver(message)
        answered(replies, forger, tap=True)
        no_errors(caplog)
        forged = f"{token} {value}".lower()
        for reply in replies:
            for word in SECRET_WORDS:
                assert word in forged or word not in reply.text.lower(), (token, value, reply)
    changes = changed_rows(before, await snapshot(world.sessions))
    # The forger's own row (their chat id) and own conversation may change, nothing else.
    forger_id = (await world.person(forger)).id  # type: ignore[union-attr]
    assert set(changes) <= {"people", "conversation_states"}, (token, values, changes)
    assert all(row[0] == forger_id for rows in changes.values() for row in rows), changes


async def test_every_token_of_someone_else_with_every_answer_does_nothing(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    victim = await quinns_world(world)
    caplog.clear()
    for forger in victim.forgers:
        for token in victim.tokens:
            await forge(world, caplog, forger, token, VALUES)
        for token in OUT_OF_RANGE:
            await forge(world, caplog, forger, token, ["confirm", "met", "cancel", "ack", "done"])


@FUZZ
@given(taps=st.lists(FORGED, min_size=1, max_size=4))
async def test_made_up_taps_change_and_show_nothing_of_someone_else(
    world: World,
    victims: dict[str, Victim],
    caplog: pytest.LogCaptureFixture,
    taps: list[tuple[int, int | str, str]],
) -> None:
    if not victims:
        victims["quinn"] = await quinns_world(world)
    victim = victims["quinn"]
    caplog.clear()
    for who, token_or_index, value in taps:
        token = (
            victim.tokens[token_or_index] if isinstance(token_or_index, int) else token_or_index
        )
        await forge(world, caplog, victim.forgers[who], token, [value])
