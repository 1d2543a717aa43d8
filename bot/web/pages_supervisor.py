"""Supervisors' pages: every caseload with assign and reassign, the supervision log, the audit
log. Each calls what `/caseloads`, `/assign`, `/supervision` and `/audit` call.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from starlette.responses import Response

from bot import authorisation
from bot.flows.caseload import caseload as every_mentee
from bot.flows.staff_records import assign_mentor, mentor_summaries, record_supervision
from bot.storage import audit, people
from bot.storage.models import AuditEvent, Person, Role, Supervision
from bot.web.render import not_found, page
from bot.web.sessions import Page, mentee_from_url, redirect, staff_page

DONE = {
    "assigned": "Done. Both mentors and the mentee are told.",
    "same": "That mentor has this mentee already. Nothing changed.",
    "supervised": "Supervision saved.",
    "bad-day": "Please give the day the supervision was held (not a day ahead).",
}
AUDIT_SHOWN = 200


async def _mentors(view: Page) -> list[Person]:
    return [p for p in await people.staff(view.ctx.session) if p.role is not Role.MENTEE]


async def _chosen_mentor(view: Page, field: str) -> Person | None:
    assert view.form is not None
    mentor_id = view.ids.decode("mentor", str(view.form.get(field, "")))
    return next((m for m in await _mentors(view) if m.id == mentor_id), None)


@staff_page("caseloads")
async def caseloads(view: Page) -> Response:
    ctx = view.ctx
    mentors = await _mentors(view)
    names = {m.id: m.display_name for m in mentors}
    mentees = [
        (
            view.ids.encode("mentee", mentee.id),
            mentee.display_name,
            names.get(episode.mentor_id or 0),
        )
        for mentee, episode in await every_mentee(ctx, view.staff)
    ]
    return page(
        view.request,
        "caseloads.html",
        staff=view.staff,
        csrf=view.csrf,
        title="Every caseload",
        summaries=await mentor_summaries(ctx),
        mentees=mentees,
        mentors=[(view.ids.encode("mentor", m.id), m.display_name) for m in mentors],
        done=DONE.get(view.request.query_params.get("done", ""), ""),
    )


@staff_page("assign")
async def assign(view: Page) -> Response:
    mentee = await mentee_from_url(view)
    episode = None if mentee is None else await people.active_episode(view.ctx.session, mentee.id)
    mentor = await _chosen_mentor(view, "mentor")
    if mentee is None or episode is None or mentor is None:
        return not_found(view.request, view.staff, view.csrf)
    same = episode.mentor_id == mentor.id
    await assign_mentor(view.ctx, view.staff, mentee, episode, mentor)
    return redirect(f"/staff/caseloads?done={'same' if same else 'assigned'}")


@staff_page("supervision")
async def supervision_log(view: Page) -> Response:
    ctx = view.ctx
    names = {m.id: m.display_name for m in await people.staff(ctx.session)}
    rows = await ctx.session.execute(
        select(Supervision).order_by(Supervision.held_on.desc(), Supervision.id.desc())
    )
    log = [
        (s.held_on.isoformat(), names.get(s.mentor_id, "?"), names.get(s.supervisor_id or 0, "?"))
        for s in rows.scalars()
    ]
    mentors = [m for m in await _mentors(view) if m.role is Role.MENTOR]
    return page(
        view.request,
        "supervision.html",
        staff=view.staff,
        csrf=view.csrf,
        title="Supervision log",
        log=log,
        mentors=[(view.ids.encode("mentor", m.id), m.display_name) for m in mentors],
        today=ctx.today().isoformat(),
        done=DONE.get(view.request.query_params.get("done", ""), ""),
    )


@staff_page("supervision")
async def add_supervision(view: Page) -> Response:
    mentor = await _chosen_mentor(view, "mentor")
    if mentor is None:
        return not_found(view.request, view.staff, view.csrf)
    assert view.form is not None
    try:
        held_on = date.fromisoformat(str(view.form.get("day", "")))
    except ValueError:
        return redirect("/staff/supervision?done=bad-day")
    if held_on > view.ctx.today():
        return redirect("/staff/supervision?done=bad-day")
    record_supervision(view.ctx, view.staff, mentor, held_on)
    return redirect("/staff/supervision?done=supervised")


@staff_page("audit")
async def audit_log(view: Page) -> Response:
    """Who looked at which record, and when; for one mentee with ?mentee=ID (logged as /audit
    NAME is)."""
    ctx = view.ctx
    names = {p.id: p.display_name for p in await people.staff(ctx.session)}
    visible = {p.id: p for p in await authorisation.visible_mentees(ctx.session, view.staff)}
    wanted = view.request.query_params.get("mentee")
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if wanted is not None:
        mentee_id = view.ids.decode("mentee", wanted)
        if mentee_id not in visible:
            return not_found(view.request, view.staff, view.csrf)
        query = query.where(AuditEvent.subject_id == mentee_id)
    audit.record(
        ctx.session,
        actor_id=view.staff.id,
        action="audit",
        now=ctx.now(),
        subject_id=view.ids.decode("mentee", wanted) if wanted else None,
    )
    events = []
    for event in (await ctx.session.execute(query.limit(AUDIT_SHOWN))).scalars():
        about = visible.get(event.subject_id or 0)
        events.append(
            (
                f"{event.at.astimezone(ctx.zone):%d %b %Y %H:%M}",
                names.get(event.actor_id or 0, "former staff"),
                event.action,
                (view.ids.encode("mentee", about.id), about.display_name) if about else None,
            )
        )
    return page(
        view.request,
        "audit.html",
        staff=view.staff,
        csrf=view.csrf,
        title="Audit log",
        events=events,
        filtered=wanted is not None,
    )
