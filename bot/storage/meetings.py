"""Reading and writing meetings, and the mentees a mentor may book them with.

The `meetings` table is the truth the scheduler reads its reminders from, so a status set here
is what stops or starts them. Repositories never commit: the caller owns the transaction
(docs/architecture.md).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import (
    Episode,
    EpisodeStatus,
    Meeting,
    MeetingOutcome,
    MeetingStatus,
    Person,
)

# What a mentee can still come to: the meetings shown to them and answered by them.
ON = (MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED)


async def create_meeting(
    session: AsyncSession,
    *,
    episode: Episode,
    mentor_id: int,
    starts_at: datetime,
    place: str,
    now: datetime,
) -> Meeting:
    """A newly booked meeting, waiting for the mentee to confirm."""
    meeting = Meeting(
        episode_id=episode.id,
        mentee_id=episode.mentee_id,
        mentor_id=mentor_id,
        starts_at=starts_at,
        place=place,
        status=MeetingStatus.PROPOSED,
        created_at=now,
        updated_at=now,
    )
    session.add(meeting)
    await session.flush()
    return meeting


async def get_meeting(session: AsyncSession, meeting_id: int) -> Meeting | None:
    return await session.get(Meeting, meeting_id)


async def upcoming_for_mentor(
    session: AsyncSession, mentor_id: int, *, now: datetime, until: datetime
) -> list[tuple[Meeting, Person]]:
    """The mentor's meetings from now until `until`, soonest first, with each mentee.

    Cancelled ones are left out (there is nothing left to manage); declined and moved ones
    stay, so the mentor sees what still needs a new time.
    """
    query = (
        select(Meeting, Person)
        .join(Person, Person.id == Meeting.mentee_id)
        .where(
            Meeting.mentor_id == mentor_id,
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.starts_at > now,
            Meeting.starts_at <= until,
        )
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return [(row[0], row[1]) for row in await session.execute(query)]


async def next_for_mentee(
    session: AsyncSession, mentee_id: int, *, now: datetime
) -> Meeting | None:
    """The mentee's next meeting that is still on (proposed or confirmed)."""
    query = (
        select(Meeting)
        .where(
            Meeting.mentee_id == mentee_id,
            Meeting.status.in_(ON),
            Meeting.starts_at > now,
        )
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


def set_status(meeting: Meeting, status: MeetingStatus, *, now: datetime) -> None:
    meeting.status = status
    meeting.updated_at = now


def set_outcome(meeting: Meeting, outcome: MeetingOutcome, *, now: datetime) -> None:
    """Record what happened; a later answer replaces an earlier one."""
    meeting.outcome = outcome
    meeting.outcome_at = now
    meeting.updated_at = now


async def mentees_of(session: AsyncSession, mentor_id: int) -> list[tuple[Person, Episode]]:
    """The mentor's mentees with an active episode, by name."""
    query = (
        select(Person, Episode)
        .join(Episode, Episode.mentee_id == Person.id)
        .where(Episode.mentor_id == mentor_id, Episode.status == EpisodeStatus.ACTIVE)
        .order_by(func.lower(Person.display_name), Person.id)
    )
    return [(row[0], row[1]) for row in await session.execute(query)]
