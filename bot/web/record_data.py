"""What a mentee's record page shows, read with the functions the chat's `/mentee` uses.

Only what the chat does not already have in a reusable shape is read here: every sitting's
headline scores (for the table and the weekly trend), the meetings, the notes and the services
sent. Flags, the plan, the pictures, the rating and alerts come from the flows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select

from bot.flows import texts
from bot.flows.context import FlowContext
from bot.flows.dates import day_label
from bot.flows.meetings import describe_when
from bot.instruments.model import MEAN_KEY
from bot.reports.rounding import shown
from bot.storage import assessments, signposts
from bot.storage.models import (
    Assessment,
    AssessmentStatus,
    Meeting,
    Person,
    SessionNote,
    Timepoint,
)

# The headline score of each questionnaire, as the report and /mentee name them.
HEADLINES = (
    ("arc", "total"),
    ("weekly", "total"),
    ("cest_self_esteem", MEAN_KEY),
    ("cest_self_efficacy", MEAN_KEY),
)
TREND_SITTINGS = 8  # the weekly check-ins drawn in the trend
NOTES_SHOWN = 20
MEETINGS_SHOWN = 12


@dataclass(frozen=True)
class Sitting:
    day: str
    what: str
    values: dict[str, str]  # instrument id -> its headline score, shown


@dataclass(frozen=True)
class Trend:
    """The weekly check-in totals, oldest first, drawn as a line on the instrument's scale."""

    days: list[str]
    totals: list[float]
    lowest: float
    highest: float
    words: str

    def points(self, width: int = 300, height: int = 100) -> str:
        """The polyline's points in an SVG of this size (higher scores higher up)."""
        span = (self.highest - self.lowest) or 1.0
        step = width / max(1, len(self.totals) - 1)
        return " ".join(
            f"{round(i * step, 1)},{round(height - (v - self.lowest) / span * height, 1)}"
            for i, v in enumerate(self.totals)
        )


async def sittings(ctx: FlowContext, mentee: Person) -> list[Sitting]:
    """Every completed check-in, newest first, with its headline scores."""
    query = (
        select(Assessment)
        .where(
            Assessment.person_id == mentee.id,
            Assessment.status == AssessmentStatus.COMPLETE,
            assessments.SELF_REPORT,
        )
        .order_by(Assessment.completed_at.desc(), Assessment.id.desc())
    )
    found = []
    for sitting in (await ctx.session.execute(query)).scalars():
        scores = await assessments.scores_for(ctx.session, sitting.id)
        moment = sitting.completed_at or sitting.started_at
        found.append(
            Sitting(
                day=day_label(moment.astimezone(ctx.zone).date()),
                what="weekly" if sitting.timepoint is Timepoint.WEEKLY else "full",
                values={
                    name: shown(scores.get(name, {}).get(key, math.nan))
                    for name, key in HEADLINES
                    if name in scores
                },
            )
        )
    return found


async def weekly_trend(ctx: FlowContext, mentee: Person) -> Trend | None:
    """The last weekly totals and a sentence saying which way they went; None under two."""
    query = (
        select(Assessment.id, Assessment.completed_at)
        .where(
            Assessment.person_id == mentee.id,
            Assessment.status == AssessmentStatus.COMPLETE,
            Assessment.timepoint == Timepoint.WEEKLY,
            assessments.SELF_REPORT,
        )
        .order_by(Assessment.completed_at.desc(), Assessment.id.desc())
        .limit(TREND_SITTINGS)
    )
    days, totals = [], []
    for sitting_id, completed_at in reversed((await ctx.session.execute(query)).all()):
        total = (await assessments.scores_for(ctx.session, sitting_id)).get("weekly", {})
        if "total" in total:
            days.append(day_label(completed_at.astimezone(ctx.zone).date()))
            totals.append(total["total"])
    if len(totals) < 2:
        return None
    lowest, highest = ctx.instruments["weekly"].score_range("total")
    change = totals[-1] - totals[0]
    way = "up" if change > 0 else "down" if change < 0 else "no change"
    words = f"{way} {shown(abs(change))} points" if change else way
    words = f"Weekly check-in total {words} over the last {len(totals)} check-ins."
    return Trend(days, totals, lowest, highest, words)


@dataclass(frozen=True)
class MeetingLine:
    id: int
    when: str
    place: str
    status: str
    outcome: str
    ahead: bool
    mine: bool  # booked by this staff member, who may move it


async def meeting_lines(ctx: FlowContext, mentee: Person, staff: Person) -> list[MeetingLine]:
    query = (
        select(Meeting)
        .where(Meeting.mentee_id == mentee.id)
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        .limit(MEETINGS_SHOWN)
    )
    now = ctx.now()
    return [
        MeetingLine(
            id=m.id,
            when=describe_when(m.starts_at, ctx.zone),
            place=m.place,
            status=m.status.value.replace("_", " "),
            outcome=m.outcome.value.replace("_", " ") if m.outcome else "",
            ahead=m.starts_at > now and m.status.value != "cancelled",
            mine=m.mentor_id == staff.id,
        )
        for m in (await ctx.session.execute(query)).scalars()
    ]


async def notes(ctx: FlowContext, mentee: Person) -> list[tuple[str, str]]:
    """(day, text) of the latest notes, newest first."""
    query = (
        select(SessionNote)
        .where(SessionNote.mentee_id == mentee.id)
        .order_by(SessionNote.created_at.desc(), SessionNote.id.desc())
        .limit(NOTES_SHOWN)
    )
    return [
        (day_label(n.created_at.astimezone(ctx.zone).date()), n.text)
        for n in (await ctx.session.execute(query)).scalars()
    ]


async def services(ctx: FlowContext, mentee: Person) -> list[tuple[str, str, str, str]]:
    """(day, service, sent by, the mentee's answer) for each service sent, newest first."""
    found = []
    for item in await signposts.sent_to(ctx.session, mentee.id):
        answer = item.signpost.followup_answer
        found.append(
            (
                day_label(item.signpost.sent_at.astimezone(ctx.zone).date()),
                item.service,
                item.sender or texts.SIGNPOSTS_SENDER_GONE,
                texts.SIGNPOST_ANSWER_NAMES[answer.value] if answer else "no answer yet",
            )
        )
    return found
