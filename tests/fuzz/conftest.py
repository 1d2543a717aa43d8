"""The fuzz tests' world: new people on the test's database, with the shipped directory."""

from __future__ import annotations

import pytest

from bot.service import MentorService
from bot.signposting import Directory
from tests.fuzz.world import Sessions, World


@pytest.fixture
def world(
    service: MentorService, session_factory: Sessions, shipped_directory: Directory
) -> World:
    return World(service, session_factory)
