"""What staff can do from a mentee's record: add a note, pick up an alert, book or move a
meeting. Each calls the function the chat command calls, under the same policy action.

After a POST the page is shown again (303) with `?done=CODE`: a code, never words, so no name
ends up in a URL or a browser's history.
"""

from __future__ import annotations

from datetime import date, datetime, time

from starlette.responses import Response

from bot.flows import crisis_ack, texts
from bot.flows.meetings import EARLIEST, LATEST, book_meeting, places_for, tidy_place
from bot.flows.staff_records import add_note
from bot.sites import MAX_PLACE
from bot.storage import people
from bot.storage.models import CrisisAlert, Meeting, MeetingStatus
from bot.web.render import not_found
from bot.web.sessions import Page, mentee_from_url, redirect, staff_page

DONE = {
    "note": "Note saved.",
    "note-empty": "Please write the note first. Nothing was saved.",
    "note-long": "That note is too long. Nothing was saved.",
    "picked": "Thank you. It is noted that you are on this crisis alert.",
    "picked-other": "Someone else picked this alert up first.",
    "booked": "Meeting booked. The mentee has been asked to confirm.",
    "when-bad": (
        f"Please choose a day and a time between {EARLIEST:%H:%M} and {LATEST:%H:%M} that is "
        "still ahead. Nothing was booked."
    ),
    "place-bad": f"Please choose a place, or type one of up to {MAX_PLACE} characters.",
}


def _back(view: Page, code: str, anchor: str) -> Response:
    mentee = view.request.path_params["mentee"]
    return redirect(f"/staff/mentees/{mentee}?done={code}#{anchor}")


@staff_page("note")
async def note(view: Page) -> Response:
    mentee = await mentee_from_url(view)
    if mentee is None:
        return not_found(view.request, view.staff, view.csrf)
    assert view.form is not None
    text = " ".join(str(view.form.get("text", "")).split())
    if not text:
        return _back(view, "note-empty", "notes")
    said = add_note(view.ctx, view.staff, mentee, text)
    saved = said == texts.NOTE_SAVED.format(name=mentee.display_name)
    return _back(view, "note" if saved else "note-long", "notes")


@staff_page("ack")
async def pick_up(view: Page) -> Response:
    mentee = await mentee_from_url(view)
    alert_id = view.ids.decode("alert", view.request.path_params["alert"])
    alert = None if alert_id is None else await view.ctx.session.get(CrisisAlert, alert_id)
    if mentee is None or alert is None or alert.person_id != mentee.id:
        return not_found(view.request, view.staff, view.csrf)
    outcome = await crisis_ack.acknowledge(view.ctx, view.staff, alert.id)
    if outcome.stale_tap:  # not among the staff this alert went to
        return not_found(view.request, view.staff, view.csrf)
    picked = alert.acknowledged_by_id == view.staff.id
    return _back(view, "picked" if picked else "picked-other", "alerts")


@staff_page("meet")
async def book(view: Page) -> Response:
    """Books a meeting, or moves one (the form names the meeting it replaces)."""
    mentee = await mentee_from_url(view)
    episode = None if mentee is None else await people.active_episode(view.ctx.session, mentee.id)
    if mentee is None or episode is None or episode.mentor_id != view.staff.id:
        return not_found(view.request, view.staff, view.csrf)  # as the chat: own mentees only
    assert view.form is not None
    form = view.form
    replaces = None
    if form.get("replaces"):
        replaces = view.ids.decode("meeting", str(form["replaces"]))
        old = None if replaces is None else await view.ctx.session.get(Meeting, replaces)
        if old is None or old.mentee_id != mentee.id or old.status is MeetingStatus.CANCELLED:
            return not_found(view.request, view.staff, view.csrf)
    starts_at = _when(view, str(form.get("day", "")), str(form.get("time", "")))
    if starts_at is None:
        return _back(view, "when-bad", "meetings")
    place = tidy_place(str(form.get("other", "")) or str(form.get("place", "")))
    listed = await places_for(view.ctx, mentee.id)
    if not place or len(place) > MAX_PLACE or (not form.get("other") and place not in listed):
        return _back(view, "place-bad", "meetings")
    name = mentee.display_name
    await book_meeting(view.ctx, view.staff, episode, name, starts_at, place, replaces)
    return _back(view, "booked", "meetings")


def _when(view: Page, day: str, at: str) -> datetime | None:
    try:
        moment = datetime.combine(date.fromisoformat(day), time.fromisoformat(at), view.ctx.zone)
    except ValueError:
        return None
    if not EARLIEST <= moment.time() <= LATEST or moment <= view.ctx.now():
        return None
    return moment
