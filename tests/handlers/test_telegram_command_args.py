"""On Telegram, a staff command sent alone asks for its argument (issue 14, point 7).

The real PTB Application against the fake Bot API: "/invite", then "Sam" on its own, gives
the invite link a mentee can use; "/mentee" offers the mentor's mentees as buttons.
"""

from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import texts
from bot.service import MentorService
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.handlers.test_telegram import MENTEE, MENTOR, running
from tests.utils import add_staff


async def test_invite_alone_asks_the_name_and_the_next_message_makes_the_invite(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await add_staff(session_factory, service, telegram_user_id=MENTOR)
    async with FakeTelegramAPI() as fake, running(fake, service):
        fake.user_message(MENTOR, "/invite")
        [asked] = await fake.wait_for_sent(1, chat_id=MENTOR)
        assert asked.text == "What is the mentee's first name?"
        fake.user_message(MENTOR, "Sam")
        [_, invite] = await fake.wait_for_sent(2, chat_id=MENTOR)
        assert (invite.text or "").startswith("Invite for Sam (single use")
        link = re.search(rf"t\.me/{fake.bot_username}\?start=([A-Z0-9]+)", invite.text or "")
        assert link is not None, invite.text
        fake.user_message(MENTEE, f"/start {link.group(1)}")
        consent = (await fake.wait_for_sent(5, chat_id=MENTEE))[-1]
        assert consent.button_labels == [texts.CONSENT_YES, texts.CONSENT_NO]
        fake.user_presses(MENTEE, consent.message_id, consent.data_for(texts.CONSENT_YES))
        await fake.wait_for_sent(3, chat_id=MENTOR)  # told that Sam joined

        # Another command while the bot waits for a name: that command runs, the wait ends.
        fake.user_message(MENTOR, "/invite")
        await fake.wait_for_sent(4, chat_id=MENTOR)
        fake.user_message(MENTOR, "/mentees")
        [listed] = (await fake.wait_for_sent(5, chat_id=MENTOR))[-1:]
        assert (listed.text or "").startswith("Sam (")
        fake.user_message(MENTOR, "Robin")
        [menu] = (await fake.wait_for_sent(6, chat_id=MENTOR))[-1:]
        assert menu.text == texts.STAFF_HINT

        # /mentee alone: the mentor's own mentees as buttons; a tap shows the record.
        fake.user_message(MENTOR, "/mentee")
        [question] = (await fake.wait_for_sent(7, chat_id=MENTOR))[-1:]
        assert question.text == texts.ARG_ASK_MENTEE
        assert question.button_labels == ["Sam"]
        fake.user_presses(MENTOR, question.message_id, question.data_for("Sam"))
        await fake.wait_until(
            lambda: any((m.text or "").startswith("Sam: ") for m in fake.messages_to(MENTOR)[7:])
        )
        edited = fake.current_message(MENTOR, question.message_id)
        assert edited is not None and "reply_markup" not in edited
        assert edited["text"].endswith("Sam")
