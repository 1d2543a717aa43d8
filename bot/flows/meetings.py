"""Booking a meeting (/meet): who, which day, what time, where; then the mentee is asked.

A mentor books from a phone between appointments, so every step offers buttons and also takes
what a person would type (14/3, 9.30, a place). Each question is asked and read by the question
engine, with a fresh token so a tap on an older question is recognised as stale; Back goes to
the step before, keeping what was chosen, and whatever was chosen before a misunderstood answer
is kept. Times are chosen in local time and stored as UTC, so a meeting after the March clock
change is at the hour the mentor chose (docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.flows import asked, texts
from bot.flows.context import FlowContext
from bot.flows.dates import day_label
from bot.flows.types import Outcome, tapped
from bot.messages import Choice, InboundMessage, Reply
from bot.questions import asking
from bot.questions.asking import Kind, Question
from bot.questions.state import FlowState, new_token
from bot.questions.vocabulary import read_day, read_time
from bot.sites import MAX_PLACE, shipped_sites
from bot.storage import conversations, meetings, outbox, people
from bot.storage.models import Episode, Meeting, MeetingStatus, Person
from bot.storage.outbox import Queued

FLOW = "meet"
SLOT_TIMES = tuple(time(hour) for hour in (10, 11, 12, 14, 15, 16))
# A typed "3:00" is far likelier a slip for 15:00 than a meeting in the night: ask again.
EARLIEST, LATEST = time(7), time(21)
# "5/1" typed in December means next January; a date a few weeks back is a slip, refused.
NEXT_YEAR_AFTER = timedelta(days=180)
DAYS_OFFERED = 7
ANSWER_CHOICES = (
    (texts.MEETING_CONFIRM, "confirm"),
    (texts.MEETING_CANT, "decline"),
    (texts.MEETING_MOVE, "move"),
)
_OTHER = "other"
# Phones turn quotes and dashes curly; one such character halves what an SMS can hold.
_PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-"})
MENTEE, DAY, TIME, PLACE, PLACE_TEXT = "mentee", "day", "time", "place", "place_text"
_BEFORE = {DAY: MENTEE, TIME: DAY, PLACE: TIME, PLACE_TEXT: PLACE}


@dataclass(frozen=True)
class MeetState(FlowState):
    """The booking so far: the question being asked and what was chosen before it."""

    at: str
    token: str = ""
    mentee: int | None = None
    name: str = ""
    replaces: int | None = None  # the meeting a move replaces
    day: str | None = None  # ISO date, local
    time: str | None = None  # "HH:MM", local
    asked_who: bool = False  # the mentee was chosen from a list, so Back from the day goes there


def describe_when(starts_at: datetime, zone: ZoneInfo) -> str:
    """'Mon 2 Mar at 09:30' in local time, as people are told about a meeting."""
    local = starts_at.astimezone(zone)
    return texts.MEETING_WHEN.format(day=day_label(local.date()), time=f"{local:%H:%M}")


def parse_day(answer: str, today: date) -> date | None:
    """A tapped ISO date, or a day typed in the shared vocabulary: tomorrow, next tue, 14/3."""
    return read_day(answer, today, past_slip=NEXT_YEAR_AFTER)


def _clock_time(answer: str) -> time | None:
    """A time in the shared vocabulary (14:00, 9.30, 7pm, evening), at any hour. A bare number
    is not read as a time: it is the number of a listed time, by SMS and typed alike."""
    if answer.strip().isdecimal() and len(answer.strip()) <= 2:
        return None
    return read_time(answer)


def parse_time(answer: str) -> time | None:
    """A time as `_clock_time` reads it, within working hours."""
    chosen = _clock_time(answer)
    return chosen if chosen is not None and EARLIEST <= chosen <= LATEST else None


def tidy_place(text: str) -> str:
    return " ".join(text.translate(_PLAIN).split())


def _starts_at(state: MeetState, zone: ZoneInfo) -> datetime:
    # combine() with the zone picks the offset in force on that day, so DST is right.
    assert state.day is not None and state.time is not None
    day, at = date.fromisoformat(state.day), time.fromisoformat(state.time)
    return datetime.combine(day, at, tzinfo=zone)


async def start(ctx: FlowContext, person: Person, argument: str) -> Outcome:
    """Begins a booking: picks the mentee (by name, or the only one) or asks which."""
    mentees = [mentee for mentee, _ in await meetings.mentees_of(ctx.session, person.id)]
    if not mentees:
        await conversations.clear_state(ctx.session, person.id)
        return Outcome([Reply(texts.MEET_NO_MENTEES)])
    lead: list[Reply] = []
    wanted = " ".join(argument.split()).casefold()
    if wanted:
        named = [mentee for mentee in mentees if mentee.display_name.casefold() == wanted]
        if named:
            mentees = named
        else:
            lead.append(Reply(texts.MEET_NO_MATCH.format(name=" ".join(argument.split()))))
    if len(mentees) == 1:
        state = MeetState(DAY, mentee=mentees[0].id, name=mentees[0].display_name)
        return await _advance(ctx, person, state, lead)
    return await _advance(ctx, person, MeetState(MENTEE, asked_who=True), lead)


async def start_move(ctx: FlowContext, person: Person, meeting: Meeting, name: str) -> Outcome:
    """Books a new time for an existing meeting; the old one is cancelled once it is booked."""
    state = MeetState(DAY, mentee=meeting.mentee_id, name=name, replaces=meeting.id)
    return await _advance(ctx, person, state, [])


async def step(
    ctx: FlowContext, person: Person, data: dict[str, Any], message: InboundMessage
) -> Outcome:
    """Takes the answer to the current booking question, or asks it again kindly."""
    state = MeetState.load(data)
    question = await _question(ctx, person, state)
    if state.at == PLACE_TEXT:
        return await _type_place(ctx, person, state, question, message)
    got = await asked.answer(ctx, person, question, message, state.token)
    if isinstance(got, Outcome):
        return got
    label = got.label(question)
    if got.kind is Kind.BACK:
        outcome = await _advance(ctx, person, replace(state, at=_BEFORE[state.at]), [])
        return tapped(outcome, message, label)
    value = got.value or ""
    if state.at == MENTEE:
        return tapped(await _chose_mentee(ctx, person, state, value), message, label)
    if state.at == DAY:
        return await _chose_day(ctx, person, state, value, message)
    if state.at == TIME:
        return await _chose_time(ctx, person, state, value, message)
    if value == _OTHER:
        outcome = await _advance(ctx, person, replace(state, at=PLACE_TEXT), [])
        return tapped(outcome, message, texts.MEET_OTHER)
    places = await places_for(ctx, state.mentee)
    place = places[int(value.removeprefix("p"))]
    return tapped(await _book(ctx, person, state, place), message, place)


async def _advance(
    ctx: FlowContext, person: Person, state: MeetState, lead: list[Reply]
) -> Outcome:
    state = replace(state, token=new_token())
    await conversations.save_state(
        ctx.session,
        person_id=person.id,
        flow=FLOW,
        step=state.at,
        data=state.dump(),
        now=ctx.now(),
    )
    return Outcome([*lead, asking.ask(await _question(ctx, person, state), state.token)])


async def _again(ctx: FlowContext, person: Person, state: MeetState, why: str) -> Outcome:
    """An answer understood but not usable (a day gone by): why, then the same question."""
    question = await _question(ctx, person, state)
    return Outcome([Reply(why), asking.ask(question, state.token)])


async def _question(ctx: FlowContext, person: Person, state: MeetState) -> Question:
    """The question at this step: Back wherever there is a step before it."""
    back = state.at != MENTEE and (state.at != DAY or state.asked_who)
    if state.at == MENTEE:
        mentees = await meetings.mentees_of(ctx.session, person.id)
        choices = tuple(Choice(mentee.display_name, str(mentee.id)) for mentee, _ in mentees)
        return Question(texts.MEET_WHO, choices=choices)
    if state.at == DAY:
        today = ctx.today()
        days = tuple(Choice(day_label(day), day.isoformat()) for day in _days_offered(ctx))

        def typed_day(text: str) -> str | None:
            day = parse_day(text, today)
            return None if day is None else day.isoformat()

        prompt = texts.MEET_WHICH_DAY.format(name=state.name)
        return Question(prompt, choices=days, read_words=typed_day, back=back)
    if state.at == TIME:
        assert state.day is not None
        day = date.fromisoformat(state.day)
        slots = (at for at in SLOT_TIMES if datetime.combine(day, at, ctx.zone) > ctx.now())
        choices = tuple(Choice(f"{at:%H:%M}", f"{at:%H:%M}") for at in slots)
        prompt = texts.MEET_WHAT_TIME.format(day=day_label(day))
        return Question(prompt, choices=choices, read_words=_typed_time, back=back)
    if state.at == PLACE:
        places = enumerate(await places_for(ctx, state.mentee))
        choices = (*(Choice(p, f"p{i}") for i, p in places), Choice(texts.MEET_OTHER, _OTHER))
        return Question(texts.MEET_WHERE, choices=choices, back=back)
    return Question(
        texts.MEET_TYPE_PLACE, read_words=lambda text: tidy_place(text) or None, back=back
    )


def _typed_time(text: str) -> str | None:
    at = _clock_time(text)
    return None if at is None else f"{at:%H:%M}"


def _days_offered(ctx: FlowContext) -> list[date]:
    """Today (while a listed time is still ahead) and the days after it: a week of buttons."""
    today = ctx.today()
    if datetime.combine(today, SLOT_TIMES[-1], ctx.zone) <= ctx.now():
        today += timedelta(days=1)
    return [today + timedelta(days=offset) for offset in range(DAYS_OFFERED)]


async def places_for(ctx: FlowContext, mentee_id: int | None) -> tuple[str, ...]:
    """The agreed places at the mentee's clinic; none (only Other) for an unknown site."""
    episode = None if mentee_id is None else await people.active_episode(ctx.session, mentee_id)
    site = shipped_sites().get(episode.site) if episode is not None else None
    return site.places if site is not None else ()


async def _chose_mentee(ctx: FlowContext, person: Person, state: MeetState, value: str) -> Outcome:
    mentees = [mentee for mentee, _ in await meetings.mentees_of(ctx.session, person.id)]
    mentee = next(mentee for mentee in mentees if str(mentee.id) == value)
    chosen = replace(state, at=DAY, mentee=mentee.id, name=mentee.display_name)
    return await _advance(ctx, person, chosen, [])


async def _chose_day(
    ctx: FlowContext, person: Person, state: MeetState, value: str, message: InboundMessage
) -> Outcome:
    day = date.fromisoformat(value)
    if day < ctx.today():
        return await _again(ctx, person, state, texts.MEET_DAY_PAST)
    outcome = await _advance(ctx, person, replace(state, at=TIME, day=value), [])
    return tapped(outcome, message, day_label(day))


async def _chose_time(
    ctx: FlowContext, person: Person, state: MeetState, value: str, message: InboundMessage
) -> Outcome:
    at = time.fromisoformat(value)
    if not EARLIEST <= at <= LATEST:
        return await _again(ctx, person, state, texts.MEET_TIME_OUTSIDE)
    chosen = replace(state, at=PLACE, time=value)
    if _starts_at(chosen, ctx.zone) <= ctx.now():
        return await _again(ctx, person, state, texts.MEET_TIME_PAST)
    return tapped(await _advance(ctx, person, chosen, []), message, value)


async def _type_place(
    ctx: FlowContext,
    person: Person,
    state: MeetState,
    question: Question,
    message: InboundMessage,
) -> Outcome:
    """The place in the mentor's own words: not a choice, so read as typed, with Back."""
    got = asking.read(question, message, state.token)
    if got.kind is Kind.STALE:
        return Outcome(stale_tap=True)
    if got.kind is Kind.BACK:
        outcome = await _advance(ctx, person, replace(state, at=PLACE), [])
        return tapped(outcome, message, texts.BACK_LABEL)
    if got.kind is not Kind.ANSWER or got.value is None:  # nothing typed, or a forged tap
        return Outcome([asking.ask(question, state.token)])
    if len(got.value) > MAX_PLACE:
        return Outcome([Reply(texts.MEET_PLACE_TOO_LONG)])
    return await _book(ctx, person, state, got.value)


async def _book(ctx: FlowContext, person: Person, state: MeetState, place: str) -> Outcome:
    """Creates the meeting, asks the mentee, and cancels the meeting it replaces."""
    await conversations.clear_state(ctx.session, person.id)
    assert state.mentee is not None
    episode = await people.active_episode(ctx.session, state.mentee)
    if episode is None or episode.mentor_id != person.id:
        return Outcome([Reply(texts.MEET_NOT_YOUR_MENTEE.format(name=state.name))])
    starts_at = _starts_at(state, ctx.zone)
    if starts_at <= ctx.now():  # the time went by while the place was being chosen
        return await _advance(ctx, person, replace(state, at=TIME), [Reply(texts.MEET_TIME_PAST)])
    booked = await book_meeting(ctx, person, episode, state.name, starts_at, place, state.replaces)
    return Outcome([Reply(booked)])


async def book_meeting(
    ctx: FlowContext,
    person: Person,
    episode: Episode,
    name: str,
    starts_at: datetime,
    place: str,
    replaces: int | None = None,
) -> str:
    """Creates the meeting, invites the mentee, cancels the one it replaces; says what was
    done. The chat's booking flow and the dashboard's form both end here."""
    meeting = await meetings.create_meeting(
        ctx.session,
        episode=episode,
        mentor_id=person.id,
        starts_at=starts_at,
        place=place,
        now=ctx.now(),
    )
    when = describe_when(starts_at, ctx.zone)
    old_when = await _cancel_replaced(ctx, person, replaces)
    invitation = texts.MEETING_INVITE.format(mentor=person.display_name, when=when, place=place)
    booked = [texts.MEET_BOOKED.format(name=name, when=when, place=place)]
    if old_when is not None:
        invitation = texts.MEETING_INVITE_MOVED.format(
            mentor=person.display_name, when=when, place=place, old_when=old_when
        )
        booked.append(texts.MEET_BOOKED_REPLACES.format(old_when=old_when))
    await ctx.queue(
        Queued(
            person_id=episode.mentee_id,
            key=f"meeting:{meeting.id}:invite",
            kind="meeting_invite",
            text=invitation,
            not_before=ctx.now(),
            expires_at=starts_at,
            choices=ANSWER_CHOICES,
            token=f"mt-{meeting.id}",
            respect_quiet_hours=True,
            sms_text=texts.SMS_MEETING_INVITE.format(mentor=person.display_name, when=when),
        )
    )
    mentee = await ctx.session.get(Person, episode.mentee_id)
    if mentee is not None and mentee.opted_out_at is not None:
        booked.append(texts.MEET_BOOKED_OPTED_OUT.format(name=name))
    return " ".join(booked)


async def _cancel_replaced(ctx: FlowContext, person: Person, meeting_id: int | None) -> str | None:
    """Cancels the meeting a move replaces (if still ahead); returns when it was."""
    old = None if meeting_id is None else await meetings.get_meeting(ctx.session, meeting_id)
    if old is None or old.mentor_id != person.id or old.starts_at <= ctx.now():
        return None
    if old.status is MeetingStatus.CANCELLED:
        return None
    meetings.set_status(old, MeetingStatus.CANCELLED, now=ctx.now())
    await withdraw_reminders(ctx, old, reason="moved")
    return describe_when(old.starts_at, ctx.zone)


async def withdraw_reminders(ctx: FlowContext, meeting: Meeting, *, reason: str) -> None:
    """Skip whatever is still queued about this meeting (reminders, the invitation)."""
    await outbox.skip_pending(
        ctx.session, key_prefix=f"meeting:{meeting.id}:", reason=reason, now=ctx.now()
    )
