"""Goal reminders arrive at the mentee's chosen local time, and their answers are kept.

The clock starts on Monday 23 March 2026 at 09:00 UTC (09:00 GMT). The clocks go forward on
Sunday 29 March, so Tuesday 18:00 is 18:00 UTC on the 24th and 17:00 UTC from the 31st on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta

import httpx
import pytest

from bot.delivery.sms import SmsSender
from bot.delivery.sms_text import BUDGET, length
from bot.delivery.twilio_gateway import TwilioGateway
from bot.flows import texts
from bot.flows.goal_reminders import STILL_WORTH_SENDING, goal_plan, latest_moment, sms_text
from bot.handlers.sms import SmsWebhook
from bot.handlers.web import create_web_app
from bot.instruments import Instrument
from bot.messages import Channel, Sender
from bot.service import MentorService
from bot.storage import goals, people
from bot.storage.models import (
    Episode,
    EpisodeStatus,
    Goal,
    GoalAnswer,
    GoalRhythm,
    GoalStatus,
    OutboxMessage,
    OutboxStatus,
    Person,
    Role,
)
from tests.conftest import LONDON, FakeClock, make_service
from tests.fakes.twilio_api import (
    AUTH_TOKEN,
    FakeTwilioAPI,
    form,
    inbound_params,
    signed,
)
from tests.scheduling.conftest import MENTEE_CHAT, MENTOR_CHAT, SchedulerWorld, local
from tests.utils import Chat, tap_sent_button

TUESDAY = 2
TITLE = "Walk to the park and back"
QUESTION = f'How is "{TITLE}" going?'
BUTTONS = ["Done", "Some progress", "Not yet", "Change it"]
SAM_PHONE = "+447700900123"
PUBLIC = "https://bot.example.org"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 23, 9, 0, tzinfo=UTC))


async def add_goal(
    world: SchedulerWorld,
    rhythm: GoalRhythm,
    *,
    at: time = time(18, 0),
    weekday: int | None = None,
    on: date | None = None,
    title: str = TITLE,
) -> int:
    async with world.session_factory() as session, session.begin():
        episode = await people.active_episode(session, world.mentee_id)
        assert episode is not None
        goal = await goals.add_goal(
            session,
            person_id=world.mentee_id,
            episode_id=episode.id,
            domain="physical_health",
            title=title,
            set_by=(world.mentee_id, Role.MENTEE),
            now=world.clock.now,
            rhythm=rhythm,
            remind_weekday=weekday,
            remind_on=on,
            remind_at=at,
        )
        return goal.id


# Scheduler beats at these local times each day (not every few minutes, to keep tests quick):
# either side of the chosen times, and through the quiet hours (21:00-08:00).
BEATS: tuple[time, ...] = (time(0, 0), time(8, 0), time(10, 0), time(12, 0), time(17, 45))
BEATS += (time(18, 0), time(18, 15), time(21, 0), time(22, 30))
FEWER_BEATS = (time(12, 0), time(17, 45), time(18, 0))


async def run_days(world: SchedulerWorld, end: datetime, beats: tuple[time, ...] = BEATS) -> None:
    """Run the whole scheduler at each beat, local time, from now until `end`."""
    day = world.clock.now.astimezone(LONDON).date()
    while True:
        for beat in beats:
            moment = datetime.combine(day, beat, tzinfo=LONDON)
            if moment > end:
                return
            if moment > world.clock.now:
                world.clock.now = moment.astimezone(UTC)
                await world.tick()
        day += timedelta(days=1)


async def set_status(world: SchedulerWorld, goal_id: int, status: GoalStatus) -> None:
    async with world.session_factory() as session, session.begin():
        goal = await session.get(Goal, goal_id)
        assert goal is not None
        goals.set_status(goal, status, now=world.clock.now)


async def get_goal(world: SchedulerWorld, goal_id: int) -> Goal:
    async with world.session_factory() as session:
        goal = await session.get(Goal, goal_id)
        assert goal is not None
        return goal


async def answers(world: SchedulerWorld, goal_id: int) -> list[tuple[GoalAnswer, str | None]]:
    async with world.session_factory() as session:
        entries = await goals.progress_of(session, goal_id)
    return [(entry.answer, entry.reminder_key) for entry in entries]


async def reminders(world: SchedulerWorld) -> list[OutboxMessage]:
    return [row for row in await world.outbox() if row.kind == "goal_reminder"]


def sent_local(rows: list[OutboxMessage]) -> list[datetime]:
    return [row.sent_at.astimezone(LONDON) for row in rows if row.sent_at is not None]


def mentee_chat(world: SchedulerWorld, instruments: dict[str, Instrument]) -> Chat:
    service = make_service(world.session_factory, instruments, world.clock)
    return Chat(service, sender=Sender(Channel.TELEGRAM, str(MENTEE_CHAT), MENTEE_CHAT))


def mentor_heard(world: SchedulerWorld, start: str) -> list[str]:
    return [
        m.text or ""
        for m in world.fake.messages_to(MENTOR_CHAT)
        if (m.text or "").startswith(start)
    ]


async def test_weekly_on_tuesday_at_18_local_across_the_clock_change_until_done(
    world: SchedulerWorld, instruments: dict[str, Instrument]
) -> None:
    goal = await add_goal(world, GoalRhythm.WEEKLY, weekday=TUESDAY)
    await run_days(world, local(2026, 3, 24, 17, 45))
    assert world.fake.messages_to(MENTEE_CHAT) == []  # not before 18:00
    await run_days(world, local(2026, 4, 1, 0, 0))
    first, second = world.fake.messages_to(MENTEE_CHAT)
    assert first.text == second.text == QUESTION
    assert first.button_labels == BUTTONS
    assert first.data_for("Done") == f"gr-{goal}-20260324:done"
    assert second.data_for("Not yet") == f"gr-{goal}-20260331:not_yet"
    rows = await reminders(world)
    assert sent_local(rows) == [local(2026, 3, 24, 18, 0), local(2026, 3, 31, 18, 0)]
    assert [row.sent_at for row in rows] == [
        datetime(2026, 3, 24, 18, 0, tzinfo=UTC),  # GMT
        datetime(2026, 3, 31, 17, 0, tzinfo=UTC),  # BST
    ]

    mentee = mentee_chat(world, instruments)
    replies = await tap_sent_button(mentee, f"gr-{goal}-20260324", "some")
    assert [r.text for r in replies] == [texts.GOAL_THANKS_SOME]
    await tap_sent_button(mentee, f"gr-{goal}-20260331", "not_yet")
    again = await tap_sent_button(mentee, f"gr-{goal}-20260331", "done")  # one answer each
    assert [r.text for r in again] == [texts.GOAL_ANSWERED_ALREADY]
    assert await answers(world, goal) == [
        (GoalAnswer.SOME, f"goal:{goal}:2026-03-24"),
        (GoalAnswer.NOT_YET, f"goal:{goal}:2026-03-31"),
    ]

    await set_status(world, goal, GoalStatus.PAUSED)  # paused: no reminder on the 7th
    await run_days(world, local(2026, 4, 8, 9, 0), FEWER_BEATS)
    assert len(world.fake.messages_to(MENTEE_CHAT)) == 2
    await set_status(world, goal, GoalStatus.ACTIVE)
    await run_days(world, local(2026, 4, 15, 0, 0), FEWER_BEATS)
    assert sent_local(await reminders(world))[-1] == local(2026, 4, 14, 18, 0)

    done = await tap_sent_button(mentee, f"gr-{goal}-20260414", "done")
    assert [r.text for r in done] == [f"{texts.GOAL_THANKS_DONE} I have told Alex."]
    assert mentee.stale is False
    await world.tick()
    assert mentor_heard(world, "Sam has done") == [f"Sam has done their goal: {TITLE}"]
    assert (await get_goal(world, goal)).status is GoalStatus.DONE

    await run_days(world, local(2026, 4, 29, 0, 0), FEWER_BEATS)
    assert len(world.fake.messages_to(MENTEE_CHAT)) == 3  # done: no more reminders
    late = await tap_sent_button(mentee, f"gr-{goal}-20260414", "done")
    assert [r.text for r in late] == [texts.GOAL_ALREADY_DONE]
    await world.tick()
    assert len(mentor_heard(world, "Sam has done")) == 1  # told once
    assert [a for a, _ in await answers(world, goal)] == [
        GoalAnswer.SOME,
        GoalAnswer.NOT_YET,
        GoalAnswer.DONE,
    ]


async def test_a_time_in_quiet_hours_waits_for_the_morning_and_a_pause_withdraws_it(
    world: SchedulerWorld,
) -> None:
    goal = await add_goal(world, GoalRhythm.DAILY, at=time(22, 30))
    await run_days(world, local(2026, 3, 24, 9, 0))
    assert sent_local(await reminders(world)) == [local(2026, 3, 24, 8, 0)]  # quiet until 08:00
    await run_days(world, local(2026, 3, 25, 7, 0))
    [_, waiting] = await reminders(world)
    assert waiting.status is OutboxStatus.PENDING  # due 22:30, held through the night
    await set_status(world, goal, GoalStatus.PAUSED)
    await run_days(world, local(2026, 3, 25, 12, 0))
    [_, withdrawn] = await reminders(world)
    assert withdrawn.status is OutboxStatus.SKIPPED and withdrawn.sent_at is None
    assert len(world.fake.messages_to(MENTEE_CHAT)) == 1


async def test_daily_at_the_same_local_time_through_the_clock_change(
    world: SchedulerWorld,
) -> None:
    await add_goal(world, GoalRhythm.DAILY, at=time(9, 30))  # set at 09:00, first today
    await run_days(world, local(2026, 3, 31, 0, 0), (time(9, 0), time(9, 30), time(18, 0)))
    assert sent_local(await reminders(world)) == [
        local(2026, 3, day, 9, 30) for day in range(23, 31)
    ]


async def test_once_on_its_date_only_and_not_for_a_time_already_past(
    world: SchedulerWorld,
) -> None:
    once = await add_goal(world, GoalRhythm.ONCE, on=date(2026, 3, 26), at=time(12, 0))
    daily = await add_goal(world, GoalRhythm.DAILY, at=time(8, 0))  # 08:00 passed when set
    await add_goal(world, GoalRhythm.NONE)
    await run_days(world, local(2026, 3, 24, 7, 0))
    assert await reminders(world) == []
    await run_days(world, local(2026, 4, 2, 0, 0), (time(8, 0), time(12, 0)))
    rows = await reminders(world)
    of_once = [row for row in rows if row.idempotency_key.startswith(f"goal:{once}:")]
    assert sent_local(of_once) == [local(2026, 3, 26, 12, 0)]
    of_daily = [row for row in rows if row.idempotency_key.startswith(f"goal:{daily}:")]
    assert sent_local(of_daily) == [local(2026, 3, 24 + n, 8, 0) for n in range(8)] + [
        local(2026, 4, 1, 8, 0)
    ]
    assert len(rows) == len(of_once) + len(of_daily)  # none for the goal without a rhythm


async def test_no_reminders_after_stop_or_once_mentoring_ends(
    world: SchedulerWorld, instruments: dict[str, Instrument]
) -> None:
    goal = await add_goal(world, GoalRhythm.DAILY, at=time(12, 0))
    await run_days(world, local(2026, 3, 23, 12, 0))
    assert len(world.fake.messages_to(MENTEE_CHAT)) == 1
    mentee = mentee_chat(world, instruments)
    await mentee.send("stop")
    await run_days(world, local(2026, 3, 26, 10, 0))
    assert len(world.fake.messages_to(MENTEE_CHAT)) == 1
    await mentee.send("start")
    await run_days(world, local(2026, 3, 27, 12, 0))
    assert len(world.fake.messages_to(MENTEE_CHAT)) == 3  # back on: the 26th and the 27th
    async with world.session_factory() as session, session.begin():
        episode = await session.get(Episode, (await get_goal(world, goal)).episode_id)
        assert episode is not None
        episode.status = EpisodeStatus.ENDED
    await run_days(world, local(2026, 3, 30, 13, 0))
    assert len(world.fake.messages_to(MENTEE_CHAT)) == 3


async def test_a_reminder_the_scheduler_could_not_send_in_time_is_skipped(
    world: SchedulerWorld,
) -> None:
    await add_goal(world, GoalRhythm.ONCE, on=date(2026, 3, 25), at=time(10, 0))
    world.clock.now = (local(2026, 3, 25, 10, 0) + STILL_WORTH_SENDING).astimezone(UTC)
    await world.tick()  # the scheduler was down until now
    [row] = await reminders(world)
    assert row.status is OutboxStatus.SKIPPED and row.sent_at is None
    assert world.fake.messages_to(MENTEE_CHAT) == []


async def test_three_not_yets_in_a_row_suggest_a_chat_and_nudge_the_mentor_once(
    world: SchedulerWorld, instruments: dict[str, Instrument]
) -> None:
    goal = await add_goal(world, GoalRhythm.DAILY, at=time(10, 0))
    mentee = mentee_chat(world, instruments)
    replies = []
    for day in range(23, 28):
        await run_days(world, local(2026, 3, day, 10, 0))
        choice = "some" if day == 23 else "not_yet"  # then four "not yet" in a row
        replies.append(await tap_sent_button(mentee, f"gr-{goal}-202603{day}", choice))
        await world.tick()
    texts_seen = [[r.text for r in reply] for reply in replies]
    talk = texts.GOAL_TALK_IT_OVER.format(mentor="Alex")
    assert texts_seen == [
        [texts.GOAL_THANKS_SOME],
        [texts.GOAL_THANKS_NOT_YET],
        [texts.GOAL_THANKS_NOT_YET],
        [f"{talk} {texts.GOAL_LET_THEM_KNOW}"],
        [texts.GOAL_THANKS_NOT_YET],
    ]
    assert mentor_heard(world, "Sam has said") == [
        f'Sam has said "not yet" three times in a row about their goal: {TITLE}. '
        "A chat about it may help."
    ]


async def test_change_it_points_to_the_goals_and_tells_the_mentor(
    world: SchedulerWorld, instruments: dict[str, Instrument]
) -> None:
    goal = await add_goal(world, GoalRhythm.DAILY, at=time(10, 0))
    await run_days(world, local(2026, 3, 24, 10, 0))
    mentee = mentee_chat(world, instruments)
    [reply] = await tap_sent_button(mentee, f"gr-{goal}-20260324", "change")
    assert reply.text == f"{texts.GOAL_CHANGE_HOW} I have told Alex."
    assert [(c.label, c.value) for c in reply.choices] == [("My goals", "/goals")]
    assert reply.token == "menu"
    await world.tick()
    assert mentor_heard(world, "Sam would") == [f"Sam would like to change their goal: {TITLE}"]
    assert await answers(world, goal) == [(GoalAnswer.CHANGE, f"goal:{goal}:2026-03-24")]
    assert (await get_goal(world, goal)).status is GoalStatus.ACTIVE


async def test_a_forged_tap_on_someone_elses_goal_does_nothing(
    world: SchedulerWorld, instruments: dict[str, Instrument]
) -> None:
    goal = await add_goal(world, GoalRhythm.DAILY, at=time(10, 0))
    service = make_service(world.session_factory, instruments, world.clock)
    mentor = Chat(service, sender=Sender(Channel.TELEGRAM, str(MENTOR_CHAT), MENTOR_CHAT))
    await tap_sent_button(mentor, f"gr-{goal}-20260324", "done")
    assert mentor.stale
    mentee = mentee_chat(world, instruments)
    await tap_sent_button(mentee, f"gr-{goal}-20260324", "finished")  # not an answer
    assert mentee.stale
    assert await answers(world, goal) == []
    assert (await get_goal(world, goal)).status is GoalStatus.ACTIVE


async def test_paused_goal_answers_kindly(
    world: SchedulerWorld, instruments: dict[str, Instrument]
) -> None:
    goal = await add_goal(world, GoalRhythm.DAILY, at=time(10, 0))
    await run_days(world, local(2026, 3, 24, 10, 0))
    await set_status(world, goal, GoalStatus.PAUSED)
    replies = await tap_sent_button(mentee_chat(world, instruments), f"gr-{goal}-20260324", "done")
    assert [r.text for r in replies] == [texts.GOAL_PAUSED_NOW]
    assert await answers(world, goal) == []


@pytest.fixture
async def texting(
    world: SchedulerWorld, instruments: dict[str, Instrument]
) -> AsyncIterator[tuple[FakeTwilioAPI, httpx.AsyncClient, SmsWebhook]]:
    """The mentee has only a phone; reminders go by text and replies come back by text."""
    async with world.session_factory() as session, session.begin():
        mentee = await session.get(Person, world.mentee_id)
        assert mentee is not None
        mentee.telegram_user_id = mentee.telegram_chat_id = None
        mentee.phone = SAM_PHONE
    async with FakeTwilioAPI() as twilio:
        settings = twilio.settings(public_url=PUBLIC)
        gateway = TwilioGateway(settings)
        sender = SmsSender(gateway, world.session_factory)
        world.jobs.dispatcher.senders.append(sender)
        service: MentorService = make_service(world.session_factory, instruments, world.clock)
        webhook = SmsWebhook(
            service=service,
            auth_token=AUTH_TOKEN,
            public_url=PUBLIC,
            dispatcher=world.jobs.dispatcher,
            sms=sender,
        )
        transport = httpx.ASGITransport(app=create_web_app(sms=webhook))
        async with httpx.AsyncClient(transport=transport, base_url="http://internal") as client:
            yield twilio, client, webhook
        await gateway.close()


async def test_by_text_a_long_goal_fits_two_segments_and_replying_1_marks_it_done(
    world: SchedulerWorld,
    texting: tuple[FakeTwilioAPI, httpx.AsyncClient, SmsWebhook],
) -> None:
    twilio, client, webhook = texting
    title = "Get back in touch with my sister [and her kids] " * 5  # typed, up to 200
    goal = await add_goal(world, GoalRhythm.WEEKLY, weekday=TUESDAY, title=title[:200])
    await run_days(world, local(2026, 3, 24, 18, 0))
    [text] = twilio.to(SAM_PHONE)
    assert length(text) <= BUDGET
    assert text.startswith('How is "Get back in touch with my sister [and her kids]')
    assert text.endswith('" going?\n1 Done\n2 Some progress\n3 Not yet\n4 Change it\nReply 1-4')

    params = inbound_params("SM" + "1" * 32, SAM_PHONE, "1")
    response = await client.post(
        "/twilio/sms", content=form(params), headers=signed(f"{PUBLIC}/twilio/sms", params)
    )
    await webhook.drain()
    assert response.status_code == 200
    assert twilio.to(SAM_PHONE)[-1] == f"{texts.GOAL_THANKS_DONE} I have told Alex."
    assert (await get_goal(world, goal)).status is GoalStatus.DONE
    await world.tick()
    assert len(mentor_heard(world, "Sam has done their goal")) == 1


def in_memory_goal(rhythm: GoalRhythm, **rule: object) -> Goal:
    return Goal(
        id=7,
        person_id=1,
        title=TITLE,
        status=GoalStatus.ACTIVE,
        rhythm=rhythm,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        **rule,
    )


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (local(2026, 10, 20, 17, 59), local(2026, 10, 13, 18, 0)),
        (local(2026, 10, 20, 18, 0), local(2026, 10, 20, 18, 0)),  # 17:00 UTC, BST
        (local(2026, 10, 26, 9, 0), local(2026, 10, 20, 18, 0)),  # after the clocks go back
        (local(2026, 10, 27, 18, 5), local(2026, 10, 27, 18, 0)),  # 18:00 UTC, GMT
    ],
)
def test_weekly_moment_holds_its_local_time_in_october(now: datetime, due: datetime) -> None:
    goal = in_memory_goal(GoalRhythm.WEEKLY, remind_weekday=TUESDAY, remind_at=time(18, 0))
    assert latest_moment(goal, now.astimezone(UTC), LONDON) == due


def test_no_plan_without_a_rhythm_or_for_a_goal_that_is_not_active() -> None:
    now = local(2026, 10, 20, 19, 0).astimezone(UTC)
    assert goal_plan(in_memory_goal(GoalRhythm.NONE, remind_at=time(18, 0)), now, LONDON) is None
    paused = in_memory_goal(GoalRhythm.DAILY, remind_at=time(18, 0))
    paused.status = GoalStatus.PAUSED
    assert goal_plan(paused, now, LONDON) is None
    plan = goal_plan(in_memory_goal(GoalRhythm.DAILY, remind_at=time(18, 0)), now, LONDON)
    assert plan is not None
    assert (plan.key, plan.token) == ("goal:7:2026-10-20", "gr-7-20261020")
    assert plan.sms_text is None  # a short goal needs no shorter wording


@pytest.mark.parametrize("title", ["x" * 200, "[" * 200, "\u201cdon\u2019t\u201d " * 25, "a"])
def test_the_text_stays_within_two_segments_whatever_the_title(title: str) -> None:
    from bot.delivery.sms_text import render
    from bot.flows.goal_reminders import ANSWER_CHOICES
    from bot.messages import Choice, Reply

    wording = sms_text(title) or texts.GOAL_REMINDER.format(goal=title)
    choices = tuple(Choice(label, value) for label, value in ANSWER_CHOICES)
    [text] = render(Reply(wording, choices=choices))
    assert length(text) <= BUDGET
    if title.startswith("["):  # 400 septets: cut short, and says so
        assert text.startswith('How is "[[[') and '[..." going?' in text
