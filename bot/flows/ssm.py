"""Rating the self-sufficiency matrix with a mentee (/rate NAME): one area of life per message.

The mentor sits with the mentee and rates each domain 1-5 against the anchor lines (or skips one
they did not talk about). Ratings so far live in the mentor's conversation state, one draft per
mentee, so /cancel pauses and /rate NAME carries on where it stopped. Only the last answer
writes anything: one complete assessment with the mentor as rater, which the mentee's own
check-in queries never see (assessments.SELF_REPORT).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from bot.flows import asked, staff_help, texts
from bot.flows.checkin import EXIT_EARLY
from bot.flows.context import FlowContext
from bot.flows.ssm_view import mentor_view, summary_lines
from bot.flows.staff_views import visible_mentee, visible_mentees
from bot.flows.types import Outcome, tapped
from bot.instruments.ssm import LEVELS, Matrix, MatrixDomain, shipped_matrix
from bot.messages import Choice, InboundMessage, Reply
from bot.questions import asking
from bot.questions.asking import Kind, Question
from bot.questions.state import FlowState, new_token
from bot.storage import conversations, people, ratings
from bot.storage.models import Episode, Person, Timepoint

__all__ = ["FLOW", "pause", "rating_timepoint", "start", "step", "summary_lines"]

FLOW = "ssm"
MENTEE, DOMAIN, PAUSED = "mentee", "domain", "paused"

Data = dict[str, Any]


@dataclass(frozen=True)
class SsmState(FlowState):
    """The mentor's drafts, one per mentee: {"<mentee id>": {"name", "started", "ratings":
    {domain id: 1-5 or None}}}, and which question is asked, of whom, with which token."""

    at: str
    drafts: dict[str, Any] = field(default_factory=dict)
    mentee: str | None = None
    token: str = ""


def rating_timepoint(episode: Episode, rated_before: bool, today: date) -> Timepoint:
    """Baseline for the first rating in an episode, exit once its exit window is open, else a
    review (stored as three_month)."""
    if not rated_before:
        return Timepoint.BASELINE
    if today >= episode.planned_end_on - EXIT_EARLY:
        return Timepoint.EXIT
    return Timepoint.THREE_MONTH


async def start(ctx: FlowContext, staff: Person, argument: str) -> Outcome:
    """Begins or resumes rating the named mentee, or asks which mentee with buttons."""
    state = SsmState(MENTEE, drafts=await _drafts(ctx, staff))
    name = " ".join(argument.split())
    if name:
        mentee = await visible_mentee(ctx, staff, name)
        if mentee is None:
            return Outcome([Reply(texts.NO_SUCH_MENTEE.format(name=name))])
        return await _begin(ctx, staff, state, mentee)
    if not await visible_mentees(ctx, staff):
        return Outcome([Reply(texts.SSM_NO_MENTEES)])
    return await _ask(ctx, staff, state, [])


async def step(ctx: FlowContext, staff: Person, data: Data, message: InboundMessage) -> Outcome:
    """Takes the mentee chosen or the level for the current domain (or a skip, or back)."""
    state = SsmState.load(data)
    if state.at == PAUSED:
        if message.choice is not None:
            return Outcome(stale_tap=True)
        # Nothing is being asked: answer as if there were no flow (engine.menu for staff).
        return Outcome([Reply(staff_help.staff_hint(web=ctx.staff_web_url is not None))])
    question = await _question(ctx, staff, state)
    got = await asked.answer(ctx, staff, question, message, state.token)
    if isinstance(got, Outcome):
        return got
    if state.at == MENTEE:
        mentees = await visible_mentees(ctx, staff)
        chosen = next((m for m in mentees if str(m.id) == got.value), None)
        if chosen is None:  # no longer visible since the buttons were shown
            return await _ask(ctx, staff, state, [])
        outcome = await _begin(ctx, staff, state, chosen)
    else:
        outcome = await _rate(ctx, staff, state, got)
    return tapped(outcome, message, got.label(question))


async def pause(ctx: FlowContext, staff: Person, data: Data) -> Outcome:
    """Keeps the ratings so far (/cancel) and says how to carry on."""
    state = SsmState.load(data)
    await _park(ctx, staff, state.drafts)
    draft = state.drafts.get(state.mentee or "") if state.at == DOMAIN else None
    if draft is None or not draft["ratings"]:
        return Outcome([Reply(texts.NOTHING_TO_PAUSE)])
    return Outcome([Reply(texts.SSM_PAUSED.format(name=draft["name"]))])


async def _drafts(ctx: FlowContext, staff: Person) -> dict[str, Any]:
    state = await conversations.load_state(ctx.session, staff.id)
    if state is None or state.flow != FLOW:
        return {}
    return dict(state.data.get("drafts", {}))


async def _park(ctx: FlowContext, staff: Person, drafts: dict[str, Any]) -> None:
    """Keeps unfinished drafts in a paused state, or clears the state when there are none."""
    kept = {key: draft for key, draft in drafts.items() if draft["ratings"]}
    if not kept:
        await conversations.clear_state(ctx.session, staff.id)
        return
    await _save(ctx, staff, SsmState(PAUSED, drafts=kept))


async def _save(ctx: FlowContext, staff: Person, state: SsmState) -> None:
    await conversations.save_state(
        ctx.session, person_id=staff.id, flow=FLOW, step=state.at, data=state.dump(), now=ctx.now()
    )


async def _begin(ctx: FlowContext, staff: Person, state: SsmState, mentee: Person) -> Outcome:
    key, drafts = str(mentee.id), dict(state.drafts)
    lead: list[Reply] = []
    draft = drafts.get(key)
    if draft is not None and draft["ratings"]:
        done, total = len(draft["ratings"]), len(shipped_matrix().domains)
        lead.append(Reply(texts.SSM_RESUME.format(name=draft["name"], done=done, total=total)))
    else:
        started = ctx.now().isoformat()
        drafts[key] = {"name": mentee.display_name, "started": started, "ratings": {}}
    return await _ask(ctx, staff, SsmState(DOMAIN, drafts=drafts, mentee=key), lead)


async def _ask(ctx: FlowContext, staff: Person, state: SsmState, lead: list[Reply]) -> Outcome:
    state = replace(state, token=new_token())
    await _save(ctx, staff, state)
    return Outcome([*lead, asking.ask(await _question(ctx, staff, state), state.token)])


async def _question(ctx: FlowContext, staff: Person, state: SsmState) -> Question:
    """Which mentee (by button, number or name), or one domain's level: 1-5, skip, or back."""
    if state.at == MENTEE:
        mentees = await visible_mentees(ctx, staff)
        choices = tuple(Choice(mentee.display_name, str(mentee.id)) for mentee in mentees)
        return Question(texts.SSM_WHO, choices=choices)
    matrix = shipped_matrix()
    draft = state.drafts[state.mentee or ""]
    number, domain = _next_domain(matrix, draft["ratings"])
    anchors = "\n".join(
        texts.SSM_ANCHOR.format(
            level=level, level_name=matrix.level_name(level), anchor=domain.anchor(level)
        )
        for level in range(1, LEVELS + 1)
    )
    prompt = texts.SSM_QUESTION.format(
        name=draft["name"],
        number=number,
        total=len(matrix.domains),
        domain=domain.name,
        anchors=anchors,
    )

    def read_words(text: str) -> str | None:
        """A level's name typed ("safe"), as the anchors name it."""
        typed = " ".join(text.casefold().split()).rstrip(".!")
        return next(
            (
                str(level)
                for level in range(1, LEVELS + 1)
                if typed == matrix.level_name(level).casefold()
            ),
            None,
        )

    return Question(
        f"{prompt}\n{texts.SSM_HOW}",
        choices=_choices(matrix),
        read_words=read_words,
        skip=True,
        back=number > 1,
    )


def _choices(matrix: Matrix) -> tuple[Choice, ...]:
    # Numbered in level order, so "3" typed, tapped or texted means level 3; Skip is a control.
    return tuple(
        Choice(texts.SSM_LEVEL_CHOICE.format(level=n, level_name=matrix.level_name(n)), str(n))
        for n in range(1, LEVELS + 1)
    )


def _next_domain(matrix: Matrix, rated: dict[str, Any]) -> tuple[int, MatrixDomain]:
    """The first domain not yet answered, with its number (1-based)."""
    return next(
        (number, domain)
        for number, domain in enumerate(matrix.domains, start=1)
        if domain.id not in rated
    )


async def _rate(ctx: FlowContext, staff: Person, state: SsmState, got: asking.Read) -> Outcome:
    """Keeps the level (or the skip) for this domain; back forgets the one before."""
    matrix = shipped_matrix()
    key = state.mentee or ""
    draft = state.drafts[key]
    number, domain = _next_domain(matrix, draft["ratings"])
    ratings_so_far = dict(draft["ratings"])
    if got.kind is Kind.BACK:
        ratings_so_far.pop(matrix.domains[number - 2].id, None)
    else:
        ratings_so_far[domain.id] = None if got.kind is Kind.SKIP else int(got.value or 0)
    drafts = {**state.drafts, key: {**draft, "ratings": ratings_so_far}}
    state = replace(state, drafts=drafts)
    if len(ratings_so_far) < len(matrix.domains):
        return await _ask(ctx, staff, state, [])
    return await _finish(ctx, staff, state)


async def _finish(ctx: FlowContext, staff: Person, state: SsmState) -> Outcome:
    """Stores the whole rating as one assessment and shows it beside the mentee's ARC."""
    matrix = shipped_matrix()
    drafts = dict(state.drafts)
    draft = drafts.pop(state.mentee or "")
    await _park(ctx, staff, drafts)
    name = draft["name"]
    mentee = next(
        (p for p in await visible_mentees(ctx, staff) if str(p.id) == state.mentee), None
    )
    episode = None if mentee is None else await people.active_episode(ctx.session, mentee.id)
    if mentee is None or episode is None:
        return Outcome([Reply(texts.SSM_NOT_YOUR_MENTEE.format(name=name))])
    levels = {domain: level for domain, level in draft["ratings"].items() if level is not None}
    if not levels:
        return Outcome([Reply(texts.SSM_NOTHING_RATED.format(name=name))])
    earlier = await ratings.ratings_in_episode(ctx.session, episode.id, matrix.id)
    timepoint = rating_timepoint(episode, bool(earlier), ctx.today())
    await ratings.save_rating(
        ctx.session,
        person_id=mentee.id,
        episode_id=episode.id,
        rated_by_id=staff.id,
        timepoint=timepoint,
        instrument=matrix.id,
        levels=levels,
        scores=matrix.scores(levels),
        started_at=datetime.fromisoformat(draft["started"]),
        now=ctx.now(),
    )
    saved = [texts.SSM_SAVED.format(name=name, what=texts.SSM_TIMEPOINTS[timepoint.value])]
    skipped = [domain.name for domain in matrix.domains if domain.id not in levels]
    if skipped:
        saved.append(texts.SSM_SKIPPED.format(domains=", ".join(skipped)))
    return Outcome([Reply(" ".join(saved)), Reply(await mentor_view(ctx, mentee))])
