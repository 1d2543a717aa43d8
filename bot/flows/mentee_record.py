"""`/mentee NAME`: one mentee's whole record for their mentor or a supervisor, audit-logged.

Profile and flags first (what needs doing), then scores (baseline beside the latest full check,
with the picture), the plan, the mentor's self-sufficiency rating, services sent, meetings,
notes and delivery problems. Each part is a few lines, so the record stays one message.
"""

from __future__ import annotations

import math
from datetime import datetime

from sqlalchemy import func, select

from bot.delivery.channel import reaches_by, uses_whatsapp
from bot.flows import texts
from bot.flows.battery import FULL_TIMEPOINTS
from bot.flows.caseload import MenteeStatus, statuses
from bot.flows.context import FlowContext
from bot.flows.dates import day_label
from bot.flows.meetings import describe_when
from bot.flows.plan import gather
from bot.flows.results import Earlier, Look, Scores, day, full_picture
from bot.flows.signpost_answers import list_sent
from bot.flows.ssm_view import summary_lines
from bot.flows.staff_views import FAILED_WINDOW, NOT_DELIVERED, visible_mentee
from bot.flows.types import Outcome
from bot.instruments.glossary import domain_named, score_name
from bot.instruments.model import MEAN_KEY
from bot.messages import Reply
from bot.reports.charts import Panel
from bot.reports.rounding import shown
from bot.storage import assessments, audit, goals
from bot.storage.models import (
    Assessment,
    AssessmentStatus,
    GoalStatus,
    Meeting,
    MeetingOutcome,
    OutboxMessage,
    Person,
    SessionNote,
    SiteMove,
)

RECENT_NOTES = 5


async def show(ctx: FlowContext, staff: Person, argument: str) -> Outcome:
    name = " ".join(argument.split())
    if not name:
        return Outcome([Reply(texts.MENTEE_NEEDS_NAME)])
    mentee = await visible_mentee(ctx, staff, name)
    if mentee is None:
        return Outcome([Reply(texts.NO_SUCH_MENTEE.format(name=name))])
    audit.record(
        ctx.session, actor_id=staff.id, action="mentee", subject_id=mentee.id, now=ctx.now()
    )
    status = next((s for s in await statuses(ctx, staff) if s.mentee.id == mentee.id), None)
    lines = [*await _profile(ctx, mentee, status)]
    scores, picture = await scores_and_picture(ctx, mentee)
    lines += ["", *scores, "", *await _plan(ctx, mentee), "", *await summary_lines(ctx, mentee)]
    lines += ["", *await _meetings(ctx, mentee), *await _notes(ctx, mentee)]
    services = await list_sent(ctx, staff, mentee.display_name)
    replies = [Reply("\n".join(lines), picture=picture), *services.replies]
    return Outcome(replies)


async def _profile(ctx: FlowContext, mentee: Person, status: MenteeStatus | None) -> list[str]:
    if status is None:
        return [texts.MENTEE_NOT_ACTIVE.format(name=mentee.display_name)]
    episode = status.episode
    weeks = (ctx.today() - episode.started_on).days // 7 + 1
    channels = [texts.CHANNEL_NAMES[name] for name in reached_by(mentee)]
    lines = [
        texts.MENTEE_PROFILE.format(
            name=mentee.display_name,
            site=episode.site,
            started=day_label(episode.started_on),
            weeks=weeks,
            ends=day_label(episode.planned_end_on),
            channels=texts.CHANNEL_THEN.join(channels) or "-",
        )
    ]
    moves = (
        await ctx.session.execute(
            select(SiteMove).where(SiteMove.episode_id == episode.id).order_by(SiteMove.id)
        )
    ).scalars()
    lines += [
        texts.MENTEE_MOVE.format(day=day_label(m.moved_on), old=m.from_site, new=m.to_site)
        for m in moves
    ]
    if status.flags:
        lines.append(texts.MENTEE_FLAGS.format(flags="; ".join(f.text for f in status.flags)))
    return lines


async def scores_and_picture(
    ctx: FlowContext, mentee: Person
) -> tuple[list[str], tuple[Panel, ...]]:
    """Baseline and latest full check as lines, and the picture of both (empty if none yet)."""
    query = (
        select(Assessment)
        .where(
            Assessment.person_id == mentee.id,
            Assessment.status == AssessmentStatus.COMPLETE,
            Assessment.timepoint.in_(FULL_TIMEPOINTS),
            assessments.SELF_REPORT,
        )
        .order_by(Assessment.completed_at, Assessment.id)
    )
    full = list((await ctx.session.execute(query)).scalars())
    if not full:
        return [texts.MENTEE_NO_SCORES], ()
    first, latest = full[0], full[-1]
    now = await assessments.scores_for(ctx.session, latest.id)
    lines = [_score_line(texts.MENTEE_SCORES_LATEST, ctx, latest, now)]
    before = None
    if latest.id != first.id:
        then = await assessments.scores_for(ctx.session, first.id)
        lines.insert(0, _score_line(texts.MENTEE_SCORES_FIRST, ctx, first, then))
        label = texts.PICTURE_BEFORE.format(date=day(_when(first), ctx.zone))
        before = Earlier(label, then)
    look = Look(texts.PICTURE_LATEST.format(date=day(_when(latest), ctx.zone)), staff=True)
    return lines, full_picture(ctx.instruments, now, before, look)


def _when(sitting: Assessment) -> datetime:
    return sitting.completed_at or sitting.started_at


def _score_line(template: str, ctx: FlowContext, sitting: Assessment, scores: Scores) -> str:
    """The same numbers as the picture beside it (one rounding rule: bot/reports/rounding.py);
    '-' for a score the mentee's skipped questions left out."""
    arc = scores.get("arc", {})

    def number(instrument: str, key: str) -> str:
        return shown(scores.get(instrument, {}).get(key, math.nan))

    return template.format(
        day=day_label(_when(sitting).astimezone(ctx.zone).date()),
        arc=shown(arc.get("total", math.nan)),
        strengths=shown(arc.get("strengths", math.nan)),
        threats=shown(arc.get("threats", math.nan)),
        esteem=number("cest_self_esteem", MEAN_KEY),
        efficacy=number("cest_self_efficacy", MEAN_KEY),
        esteem_name=score_name(ctx.instruments["cest_self_esteem"], MEAN_KEY, staff=True),
        efficacy_name=score_name(ctx.instruments["cest_self_efficacy"], MEAN_KEY, staff=True),
    )


async def _plan(ctx: FlowContext, mentee: Person) -> list[str]:
    view = await gather(ctx, mentee)
    arc = ctx.instruments["arc"]
    chosen = await goals.current_priorities(ctx.session, mentee.id)
    areas = [domain_named(arc, d, staff=True) for d in chosen]
    lines = [texts.MENTEE_PRIORITIES.format(areas="; ".join(areas) or texts.CASELOAD_NEVER)]
    done = await goals.goals_for(ctx.session, mentee.id, statuses=(GoalStatus.DONE,))
    for goal in view.goals:
        lines.append(
            texts.MENTEE_GOAL.format(
                title=goal.title,
                status=goal.status.value,
                updates=goal.updates,
                step=goal.next_step or "-",
            )
        )
    lines.append(texts.MENTEE_GOALS_DONE.format(count=len(done)))
    return lines


async def _meetings(ctx: FlowContext, mentee: Person) -> list[str]:
    counts = dict(
        (
            await ctx.session.execute(
                select(Meeting.outcome, func.count())
                .where(Meeting.mentee_id == mentee.id, Meeting.outcome.is_not(None))
                .group_by(Meeting.outcome)
            )
        )
        .tuples()
        .all()
    )
    failed = await ctx.session.scalar(
        select(func.count()).where(
            OutboxMessage.person_id == mentee.id,
            OutboxMessage.status.in_(NOT_DELIVERED),
            OutboxMessage.created_at >= ctx.now() - FAILED_WINDOW,
        )
    )
    upcoming = await ctx.session.scalar(
        select(func.min(Meeting.starts_at)).where(
            Meeting.mentee_id == mentee.id,
            Meeting.starts_at > ctx.now(),
            Meeting.outcome.is_(None),
        )
    )
    return [
        texts.MENTEE_MEETINGS.format(
            met=counts.get(MeetingOutcome.MET, 0),
            missed=counts.get(MeetingOutcome.NO_SHOW, 0),
            next=describe_when(upcoming, ctx.zone) if upcoming else texts.CASELOAD_NONE,
        ),
        texts.MENTEE_DELIVERY.format(count=failed or 0),
    ]


async def _notes(ctx: FlowContext, mentee: Person) -> list[str]:
    notes = list(
        (
            await ctx.session.execute(
                select(SessionNote)
                .where(SessionNote.mentee_id == mentee.id)
                .order_by(SessionNote.created_at.desc(), SessionNote.id.desc())
                .limit(RECENT_NOTES)
            )
        ).scalars()
    )
    if not notes:
        return []
    return [
        "",
        texts.MENTEE_NOTES,
        *(
            texts.MENTEE_NOTE.format(
                day=day_label(n.created_at.astimezone(ctx.zone).date()), text=n.text
            )
            for n in notes
        ),
    ]


def reached_by(person: Person) -> list[str]:
    """The channels that can reach them, in the order tried for what the bot sends unasked."""
    has = {
        "telegram": person.telegram_user_id is not None and person.telegram_blocked_at is None,
        "whatsapp": person.phone is not None
        and person.whatsapp_opted_out_at is None
        and uses_whatsapp(person),
        "sms": person.phone is not None and person.sms_opted_out_at is None,
    }
    return [name for name in reaches_by(person) if has.get(name)]
