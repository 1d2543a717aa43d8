"""A kind reply to a message in the person's own words, instead of a re-ask.

People write to the bot as they would to a person: "I used again last night and I feel
terrible" typed where a check-in expects 1 to 5. Met with "I did not get that", they learn the
bot does not listen. So a message in their own words gets a short, honest acknowledgement and
something useful to do with it: send it to their mentor (shown back and confirmed first, then
relayed as /msg would), find help, or carry on. A relapse told in words gets a reply without
judgement, the facts that keep people alive after a break, and an offer to tell the mentor,
who is told only if the mentee says yes.

Two ways in: `outside` when no flow is open (engine.process's fallback), and `aside` inside a
question, whose caller asks its question again after these replies. The crisis check runs
before either (engine.process), so a crisis message never lands here. The answers to the
offers (`parse_action`, `handle`) live in bot.flows.free_text_offers and work whatever flow is
open, leaving it as it was.
"""

from __future__ import annotations

import re
from typing import Any

from bot.flows import free_text_offers as offers
from bot.flows import texts
from bot.flows.context import FlowContext
from bot.flows.free_text_offers import FreeTextTap, handle, parse_action, settle
from bot.flows.types import Outcome
from bot.messages import Choice, InboundMessage, Reply
from bot.safety import relapse
from bot.storage import conversations
from bot.storage.models import Person

__all__ = [
    "FLOW",
    "FreeTextTap",
    "aside",
    "handle",
    "is_own_words",
    "is_relapse",
    "outside",
    "parse_action",
    "pause",
    "settle",
    "step",
]

FLOW = conversations.ASIDE_FLOW  # a state holding only an offer: the engine treats it as none
MIN_WORDS = 3  # fewer, without words of feeling, is more likely a missed answer ("yse", "agre")
_HAS_LETTER = re.compile(r"[^\W\d_]")


def is_own_words(text: str | None) -> bool:
    """True for a message in the person's own words, not a failed attempt at an answer."""
    if not text or text.lstrip().startswith("/"):
        return False
    if sum(1 for word in text.split() if _HAS_LETTER.search(word)) >= MIN_WORDS:
        return True
    detector = relapse.shipped()
    return detector.relapse(text) or detector.feeling(text)


def is_relapse(text: str | None) -> bool:
    return relapse.shipped().relapse(text)


async def aside(ctx: FlowContext, person: Person, message: InboundMessage) -> list[Reply]:
    """The kind reply inside a question; the caller appends its question after these.

    Call it after the question's own state is saved (the offer is kept inside that state). By
    SMS the options are words (MENTOR, TELL, FIND), since the numbers belong to the question
    that follows: only the options texted last are read as numbers.
    """
    return await _replies(ctx, person, message, words_only=ctx.texted)


async def outside(ctx: FlowContext, person: Person, message: InboundMessage) -> Outcome:
    """The kind reply when no flow is open: replaces the menu for a message in own words."""
    return Outcome(await _replies(ctx, person, message, words_only=False))


async def step(
    ctx: FlowContext, person: Person, data: dict[str, Any], message: InboundMessage
) -> Outcome:
    """An offer alone, as a flow: engine.process settles it before flows are stepped, but
    every saved state has a step. A typed yes or no answers it; anything else gets the menu."""
    settled = await settle(ctx, person, message)
    return settled if settled is not None else await offers.menu(ctx, person)


async def pause(ctx: FlowContext, person: Person, data: dict[str, Any]) -> Outcome:
    """/cancel with only an offer open: nothing to pause, the offer is dropped."""
    await conversations.clear_state(ctx.session, person.id)
    return Outcome([Reply(texts.NOTHING_TO_PAUSE)])


async def _replies(
    ctx: FlowContext, person: Person, message: InboundMessage, *, words_only: bool
) -> list[Reply]:
    words = (message.text or "").strip()
    route = await offers.mentor_of(ctx, person)
    name = route[0].display_name if route is not None else ""
    if is_relapse(words):
        replies = [Reply(texts.RELAPSE_REPLY), Reply(texts.RELAPSE_FACTS)]
        if route is None:
            return replies
        token = await offers.offer(ctx, person, offers.TELL_ASK)
        if words_only:
            return [*replies, Reply(texts.RELAPSE_SMS_OFFER.format(name=name))]
        answers = (
            Choice(texts.RELAPSE_TELL.format(name=name), offers.TELL),
            Choice(texts.RELAPSE_DONT_TELL, offers.DONT_TELL),
        )
        return [*replies, Reply(texts.RELAPSE_OFFER.format(name=name), answers, token)]
    ack = texts.FREE_ACK_FEELING if relapse.shipped().feeling(words) else texts.FREE_ACK
    can_send = route is not None and len(words) <= offers.MAX_LENGTH
    if words_only:
        if can_send:
            await offers.offer(ctx, person, offers.OPTIONS_ASK, text=words)
            return [Reply(f"{ack} {texts.FREE_SMS_OPTIONS.format(name=name)}")]
        return [Reply(f"{ack} {texts.FREE_SMS_FIND}")]
    choices: tuple[Choice, ...] = ()
    if can_send:
        choices = (Choice(texts.FREE_TO_MENTOR.format(name=name), offers.MENTOR),)
    choices += (
        Choice(texts.FREE_FIND, offers.FIND),
        Choice(texts.FREE_CARRY_ON, offers.CARRY_ON),
    )
    token = await offers.offer(ctx, person, offers.OPTIONS_ASK, text=words if can_send else None)
    return [Reply(f"{ack}\n{texts.FREE_WHAT_NEXT}", choices, token)]
