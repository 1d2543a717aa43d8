"""Picking up a crisis alert: the alert's own button, `/ack NAME` and /attention's buttons.

The button scrolls away under later messages, so a command and the caseload view pick alerts
up too, and all three end in `pick_up`. Everyone else the alert or a re-alert went to is told
who picked it up, so two people do not phone the mentee unsure of each other, and re-alerts
still queued are withdrawn. Staff may pick up only alerts they were sent: a mentor names only
their own mentees, and another mentor's mentee is answered as an unknown name.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows import texts
from bot.flows.context import FlowContext
from bot.flows.crisis import ACK, alert_token, describe, staff_to_alert
from bot.flows.staff_views import visible_mentee
from bot.flows.types import Outcome
from bot.messages import Choice, Reply
from bot.storage import outbox
from bot.storage.models import CrisisAlert, OutboxMessage, Person, Role
from bot.storage.outbox import Queued

ALERT_KIND = "crisis_alert"
PICKED_UP_KIND = "crisis_picked_up"


async def acknowledge(ctx: FlowContext, person: Person, alert_id: int) -> Outcome:
    """An "I'm on it" tap: only staff it was sent to (mentor, supervisors) may pick it up.

    Anyone else's tap (forged, or from a mentor of another caseload) would stop the re-alerts
    to supervisors, so it is treated like a button that is no longer there.
    """
    alert = await ctx.session.get(CrisisAlert, alert_id)
    if alert is None or person.role is Role.MENTEE:
        return Outcome(stale_tap=True)
    mentee = await ctx.session.get(Person, alert.person_id)
    if mentee is None or person.id not in await staff_to_alert(ctx, mentee):
        return Outcome(stale_tap=True)
    if alert.acknowledged_by_id is not None and alert.acknowledged_by_id != person.id:
        other = await ctx.session.get(Person, alert.acknowledged_by_id)
        name = other.display_name if other is not None else "Someone"
        return Outcome([Reply(texts.CRISIS_ALREADY_ACKED.format(name=name))])
    if alert.acknowledged_at is None:
        await pick_up(ctx, person, alert, mentee)
    return Outcome([Reply(texts.CRISIS_ACKED)])


async def ack_command(ctx: FlowContext, staff: Person, argument: str) -> Outcome:
    """`/ack NAME`: picks up every open alert about this mentee."""
    name = " ".join(argument.split())
    if not name:
        return Outcome([Reply(texts.ACK_NEEDS_NAME)])
    mentee = await visible_mentee(ctx, staff, name)
    if mentee is None:
        return Outcome([Reply(texts.NO_SUCH_MENTEE.format(name=name))])
    alerts = await open_alerts(ctx.session, [mentee.id])
    if not alerts:
        return Outcome([Reply(texts.ACK_NONE_OPEN.format(name=mentee.display_name))])
    for alert in alerts:
        await pick_up(ctx, staff, alert, mentee)
    return Outcome([Reply(texts.ACK_DONE.format(name=mentee.display_name))])


async def pick_up(ctx: FlowContext, staff: Person, alert: CrisisAlert, mentee: Person) -> None:
    """Records who picked it up and tells everyone else who was alerted."""
    alert.acknowledged_at = ctx.now()
    alert.acknowledged_by_id = staff.id
    prefix = f"crisis:{alert.id}:"
    await outbox.skip_pending(
        ctx.session,
        key_prefix=prefix,
        reason="picked up before it was sent",
        now=ctx.now(),
        kind=ALERT_KIND,
    )
    alerted = await ctx.session.execute(
        select(OutboxMessage.person_id)
        .where(
            OutboxMessage.idempotency_key.startswith(prefix, autoescape=True),
            OutboxMessage.kind == ALERT_KIND,
        )
        .distinct()
    )
    text = texts.CRISIS_PICKED_UP.format(staff=staff.display_name, name=mentee.display_name)
    for recipient in sorted(set(alerted.scalars()) - {staff.id}):
        await ctx.queue(
            Queued(
                person_id=recipient,
                key=f"{prefix}picked:{recipient}",
                kind=PICKED_UP_KIND,
                text=text,
                not_before=ctx.now(),
                respect_quiet_hours=False,  # they were woken by the alert: now they may rest
            )
        )


async def open_alerts(session: AsyncSession, mentee_ids: list[int]) -> list[CrisisAlert]:
    """Alerts nobody has picked up, oldest first."""
    if not mentee_ids:
        return []
    rows = await session.execute(
        select(CrisisAlert)
        .where(CrisisAlert.person_id.in_(mentee_ids), CrisisAlert.acknowledged_at.is_(None))
        .order_by(CrisisAlert.created_at, CrisisAlert.id)
    )
    return list(rows.scalars())


async def open_alert_replies(ctx: FlowContext, mentees: list[Person]) -> list[Reply]:
    """For /attention: each open alert with its age and a button to pick it up."""
    names = {mentee.id: mentee.display_name for mentee in mentees}
    return [
        Reply(
            texts.ATTENTION_OPEN_ALERT.format(
                name=names[alert.person_id],
                what=describe(alert.categories),
                age=age(ctx.now() - alert.created_at),
            ),
            choices=(Choice(texts.CRISIS_ACK, ACK),),
            token=alert_token(alert.id),
        )
        for alert in await open_alerts(ctx.session, list(names))
    ]


def age(elapsed: timedelta) -> str:
    minutes = max(0, int(elapsed.total_seconds() // 60))
    if minutes < 120:
        return texts.AGE_MINUTES.format(count=minutes)
    if minutes < 48 * 60:
        return texts.AGE_HOURS.format(count=minutes // 60)
    return texts.AGE_DAYS.format(count=minutes // (24 * 60))
