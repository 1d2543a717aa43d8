"""The reply to a message sent again whose first copy was stored after all (bot/held.py).

The person was told to try again (or was waiting on a held message) although their first copy
had committed, so the open question has moved on without them seeing it. The copy is stored
nowhere: never taken as the answer to a question the person has not seen. They are told it
came through, and, unless they have been shown it since, asked the open question.
"""

from __future__ import annotations

from bot.flows import free_text, texts
from bot.flows.context import FlowContext
from bot.flows.engine import FLOW_STEPS, writer
from bot.flows.types import Outcome
from bot.messages import InboundMessage, Reply
from bot.storage import conversations


async def reply(ctx: FlowContext, message: InboundMessage, *, reask: bool) -> Outcome:
    """'We got that the first time', then the question that is open now when `reask`."""
    person = await writer(ctx, message)
    outcome = Outcome([Reply(texts.GOT_IT_ALREADY)])
    if person is None or not reask:
        return outcome
    state = await conversations.load_state(ctx.session, person.id)
    if state is None or state.flow not in FLOW_STEPS or state.flow == free_text.FLOW:
        return outcome
    # As after a command typed mid-flow (engine._run_command): the flow's step with nothing in
    # it asks its question again, with the same token, and stores nothing.
    blank = InboundMessage(sender=message.sender)
    asked = await FLOW_STEPS[state.flow](ctx, person, state.data, blank)
    outcome.replies += [question for question in asked.replies if question.choices]
    return outcome
