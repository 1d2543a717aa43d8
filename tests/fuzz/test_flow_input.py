"""Bad input at every step of every flow: always answered, nothing fails, state stays valid.

Each route brings a fresh person to a step; Hypothesis then sends what it likes (any text,
control characters, 10,000 characters, nothing at all, taps on real and made-up buttons).
Real taps are mixed in so the walk reaches the later steps of each flow too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.flows import goal_proposals, priorities
from bot.instruments import Instrument
from bot.messages import InboundMessage
from bot.service import MentorService
from bot.signposting import Directory
from bot.storage import conversations
from bot.storage.models import ConversationState, Goal
from tests.flows.test_priorities import ARC_SCORES, finish_full_check
from tests.fuzz.world import (
    ANY_TEXT,
    FUZZ,
    Sessions,
    World,
    check,
    has_question,
    resumes,
    tap_index,
)
from tests.utils import Chat, tap_sent_button

Route = Callable[[World], Awaitable[Chat]]


async def _mentee_sending(world: World, *messages: str) -> Chat:
    mentor, _ = await world.staff()
    chat = await world.mentee(mentor)
    for message in ("/cancel", *messages):
        await chat.send(message)
    return chat


async def _mentor_sending(world: World, *messages: str) -> Chat:
    mentor, chat = await world.staff()
    await world.mentee(mentor)
    for message in messages:
        await chat.send(message)
    return chat


async def _consent(world: World) -> Chat:
    mentor, _ = await world.staff()
    return await world.invited(mentor)


async def _checkin(world: World) -> Chat:
    mentor, _ = await world.staff()
    return await world.mentee(mentor)


async def _own_words(world: World) -> Chat:
    """A mentor suggested a goal and the mentee tapped "Change it"."""
    mentor, mentor_chat = await world.staff()
    chat = await world.mentee(mentor)
    await chat.send("/cancel")
    await mentor_chat.send("/goal Sam Walk to the shop")
    await tap_index(mentor_chat, 0)
    async with world.sessions() as session:
        goal = (await session.scalars(select(Goal).order_by(Goal.id.desc()))).first()
    assert goal is not None
    await tap_sent_button(chat, f"gp-{goal.id}", goal_proposals.CHANGE)
    return chat


ROUTES: dict[str, Route] = {
    "consent": _consent,
    "checkin": _checkin,
    "settings": lambda w: _mentee_sending(w, "/settings"),
    "find": lambda w: _mentee_sending(w, "/find"),
    "find-typed": lambda w: _mentee_sending(w, "find help with housing"),
    "concern": lambda w: _mentee_sending(w, "/concern"),
    "forget": lambda w: _mentee_sending(w, "/forget"),
    "forget-last-check": lambda w: _mentee_sending(w, "/forget", "yes"),
    "goals": lambda w: _mentee_sending(w, "/goals"),
    "goal-own-words": _own_words,
    "phone": lambda w: _mentee_sending(w, "/phone"),
    "menu": lambda w: _mentee_sending(w),
    "meet": lambda w: _mentor_sending(w, "/meet"),
    "signpost": lambda w: _mentor_sending(w, "/signpost Sam"),
    "goal-staff": lambda w: _mentor_sending(w, "/goal Sam"),
    "rate": lambda w: _mentor_sending(w, "/rate Sam"),
    "close": lambda w: _mentor_sending(w, "/close Sam"),
    "staff-menu": lambda w: _mentor_sending(w, "hello"),
    # A command sent alone waits for its argument (bot/flows/command_args.py).
    "command-args-name": lambda w: _mentor_sending(w, "/note"),
    "command-args-site": lambda w: _mentor_sending(w, "/site", "Sam"),
}

# One action: type something, tap a real choice (by position), or tap a button that is not
# on the latest question (a made-up value, or a token from nowhere).
ACTION = st.one_of(
    st.tuples(st.just("type"), ANY_TEXT),
    st.tuples(st.just("tap"), st.integers(0, 30).map(str)),
    st.tuples(st.just("odd-value"), st.text(max_size=70)),
    st.tuples(st.just("odd-token"), st.text(max_size=40)),
)


async def act(world: World, chat: Chat, action: tuple[str, str]) -> bool:
    """Does the action; True when it was a tap."""
    kind, value = action
    if kind == "type":
        await chat.send(value)
        return False
    if kind == "tap" and has_question(chat):
        await tap_index(chat, int(value))
        return True
    if kind == "odd-value" and has_question(chat):
        message = InboundMessage(sender=chat.sender, choice=value, token=chat.question.token)
    else:
        message = InboundMessage(sender=chat.sender, choice=value, token=value or None)
    await chat._deliver(message)
    return True


@pytest.fixture
def world(
    service: MentorService, session_factory: Sessions, shipped_directory: Directory
) -> World:
    return World(service, session_factory)


@pytest.mark.parametrize("route", sorted(ROUTES))
@FUZZ
@given(actions=st.lists(ACTION, min_size=1, max_size=6))
async def test_any_input_at_any_step_is_answered_and_leaves_a_valid_state(
    world: World, caplog: pytest.LogCaptureFixture, route: str, actions: list[tuple[str, str]]
) -> None:
    chat = await ROUTES[route](world)
    await check(world, chat, caplog, tap=False)
    for action in actions:
        tap = await act(world, chat, action)
        await check(world, chat, caplog, tap=tap)
    await resumes(world, chat, caplog)


@pytest.fixture
def saved() -> dict[str, tuple[Chat, ConversationState]]:
    return {}


@FUZZ
@given(actions=st.lists(ACTION, min_size=1, max_size=6))
async def test_any_input_when_picking_what_matters_most(
    world: World,
    caplog: pytest.LogCaptureFixture,
    instruments: dict[str, Instrument],
    saved: dict[str, tuple[Chat, ConversationState]],
    actions: list[tuple[str, str]],
) -> None:
    """The baseline is long, so it is done once; each example starts from its saved question."""
    if not saved:
        mentor, _ = await world.staff()
        chat = await world.mentee(mentor)
        await finish_full_check(chat, instruments["arc"], ARC_SCORES)
        person = await world.person(chat)
        assert person is not None
        async with world.sessions() as session:
            state = await conversations.load_state(session, person.id)
        assert state is not None and state.flow == priorities.FLOW
        saved["state"] = (chat, state)
    chat, state = saved["state"]
    async with world.sessions() as session, session.begin():
        await conversations.save_state(
            session,
            person_id=state.person_id,
            flow=state.flow,
            step=state.step,
            data=state.data,
            now=world.service.clock(),
        )
    await chat.send(None)
    for action in actions:
        tap = await act(world, chat, action)
        await check(world, chat, caplog, tap=tap)
    await resumes(world, chat, caplog)
