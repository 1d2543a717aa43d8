"""The staff dashboard over HTTP: the real ASGI app, a real database, the bot's own /web."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.handlers.web import create_web_app
from bot.instruments import Instrument
from bot.messages import Channel, Sender
from bot.service import MentorService
from bot.storage.models import Role
from bot.web.app import build_staff_app
from tests.conftest import CRISIS, LONDON, FakeClock
from tests.flows.test_authorisation import OTHER_MENTEE, OTHER_MENTOR, SUPERVISOR
from tests.utils import MENTOR_PHONE, Chat, add_staff, joined_mentee

PUBLIC_URL = "https://mentorbot.example.org"
LINK = re.compile(re.escape(PUBLIC_URL) + r"(/staff/login/[A-Za-z0-9_-]+)")
CHECK = re.compile(r'name="csrf" value="([^"]+)"')
Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
def web_service(
    session_factory: Sessions, instruments: dict[str, Instrument], clock: FakeClock
) -> MentorService:
    return MentorService(
        session_factory=session_factory,
        instruments=instruments,
        zone=LONDON,
        clock=clock,
        crisis=CRISIS,
        staff_web_url=PUBLIC_URL,
    )


@pytest.fixture
async def web(web_service: MentorService) -> AsyncIterator[httpx.AsyncClient]:
    app = create_web_app(staff=build_staff_app(web_service, PUBLIC_URL))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
        yield client


async def team(service: MentorService, sessions: Sessions) -> dict[str, Chat]:
    """Alex mentors Sam, Jo mentors Kim, Pat supervises: each one's chat with the bot."""
    alex = await add_staff(sessions, service, name="Alex")
    jo = await add_staff(sessions, service, name="Jo", phone=OTHER_MENTOR)
    await add_staff(sessions, service, name="Pat", role=Role.SUPERVISOR, phone=SUPERVISOR)
    sam = await joined_mentee(service, sessions, alex)
    await sam.send("/cancel")
    kim = await joined_mentee(service, sessions, jo, name="Kim", phone=OTHER_MENTEE)
    await kim.send("/cancel")
    return {
        "Sam": sam,
        "Kim": kim,
        "Alex": Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE)),
        "Jo": Chat(service, sender=Sender(Channel.CONSOLE, OTHER_MENTOR)),
        "Pat": Chat(service, sender=Sender(Channel.CONSOLE, SUPERVISOR)),
    }


async def link_from_bot(chat: Chat) -> str:
    """The path of the sign-in link the bot gives this person for /web."""
    [reply] = await chat.send("/web")
    found = LINK.search(reply.text)
    assert found is not None, reply.text
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, chat: Chat) -> httpx.Response:
    """Opens the bot's link and submits its form, as the page's script does; the caseload."""
    path = await link_from_bot(chat)
    opened = await client.get(path)
    assert opened.status_code == 200, opened.text
    check = CHECK.search(opened.text)
    assert check is not None
    signed = await client.post(path, data={"csrf": check.group(1)})
    assert signed.status_code == 303 and signed.headers["location"] == "/staff/"
    return await client.get("/staff/")


def csrf_of(page: httpx.Response) -> str:
    found = CHECK.search(page.text)
    assert found is not None, page.text
    return found.group(1)
