"""The transaction boundary: one inbound message is one commit, handled at most once.

Channel adapters call `handle()` with the message and its channel id (Telegram update_id,
Twilio MessageSid). The dedupe claim, the flow's state change, its answers and its outbox rows
commit together or not at all (docs/architecture.md). Replies go out only after that commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import engine, texts
from bot.flows.context import Clock, FlowContext, JoinLinks
from bot.flows.types import Channel, InboundMessage, Outcome, Reply
from bot.instruments import Instrument
from bot.safety import CrisisDetector
from bot.storage import inbound
from bot.storage.models import Person, Role

logger = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


def storable(value: str | None) -> str | None:
    """What was sent, minus what no database can keep and no person meant.

    PostgreSQL text cannot hold NUL, and a lone surrogate (half an emoji, from a JSON escape)
    cannot be encoded at all; both would fail the whole message. A lone surrogate becomes the
    replacement character, a NUL is dropped.
    """
    if value is None:
        return None
    value = value.replace("\x00", "")
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def cleaned(message: InboundMessage) -> InboundMessage:
    return replace(
        message,
        text=storable(message.text),
        choice=storable(message.choice),
        token=storable(message.token),
    )


@dataclass
class Handled:
    outcome: Outcome
    notices: list[int] = field(default_factory=list)
    role: Role | None = None  # of the person who wrote, when known
    failed: bool = False  # nothing was committed (the database was away, say)


class MentorService:
    """Runs flows for inbound messages and delivers the notices they queue."""

    def __init__(
        self,
        *,
        session_factory: async_sessionmaker[AsyncSession],
        instruments: Mapping[str, Instrument],
        zone: ZoneInfo,
        clock: Clock = utc_now,
        links: JoinLinks | None = None,
        crisis: CrisisDetector | None = None,
        sms_enabled: bool = False,
        staff_web_url: str | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.instruments = instruments
        self.zone = zone
        self.clock = clock
        self.links = links or JoinLinks()
        self.crisis = crisis
        self.sms_enabled = sms_enabled
        self.staff_web_url = staff_web_url  # the dashboard's address, when serve has one
        bind = session_factory.kw.get("bind")
        self.one_writer = bind is not None and bind.dialect.name == "sqlite"
        self._writer: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None

    @contextlib.asynccontextmanager
    async def writing(self) -> AsyncIterator[None]:
        """On SQLite, one write transaction on the update path at a time in this process.

        Telegram updates from different chats and texts from different phones are handled
        concurrently. SQLite allows one writer, and a transaction that has read and then
        writes after another's commit fails at once (SQLITE_BUSY_SNAPSHOT) instead of waiting,
        while a writer left to SQLite's busy handler can be starved past its timeout by a run of
        others (seen storing webhook updates under load). So the wait happens here, cheap and
        in order. PostgreSQL needs no such lock.
        """
        if not self.one_writer:
            yield
            return
        loop = asyncio.get_running_loop()
        if self._writer is None or self._writer[0] is not loop:
            self._writer = (loop, asyncio.Lock())
        async with self._writer[1]:
            yield

    async def handle(self, message: InboundMessage, *, external_id: str | None) -> Handled | None:
        """Process one message; None if this delivery was processed before."""
        message = cleaned(message)
        try:
            async with self.writing(), self.session_factory() as session, session.begin():
                if external_id is not None and not await inbound.claim_inbound(
                    session,
                    channel=message.sender.channel.value,
                    external_id=external_id,
                    now=self.clock(),
                ):
                    return None
                if message.sender.channel is Channel.TELEGRAM:
                    await _reachable_on_telegram(session, message)
                ctx = FlowContext(
                    session=session,
                    instruments=self.instruments,
                    clock=self.clock,
                    zone=self.zone,
                    links=self.links,
                    crisis=self.crisis,
                    sms_enabled=self.sms_enabled,
                    staff_web_url=self.staff_web_url,
                )
                outcome = await engine.process(ctx, message)
        except Exception:
            # Nothing was committed, so the person can simply try again; the log names the
            # failure but never the message or the person.
            logger.exception("Could not handle a %s message", message.sender.channel.value)
            return Handled(Outcome([Reply(texts.TRY_AGAIN_LATER)]), failed=True)
        return Handled(outcome, ctx.enqueued, ctx.role)

    async def store_telegram_update(self, update_id: int, payload: dict[str, Any]) -> bool:
        """Keep a webhook update durably; False if it had been stored before."""
        async with self.writing(), self.session_factory() as session, session.begin():
            return await inbound.store_telegram_update(
                session, update_id=update_id, payload=payload, now=self.clock()
            )

    async def unprocessed_telegram_updates(self) -> list[dict[str, Any]]:
        async with self.session_factory() as session:
            return await inbound.unprocessed_telegram_updates(session)


async def _reachable_on_telegram(session: AsyncSession, message: InboundMessage) -> None:
    """They wrote to us on Telegram, so it reaches them again after a block or failures."""
    await session.execute(
        update(Person)
        .where(
            Person.telegram_user_id == int(message.sender.address),
            Person.telegram_blocked_at.is_not(None),
        )
        .values(telegram_blocked_at=None)
    )
