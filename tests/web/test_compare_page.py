"""The report page's comparison of two groups: the same words and figures as /report compare."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from bot.service import MentorService
from bot.storage.models import AuditEvent
from tests.web.conftest import Sessions, sign_in, team


async def test_a_supervisor_compares_hub_and_spokes_and_the_viewing_is_logged(
    web: httpx.AsyncClient, web_service: MentorService, session_factory: Sessions
) -> None:
    chats = await team(web_service, session_factory)
    await sign_in(web, chats["Pat"])
    report = await web.get("/staff/report")
    assert 'href="/staff/report/compare"' in report.text
    shown = await web.get("/staff/report/compare?groups=hub+spokes")
    assert shown.status_code == 200
    assert "Compare: Hub clinic and Spokes" in shown.text
    assert "not chosen at random" in shown.text
    picture = await web.get("/staff/report/compare.png?groups=hub+spokes")
    assert picture.status_code == 200 and picture.content.startswith(b"\x89PNG")
    async with session_factory() as session:
        actions = [e.action for e in (await session.execute(select(AuditEvent))).scalars()]
    assert actions.count("report_compare") == 1  # the page, not its picture


async def test_words_that_name_no_groups_get_the_usage_and_no_picture(
    web: httpx.AsyncClient, web_service: MentorService, session_factory: Sessions
) -> None:
    chats = await team(web_service, session_factory)
    await sign_in(web, chats["Pat"])
    shown = await web.get("/staff/report/compare?groups=")
    assert shown.status_code == 200 and "Name two groups" in shown.text
    assert "compare.png" not in shown.text
    assert (await web.get("/staff/report/compare.png?groups=")).status_code == 404
