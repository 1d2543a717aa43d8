"""How many statements a tap costs the database (issue 19; docs/benchmarks.md, "Statements
per tap").

A mentee tapping through a check-in is most of what the bot handles, so the statements behind
one tap bound how many taps a second it keeps up with. Each tap goes through the service as the
Telegram adapter hands it over (a Telegram sender, the update id as the dedupe key), and the
count is what the database received during it; adding a statement to the path fails here.
"""

from __future__ import annotations

import itertools

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.flows import texts
from bot.messages import Channel, InboundMessage, Reply, Sender
from bot.service import MentorService
from bot.storage.models import Answer, Score
from tests.reliability.mentees import seed_mentees
from tests.statements import statements_sent
from tests.utils import BASELINE_PARTS, count_rows, is_break, overall_number

# One tap mid-check-in, BEGIN and COMMIT aside: the claim of the update; one read of the person
# with their conversation state and open sitting; the answer with the new position (a single
# statement on PostgreSQL, two on SQLite); the replies queued.
TAP = {"postgresql": 4, "sqlite": 5}
# Starting a check-in, on either database: the claim; the read of the person, which shows they
# have no conversation state and no open sitting, so neither is asked for again; their episode;
# the check-ins done; the new sitting; the replies queued; the state.
CHECKIN = 7


class TelegramMentee:
    """One mentee's chat, as the Telegram adapter hands their updates to the service."""

    def __init__(self, service: MentorService, chat: int) -> None:
        self.service = service
        self.sender = Sender(Channel.TELEGRAM, str(chat), chat_id=chat)
        self.update_ids = itertools.count(1)
        self.last: list[Reply] = []

    async def send(self, message: InboundMessage) -> list[Reply]:
        handled = await self.service.handle(message, external_id=str(next(self.update_ids)))
        assert handled is not None and not handled.failed
        self.last = handled.outcome.replies
        return self.last

    async def type(self, text: str) -> list[Reply]:
        return await self.send(InboundMessage(self.sender, text=text))

    async def tap(self, label: str | int) -> list[Reply]:
        """Taps a button of the question last asked: by its label, or the n-th (from 1)."""
        question = next(reply for reply in reversed(self.last) if reply.choices)
        buttons = (*question.choices, *question.controls)
        choice = (
            buttons[label - 1]
            if isinstance(label, int)
            else next(button for button in buttons if button.label == label)
        )
        return await self.send(
            InboundMessage(self.sender, choice=choice.value, token=question.token)
        )


async def test_a_tap_mid_check_in_takes_a_fixed_few_statements(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
) -> None:
    [chat] = await seed_mentees(session_factory, 1)
    mentee = TelegramMentee(service, chat)
    await mentee.type("/checkin")
    await mentee.tap(1)
    with statements_sent(engine) as sent:
        replies = await mentee.tap(2)
    assert [overall_number(reply.text) for reply in replies] == [3]  # the next question
    assert len(sent) == TAP[engine.dialect.name], "\n".join(sent)


async def test_going_back_takes_as_few(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
) -> None:
    [chat] = await seed_mentees(session_factory, 1)
    mentee = TelegramMentee(service, chat)
    await mentee.type("/checkin")
    await mentee.tap(1)
    await mentee.tap(2)
    with statements_sent(engine) as sent:
        replies = await mentee.tap(texts.BACK_LABEL)
    assert [overall_number(reply.text) for reply in replies] == [2]
    assert len(sent) == TAP[engine.dialect.name], "\n".join(sent)
    assert await count_rows(session_factory, Answer) == 1  # the answer to 2 was dropped


async def test_the_last_tap_keeps_every_score_in_one_statement(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
) -> None:
    [chat] = await seed_mentees(session_factory, 1)
    mentee = TelegramMentee(service, chat)
    replies = await mentee.type("/checkin")
    while not any(reply.text == texts.ALL_DONE for reply in replies):
        with statements_sent(engine) as sent:
            replies = await mentee.tap(texts.CARRY_ON if is_break(replies[-1]) else 1)
    scored = [statement for statement in sent if statement.startswith("INSERT INTO scores")]
    assert len(scored) == 1, "\n".join(sent)
    assert await count_rows(session_factory, Score) > len(BASELINE_PARTS)  # several per measure


async def test_starting_a_check_in_reads_nothing_the_person_read_showed_missing(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
) -> None:
    [chat] = await seed_mentees(session_factory, 1)
    mentee = TelegramMentee(service, chat)
    with statements_sent(engine) as sent:
        replies = await mentee.type("/checkin")
    assert [overall_number(reply.text) for reply in replies if reply.choices] == [1]
    assert len(sent) == CHECKIN, "\n".join(sent)
    assert not any(statement.startswith("SELECT conversation_states") for statement in sent)
