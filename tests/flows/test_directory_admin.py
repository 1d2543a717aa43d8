"""/stale, /retire and /service: supervisors keep the directory trustworthy from the chat."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.authorisation import refusal
from bot.flows import texts
from bot.messages import Channel, Sender
from bot.service import MentorService
from bot.storage.models import Resource, Role
from tests.utils import MENTOR_PHONE, Chat, add_staff, joined_mentee

Sessions = async_sessionmaker[AsyncSession]
pytestmark = pytest.mark.usefixtures("shipped_directory")
SUPERVISOR_PHONE = "+447700900003"


async def supervisor(service: MentorService, sessions: Sessions) -> Chat:
    await add_staff(sessions, service, name="Kim", role=Role.SUPERVISOR, phone=SUPERVISOR_PHONE)
    return Chat(service, sender=Sender(Channel.CONSOLE, SUPERVISOR_PHONE))


async def set_verified(sessions: Sessions, name: str, day: date) -> None:
    async with sessions() as session, session.begin():
        await session.execute(update(Resource).where(Resource.name == name).values(verified=day))


async def test_stale_lists_entries_not_checked_for_12_months(
    service: MentorService, session_factory: Sessions
) -> None:
    chat = await supervisor(service, session_factory)
    [fresh] = await chat.send("/stale")
    assert fresh.text == texts.STALE_NONE
    # The clock says 2 March 2026: a year before is 2 March 2025.
    await set_verified(session_factory, "FRANK", date(2025, 3, 1))
    await set_verified(session_factory, "Samaritans", date(2024, 6, 30))
    await set_verified(session_factory, "NAVCA", date(2025, 3, 2))  # exactly a year: not yet
    [stale] = await chat.send("/stale")
    assert stale.text.splitlines() == [
        "Not checked for over 12 months (2):",
        "Samaritans (Crisis) - last checked 2024-06-30",
        "FRANK (Drugs and alcohol) - last checked 2025-03-01",
        texts.STALE_FOOTER,
    ]


async def test_retire_stops_showing_an_entry_at_once(
    service: MentorService, session_factory: Sessions
) -> None:
    chat = await supervisor(service, session_factory)
    assert (await chat.send("/retire"))[0].text == texts.ARG_ASK_ENTRY
    assert (await chat.send("/retire Nobody"))[0].text == texts.RETIRE_NOT_FOUND.format(
        name="Nobody"
    )
    [which] = await chat.send("/retire southwark")
    assert which.text.startswith("More than one entry matches southwark: ")
    [done] = await chat.send("/retire streetlink")
    assert done.text == texts.RETIRE_DONE.format(name="StreetLink")
    async with session_factory() as session:
        row = (await session.scalars(select(Resource).where(Resource.name == "StreetLink"))).one()
        assert row.retired_at == service.clock()
    [page] = await chat.send("/find housing")
    assert "StreetLink" not in page.text
    assert (await chat.send("/retire StreetLink"))[0].text.startswith("No entry in use")


async def test_stale_and_retire_are_for_supervisors_only(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor = await add_staff(session_factory, service)
    mentee = await joined_mentee(service, session_factory, mentor)
    await mentee.send("/cancel")
    mentor_chat = Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))
    for chat in (mentor_chat, mentee):
        for command in ("/stale", "/retire FRANK"):
            replies = await chat.send(command)
            assert replies[0].text == refusal(command.split()[0][1:])
    async with session_factory() as session:
        rows = await session.scalars(select(Resource).where(Resource.retired_at.is_not(None)))
        assert list(rows) == []


async def test_a_supervisor_adds_and_edits_an_entry_checked_like_an_import(
    service: MentorService, session_factory: Sessions
) -> None:
    chat = await supervisor(service, session_factory)
    assert (await chat.send("/service"))[0].text == texts.SERVICE_USAGE
    [bad] = await chat.send(
        "/service add name=Bermondsey Food Bank; category=debt; description=Food parcels; "
        "area=Southwark; phone=12345"
    )
    assert bad.text.startswith("Nothing was changed: ")
    assert "source is missing" in bad.text and "phone" in bad.text
    [added] = await chat.send(
        "/service add name=Bermondsey Food Bank; category=debt; "
        "description=Food parcels with a referral.; area=Southwark; phone=020 7946 0000; "
        "source=https://example.org/foodbank"
    )
    assert added.text == texts.SERVICE_ADDED.format(name="Bermondsey Food Bank")
    [again] = await chat.send(
        "/service add name=bermondsey food bank; category=debt; description=x; area=Southwark; "
        "phone=020 7946 0000; source=https://example.org"
    )
    assert again.text == texts.SERVICE_EXISTS.format(name="bermondsey food bank")
    await set_verified(session_factory, "FRANK", date(2024, 1, 1))
    [edited] = await chat.send("/service edit FRANK; hours=Every day, day and night")
    assert edited.text == texts.SERVICE_EDITED.format(name="FRANK")
    [refused] = await chat.send("/service edit FRANK; phone=not a number")
    assert refused.text.startswith("Nothing was changed: ")
    async with session_factory() as session:
        rows = {r.name: r for r in (await session.execute(select(Resource))).scalars()}
    assert rows["Bermondsey Food Bank"].verified == date(2026, 3, 2)
    assert rows["FRANK"].hours == "Every day, day and night"
    assert rows["FRANK"].verified == date(2026, 3, 2)  # editing counts as checking
    assert rows["FRANK"].phone != "not a number"
    found = await chat.send("/find Bermondsey food bank")
    assert any("Bermondsey Food Bank" in reply.text for reply in found)
