"""Pictures kept for Twilio to fetch (WhatsApp media), each only until its link ends.

The link (bot/delivery/media_links.py) names a row here; a row past its end is never served and
is deleted the next time a picture is kept, so nothing lingers beyond an hour or so.
"""

from __future__ import annotations

import base64
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import SentPicture


async def keep(
    session: AsyncSession, *, person_id: int | None, png: bytes, now: datetime, ends: datetime
) -> int:
    """Store a picture until `ends`; its id goes into the signed link."""
    await session.execute(delete(SentPicture).where(SentPicture.expires_at <= now))
    picture = SentPicture(
        person_id=person_id,
        png=base64.b64encode(png).decode("ascii"),
        created_at=now,
        expires_at=ends,
    )
    session.add(picture)
    await session.flush()
    return picture.id


async def fetch(session: AsyncSession, picture_id: int, *, now: datetime) -> bytes | None:
    """The PNG, or None when it is gone or its time is over."""
    query = select(SentPicture.png).where(
        SentPicture.id == picture_id, SentPicture.expires_at > now
    )
    found = await session.scalar(query)
    return None if found is None else base64.b64decode(found)
