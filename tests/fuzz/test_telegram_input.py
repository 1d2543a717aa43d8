"""Odd button data and odd text at the Bot API level: every press answered, nothing fails.

The real PTB Application polls the fake Bot API; presses carry callback data no button of
ours has (empty, no colon, many colons, another person's ids, ids past any integer, NUL).
"""

from __future__ import annotations

import pytest

from bot.flows import texts
from bot.service import MentorService
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fuzz.world import Sessions
from tests.handlers.test_telegram import MENTEE, MENTOR, join, running
from tests.utils import add_staff

ODD_DATA = [
    "",
    ":",
    ":::",
    "-",
    "-:",
    "yes",
    "menu:/forget",
    "menu:/start",
    "menu:/mentee Sam",
    "mt-1:confirm",
    "mo-1:met",
    "mm-1:cancel",
    "sp-1:used",
    "gp-1:accept",
    "gr-1-20260302:done",
    "gr-1-20261399:done",
    "ca-1:ack",
    "ca-99999999999999999999:ack",
    "mt-2147483648:confirm",
    "\x00:\x00",
    "x" * 64,
    "\u00e9" * 32,
]


async def test_odd_callback_data_and_text_are_answered_without_an_error(
    service: MentorService, session_factory: Sessions, caplog: pytest.LogCaptureFixture
) -> None:
    await add_staff(session_factory, service, telegram_user_id=MENTOR)
    async with FakeTelegramAPI() as fake, running(fake, service):
        first = await join(fake)
        for number, data in enumerate(ODD_DATA, start=2):  # the consent tap was the first
            fake.user_presses(MENTEE, first.message_id, data, strict=False)
            await fake.wait_until(lambda: len(fake.answered_callbacks) == number, what=data)  # noqa: B023
        for text in ("\x00", "\u202e" + "a" * 4000, "/start \x00", " \n\t"):
            outputs = len(fake.messages_to(MENTEE))
            fake.user_message(MENTEE, text)
            await fake.wait_for_sent(outputs + 1, chat_id=MENTEE)
    sent = [message.text for message in fake.messages_to(MENTEE)]
    assert texts.TRY_AGAIN_LATER not in sent
    assert not [record for record in caplog.records if record.levelname == "ERROR"]
