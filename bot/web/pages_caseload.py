"""The caseload page (/staff/): each mentee the person may see, most urgent first.

The flags and their order are the chat's `/attention` (bot/flows/caseload.py): a crisis alert
nobody has picked up first, then an unconfirmed meeting, a fall in scores, silence, an
unfinished check-in, messages that did not get through. Mentees without a flag follow by name.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import Response

from bot.flows import texts
from bot.flows.caseload import MenteeStatus, statuses
from bot.flows.meetings import describe_when
from bot.web.render import page
from bot.web.sessions import Page, staff_page


@dataclass(frozen=True)
class Line:
    """One row of the caseload table, as shown."""

    href: str
    name: str
    site: str
    week: int
    last_checkin: str
    next_meeting: str
    flags: list[str]
    urgent: bool  # a crisis alert nobody has picked up


def _line(view: Page, status: MenteeStatus) -> Line:
    ctx = view.ctx
    last = status.last_checkin
    meeting = status.next_meeting
    return Line(
        href=f"/staff/mentees/{view.ids.encode('mentee', status.mentee.id)}",
        name=status.mentee.display_name,
        site=status.episode.site,
        week=(ctx.today() - status.episode.started_on).days // 7 + 1,
        last_checkin=(
            describe_when(last, ctx.zone).split(" at ")[0] if last else texts.CASELOAD_NEVER
        ),
        next_meeting=describe_when(meeting.starts_at, ctx.zone) if meeting else "not booked",
        flags=[flag.text for flag in status.flags],
        urgent=any(flag.text == texts.FLAG_SAFETY_OPEN for flag in status.flags),
    )


@staff_page("mentees")
async def caseload(view: Page) -> Response:
    found = await statuses(view.ctx, view.staff)
    found.sort(key=lambda s: (s.urgency, s.mentee.display_name.casefold()))
    return page(
        view.request,
        "caseload.html",
        staff=view.staff,
        csrf=view.csrf,
        title="Your caseload" if view.staff.role.value == "mentor" else "Every mentee",
        lines=[_line(view, status) for status in found],
    )
