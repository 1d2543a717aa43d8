"""The mentee's own goals (/goals): see them, add one, say how one is going.

Updating offers what a person would say about a goal: some progress, done, pause, drop,
another step, or a different reminder. When a goal is done the mentor hears at once. Adding is
in `goal_adding`, the reminder questions in `goal_rhythm`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.flows import goal_adding, goal_proposals, goal_rhythm, texts
from bot.flows.context import FlowContext
from bot.flows.goal_parts import (
    BUTTON,
    MENTEE_FLOW,
    Data,
    TooLong,
    clip,
    picked,
    save,
    stale,
    status_name,
    typed_words,
)
from bot.flows.types import Channel, Choice, InboundMessage, Outcome, Reply, tapped
from bot.storage import conversations, goals, people
from bot.storage.models import Goal, GoalAnswer, GoalStatus, Person

FLOW = MENTEE_FLOW
ADD = "add"
_UPDATES = {
    "some": texts.GOAL_SOME,
    "done": texts.GOAL_DONE,
    "pause": texts.GOAL_PAUSE,
    "resume": texts.GOAL_RESTART,
    "drop": texts.GOAL_DROP,
    "step": texts.GOAL_ADD_STEP,
    "remind": texts.GOAL_CHANGE_REMINDER,
}
_NEW_STATUS = {
    "done": (GoalStatus.DONE, texts.GOAL_DONE_THANKS),
    "pause": (GoalStatus.PAUSED, texts.GOAL_PAUSED),
    "resume": (GoalStatus.ACTIVE, texts.GOAL_RESTARTED),
    "drop": (GoalStatus.DROPPED, texts.GOAL_DROPPED),
}

Handler = Callable[[FlowContext, Person, Data, InboundMessage], Awaitable[Outcome]]


async def start(ctx: FlowContext, person: Person) -> Outcome:
    """Shows the live goals to pick one to update, or starts adding the first."""
    if await people.active_episode(ctx.session, person.id) is None:
        await conversations.clear_state(ctx.session, person.id)
        return Outcome([Reply(texts.NO_EPISODE)])
    if not await goals.goals_for(ctx.session, person.id):
        return await goal_adding.begin(ctx, person, [Reply(texts.GOALS_NONE)])
    return await _advance(ctx, person, {}, "pick", [])


async def step(ctx: FlowContext, person: Person, data: Data, message: InboundMessage) -> Outcome:
    """Takes the answer to the current goal question, or re-asks kindly."""
    if stale(data, message):
        return Outcome(stale_tap=True)
    return await STEPS[data["at"]](ctx, person, data, message)


async def _advance(
    ctx: FlowContext, person: Person, data: Data, at: str, lead: list[Reply]
) -> Outcome:
    data = await save(ctx, person, FLOW, data, at)
    return Outcome([*lead, await _question(ctx, person, data)])


async def _reask(ctx: FlowContext, person: Person, data: Data, why: str) -> Outcome:
    return Outcome([Reply(why), await _question(ctx, person, data)])


async def _question(ctx: FlowContext, person: Person, data: Data) -> Reply:
    at, token = data["at"], data["token"]
    if at == "pick":
        return await _listing(ctx, person, token)
    if at == "goal":
        goal = await goals.goal_of(ctx.session, person.id, data["goal"])
        title = goal.title if goal is not None else ""
        return Reply(texts.GOAL_WHAT_NOW.format(title=title), _update_choices(goal), token)
    if at == "new_step":
        return Reply(texts.GOAL_ASK_NEW_STEP)
    return goal_adding.question(ctx, data)


async def _pick_choices(ctx: FlowContext, person: Person) -> list[tuple[Goal, Choice]]:
    """Each live goal with its button; a text message carries the detail in the label."""
    rows = []
    for goal in await goals.goals_for(ctx.session, person.id):
        # No number of its own: where buttons become numbered lines, it would be "1. 1. ...".
        label = clip(goal.title, BUTTON)
        if ctx.channel is Channel.SMS:
            label = f"{clip(goal.title)} ({status_name(goal)})"
            upcoming = await goals.next_step(ctx.session, goal.id)
            if upcoming is not None:
                label += texts.GOALS_NEXT_SHORT.format(step=clip(upcoming.text, BUTTON))
        rows.append((goal, Choice(label, f"g{goal.id}")))
    return rows


async def _listing(ctx: FlowContext, person: Person, token: str) -> Reply:
    rows = await _pick_choices(ctx, person)
    choices = (*(choice for _, choice in rows), Choice(texts.GOAL_ADD, ADD))
    if ctx.channel is Channel.SMS:
        return Reply(texts.GOALS_PICK_SMS, choices=choices, token=token)
    lines = [texts.GOALS_HEADER]
    for number, (goal, _) in enumerate(rows, start=1):
        lines.append(
            texts.GOALS_LINE.format(number=number, title=goal.title, status=status_name(goal))
        )
        upcoming = await goals.next_step(ctx.session, goal.id)
        if upcoming is not None:
            lines.append(texts.GOALS_NEXT_STEP.format(step=upcoming.text))
    lines.append(texts.GOALS_PICK)
    return Reply("\n".join(lines), choices=choices, token=token)


def _update_choices(goal: Goal | None) -> tuple[Choice, ...]:
    if goal is None:
        return ()
    if goal.status is GoalStatus.PROPOSED:
        return goal_proposals.ANSWER_CHOICES
    first = ("resume",) if goal.status is GoalStatus.PAUSED else ("some",)
    rest: tuple[str, ...] = ("done", "drop", "step", "remind")
    if goal.status is GoalStatus.ACTIVE:
        rest = ("done", "pause", "drop", "step", "remind")
    return tuple(Choice(_UPDATES[value], value) for value in (*first, *rest))


async def _pick(ctx: FlowContext, person: Person, data: Data, message: InboundMessage) -> Outcome:
    rows = await _pick_choices(ctx, person)
    choices = (*(choice for _, choice in rows), Choice(texts.GOAL_ADD, ADD))
    value = picked(message, choices, {"add": ADD, "new": ADD, "new goal": ADD})
    if value is None:
        return await _reask(ctx, person, data, texts.GOAL_PICK_REASK)
    if value == ADD:
        return tapped(await goal_adding.begin(ctx, person, []), message, texts.GOAL_ADD)
    goal = next(goal for goal, choice in rows if choice.value == value)
    outcome = await _advance(ctx, person, {"goal": goal.id}, "goal", [])
    return tapped(outcome, message, clip(goal.title, BUTTON))


async def _update(
    ctx: FlowContext, person: Person, data: Data, message: InboundMessage
) -> Outcome:
    goal = await goals.goal_of(ctx.session, person.id, data["goal"])
    if goal is None or goal.status not in goals.LIVE_GOALS:
        await conversations.clear_state(ctx.session, person.id)
        return Outcome([Reply(texts.GOAL_GONE)])
    value = picked(message, _update_choices(goal))
    if value is None:
        return await _reask(ctx, person, data, texts.GOAL_UPDATE_REASK)
    label = next(choice.label for choice in _update_choices(goal) if choice.value == value)
    return tapped(await _act(ctx, person, goal, value), message, label)


async def _act(ctx: FlowContext, person: Person, goal: Goal, value: str) -> Outcome:
    """Does what was chosen for one goal."""
    if value in (goal_proposals.ACCEPT, goal_proposals.CHANGE):
        return await goal_proposals.answer(ctx, person, goal, value)
    if value == "step":
        return await _advance(ctx, person, {"goal": goal.id}, "new_step", [])
    if value == "remind":
        return await goal_rhythm.ask(ctx, person, goal.id, [])
    await conversations.clear_state(ctx.session, person.id)
    if value == "some":
        await goals.record_progress(
            ctx.session, goal_id=goal.id, answer=GoalAnswer.SOME, now=ctx.now()
        )
        return Outcome([Reply(texts.GOAL_SOME_THANKS)])
    status, thanks = _NEW_STATUS[value]
    goals.set_status(goal, status, now=ctx.now())
    if status is GoalStatus.DONE:
        await goals.record_progress(
            ctx.session, goal_id=goal.id, answer=GoalAnswer.DONE, now=ctx.now()
        )
        await _tell_mentor_done(ctx, person, goal)
    return Outcome([Reply(thanks)])


async def _tell_mentor_done(ctx: FlowContext, person: Person, goal: Goal) -> None:
    episode = await people.active_episode(ctx.session, person.id)
    if episode is None or episode.mentor_id is None:
        return
    text = texts.NOTICE_GOAL_DONE.format(name=person.display_name, title=goal.title)
    await ctx.notify(episode.mentor_id, f"goal:{goal.id}:done", text)


async def _new_step(
    ctx: FlowContext, person: Person, data: Data, message: InboundMessage
) -> Outcome:
    try:
        words = typed_words(message)
    except TooLong as long:
        return await _reask(ctx, person, data, texts.GOAL_TOO_LONG.format(count=long.count))
    if words is None:
        return await _reask(ctx, person, data, texts.GOAL_STEP_REASK)
    await conversations.clear_state(ctx.session, person.id)
    goal = await goals.goal_of(ctx.session, person.id, data["goal"])
    if goal is None or goal.status not in goals.LIVE_GOALS:
        return Outcome([Reply(texts.GOAL_GONE)])
    await goals.add_step(ctx.session, goal.id, words)
    upcoming = await goals.next_step(ctx.session, goal.id)
    return Outcome(
        [Reply(texts.GOAL_STEP_ADDED.format(step=upcoming.text if upcoming else words))]
    )


STEPS: dict[str, Handler] = {
    "pick": _pick,
    "goal": _update,
    **goal_adding.STEPS,
    "new_step": _new_step,
    "own_words": goal_proposals.own_words,
    **goal_rhythm.STEPS,
}
