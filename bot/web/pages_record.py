"""A mentee's record (/staff/mentees/{id}): everything the chat's `/mentee` shows, on one page.

Profile and flags, open crisis alerts with a pick-up button, the picture of the baseline beside
the latest full check, every check-in's scores with the weekly trend, the plan and the
mentor's rating, meetings (book or move), notes (add one) and services sent. Opening the page
is audit-logged as `/mentee` is. Someone else's mentee, and an id that was never given, get
the same 404 page.
"""

from __future__ import annotations

from starlette.responses import Response

from bot.flows import crisis_ack
from bot.flows.caseload import statuses
from bot.flows.crisis import describe
from bot.flows.dates import day_label
from bot.flows.meetings import LATEST, places_for
from bot.flows.mentee_record import scores_and_picture
from bot.flows.plan import gather
from bot.flows.ssm_view import summary_lines
from bot.reports.pictures import draw
from bot.storage import audit, people
from bot.web import record_data
from bot.web.record_actions import DONE
from bot.web.render import not_found, page
from bot.web.sessions import Page, mentee_from_url, staff_page


@staff_page("mentee")
async def record(view: Page) -> Response:
    mentee = await mentee_from_url(view)
    if mentee is None:
        return not_found(view.request, view.staff, view.csrf)
    ctx = view.ctx
    audit.record(
        ctx.session, actor_id=view.staff.id, action="mentee", subject_id=mentee.id, now=ctx.now()
    )
    status = next((s for s in await statuses(ctx, view.staff) if s.mentee.id == mentee.id), None)
    episode = await people.active_episode(ctx.session, mentee.id)
    score_lines, picture = await scores_and_picture(ctx, mentee)
    alerts = [
        (
            view.ids.encode("alert", alert.id),
            describe(alert.categories),
            crisis_ack.age(ctx.now() - alert.created_at),
        )
        for alert in await crisis_ack.open_alerts(ctx.session, [mentee.id])
    ]
    mentee_key = view.ids.encode("mentee", mentee.id)
    meetings = await record_data.meeting_lines(ctx, mentee, view.staff)
    return page(
        view.request,
        "record.html",
        staff=view.staff,
        csrf=view.csrf,
        title=mentee.display_name,
        base=f"/staff/mentees/{mentee_key}",
        episode=episode,
        started=day_label(episode.started_on) if episode else "",
        ends=day_label(episode.planned_end_on) if episode else "",
        week=(ctx.today() - episode.started_on).days // 7 + 1 if episode else 0,
        flags=[flag.text for flag in status.flags] if status else [],
        alerts=alerts,
        has_picture=bool(picture),
        score_lines=score_lines,
        sittings=await record_data.sittings(ctx, mentee),
        trend=await record_data.weekly_trend(ctx, mentee),
        plan=await gather(ctx, mentee, staff=True),
        rating=await summary_lines(ctx, mentee),
        meetings=[(view.ids.encode("meeting", m.id), m) for m in meetings],
        may_book=episode is not None and episode.mentor_id == view.staff.id,
        places=await places_for(ctx, mentee.id),
        today=ctx.today().isoformat(),
        latest=LATEST.strftime("%H:%M"),
        notes=await record_data.notes(ctx, mentee),
        services=await record_data.services(ctx, mentee),
        done=DONE.get(view.request.query_params.get("done", ""), ""),
    )


@staff_page("mentee")
async def picture(view: Page) -> Response:
    """The baseline beside the latest full check, drawn as the chat draws it."""
    mentee = await mentee_from_url(view)
    if mentee is None:
        return not_found(view.request, view.staff, view.csrf)
    _, panels = await scores_and_picture(view.ctx, mentee)
    if not panels:
        return not_found(view.request, view.staff, view.csrf)
    return Response(await draw(panels), media_type="image/png")
