"""`/close NAME REASON`: a mentor or supervisor ends a mentee's mentoring early.

The reason is kept with the episode (up to 200 characters) and asked for when missing. The
planned end comes forward to today, so the exit check is due now: the mentee is offered it
with a button, and mentoring ends when they finish it or, if they do not, after the grace
period (see bot/flows/closing.py). A mentee with no first full check, or who has already done
the exit check, has nothing left to offer, so their mentoring ends at once. The reason is a
question declared for the question engine, but typed words are the answer as they stand: a
reason is not a choice, so no word of it is read as skip or back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.flows import closing, texts
from bot.flows.context import FlowContext
from bot.flows.staff_views import visible_mentees
from bot.flows.types import Outcome
from bot.messages import InboundMessage, Reply
from bot.questions import asking
from bot.questions.asking import Question
from bot.questions.state import FlowState, new_token
from bot.reminder_policy import ReminderPolicy, load_policy
from bot.storage import assessments, conversations, outbox, people
from bot.storage.models import Person, Timepoint
from bot.storage.outbox import Queued

FLOW = "close"
REASON_LIMIT = 200


@dataclass(frozen=True)
class CloseState(FlowState):
    """Whose mentoring is being closed while the reason is asked for."""

    mentee: int
    name: str
    token: str = ""


def reason_question(name: str) -> Question:
    return Question(texts.CLOSE_ASK_REASON.format(name=name))


async def start(
    ctx: FlowContext, staff: Person, argument: str, policy: ReminderPolicy | None = None
) -> Outcome:
    """Closes the named mentee's mentoring, or asks for the reason first."""
    words = " ".join(argument.split())
    if not words:
        return Outcome([Reply(texts.CLOSE_USAGE)])
    found = await _mentee_and_reason(ctx, staff, words)
    if found is None:
        return Outcome([Reply(texts.NO_SUCH_MENTEE.format(name=words.split(" ")[0]))])
    mentee, reason = found
    if not reason or len(reason) > REASON_LIMIT:
        return await _ask_reason(ctx, staff, mentee, too_long=bool(reason))
    return await _close(ctx, staff, mentee, reason, policy or load_policy())


async def step(
    ctx: FlowContext, staff: Person, data: dict[str, Any], message: InboundMessage
) -> Outcome:
    """Takes the typed reason and closes; a reason that is missing or too long is asked again."""
    if message.choice is not None:  # the question has no buttons: any tap is an old one
        return Outcome(stale_tap=True)
    state = CloseState.load(data)
    mentee = next((p for p in await visible_mentees(ctx, staff) if p.id == state.mentee), None)
    if mentee is None:  # closed or moved to another mentor meanwhile
        await conversations.clear_state(ctx.session, staff.id)
        return Outcome([Reply(texts.NO_SUCH_MENTEE.format(name=state.name))])
    reason = " ".join((message.text or "").split())
    if not reason or len(reason) > REASON_LIMIT:
        return await _ask_reason(ctx, staff, mentee, too_long=bool(reason))
    await conversations.clear_state(ctx.session, staff.id)
    return await _close(ctx, staff, mentee, reason, load_policy())


async def _mentee_and_reason(
    ctx: FlowContext, staff: Person, words: str
) -> tuple[Person, str] | None:
    """The visible mentee whose name starts the words (the longest such name) and the rest."""
    folded = words.casefold()
    matches = [
        mentee
        for mentee in await visible_mentees(ctx, staff)
        if folded == mentee.display_name.casefold()
        or folded.startswith(mentee.display_name.casefold() + " ")
    ]
    if not matches:
        return None
    mentee = max(matches, key=lambda person: len(person.display_name))
    return mentee, words[len(mentee.display_name) :].strip()


async def _ask_reason(
    ctx: FlowContext, staff: Person, mentee: Person, *, too_long: bool
) -> Outcome:
    state = CloseState(mentee.id, mentee.display_name, new_token())
    await conversations.save_state(
        ctx.session, person_id=staff.id, flow=FLOW, step="reason", data=state.dump(), now=ctx.now()
    )
    ask = asking.ask(reason_question(state.name), state.token)
    return Outcome([Reply(texts.CLOSE_REASON_TOO_LONG), ask] if too_long else [ask])


async def _close(
    ctx: FlowContext, staff: Person, mentee: Person, reason: str, policy: ReminderPolicy
) -> Outcome:
    episode = await people.active_episode(ctx.session, mentee.id)
    assert episode is not None  # visible mentees have an active episode
    episode.end_reason = reason
    episode.planned_end_on = min(episode.planned_end_on, ctx.today())
    done = await assessments.completed_timepoints(ctx.session, episode.id)
    name = mentee.display_name
    if Timepoint.BASELINE not in done or Timepoint.EXIT in done:
        for message in await closing.end_and_queue(
            ctx.session, episode, now=ctx.now(), zone=ctx.zone, instruments=ctx.instruments
        ):
            await ctx.queue(message)
        reply = texts.CLOSE_ENDED.format(name=name)
    else:
        await _offer_exit_check(ctx, mentee, episode.id)
        last_day = episode.planned_end_on + timedelta(days=policy.episode_end_grace_days)
        day = f"{last_day:%a} {last_day.day} {last_day:%b}"
        reply = texts.CLOSE_OFFERED.format(name=name, day=day)
    if episode.mentor_id is not None and episode.mentor_id != staff.id:
        await ctx.notify(
            episode.mentor_id,
            f"closing:{episode.id}:closed-by:{staff.id}",
            texts.CLOSE_NOTICE_MENTOR.format(closer=staff.display_name, name=name, reason=reason),
        )
    return Outcome([Reply(reply)])


async def _offer_exit_check(ctx: FlowContext, mentee: Person, episode_id: int) -> None:
    """Offer the exit check with a button; it stands in for the scheduler's 'check due'."""
    for key in (f"assessment-due:{episode_id}:exit", f"closing:{episode_id}:offer"):
        offer = Queued(
            person_id=mentee.id,
            key=key,
            kind="prompt",
            text=texts.CLOSE_OFFER,
            not_before=ctx.now(),
            choices=((texts.START_NOW, "/checkin"),),
            token=closing.MENU_TOKEN,
        )
        message_id = await outbox.enqueue(ctx.session, offer, now=ctx.now())
        if message_id is not None:  # else already offered: try the closing-only key
            ctx.enqueued.append(message_id)
            return
