"""A person's own data: everything held about them (`/mydata`), and erasing it (`/forget`).

Erasing deletes the person's row, and with it (ON DELETE CASCADE) their episodes, answers,
scores, goals, meetings, signposts, alerts, notes and messages. What the service must still
be able to count (mentees who took part, check-ins, meetings held and missed, goals set and
achieved, services signposted) is first added to `erased_counts`, per site, mentor and month,
which says nothing about who. Texts sent to staff that named the person are redacted, the
words they relayed through the bot are blanked, and raw Telegram updates from them are deleted,
so no name, number or word of theirs is left behind.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage import people, relays
from bot.storage.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    Consent,
    CrisisAlert,
    Episode,
    EpisodeStatus,
    ErasedCount,
    Goal,
    GoalProgress,
    GoalStatus,
    GoalStep,
    Invite,
    Meeting,
    MeetingOutcome,
    OutboxMessage,
    Person,
    Priority,
    RelayMessage,
    Resource,
    Score,
    SessionNote,
    Signpost,
    TelegramUpdate,
)

REDACTED = "(a former mentee)"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def _row(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: _plain(getattr(row, name)) for name in fields}


async def _rows(session: AsyncSession, query: Any) -> list[Any]:
    return list((await session.execute(query)).scalars())


async def personal_data(session: AsyncSession, person: Person) -> dict[str, Any]:
    """Everything held about this person, as plain JSON-ready values."""
    pid = person.id
    episodes = await _rows(session, select(Episode).where(Episode.mentee_id == pid))
    sittings = await _rows(
        session, select(Assessment).where(Assessment.person_id == pid).order_by(Assessment.id)
    )
    assessments = []
    for sitting in sittings:
        answers = await _rows(session, select(Answer).where(Answer.assessment_id == sitting.id))
        scores = await _rows(session, select(Score).where(Score.assessment_id == sitting.id))
        assessments.append(
            {
                **_row(sitting, ("timepoint", "status", "started_at", "completed_at")),
                "rated_by_staff": sitting.rated_by_id is not None,
                "answers": {f"{a.instrument}:{a.item_id}": a.value for a in answers},
                "scores": {f"{s.instrument}:{s.key}": s.value for s in scores},
            }
        )
    goals = []
    for goal in await _rows(session, select(Goal).where(Goal.person_id == pid)):
        steps = await _rows(session, select(GoalStep).where(GoalStep.goal_id == goal.id))
        progress = await _rows(
            session, select(GoalProgress).where(GoalProgress.goal_id == goal.id)
        )
        goals.append(
            {
                **_row(goal, ("title", "domain", "status", "target_on", "rhythm", "created_at")),
                "steps": [_row(s, ("text", "done_at")) for s in steps],
                "progress": [_row(p, ("answer", "recorded_at")) for p in progress],
            }
        )
    signposts = await session.execute(
        select(Signpost, Resource.name).join(Resource).where(Signpost.mentee_id == pid)
    )
    return {
        "you": _row(
            person,
            (
                "display_name",
                "phone",
                "telegram_user_id",
                "created_at",
                "opted_out_at",
                "checkin_weekday",
                "checkin_time",
            ),
        ),
        "consents": [
            _row(c, ("version", "agreed_at", "withdrawn_at"))
            for c in await _rows(session, select(Consent).where(Consent.person_id == pid))
        ],
        "mentoring": [
            _row(e, ("site", "started_on", "planned_end_on", "ended_on", "status"))
            for e in episodes
        ],
        "check_ins": assessments,
        "priorities": [
            _row(p, ("domain", "rank", "chosen_at", "replaced_at"))
            for p in await _rows(session, select(Priority).where(Priority.person_id == pid))
        ],
        "goals": goals,
        "meetings": [
            _row(m, ("starts_at", "place", "status", "outcome"))
            for m in await _rows(session, select(Meeting).where(Meeting.mentee_id == pid))
        ],
        "services_sent_to_you": [
            {"service": name, **_row(s, ("sent_at", "followup_answer"))}
            for s, name in signposts.tuples()
        ],
        "notes_by_your_mentor": [
            _row(n, ("text", "created_at"))
            for n in await _rows(session, select(SessionNote).where(SessionNote.mentee_id == pid))
        ],
        "messages_you_sent_through_the_bot": [
            _row(r, ("text", "created_at"))
            for r in await _rows(
                session, select(RelayMessage).where(RelayMessage.sender_id == pid)
            )
        ],
        "safety_alerts": [
            _row(a, ("categories", "created_at", "acknowledged_at"))
            for a in await _rows(session, select(CrisisAlert).where(CrisisAlert.person_id == pid))
        ],
        "messages_sent_to_you": [
            _row(m, ("kind", "text", "status", "sent_at"))
            for m in await _rows(
                session, select(OutboxMessage).where(OutboxMessage.person_id == pid)
            )
        ],
    }


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
    """Staff notices that named the person keep their shape but lose the name."""
    name = re.compile(rf"\b{re.escape(person.display_name)}\b", re.IGNORECASE)
    rows = await _rows(session, select(OutboxMessage).where(OutboxMessage.person_id != person.id))
    for message in rows:
        if name.search(message.text):
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
