"""The question engine's flow side: a question's answer, or the reply when there is none.

`bot/questions/asking.py` reads a message against a question without touching the database;
this module adds what needs the conversation: a stale tap is marked as such, "back" at the
first question is answered in words, a mentee's message in their own words gets a kind reply
(bot/flows/free_text.py) before the question again, and anything else gets a re-ask that names
the choices in the channel's words. Every flow that asks a question goes through `answer`, so
a word that works at one question works at all of them.
"""

from __future__ import annotations

from dataclasses import replace

from bot.flows import texts
from bot.flows.context import FlowContext
from bot.flows.types import Outcome
from bot.messages import Channel, InboundMessage, Reply
from bot.questions import asking
from bot.questions.asking import Kind, Question, Read
from bot.storage.models import Person, Role

# What a flow acts on; the rest is answered here.
ACTED_ON = frozenset({Kind.ANSWER, Kind.SKIP, Kind.BACK})


async def answer(
    ctx: FlowContext, person: Person, question: Question, message: InboundMessage, token: str
) -> Read | Outcome:
    """The message read as an answer, a skip or a step back; otherwise the reply to send."""
    got = asking.read(question, message, token)
    if got.kind is Kind.STALE and message.text is not None:
        # A number typed by text against options since replaced: what the person typed is
        # read against the question open now, as any typed answer is.
        message = replace(message, choice=None, token=None)
        got = asking.read(question, message, token)
    if got.kind in ACTED_ON:
        return got
    if got.kind is Kind.STALE:
        return Outcome(stale_tap=True)
    ask_again = asking.ask(question, token)
    if got.kind is Kind.NO_WAY_BACK:
        return Outcome([Reply(texts.NOTHING_BEFORE), ask_again])
    # Imported here: the kind reply can relay to the mentor, and relaying reaches most flows,
    # which themselves ask their questions through this module.
    from bot.flows import free_text

    if person.role is Role.MENTEE and free_text.is_own_words(message.text):
        return Outcome([*await free_text.aside(ctx, person, message), ask_again])
    return Outcome([Reply(asking.reask(question, ctx.channel or Channel.TELEGRAM)), ask_again])
