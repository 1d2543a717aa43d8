"""Turns what is due in the domain tables into outbox rows, re-checking that each still fits.

Runs every few seconds. Each message has a stable idempotency key, so running twice, or in two
processes, queues it once. A message whose moment has passed (the scheduler was down, say) is
recorded as skipped rather than sent late. Meetings are re-read every run, so a cancelled or
moved meeting simply stops producing reminders.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from bot.flows import goal_reminders, texts
from bot.flows.checkin import due_timepoint
from bot.flows.followups import followup_plans
from bot.flows.meeting_reminders import LIVE, local_at, meeting_plans
from bot.instruments import Instrument, load_instruments
from bot.reminder_policy import ReminderPolicy
from bot.scheduling import realerts
from bot.scheduling.endings import end_due_episodes
from bot.storage import erasure, outbox
from bot.storage.assessments import SELF_REPORT
from bot.storage.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Episode,
    EpisodeStatus,
    Meeting,
    OutboxMessage,
    OutboxStatus,
    Person,
    Timepoint,
)
from bot.storage.outbox import Queued

logger = logging.getLogger(__name__)

MENU_TOKEN = "menu"  # taps on it count as the command they carry (see flows.engine)
LOOK_AHEAD = timedelta(days=2)
LOOK_BACK = timedelta(days=7)  # a "did it happen?" question can still be asked a week late
RECENT_CHECKIN = timedelta(days=3)  # no weekly prompt right after a check-in
REPLIES_KEPT = timedelta(days=7)  # a settled reply is kept this long, to explain a delivery


@dataclass(frozen=True)
class MaterialiseResult:
    queued: int
    skipped: int


class Materialiser:
    def __init__(
        self,
        *,
        session_factory: async_sessionmaker[AsyncSession],
        policy: ReminderPolicy,
        zone: ZoneInfo,
        instruments: Mapping[str, Instrument] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.policy = policy
        self.zone = zone
        # The closing summary names areas as the questionnaire files do (the glossary).
        self.instruments = load_instruments() if instruments is None else instruments

    async def meetings(self, now: datetime) -> MaterialiseResult:
        """Queue meeting reminders and 'did it happen?' questions that are due."""
        async with self.session_factory() as session, session.begin():
            plans = await self._meeting_plans(session, now)
            return await _queue_due(session, plans, now)

    async def nudges(self, now: datetime) -> MaterialiseResult:
        """Queue mentor nudges and mentee check-in prompts that are due."""
        async with self.session_factory() as session, session.begin():
            plans = [
                *await self._mentor_nudges(session, now),
                *await self._checkin_prompts(session, now),
                *await self._unfinished_checkins(session, now),
            ]
            return await _queue_due(session, plans, now)

    async def signpost_followups(self, now: datetime) -> MaterialiseResult:
        """Queue the one-week "did you get in touch?" questions that are due."""
        async with self.session_factory() as session, session.begin():
            plans = await followup_plans(session, now, policy=self.policy, zone=self.zone)
            return await _queue_due(session, plans, now)

    async def goal_reminders(self, now: datetime) -> MaterialiseResult:
        """Queue the "How is your goal going?" reminders that are due; drop stale ones."""
        async with self.session_factory() as session, session.begin():
            await goal_reminders.withdraw_inactive(session, now)
            plans = await goal_reminders.goal_reminder_plans(session, now, zone=self.zone)
            return await _queue_due(session, plans, now)

    async def endings(self, now: datetime) -> int:
        """End the mentoring episodes whose time is up; both people get the closing summary."""
        async with self.session_factory() as session, session.begin():
            return await end_due_episodes(
                session, now, policy=self.policy, zone=self.zone, instruments=self.instruments
            )

    async def purge_expired(self, now: datetime, retention_days: int) -> int:
        """Erase the records of mentoring that ended more than `retention_days` ago."""
        before = now.astimezone(self.zone).date() - timedelta(days=retention_days)
        async with self.session_factory() as session, session.begin():
            return await erasure.purge_expired(session, before=before)

    async def forget_old_replies(self, now: datetime) -> int:
        """Replies settled over REPLIES_KEPT ago are deleted (docs/decisions.md 61)."""
        async with self.session_factory() as session, session.begin():
            return await outbox.forget_old_replies(session, before=now - REPLIES_KEPT)

    async def crisis_escalations(self, now: datetime) -> int:
        """Send alerts nobody picked up again, every 30 minutes (scheduling.realerts)."""
        async with self.session_factory() as session, session.begin():
            return await realerts.queue_due(session, now)

    async def _meeting_plans(self, session: AsyncSession, now: datetime) -> list[Queued]:
        mentee, mentor = aliased(Person), aliased(Person)
        query = (
            select(Meeting, mentee.display_name, mentor.display_name)
            .join(mentee, mentee.id == Meeting.mentee_id)
            .outerjoin(mentor, mentor.id == Meeting.mentor_id)
            .where(
                Meeting.status.in_(LIVE),
                Meeting.starts_at.between(now - LOOK_BACK, now + LOOK_AHEAD),
            )
        )
        plans: list[Queued] = []
        for meeting, mentee_name, mentor_name in await session.execute(query):
            plans += meeting_plans(
                meeting,
                mentee_name=mentee_name,
                mentor_name=mentor_name or "your mentor",
                policy=self.policy,
                zone=self.zone,
            )
        return plans

    async def _mentor_nudges(self, session: AsyncSession, now: datetime) -> list[Queued]:
        last_meeting = dict(
            (
                await session.execute(
                    select(Meeting.mentee_id, func.max(Meeting.starts_at))
                    .where(Meeting.status.in_(LIVE))
                    .group_by(Meeting.mentee_id)
                )
            )
            .tuples()
            .all()
        )
        last_checkin = dict(
            (
                await session.execute(
                    select(Assessment.person_id, func.max(Assessment.completed_at))
                    .where(Assessment.status == AssessmentStatus.COMPLETE, SELF_REPORT)
                    .group_by(Assessment.person_id)
                )
            )
            .tuples()
            .all()
        )
        unfinished_before = now - timedelta(days=self.policy.nudge_unfinished_days)
        unfinished = dict(
            (
                await session.execute(
                    select(Assessment.person_id, Assessment.id).where(
                        Assessment.status == AssessmentStatus.IN_PROGRESS,
                        Assessment.started_at <= unfinished_before,
                    )
                )
            )
            .tuples()
            .all()
        )
        plans: list[Queued] = []
        for episode, mentee in await _active_mentees(session):
            if episode.mentor_id is None:
                continue
            name = mentee.display_name
            started = local_at(episode.started_on, self.policy.mentor_morning_at, self.zone)

            def nudge(key: str, text: str, mentor_id: int = episode.mentor_id) -> Queued:
                return Queued(
                    person_id=mentor_id,
                    key=key,
                    kind="nudge",
                    text=text,
                    not_before=now,
                    respect_quiet_hours=False,
                )

            met = max(last_meeting.get(episode.mentee_id, started), started)
            if now - met >= timedelta(days=self.policy.nudge_no_meeting_days):
                plans.append(
                    nudge(
                        f"nudge:no-meeting:{episode.mentee_id}:{met:%Y%m%d}",
                        texts.NUDGE_NO_MEETING.format(name=name, days=(now - met).days),
                    )
                )
            checked = max(last_checkin.get(episode.mentee_id) or started, started)
            if now - checked >= timedelta(days=self.policy.nudge_no_checkin_days):
                plans.append(
                    nudge(
                        f"nudge:no-checkin:{episode.mentee_id}:{checked:%Y%m%d}",
                        texts.NUDGE_NO_CHECKIN.format(name=name, days=(now - checked).days),
                    )
                )
            if episode.mentee_id in unfinished:
                plans.append(
                    nudge(
                        f"nudge:unfinished:{unfinished[episode.mentee_id]}",
                        texts.NUDGE_UNFINISHED.format(
                            name=name, days=self.policy.nudge_unfinished_days
                        ),
                    )
                )
        return plans

    async def _checkin_prompts(self, session: AsyncSession, now: datetime) -> list[Queued]:
        """The weekly prompt on the mentee's chosen day and time; full checks when due."""
        done = await _completed_timepoints(session)
        recent = set(
            (
                await session.execute(
                    select(Assessment.person_id).where(
                        Assessment.completed_at >= now - RECENT_CHECKIN, SELF_REPORT
                    )
                )
            ).scalars()
        )
        in_progress = set(
            (
                await session.execute(
                    select(Assessment.person_id).where(
                        Assessment.status == AssessmentStatus.IN_PROGRESS
                    )
                )
            ).scalars()
        )
        today = now.astimezone(self.zone).date()
        valid = timedelta(hours=self.policy.checkin_prompt_valid_hours)
        plans: list[Queued] = []
        for episode, person in await _active_mentees(session):
            if person.opted_out_at is not None or person.id in in_progress:
                continue
            finished = done.get(episode.id, set())
            if Timepoint.BASELINE not in finished:
                continue
            due = due_timepoint(episode, finished, today)
            if due is not Timepoint.WEEKLY:
                plans.append(
                    self._prompt(
                        person,
                        f"assessment-due:{episode.id}:{due.value}",
                        texts.ASSESSMENT_DUE,
                        now,
                        None,
                    )
                )
                continue
            if person.checkin_weekday is None or person.checkin_time is None:
                continue
            if person.id in recent:
                continue
            back = (today.isoweekday() - person.checkin_weekday) % 7
            moment = local_at(today - timedelta(days=back), person.checkin_time, self.zone)
            if moment <= now < moment + valid:
                key = f"checkin-prompt:{person.id}:{moment.date().isoformat()}"
                plans.append(
                    self._prompt(person, key, texts.CHECKIN_PROMPT, moment, moment + valid)
                )
        return plans

    async def _unfinished_checkins(self, session: AsyncSession, now: datetime) -> list[Queued]:
        """One gentle word the day after a check-in was left part way (a break, or silence)."""
        last_answer = func.coalesce(func.max(Answer.answered_at), Assessment.started_at)
        query = (
            select(Assessment.id, Person, last_answer)
            .join(Person, Person.id == Assessment.person_id)
            .outerjoin(Answer, Answer.assessment_id == Assessment.id)
            .where(
                Assessment.status == AssessmentStatus.IN_PROGRESS,
                SELF_REPORT,
                Person.opted_out_at.is_(None),
            )
            .group_by(Assessment.id, Person.id, Assessment.started_at)
        )
        valid = timedelta(hours=self.policy.checkin_prompt_valid_hours)
        plans: list[Queued] = []
        for assessment_id, person, last in await session.execute(query):
            next_day = last.astimezone(self.zone).date() + timedelta(days=1)
            at = person.checkin_time or self.policy.unfinished_checkin_at
            moment = local_at(next_day, at, self.zone)
            key = f"checkin-unfinished:{assessment_id}"
            plans.append(
                self._prompt(person, key, texts.UNFINISHED_CHECKIN, moment, moment + valid)
            )
        return plans

    @staticmethod
    def _prompt(
        person: Person, key: str, text: str, due: datetime, expires: datetime | None
    ) -> Queued:
        return Queued(
            person_id=person.id,
            key=key,
            kind="prompt",
            text=text,
            not_before=due,
            expires_at=expires,
            choices=((texts.START_NOW, "/checkin"),),
            token=MENU_TOKEN,
        )


async def _active_mentees(session: AsyncSession) -> Sequence[tuple[Episode, Person]]:
    query = (
        select(Episode, Person)
        .join(Person, Person.id == Episode.mentee_id)
        .where(Episode.status == EpisodeStatus.ACTIVE)
    )
    return [(row[0], row[1]) for row in await session.execute(query)]


async def _completed_timepoints(session: AsyncSession) -> dict[int, set[Timepoint]]:
    query = select(Assessment.episode_id, Assessment.timepoint).where(
        Assessment.status == AssessmentStatus.COMPLETE, SELF_REPORT
    )
    done: dict[int, set[Timepoint]] = {}
    for episode_id, timepoint in await session.execute(query):
        done.setdefault(episode_id, set()).add(timepoint)
    return done


async def _queue_due(
    session: AsyncSession, plans: Iterable[Queued], now: datetime
) -> MaterialiseResult:
    """Queue what is due and not yet queued; record what came due too late as skipped."""
    due = [plan for plan in plans if plan.not_before <= now]
    if not due:
        return MaterialiseResult(0, 0)
    known = await _existing_keys(session, [plan.key for plan in due])
    queued = skipped = 0
    for plan in due:
        if plan.key in known:
            continue
        if plan.expires_at is not None and plan.expires_at <= now:
            await outbox.enqueue(
                session,
                plan,
                now=now,
                status=OutboxStatus.SKIPPED,
                reason="stale: came due too late to be useful",
            )
            skipped += 1
        else:
            await outbox.enqueue(session, plan, now=now)
            queued += 1
    return MaterialiseResult(queued, skipped)


async def _existing_keys(session: AsyncSession, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):  # keep IN lists well under driver limits
        chunk = keys[start : start + 500]
        query = select(OutboxMessage.idempotency_key).where(
            OutboxMessage.idempotency_key.in_(chunk)
        )
        found.update((await session.execute(query)).scalars())
    return found
