"""`/privacy` and `/concern`: what is kept and its limits, and a way round one's own mentor.

A concern goes to the supervisors only, never to the mentor it may be about. Its words are
passed on in the alert and not kept anywhere else; the mentee is told what happens next.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from bot.flows import asked, kept, texts
from bot.flows.context import FlowContext
from bot.flows.types import Outcome, tapped
from bot.messages import Choice, InboundMessage, Reply
from bot.questions import asking
from bot.questions.asking import Kind, Question
from bot.questions.state import FlowState, new_token
from bot.storage import conversations, people
from bot.storage.access import CONCERN_KEY
from bot.storage.goals import TITLE_LIMIT
from bot.storage.models import Person, Role

FLOW = "concern"
SOMETHING_WRONG, NEW_MENTOR = "wrong", "new_mentor"
KIND, WORDS = "kind", "words"
KIND_QUESTION = Question(
    prompt=texts.CONCERN_ASK,
    choices=(
        Choice(texts.CONCERN_SOMETHING_WRONG, SOMETHING_WRONG),
        Choice(texts.CONCERN_NEW_MENTOR, NEW_MENTOR),
    ),
)
# The words are the person's own, read as typed; only "back" (to the kind) is read for them.
WORDS_QUESTION = Question(prompt=texts.CONCERN_ASK_WORDS, back=True)


@dataclass(frozen=True)
class ConcernState(FlowState):
    token: str
    at: str = KIND


async def privacy(ctx: FlowContext, person: Person, _argument: str = "") -> Outcome:
    return Outcome(
        [*kept.privacy_replies(), Reply(texts.WHO_SEES), Reply(texts.PRIVACY_YOUR_DATA)]
    )


async def start(ctx: FlowContext, person: Person, _argument: str = "") -> Outcome:
    return await _ask(ctx, person, ConcernState(new_token()))


async def _ask(ctx: FlowContext, person: Person, state: ConcernState) -> Outcome:
    await conversations.save_state(
        ctx.session,
        person_id=person.id,
        flow=FLOW,
        step=state.at,
        data=state.dump(),
        now=ctx.now(),
    )
    question = KIND_QUESTION if state.at == KIND else WORDS_QUESTION
    return Outcome([asking.ask(question, state.token)])


async def step(
    ctx: FlowContext, person: Person, data: dict[str, Any], message: InboundMessage
) -> Outcome:
    state = ConcernState.load(data)
    if state.at == WORDS:
        return await _words(ctx, person, state, message)
    got = await asked.answer(ctx, person, KIND_QUESTION, message, state.token)
    if isinstance(got, Outcome):
        return got
    if got.value == NEW_MENTOR:
        outcome = await _raise(ctx, person, None)
    else:
        outcome = await _ask(ctx, person, ConcernState(new_token(), WORDS))
    return tapped(outcome, message, got.label(KIND_QUESTION))


async def _words(
    ctx: FlowContext, person: Person, state: ConcernState, message: InboundMessage
) -> Outcome:
    got = asking.read(WORDS_QUESTION, message, state.token)
    if got.kind is Kind.STALE:
        return Outcome(stale_tap=True)
    if got.kind is Kind.BACK:
        return tapped(
            await _ask(ctx, person, ConcernState(new_token())), message, texts.BACK_LABEL
        )
    words = " ".join((message.text or "").split())
    if not words:
        return Outcome([asking.ask(WORDS_QUESTION, state.token)])
    if len(words) > TITLE_LIMIT:
        return Outcome([Reply(texts.CONCERN_TOO_LONG.format(length=len(words)))])
    return await _raise(ctx, person, words)


async def _raise(ctx: FlowContext, person: Person, words: str | None) -> Outcome:
    """Alert every supervisor but the mentor concerned; say what happens next."""
    await conversations.clear_state(ctx.session, person.id)
    episode = await people.active_episode(ctx.session, person.id)
    mentor = None
    if episode is not None and episode.mentor_id is not None:
        mentor = await ctx.session.get(Person, episode.mentor_id)
    mentor_name = mentor.display_name if mentor else texts.CONCERN_NO_MENTOR
    text = (
        texts.CONCERN_ALERT_NEW_MENTOR.format(name=person.display_name, mentor=mentor_name)
        if words is None
        else texts.CONCERN_ALERT.format(name=person.display_name, mentor=mentor_name, words=words)
    )
    supervisors = await people.ids_with_role(ctx.session, Role.SUPERVISOR)
    stamp = secrets.token_hex(4)  # every concern is new, even two in the same second
    # A supervisor who is also this mentee's mentor is the one it may be about.
    told = [s for s in supervisors if mentor is None or s != mentor.id]
    for supervisor in told:
        key = CONCERN_KEY.format(person=person.id) + f"{stamp}:{supervisor}"
        await ctx.notify(supervisor, key, text)
    return Outcome([Reply(texts.CONCERN_SENT if told else texts.CONCERN_NOBODY)])
