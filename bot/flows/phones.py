"""A second channel for a Telegram mentee: their phone number, for reminders by text.

Numbers are only ever taken from their owner: shared from Telegram's own contact button, or
added by a mentor and then confirmed by the person replying YES to a text. Until then a number a
mentor typed is kept apart (`pending_phone`) and nothing but the confirmation goes to it.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.flows import texts
from bot.flows.context import FlowContext
from bot.flows.staff import parse_mobile
from bot.flows.staff_views import visible_mentee
from bot.flows.types import Outcome
from bot.messages import Channel, InboundMessage, Reply
from bot.questions import asking
from bot.questions.asking import Kind, Question
from bot.questions.vocabulary import read_yes_no
from bot.storage import crypto
from bot.storage.models import Person
from bot.storage.outbox import Queued
from bot.storage.people import has_phone

_YES = "yes"
# Asked by a text that offers no numbered options, so only yes is read, in the shared
# vocabulary; its prompt is the re-ask, saying what the text is about, since the sender may not
# be the mentee at all. There is no token: the number has no conversation with us yet.
CONFIRM = Question(
    prompt=texts.PHONE_CONFIRM_REASK,
    read_words=lambda text: _YES if read_yes_no(text) else None,
)
_NO_TOKEN = ""


async def _taken(ctx: FlowContext, phone: str, person: Person) -> bool:
    query = select(Person.id).where(has_phone(phone), Person.id != person.id)
    return (await ctx.session.execute(query)).first() is not None


async def ask(ctx: FlowContext, person: Person, _argument: str) -> Outcome:
    """/phone: offers Telegram's share-my-number button."""
    if ctx.channel is not Channel.TELEGRAM:
        return Outcome([Reply(texts.PHONE_ALREADY_TEXT)])
    return Outcome([Reply(texts.PHONE_ASK, ask_contact=True)])


async def shared(ctx: FlowContext, person: Person, message: InboundMessage) -> Outcome:
    """Keeps the number a mentee shared from their own Telegram contact."""
    phone, _reason = parse_mobile(message.contact_phone or "")
    if phone is None:
        return Outcome([Reply(texts.PHONE_NOT_UK)])
    if await _taken(ctx, phone, person):
        return Outcome([Reply(texts.PHONE_TAKEN)])
    person.phone, person.pending_phone, person.sms_opted_out_at = phone, None, None
    return Outcome([Reply(texts.PHONE_SAVED)])


async def add_for_mentee(ctx: FlowContext, staff: Person, argument: str) -> Outcome:
    """/addphone NAME NUMBER (staff): asks the mentee, by text, to confirm the number."""
    parts = argument.split()
    if len(parts) < 2:
        return Outcome([Reply(texts.ADDPHONE_USAGE)])
    name = parts[0]
    mentee = await visible_mentee(ctx, staff, name)
    if mentee is None:
        return Outcome([Reply(texts.NO_SUCH_MENTEE.format(name=name))])
    if not ctx.sms_enabled:
        return Outcome([Reply(texts.ADDMENTEE_NO_SMS)])
    phone, reason = parse_mobile(" ".join(parts[1:]))
    if phone is None:
        return Outcome([Reply(texts.ADDMENTEE_BAD_PHONE.format(reason=reason))])
    if await _taken(ctx, phone, mentee):
        return Outcome([Reply(texts.ADDMENTEE_TAKEN)])
    mentee.pending_phone = phone
    await ctx.queue(
        Queued(
            person_id=mentee.id,
            # Keys are stored in clear: the number's hash, never the number, tells them apart.
            key=f"phone:{mentee.id}:{crypto.installed().phone_hash(phone)[:16]}:confirm",
            kind="phone_confirm",
            text=texts.PHONE_CONFIRM_SMS.format(mentor=staff.display_name),
            not_before=ctx.now(),
            channel="sms",
            sms_to=phone,
        )
    )
    return Outcome([Reply(texts.ADDPHONE_SENT.format(name=mentee.display_name))])


def confirming(person: Person, message: InboundMessage) -> bool:
    """True when this text comes from a number the person has not confirmed yet."""
    return message.sender.channel is Channel.SMS and person.phone != message.sender.address


async def confirm(ctx: FlowContext, person: Person, message: InboundMessage) -> Outcome:
    """A YES from the pending number makes it theirs; anything else asks again.

    Read with `asking.read`, not `asked.answer`: words of one's own from a number not yet
    confirmed get the question again, never the kind reply that offers to pass them on.
    """
    if asking.read(CONFIRM, message, _NO_TOKEN).kind is not Kind.ANSWER:
        return Outcome([asking.ask(CONFIRM, _NO_TOKEN)])
    person.phone, person.pending_phone = message.sender.address, None
    person.sms_opted_out_at = None
    return Outcome([Reply(texts.PHONE_CONFIRMED)])
