"""The staff dashboard as one Starlette app, mounted at /staff by the composition root.

Routes are listed here, each with the page module that serves it; `ROUTES` is what the
authorisation matrix test walks (tests/web/test_matrix.py), so a new page cannot be added
without being tested for every role.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.service import MentorService
from bot.web import (
    auth,
    pages_caseload,
    pages_directory,
    pages_record,
    pages_reports,
    pages_supervisor,
    record_actions,
)
from bot.web.security import OpaqueIds, SecurityHeaders
from bot.web.sessions import WebConfig

STATIC = Path(__file__).parent / "static"
Endpoint = Callable[[Request], Awaitable[Response]]

# (path, endpoint, methods): paths as mounted under /staff.
PUBLIC: list[tuple[str, Endpoint, list[str]]] = [
    ("/signin", auth.sign_in_page, ["GET"]),
    ("/signed-out", auth.signed_out, ["GET"]),
    ("/login/{token}", auth.open_link, ["GET"]),
    ("/login/{token}", auth.use_link, ["POST"]),
    ("/signout", auth.sign_out, ["POST"]),
]
# Pages behind sign-in: (path, endpoint, methods); each endpoint names its action.
SIGNED_IN: list[tuple[str, Endpoint, list[str]]] = [
    ("/", pages_caseload.caseload, ["GET"]),
    ("/mentees/{mentee}", pages_record.record, ["GET"]),
    ("/mentees/{mentee}/picture.png", pages_record.picture, ["GET"]),
    ("/mentees/{mentee}/notes", record_actions.note, ["POST"]),
    ("/mentees/{mentee}/alerts/{alert}/pick-up", record_actions.pick_up, ["POST"]),
    ("/mentees/{mentee}/meetings", record_actions.book, ["POST"]),
    ("/mentees/{mentee}/assign", pages_supervisor.assign, ["POST"]),
    ("/caseloads", pages_supervisor.caseloads, ["GET"]),
    ("/supervision", pages_supervisor.supervision_log, ["GET"]),
    ("/supervision", pages_supervisor.add_supervision, ["POST"]),
    ("/audit", pages_supervisor.audit_log, ["GET"]),
    ("/report", pages_reports.report, ["GET"]),
    ("/report.png", pages_reports.report_chart, ["GET"]),
    ("/report/compare", pages_reports.compare_page, ["GET"]),
    ("/report/compare.png", pages_reports.compare_chart, ["GET"]),
    ("/export", pages_reports.export_page, ["GET"]),
    ("/export", pages_reports.export_download, ["POST"]),
    ("/directory", pages_directory.directory, ["GET"]),
    ("/directory/new", pages_directory.new_entry, ["GET"]),
    ("/directory/new", pages_directory.add, ["POST"]),
    ("/directory/{service}", pages_directory.edit_form, ["GET"]),
    ("/directory/{service}", pages_directory.edit, ["POST"]),
    ("/directory/{service}/retire", pages_directory.retire, ["POST"]),
]


def build_staff_app(service: MentorService, public_url: str) -> Starlette:
    routes: list[BaseRoute] = [
        Route(path, endpoint, methods=methods) for path, endpoint, methods in (*PUBLIC, *SIGNED_IN)
    ]
    routes.append(Mount("/static", app=StaticFiles(directory=STATIC), name="static"))
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)])
    app.state.config = WebConfig(
        service=service, secure_cookies=public_url.startswith("https://"), ids=OpaqueIds()
    )
    app.state.limiter = auth.SignInLimiter()
    return app
