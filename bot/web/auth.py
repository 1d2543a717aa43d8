"""Signing in and out: the bot's one-time link, the session it starts, and a rate limit.

Opening the link (a GET) shows a page whose form signs in; a small script submits it at once.
The GET itself uses nothing up, because link previews (Telegram fetches a preview of links in
chats) and browsers' prefetching open links nobody clicked, and would spend a one-time link.
The form carries a CSRF token held in a cookie of its own (double submit), so another site
cannot sign a browser in as someone else.
"""

from __future__ import annotations

import hmac
import secrets
from collections import deque
from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.storage import staff_web
from bot.web.render import FORM_EXPIRED, SIGN_IN_HOW, page
from bot.web.sessions import (
    COOKIE,
    WebConfig,
    clear_session_cookie,
    csrf_token,
    set_session_cookie,
)

LOGIN_CSRF_COOKIE = "mentorbot_signin"
ATTEMPTS = 20  # sign-in requests from one address (opening a link and its form are two)
WINDOW = timedelta(minutes=10)
ALL_ATTEMPTS = 300  # from everywhere together, against guessing spread over many addresses
REFUSED = (
    "This sign-in link cannot be used: it has been used already, it is more than 10 minutes "
    "old, or it is not a link the bot gave."
)


class SignInLimiter:
    """At most ATTEMPTS sign-in requests per address, and ALL_ATTEMPTS in all, per WINDOW."""

    def __init__(self) -> None:
        self.seen: dict[str, deque[datetime]] = {}
        self.everyone: deque[datetime] = deque()

    def allow(self, address: str, now: datetime) -> bool:
        since = now - WINDOW
        for times in (self.everyone, self.seen.setdefault(address, deque())):
            while times and times[0] <= since:
                times.popleft()
        if len(self.everyone) >= ALL_ATTEMPTS or len(self.seen[address]) >= ATTEMPTS:
            return False
        self.everyone.append(now)
        self.seen[address].append(now)
        if len(self.seen) > 10_000:  # forget quiet addresses rather than grow without end
            self.seen = {a: t for a, t in self.seen.items() if t}
        return True


def _config(request: Request) -> WebConfig:
    config: WebConfig = request.app.state.config
    return config


def _limited(request: Request) -> Response | None:
    config = _config(request)
    limiter: SignInLimiter = request.app.state.limiter
    address = request.client.host if request.client else "unknown"
    if limiter.allow(address, config.service.clock()):
        return None
    return page(
        request,
        "message.html",
        status=429,
        title="Too many tries",
        lines=["Too many sign-in attempts. Please wait 10 minutes, then ask the bot again."],
    )


def _refused(request: Request) -> Response:
    return page(
        request, "message.html", status=403, title="Link not valid", lines=[REFUSED, SIGN_IN_HOW]
    )


async def sign_in_page(request: Request) -> Response:
    """GET /staff/signin: how to sign in (where /staff/ sends anyone without a session)."""
    return page(request, "message.html", title="Sign in", lines=[SIGN_IN_HOW])


async def signed_out(request: Request) -> Response:
    return page(
        request,
        "message.html",
        title="Signed out",
        lines=["You are signed out.", SIGN_IN_HOW],
    )


async def open_link(request: Request) -> Response:
    """GET /staff/login/{token}: the page that signs in (nothing is used up yet)."""
    limited = _limited(request)
    if limited is not None:
        return limited
    service = _config(request).service
    async with service.session_factory() as session:
        person = await staff_web.link_person(
            session, request.path_params["token"], now=service.clock()
        )
    if person is None:
        return _refused(request)
    check = secrets.token_urlsafe(24)
    response = page(request, "signin.html", title="Sign in", name=person.display_name, check=check)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        check,
        max_age=int(staff_web.LINK_LIFETIME.total_seconds()),
        path="/staff/login",
        httponly=True,
        samesite="strict",
        secure=_config(request).secure_cookies,
    )
    return response


async def use_link(request: Request) -> Response:
    """POST /staff/login/{token}: use the link up, start the session, go to the caseload."""
    limited = _limited(request)
    if limited is not None:
        return limited
    form = await request.form()
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    given = str(form.get("csrf", ""))
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        return _refused(request)
    config = _config(request)
    service = config.service
    async with service.writing(), service.session_factory() as session, session.begin():
        now = service.clock()
        person = await staff_web.redeem_link(session, request.path_params["token"], now=now)
        if person is None:
            return _refused(request)
        token = await staff_web.start_session(session, person, now=now)
    response = RedirectResponse("/staff/", status_code=303)
    set_session_cookie(response, token, config)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/staff/login")
    return response


async def sign_out(request: Request) -> Response:
    """POST /staff/signout: the session ends here and now, whatever the cookie does later."""
    config = _config(request)
    token = request.cookies.get(COOKIE, "")
    form = await request.form()
    given = str(form.get("csrf", "")).encode()
    if not token or not hmac.compare_digest(given, csrf_token(token).encode()):
        return page(request, "message.html", status=403, title="Not allowed", lines=[FORM_EXPIRED])
    service = config.service
    async with service.writing(), service.session_factory() as session, session.begin():
        await staff_web.end_session(session, token, now=service.clock())
    response = RedirectResponse("/staff/signed-out", status_code=303)
    clear_session_cookie(response, config)
    return response
