"""The mentee's answer to "Did you get in touch with X?", and what staff see (/signposts NAME).

The question is sent by the scheduler a week after the service (`bot.flows.followups`).
Its buttons carry their own token (`sp-42`), so a tap days later, even mid-check-in, is
answered without touching the flow the mentee is in. Who may answer is checked on every tap.
"Not yet" sends the details again: the mentee may have lost the first message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.flows import signposting, staff_views, texts
from bot.flows.context import FlowContext
from bot.flows.dates import day_label
from bot.flows.followups import FOLLOWUP_CHOICES, followup_due
from bot.flows.types import Answered, Outcome
from bot.messages import InboundMessage, Reply
from bot.reminder_policy import ReminderPolicy, load_policy
from bot.signposting import stored
from bot.storage import signposts
from bot.storage.models import FollowupAnswer, Person
from bot.storage.signposts import SentService

_TOKEN = re.compile(r"^sp-(\d{1,9})$")
_LABELS = {value: label for label, value in FOLLOWUP_CHOICES}
_THANKS = {
    FollowupAnswer.YES_HELPED: texts.FOLLOWUP_THANKS_HELPED,
    FollowupAnswer.YES_NOT_HELPFUL: texts.FOLLOWUP_THANKS_NOT_HELPFUL,
    FollowupAnswer.NOT_YET: texts.FOLLOWUP_THANKS_NOT_YET,
    FollowupAnswer.DONT_NEED: texts.FOLLOWUP_THANKS_DONT_NEED,
}


@dataclass(frozen=True)
class FollowupTap:
    """A tap on a follow-up button: which signpost, which answer."""

    signpost_id: int
    choice: str


def parse_action(message: InboundMessage) -> FollowupTap | None:
    """The follow-up tap this message is (token `sp-42`); None for anything else."""
    if message.choice is None or message.token is None:
        return None
    match = _TOKEN.match(message.token)
    return None if match is None else FollowupTap(int(match[1]), message.choice)


async def handle(ctx: FlowContext, person: Person, tap: FollowupTap) -> Outcome:
    """Records the mentee's answer; a later tap replaces an earlier one."""
    signpost = await signposts.get_signpost(ctx.session, tap.signpost_id)
    if signpost is None or signpost.mentee_id != person.id or tap.choice not in _LABELS:
        return Outcome(stale_tap=True)
    answer = FollowupAnswer(tap.choice)
    signposts.record_answer(signpost, answer, now=ctx.now())
    replies = [Reply(_THANKS[answer])]
    if answer is FollowupAnswer.NOT_YET:
        resource = await stored.get_resource(ctx.session, signpost.resource_id)
        if resource is not None and resource.retired_at is None:
            replies.append(Reply(signposting.entry_text(stored.to_entry(resource))))
    return Outcome(replies, answered=Answered(_LABELS[tap.choice]))


async def list_sent(ctx: FlowContext, staff: Person, name: str) -> Outcome:
    """/signposts NAME: every service sent to a mentee, newest first, with their answer."""
    wanted = " ".join(name.split())
    if not wanted:
        return Outcome([Reply(texts.SIGNPOSTS_NEEDS_NAME)])
    mentees = await staff_views.visible_mentees(ctx, staff)
    mentee = next((m for m in mentees if m.display_name.casefold() == wanted.casefold()), None)
    if mentee is None:
        return Outcome([Reply(texts.NO_SUCH_MENTEE.format(name=wanted))])
    sent = await signposts.sent_to(ctx.session, mentee.id)
    if not sent:
        return Outcome([Reply(texts.SIGNPOSTS_NONE.format(name=mentee.display_name))])
    lines = [texts.SIGNPOSTS_HEADER.format(name=mentee.display_name)]
    policy = load_policy()
    lines += [_line(ctx, item, policy) for item in sent]
    return Outcome([Reply("\n".join(lines))])


def _line(ctx: FlowContext, item: SentService, policy: ReminderPolicy) -> str:
    signpost = item.signpost
    if signpost.followup_answer is not None:
        answer = texts.SIGNPOST_ANSWER_NAMES[signpost.followup_answer.value]
    else:
        due = followup_due(signpost.sent_at, policy, ctx.zone)
        answer = texts.SIGNPOSTS_NO_ANSWER
        if due > ctx.now():
            answer = texts.SIGNPOSTS_WILL_ASK.format(
                day=day_label(due.astimezone(ctx.zone).date())
            )
    return texts.SIGNPOSTS_LINE.format(
        day=day_label(signpost.sent_at.astimezone(ctx.zone).date()),
        service=item.service,
        sender=item.sender or texts.SIGNPOSTS_SENDER_GONE,
        answer=answer,
    )
