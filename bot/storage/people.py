"""Reading and writing people, invites, episodes and consent.

Repositories never commit: the caller owns the transaction, so one inbound message is one
commit (docs/architecture.md).
"""

from __future__ import annotations

import calendar
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import Channel, Sender
from bot.storage import assessments, crypto, read_ahead
from bot.storage.models import (
    Assessment,
    Consent,
    ConversationState,
    Episode,
    EpisodeStatus,
    Invite,
    Person,
    PersonStatus,
    Role,
)

INVITE_LIFETIME = timedelta(days=14)
WHATSAPP_FIRST = "whatsapp,sms"
MENTORING_MONTHS = 6
# No 0/O or 1/I: codes are read aloud and typed on cheap phones.
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 8


def has_phone(phone: str) -> ColumnElement[bool]:
    """Matches the person whose (encrypted) number is `phone`, by its keyed hash."""
    return Person.phone_hash.in_(crypto.installed().phone_hashes(phone))


def has_pending_phone(phone: str) -> ColumnElement[bool]:
    return Person.pending_phone_hash.in_(crypto.installed().phone_hashes(phone))


async def person_by_phone(session: AsyncSession, phone: str) -> Person | None:
    query = select(Person).where(has_phone(phone)).limit(1)
    return (await session.execute(query)).scalar_one_or_none()


def _is_sender(sender: Sender) -> ColumnElement[bool]:
    if sender.channel is Channel.TELEGRAM:
        return Person.telegram_user_id == int(sender.address)
    return has_phone(sender.address)


async def _pending_owner(session: AsyncSession, sender: Sender) -> Person | None:
    """By text only: a number a mentor added and its owner has not confirmed yet."""
    if sender.channel is not Channel.SMS:
        return None
    pending = select(Person).where(has_pending_phone(sender.address)).limit(1)
    return (await session.execute(pending)).scalar_one_or_none()


async def person_by_sender(session: AsyncSession, sender: Sender) -> Person | None:
    query = select(Person).where(_is_sender(sender)).limit(1)
    found = (await session.execute(query)).scalar_one_or_none()
    return found if found is not None else await _pending_owner(session, sender)


def _writing(
    is_sender: ColumnElement[bool],
) -> Select[tuple[Person, ConversationState, Assessment]]:
    return (
        select(Person, ConversationState, Assessment)
        .outerjoin(ConversationState, ConversationState.person_id == Person.id)
        .outerjoin(Assessment, Assessment.id == assessments.open_assessment_id(Person.id))
        .where(is_sender)
        .limit(1)
    )


# Built once, with the sender as a parameter: a statement built afresh for every message cost
# more CPU to build and to key for SQLAlchemy's compiled cache than the database took to run it
# (issue 19). The key of a statement kept is worked out once, on first use.
_WRITING_ON_TELEGRAM = _writing(Person.telegram_user_id == bindparam("telegram_user_id"))
_WRITING_BY_PHONE = _writing(Person.phone_hash.in_(bindparam("phone_hashes", expanding=True)))


async def person_writing(session: AsyncSession, sender: Sender) -> Person | None:
    """The person a message is from, as `person_by_sender` finds them, read in one statement
    with their conversation state and their open sitting.

    Those two land in the session, where the flows' own reads find them without another round
    trip (`conversations.load_state`, `session.get` of the sitting): a tap mid-check-in needs
    all three, and each was a statement of its own (issue 19).
    """
    values: dict[str, Any]
    if sender.channel is Channel.TELEGRAM:
        query, values = _WRITING_ON_TELEGRAM, {"telegram_user_id": int(sender.address)}
    else:
        hashes = crypto.installed().phone_hashes(sender.address)
        query, values = _WRITING_BY_PHONE, {"phone_hashes": hashes}
    found = (await session.execute(query, values)).first()
    if found is None:
        return await _pending_owner(session, sender)
    person: Person = found[0]
    state, sitting = found[1], found[2]
    # The session holds what it loaded only weakly: kept alive for the rest of its transaction,
    # or nothing would refer to the state and the sitting by the time the flows ask for them.
    session.info.setdefault("read_with_person", []).extend((state, sitting))
    if state is None:
        read_ahead.note_absent(session, read_ahead.STATE, person.id)
    if sitting is None:
        read_ahead.note_absent(session, read_ahead.SITTING, person.id)
    return person


async def seen_on_whatsapp(session: AsyncSession, phone: str, now: datetime) -> None:
    """They wrote on WhatsApp: plain messages may go there for the next 24 hours."""
    await session.execute(update(Person).where(has_phone(phone)).values(whatsapp_seen_at=now))


async def add_person(
    session: AsyncSession,
    *,
    role: Role,
    display_name: str,
    now: datetime,
    sender: Sender | None = None,
    telegram_user_id: int | None = None,
    phone: str | None = None,
    status: PersonStatus = PersonStatus.ACTIVE,
) -> Person:
    """Create a person reachable on the sender's channel (or the ids given)."""
    chat_id: int | None = None
    whatsapp = sender is not None and sender.channel is Channel.WHATSAPP
    if sender is not None and sender.channel is Channel.TELEGRAM:
        telegram_user_id = int(sender.address)
        chat_id = sender.chat_id
    elif sender is not None:
        phone = sender.address
    person = Person(
        role=role,
        status=status,
        display_name=display_name,
        telegram_user_id=telegram_user_id,
        telegram_chat_id=chat_id if chat_id is not None else telegram_user_id,
        phone=phone,
        # Met on WhatsApp: reached there first, then by text when WhatsApp cannot.
        channel_order=WHATSAPP_FIRST if whatsapp else None,
        created_at=now,
    )
    session.add(person)
    await session.flush()
    return person


async def staff(session: AsyncSession) -> list[Person]:
    query = select(Person).where(Person.role != Role.MENTEE).order_by(Person.id)
    return list((await session.execute(query)).scalars())


async def remove_person(session: AsyncSession, person: Person) -> None:
    """Delete a person and, by cascade, everything kept about them."""
    await session.execute(delete(Person).where(Person.id == person.id))


def new_invite_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))


async def create_invite(
    session: AsyncSession, *, created_by: Person, mentee_name: str, site: str, now: datetime
) -> Invite:
    invite = Invite(
        code=new_invite_code(),
        created_by_id=created_by.id,
        mentee_name=mentee_name,
        site=site,
        created_at=now,
        expires_at=now + INVITE_LIFETIME,
    )
    session.add(invite)
    await session.flush()
    return invite


async def usable_invite(session: AsyncSession, code: str, now: datetime) -> Invite | None:
    """The invite for a code if it exists, is unused and has not expired."""
    query = select(Invite).where(Invite.code == code.strip().upper())
    invite = (await session.execute(query)).scalar_one_or_none()
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        return None
    return invite


async def record_consent(
    session: AsyncSession, *, person: Person, version: str, now: datetime
) -> None:
    session.add(Consent(person_id=person.id, version=version, agreed_at=now))


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Aug + 6 -> 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


async def start_episode(
    session: AsyncSession,
    *,
    mentee: Person,
    mentor_id: int | None,
    site: str,
    today: date,
    now: datetime,
) -> Episode:
    episode = Episode(
        mentee_id=mentee.id,
        mentor_id=mentor_id,
        site=site,
        started_on=today,
        planned_end_on=add_months(today, MENTORING_MONTHS),
        status=EpisodeStatus.ACTIVE,
        created_at=now,
    )
    session.add(episode)
    await session.flush()
    return episode


async def active_episode(session: AsyncSession, mentee_id: int) -> Episode | None:
    query = (
        select(Episode)
        .where(Episode.mentee_id == mentee_id, Episode.status == EpisodeStatus.ACTIVE)
        .order_by(Episode.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def ids_with_role(session: AsyncSession, role: Role) -> list[int]:
    query = (
        select(Person.id)
        .where(Person.role == role, Person.status == PersonStatus.ACTIVE)
        .order_by(Person.id)
    )
    return list((await session.execute(query)).scalars())
