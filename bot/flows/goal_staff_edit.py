"""Staff editing a mentee's goal: new words, pause, start again or drop; the mentee is told.

New words go to the mentee with Accept and Change it, as a suggestion does: a goal stays in the
mentee's words unless they agree. Ownership is checked again before anything is written.
Back goes from the choice of change to the list of goals, and from the new words to the choice.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable

from bot.flows import asked, goal_proposals, staff_views, texts
from bot.flows.context import FlowContext
from bot.flows.goal_parts import (
    BUTTON,
    STAFF_FLOW,
    StaffGoalState,
    TooLong,
    Words,
    clip,
    move,
    status_name,
    synonyms,
    words_answer,
)
from bot.flows.types import Outcome, tapped
from bot.messages import Choice, InboundMessage, Reply
from bot.questions import asking
from bot.questions.asking import Kind, Question
from bot.storage import conversations, goals
from bot.storage.models import Goal, GoalStatus, Person
from bot.storage.outbox import Queued

NEW = "new"
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

Handler = Callable[[FlowContext, Person, StaffGoalState, InboundMessage], Awaitable[Outcome]]


async def begin(ctx: FlowContext, staff: Person, state: StaffGoalState) -> Outcome:
    """Asks what to change about the chosen goal."""
    return await _advance(ctx, staff, state, "edit")


async def question(ctx: FlowContext, state: StaffGoalState) -> Question:
    if state.at == "pick":
        return await _listing(ctx, state)
    if state.at == "words":
        return Question(texts.GOAL_STAFF_ASK_WORDS, back=True)
    goal = await goals.goal_of(ctx.session, state.mentee or 0, state.goal or 0)
    text = texts.GOAL_STAFF_EDIT.format(
        title=goal.title if goal else "", status=status_name(goal) if goal else ""
    )
    return Question(text, _edit_choices(goal), back=True)


async def _listing(ctx: FlowContext, state: StaffGoalState) -> Question:
    live = await goals.goals_for(ctx.session, state.mentee or 0)
    lines = [texts.GOAL_STAFF_LIST.format(name=state.name)]
    lines += [
        f"{number}. {goal.title} ({status_name(goal)})"
        for number, goal in enumerate(live, start=1)
    ]
    # The list above numbers the goals; the buttons, numbered lines by text, do not again.
    choices = tuple(Choice(clip(goal.title, BUTTON), f"g{goal.id}") for goal in live)
    new = Choice(texts.GOAL_STAFF_NEW, NEW)
    return Question("\n".join(lines), (*choices, new), read_words=synonyms({"new": NEW}))


async def _advance(ctx: FlowContext, staff: Person, state: StaffGoalState, at: str) -> Outcome:
    state = await move(ctx, staff, STAFF_FLOW, state, at)
    return Outcome([asking.ask(await question(ctx, state), state.token)])


async def _again(ctx: FlowContext, state: StaffGoalState, why: str) -> Outcome:
    return Outcome([Reply(why), asking.ask(await question(ctx, state), state.token)])


def _edit_choices(goal: Goal | None) -> tuple[Choice, ...]:
    if goal is None:
        return ()
    pause = "resume" if goal.status is GoalStatus.PAUSED else "pause"
    return tuple(Choice(_EDITS[value], value) for value in ("words", pause, "drop"))


async def visible(ctx: FlowContext, staff: Person, state: StaffGoalState) -> Person | None:
    """The mentee, if this person may still act for them."""
    mentees = await staff_views.visible_mentees(ctx, staff)
    return next((mentee for mentee in mentees if mentee.id == state.mentee), None)


async def not_visible(ctx: FlowContext, staff: Person, state: StaffGoalState) -> Outcome:
    await conversations.clear_state(ctx.session, staff.id)
    return Outcome([Reply(texts.GOAL_STAFF_NOT_VISIBLE.format(name=state.name))])


async def _edit(
    ctx: FlowContext, staff: Person, state: StaffGoalState, message: InboundMessage
) -> Outcome:
    mentee = await visible(ctx, staff, state)
    goal = await goals.goal_of(ctx.session, state.mentee or 0, state.goal or 0)
    if mentee is None:
        return await not_visible(ctx, staff, state)
    if goal is None or goal.status not in goals.LIVE_GOALS:
        await conversations.clear_state(ctx.session, staff.id)
        return Outcome([Reply(texts.GOAL_STAFF_GONE)])
    ask = await question(ctx, state)
    got = await asked.answer(ctx, staff, ask, message, state.token)
    if isinstance(got, Outcome):
        return got
    if got.kind is Kind.BACK:
        return tapped(await _advance(ctx, staff, state, "pick"), message, texts.BACK_LABEL)
    value = got.value or ""
    if value == "words":
        return tapped(await _advance(ctx, staff, state, "words"), message, _EDITS[value])
    await conversations.clear_state(ctx.session, staff.id)
    status, told = _MENTEE_TOLD[value]
    goals.set_status(goal, status, now=ctx.now())
    await _tell_mentee(ctx, goal, told.format(mentor=staff.display_name, title=goal.title))
    done = Reply(texts.GOAL_STAFF_EDITED.format(name=mentee.display_name))
    return tapped(Outcome([done]), message, _EDITS[value])


async def _words(
    ctx: FlowContext, staff: Person, state: StaffGoalState, message: InboundMessage
) -> Outcome:
    try:
        got = words_answer(await question(ctx, state), message, state.token)
    except TooLong as long:
        return await _again(ctx, state, texts.GOAL_STAFF_TOO_LONG.format(count=long.count))
    if isinstance(got, Outcome):
        return got
    if not isinstance(got, Words):
        if got.kind is Kind.BACK:
            return await _advance(ctx, staff, state, "edit")
        return Outcome([asking.ask(await question(ctx, state), state.token)])  # nothing said
    mentee = await visible(ctx, staff, state)
    goal = await goals.goal_of(ctx.session, state.mentee or 0, state.goal or 0)
    if mentee is None:
        return await not_visible(ctx, staff, state)
    await conversations.clear_state(ctx.session, staff.id)
    if goal is None or goal.status not in goals.LIVE_GOALS:
        return Outcome([Reply(texts.GOAL_STAFF_GONE)])
    goals.set_title(goal, got.text, now=ctx.now())
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
