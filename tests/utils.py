"""Test-data factories and a channel-free chat driver for flow tests."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import texts
from bot.messages import Channel, InboundMessage, Reply, Sender
from bot.service import MentorService
from bot.storage import people
from bot.storage.models import Base, Person, Role

MENTEE_PHONE = "+447700900123"
MENTOR_PHONE = "+447700900001"


async def add_staff(
    session_factory: async_sessionmaker[AsyncSession],
    service: MentorService,
    *,
    name: str = "Alex",
    role: Role = Role.MENTOR,
    telegram_user_id: int | None = None,
    phone: str | None = MENTOR_PHONE,
) -> Person:
    async with session_factory() as session, session.begin():
        return await people.add_person(
            session,
            role=role,
            display_name=name,
            now=service.clock(),
            telegram_user_id=telegram_user_id,
            phone=phone if telegram_user_id is None else None,
        )


async def make_invite(
    session_factory: async_sessionmaker[AsyncSession],
    service: MentorService,
    mentor: Person,
    name: str = "Sam",
) -> str:
    async with session_factory() as session, session.begin():
        invite = await people.create_invite(
            session, created_by=mentor, mentee_name=name, site="hub", now=service.clock()
        )
        return invite.code


async def count_rows(session_factory: async_sessionmaker[AsyncSession], model: type[Base]) -> int:
    async with session_factory() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def invited_chat(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> tuple[Chat, str]:
    """A mentor exists and made an invite; the mentee's chat has not used it yet."""
    mentor = await add_staff(session_factory, service)
    return Chat(service), await make_invite(session_factory, service, mentor)


@dataclass
class Chat:
    """Talks to the service as one person would, remembering the last choices shown."""

    service: MentorService
    sender: Sender = field(default_factory=lambda: Sender(Channel.CONSOLE, MENTEE_PHONE))
    last: list[Reply] = field(default_factory=list)
    notices: list[int] = field(default_factory=list)
    stale: bool = False

    async def send(self, text: str | None) -> list[Reply]:
        return await self._deliver(InboundMessage(sender=self.sender, text=text))

    async def tap(self, label: str, *, reply: Reply | None = None) -> list[Reply]:
        """Taps the choice with this label on the given (default: latest) question."""
        question = reply or next(r for r in reversed(self.last) if r.choices)
        choice = next(c for c in (*question.choices, *question.controls) if c.label == label)
        message = InboundMessage(sender=self.sender, choice=choice.value, token=question.token)
        return await self._deliver(message)

    async def _deliver(
        self, message: InboundMessage, external_id: str | None = None
    ) -> list[Reply]:
        handled = await self.service.handle(message, external_id=external_id)
        assert handled is not None
        self.stale = handled.outcome.stale_tap
        self.notices.extend(handled.notices)
        self.last = handled.outcome.replies
        return self.last

    @property
    def question(self) -> Reply:
        return next(r for r in reversed(self.last) if r.choices)

    @property
    def texts(self) -> list[str]:
        return [reply.text for reply in self.last]


# "Part 1 of 3, question 4 of 50: ..." in a full check-in, "Question 4 of 10: ..." weekly.
QUESTION_AT = re.compile(r"(?:Part (\d+) of \d+, question|Question) (\d+) of \d+: ")
BASELINE_PARTS = (50, 6, 5)  # ARC, CEST self-esteem, CEST self-efficacy


def question_number(reply: Reply | str) -> int:
    """The '4' in 'Part 1 of 3, question 4 of 50: ...' or 'Question 4 of 10: ...'."""
    text = reply if isinstance(reply, str) else reply.text
    match = QUESTION_AT.search(text)
    assert match is not None, text
    return int(match.group(2))


def overall_number(text: str, parts: tuple[int, ...] = BASELINE_PARTS) -> int | None:
    """Which question of the whole sitting a message asks (1-61 in a full check), if any."""
    match = QUESTION_AT.search(text)
    if match is None:
        return None
    part = int(match.group(1) or 1)
    return sum(parts[: part - 1]) + int(match.group(2))


def is_break(reply: Reply) -> bool:
    """The offer of a break between the parts of a full check-in."""
    return any(choice.label == texts.TAKE_BREAK for choice in reply.choices)


def in_checkin(chat: Chat) -> bool:
    """Whether the latest message asks a check-in question or offers the break between parts."""
    if not chat.last or not any(reply.choices for reply in chat.last):
        return False
    return is_break(chat.question) or QUESTION_AT.search(chat.question.text) is not None


async def carry_on_at_break(chat: Chat) -> None:
    """Taps "Carry on" when the latest question is the break between two parts."""
    if chat.last and is_break(chat.last[-1]):
        await chat.tap(texts.CARRY_ON)


async def joined_mentee(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    mentor: Person,
    *,
    name: str = "Sam",
    phone: str = MENTEE_PHONE,
) -> Chat:
    """A mentee of this mentor who has agreed to take part; their first check-in is showing."""
    from bot.flows import texts

    code = await make_invite(session_factory, service, mentor, name)
    chat = Chat(service, sender=Sender(Channel.CONSOLE, phone))
    await chat.send(f"/start {code}")
    await chat.tap(texts.CONSENT_YES)
    return chat


async def tap_sent_button(chat: Chat, token: str, value: str) -> list[Reply]:
    """Taps a button on a message the bot sent on its own (an invitation, a reminder)."""
    return await chat._deliver(InboundMessage(sender=chat.sender, choice=value, token=token))
