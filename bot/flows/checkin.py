"""Check-ins: the full ARC + CEST battery when due, otherwise the weekly short form.

One question per message, asked and read by the question engine (bot/questions/asking.py), so
skip, back and typed words work here as at every other question. Each answer and the new
position commit together, so a restart, a pause or a switch of phone resumes at the same
question. A full check-in offers a break between its parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Self

from bot.flows import asked, closing, priorities, texts
from bot.flows.battery import FULL_TIMEPOINTS
from bot.flows.context import FlowContext
from bot.flows.results import finish_assessment
from bot.flows.sitting import CARRY_ON, Sitting, break_question, sitting
from bot.flows.types import Answered, Outcome
from bot.messages import InboundMessage, Reply
from bot.questions import asking
from bot.questions.asking import Kind
from bot.questions.state import FlowState, new_token
from bot.storage import assessments, conversations, people
from bot.storage.conversations import Along
from bot.storage.models import Assessment, Episode, Person, Timepoint

FLOW = "checkin"
# The 3-month check opens a week early and the exit check two weeks before the planned end, so
# a mentee who checks in a little early is not sent round the short form instead.
THREE_MONTH_EARLY = timedelta(days=7)
EXIT_EARLY = timedelta(days=14)
QUESTION, BREAK = "question", "break"


@dataclass(frozen=True)
class CheckinState(FlowState):
    """Where a sitting stands, kept as the conversation's data between messages."""

    assessment: int
    position: int  # the question being asked, or the first of the next part at a break
    token: str
    at: str = QUESTION

    @classmethod
    def load(cls, data: dict[str, Any]) -> Self:
        if "pos" in data:  # the name states saved before the break existed still carry
            data = {**data, "position": data["pos"]}
        return super().load(data)


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


async def start(ctx: FlowContext, person: Person) -> Outcome:
    """Begins the check-in that is due, or resumes the one left unfinished."""
    episode = await people.active_episode(ctx.session, person.id)
    if episode is None:
        return Outcome([Reply(texts.NO_EPISODE)])
    lead: list[Reply] = []
    assessment = await assessments.open_assessment(ctx.session, person.id)
    if assessment is not None:
        shape = sitting(ctx.instruments, assessment.timepoint)
        answered = await assessments.answered_items(ctx.session, assessment.id)
        position = next(
            (
                index
                for index, slot in enumerate(shape.slots)
                if (slot.instrument.id, slot.item.id) not in answered
            ),
            len(shape.slots) - 1,  # all answered but not finished: ask the last one again
        )
        if answered:
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
        shape = sitting(ctx.instruments, assessment.timepoint)
        position = 0
    if shape.slots[position].first_of_part:
        lead.append(Reply(shape.intro(position)))
    return await _ask(ctx, person, assessment, shape, position, lead)


async def _save(
    ctx: FlowContext, person: Person, state: CheckinState, along: Along | None
) -> None:
    """`along` is the change to the answers that led here, written with the new position."""
    await conversations.save_state(
        ctx.session,
        person_id=person.id,
        flow=FLOW,
        step=state.at,
        data=state.dump(),
        now=ctx.now(),
        along=along,
    )


async def _ask(
    ctx: FlowContext,
    person: Person,
    assessment: Assessment,
    shape: Sitting,
    position: int,
    lead: list[Reply],
    along: Along | None = None,
) -> Outcome:
    state = CheckinState(assessment.id, position, new_token())
    await _save(ctx, person, state, along)
    return Outcome([*lead, asking.ask(shape.question(position), state.token)])


async def _offer_break(
    ctx: FlowContext,
    person: Person,
    assessment: Assessment,
    shape: Sitting,
    position: int,
    along: Along,
) -> Outcome:
    state = CheckinState(assessment.id, position, new_token(), at=BREAK)
    await _save(ctx, person, state, along)
    return Outcome([asking.ask(break_question(shape.part_break(position)), state.token)])


async def step(
    ctx: FlowContext, person: Person, data: dict[str, Any], message: InboundMessage
) -> Outcome:
    """Stores one answer (or a skip) and asks the next question; back re-asks the last one."""
    state = CheckinState.load(data)
    assessment = await ctx.session.get(Assessment, state.assessment)
    if assessment is None:  # deleted underneath us: start afresh rather than fail
        await conversations.clear_state(ctx.session, person.id)
        return await start(ctx, person)
    shape = sitting(ctx.instruments, assessment.timepoint)
    if state.at == BREAK:
        return await _at_break(ctx, person, assessment, shape, state, message)
    question = shape.question(state.position)
    got = await asked.answer(ctx, person, question, message, state.token)
    if isinstance(got, Outcome):
        return got
    if got.kind is Kind.BACK:
        earlier = shape.slots[state.position - 1]
        forget = assessments.answer_delete(
            assessment_id=assessment.id, instrument=earlier.instrument.id, item_id=earlier.item.id
        )
        outcome = await _ask(ctx, person, assessment, shape, state.position - 1, [], forget)
    else:
        slot = shape.slots[state.position]
        keep = assessments.answer_insert(
            assessment_id=assessment.id,
            instrument=slot.instrument.id,
            item_id=slot.item.id,
            value=None if got.kind is Kind.SKIP else int(got.value or 0),
            now=ctx.now(),
        )
        outcome = await _next(ctx, person, assessment, shape, state.position + 1, keep)
    if message.choice is not None:
        outcome.answered = Answered(got.label(question))
    return outcome


async def _next(
    ctx: FlowContext,
    person: Person,
    assessment: Assessment,
    shape: Sitting,
    position: int,
    answer: Along,
) -> Outcome:
    """After an answer: the next question, a break between parts, or the end, with the answer
    written in the same statement as the new position where there is one (issue 19)."""
    if position < len(shape.slots):
        if shape.slots[position].first_of_part:
            return await _offer_break(ctx, person, assessment, shape, position, answer)
        return await _ask(ctx, person, assessment, shape, position, [], answer)
    await ctx.session.execute(answer.statement, answer.values)
    return await _finish(ctx, person, assessment)


async def _at_break(
    ctx: FlowContext,
    person: Person,
    assessment: Assessment,
    shape: Sitting,
    state: CheckinState,
    message: InboundMessage,
) -> Outcome:
    question = break_question(shape.part_break(state.position))
    got = await asked.answer(ctx, person, question, message, state.token)
    if isinstance(got, Outcome):
        return got
    if got.value == CARRY_ON:
        outcome = await _ask(ctx, person, assessment, shape, state.position, [])
    else:
        await conversations.clear_state(ctx.session, person.id)
        outcome = Outcome([Reply(texts.BREAK_TAKEN)])
    if message.choice is not None:
        outcome.answered = Answered(got.label(question))
    return outcome


async def _finish(ctx: FlowContext, person: Person, assessment: Assessment) -> Outcome:
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
    return outcome
