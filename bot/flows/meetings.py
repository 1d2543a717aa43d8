"""Booking a meeting (/meet): who, which day, what time, where; then the mentee is asked.

A mentor books from a phone between appointments, so every step offers buttons and also takes
what a person would type (14/3, 9.30, a place). Each step gets a fresh token so a tap on an
older question is recognised as stale, and whatever was chosen before a misunderstood answer is
kept. Times are chosen in local time and stored as UTC, so a meeting after the March clock change
is at the hour the mentor chose (DESIGN.md §4).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.flows import texts
from bot.flows.context import FlowContext
from bot.flows.types import Choice, InboundMessage, Outcome, Reply, tapped
from bot.questions.vocabulary import read_day, read_time
from bot.sites import MAX_PLACE, shipped_sites
from bot.storage import conversations, meetings, outbox, people
from bot.storage.models import Meeting, MeetingStatus, Person
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
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Phones turn quotes and dashes curly; one such character halves what an SMS can hold.
_PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-"})

Data = dict[str, Any]
Handler = Callable[[FlowContext, Person, Data, InboundMessage], Awaitable[Outcome]]


def day_label(day: date) -> str:
    """'Mon 2 Mar': English whatever the server's locale, no leading zero on the day."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def describe_when(starts_at: datetime, zone: ZoneInfo) -> str:
    """'Mon 2 Mar at 09:30' in local time, as people are told about a meeting."""
    local = starts_at.astimezone(zone)
    return texts.MEETING_WHEN.format(day=day_label(local.date()), time=f"{local:%H:%M}")


def parse_day(answer: str, today: date) -> date | None:
    """A tapped ISO date, or a day typed in the shared vocabulary: tomorrow, next tue, 14/3."""
    return read_day(answer, today, past_slip=NEXT_YEAR_AFTER)


def parse_time(answer: str) -> time | None:
    """A tapped or typed time in the shared vocabulary (14:00, 9.30, 7pm, evening), within
    working hours. A bare number is asked about again: by SMS it is the number of a listed
    time, and typed elsewhere "3" could be that or 3pm."""
    if answer.strip().isdecimal() and len(answer.strip()) <= 2:
        return None
    chosen = read_time(answer)
    return chosen if chosen is not None and EARLIEST <= chosen <= LATEST else None


def tidy_place(text: str) -> str:
    return " ".join(text.translate(_PLAIN).split())


def _starts_at(data: Data, zone: ZoneInfo) -> datetime:
    # combine() with the zone picks the offset in force on that day, so DST is right.
    day, at = date.fromisoformat(data["day"]), time.fromisoformat(data["time"])
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
        data = {"mentee": mentees[0].id, "name": mentees[0].display_name, "replaces": None}
        return await _advance(ctx, person, data, "day", lead)
    return await _advance(ctx, person, {"replaces": None}, "mentee", lead)


async def start_move(ctx: FlowContext, person: Person, meeting: Meeting, name: str) -> Outcome:
    """Books a new time for an existing meeting; the old one is cancelled once it is booked."""
    data = {"mentee": meeting.mentee_id, "name": name, "replaces": meeting.id}
    return await _advance(ctx, person, data, "day", [])


async def step(ctx: FlowContext, person: Person, data: Data, message: InboundMessage) -> Outcome:
    """Takes the answer to the current booking question, or re-asks kindly."""
    if message.choice is not None and message.token != data["token"]:
        return Outcome(stale_tap=True)
    return await _STEPS[data["at"]](ctx, person, data, message)


async def _advance(
    ctx: FlowContext, person: Person, data: Data, at: str, lead: list[Reply]
) -> Outcome:
    data = {**data, "at": at, "token": secrets.token_hex(3)}
    await conversations.save_state(
        ctx.session, person_id=person.id, flow=FLOW, step=at, data=data, now=ctx.now()
    )
    return Outcome([*lead, await _question(ctx, person, data)])


async def _reask(ctx: FlowContext, person: Person, data: Data, why: str) -> Outcome:
    return Outcome([Reply(why), await _question(ctx, person, data)])


async def _question(ctx: FlowContext, person: Person, data: Data) -> Reply:
    at, token = data["at"], data["token"]
    if at == "mentee":
        mentees = await meetings.mentees_of(ctx.session, person.id)
        choices = tuple(Choice(mentee.display_name, str(mentee.id)) for mentee, _ in mentees)
        return Reply(texts.MEET_WHO, choices=choices, token=token)
    if at == "day":
        days = tuple(Choice(day_label(day), day.isoformat()) for day in _days_offered(ctx))
        return Reply(texts.MEET_WHICH_DAY.format(name=data["name"]), choices=days, token=token)
    if at == "time":
        day = date.fromisoformat(data["day"])
        slots = (at for at in SLOT_TIMES if datetime.combine(day, at, ctx.zone) > ctx.now())
        choices = tuple(Choice(f"{at:%H:%M}", f"{at:%H:%M}") for at in slots)
        return Reply(texts.MEET_WHAT_TIME.format(day=day_label(day)), choices=choices, token=token)
    if at == "place":
        places = enumerate(await _places(ctx, data["mentee"]))
        choices = (*(Choice(p, f"p{i}") for i, p in places), Choice(texts.MEET_OTHER, _OTHER))
        return Reply(texts.MEET_WHERE, choices=choices, token=token)
    return Reply(texts.MEET_TYPE_PLACE)


def _days_offered(ctx: FlowContext) -> list[date]:
    """Today (while a listed time is still ahead) and the days after it: a week of buttons."""
    today = ctx.today()
    if datetime.combine(today, SLOT_TIMES[-1], ctx.zone) <= ctx.now():
        today += timedelta(days=1)
    return [today + timedelta(days=offset) for offset in range(DAYS_OFFERED)]


async def _places(ctx: FlowContext, mentee_id: int) -> tuple[str, ...]:
    """The agreed places at the mentee's clinic; none (only Other) for an unknown site."""
    episode = await people.active_episode(ctx.session, mentee_id)
    site = shipped_sites().get(episode.site) if episode is not None else None
    return site.places if site is not None else ()


async def _choose_mentee(
    ctx: FlowContext, person: Person, data: Data, message: InboundMessage
) -> Outcome:
    mentees = [mentee for mentee, _ in await meetings.mentees_of(ctx.session, person.id)]
    if message.choice is not None:
        chosen = [mentee for mentee in mentees if str(mentee.id) == message.choice]
    else:
        typed = " ".join((message.text or "").split()).casefold()
        chosen = [mentee for mentee in mentees if mentee.display_name.casefold() == typed]
    if len(chosen) != 1:
        return await _reask(ctx, person, data, texts.MEET_WHO_REASK)
    mentee = chosen[0]
    outcome = await _advance(
        ctx, person, {**data, "mentee": mentee.id, "name": mentee.display_name}, "day", []
    )
    return tapped(outcome, message, mentee.display_name)


async def _choose_day(
    ctx: FlowContext, person: Person, data: Data, message: InboundMessage
) -> Outcome:
    day = parse_day(message.choice or message.text or "", ctx.today())
    if day is None:
        return await _reask(ctx, person, data, texts.MEET_DAY_REASK)
    if day < ctx.today():
        return await _reask(ctx, person, data, texts.MEET_DAY_PAST)
    outcome = await _advance(ctx, person, {**data, "day": day.isoformat()}, "time", [])
    return tapped(outcome, message, day_label(day))


async def _choose_time(
    ctx: FlowContext, person: Person, data: Data, message: InboundMessage
) -> Outcome:
    at = parse_time(message.choice or message.text or "")
    if at is None:
        return await _reask(ctx, person, data, texts.MEET_TIME_REASK)
    chosen = {**data, "time": f"{at:%H:%M}"}
    if _starts_at(chosen, ctx.zone) <= ctx.now():
        return await _reask(ctx, person, data, texts.MEET_TIME_PAST)
    outcome = await _advance(ctx, person, chosen, "place", [])
    return tapped(outcome, message, f"{at:%H:%M}")


async def _choose_place(
    ctx: FlowContext, person: Person, data: Data, message: InboundMessage
) -> Outcome:
    places = await _places(ctx, data["mentee"])
    picked = {f"p{number}": place for number, place in enumerate(places)}
    if message.choice is None:  # typed: the name of a listed place, or "other"
        picked = {place.casefold(): place for place in places}
    answer = message.choice or " ".join((message.text or "").split()).casefold()
    if answer == _OTHER:
        outcome = await _advance(ctx, person, data, "place_text", [])
        return tapped(outcome, message, texts.MEET_OTHER)
    if answer not in picked:
        return await _reask(ctx, person, data, texts.MEET_PLACE_REASK)
    return tapped(await _book(ctx, person, data, picked[answer]), message, picked[answer])


async def _type_place(
    ctx: FlowContext, person: Person, data: Data, message: InboundMessage
) -> Outcome:
    place = tidy_place(message.text or "")
    if not place or message.choice is not None:
        return Outcome([Reply(texts.MEET_TYPE_PLACE)])
    if len(place) > MAX_PLACE:
        return Outcome([Reply(texts.MEET_PLACE_TOO_LONG)])
    return await _book(ctx, person, data, place)


async def _book(ctx: FlowContext, person: Person, data: Data, place: str) -> Outcome:
    """Creates the meeting, asks the mentee, and cancels the meeting it replaces."""
    await conversations.clear_state(ctx.session, person.id)
    episode = await people.active_episode(ctx.session, data["mentee"])
    if episode is None or episode.mentor_id != person.id:
        return Outcome([Reply(texts.MEET_NOT_YOUR_MENTEE.format(name=data["name"]))])
    starts_at = _starts_at(data, ctx.zone)
    if starts_at <= ctx.now():  # the time went by while the place was being chosen
        return await _advance(ctx, person, data, "time", [Reply(texts.MEET_TIME_PAST)])
    meeting = await meetings.create_meeting(
        ctx.session,
        episode=episode,
        mentor_id=person.id,
        starts_at=starts_at,
        place=place,
        now=ctx.now(),
    )
    when = describe_when(starts_at, ctx.zone)
    old_when = await _cancel_replaced(ctx, person, data.get("replaces"))
    invitation = texts.MEETING_INVITE.format(mentor=person.display_name, when=when, place=place)
    booked = [texts.MEET_BOOKED.format(name=data["name"], when=when, place=place)]
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
        booked.append(texts.MEET_BOOKED_OPTED_OUT.format(name=data["name"]))
    return Outcome([Reply(" ".join(booked))])


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


_STEPS: dict[str, Handler] = {
    "mentee": _choose_mentee,
    "day": _choose_day,
    "time": _choose_time,
    "place": _choose_place,
    "place_text": _type_place,
}
