"""Telling someone who has not joined how to join, in the words of the channel they used.

A stranger on Telegram is told to send /start and the code; by text, /start means nothing, so
they are told to text JOIN and the code. A number a mentor invited by text (/addmentee) is kept
as a pending person with the invite's text in the outbox; when it replies with anything but
"JOIN <code>", it hears that the invite is waiting. A plain JOIN or YES opens that invite: it
was made for this number, and opening it only shows what joining means and asks for consent,
which stays a separate, explicit yes.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.flows import onboarding, texts
from bot.flows.context import FlowContext
from bot.flows.types import Outcome
from bot.messages import InboundMessage, Reply
from bot.storage.models import Invite, OutboxMessage, Person

INVITE_KIND = "invite"  # the outbox kind of an invitation by text
# Replies that mean "let me see the invite": the keyword alone, or a yes to the invitation.
OPEN_WORDS = {"join", "yes", "y", "yes please", "ok", "okay", "yeah", "yep"}


def invite_key(invite_id: int) -> str:
    """The outbox key of an invitation by text; it ties the pending number to its invite."""
    return f"invite:{invite_id}:sms"


def needs_code(ctx: FlowContext) -> Outcome:
    text = texts.START_NEEDS_CODE_SMS if ctx.texted else texts.START_NEEDS_CODE
    return Outcome([Reply(text)])


async def waiting(ctx: FlowContext, person: Person, message: InboundMessage) -> Outcome:
    """A pending person with no consent question open: open their invite, or say how."""
    invite = await _texted_invite(ctx, person)
    if invite is None:
        return needs_code(ctx)
    words = " ".join(re.sub(r"[^a-z ]", " ", (message.text or "").lower()).split())
    if message.choice is None and words in OPEN_WORDS:
        return await onboarding.begin(ctx, person, message.sender, invite.code)
    mentor = await ctx.session.get(Person, invite.created_by_id)
    name = mentor.display_name if mentor is not None else texts.YOUR_MENTOR
    reply = texts.INVITE_WAITING_SMS.format(name=person.display_name, mentor=name)
    return Outcome([Reply(reply)])


async def _texted_invite(ctx: FlowContext, person: Person) -> Invite | None:
    """The newest invite texted to this person, if it can still be used."""
    query = (
        select(OutboxMessage.idempotency_key)
        .where(OutboxMessage.person_id == person.id, OutboxMessage.kind == INVITE_KIND)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    key = await ctx.session.scalar(query)
    found = re.fullmatch(r"invite:(\d+):sms", key or "")
    if found is None:
        return None
    invite = await ctx.session.get(Invite, int(found.group(1)))
    if invite is None or invite.used_at is not None or invite.expires_at <= ctx.now():
        return None
    return invite
