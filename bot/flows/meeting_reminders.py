"""What a meeting should cause to be sent, and when: pure functions of the meeting and policy.

Times are worked out in local time with zoneinfo, so "the day before at 17:00" and "the
morning of" stay at those local times across the March and October clock changes. The same
functions answer `/upcoming`, so what mentors are shown is exactly what will be sent.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.flows import texts
from bot.flows.meetings import describe_when
from bot.reminder_policy import ReminderPolicy
from bot.storage.models import Meeting, MeetingStatus
from bot.storage.outbox import Queued

LIVE = (MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED)


def local_at(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone)


def meeting_plans(
    meeting: Meeting,
    *,
    mentee_name: str,
    mentor_name: str,
    policy: ReminderPolicy,
    zone: ZoneInfo,
) -> list[Queued]:
    """Every reminder and question this meeting should produce, with its due and stale times."""
    if meeting.status not in LIVE:
        return []
    start = meeting.starts_at
    local = start.astimezone(zone)
    when, clock_time = describe_when(start, zone), f"{local:%H:%M}"
    hours_before = start - timedelta(hours=policy.mentee_hours_before)
    answer_buttons = (
        (texts.MEETING_CONFIRM, "confirm"),
        (texts.MEETING_CANT, "decline"),
    )
    key = f"meeting:{meeting.id}"
    plans = [
        Queued(
            person_id=meeting.mentee_id,
            key=f"{key}:mentee-day-before",
            kind="reminder",
            text=texts.REMINDER_DAY_BEFORE.format(
                mentor=mentor_name, when=when, place=meeting.place
            ),
            not_before=local_at(
                local.date() - timedelta(days=1), policy.mentee_day_before_at, zone
            ),
            expires_at=hours_before,  # past this the shorter reminder takes over
            choices=answer_buttons,
            token=f"mt-{meeting.id}",
            sms_text=texts.SMS_REMINDER_DAY_BEFORE.format(mentor=mentor_name, when=when),
        ),
        Queued(
            person_id=meeting.mentee_id,
            key=f"{key}:mentee-hours-before",
            kind="reminder",
            text=texts.REMINDER_HOURS_BEFORE.format(
                mentor=mentor_name, time=clock_time, place=meeting.place
            ),
            not_before=hours_before,
            expires_at=start,
            choices=answer_buttons,
            token=f"mt-{meeting.id}",
            sms_text=texts.SMS_REMINDER_HOURS_BEFORE.format(mentor=mentor_name, time=clock_time),
        ),
    ]
    if meeting.mentor_id is not None:
        plans += _mentor_plans(meeting, key, mentee_name, policy, zone, when, clock_time)
    # A reminder that fell due before the meeting was booked adds nothing to the invitation.
    return [plan for plan in plans if plan.not_before > meeting.created_at]


def _mentor_plans(
    meeting: Meeting,
    key: str,
    mentee_name: str,
    policy: ReminderPolicy,
    zone: ZoneInfo,
    when: str,
    clock_time: str,
) -> list[Queued]:
    assert meeting.mentor_id is not None
    local = meeting.starts_at.astimezone(zone)
    status = texts.MEETING_STATUS_NAMES[meeting.status.value]
    morning = local_at(local.date(), policy.mentor_morning_at, zone)
    plans = [
        Queued(
            person_id=meeting.mentor_id,
            key=f"{key}:mentor-morning",
            kind="reminder",
            text=texts.REMINDER_MENTOR_MORNING.format(
                name=mentee_name, time=clock_time, place=meeting.place, status=status
            ),
            not_before=morning,
            expires_at=meeting.starts_at,
            respect_quiet_hours=False,
        )
    ]
    if morning >= meeting.starts_at:  # an early meeting: the mentor knows already
        plans.clear()
    if meeting.outcome is None:
        plans.append(
            Queued(
                person_id=meeting.mentor_id,
                key=f"{key}:outcome-ask",
                kind="outcome_ask",
                text=texts.ASK_OUTCOME.format(name=mentee_name, when=when),
                not_before=meeting.starts_at + timedelta(minutes=policy.outcome_ask_after_minutes),
                choices=(
                    (texts.OUTCOME_MET, "met"),
                    (texts.OUTCOME_NO_SHOW, "no_show"),
                    (texts.OUTCOME_CANCELLED, "cancelled"),
                ),
                token=f"mo-{meeting.id}",
                respect_quiet_hours=False,
            )
        )
    return plans
