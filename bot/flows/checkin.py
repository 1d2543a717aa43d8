"""Check-ins: the full ARC + CEST battery when due, otherwise the weekly short form.

One question per message. Each answer and the new position commit together, so a restart,
a pause or a switch of phone resumes at the same question.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

from bot.flows import closing, priorities, texts
from bot.flows.battery import FULL_TIMEPOINTS, battery
from bot.flows.context import FlowContext
from bot.flows.results import finish_assessment
from bot.flows.types import Answered, Choice, InboundMessage, Outcome, Reply
from bot.instruments import Instrument, Item, parse_answer
from bot.storage import assessments, conversations, people
from bot.storage.models import Assessment, Episode, Person, Timepoint

FLOW = "checkin"
# The 3-month check opens a week early and the exit check two weeks before the planned end, so
# a mentee who checks in a little early is not sent round the short form instead.
THREE_MONTH_EARLY = timedelta(days=7)
EXIT_EARLY = timedelta(days=14)


def due_timepoint(episode: Episode, done: set[Timepoint], today: date) -> Timepoint:
    """Which sitting a check-in today should be: baseline, 3 months, exit, else weekly."""
    if Timepoint.BASELINE not in done:
        return Timepoint.BASELINE
    exit_opens = episode.planned_end_on - EXIT_EARLY
    if today >= exit_opens:
        return Timepoint.WEEKLY if Timepoint.EXIT in done else Timepoint.EXIT
    three_months = people.add_months(episode.started_on, 3) - THREE_MONTH_EARLY
    if today >= three_months and Timepoint.THREE_MONTH not in done:
        return Timepoint.THREE_MONTH
    return Timepoint.WEEKLY


def question_queue(ctx: FlowContext, timepoint: Timepoint) -> list[tuple[Instrument, Item]]:
    return [
        (instrument, item)
        for instrument in (ctx.instruments[name] for name in battery(timepoint))
        for item in instrument.items
    ]


def question_reply(
    instrument: Instrument, item: Item, number: int, total: int, token: str
) -> Reply:
    choices = tuple(Choice(option.label, str(option.value)) for option in instrument.responses)
    text = texts.QUESTION.format(number=number, total=total, text=item.text)
    return Reply(text=text, choices=choices, token=token)


async def start(ctx: FlowContext, person: Person) -> Outcome:
    """Begins the check-in that is due, or resumes the one left unfinished."""
    episode = await people.active_episode(ctx.session, person.id)
    if episode is None:
        return Outcome([Reply(texts.NO_EPISODE)])
    lead: list[Reply] = []
    assessment = await assessments.open_assessment(ctx.session, person.id)
    if assessment is not None:
        position = await assessments.answer_count(ctx.session, assessment.id)
        if position:
            lead.append(Reply(texts.RESUME))
    else:
        done = await assessments.completed_timepoints(ctx.session, episode.id)
        assessment = await assessments.begin_assessment(
            ctx.session,
            person_id=person.id,
            episode_id=episode.id,
            timepoint=due_timepoint(episode, done, ctx.today()),
            now=ctx.now(),
        )
        position = 0
    return await _ask(ctx, person, assessment, position, lead)


async def _ask(
    ctx: FlowContext, person: Person, assessment: Assessment, position: int, lead: list[Reply]
) -> Outcome:
    queue = question_queue(ctx, assessment.timepoint)
    instrument, item = queue[position]
    token = secrets.token_hex(3)
    data: dict[str, Any] = {"assessment": assessment.id, "pos": position, "token": token}
    await conversations.save_state(
        ctx.session, person_id=person.id, flow=FLOW, step="question", data=data, now=ctx.now()
    )
    replies = list(lead)
    if position == 0 or queue[position - 1][0] is not instrument:
        replies.append(Reply(instrument.intro))
    replies.append(question_reply(instrument, item, position + 1, len(queue), token))
    return Outcome(replies)


def _value_from(message: InboundMessage, instrument: Instrument) -> int | None:
    if message.choice is not None:
        allowed = {str(option.value): option.value for option in instrument.responses}
        return allowed.get(message.choice)
    if message.text is None:
        return None
    return parse_answer(instrument, message.text)


async def step(
    ctx: FlowContext, person: Person, data: dict[str, Any], message: InboundMessage
) -> Outcome:
    """Stores one answer and asks the next question, or re-asks kindly when not understood."""
    if message.choice is not None and message.token != data["token"]:
        return Outcome(stale_tap=True)
    assessment = await ctx.session.get(Assessment, data["assessment"])
    if assessment is None:  # deleted underneath us: start afresh rather than fail
        await conversations.clear_state(ctx.session, person.id)
        return await start(ctx, person)
    queue = question_queue(ctx, assessment.timepoint)
    position = int(data["pos"])
    instrument, item = queue[position]
    value = _value_from(message, instrument)
    if value is None:
        reask = texts.REASK.format(last=len(instrument.responses))
        question = question_reply(instrument, item, position + 1, len(queue), data["token"])
        return Outcome([Reply(reask), question])
    assessments.record_answer(
        ctx.session,
        assessment_id=assessment.id,
        instrument=instrument.id,
        item_id=item.id,
        value=value,
        now=ctx.now(),
    )
    label = next(option.label for option in instrument.responses if option.value == value)
    answered = Answered(label) if message.choice is not None else None
    if position + 1 < len(queue):
        outcome = await _ask(ctx, person, assessment, position + 1, [])
    else:
        await conversations.clear_state(ctx.session, person.id)
        outcome = Outcome(await finish_assessment(ctx, person, assessment))
        if assessment.timepoint is Timepoint.EXIT:  # mentoring may end here
            outcome.replies = await closing.after_exit(ctx, person, outcome.replies)
        still_mentoring = await people.active_episode(ctx.session, person.id) is not None
        if assessment.timepoint in FULL_TIMEPOINTS and still_mentoring:
            # Results, then what matters most now, then (first time only) the check-in day.
            first = assessment.timepoint is Timepoint.BASELINE and person.checkin_weekday is None
            asked = await priorities.start(ctx, person, assessment, then_preferences=first)
            outcome.replies += asked.replies
    outcome.answered = answered
    return outcome
