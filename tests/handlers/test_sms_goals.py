"""Goals by text message: the GOALS keyword, numbered replies, and a mentor's suggestion."""

from __future__ import annotations

from datetime import time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.sms_text import to_gsm7
from bot.flows import texts
from bot.messages import Channel, Sender
from bot.service import MentorService
from bot.storage.models import Goal, GoalRhythm, GoalStatus, GoalStep
from tests.handlers.test_sms import SmsWorld, sms  # noqa: F401 (the fixture)
from tests.utils import MENTOR_PHONE, Chat, add_staff, make_invite

Sessions = async_sessionmaker[AsyncSession]


async def joined_by_text(world: SmsWorld, service: MentorService, sessions: Sessions) -> None:
    mentor = await add_staff(sessions, service)
    await world.text(f"JOIN {await make_invite(sessions, service, mentor)}")
    await world.text("yes")
    await world.text("/cancel")  # the first check-in can wait


def assert_fit_for_sms(bodies: list[str]) -> None:
    for body in bodies:
        assert to_gsm7(body) == body and len(body) <= 306, body


async def test_the_whole_add_flow_by_numbered_replies(
    sms: SmsWorld,  # noqa: F811
    service: MentorService,
    session_factory: Sessions,
) -> None:
    await joined_by_text(sms, service, session_factory)
    before = len(sms.inbox())
    await sms.text("GOALS")
    assert sms.inbox()[-2] == texts.GOALS_NONE
    assert sms.inbox()[-1].endswith(
        "6 Things you do\n7 Home\n8 Staying safe\n9 Daily life\n10 Recovery\nReply 1-10"
    )
    await sms.text("6")
    assert sms.inbox()[-1] == f"{texts.GOAL_ASK_WHAT}\nOr reply BACK"  # typed, or go back
    await sms.text("Go to the walking group " * 9)  # 215 once tidied
    assert sms.inbox()[-2] == texts.GOAL_TOO_LONG.format(count=215)
    await sms.text("Go to the walking group")
    assert sms.inbox()[-1].endswith("1 Skip\nReply 1-1, BACK")
    await sms.text("Ask Jo when it meets")
    assert sms.inbox()[-1].endswith("1 In a week\n2 In a month\n3 No date\nReply 1-3, BACK")
    await sms.text("1")
    assert sms.inbox()[-2].startswith("Your goal is saved: Go to the walking group")
    await sms.text("3")  # once a week
    await sms.text("5")  # Friday
    await sms.text("1")  # morning
    assert sms.inbox()[-1] == (
        "Done. I will remind you each Friday at 10:00. Send GOALS to change it."
    )
    async with session_factory() as session:
        goal = (await session.scalars(select(Goal))).one()
        (step,) = await session.scalars(select(GoalStep.text))
    assert (goal.domain, goal.title, step) == (
        "meaningful_activities",
        "Go to the walking group",
        "Ask Jo when it meets",
    )
    assert (goal.rhythm, goal.remind_weekday, goal.remind_at) == (GoalRhythm.WEEKLY, 5, time(10))
    await sms.text("GOALS")
    assert sms.inbox()[-1] == (
        "Your goals. Pick one to update it, or add a new one.\n"
        "1 Go to the walking group (working on it), next: Ask Jo when it meets\n"
        "2 Add a goal\nReply 1-2"
    )
    await sms.text("1")
    await sms.text("2")  # done
    assert sms.inbox()[-1] == texts.GOAL_DONE_THANKS
    assert sms.twilio.to(MENTOR_PHONE)[-1] == "Sam has completed a goal: Go to the walking group"
    assert_fit_for_sms(sms.inbox()[before:])


async def test_a_suggested_goal_is_accepted_by_replying_1(
    sms: SmsWorld,  # noqa: F811
    service: MentorService,
    session_factory: Sessions,
) -> None:
    await joined_by_text(sms, service, session_factory)
    alex = Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))
    await alex.send("/goal Sam Cut down to one drink a day")
    await alex.tap("Drink and drugs")
    await sms.dispatcher.run_once()
    suggestion = sms.inbox()[-1]
    assert suggestion == (
        "Alex suggested a goal for you: Cut down to one drink a day\nIs it right for you?\n"
        "1 Accept\n2 Change it\nReply 1-2"
    )
    await sms.text("1")
    assert sms.inbox()[-1].startswith(texts.GOAL_ASK_RHYTHM)
    async with session_factory() as session:
        goal = (await session.scalars(select(Goal))).one()
    assert goal.status is GoalStatus.ACTIVE
    assert sms.twilio.to(MENTOR_PHONE)[-1] == "Sam accepted the goal: Cut down to one drink a day"


async def test_back_by_text_returns_to_the_step_before(
    sms: SmsWorld,  # noqa: F811
    service: MentorService,
    session_factory: Sessions,
) -> None:
    await joined_by_text(sms, service, session_factory)
    await sms.text("GOALS")
    await sms.text("7")  # home
    await sms.text("Get a flat")
    await sms.text("1")  # skip the step
    assert sms.inbox()[-1].endswith("3 No date\nReply 1-3, BACK")
    await sms.text("BACK")
    assert sms.inbox()[-1].endswith("1 Skip\nReply 1-1, BACK")
    await sms.text("back")
    assert sms.inbox()[-1] == (
        f"{texts.GOAL_ASK_WHAT}\nYou wrote: Get a flat\n1 Keep it\nReply 1-1, BACK"
    )
    await sms.text("Get a flat of my own")
    await sms.text("Ring the council")
    await sms.text("3")  # no date
    async with session_factory() as session:
        goal = (await session.scalars(select(Goal))).one()
        steps = list(await session.scalars(select(GoalStep.text)))
    assert (goal.domain, goal.title, steps) == (
        "housing_safety",
        "Get a flat of my own",
        ["Ring the council"],
    )
