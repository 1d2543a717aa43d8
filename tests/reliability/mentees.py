"""Simulated mentees doing their check-in, and what the database must show afterwards.

Each mentee types the number of an answer, waits for the next question, and types again, as a
person would. Answers alternate by mentee and question (1, 2, 1 ...), so an answer stored twice
shifts every later one onto the wrong question and cannot go unnoticed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import texts
from bot.flows.battery import battery
from bot.instruments import Instrument, load_instruments
from bot.storage import people
from bot.storage.models import Answer, Assessment, ConversationState, Role, Timepoint
from tests.conftest import LONDON
from tests.utils import overall_number

FIRST_CHAT = 7_000_001
TOLD_TO_RETRY = -1


def option_for(index: int, number: int) -> int:
    """The answer (1 or 2) mentee `index` types for question `number`."""
    return 1 + (index + number) % 2


def expected_values(index: int, answers: int) -> dict[tuple[str, str], int]:
    """The stored value of each of the first `answers` baseline questions for one mentee."""
    instruments = load_instruments()
    queue = [
        (instruments[name], item)
        for name in battery(Timepoint.BASELINE)
        for item in instruments[name].items
    ]
    wanted: dict[tuple[str, str], int] = {}
    for number, (instrument, item) in enumerate(queue[:answers], 1):
        wanted[(instrument.id, item.id)] = _value(instrument, option_for(index, number))
    return wanted


def _value(instrument: Instrument, option: int) -> int:
    return instrument.responses[option - 1].value


async def seed_mentees(
    session_factory: async_sessionmaker[AsyncSession],
    count: int,
    *,
    telegram: bool = True,
    phone_base: int = 100,
) -> list[int]:
    """A mentor and `count` active mentees; returns their Telegram ids (or phone suffixes)."""
    now = datetime.now(UTC)
    addresses: list[int] = []
    async with session_factory() as session, session.begin():
        mentor = await people.add_person(
            session,
            role=Role.MENTOR,
            display_name="Alex",
            now=now,
            telegram_user_id=1000 if telegram else None,
        )
        for index in range(count):
            address = FIRST_CHAT + index if telegram else phone_base + index
            mentee = await people.add_person(
                session,
                role=Role.MENTEE,
                display_name=f"Mentee{index}",
                now=now,
                telegram_user_id=address if telegram else None,
                phone=None if telegram else phone(address),
            )
            await people.start_episode(
                session,
                mentee=mentee,
                mentor_id=mentor.id,
                site="hub",
                today=now.astimezone(LONDON).date(),
                now=now,
            )
            addresses.append(address)
    return addresses


def phone(suffix: int) -> str:
    """A number in Ofcom's drama range, kept for fiction and tests: +447700900000-999."""
    return f"+447700900{suffix:03d}"


class Inbox:
    """What the bot has sent, sorted per recipient, with a wake-up for each new message."""

    def __init__(
        self, outputs: list[Any], recipient: Callable[[Any], object], text: Callable[[Any], str]
    ) -> None:
        self.outputs = outputs
        self.recipient = recipient
        self.text = text
        self.seen = 0
        self.by_recipient: dict[object, list[str]] = {}
        self.changed: dict[object, asyncio.Event] = {}
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Inbox:
        self._task = asyncio.create_task(self._pump())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _pump(self) -> None:
        while True:
            while self.seen < len(self.outputs):
                output = self.outputs[self.seen]
                self.seen += 1
                key = self.recipient(output)
                self.by_recipient.setdefault(key, []).append(self.text(output))
                self.event(key).set()
            await asyncio.sleep(0.02)

    def event(self, key: object) -> asyncio.Event:
        return self.changed.setdefault(key, asyncio.Event())

    def messages(self, key: object) -> list[str]:
        return self.by_recipient.get(key, [])


Send = Callable[[str], Awaitable[None]]


@dataclass
class Mentee:
    """One person answering `answers` questions; notes anything a person would notice."""

    index: int
    key: object  # the chat id or phone number their messages arrive under
    send: Send
    inbox: Inbox
    patience: float = 60.0  # seconds without the next question before asking again
    asked_again: int = 0  # times they typed "checkin" again because nothing came
    answered_again: int = 0  # questions they had to answer a second time (an answer was lost)
    told_to_retry: int = 0  # "please try again in a few minutes" replies
    retry_wait: float = 3.0
    think: float = 0.0  # seconds between seeing a question and answering it
    problems: list[str] = field(default_factory=list)
    _read: int = 0

    async def check_in(self, answers: int, resume: str = "/checkin") -> None:
        last = resume
        await self.send(last)
        number = 1
        while number <= answers + 1:
            shown = await self._next_question(resume)
            if shown == TOLD_TO_RETRY:  # as asked: wait a little, then send it again
                self.told_to_retry += 1
                await asyncio.sleep(self.retry_wait)
                await self.send(last)
                continue
            if shown is None:
                self.problems.append(f"no question came after asking again at {number}")
                return
            if shown == number - 1:  # the last answer never arrived: answer it again
                self.answered_again += 1
                number = shown
            elif shown != number:
                self.problems.append(f"expected question {number}, was shown {shown}")
                return
            if number <= answers:
                await asyncio.sleep(self.think)
                last = str(option_for(self.index, number))
                await self.send(last)
            number += 1

    async def _next_question(self, resume: str) -> int | None:
        """The number of the next question shown; after a silence, ask again and resume."""
        resumed = False
        for _ in range(3):
            shown = await self._wait_for_question(after_resume=resumed)
            if shown is not None:
                return shown
            self.asked_again += 1
            resumed = True
            await self.send(resume)
        return None

    async def _wait_for_question(self, *, after_resume: bool) -> int | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.patience
        waiting_for_resume = after_resume
        while True:
            messages = self.inbox.messages(self.key)
            while self._read < len(messages):
                text = messages[self._read]
                self._read += 1
                if waiting_for_resume:
                    # Only what follows "Welcome back" answers the new request; a question
                    # before it replies to the message that was thought lost.
                    if text.startswith(texts.RESUME):
                        waiting_for_resume = False
                        continue
                    if overall_number(text) != 1:  # question 1 has no "welcome back"
                        continue
                    waiting_for_resume = False
                if text == texts.TRY_AGAIN_LATER:
                    return TOLD_TO_RETRY
                number = overall_number(text)
                if number is not None:
                    return number
            event = self.inbox.event(self.key)
            event.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)


async def stored_checkins(
    session_factory: async_sessionmaker[AsyncSession], mentee_ids: Sequence[int]
) -> dict[int, tuple[dict[tuple[str, str], int], int | None]]:
    """Per mentee (by position in `mentee_ids`): stored answers and the saved position."""
    async with session_factory() as session:
        rows = await session.execute(
            select(Assessment.person_id, Answer.instrument, Answer.item_id, Answer.value).join(
                Answer, Answer.assessment_id == Assessment.id
            )
        )
        answers: dict[int, dict[tuple[str, str], int]] = {}
        for person_id, instrument, item_id, value in rows:
            answers.setdefault(person_id, {})[(instrument, item_id)] = value
        states = await session.execute(select(ConversationState.person_id, ConversationState.data))
        positions = {person_id: (data or {}).get("position") for person_id, data in states}
    return {pid: (answers.get(pid, {}), positions.get(pid)) for pid in mentee_ids}


async def mentee_ids(session_factory: async_sessionmaker[AsyncSession]) -> list[int]:
    from bot.storage.models import Person

    async with session_factory() as session:
        query = select(Person.id).where(Person.role == Role.MENTEE).order_by(Person.id)
        return list((await session.execute(query)).scalars())


def check_answers(
    stored: dict[int, tuple[dict[tuple[str, str], int], int | None]],
    ids: Sequence[int],
    answers: int,
) -> list[str]:
    """Every mentee has exactly the answers they gave and waits at the next question."""
    problems = []
    for index, person_id in enumerate(ids):
        got, position = stored[person_id]
        if got != expected_values(index, answers):
            problems.append(f"mentee {index}: {len(got)} answers stored, not the {answers} given")
        if position != answers:
            problems.append(f"mentee {index}: at question {position}, not {answers}")
    return problems
