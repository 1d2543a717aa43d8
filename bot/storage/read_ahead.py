"""What the read of the person who wrote showed was not there (people.person_writing).

That read joins the person's conversation state and open sitting. When it finds neither, the
flows' own lookups of them would each ask the database again and get nothing: two or three
round trips of a /checkin's ten (issue 19). So the absence is noted in the session, for this
transaction only, and dropped as soon as this process writes one (`forget`).
"""

from __future__ import annotations

from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

STATE: Final = "state"
SITTING: Final = "open sitting"
_KEY: Final = "known_absent"


def note_absent(session: AsyncSession, kind: str, person_id: int) -> None:
    session.info.setdefault(_KEY, set()).add((kind, person_id))


def known_absent(session: AsyncSession, kind: str, person_id: int) -> bool:
    return (kind, person_id) in session.info.get(_KEY, ())


def forget(session: AsyncSession, kind: str, person_id: int) -> None:
    session.info.get(_KEY, set()).discard((kind, person_id))
