"""Goals as people live them: a mentee sets and updates their own, a mentor suggests one.

The clock starts on Monday 2 March 2026 at 10:00 in London (GMT).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.authorisation import refusal
from bot.flows import texts
from bot.messages import Channel, Reply, Sender
from bot.service import MentorService
from bot.storage import conversations
from bot.storage.models import (
    ConversationState,
    Goal,
    GoalAnswer,
    GoalProgress,
    GoalRhythm,
    GoalStatus,
    GoalStep,
    OutboxMessage,
    Person,
    Role,
)
from tests.utils import MENTOR_PHONE, Chat, add_staff, joined_mentee, tap_sent_button

Sessions = async_sessionmaker[AsyncSession]
JO_PHONE = "+447700900456"
BLAKE_PHONE = "+447700900002"
PAT_PHONE = "+447700900003"
AREAS = [
    "Drink and drugs",
    "Mood",
    "Health",
    "Community",
    "Support",
    "Things you do",
    "Home",
    "Staying safe",
    "Daily life",
    "Recovery",
]


def labels(reply: Reply) -> list[str]:
    return [choice.label for choice in reply.choices]


async def alex_and_sam(service: MentorService, sessions: Sessions) -> tuple[Chat, Chat]:
    """Mentor Alex and mentee Sam, with Sam's first check-in put aside."""
    mentor = await add_staff(sessions, service)
    sam = await joined_mentee(service, sessions, mentor)
    await sam.send("/cancel")
    return Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE)), sam


async def all_goals(sessions: Sessions) -> list[Goal]:
    async with sessions() as session:
        return list(await session.scalars(select(Goal).order_by(Goal.id)))


async def steps(sessions: Sessions, goal_id: int) -> list[str]:
    async with sessions() as session:
        query = select(GoalStep.text).where(GoalStep.goal_id == goal_id)
        return list(await session.scalars(query.order_by(GoalStep.position)))


async def sent_to(sessions: Sessions, name: str, kind: str | None = None) -> list[OutboxMessage]:
    """What was queued for this person about goals."""
    async with sessions() as session:
        person = (await session.scalars(select(Person).where(Person.display_name == name))).one()
        query = select(OutboxMessage).where(
            OutboxMessage.person_id == person.id, OutboxMessage.idempotency_key.startswith("goal:")
        )
        if kind is not None:
            query = query.where(OutboxMessage.kind == kind)
        return list(await session.scalars(query.order_by(OutboxMessage.id)))


async def in_flow(sessions: Sessions, chat: Chat) -> bool:
    async with sessions() as session:
        return await session.scalar(select(ConversationState)) is not None


async def add_by_buttons(sam: Chat, title: str = "Go to the walking group on Fridays") -> None:
    await sam.send("/goals")
    await sam.tap("Things you do")
    await sam.send(title)
    await sam.send("Ask Jo when it meets")
    await sam.tap(texts.GOAL_IN_A_MONTH)
    await sam.tap(texts.GOAL_RHYTHM_NONE)


async def test_without_a_first_step_the_date_is_the_goals_own(
    service: MentorService, session_factory: Sessions
) -> None:
    _, sam = await alex_and_sam(service, session_factory)
    await sam.send("/goals")
    await sam.tap("Home")
    await sam.send("Get my own flat!")
    await sam.tap(texts.GOAL_SKIP)
    assert sam.question.text == texts.GOAL_ASK_WHEN_GOAL
    await sam.tap("In a week")
    assert sam.texts[0] == "Your goal is saved: Get my own flat! You aim to reach it by Mon 9 Mar."


async def test_mentee_adds_a_goal_by_buttons(
    service: MentorService, session_factory: Sessions
) -> None:
    _, sam = await alex_and_sam(service, session_factory)
    await sam.send("/goals")
    assert sam.texts[0] == texts.GOALS_NONE
    assert sam.question.text == texts.GOAL_ASK_AREA and labels(sam.question) == AREAS
    await sam.tap("Things you do")
    assert sam.texts == [texts.GOAL_ASK_WHAT]
    await sam.send("  Go to the walking   group on \u201cFridays\u201d ")
    assert sam.question.text == texts.GOAL_ASK_STEP
    await sam.send("Ask Jo when it meets")
    assert sam.question.text == texts.GOAL_ASK_WHEN  # by when: the step just typed
    assert labels(sam.question) == ["In a week", "In a month", "No date"]
    await sam.tap("In a month")
    assert sam.texts[0] == (
        'Your goal is saved: Go to the walking group on "Fridays". '
        "Your first step: Ask Jo when it meets. You aim to do it by Thu 2 Apr."
    )
    assert labels(sam.question) == [
        "No reminders",
        "Every day",
        "Once a week",
        texts.GOAL_RHYTHM_ONCE,
    ]
    await sam.tap("Once a week")
    assert labels(sam.question) == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    await sam.tap("Fri")
    await sam.tap(texts.TIME_EVENING)
    assert sam.texts == ["Done. I will remind you each Friday at 18:00. Send /goals to change it."]
    (goal,) = await all_goals(session_factory)
    assert (goal.domain, goal.title) == (
        "meaningful_activities",
        'Go to the walking group on "Fridays"',
    )
    assert goal.status is GoalStatus.ACTIVE and goal.set_by_role is Role.MENTEE
    assert goal.target_on == date(2026, 4, 2)
    assert (goal.rhythm, goal.remind_weekday, goal.remind_at) == (GoalRhythm.WEEKLY, 5, time(18))
    assert goal.remind_on is None
    assert await steps(session_factory, goal.id) == ["Ask Jo when it meets"]
    assert not await in_flow(session_factory, sam)


async def test_mentee_adds_a_goal_by_typing_words_and_numbers(
    service: MentorService, session_factory: Sessions
) -> None:
    _, sam = await alex_and_sam(service, session_factory)
    await sam.send("/goals")
    await sam.send("a garden")
    assert (
        sam.texts[0]
        == "Sorry, I did not get that. Please choose an answer, or type its number, 1 to 10."
    )
    assert sam.question.text == texts.GOAL_ASK_AREA
    await sam.send("home")
    await sam.send("Sort out the damp in the kitchen")
    await sam.send("skip")
    await sam.send("32/3")
    assert sam.texts[0] == (
        "Sorry, I did not get that. Please choose In a week or In a month or No date, or type it."
    )
    await sam.send("1/3")
    assert sam.texts[0] == texts.GOAL_DATE_PAST
    await sam.send("20/3")
    await sam.send("4")  # once, on a day
    await sam.send("25/3")
    await sam.send("07:00")  # before quiet hours end
    assert sam.texts[0] == texts.GOAL_TIME_REASK
    await sam.send("9.30")
    assert sam.texts == [
        "Done. I will remind you on Wed 25 Mar at 09:30. Send /goals to change it."
    ]
    (goal,) = await all_goals(session_factory)
    assert (goal.domain, goal.target_on) == ("housing_safety", date(2026, 3, 20))
    assert (goal.rhythm, goal.remind_on, goal.remind_at) == (
        GoalRhythm.ONCE,
        date(2026, 3, 25),
        time(9, 30),
    )
    assert await steps(session_factory, goal.id) == []


async def test_mentee_adds_a_goal_in_everyday_words(
    service: MentorService, session_factory: Sessions
) -> None:
    _, sam = await alex_and_sam(service, session_factory)
    await sam.send("/goals")
    await sam.send("home")
    await sam.send("Sort out the damp in the kitchen")
    await sam.send("skip")
    await sam.send("next fri")  # by when
    await sam.send("weekly")
    await sam.send("weds")
    await sam.send("7pm")
    assert sam.texts == [
        "Done. I will remind you each Wednesday at 19:00. Send /goals to change it."
    ]
    (goal,) = await all_goals(session_factory)
    assert goal.target_on == date(2026, 3, 6)
    assert (goal.rhythm, goal.remind_weekday, goal.remind_at) == (GoalRhythm.WEEKLY, 3, time(19))


async def test_a_title_over_200_characters_is_asked_again_kindly_and_nothing_is_lost(
    service: MentorService, session_factory: Sessions
) -> None:
    _, sam = await alex_and_sam(service, session_factory)
    await sam.send("/goals")
    await sam.tap("Health")
    await sam.send("x" * 201)
    assert sam.texts == [texts.GOAL_TOO_LONG.format(count=201), texts.GOAL_ASK_WHAT]
    assert await all_goals(session_factory) == []
    await sam.send("y" * 200)
    assert sam.question.text == texts.GOAL_ASK_STEP
    await sam.tap(texts.GOAL_SKIP)
    await sam.tap(texts.GOAL_NO_DATE)
    await sam.send("every day")
    await sam.send("afternoon")
    (goal,) = await all_goals(session_factory)
    assert (goal.domain, goal.title, goal.target_on) == ("physical_health", "y" * 200, None)
    assert (goal.rhythm, goal.remind_at) == (GoalRhythm.DAILY, time(14))


async def test_goals_lists_live_goals_with_status_and_next_step(
    service: MentorService, session_factory: Sessions
) -> None:
    _, sam = await alex_and_sam(service, session_factory)
    await add_by_buttons(sam)
    await sam.send("/goals")
    assert sam.question.text == (
        "Your goals:\n1. Go to the walking group on Fridays (working on it)\n"
        "   Next step: Ask Jo when it meets\n" + texts.GOALS_PICK
    )
    assert labels(sam.question) == ["Go to the walking group on...", texts.GOAL_ADD]


async def pick_first_goal(sam: Chat) -> None:
    await sam.send("/goals")
    await sam.send("1")


async def test_mentee_marks_progress_pauses_restarts_and_drops(
    service: MentorService, session_factory: Sessions
) -> None:
    _, sam = await alex_and_sam(service, session_factory)
    await add_by_buttons(sam)
    await pick_first_goal(sam)
    assert labels(sam.question) == [
        "Some progress",
        "Done",
        "Pause",
        "Drop",
        "Add a step",
        "Change reminder",
    ]
    await sam.tap("Some progress")
    assert sam.texts == [texts.GOAL_SOME_THANKS]
    async with session_factory() as session:
        (progress,) = await session.scalars(select(GoalProgress))
    assert progress.answer is GoalAnswer.SOME
    await pick_first_goal(sam)
    await sam.send("3")  # typed "pause" would pause the conversation, as everywhere
    assert sam.texts == [texts.GOAL_PAUSED]
    assert (await all_goals(session_factory))[0].status is GoalStatus.PAUSED
    await pick_first_goal(sam)
    assert labels(sam.question)[0] == texts.GOAL_RESTART
    await sam.tap(texts.GOAL_RESTART)
    assert (await all_goals(session_factory))[0].status is GoalStatus.ACTIVE
    await pick_first_goal(sam)
    await sam.tap("Drop")
    assert sam.texts == [texts.GOAL_DROPPED]
    assert (await all_goals(session_factory))[0].status is GoalStatus.DROPPED
    await sam.send("/goals")
    assert sam.texts[0] == texts.GOALS_NONE
    assert await sent_to(session_factory, "Alex") == []  # only a finished goal is news


async def test_done_gets_a_warm_word_and_the_mentor_is_told(
    service: MentorService, session_factory: Sessions
) -> None:
    _, sam = await alex_and_sam(service, session_factory)
    await add_by_buttons(sam)
    await pick_first_goal(sam)
    await sam.tap("Done")
    assert sam.texts == [texts.GOAL_DONE_THANKS]
    (goal,) = await all_goals(session_factory)
    assert goal.status is GoalStatus.DONE and goal.completed_at == service.clock()
    notices = await sent_to(session_factory, "Alex", "notice")
    assert [n.text for n in notices] == [
        "Sam has completed a goal: Go to the walking group on Fridays"
    ]


async def test_mentee_adds_a_step_and_changes_the_reminder(
    service: MentorService, session_factory: Sessions
) -> None:
    _, sam = await alex_and_sam(service, session_factory)
    await add_by_buttons(sam)
    await pick_first_goal(sam)
    await sam.tap("Add a step")
    await sam.send("Buy some walking shoes")
    assert sam.texts == ["Added. Your next step: Ask Jo when it meets"]
    (goal,) = await all_goals(session_factory)
    assert await steps(session_factory, goal.id) == [
        "Ask Jo when it meets",
        "Buy some walking shoes",
    ]
    await pick_first_goal(sam)
    await sam.tap("Change reminder")
    await sam.tap("Every day")
    await sam.send("12:15")
    (goal,) = await all_goals(session_factory)
    assert (goal.rhythm, goal.remind_at, goal.remind_weekday) == (
        GoalRhythm.DAILY,
        time(12, 15),
        None,
    )


async def test_an_old_keyboard_is_stale(service: MentorService, session_factory: Sessions) -> None:
    _, sam = await alex_and_sam(service, session_factory)
    await sam.send("/goals")
    old = sam.question
    await sam.tap("Mood")
    await sam.tap("Home", reply=old)
    assert sam.stale
    await sam.send("Get out for a walk each day")
    (goal_in_progress,) = [r for r in sam.last if r.choices]
    assert goal_in_progress.text == texts.GOAL_ASK_STEP


async def proposal(sessions: Sessions, name: str = "Sam") -> OutboxMessage:
    return (await sent_to(sessions, name, "goal_proposal"))[-1]


async def test_mentor_suggests_a_goal_and_the_mentee_accepts_it(
    service: MentorService, session_factory: Sessions
) -> None:
    alex, sam = await alex_and_sam(service, session_factory)
    await alex.send("/goal sam Walk to the shop twice a week")
    assert alex.question.text == "Which area is the goal for Sam about?"
    await alex.tap("Health")
    assert alex.texts[0].startswith("Suggested to Sam: Walk to the shop twice a week.")
    (goal,) = await all_goals(session_factory)
    assert goal.status is GoalStatus.PROPOSED and goal.set_by_role is Role.MENTOR
    message = await proposal(session_factory)
    assert message.text == (
        "Alex suggested a goal for you, about Health: Walk to the shop twice a week\n"
        "Is it right for you?"
    )
    assert message.payload is not None and message.payload["token"] == f"gp-{goal.id}"
    assert message.respect_quiet_hours
    await tap_sent_button(sam, f"gp-{goal.id}", "accept")
    assert sam.texts == [texts.GOAL_ACCEPTED, texts.GOAL_ASK_RHYTHM]
    assert (await all_goals(session_factory))[0].status is GoalStatus.ACTIVE
    await sam.tap("No reminders")
    assert sam.texts == [texts.GOAL_REMIND_NONE_SAVED]
    notices = await sent_to(session_factory, "Alex", "notice")
    assert [n.text for n in notices] == ["Sam accepted the goal: Walk to the shop twice a week"]
    await tap_sent_button(sam, f"gp-{goal.id}", "accept")  # a second tap changes nothing
    assert sam.texts == [texts.GOAL_ALREADY_ON]
    assert len(await sent_to(session_factory, "Alex", "notice")) == 1


async def test_mentee_puts_a_suggested_goal_in_their_own_words(
    service: MentorService, session_factory: Sessions
) -> None:
    alex, sam = await alex_and_sam(service, session_factory)
    await alex.send("/goal")  # Sam is Alex's only mentee
    assert alex.texts[0] == "Sam has no goals yet."
    await alex.tap("Support")
    await alex.send("Call your sister once a week")
    await alex.send("Find her new number")
    (goal,) = await all_goals(session_factory)
    assert await steps(session_factory, goal.id) == ["Find her new number"]
    await tap_sent_button(sam, f"gp-{goal.id}", "change")
    assert sam.texts == [texts.GOAL_ASK_OWN_WORDS]
    await sam.send("z" * 250)
    assert sam.texts == [texts.GOAL_TOO_LONG.format(count=250)]
    await sam.send("Ring my sister on Sundays")
    assert sam.texts == [
        "Thanks. Your goal is now: Ring my sister on Sundays",
        texts.GOAL_ASK_RHYTHM,
    ]
    (goal,) = await all_goals(session_factory)
    assert (goal.title, goal.status) == ("Ring my sister on Sundays", GoalStatus.ACTIVE)
    notices = await sent_to(session_factory, "Alex", "notice")
    assert [n.text for n in notices] == [
        "Sam put the goal in their own words: Ring my sister on Sundays"
    ]


async def test_mentor_rewords_and_pauses_a_goal_and_the_mentee_is_told(
    service: MentorService, session_factory: Sessions
) -> None:
    alex, sam = await alex_and_sam(service, session_factory)
    await add_by_buttons(sam)
    await alex.send("/goal Sam")
    assert alex.question.text.startswith("Goals for Sam.")
    await alex.tap("Go to the walking group on...")
    await alex.tap(texts.GOAL_STAFF_WORDS)
    await alex.send("Walk with the group on Fridays")
    assert alex.texts == ["Changed. Sam has been told."]
    (goal,) = await all_goals(session_factory)
    assert goal.title == "Walk with the group on Fridays" and goal.status is GoalStatus.ACTIVE
    told = await proposal(session_factory)
    assert told.text.startswith("Alex changed the words of your goal to: Walk with the group")
    await alex.send("/goal Sam")
    await alex.send("1")
    await alex.tap("Pause")
    assert (await all_goals(session_factory))[0].status is GoalStatus.PAUSED
    (paused,) = await sent_to(session_factory, "Sam", "goal_changed")
    assert paused.text == "Alex has put one of your goals on hold: Walk with the group on Fridays"


async def two_mentors(service: MentorService, sessions: Sessions) -> tuple[Chat, Chat, Chat]:
    """Alex mentors Sam; Blake mentors Jo, who has a goal Blake suggested."""
    alex, sam = await alex_and_sam(service, sessions)
    blake_person = await add_staff(sessions, service, name="Blake", phone=BLAKE_PHONE)
    await joined_mentee(service, sessions, blake_person, name="Jo", phone=JO_PHONE)
    blake = Chat(service, sender=Sender(Channel.CONSOLE, BLAKE_PHONE))
    await blake.send("/goal Jo Find a GP near the new flat")
    await blake.tap("Health")
    return alex, sam, blake


async def test_a_mentor_cannot_see_or_change_another_mentors_mentees_goals(
    service: MentorService, session_factory: Sessions
) -> None:
    alex, sam, _ = await two_mentors(service, session_factory)
    before = [(g.id, g.title, g.status) for g in await all_goals(session_factory)]
    await alex.send("/goal Jo Stop seeing old friends")
    assert alex.texts == [texts.NO_SUCH_MENTEE.format(name="Jo")]
    await alex.send("/goal Jo")
    assert alex.texts == [texts.NO_SUCH_MENTEE.format(name="Jo")]
    await alex.send("/goal Nobody")  # the same answer as for a name no one has
    assert alex.texts == [texts.NO_SUCH_MENTEE.format(name="Nobody")]
    await alex.send("/goal")
    assert "Jo" not in " ".join(alex.texts)
    (jo_goal,) = before
    await tap_sent_button(sam, f"gp-{jo_goal[0]}", "accept")  # a forged tap from Sam
    assert sam.stale
    await tap_sent_button(sam, f"gp-{jo_goal[0]}", "change")
    assert sam.stale
    after = [(g.id, g.title, g.status) for g in await all_goals(session_factory)]
    assert after == before and after[0][2] is GoalStatus.PROPOSED
    assert await sent_to(session_factory, "Blake", "notice") == []


async def test_a_supervisor_can_suggest_and_drop_any_mentees_goal(
    service: MentorService, session_factory: Sessions
) -> None:
    await two_mentors(service, session_factory)
    await add_staff(session_factory, service, name="Pat", role=Role.SUPERVISOR, phone=PAT_PHONE)
    pat = Chat(service, sender=Sender(Channel.CONSOLE, PAT_PHONE))
    await pat.send("/goal")
    assert labels(pat.question) == ["Jo", "Sam"]
    await pat.tap("Jo")
    await pat.tap("Find a GP near the new flat")
    await pat.tap("Drop")
    assert pat.texts == ["Changed. Jo has been told."]
    await pat.send("/goal Sam Join the Tuesday group")
    await pat.tap("Community")
    jo_goal, sam_goal = await all_goals(session_factory)
    assert jo_goal.status is GoalStatus.DROPPED
    assert (sam_goal.title, sam_goal.set_by_role) == ("Join the Tuesday group", Role.SUPERVISOR)
    (dropped,) = await sent_to(session_factory, "Jo", "goal_changed")
    assert dropped.text.startswith("Pat has taken this goal off your list: Find a GP")
    assert (await proposal(session_factory)).text.startswith("Pat suggested a goal for you")


async def test_a_mentee_cannot_use_the_staff_command(
    service: MentorService, session_factory: Sessions
) -> None:
    _, sam = await alex_and_sam(service, session_factory)
    await sam.send("/goal Sam Run a marathon")
    assert sam.texts[0] == refusal("goal")
    assert await all_goals(session_factory) == []


async def test_the_menu_offers_goals(service: MentorService, session_factory: Sessions) -> None:
    _, sam = await alex_and_sam(service, session_factory)
    await sam.send("hello")
    assert texts.MENU_GOALS in labels(sam.question)
    await sam.tap(texts.MENU_GOALS)
    assert sam.texts[0] == texts.GOALS_NONE
    assert datetime(2026, 3, 2, 10, tzinfo=UTC) == service.clock()


async def test_back_from_each_step_of_adding_a_goal_keeps_what_was_given(
    service: MentorService, session_factory: Sessions
) -> None:
    _, sam = await alex_and_sam(service, session_factory)
    await sam.send("/goals")
    await sam.send("back")  # nothing before the first question: said so, asked again
    assert sam.texts == [texts.NOTHING_BEFORE, texts.GOAL_ASK_AREA]
    await sam.tap("Mood")
    await sam.send("back")
    assert sam.question.text == texts.GOAL_ASK_AREA
    await sam.tap("Home")
    await sam.send("Get my own flat")
    assert labels(sam.question) == [texts.GOAL_SKIP] and sam.question.controls[0].label == "Back"
    await sam.tap(texts.BACK_LABEL)
    assert sam.question.text == texts.GOAL_ASK_WHAT + "\nYou wrote: Get my own flat"
    assert labels(sam.question) == [texts.GOAL_KEEP]
    await sam.send("Get a flat of my own")
    await sam.send("Ring the council")
    assert sam.question.text == texts.GOAL_ASK_WHEN
    await sam.tap(texts.BACK_LABEL)
    assert sam.question.text == texts.GOAL_ASK_STEP + "\nYou wrote: Ring the council"
    assert labels(sam.question) == [texts.GOAL_SKIP, texts.GOAL_KEEP]
    await sam.tap(texts.BACK_LABEL)
    await sam.send("back")
    await sam.tap("Home")  # back at the area: what was written is still there to keep
    await sam.tap(texts.GOAL_KEEP)
    assert sam.question.text == texts.GOAL_ASK_STEP + "\nYou wrote: Ring the council"
    await sam.send("Ring the housing office")
    await sam.tap(texts.GOAL_IN_A_WEEK)
    assert sam.texts[0] == (
        "Your goal is saved: Get a flat of my own. "
        "Your first step: Ring the housing office. You aim to do it by Mon 9 Mar."
    )
    (goal,) = await all_goals(session_factory)
    assert (goal.domain, goal.title) == ("housing_safety", "Get a flat of my own")
    assert await steps(session_factory, goal.id) == ["Ring the housing office"]


async def test_the_first_step_skips_by_word_and_back_undoes_a_skip(
    service: MentorService, session_factory: Sessions
) -> None:
    _, sam = await alex_and_sam(service, session_factory)
    await sam.send("/goals")
    await sam.send("home")
    await sam.send("Sort out the damp")
    await sam.send("not now")
    assert sam.question.text == texts.GOAL_ASK_WHEN_GOAL  # no step, so the goal's own date
    await sam.send("back")
    await sam.send("no")
    assert sam.question.text == texts.GOAL_ASK_WHEN_GOAL
    await sam.send("go back")
    assert labels(sam.question) == [texts.GOAL_SKIP]  # skipped: nothing to keep
    await sam.send("Buy a dehumidifier")
    assert sam.question.text == texts.GOAL_ASK_WHEN  # now the step's date
    await sam.tap(texts.GOAL_NO_DATE)
    (goal,) = await all_goals(session_factory)
    assert await steps(session_factory, goal.id) == ["Buy a dehumidifier"]


async def test_back_in_the_reminder_questions_goes_to_the_one_before(
    service: MentorService, session_factory: Sessions
) -> None:
    _, sam = await alex_and_sam(service, session_factory)
    await sam.send("/goals")
    await sam.tap("Home")
    await sam.send("Sort out the damp")
    await sam.tap(texts.GOAL_SKIP)
    await sam.tap(texts.GOAL_NO_DATE)
    assert sam.question.controls == ()  # the goal is saved: no going back past it
    await sam.tap(texts.GOAL_RHYTHM_ONCE)
    await sam.send("back")
    assert sam.question.text == texts.GOAL_ASK_RHYTHM
    await sam.tap(texts.GOAL_RHYTHM_WEEKLY)
    await sam.tap("Fri")
    assert sam.question.text == texts.GOAL_ASK_REMIND_TIME
    await sam.tap(texts.BACK_LABEL)
    assert sam.question.text == texts.GOAL_ASK_WEEKDAY
    await sam.send("weds")
    await sam.send("7pm")
    assert sam.texts == [
        "Done. I will remind you each Wednesday at 19:00. Send /goals to change it."
    ]
    (goal,) = await all_goals(session_factory)
    assert (goal.rhythm, goal.remind_weekday, goal.remind_on) == (GoalRhythm.WEEKLY, 3, None)


async def test_back_from_a_goal_goes_to_the_list_and_from_a_new_step_to_the_goal(
    service: MentorService, session_factory: Sessions
) -> None:
    _, sam = await alex_and_sam(service, session_factory)
    await add_by_buttons(sam)
    await pick_first_goal(sam)
    await sam.tap(texts.BACK_LABEL)
    assert sam.question.text.startswith(texts.GOALS_HEADER)
    await sam.send("1")
    await sam.tap(texts.GOAL_ADD_STEP)
    assert sam.texts == [texts.GOAL_ASK_NEW_STEP]
    await sam.send("back")
    assert texts.GOAL_ADD_STEP in labels(sam.question)
    await sam.tap("Some progress")
    assert sam.texts == [texts.GOAL_SOME_THANKS]
    (goal,) = await all_goals(session_factory)
    assert await steps(session_factory, goal.id) == ["Ask Jo when it meets"]


async def test_staff_go_back_through_a_new_goal_to_the_list(
    service: MentorService, session_factory: Sessions
) -> None:
    alex, sam = await alex_and_sam(service, session_factory)
    await add_by_buttons(sam)
    await alex.send("/goal Sam")
    await alex.tap(texts.GOAL_STAFF_NEW)
    await alex.tap("Health")
    await alex.send("Walk to the shop")
    assert alex.question.text == texts.GOAL_STAFF_STEP
    await alex.send("back")
    assert alex.question.text == texts.GOAL_STAFF_WHAT.format(name="Sam") + (
        "\nYou wrote: Walk to the shop"
    )
    await alex.send("back")
    await alex.tap(texts.BACK_LABEL)
    assert alex.question.text.startswith("Goals for Sam.")
    await alex.tap("Go to the walking group on...")
    await alex.tap(texts.GOAL_STAFF_WORDS)
    await alex.send("back")
    assert labels(alex.question) == [texts.GOAL_STAFF_WORDS, texts.GOAL_PAUSE, texts.GOAL_DROP]
    await alex.tap(texts.BACK_LABEL)
    await alex.tap(texts.GOAL_STAFF_NEW)
    await alex.tap("Health")
    await alex.send("Walk to the shop")
    await alex.send("Buy shoes")
    await alex.send("/goal Sam")
    await alex.tap(texts.GOAL_STAFF_NEW)
    await alex.tap("Health")
    await alex.send("keep")  # a goal in one word is its words, not "keep what was written"
    await alex.send("skip")
    (_, suggested, one_word) = await all_goals(session_factory)
    assert (suggested.title, suggested.status) == ("Walk to the shop", GoalStatus.PROPOSED)
    assert await steps(session_factory, suggested.id) == ["Buy shoes"]
    assert one_word.title == "keep" and await steps(session_factory, one_word.id) == []


async def test_a_goal_named_with_the_command_has_no_way_back_from_its_area(
    service: MentorService, session_factory: Sessions
) -> None:
    alex, _ = await alex_and_sam(service, session_factory)
    await alex.send("/goal Sam Walk to the shop")
    await alex.send("back")
    assert alex.texts == [texts.NOTHING_BEFORE, "Which area is the goal for Sam about?"]
    await alex.tap("Health")
    (goal,) = await all_goals(session_factory)
    assert goal.title == "Walk to the shop"


async def saved_as_before(
    sessions: Sessions, name: str, flow: str, data: dict[str, object]
) -> None:
    """A conversation as the code before the question engine stored it."""
    async with sessions() as session, session.begin():
        person = (await session.scalars(select(Person).where(Person.display_name == name))).one()
        await conversations.save_state(
            session,
            person_id=person.id,
            flow=flow,
            step=str(data["at"]),
            data={**data, "token": "a1b2c3"},
            now=datetime(2026, 3, 2, 10, tzinfo=UTC),
        )


async def test_a_goal_conversation_saved_before_the_engine_carries_on(
    service: MentorService, session_factory: Sessions
) -> None:
    alex, sam = await alex_and_sam(service, session_factory)
    old: dict[str, object] = {
        "area": "housing_safety",
        "title": "Get a flat",
        "step": None,
        "at": "when",
    }
    await saved_as_before(session_factory, "Sam", "goals", old)
    await sam.send("in a week")
    assert sam.texts[0] == "Your goal is saved: Get a flat. You aim to reach it by Mon 9 Mar."
    async with session_factory() as session:
        sam_id = (
            await session.scalars(select(Person.id).where(Person.display_name == "Sam"))
        ).one()
    old = {"mentee": sam_id, "name": "Sam", "title": "Walk to the shop", "at": "area"}
    await saved_as_before(session_factory, "Alex", "goal", old)
    await alex.send("health")  # words that came with the command: suggested at once
    assert alex.texts[0].startswith("Suggested to Sam: Walk to the shop.")
    titles = [goal.title for goal in await all_goals(session_factory)]
    assert titles == ["Get a flat", "Walk to the shop"]
