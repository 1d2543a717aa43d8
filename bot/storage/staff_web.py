"""Sign-in links and dashboard sessions for staff: tokens out, only their hashes kept.

A link (`/web`) is good for 10 minutes and one use; redeeming it starts a session of 8 hours
that each use renews. Every check re-reads the person, so someone who is no longer staff (or
was removed) is signed out at their next request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Person, Role, StaffSignInLink, StaffWebSession

LINK_LIFETIME = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=8)
STAFF_ROLES = (Role.MENTOR, Role.SUPERVISOR)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


async def create_link(session: AsyncSession, person: Person, *, now: datetime) -> str:
    """A fresh one-time token for this staff member; the caller builds the URL."""
    token = new_token()
    session.add(
        StaffSignInLink(
            person_id=person.id,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    return token


async def link_person(session: AsyncSession, token: str, *, now: datetime) -> Person | None:
    """Whom this link would sign in, without using it up (None: forged, used or expired)."""
    link = await session.scalar(
        select(StaffSignInLink).where(StaffSignInLink.token_hash == token_hash(token))
    )
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    return await _staff(session, link.person_id)


async def redeem_link(session: AsyncSession, token: str, *, now: datetime) -> Person | None:
    """Uses the link up and returns its staff member; None if it cannot be used.

    The update is conditional on the link still being unused, so two tabs (or two processes)
    redeeming the same link at once get one session between them.
    """
    claimed = await session.execute(
        update(StaffSignInLink)
        .where(
            StaffSignInLink.token_hash == token_hash(token),
            StaffSignInLink.used_at.is_(None),
            StaffSignInLink.expires_at > now,
        )
        .values(used_at=now)
        .returning(StaffSignInLink.person_id)
    )
    person_id = claimed.scalar_one_or_none()
    return None if person_id is None else await _staff(session, person_id)


async def start_session(session: AsyncSession, person: Person, *, now: datetime) -> str:
    token = new_token()
    session.add(
        StaffWebSession(
            person_id=person.id,
            token_hash=token_hash(token),
            created_at=now,
            last_used_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    return token


async def session_person(session: AsyncSession, token: str, *, now: datetime) -> Person | None:
    """The staff member signed in with this cookie, renewing the session; None if none."""
    found = await session.scalar(
        select(StaffWebSession).where(StaffWebSession.token_hash == token_hash(token))
    )
    if found is None or found.ended_at is not None or found.expires_at <= now:
        return None
    person = await _staff(session, found.person_id)
    if person is None:
        found.ended_at = now
        return None
    found.last_used_at = now
    found.expires_at = now + SESSION_LIFETIME
    return person


async def end_session(session: AsyncSession, token: str, *, now: datetime) -> None:
    await session.execute(
        update(StaffWebSession)
        .where(StaffWebSession.token_hash == token_hash(token), StaffWebSession.ended_at.is_(None))
        .values(ended_at=now)
    )


async def _staff(session: AsyncSession, person_id: int) -> Person | None:
    person = await session.get(Person, person_id)
    return person if person is not None and person.role in STAFF_ROLES else None
