"""Delivering one relayed message: stored for the episode, queued with a Reply button, and
the sender told what happens next.

The message reaches staff at once whatever the hour (like every notice to staff). What changes
outside the staff member's hours (bot.flows.hours) is what the mentee is told: when they will
see it, and where to get help before then. Messages to a mentee wait for the end of quiet hours.
"""

from __future__ import annotations

import logging

from bot.flows import hours_rules, texts
from bot.flows.context import FlowContext
from bot.flows.types import Outcome
from bot.messages import Reply
from bot.storage import relays
from bot.storage.models import Episode, Person, Role
from bot.storage.outbox import Queued

logger = logging.getLogger(__name__)

REPLY = "reply"  # bot.flows.relay.REPLY: the value of the Reply button


def token(relay_id: int) -> str:
    return f"rl-{relay_id}"


def _wording(sender: Person, recipient: Person, words: str, *, reply: bool) -> str:
    if recipient.role is Role.MENTEE:
        template = texts.RELAY_STAFF_REPLIED if reply else texts.RELAY_FROM_STAFF
    else:
        template = texts.RELAY_MENTEE_REPLIED if reply else texts.RELAY_FROM_MENTEE
    return template.format(name=sender.display_name, text=words)


async def deliver(
    ctx: FlowContext,
    sender: Person,
    recipient: Person,
    episode: Episode,
    words: str,
    *,
    reply: bool,
) -> Outcome:
    """Stores and queues the message; what the sender is told."""
    relay = await relays.add_relay(
        ctx.session,
        episode_id=episode.id,
        sender_id=sender.id,
        recipient_id=recipient.id,
        text=words,
        now=ctx.now(),
    )
    await ctx.queue(
        Queued(
            person_id=recipient.id,
            key=relays.outbox_key(episode.id, relay.id),
            kind=relays.KIND,
            text=_wording(sender, recipient, words, reply=reply),
            not_before=ctx.now(),
            choices=((texts.RELAY_REPLY, REPLY),),
            token=token(relay.id),
            # Staff get it at once, as every notice; a mentee is not woken at night.
            respect_quiet_hours=recipient.role is Role.MENTEE,
        )
    )
    logger.info("Relayed message %d in episode %d", relay.id, episode.id)  # never the words
    if sender.role is not Role.MENTEE:
        return Outcome([Reply(texts.RELAY_STAFF_SENT.format(name=recipient.display_name))])
    return Outcome(_told_to_mentee(ctx, recipient))


def _told_to_mentee(ctx: FlowContext, staff: Person) -> list[Reply]:
    """Sent; and, outside the staff member's hours, when they will see it and the crisis lines."""
    hours = hours_rules.from_stored(staff.available_hours)
    if hours is None:
        return [Reply(texts.RELAY_SENT_NO_HOURS.format(name=staff.display_name))]
    back = hours_rules.next_reading(hours, ctx.now(), ctx.zone)
    if back is None:
        return [Reply(texts.RELAY_SENT.format(name=staff.display_name))]
    told = texts.RELAY_OUTSIDE_HOURS.format(
        name=staff.display_name,
        hours=hours.describe(),
        when=hours_rules.when_phrase(back, ctx.now(), ctx.zone),
    )
    return [Reply(told), Reply(texts.CRISIS_LINES)]
