"""Everything held about one person (`/mydata`): their right to see their own data.

Values are returned as they are stored (dates, times, timezone-aware datetimes, enums); the
file is made by `bot.flows.data_file`, whose encoder refuses any type it does not know, so a
new column can never make /mydata fail for some people or drop a value silently. The sections
are named in `bot.flows.kept`, which ties every table to the plain words /privacy uses.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import (
    Answer,
    Assessment,
    AuditEvent,
    Consent,
    ConversationState,
    CrisisAlert,
    DeliveryAttempt,
    Episode,
    Goal,
    GoalProgress,
    GoalStep,
    Invite,
    Meeting,
    OutboxMessage,
    Person,
    Priority,
    RelayMessage,
    Resource,
    Score,
    SessionNote,
    Signpost,
    SiteMove,
    TelegramUpdate,
)

CONCERN_KEY = "concern:{person}:"  # bot.flows.concern's outbox key for a concern raised


def _row(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in fields}


async def _rows(session: AsyncSession, query: Any) -> list[Any]:
    return list((await session.execute(query)).scalars())


async def _sitting(session: AsyncSession, sitting: Assessment) -> dict[str, Any]:
    answers = await _rows(session, select(Answer).where(Answer.assessment_id == sitting.id))
    scores = await _rows(session, select(Score).where(Score.assessment_id == sitting.id))
    return {
        **_row(sitting, ("timepoint", "status", "started_at", "completed_at")),
        "answers": {f"{a.instrument}:{a.item_id}": a.value for a in answers},
        "scores": {f"{s.instrument}:{s.key}": s.value for s in scores},
    }


async def _goal(session: AsyncSession, goal: Goal) -> dict[str, Any]:
    steps = await _rows(
        session, select(GoalStep).where(GoalStep.goal_id == goal.id).order_by(GoalStep.position)
    )
    progress = await _rows(session, select(GoalProgress).where(GoalProgress.goal_id == goal.id))
    fields = ("title", "domain", "status", "set_by_role", "target_on", "created_at")
    reminder = ("rhythm", "remind_weekday", "remind_on", "remind_at")
    return {
        **_row(goal, (*fields, "completed_at")),
        "reminder": _row(goal, reminder),
        "steps": [_row(s, ("text", "done_at")) for s in steps],
        "progress": [_row(p, ("answer", "recorded_at")) for p in progress],
    }


async def _typed_to_the_bot(session: AsyncSession, person: Person) -> list[dict[str, Any]]:
    """Raw Telegram updates from this person (kept so a crash cannot lose a message)."""
    if person.telegram_user_id is None:
        return []
    found = []
    updates = select(TelegramUpdate).order_by(TelegramUpdate.update_id)
    for update in await _rows(session, updates):
        for part in update.payload.values():
            sender = part.get("from", {}).get("id") if isinstance(part, dict) else None
            if sender == person.telegram_user_id:
                said = part.get("text") or part.get("data")
                found.append({"text": said, "received_at": update.received_at})
    return found


async def _sent_to(session: AsyncSession, pid: int) -> list[dict[str, Any]]:
    sent = []
    for message in await _rows(
        session, select(OutboxMessage).where(OutboxMessage.person_id == pid)
    ):
        attempts = await _rows(
            session, select(DeliveryAttempt).where(DeliveryAttempt.outbox_id == message.id)
        )
        sent.append(
            {
                **_row(message, ("kind", "text", "status", "created_at", "sent_at", "channel")),
                "tries": [_row(a, ("attempted_at", "outcome")) for a in attempts],
            }
        )
    return sent


async def personal_data(session: AsyncSession, person: Person) -> dict[str, Any]:
    """Everything held about this person, by section (see `bot.flows.kept`)."""
    pid = person.id
    episodes = await _rows(session, select(Episode).where(Episode.mentee_id == pid))
    episode_ids = [e.id for e in episodes]
    sittings = await _rows(
        session, select(Assessment).where(Assessment.person_id == pid).order_by(Assessment.id)
    )
    signposts = await session.execute(
        select(Signpost, Resource.name).join(Resource).where(Signpost.mentee_id == pid)
    )
    relayed = await _rows(
        session,
        select(RelayMessage).where(
            or_(RelayMessage.sender_id == pid, RelayMessage.recipient_id == pid)
        ),
    )
    concerns = await _rows(
        session,
        select(OutboxMessage).where(
            OutboxMessage.idempotency_key.startswith(
                CONCERN_KEY.format(person=pid), autoescape=True
            )
        ),
    )
    state = await session.get(ConversationState, pid)
    you = (
        *("display_name", "phone", "pending_phone", "telegram_user_id", "created_at"),
        *("opted_out_at", "sms_opted_out_at", "checkin_weekday", "checkin_time"),
        *("whatsapp_opted_out_at", "channel_order"),
    )
    return {
        "you": _row(person, you),
        "how_you_joined": [
            _row(i, ("mentee_name", "site", "created_at", "used_at"))
            for i in await _rows(session, select(Invite).where(Invite.used_by_id == pid))
        ],
        "consents": [
            _row(c, ("version", "agreed_at", "withdrawn_at"))
            for c in await _rows(session, select(Consent).where(Consent.person_id == pid))
        ],
        "mentoring": [
            _row(e, ("site", "started_on", "planned_end_on", "ended_on", "status", "end_reason"))
            for e in episodes
        ],
        "clinic_moves": [
            _row(m, ("from_site", "to_site", "moved_on"))
            for m in await _rows(
                session, select(SiteMove).where(SiteMove.episode_id.in_(episode_ids))
            )
        ],
        "check_ins": [await _sitting(session, s) for s in sittings if s.rated_by_id is None],
        "ratings_by_your_mentor": [
            await _sitting(session, s) for s in sittings if s.rated_by_id is not None
        ],
        "priorities": [
            _row(p, ("domain", "rank", "chosen_at", "replaced_at"))
            for p in await _rows(session, select(Priority).where(Priority.person_id == pid))
        ],
        "goals": [
            await _goal(session, g)
            for g in await _rows(session, select(Goal).where(Goal.person_id == pid))
        ],
        "meetings": [
            _row(m, ("starts_at", "place", "status", "outcome", "created_at"))
            for m in await _rows(session, select(Meeting).where(Meeting.mentee_id == pid))
        ],
        "services_sent_to_you": [
            {"service": name, **_row(s, ("sent_at", "followup_answer", "answered_at"))}
            for s, name in signposts.tuples()
        ],
        "notes_by_your_mentor": [
            _row(n, ("text", "created_at"))
            for n in await _rows(session, select(SessionNote).where(SessionNote.mentee_id == pid))
        ],
        "messages_you_sent_through_the_bot": [
            _row(r, ("text", "created_at")) for r in relayed if r.sender_id == pid
        ],
        "messages_to_you_through_the_bot": [
            _row(r, ("text", "created_at")) for r in relayed if r.recipient_id == pid
        ],
        "safety_alerts": [
            _row(a, ("categories", "created_at", "acknowledged_at"))
            for a in await _rows(session, select(CrisisAlert).where(CrisisAlert.person_id == pid))
        ],
        "concerns_you_raised": list(
            {
                c.idempotency_key.split(":")[2]: _row(c, ("text", "created_at")) for c in concerns
            }.values()
        ),  # one alert per supervisor told; one entry per concern
        "messages_sent_to_you": await _sent_to(session, pid),
        "messages_you_typed_to_the_bot": await _typed_to_the_bot(session, person),
        "chat_in_progress": [] if state is None else [_row(state, ("flow", "step", "updated_at"))],
        "staff_who_looked_at_your_record": [
            _row(a, ("action", "at"))
            for a in await _rows(session, select(AuditEvent).where(AuditEvent.subject_id == pid))
        ],
    }
