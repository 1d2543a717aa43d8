"""Staff record-keeping commands: session notes, site moves, assignment, supervision, audit.

Each takes its arguments on one line (`/note Sam went well`), because these are quick entries
made between sessions. Names are matched the way every staff command matches them: only
mentees the caller may see, so an unknown name and someone else's mentee look the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from bot.flows import texts
from bot.flows.context import FlowContext
from bot.flows.staff_views import visible_mentee
from bot.flows.types import Outcome
from bot.messages import Reply
from bot.sites import shipped_sites
from bot.storage import audit, people
from bot.storage.goals import TITLE_LIMIT
from bot.storage.models import (
    AuditEvent,
    Episode,
    EpisodeStatus,
    Meeting,
    MeetingOutcome,
    Person,
    Role,
    SessionNote,
    SiteMove,
    Supervision,
)
from bot.storage.outbox import Queued

SUPERVISION_DUE = timedelta(weeks=4)


def _split(argument: str) -> tuple[str, str]:
    name, _, rest = argument.strip().partition(" ")
    return name, rest.strip()


async def note(ctx: FlowContext, staff: Person, argument: str) -> Outcome:
    """/note NAME TEXT: a short session note, listed in the mentee's record."""
    name, text = _split(argument)
    if not name or not text:
        return Outcome([Reply(texts.NOTE_USAGE)])
    mentee = await visible_mentee(ctx, staff, name)
    if mentee is None:
        return Outcome([Reply(texts.NO_SUCH_MENTEE.format(name=name))])
    return Outcome([Reply(add_note(ctx, staff, mentee, text))])


def add_note(ctx: FlowContext, staff: Person, mentee: Person, text: str) -> str:
    """Keeps the note (audit-logged) and says so, or says why not; the dashboard's too."""
    if len(text) > TITLE_LIMIT:
        return texts.NOTE_TOO_LONG.format(limit=TITLE_LIMIT, length=len(text))
    ctx.session.add(
        SessionNote(mentee_id=mentee.id, author_id=staff.id, text=text, created_at=ctx.now())
    )
    audit.record(
        ctx.session, actor_id=staff.id, action="note", subject_id=mentee.id, now=ctx.now()
    )
    return texts.NOTE_SAVED.format(name=mentee.display_name)


async def move_site(ctx: FlowContext, staff: Person, argument: str) -> Outcome:
    """/site NAME SITE: the mentee now attends another clinic (hub to spoke, usually)."""
    name, site = _split(argument)
    sites = list(shipped_sites())
    if not name or not site:
        return Outcome([Reply(texts.SITE_USAGE.format(sites=", ".join(sites)))])
    mentee = await visible_mentee(ctx, staff, name)
    if mentee is None:
        return Outcome([Reply(texts.NO_SUCH_MENTEE.format(name=name))])
    chosen = next((s for s in sites if s.casefold() == site.casefold()), None)
    if chosen is None:
        return Outcome([Reply(texts.SITE_USAGE.format(sites=", ".join(sites)))])
    episode = await people.active_episode(ctx.session, mentee.id)
    if episode is None:
        return Outcome([Reply(texts.NO_SUCH_MENTEE.format(name=name))])
    if episode.site == chosen:
        return Outcome([Reply(texts.SITE_SAME.format(name=mentee.display_name, site=chosen))])
    ctx.session.add(
        SiteMove(
            episode_id=episode.id,
            from_site=episode.site,
            to_site=chosen,
            moved_on=ctx.today(),
            recorded_by_id=staff.id,
        )
    )
    episode.site = chosen
    return Outcome([Reply(texts.SITE_MOVED.format(name=mentee.display_name, site=chosen))])


async def _mentor_named(ctx: FlowContext, name: str) -> Person | None:
    query = select(Person).where(
        Person.role.in_((Role.MENTOR, Role.SUPERVISOR)),
        func.lower(Person.display_name) == name.casefold(),
    )
    return (await ctx.session.execute(query.limit(1))).scalar_one_or_none()


async def assign(ctx: FlowContext, staff: Person, argument: str) -> Outcome:
    """/assign MENTEE MENTOR (supervisors): hand a mentee to another mentor; both are told."""
    mentee_name, mentor_name = _split(argument)
    if not mentee_name or not mentor_name:
        return Outcome([Reply(texts.ASSIGN_USAGE)])
    mentee = await visible_mentee(ctx, staff, mentee_name)
    if mentee is None:
        return Outcome([Reply(texts.NO_SUCH_MENTEE.format(name=mentee_name))])
    mentor = await _mentor_named(ctx, mentor_name)
    if mentor is None:
        return Outcome([Reply(texts.REPORT_NO_MENTOR.format(name=mentor_name))])
    episode = await people.active_episode(ctx.session, mentee.id)
    if episode is None:
        return Outcome([Reply(texts.NO_SUCH_MENTEE.format(name=mentee_name))])
    return Outcome([Reply(await assign_mentor(ctx, staff, mentee, episode, mentor))])


async def assign_mentor(
    ctx: FlowContext, staff: Person, mentee: Person, episode: Episode, mentor: Person
) -> str:
    """Hands the mentee to this mentor and tells the mentor, the one before and the mentee;
    says what was done. /assign and the dashboard's assign form both come here."""
    if episode.mentor_id == mentor.id:
        return texts.ASSIGN_SAME.format(name=mentee.display_name)
    previous = episode.mentor_id
    episode.mentor_id = mentor.id
    key = f"assign:{episode.id}:{mentor.id}:{ctx.now():%Y%m%d%H%M%S}"
    await ctx.notify(mentor.id, f"{key}:new", texts.ASSIGN_TO_NEW.format(name=mentee.display_name))
    if previous is not None and previous != staff.id:
        await ctx.notify(
            previous,
            f"{key}:old",
            texts.ASSIGN_TO_OLD.format(name=mentee.display_name, mentor=mentor.display_name),
        )
    await ctx.queue(  # to the mentee: waits for quiet hours to end, like any message to them
        Queued(
            person_id=mentee.id,
            key=f"{key}:mentee",
            kind="notice",
            text=texts.ASSIGN_TO_MENTEE.format(mentor=mentor.display_name),
            not_before=ctx.now(),
        )
    )
    return texts.ASSIGN_DONE.format(name=mentee.display_name, mentor=mentor.display_name)


async def supervision(ctx: FlowContext, staff: Person, argument: str) -> Outcome:
    """/supervision MENTOR: a supervision session held today."""
    name = " ".join(argument.split())
    mentor = await _mentor_named(ctx, name) if name else None
    if mentor is None:
        return Outcome([Reply(texts.SUPERVISION_USAGE)])
    return Outcome([Reply(record_supervision(ctx, staff, mentor, ctx.today()))])


def record_supervision(ctx: FlowContext, staff: Person, mentor: Person, held_on: date) -> str:
    """A supervision session held that day (today, from the chat)."""
    ctx.session.add(
        Supervision(
            mentor_id=mentor.id, supervisor_id=staff.id, held_on=held_on, created_at=ctx.now()
        )
    )
    return texts.SUPERVISION_SAVED.format(name=mentor.display_name)


async def list_staff(ctx: FlowContext, _staff: Person, _argument: str = "") -> Outcome:
    members = await people.staff(ctx.session)
    lines = [texts.STAFF_LINE.format(name=m.display_name, role=m.role.value) for m in members]
    return Outcome([Reply("\n".join(lines))])


@dataclass(frozen=True)
class MentorSummary:
    """One mentor's line of /caseloads (and a row of the dashboard's every-caseload page)."""

    mentor: Person
    mentees: int
    held: int
    missed: int
    flagged: int
    supervised: date | None
    overdue: bool


async def mentor_summaries(ctx: FlowContext) -> list[MentorSummary]:
    """Each mentor: mentees, meetings held and missed this month, open flags, supervision."""
    from bot.flows.caseload import statuses  # caseload imports staff views; keep this lazy

    today = ctx.today()
    month_start = today.replace(day=1)
    found = []
    for mentor in await people.staff(ctx.session):
        count = await ctx.session.scalar(
            select(func.count()).where(
                Episode.mentor_id == mentor.id, Episode.status == EpisodeStatus.ACTIVE
            )
        )
        if mentor.role is Role.SUPERVISOR and not count:
            continue
        held, missed = await _meetings_this_month(ctx, mentor.id, month_start)
        flagged = sum(1 for s in await statuses(ctx, mentor, mine_only=True) if s.flags)
        last = await ctx.session.scalar(
            select(func.max(Supervision.held_on)).where(Supervision.mentor_id == mentor.id)
        )
        overdue = last is None or today - last > SUPERVISION_DUE
        found.append(MentorSummary(mentor, count or 0, held, missed, flagged, last, overdue))
    return found


async def caseloads(ctx: FlowContext, _staff: Person, _argument: str = "") -> Outcome:
    """Each mentor: mentees, meetings held and missed this month, open flags, supervision."""
    lines = [texts.CASELOADS_HEADER]
    for summary in await mentor_summaries(ctx):
        last = summary.supervised
        line = texts.CASELOADS_LINE.format(
            name=summary.mentor.display_name,
            mentees=summary.mentees,
            held=summary.held,
            missed=summary.missed,
            flags=summary.flagged,
            supervised=last.strftime("%d %b") if last else texts.CASELOAD_NEVER,
        )
        if summary.overdue:
            line += " " + texts.CASELOADS_OVERDUE
        lines.append(line)
    return Outcome([Reply("\n".join(lines))])


async def _meetings_this_month(
    ctx: FlowContext, mentor_id: int, month_start: date
) -> tuple[int, int]:
    rows = await ctx.session.execute(
        select(Meeting.outcome, func.count())
        .where(
            Meeting.mentor_id == mentor_id,
            Meeting.outcome.in_((MeetingOutcome.MET, MeetingOutcome.NO_SHOW)),
            Meeting.starts_at >= datetime.combine(month_start, time(), ctx.zone),
        )
        .group_by(Meeting.outcome)
    )
    counts = dict(rows.tuples().all())
    return counts.get(MeetingOutcome.MET, 0), counts.get(MeetingOutcome.NO_SHOW, 0)


async def audit_trail(ctx: FlowContext, staff: Person, argument: str) -> Outcome:
    """/audit NAME (supervisors): who looked at this mentee's record, and when."""
    name = " ".join(argument.split())
    mentee = await visible_mentee(ctx, staff, name) if name else None
    if mentee is None:
        return Outcome([Reply(texts.NO_SUCH_MENTEE.format(name=name or "?"))])
    audit.record(
        ctx.session, actor_id=staff.id, action="audit", subject_id=mentee.id, now=ctx.now()
    )
    events = await audit.events_about(ctx.session, mentee.id)
    actors = {p.id: p.display_name for p in await people.staff(ctx.session)}
    lines = [texts.AUDIT_HEADER.format(name=mentee.display_name)]
    lines += [_audit_line(ctx, event, actors) for event in events]
    return Outcome([Reply("\n".join(lines))])


def _audit_line(ctx: FlowContext, event: AuditEvent, actors: dict[int, str]) -> str:
    local = event.at.astimezone(ctx.zone)
    who = actors.get(event.actor_id or 0, texts.AUDIT_SOMEONE)
    return f"{local:%d %b %Y %H:%M} {who}: {event.action}"
