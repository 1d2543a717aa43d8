"""Text no database can keep is cleaned on the way in, not failed on (found by tests/fuzz).

PostgreSQL refused a NUL in a goal's title, so the whole message failed with "try again
later"; a lone surrogate (half an emoji in a JSON escape) fails on every database.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.flows import goal_proposals, texts
from bot.service import MentorService, storable
from bot.storage.models import Goal
from tests.fuzz.world import Sessions, World, tap_index
from tests.utils import tap_sent_button


def test_storable_drops_nul_and_replaces_half_an_emoji() -> None:
    assert storable("a\x00b\ud83dc") == "ab\ufffdc"
    assert storable("\U0001f600 caf\u00e9\n") == "\U0001f600 caf\u00e9\n"
    assert storable(None) is None


async def test_a_goal_in_own_words_with_a_nul_and_half_an_emoji_is_saved_cleanly(
    service: MentorService, session_factory: Sessions
) -> None:
    world = World(service, session_factory)
    mentor, mentor_chat = await world.staff()
    sam = await world.mentee(mentor)
    await sam.send("/cancel")
    await mentor_chat.send("/goal Sam Walk to the shop")
    await tap_index(mentor_chat, 0)
    async with session_factory() as session:
        [goal] = (await session.scalars(select(Goal))).all()
    await tap_sent_button(sam, f"gp-{goal.id}", goal_proposals.CHANGE)
    replies = await sam.send("Walk\x00 to the park \ud83d")
    assert texts.TRY_AGAIN_LATER not in [reply.text for reply in replies]
    async with session_factory() as session:
        [goal] = (await session.scalars(select(Goal))).all()
    assert goal.title == "Walk to the park \ufffd"


async def test_a_huge_or_odd_number_is_asked_again(
    service: MentorService, session_factory: Sessions
) -> None:
    """Found by tests/fuzz: int() refuses 5,000 digits and "2" written small above the line."""
    world = World(service, session_factory)
    mentor, _ = await world.staff()
    sam = await world.mentee(mentor)
    await sam.send("/cancel")
    # Each question reads "2" written small as a 2 (the vocabulary folds it): the second area,
    # or Tuesday; 5,000 digits are asked again.
    moved_on = {"/goals": texts.GOAL_ASK_WHAT, "/settings": texts.ASK_CHECKIN_TIME}
    for command, then in moved_on.items():
        await sam.send(command)  # which area / which day: a number may be typed
        asked = sam.question
        replies = await sam.send("9" * 5000)
        assert texts.TRY_AGAIN_LATER not in [reply.text for reply in replies]
        assert sam.question.text == asked.text
        await sam.send("\u00b2")
        assert sam.last[-1].text == then
        await sam.send("/cancel")
