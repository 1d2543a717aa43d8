"""The directory in the database: imports replace it, retire rather than delete, keep order."""

from __future__ import annotations

import dataclasses
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.signposting import Directory, stored
from bot.signposting.stored import ImportSummary
from bot.storage import people, signposts
from bot.storage.models import LookupCount, Resource, Role
from tests.conftest import FakeClock

Sessions = async_sessionmaker[AsyncSession]


async def replace(sessions: Sessions, directory: Directory, clock: FakeClock) -> ImportSummary:
    async with sessions() as session, session.begin():
        return await stored.replace_directory(session, directory.entries, now=clock.now)


async def test_reimporting_the_same_file_changes_nothing(
    session_factory: Sessions, shipped_directory: Directory, clock: FakeClock
) -> None:
    summary = await replace(session_factory, shipped_directory, clock)
    assert summary == ImportSummary(added=0, updated=0, unchanged=57, retired=0)
    async with session_factory() as session:
        live = await stored.live_directory(session)
    assert live.directory == shipped_directory  # same entries, same order, same categories
    assert set(live.ids) == {entry.name for entry in shipped_directory.entries}


async def test_entries_left_out_are_retired_kept_for_signposts_and_restored_later(
    session_factory: Sessions, shipped_directory: Directory, clock: FakeClock
) -> None:
    frank, *others = shipped_directory.entries
    async with session_factory() as session, session.begin():
        mentor = await people.add_person(
            session, role=Role.MENTOR, display_name="Alex", now=clock()
        )
        mentee = await people.add_person(
            session, role=Role.MENTEE, display_name="Sam", now=clock()
        )
        live = await stored.live_directory(session)
        await signposts.record_signpost(
            session,
            mentee_id=mentee.id,
            mentor_id=mentor.id,
            resource_id=live.ids["FRANK"],
            now=clock(),
        )
    changed = dataclasses.replace(others[0], phone="0300 123 4567")
    new = dataclasses.replace(others[1], name="A new service")
    clock.advance(days=1)
    smaller = Directory(shipped_directory.categories, (changed, new, *others[2:]))
    summary = await replace(session_factory, smaller, clock)
    # FRANK and the renamed service are retired; the new name is added.
    assert summary == ImportSummary(added=1, updated=1, unchanged=54, retired=2)
    async with session_factory() as session:
        live = await stored.live_directory(session)
        retired = await session.scalars(select(Resource).where(Resource.retired_at.is_not(None)))
        assert sorted(row.name for row in retired) == sorted(["FRANK", others[1].name])
        sent = await signposts.sent_to(session, mentee.id)
    assert "FRANK" not in live.ids and live.directory.entries[0] == changed
    assert [item.service for item in sent] == ["FRANK"]  # the signpost still names it
    summary = await replace(session_factory, shipped_directory, clock)
    # FRANK and the renamed service come back, the phone number changes back.
    assert summary == ImportSummary(added=0, updated=3, unchanged=54, retired=1)
    async with session_factory() as session:
        assert (await stored.live_directory(session)).directory.entries[0] == frank


async def test_lookup_counts_are_one_row_per_kind_site_and_day(
    session_factory: Sessions,
) -> None:
    for category, site, day in [
        ("debt", "hub", date(2026, 3, 2)),
        ("debt", "hub", date(2026, 3, 2)),
        ("debt", "greenwich", date(2026, 3, 2)),
        ("debt", "hub", date(2026, 3, 3)),
    ]:
        async with session_factory() as session, session.begin():
            await stored.count_lookup(session, category=category, site=site, day=day)
    async with session_factory() as session:
        rows = await session.scalars(select(LookupCount))
        found = {(row.category, row.site, row.day): row.count for row in rows}
    assert found == {
        ("debt", "hub", date(2026, 3, 2)): 2,
        ("debt", "greenwich", date(2026, 3, 2)): 1,
        ("debt", "hub", date(2026, 3, 3)): 1,
    }
