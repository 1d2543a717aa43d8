"""The mentee's own goals (/goals): see them, add one, say how one is going.

Updating offers what a person would say about a goal: some progress, done, pause, drop,
another step, or a different reminder. When a goal is done the mentor hears at once. Adding is
in `goal_adding`, the reminder questions in `goal_rhythm`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.flows import asked, goal_adding, goal_proposals, goal_rhythm, texts
from bot.flows.context import FlowContext
from bot.flows.goal_parts import (
    BUTTON,
    MENTEE_FLOW,
    Data,
    GoalsState,
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
from bot.questions.state import new_token
from bot.storage import conversations, goals, people
from bot.storage.models import Goal, GoalAnswer, GoalStatus, Person

FLOW = MENTEE_FLOW
ADD = "add"
_ADD_WORDS = {"add": ADD, "new": ADD, "new goal": ADD}
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

Handler = Callable[[FlowContext, Person, GoalsState, InboundMessage], Awaitable[Outcome]]


async def start(ctx: FlowContext, person: Person) -> Outcome:
    """Shows the live goals to pick one to update, or starts adding the first."""
    if await people.active_episode(ctx.session, person.id) is None:
        await conversations.clear_state(ctx.session, person.id)
        return Outcome([Reply(texts.NO_EPISODE)])
    if not await goals.goals_for(ctx.session, person.id):
        return await goal_adding.begin(ctx, person, [Reply(texts.GOALS_NONE)])
    return await _advance(ctx, person, GoalsState(at="pick", token=new_token()), "pick")


async def step(ctx: FlowContext, person: Person, data: Data, message: InboundMessage) -> Outcome:
    """Takes the answer to the current goal question, or re-asks kindly."""
    state = GoalsState.load(data)
    if state.at == "own_words":  # a suggested goal in the mentee's words (goal_proposals)
        if message.choice is not None and message.token != state.token:
            return Outcome(stale_tap=True)
        return await goal_proposals.own_words(ctx, person, data, message)
    return await STEPS[state.at](ctx, person, state, message)


async def _advance(ctx: FlowContext, person: Person, state: GoalsState, at: str) -> Outcome:
    state = await move(ctx, person, FLOW, state, at)
    return Outcome([asking.ask(await _question(ctx, person, state), state.token)])


async def _question(ctx: FlowContext, person: Person, state: GoalsState) -> Question:
    if state.at == "pick":
        return await _listing(ctx, person)
    goal = await goals.goal_of(ctx.session, person.id, state.goal or 0)
    if state.at == "new_step":
        return Question(texts.GOAL_ASK_NEW_STEP, back=True)
    title = goal.title if goal is not None else ""
    return Question(texts.GOAL_WHAT_NOW.format(title=title), _update_choices(goal), back=True)


async def _pick_choices(ctx: FlowContext, person: Person) -> list[tuple[Goal, Choice]]:
    """Each live goal with its button; a text message carries the detail in the label."""
    rows = []
    for goal in await goals.goals_for(ctx.session, person.id):
        # No number of its own: where buttons become numbered lines, it would be "1. 1. ...".
        label = clip(goal.title, BUTTON)
        if ctx.texted:
            label = f"{clip(goal.title)} ({status_name(goal)})"
            upcoming = await goals.next_step(ctx.session, goal.id)
            if upcoming is not None:
                label += texts.GOALS_NEXT_SHORT.format(step=clip(upcoming.text, BUTTON))
        rows.append((goal, Choice(label, f"g{goal.id}")))
    return rows


async def _listing(ctx: FlowContext, person: Person) -> Question:
    rows = await _pick_choices(ctx, person)
    choices = (*(choice for _, choice in rows), Choice(texts.GOAL_ADD, ADD))
    words = synonyms(_ADD_WORDS)
    if ctx.texted:
        return Question(texts.GOALS_PICK_SMS, choices, read_words=words)
    lines = [texts.GOALS_HEADER]
    for number, (goal, _) in enumerate(rows, start=1):
        lines.append(
            texts.GOALS_LINE.format(number=number, title=goal.title, status=status_name(goal))
        )
        upcoming = await goals.next_step(ctx.session, goal.id)
        if upcoming is not None:
            lines.append(texts.GOALS_NEXT_STEP.format(step=upcoming.text))
    lines.append(texts.GOALS_PICK)
    return Question("\n".join(lines), choices, read_words=words)


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


async def _pick(
    ctx: FlowContext, person: Person, state: GoalsState, message: InboundMessage
) -> Outcome:
    ask = await _listing(ctx, person)
    got = await asked.answer(ctx, person, ask, message, state.token)
    if isinstance(got, Outcome):
        return got
    if got.value == ADD:
        return tapped(await goal_adding.begin(ctx, person, []), message, texts.GOAL_ADD)
    goal = next(
        goal for goal, choice in await _pick_choices(ctx, person) if choice.value == got.value
    )
    outcome = await _advance(ctx, person, GoalsState("goal", state.token, goal=goal.id), "goal")
    return tapped(outcome, message, clip(goal.title, BUTTON))


async def _update(
    ctx: FlowContext, person: Person, state: GoalsState, message: InboundMessage
) -> Outcome:
    goal = await goals.goal_of(ctx.session, person.id, state.goal or 0)
    if goal is None or goal.status not in goals.LIVE_GOALS:
        await conversations.clear_state(ctx.session, person.id)
        return Outcome([Reply(texts.GOAL_GONE)])
    ask = await _question(ctx, person, state)
    got = await asked.answer(ctx, person, ask, message, state.token)
    if isinstance(got, Outcome):
        return got
    if got.kind is Kind.BACK:
        return tapped(await _advance(ctx, person, state, "pick"), message, texts.BACK_LABEL)
    return tapped(await _act(ctx, person, goal, got.value or ""), message, got.label(ask))


async def _act(ctx: FlowContext, person: Person, goal: Goal, value: str) -> Outcome:
    """Does what was chosen for one goal."""
    if value in (goal_proposals.ACCEPT, goal_proposals.CHANGE):
        return await goal_proposals.answer(ctx, person, goal, value)
    if value == "step":
        state = GoalsState("new_step", new_token(), goal=goal.id)
        return await _advance(ctx, person, state, "new_step")
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
    ctx: FlowContext, person: Person, state: GoalsState, message: InboundMessage
) -> Outcome:
    ask = await _question(ctx, person, state)
    try:
        got = words_answer(ask, message, state.token)
    except TooLong as long:
        return _again(ask, state, texts.GOAL_TOO_LONG.format(count=long.count))
    if isinstance(got, Outcome):
        return got
    if not isinstance(got, Words):
        if got.kind is Kind.BACK:
            return await _advance(ctx, person, state, "goal")
        return _again(ask, state, texts.GOAL_STEP_REASK)
    await conversations.clear_state(ctx.session, person.id)
    goal = await goals.goal_of(ctx.session, person.id, state.goal or 0)
    if goal is None or goal.status not in goals.LIVE_GOALS:
        return Outcome([Reply(texts.GOAL_GONE)])
    await goals.add_step(ctx.session, goal.id, got.text)
    upcoming = await goals.next_step(ctx.session, goal.id)
    return Outcome(
        [Reply(texts.GOAL_STEP_ADDED.format(step=upcoming.text if upcoming else got.text))]
    )


def _again(ask: Question, state: GoalsState, why: str) -> Outcome:
    return Outcome([Reply(why), asking.ask(ask, state.token)])


STEPS: dict[str, Handler] = {
    "pick": _pick,
    "goal": _update,
    **goal_adding.STEPS,
    "new_step": _new_step,
    **goal_rhythm.STEPS,
}
