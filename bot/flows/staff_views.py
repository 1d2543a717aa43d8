"""Staff views of delivery: what will be sent to a mentee (/upcoming) and what failed (/failed).

`/upcoming` asks the same planning functions the scheduler uses, so a mentor sees exactly what
will go out. Mentors see their own mentees; supervisors see everyone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot import authorisation
from bot.flows import texts
from bot.flows.context import FlowContext
from bot.flows.meeting_reminders import LIVE, local_at, meeting_plans
from bot.flows.meetings import describe_when
from bot.flows.types import Outcome
from bot.messages import Reply
from bot.reminder_policy import ReminderPolicy, load_policy
from bot.storage.models import (
    Meeting,
    OutboxMessage,
    OutboxStatus,
    Person,
)

FAILED_WINDOW = timedelta(days=7)
NOT_DELIVERED = (OutboxStatus.FAILED, OutboxStatus.SKIPPED, OutboxStatus.BLOCKED)
SNIPPET = 60


def _snippet(text: str) -> str:
    line = text.splitlines()[0]
    return line if len(line) <= SNIPPET else line[: SNIPPET - 3] + "..."


async def visible_mentees(ctx: FlowContext, staff: Person) -> list[Person]:
    """The mentees this person may see (the one rule: bot/authorisation.py)."""
    return await authorisation.visible_mentees(ctx.session, staff)


async def visible_mentee(ctx: FlowContext, staff: Person, name: str) -> Person | None:
    """The mentee of this name that this staff member may see, or None (which says nothing
    about whether someone else's mentee has that name)."""
    wanted = " ".join(name.split()).casefold()
    return next(
        (p for p in await visible_mentees(ctx, staff) if p.display_name.casefold() == wanted),
        None,
    )


async def upcoming(
    ctx: FlowContext, staff: Person, name: str, policy: ReminderPolicy | None = None
) -> Outcome:
    """Lists what is queued or planned for one mentee, soonest first."""
    if not name.strip():
        return Outcome([Reply(texts.UPCOMING_NEEDS_NAME)])
    mentee = await visible_mentee(ctx, staff, name)
    if mentee is None:
        return Outcome([Reply(texts.NO_SUCH_MENTEE.format(name=name))])
    now = ctx.now()
    planned: dict[str, tuple[datetime, str]] = {}
    queued = await ctx.session.execute(
        select(OutboxMessage).where(
            OutboxMessage.person_id == mentee.id, OutboxMessage.status == OutboxStatus.PENDING
        )
    )
    for row in queued.scalars():
        planned[row.idempotency_key] = (row.not_before, row.text)
    future = await ctx.session.execute(
        select(Meeting).where(
            Meeting.mentee_id == mentee.id, Meeting.status.in_(LIVE), Meeting.starts_at > now
        )
    )
    for meeting in future.scalars():
        mentor = await ctx.session.get(Person, meeting.mentor_id) if meeting.mentor_id else None
        for plan in meeting_plans(
            meeting,
            mentee_name=mentee.display_name,
            mentor_name=mentor.display_name if mentor else staff.display_name,
            policy=policy or load_policy(),
            zone=ctx.zone,
        ):
            if plan.person_id == mentee.id and plan.not_before > now:
                planned.setdefault(plan.key, (plan.not_before, plan.text))
    prompt = next_checkin_prompt(mentee, now, ctx.zone)
    if prompt is not None:
        planned.setdefault("checkin-prompt", (prompt, texts.CHECKIN_PROMPT))
    if not planned:
        return Outcome([Reply(texts.UPCOMING_NONE.format(name=mentee.display_name))])
    lines = [texts.UPCOMING_HEADER.format(name=mentee.display_name)]
    for when, text in sorted(planned.values()):
        lines.append(
            texts.UPCOMING_LINE.format(when=describe_when(when, ctx.zone), what=_snippet(text))
        )
    return Outcome([Reply("\n".join(lines))])


def next_checkin_prompt(mentee: Person, now: datetime, zone: ZoneInfo) -> datetime | None:
    """When the weekly prompt will next go out, if the mentee chose a day and time."""
    if mentee.checkin_weekday is None or mentee.checkin_time is None:
        return None
    today = now.astimezone(zone).date()
    ahead = (mentee.checkin_weekday - today.isoweekday()) % 7
    moment = local_at(today + timedelta(days=ahead), mentee.checkin_time, zone)
    return moment if moment > now else moment + timedelta(days=7)


async def failed(ctx: FlowContext, staff: Person) -> Outcome:
    """Messages to this person's mentees that failed or were skipped lately, with the reason."""
    mentees = {p.id: p for p in await visible_mentees(ctx, staff)}
    if not mentees:
        return Outcome([Reply(texts.FAILED_NONE)])
    rows = await ctx.session.execute(
        select(OutboxMessage)
        .where(
            OutboxMessage.person_id.in_(mentees),
            OutboxMessage.status.in_(NOT_DELIVERED),
            OutboxMessage.created_at >= ctx.now() - FAILED_WINDOW,
        )
        .order_by(OutboxMessage.not_before)
    )
    lines = [
        texts.FAILED_LINE.format(
            name=mentees[row.person_id].display_name,
            when=describe_when(row.not_before, ctx.zone),
            status=row.status.value,
            reason=row.last_error or "no reason recorded",
            what=_snippet(row.text),
        )
        for row in rows.scalars()
    ]
    if not lines:
        return Outcome([Reply(texts.FAILED_NONE)])
    return Outcome([Reply("\n".join([texts.FAILED_HEADER, *lines]))])
