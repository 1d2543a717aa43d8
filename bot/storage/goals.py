"""The mentoring plan: priorities, goals, their steps and progress.

Every read that could cross people takes the mentee's id, so a flow can only reach goals that
belong to the person it already checked it may act for.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import (
    Goal,
    GoalAnswer,
    GoalProgress,
    GoalRhythm,
    GoalStatus,
    GoalStep,
    Priority,
    Role,
)

TITLE_LIMIT = 200  # characters a person may type for a goal, a step or a note
LIVE_GOALS = (GoalStatus.PROPOSED, GoalStatus.ACTIVE, GoalStatus.PAUSED)


async def set_priorities(
    session: AsyncSession,
    *,
    person_id: int,
    episode_id: int,
    assessment_id: int | None,
    domains: Sequence[str],
    now: datetime,
) -> None:
    """Replace the current priorities; the old rows stay, marked replaced, as history."""
    await session.execute(
        update(Priority)
        .where(Priority.person_id == person_id, Priority.replaced_at.is_(None))
        .values(replaced_at=now)
    )
    session.add_all(
        Priority(
            person_id=person_id,
            episode_id=episode_id,
            assessment_id=assessment_id,
            domain=domain,
            rank=rank,
            chosen_at=now,
        )
        for rank, domain in enumerate(domains, start=1)
    )
    await session.flush()


async def current_priorities(session: AsyncSession, person_id: int) -> list[str]:
    """The domain ids the person chose last, most important first."""
    query = (
        select(Priority.domain)
        .where(Priority.person_id == person_id, Priority.replaced_at.is_(None))
        .order_by(Priority.rank)
    )
    return list((await session.execute(query)).scalars())


async def priority_history(session: AsyncSession, person_id: int) -> list[Priority]:
    query = (
        select(Priority)
        .where(Priority.person_id == person_id)
        .order_by(Priority.chosen_at, Priority.rank)
    )
    return list((await session.execute(query)).scalars())


async def add_goal(
    session: AsyncSession,
    *,
    person_id: int,
    episode_id: int,
    domain: str,
    title: str,
    set_by: tuple[int, Role],
    now: datetime,
    steps: Sequence[str] = (),
    target_on: date | None = None,
    status: GoalStatus = GoalStatus.ACTIVE,
    rhythm: GoalRhythm = GoalRhythm.NONE,
    remind_weekday: int | None = None,
    remind_on: date | None = None,
    remind_at: time | None = None,
) -> Goal:
    goal = Goal(
        person_id=person_id,
        episode_id=episode_id,
        domain=domain,
        title=title,
        target_on=target_on,
        set_by_id=set_by[0],
        set_by_role=set_by[1],
        status=status,
        rhythm=rhythm,
        remind_weekday=remind_weekday,
        remind_on=remind_on,
        remind_at=remind_at,
        created_at=now,
        updated_at=now,
    )
    session.add(goal)
    await session.flush()
    for position, text in enumerate(steps, start=1):
        session.add(GoalStep(goal_id=goal.id, position=position, text=text))
    await session.flush()
    return goal


async def goal_of(session: AsyncSession, person_id: int, goal_id: int) -> Goal | None:
    """The goal with this id if it belongs to this mentee; None otherwise (forged ids too)."""
    goal = await session.get(Goal, goal_id)
    return goal if goal is not None and goal.person_id == person_id else None


async def goals_for(
    session: AsyncSession, person_id: int, statuses: Sequence[GoalStatus] = LIVE_GOALS
) -> list[Goal]:
    query = (
        select(Goal)
        .where(Goal.person_id == person_id, Goal.status.in_(statuses))
        .order_by(Goal.created_at, Goal.id)
    )
    return list((await session.execute(query)).scalars())


async def steps_of(session: AsyncSession, goal_id: int) -> list[GoalStep]:
    query = select(GoalStep).where(GoalStep.goal_id == goal_id).order_by(GoalStep.position)
    return list((await session.execute(query)).scalars())


async def add_step(session: AsyncSession, goal_id: int, text: str) -> GoalStep:
    position = len(await steps_of(session, goal_id)) + 1
    step = GoalStep(goal_id=goal_id, position=position, text=text)
    session.add(step)
    await session.flush()
    return step


def set_status(goal: Goal, status: GoalStatus, *, now: datetime) -> None:
    goal.status = status
    goal.updated_at = now
    goal.completed_at = now if status is GoalStatus.DONE else None


async def record_progress(
    session: AsyncSession,
    *,
    goal_id: int,
    answer: GoalAnswer,
    now: datetime,
    reminder_key: str | None = None,
) -> bool:
    """Record one answer; False when this reminder was already answered (a repeated tap)."""
    if reminder_key is not None:
        seen = await session.execute(
            select(GoalProgress.id).where(GoalProgress.reminder_key == reminder_key)
        )
        if seen.first() is not None:
            return False
    session.add(
        GoalProgress(goal_id=goal_id, answer=answer, reminder_key=reminder_key, recorded_at=now)
    )
    await session.flush()
    return True


async def progress_of(session: AsyncSession, goal_id: int) -> list[GoalProgress]:
    query = (
        select(GoalProgress)
        .where(GoalProgress.goal_id == goal_id)
        .order_by(GoalProgress.recorded_at, GoalProgress.id)
    )
    return list((await session.execute(query)).scalars())


async def not_yet_streak(session: AsyncSession, goal_id: int) -> int:
    """How many of the latest answers in a row were "not yet"."""
    streak = 0
    for entry in reversed(await progress_of(session, goal_id)):
        if entry.answer is not GoalAnswer.NOT_YET:
            break
        streak += 1
    return streak


def set_title(goal: Goal, title: str, *, now: datetime) -> None:
    goal.title = title
    goal.updated_at = now


def set_rhythm(
    goal: Goal,
    rhythm: GoalRhythm,
    *,
    now: datetime,
    weekday: int | None = None,
    on: date | None = None,
    at: time | None = None,
) -> None:
    """The reminder rule; fields that do not belong to the rhythm are cleared."""
    goal.rhythm = rhythm
    goal.remind_weekday = weekday if rhythm is GoalRhythm.WEEKLY else None
    goal.remind_on = on if rhythm is GoalRhythm.ONCE else None
    goal.remind_at = None if rhythm is GoalRhythm.NONE else at
    goal.updated_at = now


async def next_step(session: AsyncSession, goal_id: int) -> GoalStep | None:
    """The first step not yet ticked off."""
    return next((step for step in await steps_of(session, goal_id) if step.done_at is None), None)
