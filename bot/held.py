"""Messages whose commit may or may not have happened: found out, never guessed (issue 20).

When the connection to PostgreSQL drops while COMMIT is in flight, the server may have stored
the message's answer while the bot saw only an error. Saying "try again" then makes the person
send the same answer again, and a typed answer lands on the next question (docs/reliability.md).
So such a message is held here, with anything the same person sends after it, in order, and
handled again once the database answers. Its transaction starts with the inbound claim (channel
and external id), which tells whether the first attempt committed: if it did, the reply worked
out then is sent; if not, the message is handled now.

A person told "try again" anyway (no room to hold, the database away too long, or a failure
with nothing committed) is remembered, so that sending the same thing again is recognised as a
repeat when its first copy turns out to be stored (docs/decisions.md, "Answers know their
question"). Nothing here survives a restart: in webhook mode a stored update that was never
handled is replayed; in polling mode and by SMS a held message is lost with the process, as
any message in hand is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from bot.messages import InboundMessage

if TYPE_CHECKING:
    from bot.service import Handled

logger = logging.getLogger(__name__)

Key = tuple[str, str]  # channel, address: one person on one channel
HOLD_FOR = 300.0  # seconds a held message waits for the database before "try again"
PAUSES = (0.25, 0.5, 1.0, 2.0, 4.0)  # seconds between attempts, then PAUSE_MOST
PAUSE_MOST = 5.0
MOST_HELD = 500  # messages held at once, everyone together; beyond that, "try again"
MOST_EACH = 20  # messages held for one person
MOST_REMEMBERED = 10_000  # people whose last message was answered "try again"
EACH_REMEMBERED = 20  # of their messages answered "try again" since the last real reply


def connection_lost(exc: BaseException) -> bool:
    """The connection broke, so a COMMIT in flight may or may not have happened."""
    if isinstance(exc, DBAPIError):
        return bool(exc.connection_invalidated) or isinstance(exc.orig, OSError)
    return isinstance(exc, OSError)


def database_away(exc: BaseException) -> bool:
    """Worth trying again later: the database could not be reached, or broke off."""
    return connection_lost(exc) or isinstance(exc, (OperationalError, InterfaceError, OSError))


def fingerprint(message: InboundMessage) -> str:
    """What the person sent, the same whenever they send the same thing again."""
    if message.choice is not None:
        return f"tap {message.token} {message.choice}"
    return f"text {message.contact_phone or ''} " + " ".join((message.text or "").split()).lower()


@dataclass(frozen=True)
class Sent:
    """A message as it was sent: its inbound id and what it said (see `fingerprint`)."""

    external_id: str
    said: str


class Unsure(Exception):
    """The commit's outcome is unknown; `handled` is what to send if it did commit."""

    def __init__(self, handled: Handled) -> None:
        super().__init__("the connection was lost during the commit")
        self.handled = handled


Deliver = Callable[["Handled"], Awaitable[None]]


@dataclass
class Entry:
    """One held message, and what is known of it."""

    message: InboundMessage
    sent: Sent | None  # None without an inbound id (the console): never held
    deliver: Deliver | None = None
    doubts: tuple[Sent, ...] = ()  # messages before it whose reply the person has not seen
    reask: bool = True  # the person has not seen the question that is open now
    unsure: Handled | None = None  # the reply worked out by an attempt that may have committed
    replies: bool = True  # its replies will be sent, so they are queued (MentorService.handle)


Attempt = Callable[[Entry], Awaitable["Handled | None"]]  # raises Unsure, or on failure
GiveUp = Callable[[Key, list[Entry]], Awaitable[None]]


class Tried(Enum):
    DONE = "done"
    LATER = "later"  # the database is away: try again later
    FAILED = "failed"  # a fault that trying again will not mend


@dataclass
class _Hold:
    entries: deque[Entry]
    doubts: tuple[Sent, ...]  # given to what the person sends while the first is unsettled
    task: asyncio.Task[None] | None = field(default=None, repr=False)


class HeldMessages:
    """Held messages per person, and who was last told to try again."""

    def __init__(self, attempt: Attempt, give_up: GiveUp) -> None:
        self._attempt = attempt
        self._give_up = give_up
        self._holds: dict[Key, _Hold] = {}
        self._told_to_retry: OrderedDict[Key, tuple[Sent, ...]] = OrderedDict()
        self.most = MOST_HELD
        self.hold_for = HOLD_FOR

    def holds(self, key: Key) -> bool:
        return key in self._holds

    def count(self) -> int:
        return sum(len(hold.entries) for hold in self._holds.values())

    def room(self) -> bool:
        return self.count() < self.most

    def recall(self, key: Key) -> tuple[Sent, ...]:
        """This person's messages answered "try again" since their last real reply; forgotten
        once recalled (the caller remembers them again if this message fails too)."""
        return self._told_to_retry.pop(key, ())

    def remember(self, key: Key, doubts: tuple[Sent, ...]) -> None:
        """Keep messages whose reply the person has not seen, to check what they send next."""
        if not doubts:
            return
        self._told_to_retry[key] = doubts[-EACH_REMEMBERED:]
        self._told_to_retry.move_to_end(key)
        while len(self._told_to_retry) > MOST_REMEMBERED:
            self._told_to_retry.popitem(last=False)

    async def try_once(self, entry: Entry) -> tuple[Tried, Handled | None]:
        """Handle the entry again; its claim says whether an earlier attempt committed."""
        try:
            handled = await self._attempt(entry)
        except Unsure as unsure:
            # This attempt claimed the message, so the earlier ones had not committed: if any
            # did, it is this one.
            entry.unsure = unsure.handled
            return Tried.LATER, None
        except Exception as exc:
            if not database_away(exc):
                logger.exception(
                    "Could not handle a held %s message", entry.message.sender.channel.value
                )
                return Tried.FAILED, None
            logger.warning("A held message waits for the database: %s", type(exc).__name__)
            return Tried.LATER, None
        return Tried.DONE, entry.unsure if handled is None else handled

    def hold(self, key: Key, entry: Entry) -> None:
        """Keep `entry` and settle it, and whatever its sender sends next, in the background."""
        assert entry.sent is not None and entry.deliver is not None, "only these can be held"
        hold = _Hold(deque([entry]), (*entry.doubts, entry.sent))
        self._holds[key] = hold
        hold.task = asyncio.create_task(self._settle(key, hold), name="mentorbot:held")

    def queue(self, key: Key, message: InboundMessage, sent: Sent, deliver: Deliver) -> bool:
        """Put a message behind those held for its sender; False if there is no room."""
        hold = self._holds[key]
        if len(hold.entries) >= MOST_EACH or not self.room():
            return False
        hold.entries.append(Entry(message, sent, deliver, hold.doubts, reask=False))
        return True

    async def _settle(self, key: Key, hold: _Hold) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.hold_for
        pauses = iter(PAUSES)
        try:
            while hold.entries:
                entry = hold.entries[0]
                tried, handled = await self.try_once(entry)
                if tried is Tried.DONE:
                    hold.entries.popleft()
                    hold.doubts = ()  # what comes now was sent after the reply below
                    if handled is not None:
                        await deliver_later(entry, handled)
                    pauses = iter(PAUSES)
                    continue
                if tried is Tried.FAILED or loop.time() >= deadline:
                    await self._give_up(key, list(hold.entries))
                    return
                await asyncio.sleep(next(pauses, PAUSE_MOST))
        finally:
            del self._holds[key]

    async def close(self) -> None:
        """At shutdown: what is still held is dropped (webhook mode replays it at start)."""
        tasks = [hold.task for hold in self._holds.values() if hold.task is not None]
        if tasks:
            logger.warning("Stopping with messages from %d people held", len(tasks))
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def deliver_later(entry: Entry, handled: Handled) -> None:
    """Send the reply to a held message through its channel; a failure is only logged."""
    if entry.deliver is None:
        return
    try:
        await entry.deliver(handled)
    except Exception as exc:  # the channel's error text can name the person: the kind only
        logger.warning("Could not send the reply to a held message: %s", type(exc).__name__)
