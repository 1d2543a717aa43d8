"""The authorisation matrix of the dashboard: every route, every role, own and other mentees.

The policy is the chat's (bot/authorisation.py): a page for a role that may not use it says who
may, in the chat's words; a mentee, or anyone without a session, is sent to sign in; another
mentor's mentee is answered exactly as an id that was never given (404, the same page).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

import httpx
import pytest
from sqlalchemy import func, select

from bot.authorisation import may, refusal
from bot.service import MentorService
from bot.storage import staff_web
from bot.storage.models import AuditEvent, CrisisAlert, Person, Resource, Role
from bot.web.app import SIGNED_IN
from bot.web.security import OpaqueIds
from tests.conftest import FakeClock
from tests.flows.full_mentee import _check_in
from tests.web.conftest import PUBLIC_URL, Sessions, csrf_of, sign_in, team

ENTRY = {
    "name": "Quokka Advice (synthetic)",
    "category": "housing",
    "description": "Advice on renting",
    "area": "Southwark",
    "confidence": "verified",
    "source": "https://example.org/quokka",
    "website": "https://example.org",
}
# What each form sends, so that an allowed request is a valid one ({day} is filled in).
FORMS: dict[tuple[str, str], dict[str, str]] = {
    ("/", "GET"): {},
    ("/mentees/{mentee}", "GET"): {},
    ("/mentees/{mentee}/picture.png", "GET"): {},
    ("/mentees/{mentee}/notes", "POST"): {"text": "went well"},
    ("/mentees/{mentee}/alerts/{alert}/pick-up", "POST"): {},
    ("/mentees/{mentee}/meetings", "POST"): {
        "day": "2026-03-04",
        "time": "14:00",
        "other": "Cafe",
    },
    ("/mentees/{mentee}/assign", "POST"): {"mentor": "{jo}"},
    ("/caseloads", "GET"): {},
    ("/supervision", "GET"): {},
    ("/supervision", "POST"): {"mentor": "{jo}", "day": "2026-03-02"},
    ("/audit", "GET"): {},
    ("/report", "GET"): {},
    ("/report.png", "GET"): {},
    ("/report/compare", "GET"): {},
    ("/report/compare.png", "GET"): {},
    ("/export", "GET"): {},
    ("/export", "POST"): {},
    ("/directory", "GET"): {},
    ("/directory/new", "GET"): {},
    ("/directory/new", "POST"): {**ENTRY, "name": "Another Advice (synthetic)"},
    ("/directory/{service}", "GET"): {},
    ("/directory/{service}", "POST"): ENTRY,
    ("/directory/{service}/retire", "POST"): {},
}
# Allowed by the policy, yet only for the mentee's own mentor, as in the chat (/meet).
OWN_MENTOR_ONLY = {("/mentees/{mentee}/meetings", "POST")}
ROUTES = [(path, method, endpoint) for path, endpoint, methods in SIGNED_IN for method in methods]


def test_the_matrix_covers_every_signed_in_route() -> None:
    assert {(path, method) for path, method, _ in ROUTES} == set(FORMS)


def action_of(endpoint: object) -> str:
    action = getattr(endpoint, "action", None)
    assert isinstance(action, str), endpoint
    return action


async def world(service: MentorService, sessions: Sessions, clock: FakeClock) -> dict[str, object]:
    chats = await team(service, sessions)
    for name in ("Sam", "Kim"):  # a full first check-in each, so each has a picture
        await _check_in(chats[name], "/checkin")
    ids = OpaqueIds()
    async with sessions() as session, session.begin():
        found = {p.display_name: p for p in (await session.execute(select(Person))).scalars()}
        alerts = {}
        for name in ("Sam", "Kim"):
            alert = CrisisAlert(
                person_id=found[name].id,
                categories="self_harm",
                life_at_risk=False,
                created_at=clock(),
            )
            session.add(alert)
            await session.flush()
            alerts[name] = ids.encode("alert", alert.id)
        resource = Resource(
            **ENTRY, verified=date(2026, 1, 5), position=1, created_at=clock(), updated_at=clock()
        )
        session.add(resource)
        await session.flush()
        service_id = ids.encode("service", resource.id)
    return {
        "chats": chats,
        "people": found,
        "alerts": alerts,
        "service": service_id,
        "jo": ids.encode("mentor", found["Jo"].id),
    }


def fill(path: str, mentee: Person, known: dict[str, object]) -> str:
    ids = OpaqueIds()
    alerts = known["alerts"]
    assert isinstance(alerts, dict)
    return "/staff" + path.format(
        mentee=ids.encode("mentee", mentee.id),
        alert=alerts[mentee.display_name],
        service=known["service"],
    )


@asynccontextmanager
async def client(web: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=web._transport, base_url=PUBLIC_URL) as fresh:
        yield fresh


async def ask(
    web: httpx.AsyncClient,
    path: str,
    method: str,
    form: dict[str, str],
    csrf: str,
    known: dict[str, object],
) -> httpx.Response:
    if method == "GET":
        return await web.get(path)
    data = {k: v.format(jo=known["jo"]) for k, v in form.items()}
    return await web.post(path, data={**data, "csrf": csrf})


@pytest.mark.parametrize("role", [Role.MENTOR, Role.SUPERVISOR])
async def test_each_route_for_staff_own_and_other_mentees(
    web: httpx.AsyncClient,
    web_service: MentorService,
    session_factory: Sessions,
    clock: FakeClock,
    role: Role,
) -> None:
    known = await world(web_service, session_factory, clock)
    chats, people = known["chats"], known["people"]
    assert isinstance(chats, dict) and isinstance(people, dict)
    who = "Alex" if role is Role.MENTOR else "Pat"
    csrf = csrf_of(await sign_in(web, chats[who]))
    made_up = await web.get("/staff/mentees/" + "B" * 22)
    assert made_up.status_code == 404
    for path, method, endpoint in ROUTES:
        action = action_of(endpoint)
        form = FORMS[(path, method)]
        for mentee in (people["Kim"], people["Sam"]):  # someone else's first: Sam's are used
            url = fill(path, mentee, known)
            answer = await ask(web, url, method, form, csrf, known)
            where = f"{role.value} {method} {url} ({mentee.display_name})"
            if not may(role, action):
                assert answer.status_code == 403, where
                assert refusal(action) in answer.text, where
            elif "{mentee}" in path and mentee.display_name == "Kim" and role is Role.MENTOR:
                assert answer.status_code == 404, where
                assert answer.text == made_up.text, where  # exactly as an unknown id
            elif (path, method) in OWN_MENTOR_ONLY and role is Role.SUPERVISOR:
                assert answer.status_code == 404, where
            else:
                assert answer.status_code in (200, 303), f"{where}: {answer.status_code}"
                if answer.status_code == 303:
                    assert not answer.headers["location"].startswith("/staff/signin"), where
            if "{mentee}" not in path:
                break


@pytest.mark.parametrize("who", ["nobody", "a mentee"])
async def test_without_a_staff_session_every_route_sends_to_sign_in(
    web: httpx.AsyncClient,
    web_service: MentorService,
    session_factory: Sessions,
    clock: FakeClock,
    who: str,
) -> None:
    known = await world(web_service, session_factory, clock)
    people = known["people"]
    assert isinstance(people, dict)
    if who == "a mentee":  # a session can only be had through /web, which mentees never get
        async with session_factory() as session, session.begin():
            token = await staff_web.start_session(session, people["Sam"], now=clock())
        web.cookies.set("mentorbot_staff", token, domain="mentorbot.example.org", path="/staff")
    for path, method, _ in ROUTES:
        url = fill(path, people["Sam"], known)
        answer = await ask(web, url, method, FORMS[(path, method)], "x", known)
        if method == "GET":
            assert answer.status_code == 303, url
            assert answer.headers["location"] == "/staff/signin", url
        else:
            assert answer.status_code == 403, url
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEvent)) == 0


async def test_every_record_view_is_audit_logged(
    web: httpx.AsyncClient,
    web_service: MentorService,
    session_factory: Sessions,
    clock: FakeClock,
) -> None:
    known = await world(web_service, session_factory, clock)
    chats, people = known["chats"], known["people"]
    assert isinstance(chats, dict) and isinstance(people, dict)
    await sign_in(web, chats["Pat"])
    for name in ("Sam", "Kim"):
        assert (await web.get(fill("/mentees/{mentee}", people[name], known))).status_code == 200
    async with session_factory() as session:
        logged = [
            (e.actor_id, e.action, e.subject_id)
            for e in (await session.execute(select(AuditEvent).order_by(AuditEvent.id))).scalars()
        ]
    pat = people["Pat"].id
    assert logged == [(pat, "mentee", people["Sam"].id), (pat, "mentee", people["Kim"].id)]
