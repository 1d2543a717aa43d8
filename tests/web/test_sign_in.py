"""Signing in through the bot: /web's one-time link, the session it starts, signing out."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from bot.authorisation import refusal
from bot.flows import texts
from bot.service import MentorService
from bot.storage.models import Person, Role, StaffSignInLink, StaffWebSession
from bot.web.auth import ATTEMPTS, REFUSED
from tests.conftest import FakeClock
from tests.web.conftest import CHECK, Sessions, csrf_of, link_from_bot, sign_in, team


async def test_a_mentor_signs_in_from_the_bots_link_and_sees_their_caseload(
    web: httpx.AsyncClient, web_service: MentorService, session_factory: Sessions
) -> None:
    chats = await team(web_service, session_factory)
    path = await link_from_bot(chats["Alex"])
    opened = await web.get(path)
    assert "Signing you in as Alex" in opened.text
    assert '<script src="/staff/static/signin.js"' in opened.text  # submits the form at once
    check = CHECK.search(opened.text)
    assert check is not None
    signed = await web.post(path, data={"csrf": check.group(1)})
    assert signed.status_code == 303 and signed.headers["location"] == "/staff/"
    cookie = signed.headers["set-cookie"]
    for part in ("HttpOnly", "SameSite=lax", "Secure", "Path=/staff", "Max-Age=28800"):
        assert part in cookie, cookie
    caseload = await web.get("/staff/")
    assert caseload.status_code == 200
    assert "Sam" in caseload.text and "Kim" not in caseload.text
    async with session_factory() as session:  # only a hash of either token is kept
        stored = [
            *(await session.execute(select(StaffSignInLink.token_hash))).scalars(),
            *(await session.execute(select(StaffWebSession.token_hash))).scalars(),
        ]
    token = path.rsplit("/", 1)[1]
    assert len(stored) == 2 and token not in stored
    assert web.cookies["mentorbot_staff"] not in stored


async def test_a_supervisor_sees_everyones_mentees(
    web: httpx.AsyncClient, web_service: MentorService, session_factory: Sessions
) -> None:
    chats = await team(web_service, session_factory)
    caseload = await sign_in(web, chats["Pat"])
    assert "Sam" in caseload.text and "Kim" in caseload.text


async def test_a_mentee_gets_no_link(
    web_service: MentorService, session_factory: Sessions
) -> None:
    chats = await team(web_service, session_factory)
    replies = await chats["Sam"].send("/web")
    assert replies[0].text == refusal("web")
    assert not any("/staff/login/" in reply.text for reply in replies)
    async with session_factory() as session:
        assert (await session.execute(select(StaffSignInLink))).first() is None


async def test_used_expired_and_forged_links_get_nobody_in(
    web: httpx.AsyncClient, web_service: MentorService, session_factory: Sessions, clock: FakeClock
) -> None:
    chats = await team(web_service, session_factory)
    used = await link_from_bot(chats["Alex"])
    check = csrf_of(await web.get(used))
    assert (await web.post(used, data={"csrf": check})).status_code == 303
    web.cookies.clear()
    late = await link_from_bot(chats["Alex"])
    clock.advance(minutes=10)
    forged = "/staff/login/" + "A" * 43
    for path in (used, late, forged):
        opened = await web.get(path)
        assert opened.status_code == 403 and REFUSED in opened.text
        tried = await web.post(path, data={"csrf": "x"}, headers={"cookie": "mentorbot_signin=x"})
        assert tried.status_code == 403 and REFUSED in tried.text
        assert "mentorbot_staff" not in web.cookies
    assert (await web.get("/staff/")).headers["location"] == "/staff/signin"


async def test_a_link_posted_from_elsewhere_is_refused_and_stays_usable(
    web: httpx.AsyncClient, web_service: MentorService, session_factory: Sessions
) -> None:
    """Login CSRF: a form on another site cannot carry the sign-in page's cookie."""
    chats = await team(web_service, session_factory)
    path = await link_from_bot(chats["Alex"])
    refused = await web.post(path, data={"csrf": "guess"})
    assert refused.status_code == 403
    assert (await sign_in_with(web, path)).status_code == 200


async def sign_in_with(web: httpx.AsyncClient, path: str) -> httpx.Response:
    check = csrf_of(await web.get(path))
    await web.post(path, data={"csrf": check})
    return await web.get("/staff/")


async def test_without_a_session_staff_pages_say_how_to_sign_in(web: httpx.AsyncClient) -> None:
    bare = await web.get("/staff")
    assert bare.status_code in (301, 307) and bare.headers["location"].endswith("/staff/")
    response = await web.get("/staff/")
    assert response.status_code == 303 and response.headers["location"] == "/staff/signin"
    how = await web.get("/staff/signin")
    assert "send /web to the bot" in how.text
    posted = await web.post("/staff/signout", data={"csrf": "x"})
    assert posted.status_code == 403


async def test_a_session_lasts_8_hours_renewed_on_use(
    web: httpx.AsyncClient, web_service: MentorService, session_factory: Sessions, clock: FakeClock
) -> None:
    chats = await team(web_service, session_factory)
    await sign_in(web, chats["Alex"])
    for _ in range(3):  # 21 hours in all, never 8 without a page opened
        clock.advance(hours=7)
        assert (await web.get("/staff/")).status_code == 200
    clock.advance(hours=8)
    assert (await web.get("/staff/")).status_code == 303


async def test_signing_out_ends_the_session_for_good(
    web: httpx.AsyncClient, web_service: MentorService, session_factory: Sessions
) -> None:
    chats = await team(web_service, session_factory)
    caseload = await sign_in(web, chats["Alex"])
    cookie = web.cookies["mentorbot_staff"]
    assert (await web.post("/staff/signout", data={"csrf": "wrong"})).status_code == 403
    out = await web.post("/staff/signout", data={"csrf": csrf_of(caseload)})
    assert out.status_code == 303 and out.headers["location"] == "/staff/signed-out"
    assert "mentorbot_staff" not in web.cookies
    assert "You are signed out" in (await web.get("/staff/signed-out")).text
    again = await web.get("/staff/", headers={"cookie": f"mentorbot_staff={cookie}"})
    assert again.status_code == 303  # the old cookie opens nothing


async def test_someone_no_longer_staff_is_signed_out(
    web: httpx.AsyncClient, web_service: MentorService, session_factory: Sessions
) -> None:
    chats = await team(web_service, session_factory)
    await sign_in(web, chats["Alex"])
    async with session_factory() as session, session.begin():
        alex = (
            await session.execute(select(Person).where(Person.display_name == "Alex"))
        ).scalar_one()
        alex.role = Role.MENTEE
    assert (await web.get("/staff/")).status_code == 303


async def test_sign_in_attempts_are_rate_limited(
    web: httpx.AsyncClient, web_service: MentorService, session_factory: Sessions, clock: FakeClock
) -> None:
    chats = await team(web_service, session_factory)
    for _ in range(ATTEMPTS):
        assert (await web.get("/staff/login/forged")).status_code == 403
    clock.advance(minutes=9)
    path = await link_from_bot(chats["Alex"])
    assert (await web.get(path)).status_code == 429  # even a good link, until the window ends
    clock.advance(minutes=1)
    assert (await sign_in_with(web, path)).status_code == 200


async def test_help_offers_web_first_once_the_dashboard_is_there(
    web_service: MentorService, session_factory: Sessions
) -> None:
    chats = await team(web_service, session_factory)
    [help_text] = await chats["Alex"].send("/help")
    assert help_text.text.splitlines()[1] == texts.STAFF_COMMAND_HELP["web"]
    assert (await chats["Alex"].send("hello"))[0].text == texts.STAFF_HINT_WEB


async def test_without_a_public_address_web_says_it_is_not_set_up(
    service: MentorService, session_factory: Sessions
) -> None:
    chats = await team(service, session_factory)
    assert (await chats["Alex"].send("/web"))[0].text == texts.WEB_NOT_SET_UP
    [help_text] = await chats["Alex"].send("/help")
    assert "/web" not in help_text.text
