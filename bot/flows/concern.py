"""`/privacy` and `/concern`: what is kept and its limits, and a way round one's own mentor.

A concern goes to the supervisors only, never to the mentor it may be about. Its words are
passed on in the alert and not kept anywhere else; the mentee is told what happens next.
"""

from __future__ import annotations

import secrets
from typing import Any

from bot.flows import kept, texts
from bot.flows.context import FlowContext
from bot.flows.types import Choice, InboundMessage, Outcome, Reply, tapped
from bot.storage import conversations, people
from bot.storage.access import CONCERN_KEY
from bot.storage.goals import TITLE_LIMIT
from bot.storage.models import Person, Role

FLOW = "concern"
SOMETHING_WRONG, NEW_MENTOR = "wrong", "new_mentor"


async def privacy(ctx: FlowContext, person: Person, _argument: str = "") -> Outcome:
    return Outcome(
        [*kept.privacy_replies(), Reply(texts.WHO_SEES), Reply(texts.PRIVACY_YOUR_DATA)]
    )


async def start(ctx: FlowContext, person: Person, _argument: str = "") -> Outcome:
    token = secrets.token_hex(3)
    await conversations.save_state(
        ctx.session,
        person_id=person.id,
        flow=FLOW,
        step="kind",
        data={"at": "kind", "token": token},
        now=ctx.now(),
    )
    choices = (
        Choice(texts.CONCERN_SOMETHING_WRONG, SOMETHING_WRONG),
        Choice(texts.CONCERN_NEW_MENTOR, NEW_MENTOR),
    )
    return Outcome([Reply(texts.CONCERN_ASK, choices=choices, token=token)])


async def step(
    ctx: FlowContext, person: Person, data: dict[str, Any], message: InboundMessage
) -> Outcome:
    if message.choice is not None and message.token != data["token"]:
        return Outcome(stale_tap=True)
    if data["at"] == "kind":
        answer = (message.choice or message.text or "").strip().lower()
        if answer in (NEW_MENTOR, "2", texts.CONCERN_NEW_MENTOR.lower()):
            outcome = await _raise(ctx, person, None)
            return tapped(outcome, message, texts.CONCERN_NEW_MENTOR)
        if answer in (SOMETHING_WRONG, "1", texts.CONCERN_SOMETHING_WRONG.lower()):
            await conversations.save_state(
                ctx.session,
                person_id=person.id,
                flow=FLOW,
                step="words",
                data={"at": "words", "token": data["token"]},
                now=ctx.now(),
            )
            outcome = Outcome([Reply(texts.CONCERN_ASK_WORDS)])
            return tapped(outcome, message, texts.CONCERN_SOMETHING_WRONG)
        reask = await start(ctx, person)
        reask.replies.insert(0, Reply(texts.CONCERN_REASK))
        return reask
    words = " ".join((message.text or "").split())
    if not words:
        return Outcome([Reply(texts.CONCERN_ASK_WORDS)])
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
