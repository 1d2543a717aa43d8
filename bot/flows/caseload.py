"""What a mentor needs to know about each mentee at a glance: `/mentees` and `/attention`.

Flags, most urgent first (the number is the rank used to sort `/attention`):
0 a crisis alert in the last week (marked when nobody has picked it up);
1 a meeting in the next 48 hours the mentee has not confirmed;
2 a fall since the previous sitting of 2 or more ARC areas' worth (10 points: an area spans
  5 points on both the full ARC and the weekly check-in) or of 5 points on a CEST scale;
3 no check-in, or no meeting, for the nudge period (14 days by default);
4 an assessment left unfinished for 3 days or more;
5 messages that failed to reach them in the last week.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.flows import crisis_ack, texts
from bot.flows.context import FlowContext
from bot.flows.meetings import describe_when
from bot.flows.staff_views import FAILED_WINDOW, NOT_DELIVERED
from bot.flows.types import Outcome
from bot.instruments import glossary
from bot.messages import Reply
from bot.reminder_policy import ReminderPolicy, load_policy
from bot.storage import meetings
from bot.storage.assessments import SELF_REPORT
from bot.storage.models import (
    Assessment,
    AssessmentStatus,
    CrisisAlert,
    Episode,
    EpisodeStatus,
    Meeting,
    MeetingStatus,
    OutboxMessage,
    Person,
    Role,
    Score,
)

SAFETY_WINDOW = timedelta(days=7)
UNCONFIRMED_WINDOW = timedelta(hours=48)
# How far a score must fall since the previous sitting to be flagged.
DROPS = {("arc", "total"): 10.0, ("weekly", "total"): 10.0}
CEST_DROP = 5.0


@dataclass(order=True, frozen=True)
class Flag:
    rank: int
    text: str


@dataclass
class MenteeStatus:
    mentee: Person
    episode: Episode
    last_checkin: datetime | None = None
    next_meeting: Meeting | None = None
    flags: list[Flag] = field(default_factory=list)

    @property
    def urgency(self) -> tuple[int, int]:
        """Lower is more urgent: the worst flag first, then how many there are."""
        worst = min((flag.rank for flag in self.flags), default=99)
        return worst, -len(self.flags)


async def caseload(
    ctx: FlowContext, staff: Person, *, mine_only: bool = False
) -> list[tuple[Person, Episode]]:
    """Active mentees this person may see: their own, or everyone's for a supervisor."""
    if staff.role is Role.SUPERVISOR and not mine_only:
        query = (
            select(Person, Episode)
            .join(Episode, Episode.mentee_id == Person.id)
            .where(Episode.status == EpisodeStatus.ACTIVE)
            .order_by(func.lower(Person.display_name), Person.id)
        )
        return [(row[0], row[1]) for row in await ctx.session.execute(query)]
    return await meetings.mentees_of(ctx.session, staff.id)


async def statuses(
    ctx: FlowContext,
    staff: Person,
    policy: ReminderPolicy | None = None,
    *,
    mine_only: bool = False,
) -> list[MenteeStatus]:
    policy = policy or load_policy()
    found = [MenteeStatus(m, e) for m, e in await caseload(ctx, staff, mine_only=mine_only)]
    for status in found:
        await _fill(ctx, status, policy)
    return found


async def _fill(ctx: FlowContext, status: MenteeStatus, policy: ReminderPolicy) -> None:
    now, session, mentee_id = ctx.now(), ctx.session, status.mentee.id
    status.last_checkin = await session.scalar(
        select(func.max(Assessment.completed_at)).where(
            Assessment.person_id == mentee_id,
            Assessment.status == AssessmentStatus.COMPLETE,
            SELF_REPORT,
        )
    )
    status.next_meeting = await meetings.next_for_mentee(session, mentee_id, now=now)
    flags = status.flags
    alerts = (
        await session.execute(
            select(CrisisAlert.acknowledged_at).where(
                CrisisAlert.person_id == mentee_id, CrisisAlert.created_at >= now - SAFETY_WINDOW
            )
        )
    ).scalars()
    picked_up = [at is not None for at in alerts]
    if picked_up:
        text = texts.FLAG_SAFETY if all(picked_up) else texts.FLAG_SAFETY_OPEN
        flags.append(Flag(0, text))
    meeting = status.next_meeting
    if (
        meeting is not None
        and meeting.status is not MeetingStatus.CONFIRMED
        and meeting.starts_at - now <= UNCONFIRMED_WINDOW
    ):
        flags.append(
            Flag(1, texts.FLAG_UNCONFIRMED.format(when=describe_when(meeting.starts_at, ctx.zone)))
        )
    flags += [Flag(2, text) for text in await _drops(ctx, mentee_id)]
    started = datetime.combine(status.episode.started_on, policy.mentor_morning_at, ctx.zone)
    checked = max(status.last_checkin or started, started)
    if now - checked >= timedelta(days=policy.nudge_no_checkin_days):
        flags.append(Flag(3, texts.FLAG_NO_CHECKIN.format(days=(now - checked).days)))
    last_met = await session.scalar(
        select(func.max(Meeting.starts_at)).where(
            Meeting.mentee_id == mentee_id,
            Meeting.status.in_((MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED)),
            Meeting.starts_at <= now,
        )
    )
    met = max(last_met or started, started)
    if now - met >= timedelta(days=policy.nudge_no_meeting_days) and meeting is None:
        flags.append(Flag(3, texts.FLAG_NO_MEETING.format(days=(now - met).days)))
    unfinished = await session.scalar(
        select(func.min(Assessment.started_at)).where(
            Assessment.person_id == mentee_id,
            Assessment.status == AssessmentStatus.IN_PROGRESS,
            SELF_REPORT,
        )
    )
    if unfinished is not None and now - unfinished >= timedelta(days=policy.nudge_unfinished_days):
        flags.append(Flag(4, texts.FLAG_UNFINISHED.format(days=(now - unfinished).days)))
    failed = await session.scalar(
        select(func.count()).where(
            OutboxMessage.person_id == mentee_id,
            OutboxMessage.status.in_(NOT_DELIVERED),
            OutboxMessage.created_at >= now - FAILED_WINDOW,
        )
    )
    if failed:
        flags.append(Flag(5, texts.FLAG_FAILED.format(count=failed)))
    flags.sort()


async def _drops(ctx: FlowContext, mentee_id: int) -> list[str]:
    """Falls between the latest two sittings of each questionnaire, worth a word."""
    rows = await ctx.session.execute(
        select(Score.instrument, Score.key, Score.value, Assessment.completed_at)
        .join(Assessment, Assessment.id == Score.assessment_id)
        .where(
            Assessment.person_id == mentee_id,
            Assessment.status == AssessmentStatus.COMPLETE,
            SELF_REPORT,
            Score.key.in_(("total", "score")),
        )
        .order_by(Assessment.completed_at.desc(), Assessment.id.desc())
    )
    latest: dict[tuple[str, str], list[float]] = {}
    for instrument, key, value, _ in rows:
        latest.setdefault((instrument, key), []).append(value)
    found = []
    for (instrument, key), values in sorted(latest.items()):
        if len(values) < 2:
            continue
        limit = DROPS.get((instrument, key), CEST_DROP if instrument.startswith("cest") else None)
        fall = values[1] - values[0]
        if limit is not None and fall >= limit:
            found.append(
                texts.FLAG_DROP.format(
                    what=_measure_name(ctx, instrument, key), points=f"{fall:g}"
                )
            )
    return found


def _measure_name(ctx: FlowContext, instrument_id: str, key: str) -> str:
    """'recovery capital (ARC)', or a one-area scale as the glossary names it for staff."""
    if instrument_id in texts.MEASURE_NAMES:
        return texts.MEASURE_NAMES[instrument_id]
    instrument = ctx.instruments.get(instrument_id)
    if instrument is None or key not in instrument.score_keys:
        return instrument_id
    return glossary.score_name(instrument, key, staff=True)


def _line(ctx: FlowContext, status: MenteeStatus) -> str:
    weeks = (ctx.today() - status.episode.started_on).days // 7 + 1
    last = (
        describe_when(status.last_checkin, ctx.zone).split(" at ")[0]
        if status.last_checkin
        else texts.CASELOAD_NEVER
    )
    meeting = (
        describe_when(status.next_meeting.starts_at, ctx.zone)
        if status.next_meeting
        else texts.CASELOAD_NONE
    )
    line = texts.CASELOAD_LINE.format(
        name=status.mentee.display_name,
        site=status.episode.site,
        weeks=weeks,
        last=last,
        meeting=meeting,
    )
    if status.flags:
        line += "\n  " + "; ".join(flag.text for flag in status.flags)
    return line


async def list_mentees(ctx: FlowContext, staff: Person, _argument: str = "") -> Outcome:
    found = await statuses(ctx, staff)
    if not found:
        return Outcome([Reply(texts.MEET_NO_MENTEES)])
    return Outcome([Reply("\n".join(_line(ctx, status) for status in found))])


async def attention(ctx: FlowContext, staff: Person, _argument: str = "") -> Outcome:
    """Open crisis alerts first, each with its age and a button to pick it up; then the rest."""
    found = await statuses(ctx, staff)
    alerts = await crisis_ack.open_alert_replies(ctx, [s.mentee for s in found])
    flagged = sorted(
        (s for s in found if s.flags),
        key=lambda s: (s.urgency, s.mentee.display_name.casefold()),
    )
    if not flagged:
        return Outcome(alerts or [Reply(texts.ATTENTION_NONE)])
    lines = [texts.ATTENTION_HEADER]
    lines += [
        f"{n}. {s.mentee.display_name}: " + "; ".join(f.text for f in s.flags)
        for n, s in enumerate(flagged, start=1)
    ]
    return Outcome([*alerts, Reply("\n".join(lines))])
