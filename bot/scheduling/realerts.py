"""Crisis alerts nobody has picked up are sent again, every 30 minutes, until someone does.

The first re-alert, 30 minutes after the alert, goes to the mentor and the supervisors; each
later one, every 30 minutes, to the supervisors (the mentor again when there is none). Quiet
hours do not hold them back. Each round has its own idempotency key per recipient, so the
scheduler and serve's watchman (bot/scheduling/watchman.py) may both run this and still queue
each round once; a round missed while nothing ran is not sent late: only the current one goes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows import texts
from bot.flows.crisis import ACK, ESCALATE_AFTER, alert_token, describe
from bot.storage import outbox, people
from bot.storage.models import CrisisAlert, OutboxMessage, OutboxStatus, Person, Role
from bot.storage.outbox import Queued

KIND = "crisis_alert"


def round_key(alert_id: int, round_number: int, recipient: int) -> str:
    # The first round keeps the key the single escalation used before, so an alert escalated
    # before an upgrade is not sent its first re-alert again.
    suffix = "escalated" if round_number == 1 else f"realert{round_number}"
    return f"crisis:{alert_id}:{suffix}:{recipient}"


def current_round(alert: CrisisAlert, now: datetime) -> int:
    """0 before 30 minutes, 1 from 30, 2 from 60 ..."""
    return int((now - alert.created_at) / ESCALATE_AFTER)


async def queue_due(session: AsyncSession, now: datetime) -> int:
    """Queues the re-alerts that are due; returns how many alerts were sent again."""
    overdue = await session.execute(
        select(CrisisAlert, Person.display_name)
        .join(Person, Person.id == CrisisAlert.person_id)
        .where(
            CrisisAlert.acknowledged_at.is_(None),
            CrisisAlert.created_at <= now - ESCALATE_AFTER,
        )
        .with_for_update(skip_locked=True, of=CrisisAlert)
    )
    supervisors = await people.ids_with_role(session, Role.SUPERVISOR)
    realerted = 0
    for alert, name in overdue.tuples():
        number = current_round(alert, now)
        round_start = alert.created_at + number * ESCALATE_AFTER
        if alert.escalated_at is not None and alert.escalated_at >= round_start:
            continue  # this round was queued already
        episode = await people.active_episode(session, alert.person_id)
        mentor = [episode.mentor_id] if episode and episode.mentor_id else []
        if number == 1:
            recipients = mentor + [s for s in supervisors if s not in mentor]
        else:
            recipients = supervisors or mentor
        minutes = number * int(ESCALATE_AFTER.total_seconds() // 60)
        text = texts.CRISIS_ALERT_ESCALATED.format(
            name=name, what=describe(alert.categories), minutes=minutes
        )
        for recipient in recipients:
            message = Queued(
                person_id=recipient,
                key=round_key(alert.id, number, recipient),
                kind=KIND,
                text=text,
                not_before=now,
                choices=((texts.CRISIS_ACK, ACK),),
                token=alert_token(alert.id),
                respect_quiet_hours=False,
            )
            await outbox.enqueue(session, message, now=now)
        alert.escalated_at = now  # the latest re-alert, whichever round
        realerted += 1
    return realerted


async def pending_alert_ids(session: AsyncSession, now: datetime) -> list[int]:
    """Crisis messages queued and due but not yet sent (serve sends them when the scheduler
    is silent)."""
    rows = await session.execute(
        select(OutboxMessage.id).where(
            OutboxMessage.kind == KIND,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.not_before <= now,
        )
    )
    return list(rows.scalars())
