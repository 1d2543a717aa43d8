"""What a flow step may use: the open transaction, the instruments, the clock, links, notices.

Built fresh for each inbound message by the service; flows get everything through it, so a
test can run any step with a fixed clock and a real database session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.instruments import Instrument
from bot.storage import delivery

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class JoinLinks:
    """How a new mentee can join: a Telegram deep link and/or an SMS number (when set up)."""

    bot_username: str | None = None
    sms_number: str | None = None

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
    enqueued: list[int] = field(default_factory=list)

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().astimezone(self.zone).date()

    async def notify(self, person_id: int, key: str, text: str) -> None:
        """Queue a message to someone else in this transaction; sent once it has committed."""
        message_id = await delivery.enqueue(
            self.session, person_id=person_id, key=key, text=text, now=self.now()
        )
        if message_id is not None:
            self.enqueued.append(message_id)
