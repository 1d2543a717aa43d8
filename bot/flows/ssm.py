"""Rating the self-sufficiency matrix with a mentee (/rate NAME): one area of life per message.

The mentor sits with the mentee and rates each domain 1-5 against the anchor lines (or skips one
they did not talk about). Ratings so far live in the mentor's conversation state, one draft per
mentee, so /cancel pauses and /rate NAME carries on where it stopped. Only the last answer
writes anything: one complete assessment with the mentor as rater, which the mentee's own
check-in queries never see (assessments.SELF_REPORT).
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from bot.flows import texts
from bot.flows.checkin import EXIT_EARLY
from bot.flows.context import FlowContext
from bot.flows.ssm_view import mentor_view, summary_lines
from bot.flows.staff_views import visible_mentee, visible_mentees
from bot.flows.types import Choice, InboundMessage, Outcome, Reply, tapped
from bot.instruments.ssm import LEVELS, Matrix, MatrixDomain, shipped_matrix
from bot.storage import conversations, people, ratings
from bot.storage.models import Episode, Person, Timepoint

__all__ = ["FLOW", "pause", "rating_timepoint", "start", "step", "summary_lines"]

FLOW = "ssm"
SKIP = "skip"
_SKIP_WORDS = {"skip", "s", "pass", "na", "n/a", "-"}
# State: {"at": "mentee" | "domain" | "paused", "mentee": "<id>" while rating, "token",
#         "drafts": {"<mentee id>": {"name", "started", "ratings": {domain id: 1-5 or None}}}}
Data = dict[str, Any]


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
    data: Data = {"drafts": await _drafts(ctx, staff)}
    name = " ".join(argument.split())
    if name:
        mentee = await visible_mentee(ctx, staff, name)
        if mentee is None:
            return Outcome([Reply(texts.NO_SUCH_MENTEE.format(name=name))])
        return await _begin(ctx, staff, data, mentee)
    if not await visible_mentees(ctx, staff):
        return Outcome([Reply(texts.SSM_NO_MENTEES)])
    return await _ask(ctx, staff, {**data, "at": "mentee"}, [])


async def step(ctx: FlowContext, staff: Person, data: Data, message: InboundMessage) -> Outcome:
    """Takes the mentee chosen or the level for the current domain, or re-asks kindly."""
    if message.choice is not None and message.token != data.get("token"):
        return Outcome(stale_tap=True)
    if data["at"] == "paused":
        # Nothing is being asked: answer as if there were no flow (engine.menu for staff).
        from bot.flows.engine import staff_help  # the engine imports this module

        return Outcome([Reply(staff_help(staff.role))])
    if data["at"] == "mentee":
        return await _choose_mentee(ctx, staff, data, message)
    return await _rate(ctx, staff, data, message)


async def pause(ctx: FlowContext, staff: Person, data: Data) -> Outcome:
    """Keeps the ratings so far (/cancel) and says how to carry on."""
    await _park(ctx, staff, data["drafts"])
    draft = data["drafts"].get(data.get("mentee")) if data["at"] == "domain" else None
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
    await conversations.save_state(
        ctx.session,
        person_id=staff.id,
        flow=FLOW,
        step="paused",
        data={"at": "paused", "drafts": kept},
        now=ctx.now(),
    )


async def _begin(ctx: FlowContext, staff: Person, data: Data, mentee: Person) -> Outcome:
    key, drafts = str(mentee.id), dict(data["drafts"])
    lead: list[Reply] = []
    draft = drafts.get(key)
    if draft is not None and draft["ratings"]:
        done, total = len(draft["ratings"]), len(shipped_matrix().domains)
        lead.append(Reply(texts.SSM_RESUME.format(name=draft["name"], done=done, total=total)))
    else:
        started = ctx.now().isoformat()
        drafts[key] = {"name": mentee.display_name, "started": started, "ratings": {}}
    return await _ask(ctx, staff, {"drafts": drafts, "at": "domain", "mentee": key}, lead)


async def _ask(ctx: FlowContext, staff: Person, data: Data, lead: list[Reply]) -> Outcome:
    data = {**data, "token": secrets.token_hex(3)}
    await conversations.save_state(
        ctx.session, person_id=staff.id, flow=FLOW, step=data["at"], data=data, now=ctx.now()
    )
    return Outcome([*lead, await _question(ctx, staff, data)])


async def _question(ctx: FlowContext, staff: Person, data: Data) -> Reply:
    if data["at"] == "mentee":
        mentees = await visible_mentees(ctx, staff)
        choices = tuple(Choice(mentee.display_name, str(mentee.id)) for mentee in mentees)
        return Reply(texts.SSM_WHO, choices=choices, token=data["token"])
    matrix = shipped_matrix()
    draft = data["drafts"][data["mentee"]]
    number, domain = _next_domain(matrix, draft["ratings"])
    anchors = "\n".join(
        texts.SSM_ANCHOR.format(
            level=level, level_name=matrix.level_name(level), anchor=domain.anchor(level)
        )
        for level in range(1, LEVELS + 1)
    )
    question = texts.SSM_QUESTION.format(
        name=draft["name"],
        number=number,
        total=len(matrix.domains),
        domain=domain.name,
        anchors=anchors,
    )
    return Reply(f"{question}\n{texts.SSM_HOW}", choices=_choices(matrix), token=data["token"])


def _choices(matrix: Matrix) -> tuple[Choice, ...]:
    # Numbered in level order, so "3" typed, tapped or texted (SMS "Reply 1-6") means level 3.
    levels = (
        Choice(texts.SSM_LEVEL_CHOICE.format(level=n, level_name=matrix.level_name(n)), str(n))
        for n in range(1, LEVELS + 1)
    )
    return (*levels, Choice(texts.SSM_SKIP, SKIP))


def _next_domain(matrix: Matrix, rated: dict[str, Any]) -> tuple[int, MatrixDomain]:
    """The first domain not yet answered, with its number (1-based)."""
    return next(
        (number, domain)
        for number, domain in enumerate(matrix.domains, start=1)
        if domain.id not in rated
    )


def _answer(matrix: Matrix, message: InboundMessage) -> str | None:
    """'1'-'5' or 'skip' from a tap, a typed number, a level name or a skip word."""
    if message.choice is not None:
        allowed = {choice.value for choice in _choices(matrix)}
        return message.choice if message.choice in allowed else None
    typed = " ".join((message.text or "").lower().split()).rstrip(".!")
    if typed in _SKIP_WORDS:
        return SKIP
    for level in range(1, LEVELS + 1):
        name = matrix.level_name(level).lower()
        if typed in (str(level), name, f"{level} {name}"):
            return str(level)
    return None


async def _choose_mentee(
    ctx: FlowContext, staff: Person, data: Data, message: InboundMessage
) -> Outcome:
    mentees = await visible_mentees(ctx, staff)
    if message.choice is not None:
        chosen = [mentee for mentee in mentees if str(mentee.id) == message.choice]
    else:
        typed = " ".join((message.text or "").split()).casefold()
        chosen = [mentee for mentee in mentees if mentee.display_name.casefold() == typed]
    if len(chosen) != 1:
        return Outcome([Reply(texts.SSM_WHO_REASK), await _question(ctx, staff, data)])
    outcome = await _begin(ctx, staff, data, chosen[0])
    return tapped(outcome, message, chosen[0].display_name)


async def _rate(ctx: FlowContext, staff: Person, data: Data, message: InboundMessage) -> Outcome:
    matrix = shipped_matrix()
    key = data["mentee"]
    draft = data["drafts"][key]
    _, domain = _next_domain(matrix, draft["ratings"])
    answer = _answer(matrix, message)
    if answer is None:
        return Outcome([Reply(texts.SSM_REASK), await _question(ctx, staff, data)])
    level = None if answer == SKIP else int(answer)
    draft = {**draft, "ratings": {**draft["ratings"], domain.id: level}}
    data = {**data, "drafts": {**data["drafts"], key: draft}}
    label = texts.SSM_SKIP
    if level is not None:
        label = texts.SSM_LEVEL_CHOICE.format(level=level, level_name=matrix.level_name(level))
    if len(draft["ratings"]) < len(matrix.domains):
        outcome = await _ask(ctx, staff, data, [])
    else:
        outcome = await _finish(ctx, staff, data)
    return tapped(outcome, message, label)


async def _finish(ctx: FlowContext, staff: Person, data: Data) -> Outcome:
    """Stores the whole rating as one assessment and shows it beside the mentee's ARC."""
    matrix = shipped_matrix()
    drafts = dict(data["drafts"])
    draft = drafts.pop(data["mentee"])
    await _park(ctx, staff, drafts)
    name = draft["name"]
    mentee = next(
        (p for p in await visible_mentees(ctx, staff) if str(p.id) == data["mentee"]), None
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
