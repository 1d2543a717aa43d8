"""Goals set by staff (/goal): suggest one for a mentee, or pick one to change.

`/goal Sam walk to the shop twice a week` asks only the area; `/goal Sam` lists Sam's goals to
edit (`goal_staff_edit`) or starts a new one; `/goal` asks whose. A mentor reaches only their
own mentees and a supervisor everyone; a name outside that gets the same "can't find" as a name
nobody has, and ownership is checked again before anything is written. A suggested goal waits
for the mentee to accept it or put it in their own words. Back goes from the first step to the
goal's words, from there to the area, and from the area to the list it was reached from.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.flows import asked, goal_proposals, goal_staff_edit, staff_views, texts
from bot.flows.context import FlowContext
from bot.flows.goal_adding import SKIP_CHOICE, read_skip
from bot.flows.goal_parts import (
    KEEP,
    SKIP,
    STAFF_FLOW,
    Data,
    StaffGoalState,
    TooLong,
    Words,
    area_choices,
    area_words,
    in_own_words,
    move,
    synonyms,
    tidy,
    words_answer,
)
from bot.flows.goal_staff_edit import NEW, not_visible, visible
from bot.flows.types import Outcome, tapped
from bot.messages import Choice, InboundMessage, Reply
from bot.questions import asking
from bot.questions.asking import Kind, Question
from bot.questions.state import new_token
from bot.storage import conversations, goals, people
from bot.storage.models import GoalStatus, Person

FLOW = STAFF_FLOW
Handler = Callable[[FlowContext, Person, StaffGoalState, InboundMessage], Awaitable[Outcome]]


def _split(mentees: list[Person], argument: str) -> tuple[Person | None, str]:
    """The mentee named at the start of the argument (longest name first), and the rest."""
    words = " ".join(argument.split())
    for mentee in sorted(mentees, key=lambda m: len(m.display_name), reverse=True):
        name = mentee.display_name.casefold()
        if words.casefold() == name or words.casefold().startswith(name + " "):
            return mentee, words[len(name) :].strip()
    return None, words


async def start(ctx: FlowContext, staff: Person, argument: str) -> Outcome:
    """Begins suggesting or editing a goal for a mentee this person may see."""
    mentees = await staff_views.visible_mentees(ctx, staff)
    if not argument.strip():
        if not mentees:
            await conversations.clear_state(ctx.session, staff.id)
            return Outcome([Reply(texts.GOAL_STAFF_NO_MENTEES)])
        if len(mentees) > 1:
            return await _advance(ctx, staff, StaffGoalState("mentee", new_token()), "mentee", [])
        return await _chosen(ctx, staff, mentees[0], "", [])
    mentee, rest = _split(mentees, argument)
    if mentee is None:
        await conversations.clear_state(ctx.session, staff.id)
        return Outcome([Reply(texts.NO_SUCH_MENTEE.format(name=rest.split()[0]))])
    return await _chosen(ctx, staff, mentee, rest, [])


async def _chosen(
    ctx: FlowContext, staff: Person, mentee: Person, title: str, lead: list[Reply]
) -> Outcome:
    state = StaffGoalState("area", new_token(), mentee=mentee.id, name=mentee.display_name)
    state = replace(state, from_command=bool(title))
    if title:
        try:
            state = replace(state, title=tidy(title))
        except TooLong as long:
            lead = [*lead, Reply(texts.GOAL_STAFF_TOO_LONG.format(count=long.count))]
        return await _advance(ctx, staff, state, "area", lead)
    if await goals.goals_for(ctx.session, mentee.id):
        return await _advance(ctx, staff, state, "pick", lead)
    lead = [*lead, Reply(texts.GOAL_STAFF_NONE.format(name=mentee.display_name))]
    return await _advance(ctx, staff, state, "area", lead)


async def step(ctx: FlowContext, staff: Person, data: Data, message: InboundMessage) -> Outcome:
    """Takes the answer to the current question, or re-asks."""
    state = StaffGoalState.load(data)
    return await _STEPS[state.at](ctx, staff, state, message)


async def _advance(
    ctx: FlowContext, staff: Person, state: StaffGoalState, at: str, lead: list[Reply]
) -> Outcome:
    state = await move(ctx, staff, FLOW, state, at)
    return Outcome([*lead, asking.ask(await _question(ctx, staff, state), state.token)])


async def _again(ctx: FlowContext, staff: Person, state: StaffGoalState, why: str) -> Outcome:
    return Outcome([Reply(why), asking.ask(await _question(ctx, staff, state), state.token)])


async def _question(ctx: FlowContext, staff: Person, state: StaffGoalState) -> Question:
    at, name = state.at, state.name
    if at == "mentee":
        mentees = await staff_views.visible_mentees(ctx, staff)
        names = {mentee.display_name.casefold(): str(mentee.id) for mentee in mentees}
        choices = tuple(Choice(mentee.display_name, str(mentee.id)) for mentee in mentees)
        return Question(texts.GOAL_STAFF_WHO, choices, read_words=synonyms(names))
    if at == "area":
        prompt = texts.GOAL_STAFF_AREA.format(name=name)
        return Question(prompt, area_choices(ctx), read_words=area_words(ctx), back=state.listed)
    if at == "what":
        return in_own_words(texts.GOAL_STAFF_WHAT.format(name=name), state.title)
    if at == "first_step":
        return in_own_words(texts.GOAL_STAFF_STEP, state.step, SKIP_CHOICE, read_skip)
    return await goal_staff_edit.question(ctx, state)


async def _mentee(
    ctx: FlowContext, staff: Person, state: StaffGoalState, message: InboundMessage
) -> Outcome:
    ask = await _question(ctx, staff, state)
    got = await asked.answer(ctx, staff, ask, message, state.token)
    if isinstance(got, Outcome):
        return got
    mentees = await staff_views.visible_mentees(ctx, staff)
    mentee = next((m for m in mentees if str(m.id) == got.value), None)
    if mentee is None:  # no longer visible since the question was asked
        return Outcome([asking.ask(await _question(ctx, staff, state), state.token)])
    return tapped(await _chosen(ctx, staff, mentee, "", []), message, mentee.display_name)


async def _pick(
    ctx: FlowContext, staff: Person, state: StaffGoalState, message: InboundMessage
) -> Outcome:
    ask = await goal_staff_edit.question(ctx, state)
    got = await asked.answer(ctx, staff, ask, message, state.token)
    if isinstance(got, Outcome):
        return got
    value, label = got.value or NEW, got.label(ask)
    if value == NEW:
        outcome = await _advance(ctx, staff, replace(state, listed=True), "area", [])
        return tapped(outcome, message, label)
    outcome = await goal_staff_edit.begin(ctx, staff, replace(state, goal=int(value[1:])))
    return tapped(outcome, message, label)


async def _back(
    ctx: FlowContext, staff: Person, state: StaffGoalState, message: InboundMessage
) -> Outcome:
    before = {"area": "pick", "what": "area", "first_step": "what"}[state.at]
    return tapped(await _advance(ctx, staff, state, before, []), message, texts.BACK_LABEL)


async def _area(
    ctx: FlowContext, staff: Person, state: StaffGoalState, message: InboundMessage
) -> Outcome:
    ask = await _question(ctx, staff, state)
    got = await asked.answer(ctx, staff, ask, message, state.token)
    if isinstance(got, Outcome):
        return got
    if got.kind is Kind.BACK:
        return await _back(ctx, staff, state, message)
    state = replace(state, area=got.value)
    if state.title and state.from_command is not False:
        outcome = await _propose(ctx, staff, state)
    else:
        outcome = await _advance(ctx, staff, state, "what", [])
    return tapped(outcome, message, got.label(ask))


async def _typed(
    ctx: FlowContext, staff: Person, state: StaffGoalState, message: InboundMessage, unclear: str
) -> Outcome | str | None:
    """The words typed at this step; None for skip; else the reply to send (back included)."""
    ask = await _question(ctx, staff, state)
    try:
        got = words_answer(ask, message, state.token)
    except TooLong as long:
        return await _again(ctx, staff, state, texts.GOAL_STAFF_TOO_LONG.format(count=long.count))
    if isinstance(got, Outcome | Words):
        return got if isinstance(got, Outcome) else got.text
    if got.kind is Kind.BACK:
        return await _back(ctx, staff, state, message)
    if got.value == KEEP:
        return state.title if state.at == "what" else state.step
    if got.value == SKIP:
        return None
    return await _again(ctx, staff, state, unclear)


async def _what(
    ctx: FlowContext, staff: Person, state: StaffGoalState, message: InboundMessage
) -> Outcome:
    title = await _typed(ctx, staff, state, message, texts.GOAL_STAFF_WHAT.format(name=state.name))
    if isinstance(title, Outcome):
        return title
    return await _advance(ctx, staff, replace(state, title=title), "first_step", [])


async def _first_step(
    ctx: FlowContext, staff: Person, state: StaffGoalState, message: InboundMessage
) -> Outcome:
    words = await _typed(ctx, staff, state, message, texts.GOAL_STAFF_STEP)
    if isinstance(words, Outcome):
        return words
    outcome = await _propose(ctx, staff, replace(state, step=words))
    return outcome if words else tapped(outcome, message, texts.GOAL_SKIP)


async def _propose(ctx: FlowContext, staff: Person, state: StaffGoalState) -> Outcome:
    """Saves the goal as suggested and asks the mentee about it."""
    mentee = await visible(ctx, staff, state)
    episode = await people.active_episode(ctx.session, state.mentee or 0)
    if mentee is None or episode is None:
        return await not_visible(ctx, staff, state)
    await conversations.clear_state(ctx.session, staff.id)
    goal = await goals.add_goal(
        ctx.session,
        person_id=mentee.id,
        episode_id=episode.id,
        domain=state.area or "",
        title=state.title or "",
        set_by=(staff.id, staff.role),
        now=ctx.now(),
        steps=[state.step] if state.step else [],
        status=GoalStatus.PROPOSED,
    )
    await goal_proposals.send(ctx, goal, staff)
    replies = [Reply(texts.GOAL_STAFF_SENT.format(name=mentee.display_name, title=goal.title))]
    if mentee.opted_out_at is not None:
        replies.append(Reply(texts.MEET_BOOKED_OPTED_OUT.format(name=mentee.display_name)))
    return Outcome(replies)


_STEPS: dict[str, Handler] = {
    "mentee": _mentee,
    "pick": _pick,
    "area": _area,
    "what": _what,
    "first_step": _first_step,
    **goal_staff_edit.STEPS,
}
