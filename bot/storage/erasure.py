"""Erasing a person's data (`/forget`, and records past their keeping time).

What they can see of it first (`/mydata`) is gathered in `bot.storage.access`.

Erasing deletes the person's row, and with it (ON DELETE CASCADE) their episodes, answers,
scores, goals, meetings, signposts, alerts, notes and messages. What the service must still
be able to count (mentees who took part, check-ins, meetings held and missed, goals set and
achieved, services signposted) is first added to `erased_counts`, per site, mentor and month,
which says nothing about who. Texts sent to staff that named the person are redacted, the
words they relayed through the bot or raised as a concern are blanked, and raw Telegram
updates from them are deleted, so no name, number or word of theirs is left behind.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import people, relays
from bot.storage.access import CONCERN_KEY
from bot.storage.models import (
    Assessment,
    AssessmentStatus,
    Episode,
    EpisodeStatus,
    ErasedCount,
    Goal,
    GoalStatus,
    Invite,
    Meeting,
    MeetingOutcome,
    OutboxMessage,
    Person,
    Resource,
    Signpost,
    SiteMove,
    TelegramUpdate,
)

REDACTED = "(a former mentee)"
MOVES = "site_moves:"  # erased_counts metric for a move between clinics, "hub -> camberwell"
CONCERN_REMOVED = "[a concern from (a former mentee): the words were deleted at their request]"


async def _rows(session: AsyncSession, query: Any) -> list[Any]:
    return list((await session.execute(query)).scalars())


async def _count_what_remains(session: AsyncSession, person: Person) -> None:
    """Add the person's part in the service's counts to the anonymous totals."""
    counts: Counter[tuple[str, int | None, date, str]] = Counter()
    episodes = await _rows(session, select(Episode).where(Episode.mentee_id == person.id))
    for episode in episodes:
        month = episode.started_on.replace(day=1)
        key = (episode.site, episode.mentor_id, month)
        counts[(*key, "mentees")] += 1
        done = await _rows(
            session,
            select(Assessment.id).where(
                Assessment.episode_id == episode.id,
                Assessment.status == AssessmentStatus.COMPLETE,
                Assessment.rated_by_id.is_(None),
            ),
        )
        counts[(*key, "check_ins")] += len(done)
        for outcome in await _rows(
            session, select(Meeting.outcome).where(Meeting.episode_id == episode.id)
        ):
            if outcome is MeetingOutcome.MET:
                counts[(*key, "meetings_held")] += 1
            elif outcome is MeetingOutcome.NO_SHOW:
                counts[(*key, "meetings_missed")] += 1
        for status in await _rows(
            session, select(Goal.status).where(Goal.episode_id == episode.id)
        ):
            if status is not GoalStatus.PROPOSED:
                counts[(*key, "goals_set")] += 1
            if status is GoalStatus.DONE:
                counts[(*key, "goals_achieved")] += 1
        for move in await _rows(
            session, select(SiteMove).where(SiteMove.episode_id == episode.id)
        ):
            moved = (episode.site, episode.mentor_id, move.moved_on.replace(day=1))
            counts[(*moved, f"{MOVES}{move.from_site} -> {move.to_site}")] += 1
    if episodes:  # signposts belong to the person, not an episode: counted once, with the last
        last = max(episodes, key=lambda episode: episode.started_on)
        key = (last.site, last.mentor_id, last.started_on.replace(day=1))
        signposted = await session.execute(
            select(Resource.category)
            .join(Signpost, Signpost.resource_id == Resource.id)
            .where(Signpost.mentee_id == person.id)
        )
        for category in signposted.scalars():
            counts[(*key, f"signposts:{category}")] += 1
    for (site, mentor_id, month, metric), count in counts.items():
        if count:
            session.add(
                ErasedCount(
                    site=site, mentor_id=mentor_id, month=month, metric=metric, count=count
                )
            )


async def _redact_mentions(session: AsyncSession, person: Person) -> None:
    """Staff notices that named the person keep their shape but lose the name; a concern they
    raised loses its words too."""
    name = re.compile(rf"\b{re.escape(person.display_name)}\b", re.IGNORECASE)
    rows = await _rows(session, select(OutboxMessage).where(OutboxMessage.person_id != person.id))
    concern = CONCERN_KEY.format(person=person.id)
    for message in rows:
        if message.idempotency_key.startswith(concern):  # the words were theirs too
            message.text = CONCERN_REMOVED
        elif name.search(message.text):
            message.text = name.sub(REDACTED, message.text)


async def _delete_raw_updates(session: AsyncSession, person: Person) -> None:
    if person.telegram_user_id is None:
        return
    for update in await _rows(session, select(TelegramUpdate)):
        sender = next(
            (
                part.get("from", {}).get("id")
                for part in update.payload.values()
                if isinstance(part, dict) and "from" in part
            ),
            None,
        )
        if sender == person.telegram_user_id:
            await session.delete(update)


async def erase_person(session: AsyncSession, person: Person) -> None:
    """Forget this person: counts kept anonymously, everything else gone."""
    await _count_what_remains(session, person)
    await _redact_mentions(session, person)
    for episode_id in await _rows(
        session, select(Episode.id).where(Episode.mentee_id == person.id)
    ):
        await relays.forget_episode(session, episode_id)  # their words in staff's outbox too
    await _delete_raw_updates(session, person)
    await session.execute(delete(Invite).where(Invite.used_by_id == person.id))
    await session.flush()  # whatever this transaction changed is written before the delete
    await people.remove_person(session, person)
    # Loaded rows of theirs are gone from the database now; forget them here too, so the
    # commit does not try to update them.
    session.expunge_all()


async def purge_expired(session: AsyncSession, *, before: date) -> int:
    """Erase mentees whose mentoring ended before this day and who have not come back."""
    ended = select(Episode.mentee_id).where(
        Episode.status != EpisodeStatus.ACTIVE,
        Episode.ended_on.is_not(None),
        Episode.ended_on < before,
    )
    still_mentored = select(Episode.mentee_id).where(Episode.status == EpisodeStatus.ACTIVE)
    query = select(Person.id).where(Person.id.in_(ended), Person.id.not_in(still_mentored))
    expired = list((await session.execute(query)).scalars())
    for person_id in expired:
        person = await session.get(Person, person_id)
        if person is not None:
            await erase_person(session, person)
    return len(expired)
