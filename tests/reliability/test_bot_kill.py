"""kill -9 of `mentorbot serve` while 200 mentees are part-way through their check-ins.

Neither mode may lose or double anything. The webhook stores each update before answering
200; the poller stores each batch before the next getUpdates lets Telegram forget it
(bot/handlers/polling.py); a restart replays what was stored but never handled. Each reply is
queued with the answer it follows, so one the kill stopped from going out is sent by the next
serve (bot/scheduling/replies.py): nobody waits for a reply that never comes.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.models import Answer, ProcessedInbound, TelegramUpdate
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.reliability.cloud import WebhookCloud
from tests.reliability.mentees import (
    Inbox,
    Mentee,
    check_answers,
    mentee_ids,
    seed_mentees,
    stored_checkins,
)
from tests.reliability.processes import BotProcess, bot_environment, free_port

pytestmark = pytest.mark.reliability

MENTEES = 200
ANSWERS = 10  # each mentee answers the first ten baseline questions: 2,200 updates in all


async def count(session_factory: async_sessionmaker[AsyncSession], model: type) -> int:
    async with session_factory() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


@pytest.mark.parametrize("mode", ["webhook", "polling"])
async def test_kill_9_mid_check_ins_then_restart(
    mode: str,
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    chats = await seed_mentees(session_factory, MENTEES)
    async with FakeTelegramAPI() as fake:
        port = free_port()
        env = bot_environment(database_url=database_url, fake=fake, port=port, mode=mode)
        bot = BotProcess("serve", env, tmp_path, port=port)
        await bot.start()
        async with (
            WebhookCloud(port) as cloud,
            Inbox(fake.sent, lambda sent: sent.chat_id, lambda sent: sent.text or "") as inbox,
        ):

            def typing_in(chat: int) -> Mentee:
                async def send(text: str) -> None:
                    update = fake.user_message(chat, text)  # queued for getUpdates too
                    if mode == "webhook":
                        await cloud.telegram(update)

                return Mentee(chat - chats[0], chat, send, inbox)

            mentees = [typing_in(chat) for chat in chats]
            work = asyncio.gather(*(mentee.check_in(ANSWERS) for mentee in mentees))
            try:
                # Kill once about a third of all the questions have gone out.
                third = MENTEES * (ANSWERS + 1) // 3
                await fake.wait_until(lambda: len(fake.sent) >= third, timeout=600)
                await bot.kill()
                answers_at_kill = await count(session_factory, Answer)
                await bot.start()
                await asyncio.wait_for(work, 900)
            finally:
                work.cancel()
                await bot.stop()
    ids = await mentee_ids(session_factory)
    problems = [f"mentee {m.index}: {p}" for m in mentees for p in m.problems]
    problems += check_answers(await stored_checkins(session_factory, ids), ids, ANSWERS)
    answered_again = sum(m.answered_again for m in mentees)
    print(
        f"\n[{mode}] killed with {answers_at_kill} of {MENTEES * ANSWERS} answers stored; "
        f"replayed after restart: {bot.log_count('Replaying')} batch(es); "
        f"mentees who asked again after a silence: {sum(1 for m in mentees if m.asked_again)}; "
        f"answers given twice because the first was lost: {answered_again}; "
        f"deliveries refused while down: {cloud.refused}"
    )
    assert 0 < answers_at_kill < MENTEES * ANSWERS  # the kill really was mid-way
    assert problems == [], "\n".join(problems[:20]) + "\n" + bot.log_tail()
    assert await count(session_factory, Answer) == MENTEES * ANSWERS
    assert answered_again == 0  # no answer was lost
    assert sum(m.asked_again for m in mentees) == 0  # no reply was lost
    stored = await count(session_factory, TelegramUpdate)
    assert await count(session_factory, ProcessedInbound) == stored  # every update handled
