"""Staff actions on the chat: for now, inviting a new mentee.

Role checks happen here, on every call, not by hiding commands.
"""

from __future__ import annotations

import phonenumbers

from bot.flows import invited, texts
from bot.flows.context import FlowContext
from bot.flows.types import Outcome
from bot.messages import Channel, Reply, Sender
from bot.storage import people
from bot.storage.models import Person, PersonStatus, Role
from bot.storage.outbox import Queued

STAFF_ROLES = (Role.MENTOR, Role.SUPERVISOR)
FIRST_SITE = "hub"  # clients start at the hub clinic and move to a spoke when more stable
MAX_NAME = 32
WHATSAPP_WORD = "whatsapp"  # /addmentee whatsapp PHONE NAME


async def invite(ctx: FlowContext, person: Person, argument: str) -> Outcome:
    """Creates a single-use invite for a new mentee and shows how they can join."""
    name = " ".join(argument.split())
    if not name:
        return Outcome([Reply(texts.INVITE_NEEDS_NAME)])
    if len(name) > MAX_NAME:
        return Outcome([Reply(texts.INVITE_NAME_TOO_LONG)])
    created = await people.create_invite(
        ctx.session, created_by=person, mentee_name=name, site=FIRST_SITE, now=ctx.now()
    )
    how = [texts.INVITE_CODE.format(code=created.code)]
    link = ctx.links.telegram_link(created.code)
    if link is not None:
        how.insert(0, texts.INVITE_LINK.format(link=link))
    if ctx.sms_enabled:
        how.append(by_text(created.code, ctx.links.sms_number))
    if ctx.links.whatsapp_number is not None:
        how.append(by_whatsapp(created.code, ctx.links.whatsapp_number))
    return Outcome([Reply(texts.INVITE_CREATED.format(name=name, how="\n".join(how)))])


def by_text(code: str, number: str | None) -> str:
    """How to join by text, with the service's number as people write it (07700 900000)."""
    if number is None:  # texts go through a Messaging Service: no one number to give
        return texts.INVITE_BY_TEXT_NO_NUMBER.format(code=code)
    return texts.INVITE_BY_TEXT.format(code=code, number=as_written(number))


def by_whatsapp(code: str, number: str) -> str:
    """How to join on WhatsApp: the number, and a link that opens the chat with JOIN typed."""
    link = f"https://wa.me/{number.lstrip('+')}?text=JOIN%20{code}"
    return texts.INVITE_BY_WHATSAPP.format(code=code, number=as_written(number), link=link)


def as_written(number: str) -> str:
    """An E.164 number as people write it: 07700 900000 at home, +33 ... abroad."""
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        return number
    style = phonenumbers.PhoneNumberFormat
    return phonenumbers.format_number(
        parsed, style.NATIONAL if parsed.country_code == 44 else style.INTERNATIONAL
    )


DRAMA_RANGE = range(447700900000, 447700901000)  # Ofcom's fiction numbers, used in demos


def parse_mobile(raw: str) -> tuple[str | None, str]:
    """(E.164 number, '') or (None, the reason it was refused); UK by default."""
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException as exc:
        return None, str(exc).split(". ", 1)[-1].rstrip(".").lower()
    if not phonenumbers.is_possible_number(number):
        return None, "it has too many or too few digits"
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if int(e164[1:]) not in DRAMA_RANGE and not phonenumbers.is_valid_number(number):
        return None, "it is not a number in use"
    return e164, ""


async def add_mentee(ctx: FlowContext, person: Person, argument: str) -> Outcome:
    """Invites someone by text, or on WhatsApp with `/addmentee whatsapp PHONE NAME`; nothing
    more is sent until they agree. The WhatsApp invitation goes as the approved template (no
    plain message may start a WhatsApp conversation), or by text when none is set."""
    parts = argument.split()
    whatsapp = bool(parts) and parts[0].lower() == WHATSAPP_WORD
    if whatsapp:
        parts = parts[1:]
        if ctx.links.whatsapp_number is None:
            return Outcome([Reply(texts.ADDMENTEE_NO_WHATSAPP)])
    elif not ctx.sms_enabled:
        return Outcome([Reply(texts.ADDMENTEE_NO_SMS)])
    if len(parts) < 2:
        usage = texts.ADDMENTEE_USAGE
        if ctx.links.whatsapp_number is not None:
            usage = f"{usage}\n{texts.ADDMENTEE_USAGE_WHATSAPP}"
        return Outcome([Reply(usage)])
    name = parts[-1]
    phone, reason = parse_mobile(" ".join(parts[:-1]))
    if phone is None:
        return Outcome([Reply(texts.ADDMENTEE_BAD_PHONE.format(reason=reason))])
    if len(name) > MAX_NAME:
        return Outcome([Reply(texts.INVITE_NAME_TOO_LONG)])
    sender = Sender(Channel.WHATSAPP if whatsapp else Channel.SMS, phone)
    if await people.person_by_sender(ctx.session, sender) is not None:
        return Outcome([Reply(texts.ADDMENTEE_TAKEN)])
    invite = await people.create_invite(
        ctx.session, created_by=person, mentee_name=name, site=FIRST_SITE, now=ctx.now()
    )
    # Kept as pending, with only the number the mentor gave; a "no" or no answer keeps nothing
    # more, and declining deletes it.
    mentee = await people.add_person(
        ctx.session,
        role=Role.MENTEE,
        display_name=name,
        now=ctx.now(),
        sender=sender,
        status=PersonStatus.PENDING,
    )
    text = texts.SMS_INVITE.format(name=name, mentor=person.display_name, code=invite.code)
    await ctx.queue(
        Queued(
            person_id=mentee.id,
            key=invited.invite_key(invite.id),
            kind=invited.INVITE_KIND,
            text=text,
            not_before=ctx.now(),
            expires_at=invite.expires_at,
        )
    )
    sent = texts.ADDMENTEE_WHATSAPP_SENT if whatsapp else texts.ADDMENTEE_SENT
    return Outcome([Reply(sent.format(name=name, code=invite.code))])
