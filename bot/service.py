"""The transaction boundary: one inbound message is one commit, handled at most once.

Channel adapters call `handle()` with the message and its channel id (Telegram update_id,
Twilio MessageSid). The dedupe claim, the flow's state change, its answers, its outbox rows and
the replies to the message commit together or not at all (docs/architecture.md). Replies go out
only after that commit: at once, from memory, and from the outbox if that send never happened
(docs/decisions.md, "Replies through the outbox").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.live_replies import LiveReplies
from bot.delivery.reply_payload import keepable, outgoing_payload
from bot.flows import engine, repeated, texts
from bot.flows.context import Clock, FlowContext, JoinLinks, utc_now
from bot.flows.types import Outcome
from bot.held import (
    Deliver,
    Entry,
    HeldMessages,
    Key,
    Sent,
    Tried,
    Unsure,
    connection_lost,
    deliver_later,
    fingerprint,
)
from bot.instruments import Instrument
from bot.messages import Channel, InboundMessage, Reply
from bot.safety import CrisisDetector
from bot.storage import inbound, outbox, people
from bot.storage.models import Role

logger = logging.getLogger(__name__)

# Channels whose replies are queued in the outbox: those the dispatcher can send on (the
# console demo's replies are printed, and a demo has no crash to survive).
QUEUED_REPLIES = {Channel.TELEGRAM, Channel.SMS, Channel.WHATSAPP}
# A reply not sent within this long is skipped: the person has moved on, or asks again.
REPLY_FRESH_FOR = timedelta(hours=1)


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
    failed: bool = False  # told to try again: the database was away, say (bot/held.py)
    # The outbox keys of the replies, one per reply, when they were queued with the answer:
    # the adapter marks them sent (delivery/live_replies.py). Empty when sent from memory only.
    queued: tuple[str, ...] = ()


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
        self.held = HeldMessages(self._attempt, self._give_up)
        # What became of the replies the adapters send from memory (delivery/live_replies.py).
        self.replies = LiveReplies(
            session_factory=session_factory, clock=clock, writing=self.writing
        )

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

    async def handle(
        self,
        message: InboundMessage,
        *,
        external_id: str | None,
        deliver: Deliver | None = None,
        said: str | None = None,
        replies: bool = True,
    ) -> Handled | None:
        """Process one message; None if this delivery was processed before.

        `deliver` sends a reply later, for a message held while its commit is in doubt
        (bot/held.py); without it the person is told to try again. `said` is what the person
        sent, as the channel has it, to recognise the same thing sent again (default: the
        message's text or tap). `replies=False` when the replies will not be sent (after STOP
        by text the carrier blocks them), so none is queued either.
        """
        message = cleaned(message)
        key = (message.sender.channel.value, message.sender.address)
        sent = None if external_id is None else Sent(external_id, said or fingerprint(message))
        if self.held.holds(key):  # after the held ones, in order
            if sent and deliver and self.held.queue(key, message, sent, deliver):
                return Handled(Outcome([]))
            return Handled(Outcome([Reply(texts.TRY_AGAIN_LATER)]), failed=True)
        entry = Entry(message, sent, deliver, self.held.recall(key), replies=replies)
        try:
            handled = await self._attempt(entry)
        except Unsure as unsure:
            logger.warning(
                "Lost the database during the commit of a %s message: was it stored?",
                message.sender.channel.value,
            )
            if sent is None or deliver is None or not self.held.room():
                # If it committed, its replies are for a copy of the message to find.
                self.replies.left_unseen(unsure.handled.queued)
                failure: Exception = unsure
            else:
                entry.unsure = unsure.handled
                # Often only the connection was lost: the claim can be read at once.
                tried, handled = await self.held.try_once(entry)
                if tried is Tried.DONE:
                    return handled
                self.held.hold(key, entry)
                return Handled(Outcome([Reply(texts.SAVING_YOUR_ANSWER)]))
        except Exception as exc:
            failure = exc
        else:
            if handled is None:  # a copy of a delivery handled before: no reply seen yet
                self.held.remember(key, entry.doubts)
            return handled
        # The log names the failure but never the message or the person.
        logger.error(
            "Could not handle a %s message", message.sender.channel.value, exc_info=failure
        )
        self.held.remember(key, (*entry.doubts, *([sent] if sent else [])))
        return Handled(Outcome([Reply(texts.TRY_AGAIN_LATER)]), failed=True)

    async def _attempt(self, entry: Entry) -> Handled | None:
        """One transaction for the message; Unsure if the connection broke during its commit."""
        worked_out, outcome = False, None
        queued: tuple[str, ...] = ()
        async with self.writing(), self.session_factory() as session:
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
            try:
                async with session.begin():
                    outcome = await self._run(ctx, entry)
                    queued = await self._queue_replies(ctx, entry, outcome)
                    worked_out = True  # what is left is the commit
            except Exception as exc:
                if worked_out and outcome is not None and connection_lost(exc):
                    raise Unsure(Handled(outcome, ctx.enqueued, ctx.role, queued=queued)) from exc
                raise
        return None if outcome is None else Handled(outcome, ctx.enqueued, ctx.role, queued=queued)

    async def _queue_replies(
        self, ctx: FlowContext, entry: Entry, outcome: Outcome | None
    ) -> tuple[str, ...]:
        """Queue the replies with the answer they follow, so a crash before they are sent
        loses none (docs/decisions.md, "Replies through the outbox"); their keys, or ()."""
        message, sent = entry.message, entry.sent
        channel = message.sender.channel
        if (
            outcome is None
            or not outcome.replies
            or sent is None
            or not entry.replies
            or ctx.person_id is None  # a stranger, or someone just erased: keep nothing
            or channel not in QUEUED_REPLIES
            or not all(keepable(reply) for reply in outcome.replies)
        ):
            return ()
        now, count = self.clock(), len(outcome.replies)
        keys = tuple(outbox.reply_key(channel.value, sent.external_id, n) for n in range(count))
        rows = [
            {
                "person_id": ctx.person_id,
                "idempotency_key": key,
                "text": reply.text,
                "payload": outgoing_payload(
                    reply,
                    channel,
                    message.sender.address,
                    first=number == 0,
                    last=number == count - 1,
                    after_contact=message.contact_phone is not None,
                ),
                "now": now,
                "expires_at": now + REPLY_FRESH_FOR,
            }
            for number, (key, reply) in enumerate(zip(keys, outcome.replies, strict=True))
        ]
        await outbox.queue_replies(ctx.session, rows)
        return keys

    async def _run(self, ctx: FlowContext, entry: Entry) -> Outcome | None:
        """The claim, then the flows; None if the claim shows this message was handled."""
        message, sent = entry.message, entry.sent
        channel = message.sender.channel.value
        if sent is not None and not await inbound.claim_inbound(
            ctx.session, channel=channel, external_id=sent.external_id, now=self.clock()
        ):
            return await self._unsent_replies(ctx, channel, sent.external_id)
        if sent is not None and entry.doubts:
            # Sent again after "try again" or while held: is it a copy of one stored after all?
            earlier = [
                doubt.external_id
                for doubt in entry.doubts
                if doubt.said == sent.said and doubt.external_id != sent.external_id
            ]
            if earlier and await inbound.any_claimed(ctx.session, channel, earlier):
                return await repeated.reply(ctx, message, reask=entry.reask)
        outcome = await engine.process(ctx, message)
        if message.sender.channel is Channel.WHATSAPP:  # opens WhatsApp's 24-hour window
            await people.seen_on_whatsapp(ctx.session, message.sender.address, self.clock())
        return outcome

    async def _unsent_replies(
        self, ctx: FlowContext, channel: str, external_id: str
    ) -> Outcome | None:
        """A copy of a message handled before: None, unless the replies to the first were
        committed but nobody is sending them (its commit went unseen); then they are sent
        now, from the outbox, and this is an empty Outcome."""
        inbound_key = outbox.inbound_of(outbox.reply_key(channel, external_id, 0))
        if inbound_key not in self.replies.unseen:
            return None
        unsent = await outbox.release_unsent_replies(ctx.session, inbound_key)
        if not unsent:  # none left (kept until then: this transaction may yet fail)
            self.replies.unseen.discard(inbound_key)
            return None
        ctx.enqueued += unsent
        return Outcome([])

    async def _give_up(self, key: Key, entries: list[Entry]) -> None:
        """Held too long: the person is told once to try again; what they send is checked."""
        for entry in entries:  # any replies they committed are for a copy to find
            self.replies.left_unseen(entry.unsure.queued if entry.unsure else ())
        first = entries[0]
        sent = [entry.sent for entry in entries if entry.sent is not None]
        self.held.remember(key, (*first.doubts, *sent))
        await deliver_later(first, Handled(Outcome([Reply(texts.TRY_AGAIN_LATER)]), failed=True))

    async def store_telegram_update(self, update_id: int, payload: dict[str, Any]) -> bool:
        """Keep a webhook update durably; False if it had been stored before."""
        async with self.writing(), self.session_factory() as session, session.begin():
            return await inbound.store_telegram_update(
                session, update_id=update_id, payload=payload, now=self.clock()
            )

    async def store_telegram_updates(self, updates: list[tuple[int, dict[str, Any]]]) -> None:
        """Keep a polled batch durably, before the next poll lets Telegram forget it."""
        async with self.writing(), self.session_factory() as session, session.begin():
            await inbound.store_telegram_updates(session, updates, now=self.clock())

    async def unprocessed_telegram_updates(self) -> list[dict[str, Any]]:
        async with self.session_factory() as session:
            return await inbound.unprocessed_telegram_updates(session)
