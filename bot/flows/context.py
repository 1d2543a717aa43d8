"""What a flow step may use: the open transaction, the instruments, the clock, links, notices.

Built fresh for each inbound message by the service; flows get everything through it, so a
test can run any step with a fixed clock and a real database session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.instruments import Instrument
from bot.messages import Channel
from bot.safety import CrisisDetector
from bot.storage import outbox
from bot.storage.models import Role
from bot.storage.outbox import Queued

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class JoinLinks:
    """How a new mentee can join: a Telegram deep link and/or an SMS number (when set up)."""

    bot_username: str | None = None
    sms_number: str | None = None
    whatsapp_number: str | None = None  # set when WhatsApp is on

    def telegram_link(self, code: str) -> str | None:
        if self.bot_username is None:
            return None
        return f"https://t.me/{self.bot_username}?start={code}"


@dataclass
class FlowContext:
    session: AsyncSession
    instruments: Mapping[str, Instrument]
    clock: Clock
    zone: ZoneInfo
    links: JoinLinks = field(default_factory=JoinLinks)
    crisis: CrisisDetector | None = None
    sms_enabled: bool = False
    enqueued: list[int] = field(default_factory=list)
    # The channel the message being answered came by (set by the engine): replies shown as
    # SMS are kept compact, to stay within two segments.
    channel: Channel | None = None
    role: Role | None = None  # of the person who wrote, once known (for their command menu)
    # The person who wrote, once known, while they exist: the replies are queued for them
    # (a flow that deletes the person sets it back to None).
    person_id: int | None = None
    # Where the staff dashboard is (MENTORBOT_PUBLIC_URL), or None when it is not served.
    staff_web_url: str | None = None

    @property
    def texted(self) -> bool:
        """Answering a typed channel without buttons (SMS, WhatsApp): see Channel.texted."""
        return self.channel is not None and self.channel.texted

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().astimezone(self.zone).date()

    async def notify(self, person_id: int, key: str, text: str) -> None:
        """Queue a plain notice to someone else; it goes out once this transaction commits."""
        await self.queue(
            Queued(
                person_id=person_id,
                key=key,
                kind="notice",
                text=text,
                not_before=self.now(),
                respect_quiet_hours=False,  # notices go to staff, who are not woken by them
            )
        )

    async def queue(self, message: Queued) -> None:
        """Queue any outbox message in this transaction; due ones are sent after commit."""
        message_id = await outbox.enqueue(self.session, message, now=self.now())
        if message_id is not None and message.not_before <= self.now():
            self.enqueued.append(message_id)
