"""A cry for help, in any flow and on any channel: crisis lines at once, and people told.

The check runs before anything else, so "I want to end it all" typed halfway through a
questionnaire is answered with the crisis lines, never with "please answer 1-5". The mentor
and the supervisors are alerted whatever the hour; until somebody picks it up (its "I'm on
it" button, /ack NAME or /attention: flows.crisis_ack), it is sent again every 30 minutes
(scheduling.realerts).
The message itself is not stored: the alert names the kind of risk, and staff call the person.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from bot.flows import texts
from bot.flows.context import FlowContext
from bot.flows.types import Outcome
from bot.messages import InboundMessage, Reply
from bot.safety import CrisisMatch
from bot.storage import conversations, people
from bot.storage.models import CrisisAlert, Person, PersonStatus, Role
from bot.storage.outbox import Queued

ACK = "ack"
ESCALATE_AFTER = timedelta(minutes=30)
# A second message soon after the first is answered the same way but raises no new alert.
REPEAT_WINDOW = timedelta(hours=1)
# At most 9 digits: a longer (forged) id would overflow the database's integer.
_TOKEN = re.compile(r"^ca-(\d{1,9})$")


def alert_token(alert_id: int) -> str:
    return f"ca-{alert_id}"


def parse_ack(message: InboundMessage) -> int | None:
    """The alert id of an "I'm on it" tap; None for anything else."""
    if message.choice != ACK or message.token is None:
        return None
    match = _TOKEN.match(message.token)
    return int(match[1]) if match else None


def describe(categories: str) -> str:
    return ", ".join(texts.CRISIS_CATEGORY_NAMES.get(c, c) for c in categories.split(","))


async def respond(ctx: FlowContext, person: Person, match: CrisisMatch) -> Outcome:
    """Answers with the crisis lines (999 first when life is at risk) and alerts staff."""
    replies = [Reply(texts.CRISIS_REPLY_LIFE)] if match.life_at_risk else []
    replies += [Reply(texts.CRISIS_REPLY), Reply(texts.CRISIS_LINES)]
    if person.status is not PersonStatus.ACTIVE:
        return Outcome(replies)  # not yet agreed to take part: nothing is kept
    if await _alert(ctx, person, match):
        replies.append(Reply(texts.CRISIS_MENTOR_TOLD))
    state = await conversations.load_state(ctx.session, person.id)
    if state is not None:
        # The flow is kept for later: answers stay saved and /checkin resumes where they were.
        await conversations.clear_state(ctx.session, person.id)
        if state.flow != conversations.ASIDE_FLOW:  # an offer alone was no flow to keep
            replies.append(Reply(texts.CRISIS_FLOW_KEPT))
    return Outcome(replies)


async def _alert(ctx: FlowContext, person: Person, match: CrisisMatch) -> bool:
    """Records the alert and queues it to the mentor and supervisors; False if none to tell."""
    categories = ",".join(sorted(category.value for category in match.categories))
    recent = await ctx.session.execute(
        select(CrisisAlert.id).where(
            CrisisAlert.person_id == person.id,
            CrisisAlert.acknowledged_at.is_(None),
            CrisisAlert.created_at >= ctx.now() - REPEAT_WINDOW,
        )
    )
    if recent.first() is not None:
        return True  # staff were alerted minutes ago and have not picked it up yet
    recipients = await staff_to_alert(ctx, person)
    if not recipients:
        return False
    alert = CrisisAlert(
        person_id=person.id,
        categories=categories,
        life_at_risk=match.life_at_risk,
        created_at=ctx.now(),
    )
    ctx.session.add(alert)
    await ctx.session.flush()
    text = texts.CRISIS_ALERT.format(name=person.display_name, what=describe(categories))
    for recipient in recipients:
        await ctx.queue(alert_message(alert.id, recipient, text, ctx, suffix="alert"))
    return True


def alert_message(
    alert_id: int, recipient_id: int, text: str, ctx: FlowContext, *, suffix: str
) -> Queued:
    return Queued(
        person_id=recipient_id,
        key=f"crisis:{alert_id}:{suffix}:{recipient_id}",
        kind="crisis_alert",
        text=text,
        not_before=ctx.now(),
        choices=((texts.CRISIS_ACK, ACK),),
        token=alert_token(alert_id),
        respect_quiet_hours=False,  # a crisis does not wait for the morning
    )


async def staff_to_alert(ctx: FlowContext, person: Person) -> list[int]:
    """The mentee's mentor, then every supervisor."""
    episode = await people.active_episode(ctx.session, person.id)
    mentor = [episode.mentor_id] if episode is not None and episode.mentor_id else []
    supervisors = await people.ids_with_role(ctx.session, Role.SUPERVISOR)
    return mentor + [s for s in supervisors if s not in mentor]
