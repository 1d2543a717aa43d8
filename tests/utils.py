"""Test-data factories and a channel-free chat driver for flow tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.types import Channel, InboundMessage, Reply, Sender
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
        choice = next(c for c in question.choices if c.label == label)
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


def question_number(reply: Reply) -> int:
    """The '3' in '3 of 61: ...'."""
    return int(reply.text.split(" of ", 1)[0])


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
