"""Staff editing a mentee's goal: new words, pause, start again or drop; the mentee is told.

New words go to the mentee with Accept and Change it, as a suggestion does: a goal stays in the
mentee's words unless they agree. Ownership is checked again before anything is written.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable

from bot.flows import goal_proposals, staff_views, texts
from bot.flows.context import FlowContext
from bot.flows.goal_parts import STAFF_FLOW, Data, TooLong, picked, save, status_name, typed_words
from bot.flows.types import Choice, InboundMessage, Outcome, Reply, tapped
from bot.storage import conversations, goals
from bot.storage.models import Goal, GoalStatus, Person
from bot.storage.outbox import Queued

_EDITS = {
    "words": texts.GOAL_STAFF_WORDS,
    "pause": texts.GOAL_PAUSE,
    "resume": texts.GOAL_RESTART,
    "drop": texts.GOAL_DROP,
}
_MENTEE_TOLD = {
    "pause": (GoalStatus.PAUSED, texts.GOAL_PAUSED_BY_MENTOR),
    "resume": (GoalStatus.ACTIVE, texts.GOAL_RESTARTED_BY_MENTOR),
    "drop": (GoalStatus.DROPPED, texts.GOAL_DROPPED_BY_MENTOR),
}

Handler = Callable[[FlowContext, Person, Data, InboundMessage], Awaitable[Outcome]]


async def begin(ctx: FlowContext, staff: Person, data: Data) -> Outcome:
    """Asks what to change about the chosen goal."""
    return await _advance(ctx, staff, data, "edit")


async def question(ctx: FlowContext, data: Data) -> Reply:
    if data["at"] == "words":
        return Reply(texts.GOAL_STAFF_ASK_WORDS)
    goal = await goals.goal_of(ctx.session, data["mentee"], data["goal"])
    text = texts.GOAL_STAFF_EDIT.format(
        title=goal.title if goal else "", status=status_name(goal) if goal else ""
    )
    return Reply(text, _edit_choices(goal), data["token"])


async def _advance(ctx: FlowContext, staff: Person, data: Data, at: str) -> Outcome:
    data = await save(ctx, staff, STAFF_FLOW, data, at)
    return Outcome([await question(ctx, data)])


async def _reask(ctx: FlowContext, data: Data, why: str) -> Outcome:
    return Outcome([Reply(why), await question(ctx, data)])


def _edit_choices(goal: Goal | None) -> tuple[Choice, ...]:
    if goal is None:
        return ()
    pause = "resume" if goal.status is GoalStatus.PAUSED else "pause"
    return tuple(Choice(_EDITS[value], value) for value in ("words", pause, "drop"))


async def visible(ctx: FlowContext, staff: Person, data: Data) -> Person | None:
    """The mentee, if this person may still act for them."""
    mentees = await staff_views.visible_mentees(ctx, staff)
    return next((mentee for mentee in mentees if mentee.id == data["mentee"]), None)


async def not_visible(ctx: FlowContext, staff: Person, data: Data) -> Outcome:
    await conversations.clear_state(ctx.session, staff.id)
    return Outcome([Reply(texts.GOAL_STAFF_NOT_VISIBLE.format(name=data["name"]))])


async def _edit(ctx: FlowContext, staff: Person, data: Data, message: InboundMessage) -> Outcome:
    mentee = await visible(ctx, staff, data)
    goal = await goals.goal_of(ctx.session, data["mentee"], data["goal"])
    if mentee is None:
        return await not_visible(ctx, staff, data)
    if goal is None or goal.status not in goals.LIVE_GOALS:
        await conversations.clear_state(ctx.session, staff.id)
        return Outcome([Reply(texts.GOAL_STAFF_GONE)])
    value = picked(message, _edit_choices(goal))
    if value is None:
        return await _reask(ctx, data, texts.GOAL_STAFF_EDIT_REASK)
    if value == "words":
        return tapped(await _advance(ctx, staff, data, "words"), message, _EDITS[value])
    await conversations.clear_state(ctx.session, staff.id)
    status, told = _MENTEE_TOLD[value]
    goals.set_status(goal, status, now=ctx.now())
    await _tell_mentee(ctx, goal, told.format(mentor=staff.display_name, title=goal.title))
    done = Reply(texts.GOAL_STAFF_EDITED.format(name=mentee.display_name))
    return tapped(Outcome([done]), message, _EDITS[value])


async def _words(ctx: FlowContext, staff: Person, data: Data, message: InboundMessage) -> Outcome:
    try:
        title = typed_words(message)
    except TooLong as long:
        return await _reask(ctx, data, texts.GOAL_STAFF_TOO_LONG.format(count=long.count))
    if title is None:
        return Outcome([Reply(texts.GOAL_STAFF_ASK_WORDS)])
    mentee = await visible(ctx, staff, data)
    goal = await goals.goal_of(ctx.session, data["mentee"], data["goal"])
    if mentee is None:
        return await not_visible(ctx, staff, data)
    await conversations.clear_state(ctx.session, staff.id)
    if goal is None or goal.status not in goals.LIVE_GOALS:
        return Outcome([Reply(texts.GOAL_STAFF_GONE)])
    goals.set_title(goal, title, now=ctx.now())
    await goal_proposals.send(ctx, goal, staff, reworded=goal.status is not GoalStatus.PROPOSED)
    return Outcome([Reply(texts.GOAL_STAFF_EDITED.format(name=mentee.display_name))])


async def _tell_mentee(ctx: FlowContext, goal: Goal, text: str) -> None:
    await ctx.queue(
        Queued(
            person_id=goal.person_id,
            key=f"goal:{goal.id}:{goal.status.value}:{secrets.token_hex(4)}",
            kind="goal_changed",
            text=text,
            not_before=ctx.now(),
            respect_quiet_hours=True,
        )
    )


STEPS: dict[str, Handler] = {"edit": _edit, "words": _words}
