"""/plan: priorities, goals with their next step and progress, and the next meeting."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.sms_text import length, render
from bot.flows import texts
from bot.messages import Channel, Sender
from bot.reports.pictures import render_picture
from bot.reports.plan_card import CardGoal, PlanCard, render_plan_card_png
from bot.service import MentorService
from bot.storage import goals, meetings, people
from bot.storage.models import GoalAnswer, GoalStatus, Person, Role
from tests.readability import is_gsm7
from tests.utils import MENTEE_PHONE, Chat, add_staff, joined_mentee

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MENTOR_TELEGRAM = 111
LONG = (
    "Get my own flat near my sister so the kids can stay over at weekends, sort out the "
    "housing benefit forms with the council, and keep on top of the rent every month without "
    "falling behind like last year"
)[:200]


async def sam_with_a_plan(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    *,
    titles: tuple[str, ...] = ("Walk to the park every day", "Call the housing office"),
    step_text: str = "Ring them on Monday",
) -> tuple[Person, Chat]:
    """A mentor on Telegram; Sam, their mentee, with priorities, goals and a meeting."""
    mentor = await add_staff(session_factory, service, telegram_user_id=MENTOR_TELEGRAM)
    chat = await joined_mentee(service, session_factory, mentor)
    await chat.send("/cancel")
    now = service.clock()
    async with session_factory() as session, session.begin():
        episode = await people.active_episode(session, 2)
        assert episode is not None
        await goals.set_priorities(
            session,
            person_id=2,
            episode_id=episode.id,
            assessment_id=None,
            domains=["housing_safety", "psychological_health", "meaningful_activities"],
            now=now,
        )
        for number, title in enumerate(titles):
            goal = await goals.add_goal(
                session,
                person_id=2,
                episode_id=episode.id,
                domain="housing_safety",
                title=title,
                set_by=(2, Role.MENTEE),
                now=now,
                steps=["Find the number", step_text, "Go to the appointment"],
                status=GoalStatus.PROPOSED if number == 1 else GoalStatus.ACTIVE,
            )
            first, *_ = await goals.steps_of(session, goal.id)
            first.done_at = now
            await goals.record_progress(session, goal_id=goal.id, answer=GoalAnswer.SOME, now=now)
        await meetings.create_meeting(
            session,
            episode=episode,
            mentor_id=mentor.id,
            starts_at=datetime(2026, 3, 4, 14, 0, tzinfo=UTC),
            place="Hope Street Hub",
            now=now,
        )
    return mentor, chat


async def test_mentee_sees_priorities_goals_with_next_step_and_the_next_meeting(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    _, chat = await sam_with_a_plan(service, session_factory)
    [plan] = await chat.send("/plan")
    lines = plan.text.splitlines()
    assert lines[:5] == [
        texts.PLAN_HEADER,
        "What matters most: Home, Mood, Things you do.",
        texts.PLAN_GOALS,
        "1. Walk to the park every day",
        "Next step: Ring them on Monday",
    ]
    assert "2. Call the housing office (suggested)" in lines
    assert lines[-1] == "Next meeting: Wed 4 Mar at 14:00 with Alex, at Hope Street Hub."
    assert len(plan.text) <= 306  # compact, like a text message
    assert plan.card is None  # the console gets text; Telegram gets the card


async def test_mentor_sees_the_plan_of_their_own_mentee_as_a_card_on_telegram(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await sam_with_a_plan(service, session_factory)
    mentor = Chat(service, sender=Sender(Channel.TELEGRAM, str(MENTOR_TELEGRAM), chat_id=1))
    plan, beside = await mentor.send("/plan sam")
    # Staff see their self-sufficiency rating (none yet) beside the mentee's ARC.
    assert beside.text.startswith(texts.SSM_NONE.format(name="Sam"))
    assert plan.text.splitlines() == [  # the caption has room for all of it
        texts.PLAN_HEADER_STAFF.format(name="Sam"),
        # staff see the instrument's term beside the area's plain name (the glossary)
        "What matters most: Home (Housing and safety), Mood (Global psychological health), "
        "Things you do (Meaningful activities).",
        texts.PLAN_GOALS,
        "1. Walk to the park every day",
        "Next step: Ring them on Monday",
        "Updates: 1, last: some of it",
        "2. Call the housing office (suggested)",
        "Next step: Ring them on Monday",
        "Updates: 1, last: some of it",
        "Next meeting: Wed 4 Mar at 14:00 with Alex, at Hope Street Hub.",
    ]
    card = plan.card
    assert isinstance(card, PlanCard)
    assert card.priorities == (
        "Home (Housing and safety)",
        "Mood (Global psychological health)",
        "Things you do (Meaningful activities)",
    )
    assert [(g.steps_done, g.steps_total) for g in card.goals] == [(1, 3), (1, 3)]
    assert card.goals[1].title == "Call the housing office (suggested)"
    assert "Next step: Ring them on Monday" in card.goals[0].lines
    assert render_picture(card).startswith(PNG_SIGNATURE)
    [asked] = await mentor.send("/plan")
    assert asked.text == texts.ARG_ASK_MENTEE


async def test_another_mentors_mentee_is_not_found_but_a_supervisor_sees_everyone(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await sam_with_a_plan(service, session_factory)
    await add_staff(session_factory, service, name="Bo", phone="+447700900002")
    other = Chat(service, sender=Sender(Channel.CONSOLE, "+447700900002"))
    [refused] = await other.send("/plan Sam")
    assert refused.text == texts.NO_SUCH_MENTEE.format(name="Sam")
    await add_staff(
        session_factory, service, name="Kim", role=Role.SUPERVISOR, phone="+447700900003"
    )
    supervisor = Chat(service, sender=Sender(Channel.CONSOLE, "+447700900003"))
    plan, _ = await supervisor.send("/plan Sam")
    assert "1. Walk to the park every day" in plan.text


async def test_an_empty_plan_gets_a_kind_nudge_to_goals(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    mentor = await add_staff(session_factory, service)
    chat = await joined_mentee(service, session_factory, mentor)
    await chat.send("/cancel")
    [plan] = await chat.send("/plan")
    assert plan.text == f"{texts.PLAN_EMPTY}\n{texts.PLAN_NO_MEETING}"
    assert "/goals" in plan.text


async def test_by_sms_the_plan_is_one_gsm7_text_even_with_long_titles(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    titles = (LONG, LONG.replace("flat", "home"), "Walk to the park \u201cevery\u201d day")
    await sam_with_a_plan(service, session_factory, titles=titles, step_text=LONG)
    assert len(LONG) == 200
    sms = Chat(service, sender=Sender(Channel.SMS, MENTEE_PHONE))
    [plan] = await sms.send("/plan")
    [text] = render(plan)
    assert is_gsm7(text) and length(text) <= 306, text
    assert "What matters most: Home, Mood, Things you do." in text
    assert "\n1. Get my own flat near...\n" in text  # cut at a word, marked as cut
    assert "Next meeting: Wed 4 Mar at 14:00 with Alex." in text
    assert "Hope Street" not in text  # a shared phone: the place only by DETAILS


async def test_by_sms_many_goals_end_with_a_pointer_to_the_rest(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    titles = tuple(f"{LONG[:150]} number {n}" for n in range(1, 9))
    await sam_with_a_plan(service, session_factory, titles=titles, step_text=LONG)
    [plan] = await Chat(service, sender=Sender(Channel.SMS, MENTEE_PHONE)).send("/plan")
    [text] = render(plan)
    assert length(text) <= 306, text
    assert "more. Send GOALS to see them all." in text
    assert text.splitlines()[-1].startswith("Next meeting:")


def test_the_plan_card_renders_as_a_png() -> None:
    many_steps = CardGoal(LONG, steps_done=4, steps_total=15, lines=("Steps done: 4 of 15",))
    card = PlanCard(
        title="Your plan",
        priorities_heading=texts.PLAN_CARD_PRIORITIES,
        priorities=("Home", "Mood", "Things you do"),
        goals_heading=texts.PLAN_CARD_GOALS,
        goals=(CardGoal("Walk", 2, 3, ("Next step: Buy shoes",)), many_steps),
        no_goals=texts.PLAN_CARD_NO_GOALS,
        meeting="Next meeting: Wed 4 Mar at 14:00 with Alex.",
    )
    png = render_plan_card_png(card)
    assert png.startswith(PNG_SIGNATURE) and len(png) < 200_000
    assert render_plan_card_png(card) == png  # deterministic
    empty = PlanCard("Your plan", "", (), texts.PLAN_CARD_GOALS, (), "No goals yet", "No meeting")
    assert render_plan_card_png(empty).startswith(PNG_SIGNATURE)
