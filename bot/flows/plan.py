"""`/plan`: the mentoring plan in one view - what matters most, goals, the next meeting.

A mentee sees their own; staff name a mentee they may see (`/plan Sam`). On Telegram the plan
comes as a picture card with the text as its caption; by SMS (and in the console) as compact
text within two segments, long goal titles shortened rather than spilling into more texts.
Texts never name the meeting place by SMS: phones are often shared (DETAILS gives it).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.delivery.sms_text import length, to_gsm7
from bot.flows import priorities, ssm_view, staff_views, texts
from bot.flows.context import FlowContext
from bot.flows.meetings import describe_when
from bot.flows.types import Outcome
from bot.messages import Channel, Reply
from bot.reports.plan_card import CardGoal, PlanCard
from bot.storage import audit, goals, meetings
from bot.storage.models import GoalStatus, Meeting, Person, Role

SMS_BUDGET = 306  # two GSM-7 segments
CAPTION_BUDGET = 1024  # Telegram's photo caption limit
# How the text is fitted to its budget, tried in turn: titles and steps shortened (to at most
# this many characters), then the progress lines left out (the card and /goals show them), and
# only then the last goals.
CLIPS = (None, 90, 60, 40, 25)
FITTINGS = [(clip, True) for clip in CLIPS] + [(clip, False) for clip in CLIPS]
ELLIPSIS = "..."


@dataclass(frozen=True)
class GoalView:
    title: str
    status: GoalStatus
    next_step: str | None
    steps_done: int
    steps_total: int
    updates: int
    last_answer: str | None


@dataclass(frozen=True)
class PlanView:
    priorities: list[str]  # plain names, most important first
    goals: list[GoalView]
    meeting: str | None  # "Next meeting: ..." already worded for the channel

    @property
    def empty(self) -> bool:
        return not self.priorities and not self.goals


async def show(ctx: FlowContext, person: Person, argument: str) -> Outcome:
    """Shows a mentee their own plan, or staff the plan of a mentee they may see."""
    if person.role is Role.MENTEE:
        return await _outcome(ctx, person, texts.PLAN_HEADER, None)
    if not argument.strip():
        return Outcome([Reply(texts.PLAN_NEEDS_NAME)])
    mentee = await staff_views.visible_mentee(ctx, person, argument)
    if mentee is None:
        return Outcome([Reply(texts.NO_SUCH_MENTEE.format(name=argument))])
    audit.record(
        ctx.session, actor_id=person.id, action="plan", subject_id=mentee.id, now=ctx.now()
    )
    header = texts.PLAN_HEADER_STAFF.format(name=mentee.display_name)
    empty = texts.PLAN_EMPTY_STAFF.format(name=mentee.display_name)
    outcome = await _outcome(ctx, mentee, header, empty, staff=True)
    # Staff also see their own rating of the mentee beside the mentee's ARC.
    outcome.replies.append(Reply(await ssm_view.mentor_view(ctx, mentee)))
    return outcome


async def _outcome(
    ctx: FlowContext, mentee: Person, header: str, empty: str | None, *, staff: bool = False
) -> Outcome:
    view = await gather(ctx, mentee, staff=staff)
    if view.empty:
        lines = [empty or texts.PLAN_EMPTY, view.meeting or texts.PLAN_NO_MEETING]
        return Outcome([Reply("\n".join(lines))])
    if ctx.channel is not None and ctx.channel.shows_pictures:
        caption = plan_text(view, header, budget=CAPTION_BUDGET)
        return Outcome([Reply(caption, card=plan_card(view, header))])
    return Outcome([Reply(plan_text(view, header, budget=SMS_BUDGET))])


async def gather(ctx: FlowContext, mentee: Person, *, staff: bool = False) -> PlanView:
    """Reads the plan: current priorities, live goals with steps and progress, next meeting.
    Areas are named as the glossary names them for the viewer (staff see the instrument's
    term beside the plain name)."""
    chosen = await goals.current_priorities(ctx.session, mentee.id)
    views = []
    for goal in await goals.goals_for(ctx.session, mentee.id):
        steps = await goals.steps_of(ctx.session, goal.id)
        progress = await goals.progress_of(ctx.session, goal.id)
        undone = [step for step in steps if step.done_at is None]
        views.append(
            GoalView(
                title=goal.title,
                status=goal.status,
                next_step=undone[0].text if undone else None,
                steps_done=len(steps) - len(undone),
                steps_total=len(steps),
                updates=len(progress),
                last_answer=progress[-1].answer.value if progress else None,
            )
        )
    meeting = await meetings.next_for_mentee(ctx.session, mentee.id, now=ctx.now())
    return PlanView(
        priorities=[priorities.plain_name(ctx, domain, staff=staff) for domain in chosen],
        goals=views,
        meeting=await _meeting_line(ctx, meeting),
    )


async def _meeting_line(ctx: FlowContext, meeting: Meeting | None) -> str | None:
    if meeting is None:
        return None
    mentor = await ctx.session.get(Person, meeting.mentor_id) if meeting.mentor_id else None
    name = mentor.display_name if mentor is not None else texts.YOUR_MENTOR
    when = describe_when(meeting.starts_at, ctx.zone)
    if ctx.channel is Channel.SMS:
        return texts.PLAN_MEETING.format(when=when, mentor=name)
    return texts.PLAN_MEETING_PLACE.format(when=when, mentor=name, place=meeting.place)


def _clip(text: str, limit: int | None) -> str:
    """At most `limit` characters, cut at a word where possible, with '...' when cut."""
    text = " ".join(text.split())
    if limit is None or len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,.;:-") + ELLIPSIS


def _goal_lines(number: int, goal: GoalView, clip: int | None, *, updates: bool) -> list[str]:
    title = _clip(goal.title, clip)
    if goal.status is GoalStatus.ACTIVE:
        lines = [texts.PLAN_GOAL.format(number=number, title=title)]
    else:
        status = texts.PLAN_STATUS_NAMES.get(goal.status.value, goal.status.value)
        lines = [texts.PLAN_GOAL_STATUS.format(number=number, title=title, status=status)]
    return lines + _detail_lines(goal, clip, updates=updates)


def _detail_lines(goal: GoalView, clip: int | None, *, updates: bool = True) -> list[str]:
    lines = []
    if goal.next_step is not None:
        lines.append(texts.PLAN_NEXT_STEP.format(step=_clip(goal.next_step, clip)))
    if updates and goal.last_answer is not None:
        last = texts.PLAN_ANSWER_NAMES.get(goal.last_answer, goal.last_answer)
        lines.append(texts.PLAN_UPDATES.format(count=goal.updates, last=last))
    return lines


def _steps_line(goal: GoalView) -> list[str]:
    if not goal.steps_total:
        return []
    return [texts.PLAN_STEPS_DONE.format(done=goal.steps_done, total=goal.steps_total)]


def plan_text(view: PlanView, header: str, *, budget: int) -> str:
    """The plan as text within `budget` (GSM-7 septets, as it will be texted): titles shortened
    first, then the last goals left out with a pointer to /goals."""
    text = ""
    for shown in range(len(view.goals), -1, -1):
        for clip, updates in FITTINGS:
            text = _render(view, header, clip, shown, updates=updates)
            if length(to_gsm7(text)) <= budget:
                return text
    return text[: budget - len(ELLIPSIS)] + ELLIPSIS


def _render(view: PlanView, header: str, clip: int | None, shown: int, *, updates: bool) -> str:
    lines = [header]
    if view.priorities:
        lines.append(texts.PLAN_PRIORITIES.format(areas=", ".join(view.priorities)))
    if view.goals:
        lines.append(texts.PLAN_GOALS)
    for number, goal in enumerate(view.goals[:shown], start=1):
        lines += _goal_lines(number, goal, clip, updates=updates)
    if shown < len(view.goals):
        lines.append(texts.PLAN_MORE_GOALS.format(count=len(view.goals) - shown))
    lines.append(view.meeting or texts.PLAN_NO_MEETING)
    return "\n".join(lines)


def plan_card(view: PlanView, header: str) -> PlanCard:
    """The picture version: every goal in full, its steps as ticks."""
    card_goals = []
    for goal in view.goals:
        title = goal.title
        if goal.status is not GoalStatus.ACTIVE:
            status = texts.PLAN_STATUS_NAMES.get(goal.status.value, goal.status.value)
            title = f"{title} ({status})"
        card_goals.append(
            CardGoal(
                title=title,
                steps_done=goal.steps_done,
                steps_total=goal.steps_total,
                lines=tuple(_steps_line(goal) + _detail_lines(goal, None)),
            )
        )
    return PlanCard(
        title=header,
        priorities_heading=texts.PLAN_CARD_PRIORITIES,
        priorities=tuple(view.priorities),
        goals_heading=texts.PLAN_CARD_GOALS,
        goals=tuple(card_goals),
        no_goals=texts.PLAN_CARD_NO_GOALS,
        meeting=view.meeting or texts.PLAN_NO_MEETING,
    )
