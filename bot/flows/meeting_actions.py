"""Taps on meeting buttons sent on the bot's own initiative, and the meeting listings.

An invitation or reminder can be tapped days later, in the middle of a check-in, so these
buttons carry their own token (`mt-42`, `mo-42`, `mm-42`: kind and meeting id, no ":" because
Telegram packs `token:value`) and are handled before the person's current flow, which is left
exactly where it was. Who may tap is checked on every tap, not assumed from who was sent it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from bot.flows import meetings as booking
from bot.flows import texts
from bot.flows.context import FlowContext
from bot.flows.types import Answered, Outcome
from bot.messages import Choice, InboundMessage, Reply
from bot.questions.vocabulary import read_choice
from bot.storage import meetings, people
from bot.storage.models import Meeting, MeetingOutcome, MeetingStatus, Person
from bot.storage.outbox import Queued

MENTEE_ANSWER, MENTOR_OUTCOME, MENTOR_MANAGE = "mt", "mo", "mm"
LISTING_DAYS = 14
_ACTION_TOKEN = re.compile(r"^(mt|mo|mm)-(\d{1,9})$")
_ANSWERS = {
    "confirm": MeetingStatus.CONFIRMED,
    "decline": MeetingStatus.DECLINED,
    "move": MeetingStatus.MOVE_REQUESTED,
}
_ANSWER_LABELS = {value: label for label, value in booking.ANSWER_CHOICES}
_OUTCOME_LABELS = {
    MeetingOutcome.MET: texts.OUTCOME_MET,
    MeetingOutcome.NO_SHOW: texts.OUTCOME_NO_SHOW,
    MeetingOutcome.CANCELLED: texts.OUTCOME_CANCELLED,
}
_MANAGE_CHOICES = (Choice(texts.MEETING_CANCEL, "cancel"), Choice(texts.MEETING_MOVE_TO, "move"))


@dataclass(frozen=True)
class MeetingTap:
    """A tap on a meeting button: which kind of button, which meeting, which answer."""

    kind: str
    meeting_id: int
    choice: str


def action_token(kind: str, meeting_id: int) -> str:
    return f"{kind}-{meeting_id}"


def parse_action(message: InboundMessage) -> MeetingTap | None:
    """The meeting tap this message is (token `mt-42` and the like); None for anything else."""
    if message.choice is None or message.token is None:
        return None
    match = _ACTION_TOKEN.match(message.token)
    return None if match is None else MeetingTap(match[1], int(match[2]), message.choice)


async def typed_answer(ctx: FlowContext, person: Person, text: str | None) -> MeetingTap | None:
    """The invitation's answer typed in its own words ("confirm", "cant make it") by a mentee
    whose next meeting still waits for one; None otherwise.

    The engine asks only when no flow is open, so a word meant for another question is never
    taken; and a bare number is not read, as it is by SMS where the numbers were sent.
    """
    if not text or not any(char.isalpha() for char in text):
        return None
    picked = read_choice(text, [label for label, _ in booking.ANSWER_CHOICES])
    if picked is None:
        return None
    meeting = await meetings.next_for_mentee(ctx.session, person.id, now=ctx.now())
    if meeting is None or meeting.status is not MeetingStatus.PROPOSED:
        return None
    return MeetingTap(MENTEE_ANSWER, meeting.id, booking.ANSWER_CHOICES[picked][1])


async def handle(ctx: FlowContext, person: Person, tap: MeetingTap) -> Outcome:
    """Acts on a tapped meeting button, if this person may; their current flow is untouched."""
    meeting = await meetings.get_meeting(ctx.session, tap.meeting_id)
    if tap.kind == MENTEE_ANSWER:
        return await _mentee_answer(ctx, person, meeting, tap.choice)
    if meeting is None or meeting.mentor_id != person.id:
        return Outcome([Reply(texts.MEETING_NOT_YOURS)])
    if tap.kind == MENTOR_OUTCOME:
        return _mentor_outcome(ctx, meeting, tap.choice)
    return await _mentor_manage(ctx, person, meeting, tap.choice)


async def _mentee_answer(
    ctx: FlowContext, person: Person, meeting: Meeting | None, choice: str
) -> Outcome:
    """Confirm, can't make it, or ask for another time; the mentor hears at once."""
    if meeting is None or meeting.mentee_id != person.id:
        return Outcome([Reply(texts.MEETING_NOT_YOURS)])
    status = _ANSWERS.get(choice)
    if status is None:
        return Outcome(stale_tap=True)
    answered = Answered(_ANSWER_LABELS[choice])
    if meeting.status is MeetingStatus.CANCELLED or meeting.starts_at <= ctx.now():
        return Outcome([Reply(texts.MEETING_NOT_ON)])
    if meeting.status is status:
        return Outcome([Reply(texts.MEETING_ALREADY_TOLD)], answered=answered)
    meetings.set_status(meeting, status, now=ctx.now())
    if status is not MeetingStatus.CONFIRMED:
        await booking.withdraw_reminders(ctx, meeting, reason=choice)
    mentor = await _person(ctx, meeting.mentor_id)
    mentor_name = mentor.display_name if mentor is not None else texts.YOUR_MENTOR
    when = booking.describe_when(meeting.starts_at, ctx.zone)
    notice = {
        MeetingStatus.CONFIRMED: texts.NOTICE_MEETING_CONFIRMED,
        MeetingStatus.DECLINED: texts.NOTICE_MEETING_DECLINED,
        MeetingStatus.MOVE_REQUESTED: texts.NOTICE_MEETING_MOVE,
    }[status]
    if mentor is not None:
        text = notice.format(name=person.display_name, when=when)
        await ctx.notify(mentor.id, f"meeting:{meeting.id}:answer:{choice}", text)
    reply = {
        MeetingStatus.CONFIRMED: texts.MEETING_THANKS.format(when=when),
        MeetingStatus.DECLINED: texts.MEETING_DECLINED_OK.format(mentor=mentor_name),
        MeetingStatus.MOVE_REQUESTED: texts.MEETING_MOVE_OK.format(mentor=mentor_name),
    }[status]
    return Outcome([Reply(reply)], answered=answered)


def _mentor_outcome(ctx: FlowContext, meeting: Meeting, choice: str) -> Outcome:
    """Records whether the meeting happened; a later answer replaces the earlier one."""
    try:
        outcome = MeetingOutcome(choice)
    except ValueError:
        return Outcome(stale_tap=True)
    label = _OUTCOME_LABELS[outcome]
    changed = meeting.outcome is not None and meeting.outcome is not outcome
    meetings.set_outcome(meeting, outcome, now=ctx.now())
    text = texts.OUTCOME_CHANGED.format(outcome=label) if changed else texts.OUTCOME_NOTED
    return Outcome([Reply(text)], answered=Answered(label))


async def _mentor_manage(
    ctx: FlowContext, person: Person, meeting: Meeting, choice: str
) -> Outcome:
    """Cancels a meeting (the mentee is told) or starts booking a new time for it."""
    if choice not in ("cancel", "move"):
        return Outcome(stale_tap=True)
    if meeting.status is MeetingStatus.CANCELLED or meeting.starts_at <= ctx.now():
        return Outcome([Reply(texts.MEETING_GONE)])
    mentee = await _person(ctx, meeting.mentee_id)
    episode = await people.active_episode(ctx.session, meeting.mentee_id)
    name = mentee.display_name if mentee is not None else ""
    if choice == "move":
        if episode is None or episode.mentor_id != person.id:
            return Outcome([Reply(texts.MEET_NOT_YOUR_MENTEE.format(name=name))])
        outcome = await booking.start_move(ctx, person, meeting, name)
        outcome.answered = Answered(texts.MEETING_MOVE_TO)
        return outcome
    was_on = meeting.status in meetings.ON
    meetings.set_status(meeting, MeetingStatus.CANCELLED, now=ctx.now())
    await booking.withdraw_reminders(ctx, meeting, reason="cancelled")
    if was_on:  # a mentee who already said they can't come needs no second message
        when = booking.describe_when(meeting.starts_at, ctx.zone)
        await ctx.queue(
            Queued(
                person_id=meeting.mentee_id,
                key=f"meeting:{meeting.id}:cancelled",
                kind="meeting_cancelled",
                text=texts.MEETING_CANCELLED_BY_MENTOR.format(
                    mentor=person.display_name, when=when
                ),
                not_before=ctx.now(),
                expires_at=meeting.starts_at,
                respect_quiet_hours=True,
            )
        )
    reply = Reply(texts.MEETING_CANCELLED_DONE.format(name=name))
    return Outcome([reply], answered=Answered(texts.MEETING_CANCEL))


async def list_for_mentor(ctx: FlowContext, person: Person) -> Outcome:
    """/meetings: the next two weeks, one message per meeting with Cancel and Move."""
    rows = await meetings.upcoming_for_mentor(
        ctx.session, person.id, now=ctx.now(), until=ctx.now() + timedelta(days=LISTING_DAYS)
    )
    if not rows:
        return Outcome([Reply(texts.MEETINGS_NONE)])
    return Outcome(
        [
            Reply(
                texts.MEETINGS_ITEM.format(
                    name=mentee.display_name,
                    when=booking.describe_when(meeting.starts_at, ctx.zone),
                    place=meeting.place,
                    status=texts.MEETING_STATUS_NAMES[meeting.status.value],
                ),
                choices=_MANAGE_CHOICES,
                token=action_token(MENTOR_MANAGE, meeting.id),
            )
            for meeting, mentee in rows
        ]
    )


async def show_next_for_mentee(ctx: FlowContext, person: Person) -> Outcome:
    """/meeting: the mentee's next meeting, with the same answers as the invitation."""
    meeting = await meetings.next_for_mentee(ctx.session, person.id, now=ctx.now())
    if meeting is None:
        return Outcome([Reply(texts.MEETING_NONE)])
    mentor = await _person(ctx, meeting.mentor_id)
    text = texts.MEETING_NEXT.format(
        mentor=mentor.display_name if mentor is not None else texts.YOUR_MENTOR,
        when=booking.describe_when(meeting.starts_at, ctx.zone),
        place=meeting.place,
    )
    choices = tuple(Choice(label, value) for label, value in booking.ANSWER_CHOICES)
    return Outcome([Reply(text, choices=choices, token=action_token(MENTEE_ANSWER, meeting.id))])


async def _person(ctx: FlowContext, person_id: int | None) -> Person | None:
    return None if person_id is None else await ctx.session.get(Person, person_id)
