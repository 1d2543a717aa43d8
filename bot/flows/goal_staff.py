"""Goals set by staff (/goal): suggest one for a mentee, or pick one to change.

`/goal Sam walk to the shop twice a week` asks only the area; `/goal Sam` lists Sam's goals to
edit (`goal_staff_edit`) or starts a new one; `/goal` asks whose. A mentor reaches only their
own mentees and a supervisor everyone; a name outside that gets the same "can't find" as a name
nobody has, and ownership is checked again before anything is written. A suggested goal waits
for the mentee to accept it or put it in their own words.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.flows import goal_proposals, goal_staff_edit, staff_views, texts
from bot.flows.context import FlowContext
from bot.flows.goal_parts import (
    BUTTON,
    SKIP,
    SKIP_WORDS,
    STAFF_FLOW,
    Data,
    TooLong,
    area_choices,
    area_name,
    clip,
    picked,
    picked_area,
    save,
    stale,
    status_name,
    tidy,
    typed_words,
)
from bot.flows.goal_staff_edit import not_visible, visible
from bot.flows.types import Choice, InboundMessage, Outcome, Reply, tapped
from bot.storage import conversations, goals, people
from bot.storage.models import GoalStatus, Person

FLOW = STAFF_FLOW
NEW = "new"
Handler = Callable[[FlowContext, Person, Data, InboundMessage], Awaitable[Outcome]]


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
            return await _advance(ctx, staff, {}, "mentee", [])
        return await _chosen(ctx, staff, mentees[0], "", [])
    mentee, rest = _split(mentees, argument)
    if mentee is None:
        await conversations.clear_state(ctx.session, staff.id)
        return Outcome([Reply(texts.NO_SUCH_MENTEE.format(name=rest.split()[0]))])
    return await _chosen(ctx, staff, mentee, rest, [])


async def _chosen(
    ctx: FlowContext, staff: Person, mentee: Person, title: str, lead: list[Reply]
) -> Outcome:
    data: Data = {"mentee": mentee.id, "name": mentee.display_name}
    if title:
        try:
            data["title"] = tidy(title)
        except TooLong as long:
            lead = [*lead, Reply(texts.GOAL_STAFF_TOO_LONG.format(count=long.count))]
        return await _advance(ctx, staff, data, "area", lead)
    if await goals.goals_for(ctx.session, mentee.id):
        return await _advance(ctx, staff, data, "pick", lead)
    lead = [*lead, Reply(texts.GOAL_STAFF_NONE.format(name=mentee.display_name))]
    return await _advance(ctx, staff, data, "area", lead)


async def step(ctx: FlowContext, staff: Person, data: Data, message: InboundMessage) -> Outcome:
    """Takes the answer to the current question, or re-asks."""
    if stale(data, message):
        return Outcome(stale_tap=True)
    return await _STEPS[data["at"]](ctx, staff, data, message)


async def _advance(
    ctx: FlowContext, staff: Person, data: Data, at: str, lead: list[Reply]
) -> Outcome:
    data = await save(ctx, staff, FLOW, data, at)
    return Outcome([*lead, await _question(ctx, staff, data)])


async def _reask(ctx: FlowContext, staff: Person, data: Data, why: str) -> Outcome:
    return Outcome([Reply(why), await _question(ctx, staff, data)])


async def _question(ctx: FlowContext, staff: Person, data: Data) -> Reply:
    at, token, name = data["at"], data["token"], data.get("name", "")
    if at == "mentee":
        return Reply(texts.GOAL_STAFF_WHO, await _mentee_choices(ctx, staff), token)
    if at == "pick":
        return await _listing(ctx, data)
    if at == "area":
        return Reply(texts.GOAL_STAFF_AREA.format(name=name), area_choices(ctx), token)
    if at == "what":
        return Reply(texts.GOAL_STAFF_WHAT.format(name=name))
    if at == "first_step":
        return Reply(texts.GOAL_STAFF_STEP, (Choice(texts.GOAL_SKIP, SKIP),), token)
    return await goal_staff_edit.question(ctx, data)


async def _mentee_choices(ctx: FlowContext, staff: Person) -> tuple[Choice, ...]:
    mentees = await staff_views.visible_mentees(ctx, staff)
    return tuple(Choice(mentee.display_name, str(mentee.id)) for mentee in mentees)


async def _listing(ctx: FlowContext, data: Data) -> Reply:
    live = await goals.goals_for(ctx.session, data["mentee"])
    lines = [texts.GOAL_STAFF_LIST.format(name=data["name"])]
    lines += [
        f"{number}. {goal.title} ({status_name(goal)})"
        for number, goal in enumerate(live, start=1)
    ]
    # The list above numbers the goals; the buttons, numbered lines by text, do not again.
    choices = tuple(Choice(clip(goal.title, BUTTON), f"g{goal.id}") for goal in live)
    return Reply("\n".join(lines), (*choices, Choice(texts.GOAL_STAFF_NEW, NEW)), data["token"])


async def _mentee(ctx: FlowContext, staff: Person, data: Data, message: InboundMessage) -> Outcome:
    mentees = await staff_views.visible_mentees(ctx, staff)
    words = {mentee.display_name.casefold(): str(mentee.id) for mentee in mentees}
    value = picked(message, await _mentee_choices(ctx, staff), words)
    mentee = next((m for m in mentees if str(m.id) == value), None)
    if mentee is None:
        return await _reask(ctx, staff, data, texts.GOAL_STAFF_WHO_REASK)
    return tapped(await _chosen(ctx, staff, mentee, "", []), message, mentee.display_name)


async def _pick(ctx: FlowContext, staff: Person, data: Data, message: InboundMessage) -> Outcome:
    reply = await _listing(ctx, data)
    value = picked(message, reply.choices, {"new": NEW})
    if value is None:
        return await _reask(ctx, staff, data, texts.GOAL_STAFF_PICK_REASK)
    label = next(choice.label for choice in reply.choices if choice.value == value)
    if value == NEW:
        return tapped(await _advance(ctx, staff, data, "area", []), message, label)
    outcome = await goal_staff_edit.begin(ctx, staff, {**data, "goal": int(value[1:])})
    return tapped(outcome, message, label)


async def _area(ctx: FlowContext, staff: Person, data: Data, message: InboundMessage) -> Outcome:
    domain = picked_area(ctx, message)
    if domain is None:
        return await _reask(ctx, staff, data, texts.GOAL_STAFF_AREA_REASK)
    data = {**data, "area": domain}
    if data.get("title"):
        outcome = await _propose(ctx, staff, data)
    else:
        outcome = await _advance(ctx, staff, data, "what", [])
    return tapped(outcome, message, area_name(ctx, domain))


async def _what(ctx: FlowContext, staff: Person, data: Data, message: InboundMessage) -> Outcome:
    try:
        title = typed_words(message)
    except TooLong as long:
        return await _reask(ctx, staff, data, texts.GOAL_STAFF_TOO_LONG.format(count=long.count))
    if title is None:
        return await _reask(ctx, staff, data, texts.GOAL_STAFF_WHAT.format(name=data["name"]))
    return await _advance(ctx, staff, {**data, "title": title}, "first_step", [])


async def _first_step(
    ctx: FlowContext, staff: Person, data: Data, message: InboundMessage
) -> Outcome:
    typed = (message.text or "").strip().casefold().rstrip(".!")
    skip = picked(message, (Choice(texts.GOAL_SKIP, SKIP),)) == SKIP or typed in SKIP_WORDS
    if skip and (message.choice is not None or typed):
        return tapped(await _propose(ctx, staff, data), message, texts.GOAL_SKIP)
    try:
        words = typed_words(message)
    except TooLong as long:
        return await _reask(ctx, staff, data, texts.GOAL_STAFF_TOO_LONG.format(count=long.count))
    if words is None:
        return await _reask(ctx, staff, data, texts.GOAL_STAFF_STEP)
    return await _propose(ctx, staff, {**data, "step": words})


async def _propose(ctx: FlowContext, staff: Person, data: Data) -> Outcome:
    """Saves the goal as suggested and asks the mentee about it."""
    mentee = await visible(ctx, staff, data)
    episode = await people.active_episode(ctx.session, data["mentee"])
    if mentee is None or episode is None:
        return await not_visible(ctx, staff, data)
    await conversations.clear_state(ctx.session, staff.id)
    goal = await goals.add_goal(
        ctx.session,
        person_id=mentee.id,
        episode_id=episode.id,
        domain=data["area"],
        title=data["title"],
        set_by=(staff.id, staff.role),
        now=ctx.now(),
        steps=[data["step"]] if data.get("step") else [],
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
