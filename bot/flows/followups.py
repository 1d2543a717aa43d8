"""The question a week after a signpost: "Did you get in touch with X?"

It goes out at a set local time (11:00 by default, config/reminders.yaml) on the first day at
least a week after the service was sent: a message in the late morning is easy to answer and
the services are open if the mentee wants to call there and then. Worked out in local time with
zoneinfo, so the hour holds across clock changes. Only unanswered signposts of mentees still in
mentoring are asked about, each once (key `signpost:{id}:followup`); a question the scheduler
could not send within a week of its time is skipped rather than sent late.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows import texts
from bot.flows.meeting_reminders import local_at
from bot.reminder_policy import ReminderPolicy
from bot.storage import signposts
from bot.storage.models import Episode, EpisodeStatus, FollowupAnswer
from bot.storage.outbox import Queued
from bot.storage.signposts import SentService

STILL_WORTH_ASKING = timedelta(days=7)
FOLLOWUP_CHOICES = (
    (texts.FOLLOWUP_HELPED, FollowupAnswer.YES_HELPED.value),
    (texts.FOLLOWUP_NOT_HELPFUL, FollowupAnswer.YES_NOT_HELPFUL.value),
    (texts.FOLLOWUP_NOT_YET, FollowupAnswer.NOT_YET.value),
    (texts.FOLLOWUP_DONT_NEED, FollowupAnswer.DONT_NEED.value),
)


def action_token(signpost_id: int) -> str:
    """`sp-42`: no ":", since Telegram packs `token:value` into the button."""
    return f"sp-{signpost_id}"


def followup_due(sent_at: datetime, policy: ReminderPolicy, zone: ZoneInfo) -> datetime:
    """The first `signpost_followup_at` local time at least `signpost_followup_days` later."""
    earliest = (sent_at + timedelta(days=policy.signpost_followup_days)).astimezone(zone)
    due = local_at(earliest.date(), policy.signpost_followup_at, zone)
    if due < earliest:
        due = local_at(earliest.date() + timedelta(days=1), policy.signpost_followup_at, zone)
    return due


def followup_message(sent: SentService, due: datetime) -> Queued:
    signpost = sent.signpost
    return Queued(
        person_id=signpost.mentee_id,
        key=f"signpost:{signpost.id}:followup",
        kind="signpost_followup",
        text=texts.FOLLOWUP_ASK.format(
            mentor=sent.sender or texts.YOUR_MENTOR, service=sent.service
        ),
        not_before=due,
        expires_at=due + STILL_WORTH_ASKING,
        choices=FOLLOWUP_CHOICES,
        token=action_token(signpost.id),
        respect_quiet_hours=True,
    )


async def followup_plans(
    session: AsyncSession, now: datetime, *, policy: ReminderPolicy, zone: ZoneInfo
) -> list[Queued]:
    """The follow-up questions due by now (and recently stale ones, to be recorded as such)."""
    wait = timedelta(days=policy.signpost_followup_days)
    sent = await signposts.unanswered_sent_between(
        session, start=now - wait - STILL_WORTH_ASKING - timedelta(days=1), end=now - wait
    )
    in_mentoring = set(
        (
            await session.execute(
                select(Episode.mentee_id).where(Episode.status == EpisodeStatus.ACTIVE)
            )
        ).scalars()
    )
    plans = []
    for item in sent:
        due = followup_due(item.signpost.sent_at, policy, zone)
        if item.signpost.mentee_id in in_mentoring and due <= now:
            plans.append(followup_message(item, due))
    return plans
