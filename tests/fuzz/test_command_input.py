"""Every command, by every role, with any argument: answered, nothing fails, state valid."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.flows import engine
from bot.service import MentorService
from bot.signposting import Directory
from bot.storage.models import Role
from tests.fuzz.world import ANY_TEXT, FUZZ, Sessions, World, check, resumes

NAMES = sorted({*engine.COMMANDS, "start", "help", "cancel", "menu", "nosuch"})


@pytest.fixture
def world(
    service: MentorService, session_factory: Sessions, shipped_directory: Directory
) -> World:
    return World(service, session_factory)


@pytest.mark.parametrize("role", [Role.MENTEE, Role.MENTOR, Role.SUPERVISOR])
@FUZZ
@given(
    commands=st.lists(
        st.tuples(st.sampled_from(NAMES), st.one_of(st.just("Sam"), ANY_TEXT)),
        min_size=1,
        max_size=3,
    )
)
async def test_any_command_with_any_argument_is_answered(
    world: World,
    caplog: pytest.LogCaptureFixture,
    role: Role,
    commands: list[tuple[str, str]],
) -> None:
    mentor, chat = await world.staff("Alex", role if role is not Role.MENTEE else Role.MENTOR)
    mentee = await world.mentee(mentor)
    if role is Role.MENTEE:
        chat = mentee
    for name, argument in commands:
        await chat.send(f"/{name} {argument}")
        await check(world, chat, caplog, tap=False)
    await resumes(world, chat, caplog)
