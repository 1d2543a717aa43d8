"""/report compare on Telegram: the real PTB Application sends the picture, the figures and the
notes to a supervisor, and a mentor only hears who may see it."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.authorisation import refusal
from bot.flows import texts
from bot.instruments import Instrument
from bot.storage.models import Role
from tests.conftest import FakeClock, make_service
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.handlers.test_telegram import PNG_SIGNATURE, running
from tests.reports.test_compare import _cohort
from tests.utils import add_staff

SUPERVISOR, MENTOR = 3003, 1001


async def test_a_supervisor_gets_the_comparison_and_a_mentor_is_refused(
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
    clock: FakeClock,
) -> None:
    await _cohort(session_factory)
    service = make_service(session_factory, instruments, clock)
    for name, role, user in (("Pat", Role.SUPERVISOR, SUPERVISOR), ("Max", Role.MENTOR, MENTOR)):
        await add_staff(session_factory, service, name=name, role=role, telegram_user_id=user)
    async with FakeTelegramAPI() as fake, running(fake, service):
        fake.user_message(SUPERVISOR, "/report compare hub spokes")
        picture, figures, notes = await fake.wait_for_sent(3, chat_id=SUPERVISOR)
        fake.user_message(MENTOR, "/report compare hub spokes")
        (refused,) = await fake.wait_for_sent(1, chat_id=MENTOR)
    assert picture.method == "sendPhoto" and picture.text == texts.COMPARE_PICTURE
    assert picture.photo is not None and picture.photo.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(picture.photo)) as image:
        width, height = image.size
    assert width == 630 and height > 2 * width  # upright, one panel per measure
    assert (figures.text or "").startswith("Compare: Hub clinic and Spokes")
    assert "The groups were not chosen at random" in (notes.text or "")
    assert refused.text == refusal("report")
    assert all(message.method == "sendMessage" for message in fake.messages_to(MENTOR))
