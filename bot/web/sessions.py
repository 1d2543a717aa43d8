"""Signed-in requests: the session cookie, the CSRF token, and the one wrapper every page uses.

`staff_page(action)` wraps a page handler: it opens the request's transaction, finds the staff
member from the cookie (renewing the session), checks the action against the policy shared with
the chat (bot/authorisation.py), checks the CSRF token on a POST, and commits. Without a session
a GET goes to the page that says how to sign in; a role the action is not for gets the chat's
own words ("Only supervisors can see the report.").
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot import authorisation
from bot.flows.context import FlowContext
from bot.service import MentorService
from bot.storage import staff_web
from bot.storage.models import Person
from bot.web.security import OpaqueIds

COOKIE = "mentorbot_staff"
COOKIE_PATH = "/staff"
SIGN_IN_PAGE = "/staff/signin"


@dataclass(frozen=True)
class WebConfig:
    """What every page needs besides the request: the service and how cookies are set."""

    service: MentorService
    secure_cookies: bool  # the public address is https
    ids: OpaqueIds


@dataclass
class Page:
    """One signed-in request: its transaction (as a flow context), who, and its CSRF token."""

    request: Request
    ctx: FlowContext
    staff: Person
    csrf: str
    ids: OpaqueIds
    form: FormData | None = None


Handler = Callable[[Page], Awaitable[Response]]


def csrf_token(session_token: str) -> str:
    """The CSRF token for a session: derived from its cookie, which other sites cannot read."""
    return hmac.new(session_token.encode(), b"mentorbot csrf", hashlib.sha256).hexdigest()[:32]


def set_session_cookie(response: Response, token: str, config: WebConfig) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(staff_web.SESSION_LIFETIME.total_seconds()),
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=config.secure_cookies,
    )


def clear_session_cookie(response: Response, config: WebConfig) -> None:
    response.delete_cookie(
        COOKIE, path=COOKIE_PATH, httponly=True, samesite="lax", secure=config.secure_cookies
    )


def flow_context(config: WebConfig, session: Any) -> FlowContext:
    service = config.service
    return FlowContext(
        session=session,
        instruments=service.instruments,
        clock=service.clock,
        zone=service.zone,
        links=service.links,
        crisis=service.crisis,
        sms_enabled=service.sms_enabled,
        staff_web_url=service.staff_web_url,
    )


def staff_page(action: str) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Wraps a page handler with sign-in, the policy check, CSRF on POST, and one commit."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            from bot.web.render import forbidden, not_signed_in

            config: WebConfig = request.app.state.config
            token = request.cookies.get(COOKIE, "")
            service = config.service
            form = await request.form() if request.method == "POST" else None
            async with service.writing(), service.session_factory() as session, session.begin():
                now = service.clock()
                staff = await staff_web.session_person(session, token, now=now) if token else None
                if staff is None:
                    return not_signed_in(request)
                csrf = csrf_token(token)
                if form is not None and not hmac.compare_digest(
                    str(form.get("csrf", "")).encode(), csrf.encode()
                ):
                    return forbidden(request, staff, None, csrf)
                if not authorisation.may(staff.role, action):
                    return forbidden(request, staff, authorisation.refusal(action), csrf)
                ctx = flow_context(config, session)
                page = Page(request, ctx, staff, csrf, config.ids, form)
                response = await handler(page)
            set_session_cookie(response, token, config)  # renewed: 8 hours from now
            return response

        endpoint.__name__ = handler.__name__
        endpoint.__doc__ = handler.__doc__
        endpoint.action = action  # type: ignore[attr-defined]  # read by the matrix test
        return endpoint

    return wrap


def redirect(path: str) -> RedirectResponse:
    """After a POST: see the page again (303, so a reload does not post twice)."""
    return RedirectResponse(path, status_code=303)


async def mentee_from_url(view: Page) -> Person | None:
    """The mentee named by the URL's opaque id, if this staff member may see them: None for
    someone else's mentee exactly as for an id that was never given (both answer 404)."""
    mentee_id = view.ids.decode("mentee", view.request.path_params["mentee"])
    if mentee_id is None:
        return None
    return await authorisation.visible_mentee(view.ctx.session, view.staff, mentee_id)
