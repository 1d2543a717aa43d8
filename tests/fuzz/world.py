"""People and invariants for bad-input tests: fresh people per example on one database.

Hypothesis runs many examples inside one test, so everything an example needs is made new
(a mentor and a mentee with their own Telegram ids) and the checks after every message are
the same everywhere: something was answered, nothing failed, the state is one a flow accepts.
"""

from __future__ import annotations

import itertools
import logging
import os
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import engine, texts
from bot.messages import Channel, InboundMessage, Reply, Sender
from bot.service import MentorService
from bot.storage import conversations, people
from bot.storage.models import Person, Role
from tests.utils import Chat, make_invite

Sessions = async_sessionmaker[AsyncSession]

# Enough examples to find the odd case, few enough for CI (the whole folder runs in well
# under a minute and a half on SQLite).
# MENTORBOT_FUZZ_EXAMPLES=200 runs a longer search (see tests/fuzz/README.md).
EXAMPLES = int(os.environ.get("MENTORBOT_FUZZ_EXAMPLES", "20"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Anything a person might send: any printable or control character (no lone surrogates, which
# no channel can deliver), very long text, blank text, and words every flow gives meaning to.
ANY_CHAR = st.characters(codec="utf-8")
WORDS = st.sampled_from(
    [
        "",
        " ",
        "\n\t ",
        "\x00",
        "0",
        "1",
        "2",
        "11",
        "99",
        "-1",
        "1.5",
        "99999999999999999999999",
        "yes",
        "no",
        "skip",
        "done",
        "none",
        "help",
        "cancel",
        "start",
        "find",
        "find housing",
        "/start",
        "/start NOPE",
        "/cancel",
        "/menu",
        "/nosuch",
        "/help@mentorbot",
        "Sam",
        "31/2",
        "29/2/2027",
        "25:00",
        "12pm",
        "0:60",
        "tomorrow",
        "Hub clinic, front desk",
        "delete",
        "Agree",
        "Strongly agree",
        "\u202eevil",
        "e\u0301",
        "\U0001f600",
    ]
)
ANY_TEXT = st.one_of(
    WORDS,
    st.text(ANY_CHAR, max_size=60),
    st.text(ANY_CHAR, min_size=300, max_size=400),
    st.builds(
        lambda c, n: c * n,
        st.sampled_from(["a", "9", " ", "\x00", "\u00e9"]),
        st.integers(1000, 10_000),
    ),
)


@dataclass
class World:
    """Makes new people on the test's database; ids never repeat within a test."""

    service: MentorService
    sessions: Sessions
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(10_000))

    def chat(self, user_id: int) -> Chat:
        return Chat(self.service, sender=Sender(Channel.TELEGRAM, str(user_id), chat_id=user_id))

    async def staff(self, name: str = "Alex", role: Role = Role.MENTOR) -> tuple[Person, Chat]:
        user_id = next(self.ids)
        async with self.sessions() as session, session.begin():
            person = await people.add_person(
                session,
                role=role,
                display_name=name,
                now=self.service.clock(),
                telegram_user_id=user_id,
            )
        return person, self.chat(user_id)

    async def invited(self, mentor: Person, name: str = "Sam") -> Chat:
        """A mentee who used their invite: the consent question is showing."""
        code = await make_invite(self.sessions, self.service, mentor, name)
        chat = self.chat(next(self.ids))
        await chat.send(f"/start {code}")
        return chat

    async def mentee(self, mentor: Person, name: str = "Sam") -> Chat:
        """A mentee who agreed to take part; their first check-in question is showing."""
        chat = await self.invited(mentor, name)
        await chat.tap(texts.CONSENT_YES)
        return chat

    async def person(self, chat: Chat) -> Person | None:
        async with self.sessions() as session:
            return await people.person_by_sender(session, chat.sender)


def no_errors(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing was logged as an error (the service logs every exception it catches)."""
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    caplog.clear()
    assert not errors, [r.getMessage() for r in errors]


def answered(replies: list[Reply], chat: Chat, *, tap: bool) -> None:
    """Every message gets an answer (a tap may instead be marked stale); never "try again"."""
    assert texts.TRY_AGAIN_LATER not in [r.text for r in replies]
    assert replies or (tap and chat.stale)
    for reply in replies:
        assert reply.text.strip() or reply.picture or reply.card or reply.document


async def check(world: World, chat: Chat, caplog: pytest.LogCaptureFixture, *, tap: bool) -> None:
    """After any message: answered, no error, and any saved state belongs to a known flow."""
    answered(chat.last, chat, tap=tap)
    no_errors(caplog)
    person = await world.person(chat)
    if person is None:
        return  # declined before consent, or erased: nothing is kept
    async with world.sessions() as session:
        state = await conversations.load_state(session, person.id)
    if state is not None:
        assert state.flow in engine.FLOW_STEPS
        assert isinstance(state.data, dict)


async def resumes(world: World, chat: Chat, caplog: pytest.LogCaptureFixture) -> None:
    """The saved state is one its flow can take up again.

    Checked by sending what a sticker would be (no text): every flow must take that from the
    state it saved and answer (most ask their question again).
    """
    replies = await chat.send(None)
    answered(replies, chat, tap=False)
    no_errors(caplog)


async def tap_index(chat: Chat, index: int) -> list[Reply]:
    """Taps the index-th choice of the latest question (any index: wrapped)."""
    question = chat.question
    choice = question.choices[index % len(question.choices)]
    message = InboundMessage(sender=chat.sender, choice=choice.value, token=question.token)
    return await chat._deliver(message)


def has_question(chat: Chat) -> bool:
    return any(reply.choices for reply in chat.last)
