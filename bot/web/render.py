"""Rendering pages: one Jinja2 environment, autoescaped, and the pages every route may answer.

Templates live in bot/web/templates; they never hold a script, an inline style or an event
attribute (the Content-Security-Policy forbids them), so a name typed into a note can never run.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot import authorisation
from bot.storage.models import Person

_ENV = Environment(
    loader=PackageLoader("bot.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
# The navigation, each entry with the action it needs (the same names as the chat commands).
NAV = (
    ("Caseload", "/staff/", "mentees"),
    ("Every caseload", "/staff/caseloads", "caseloads"),
    ("Report", "/staff/report", "report"),
    ("Supervision", "/staff/supervision", "supervision"),
    ("Export", "/staff/export", "export"),
    ("Directory", "/staff/directory", "service"),
    ("Audit log", "/staff/audit", "audit"),
)


def nav_for(staff: Person | None) -> list[tuple[str, str]]:
    if staff is None:
        return []
    return [(label, path) for label, path, action in NAV if authorisation.may(staff.role, action)]


def page(
    request: Request,
    template: str,
    *,
    staff: Person | None = None,
    csrf: str = "",
    status: int = 200,
    **values: Any,
) -> HTMLResponse:
    html = _ENV.get_template(template).render(
        staff=staff, csrf=csrf, nav=nav_for(staff), path=request.url.path, **values
    )
    return HTMLResponse(html, status_code=status)


def not_signed_in(request: Request) -> Response:
    """A GET goes to the page that says how to sign in; anything else is refused."""
    if request.method == "GET":
        return RedirectResponse("/staff/signin", status_code=303)
    return page(request, "message.html", status=403, title="Please sign in", lines=[SIGN_IN_HOW])


def forbidden(request: Request, staff: Person, said: str | None, csrf: str = "") -> Response:
    lines = [said] if said else [FORM_EXPIRED]
    return page(
        request,
        "message.html",
        staff=staff,
        csrf=csrf,
        status=403,
        title="Not allowed",
        lines=lines,
    )


def not_found(request: Request, staff: Person | None, csrf: str = "") -> Response:
    """The same page for an id that does not exist and for a record this person may not see."""
    return page(
        request,
        "message.html",
        staff=staff,
        csrf=csrf,
        status=404,
        title="Not found",
        lines=["There is nothing here. It may have been moved, or the link is wrong."],
    )


SIGN_IN_HOW = (
    "To sign in, send /web to the bot on Telegram. It answers with a link for you alone, "
    "which works once, for 10 minutes."
)
FORM_EXPIRED = "That form has expired. Please go back, reload the page and try again."
