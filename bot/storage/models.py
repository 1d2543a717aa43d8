"""The tables: people, how they joined, their mentoring episode, consent, assessments, delivery.

Domain tables are the truth; conversation state is plain data saved beside them so one
inbound message commits its answer and its new state together (docs/architecture.md).
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates

from bot.storage import crypto
from bot.storage.types import EncryptedJSON, EncryptedText, UTCDateTime, str_enum

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        dict[str, Any] | None: JSON(),
    }


class Role(StrEnum):
    MENTEE = "mentee"
    MENTOR = "mentor"
    SUPERVISOR = "supervisor"


class PersonStatus(StrEnum):
    PENDING = "pending"  # opened an invite, has not agreed yet
    ACTIVE = "active"


class EpisodeStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"
    WITHDRAWN = "withdrawn"


class Timepoint(StrEnum):
    BASELINE = "baseline"
    THREE_MONTH = "three_month"
    EXIT = "exit"
    WEEKLY = "weekly"


class AssessmentStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a dispatcher; back to pending if it dies
    # A reply, queued with the answer it follows and being sent from memory by the process
    # that handled the message; back to pending if that process died (scheduling/replies.py).
    REPLYING = "replying"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # no longer made sense: stale, cancelled, opted out
    BLOCKED = "blocked"  # the person blocked the bot


class AttemptOutcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    BLOCKED = "blocked"
    SKIPPED = "skipped"
    INTERRUPTED = "interrupted"  # the dispatcher died between claiming and recording


class MeetingStatus(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    MOVE_REQUESTED = "move_requested"
    CANCELLED = "cancelled"


class GoalStatus(StrEnum):
    PROPOSED = "proposed"  # set by a mentor, waiting for the mentee to accept or change it
    ACTIVE = "active"
    DONE = "done"
    PAUSED = "paused"
    DROPPED = "dropped"


class GoalRhythm(StrEnum):
    NONE = "none"
    DAILY = "daily"
    WEEKLY = "weekly"
    ONCE = "once"


class GoalAnswer(StrEnum):
    DONE = "done"
    SOME = "some"
    NOT_YET = "not_yet"
    CHANGE = "change"


class MeetingOutcome(StrEnum):
    MET = "met"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class Person(Base):
    """One human. Names are a first name or nickname only; no other identifiers are kept."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    status: Mapped[PersonStatus] = mapped_column(str_enum(PersonStatus))
    display_name: Mapped[str] = mapped_column(String(64))
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    telegram_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    # Phone numbers are encrypted; they are found by a keyed hash (storage/crypto.py), set
    # whenever the number is (see `_hash_phones` below), never by the number itself.
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    phone_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    opted_out_at: Mapped[datetime | None]
    telegram_blocked_at: Mapped[datetime | None]
    # STOP by text is a carrier-level opt-out: no SMS at all until START.
    sms_opted_out_at: Mapped[datetime | None]
    # The numbered options last texted to this person ({"token", "choices"}), so a reply of
    # "2" means what the second button would have meant on Telegram.
    sms_choices: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON)
    # WhatsApp reaches the person at `phone` (WhatsApp addresses people by their number).
    # Their last WhatsApp message opens Meta's 24-hour window for plain messages; after it,
    # only an approved template goes. STOP on WhatsApp stops WhatsApp until START.
    whatsapp_seen_at: Mapped[datetime | None]
    whatsapp_opted_out_at: Mapped[datetime | None]
    # The channels to try for what the bot sends unasked, in order ("whatsapp,sms"); None is
    # the service's order: Telegram, then text (docs/decisions.md, "WhatsApp ...").
    channel_order: Mapped[str | None] = mapped_column(String(32))
    # A number a mentor added, kept apart until its owner confirms it by replying YES.
    pending_phone: Mapped[str | None] = mapped_column(EncryptedText)
    pending_phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # The weekly check-in prompt: ISO weekday (1 = Monday) and local time the person chose.
    checkin_weekday: Mapped[int | None] = mapped_column(SmallInteger)
    checkin_time: Mapped[time | None] = mapped_column(Time)
    # Staff only: when they read relayed messages, {"days": [1..7], "from": "HH:MM",
    # "to": "HH:MM"}; None means no hours set (mentees are told replies may take a while).
    available_hours: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]

    @validates("phone", "pending_phone")
    def _hash_phones(self, key: str, value: str | None) -> str | None:
        hashed = None if value is None else crypto.installed().phone_hash(value)
        setattr(self, f"{key}_hash", hashed)
        return value


class Invite(Base):
    """A single-use code a mentor gives a new mentee; it links a phone or chat to a person."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    mentee_name: Mapped[str] = mapped_column(String(64))
    site: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))


class Episode(Base):
    """A mentee's time with a mentor: about six months, at the hub or a spoke clinic."""

    __tablename__ = "episodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    site: Mapped[str] = mapped_column(String(32))
    started_on: Mapped[date] = mapped_column(Date)
    planned_end_on: Mapped[date] = mapped_column(Date)
    status: Mapped[EpisodeStatus] = mapped_column(str_enum(EpisodeStatus))
    created_at: Mapped[datetime]
    ended_on: Mapped[date | None] = mapped_column(Date)
    # Why it ended early, in the closing staff member's words ("moved away"); None at six months.
    end_reason: Mapped[str | None] = mapped_column(EncryptedText)


class Consent(Base):
    """What the person agreed to (the text version) and when."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    version: Mapped[str] = mapped_column(String(16))
    agreed_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]


class ConversationState(Base):
    """Where a person is in a conversation, shared by every channel and surviving restarts."""

    __tablename__ = "conversation_states"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)  # may hold typed drafts
    updated_at: Mapped[datetime]


class Assessment(Base):
    """One sitting: the full battery (baseline, 3 months, exit) or a weekly check-in."""

    __tablename__ = "assessments"
    __table_args__ = (Index("ix_assessments_person_status", "person_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"))
    timepoint: Mapped[Timepoint] = mapped_column(str_enum(Timepoint))
    status: Mapped[AssessmentStatus] = mapped_column(str_enum(AssessmentStatus))
    started_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    # Set when staff rated the mentee (the self-sufficiency matrix); None for the mentee's own
    # answers. Every query about the mentee's check-ins looks only at rows where this is None.
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))


class Answer(Base):
    """One answer to one item; unique so a repeated delivery cannot count twice.

    `value` is None for a question skipped or answered "prefer not to say": kept as missing,
    never as a zero (docs/decisions.md, "Skipped questions are missing, never zero").
    """

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("assessment_id", "instrument", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    instrument: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[int | None] = mapped_column(SmallInteger)
    answered_at: Mapped[datetime]


class Score(Base):
    """A computed score (total, a domain, a scale), kept so reports need not rescore."""

    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("assessment_id", "instrument", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    instrument: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float)


class ProcessedInbound(Base):
    """Inbound messages already handled, so a retried delivery is handled once."""

    __tablename__ = "processed_inbound"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    processed_at: Mapped[datetime]


class TelegramUpdate(Base):
    """A raw webhook update, stored before Telegram is told 200 so a crash cannot lose it."""

    __tablename__ = "telegram_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    received_at: Mapped[datetime]


class OutboxMessage(Base):
    """A message the bot sends on its own: a notice, a reminder, a nudge, an alert.

    The unique idempotency key (e.g. `meeting:42:mentee-2h`) is what makes "sent once" hold
    across restarts and across two schedulers.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_not_before", "status", "not_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(EncryptedText)
    # Buttons, as {"token": ..., "choices": [[label, value], ...]}; None for plain text.
    payload: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON)
    status: Mapped[OutboxStatus] = mapped_column(str_enum(OutboxStatus))
    # Proactive messages to mentees wait for quiet hours to end; notices to staff and
    # crisis alerts do not.
    respect_quiet_hours: Mapped[bool] = mapped_column(default=True)
    not_before: Mapped[datetime]
    expires_at: Mapped[datetime | None]  # stale after this: skipped, not sent late
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(16))  # where it went: telegram, sms ...
    # The provider's id for the sent message (Twilio's MessageSid), so status callbacks can
    # find it, and the last delivery status the provider reported.
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)
    delivery_status: Mapped[str | None] = mapped_column(String(16))


class SentPicture(Base):
    """A picture sent by WhatsApp, kept only until Twilio has fetched it (`/media/<token>`).

    Twilio takes a WhatsApp picture from a URL, not from the request. The PNG is kept
    encrypted (it shows someone's answers) and tied to its person, so /forget takes it too.
    """

    __tablename__ = "sent_pictures"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    png: Mapped[str] = mapped_column(EncryptedText)  # base64 of the PNG
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class DeliveryAttempt(Base):
    """Every try at sending an outbox message, so failures can be explained to staff."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[datetime]
    outcome: Mapped[AttemptOutcome] = mapped_column(str_enum(AttemptOutcome))
    error: Mapped[str | None] = mapped_column(String(200))


class Meeting(Base):
    """A meeting a mentor booked with a mentee, and what became of it."""

    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_status_starts_at", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    starts_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(EncryptedText)  # at most 120 characters typed
    status: Mapped[MeetingStatus] = mapped_column(str_enum(MeetingStatus, length=20))
    outcome: Mapped[MeetingOutcome | None] = mapped_column(str_enum(MeetingOutcome))
    outcome_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CrisisAlert(Base):
    """A mentee's message matched the crisis list: who was alerted, who picked it up, and when.

    The message itself is not kept: the categories say enough to act on.
    """

    __tablename__ = "crisis_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    categories: Mapped[str] = mapped_column(String(120))
    life_at_risk: Mapped[bool]
    created_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    escalated_at: Mapped[datetime | None]


class Resource(Base):
    """One service in the signposting directory, as last imported.

    Rows are retired (`retired_at`), never deleted, once an import leaves them out: signposts
    sent to mentees point at them and must still say what was sent. `position` keeps the
    file's order, so an export writes the entries back as they were imported.
    """

    __tablename__ = "resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    category: Mapped[str] = mapped_column(String(32), index=True)
    description: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(String(16))
    text_keyword: Mapped[str | None] = mapped_column(String(32))
    website: Mapped[str | None] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(120))
    hours: Mapped[str | None] = mapped_column(Text)
    cost: Mapped[str | None] = mapped_column(Text)
    verified: Mapped[date] = mapped_column(Date)
    confidence: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    retired_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class FollowupAnswer(StrEnum):
    YES_HELPED = "yes_helped"
    YES_NOT_HELPFUL = "yes_not_helpful"
    NOT_YET = "not_yet"
    DONT_NEED = "dont_need"


class Signpost(Base):
    """A service a mentor sent to a mentee, and what the mentee said a week later."""

    __tablename__ = "signposts"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"))
    sent_at: Mapped[datetime] = mapped_column(index=True)
    followup_answer: Mapped[FollowupAnswer | None] = mapped_column(str_enum(FollowupAnswer))
    answered_at: Mapped[datetime | None]


class LookupCount(Base):
    """How often each kind of help was looked up, per site and day; nothing about who."""

    __tablename__ = "lookup_counts"
    __table_args__ = (UniqueConstraint("category", "site", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(32))
    site: Mapped[str] = mapped_column(String(32))
    day: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer)


class Priority(Base):
    """An ARC area the mentee said matters most to them now (up to three per choice).

    A new choice after a reassessment marks the old rows replaced rather than deleting them,
    so the history of what mattered when is kept.
    """

    __tablename__ = "priorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"))
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="SET NULL")
    )
    domain: Mapped[str] = mapped_column(String(64))
    rank: Mapped[int] = mapped_column(SmallInteger)
    chosen_at: Mapped[datetime]
    replaced_at: Mapped[datetime | None]


class Goal(Base):
    """A recovery goal in the mentee's words, the area it serves, and its reminder rhythm."""

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"))
    domain: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(EncryptedText)  # at most 200 characters typed
    target_on: Mapped[date | None] = mapped_column(Date)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    set_by_role: Mapped[Role] = mapped_column(str_enum(Role))
    status: Mapped[GoalStatus] = mapped_column(str_enum(GoalStatus))
    rhythm: Mapped[GoalRhythm] = mapped_column(str_enum(GoalRhythm))
    remind_weekday: Mapped[int | None] = mapped_column(SmallInteger)  # ISO, 1 = Monday
    remind_on: Mapped[date | None] = mapped_column(Date)  # rhythm "once"
    remind_at: Mapped[time | None] = mapped_column(Time)  # local time of day
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class GoalStep(Base):
    """A small step toward a goal, in order; ticked off when done."""

    __tablename__ = "goal_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger)
    text: Mapped[str] = mapped_column(EncryptedText)
    done_at: Mapped[datetime | None]


class GoalProgress(Base):
    """One answer to "How is it going?", from a reminder or marked by the mentee."""

    __tablename__ = "goal_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    answer: Mapped[GoalAnswer] = mapped_column(str_enum(GoalAnswer))
    # The reminder answered (its outbox key), so a second tap on the same reminder counts once.
    reminder_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    recorded_at: Mapped[datetime]


class AuditEvent(Base):
    """A staff member looked at or took something about a mentee: who, what, whom, when.

    Never the content: the action names what kind of thing was seen ("mentee", "note",
    "report", "export"), so the log itself holds nothing sensitive.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    at: Mapped[datetime]


class SessionNote(Base):
    """A mentor's short note after a session (free text, encrypted at rest)."""

    __tablename__ = "session_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime]


class SiteMove(Base):
    """A mentee moving between clinics (hub to a spoke as they become more stable)."""

    __tablename__ = "site_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    from_site: Mapped[str] = mapped_column(String(32))
    to_site: Mapped[str] = mapped_column(String(32))
    moved_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )


class Supervision(Base):
    """A supervision session a supervisor held with a mentor."""

    __tablename__ = "supervisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    held_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]


class ErasedCount(Base):
    """What people who asked to be forgotten (or whose records expired) still add to the
    service's counts: per site, mentor and month, never per person."""

    __tablename__ = "erased_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(32))
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    month: Mapped[date] = mapped_column(Date)
    metric: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer)


class RelayMessage(Base):
    """A message passed between a mentee and their mentor through the bot (`/msg`).

    Kept only while the episode lasts (deleted with it, and when it ends), so volunteers never
    need to give out their own numbers and the words do not outlive the relationship.
    """

    __tablename__ = "relay_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    sender_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[datetime]


class SchedulerHeartbeat(Base):
    """When the scheduler last ran its jobs: /healthz reports it, and serve takes over the
    crisis re-alerts when it falls silent (bot/scheduling/watchman.py). One row per process
    kind; only "scheduler" is written today."""

    __tablename__ = "scheduler_heartbeats"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    beat_at: Mapped[datetime]


class ExternalCohort(Base):
    """Another programme's group, kept by `mentorbot report --compare FILE --keep NAME`.

    Only what a comparison needs is kept: a name for the group and its scores. The file's own
    ids are not stored; each person is a number in the file's order (docs/compare.md).
    """

    __tablename__ = "external_cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)  # lower case, one word
    people: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]


class ExternalScore(Base):
    """One person's before and after on one measure, in a kept external group."""

    __tablename__ = "external_scores"
    __table_args__ = (UniqueConstraint("cohort_id", "member", "instrument", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("external_cohorts.id", ondelete="CASCADE"), index=True
    )
    member: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 ...: never the file's id
    instrument: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    before: Mapped[float] = mapped_column(Float)
    after: Mapped[float] = mapped_column(Float)


class StaffSignInLink(Base):
    """A one-time link into the staff dashboard, asked for with /web (issue 18).

    Only the SHA-256 of the token is kept: a copy of the database lets nobody sign in.
    """

    __tablename__ = "staff_sign_in_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class StaffWebSession(Base):
    """A staff member signed in to the dashboard; the cookie holds the token, this its hash."""

    __tablename__ = "staff_web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
