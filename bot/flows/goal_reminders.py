"""Goal reminders: "How is <goal> going?" at the local time the mentee chose for the goal.

A goal's rhythm is none, daily, weekly on one day, or once on a date. The reminder due is the
latest such moment at or before now, worked out in local time with zoneinfo, so 18:00 stays
18:00 across the March and October clock changes. Each is queued once (key
`goal:<id>:<local date>`), only for active goals of mentees still in mentoring, and one that
could not go out within STILL_WORTH_SENDING of its time is recorded as skipped, not sent late.
Quiet hours are the dispatcher's: a reminder set inside them waits for the morning.
Its buttons carry `gr-<id>-<yyyymmdd>`, so the answer knows which reminder it answers.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.sms_text import BUDGET, length, numbered, to_gsm7
from bot.flows import texts
from bot.flows.meeting_reminders import local_at
from bot.messages import Choice
from bot.storage import outbox
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
)
from bot.storage.outbox import Queued

KIND = "goal_reminder"
STILL_WORTH_SENDING = timedelta(hours=12)  # the next morning, for a time set in quiet hours
ANSWER_CHOICES = (
    (texts.GOAL_ANSWER_DONE, GoalAnswer.DONE.value),
    (texts.GOAL_ANSWER_SOME, GoalAnswer.SOME.value),
    (texts.GOAL_ANSWER_NOT_YET, GoalAnswer.NOT_YET.value),
    (texts.GOAL_ANSWER_CHANGE, GoalAnswer.CHANGE.value),
)
_TOKEN = re.compile(r"^gr-(\d{1,9})-(\d{8})$")


def reminder_token(goal_id: int, day: date) -> str:
    """`gr-42-20260331`: no ":", since Telegram packs `token:value` into the button."""
    return f"gr-{goal_id}-{day:%Y%m%d}"


def parse_token(token: str) -> tuple[int, date] | None:
    """(goal id, local date of the reminder) from a button token; None if it is not one."""
    match = _TOKEN.match(token)
    if match is None:
        return None
    try:
        return int(match[1]), datetime.strptime(match[2], "%Y%m%d").date()
    except ValueError:
        return None


def reminder_key(goal_id: int, day: date) -> str:
    """The outbox key of one reminder; answers are recorded against it."""
    return f"goal:{goal_id}:{day.isoformat()}"


def latest_moment(goal: Goal, now: datetime, zone: ZoneInfo) -> datetime | None:
    """The goal's last reminder time at or before now (in UTC); None if it has none yet."""
    if goal.remind_at is None:
        return None
    today = now.astimezone(zone).date()
    if goal.rhythm is GoalRhythm.DAILY:
        days = [today, today - timedelta(days=1)]
    elif goal.rhythm is GoalRhythm.WEEKLY and goal.remind_weekday is not None:
        last = today - timedelta(days=(today.isoweekday() - goal.remind_weekday) % 7)
        days = [last, last - timedelta(days=7)]
    elif goal.rhythm is GoalRhythm.ONCE and goal.remind_on is not None:
        days = [goal.remind_on]
    else:
        return None
    for day in days:
        moment = local_at(day, goal.remind_at, zone).astimezone(UTC)
        if moment <= now:
            return moment
    return None


def goal_plan(goal: Goal, now: datetime, zone: ZoneInfo) -> Queued | None:
    """The reminder this goal has due by now, if any; it may already be queued or stale."""
    if goal.status is not GoalStatus.ACTIVE:
        return None
    moment = latest_moment(goal, now, zone)
    if moment is None or moment < goal.created_at:  # due before the goal was set
        return None
    day = moment.astimezone(zone).date()
    return Queued(
        person_id=goal.person_id,
        key=reminder_key(goal.id, day),
        kind=KIND,
        text=texts.GOAL_REMINDER.format(goal=goal.title),
        not_before=moment,
        expires_at=moment + STILL_WORTH_SENDING,
        choices=ANSWER_CHOICES,
        token=reminder_token(goal.id, day),
        sms_text=sms_text(goal.title),
    )


def _sms_body(text: str) -> str:
    choices = tuple(Choice(label, value) for label, value in ANSWER_CHOICES)
    return f"{to_gsm7(text)}\n{to_gsm7(numbered(choices))}"


def sms_text(title: str) -> str | None:
    """A shorter wording when the goal's title would take the text past two segments."""
    if length(_sms_body(texts.GOAL_REMINDER.format(goal=title))) <= BUDGET:
        return None
    room = BUDGET - length(_sms_body(texts.GOAL_REMINDER.format(goal=""))) - len("...")
    short = ""
    for char in to_gsm7(title):
        if length(short + char) > room:
            break
        short += char
    return texts.GOAL_REMINDER.format(goal=short.rstrip() + "...")


async def goal_reminder_plans(
    session: AsyncSession, now: datetime, *, zone: ZoneInfo
) -> list[Queued]:
    """The reminders due by now for active goals of mentees in mentoring who have not opted out."""
    query = (
        select(Goal)
        .join(Episode, Episode.id == Goal.episode_id)
        .join(Person, Person.id == Goal.person_id)
        .where(
            Goal.status == GoalStatus.ACTIVE,
            Goal.rhythm != GoalRhythm.NONE,
            Goal.remind_at.is_not(None),
            Episode.status == EpisodeStatus.ACTIVE,
            Person.opted_out_at.is_(None),
        )
    )
    plans = [goal_plan(goal, now, zone) for goal in (await session.execute(query)).scalars()]
    return [plan for plan in plans if plan is not None]


async def withdraw_inactive(session: AsyncSession, now: datetime) -> int:
    """Skip queued reminders whose goal stopped being active, or whose mentoring ended."""
    keys = await session.execute(
        select(OutboxMessage.idempotency_key).where(
            OutboxMessage.kind == KIND, OutboxMessage.status == OutboxStatus.PENDING
        )
    )
    goal_ids = {int(key.split(":")[1]) for key in keys.scalars()}
    if not goal_ids:
        return 0
    live = set(
        (
            await session.execute(
                select(Goal.id)
                .join(Episode, Episode.id == Goal.episode_id)
                .where(
                    Goal.id.in_(goal_ids),
                    Goal.status == GoalStatus.ACTIVE,
                    Episode.status == EpisodeStatus.ACTIVE,
                )
            )
        ).scalars()
    )
    withdrawn = 0
    for goal_id in sorted(goal_ids - live):
        withdrawn += await withdraw(session, goal_id, reason="goal no longer active", now=now)
    return withdrawn


async def withdraw(session: AsyncSession, goal_id: int, *, reason: str, now: datetime) -> int:
    """Skip this goal's reminders still waiting to go out (it is done, paused or changed)."""
    return await outbox.skip_pending(
        session, key_prefix=f"goal:{goal_id}:", reason=reason, now=now, kind=KIND
    )
