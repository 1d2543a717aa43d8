"""A goal a mentor suggests: the message to the mentee, and their Accept or Change it.

The suggestion is sent through the outbox with its own buttons (`gp-42`: no ":" because
Telegram packs `token:value`), so a tap days later is understood whatever the mentee is doing.
The goal must belong to the person tapping; a forged or foreign id changes nothing. Accepting
makes the goal active and asks about reminders; changing it takes the mentee's own words, since
a goal is theirs. Either way the mentor who suggested it is told.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from bot.flows import goal_rhythm, texts
from bot.flows.context import FlowContext
from bot.flows.goal_parts import MENTEE_FLOW, Data, TooLong, area_name, save, typed_words
from bot.flows.types import Answered, Outcome
from bot.messages import Choice, InboundMessage, Reply
from bot.storage import conversations, goals
from bot.storage.models import Goal, GoalStatus, Person
from bot.storage.outbox import Queued

ACCEPT, CHANGE = "accept", "change"
ANSWER_CHOICES = (Choice(texts.GOAL_ACCEPT, ACCEPT), Choice(texts.GOAL_CHANGE_IT, CHANGE))
_LABELS = {choice.value: choice.label for choice in ANSWER_CHOICES}
_TOKEN = re.compile(r"^gp-(\d{1,9})$")


@dataclass(frozen=True)
class ProposalTap:
    """A tap on a suggested goal's button: which goal, which answer."""

    goal_id: int
    choice: str


def action_token(goal_id: int) -> str:
    return f"gp-{goal_id}"


def parse_action(message: InboundMessage) -> ProposalTap | None:
    """The suggestion tap this message is (token `gp-42`); None for anything else."""
    if message.choice is None or message.token is None:
        return None
    match = _TOKEN.match(message.token)
    return None if match is None else ProposalTap(int(match[1]), message.choice)


async def send(ctx: FlowContext, goal: Goal, staff: Person, *, reworded: bool = False) -> None:
    """Asks the mentee about a goal their mentor set (or reworded)."""
    title, mentor = goal.title, staff.display_name
    if reworded:
        text = texts.GOAL_REWORDED_BY_MENTOR.format(mentor=mentor, title=title)
        sms_text = None
    else:
        area = area_name(ctx, goal.domain)
        text = texts.GOAL_PROPOSED.format(mentor=mentor, area=area, title=title)
        sms_text = texts.GOAL_PROPOSED_SMS.format(mentor=mentor, title=title)  # no area by text
    # Each suggestion or rewording is news of its own, so each gets its own key.
    await ctx.queue(
        Queued(
            person_id=goal.person_id,
            key=f"goal:{goal.id}:proposed:{secrets.token_hex(4)}",
            kind="goal_proposal",
            text=text,
            not_before=ctx.now(),
            choices=tuple((choice.label, choice.value) for choice in ANSWER_CHOICES),
            token=action_token(goal.id),
            respect_quiet_hours=True,
            sms_text=sms_text,
        )
    )


async def handle(ctx: FlowContext, person: Person, tap: ProposalTap) -> Outcome:
    """Accept or Change it on a suggested goal, if it is this person's."""
    goal = await goals.goal_of(ctx.session, person.id, tap.goal_id)
    if goal is None or tap.choice not in _LABELS:
        return Outcome(stale_tap=True)
    outcome = await answer(ctx, person, goal, tap.choice)
    outcome.answered = Answered(_LABELS[tap.choice])
    return outcome


async def answer(ctx: FlowContext, person: Person, goal: Goal, choice: str) -> Outcome:
    """Acts on Accept or Change it, from the message's buttons or from /goals."""
    if goal.status not in goals.LIVE_GOALS:
        await conversations.clear_state(ctx.session, person.id)
        return Outcome([Reply(texts.GOAL_GONE)])
    if choice == CHANGE:
        await save(ctx, person, MENTEE_FLOW, {"goal": goal.id}, "own_words")
        return Outcome([Reply(texts.GOAL_ASK_OWN_WORDS)])
    if goal.status is not GoalStatus.PROPOSED:
        await conversations.clear_state(ctx.session, person.id)
        return Outcome([Reply(texts.GOAL_ALREADY_ON)])
    goals.set_status(goal, GoalStatus.ACTIVE, now=ctx.now())
    await _tell_mentor(ctx, person, goal, texts.NOTICE_GOAL_ACCEPTED, "accepted")
    return await goal_rhythm.ask(ctx, person, goal.id, [Reply(texts.GOAL_ACCEPTED)])


async def own_words(
    ctx: FlowContext, person: Person, data: Data, message: InboundMessage
) -> Outcome:
    """Takes the mentee's words for the goal; it becomes theirs and active."""
    try:
        title = typed_words(message)
    except TooLong as long:
        return Outcome([Reply(texts.GOAL_TOO_LONG.format(count=long.count))])
    if title is None:
        return Outcome([Reply(texts.GOAL_ASK_OWN_WORDS)])
    goal = await goals.goal_of(ctx.session, person.id, data["goal"])
    if goal is None or goal.status not in goals.LIVE_GOALS:
        await conversations.clear_state(ctx.session, person.id)
        return Outcome([Reply(texts.GOAL_GONE)])
    goals.set_title(goal, title, now=ctx.now())
    was_proposed = goal.status is GoalStatus.PROPOSED
    if was_proposed:
        goals.set_status(goal, GoalStatus.ACTIVE, now=ctx.now())
    await _tell_mentor(ctx, person, goal, texts.NOTICE_GOAL_CHANGED, "changed")
    saved = Reply(texts.GOAL_CHANGED.format(title=title))
    if was_proposed:
        return await goal_rhythm.ask(ctx, person, goal.id, [saved])
    await conversations.clear_state(ctx.session, person.id)
    return Outcome([saved])


async def _tell_mentor(
    ctx: FlowContext, person: Person, goal: Goal, template: str, what: str
) -> None:
    """Tells whoever set the goal (staff) what the mentee said."""
    if goal.set_by_id is None or goal.set_by_id == person.id:
        return
    text = template.format(name=person.display_name, title=goal.title)
    await ctx.notify(goal.set_by_id, f"goal:{goal.id}:{what}:{secrets.token_hex(4)}", text)
