"""Meetings as people live them: a mentor books, the mentee answers, plans change.

The clock starts on Monday 2 March 2026 at 10:00 UTC, which is 10:00 in London (GMT); the
clocks go forward on Sunday 29 March.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.authorisation import refusal
from bot.flows import texts
from bot.flows.meetings import describe_when, parse_day, parse_time
from bot.messages import Channel, Choice, InboundMessage, Reply, Sender
from bot.questions import asking
from bot.questions.asking import Question
from bot.service import MentorService
from bot.storage import conversations, outbox
from bot.storage.models import (
    ConversationState,
    Episode,
    Meeting,
    MeetingOutcome,
    MeetingStatus,
    OutboxMessage,
    OutboxStatus,
    Person,
    Role,
)
from bot.storage.outbox import Queued
from tests.conftest import LONDON, FakeClock
from tests.utils import (
    MENTOR_PHONE,
    Chat,
    add_staff,
    joined_mentee,
    question_number,
    tap_sent_button,
)

Sessions = async_sessionmaker[AsyncSession]
OTHER_MENTEE_PHONE = "+447700900456"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HUB_PLACES = ["Hub clinic, front desk", "Cafe near the Hub clinic", "Local library"]


async def mentor_and_mentee(service: MentorService, sessions: Sessions) -> tuple[Chat, Chat]:
    mentor = await add_staff(sessions, service)
    mentee = await joined_mentee(service, sessions, mentor)
    return Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE)), mentee


async def book(mentor: Chat, day: str = "Tue 3 Mar", at: str = "10:00") -> None:
    """Books the only mentee at the hub's front desk by tapping."""
    await mentor.send("/meet")
    await mentor.tap(day)
    await mentor.tap(at)
    await mentor.tap("Hub clinic, front desk")


async def all_meetings(sessions: Sessions) -> list[Meeting]:
    async with sessions() as session:
        return list(await session.scalars(select(Meeting).order_by(Meeting.id)))


async def outbox_rows(sessions: Sessions) -> dict[str, OutboxMessage]:
    async with sessions() as session:
        return {row.idempotency_key: row for row in await session.scalars(select(OutboxMessage))}


def labels(reply: Reply) -> list[str]:
    return [choice.label for choice in reply.choices]


def question_of(reply: Reply) -> Question:
    """The question a reply asked, as far as the re-ask's words depend on it."""
    return Question(
        reply.text, choices=reply.choices, skip=any(c.value == asking.SKIP for c in reply.controls)
    )


async def test_booking_by_buttons_asks_the_mentee(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, _ = await mentor_and_mentee(service, session_factory)
    await mentor.send("/meet")
    assert mentor.question.text.startswith("Meeting with Sam. Which day?")
    week = [f"{day} {number} Mar" for number, day in enumerate(WEEKDAYS, start=2)]
    assert labels(mentor.question) == week
    await mentor.tap("Tue 3 Mar")
    assert labels(mentor.question) == ["10:00", "11:00", "12:00", "14:00", "15:00", "16:00"]
    await mentor.tap("11:00")
    assert labels(mentor.question) == [*HUB_PLACES, texts.MEET_OTHER]
    await mentor.tap("Cafe near the Hub clinic")
    assert mentor.texts == [
        "Booked: Sam, Tue 3 Mar at 11:00, Cafe near the Hub clinic. Sam has been asked to confirm."
    ]
    (meeting,) = await all_meetings(session_factory)
    assert meeting.status is MeetingStatus.PROPOSED
    assert meeting.starts_at == datetime(2026, 3, 3, 11, 0, tzinfo=UTC)
    invitation = (await outbox_rows(session_factory))[f"meeting:{meeting.id}:invite"]
    assert invitation.person_id == meeting.mentee_id and invitation.kind == "meeting_invite"
    assert invitation.text == (
        "Alex would like to meet you on Tue 3 Mar at 11:00, at Cafe near the Hub clinic. "
        "Can you come?"
    )
    assert invitation.payload == {
        "token": f"mt-{meeting.id}",
        "choices": [
            [texts.MEETING_CONFIRM, "confirm"],
            [texts.MEETING_CANT, "decline"],
            [texts.MEETING_MOVE, "move"],
        ],
        # By text the place is left out: phones are often shared.
        "sms_text": "Alex would like to meet you on Tue 3 Mar at 11:00. Can you come? "
        "Text DETAILS for where.",
    }
    assert invitation.expires_at == meeting.starts_at and invitation.respect_quiet_hours
    assert invitation.status is OutboxStatus.PENDING
    async with session_factory() as session:
        assert await session.get(ConversationState, meeting.mentor_id) is None


async def test_booking_by_typing_with_a_place_of_their_own(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor_person = await add_staff(session_factory, service)
    await joined_mentee(service, session_factory, mentor_person, name="Sam")
    await joined_mentee(
        service, session_factory, mentor_person, name="jo", phone=OTHER_MENTEE_PHONE
    )
    mentor = Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))
    await mentor.send("/meet")
    assert mentor.question.text == texts.MEET_WHO and labels(mentor.question) == ["jo", "Sam"]
    await mentor.send("/meet SAM")
    assert mentor.question.text.startswith("Meeting with Sam.")
    await mentor.send("05/03")
    assert mentor.question.text.startswith("Thu 5 Mar: what time?")
    await mentor.send("9.30")
    await mentor.tap(texts.MEET_OTHER)
    assert mentor.texts == [texts.MEET_TYPE_PLACE]
    await mentor.send("  The bench by the \u201cpark\u201d gate ")
    assert mentor.texts[0].startswith('Booked: Sam, Thu 5 Mar at 09:30, The bench by the "park"')
    (meeting,) = await all_meetings(session_factory)
    assert meeting.starts_at == datetime(2026, 3, 5, 9, 30, tzinfo=UTC)
    assert meeting.place == 'The bench by the "park" gate'


async def test_back_goes_to_the_step_before_keeping_what_was_chosen(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor_person = await add_staff(session_factory, service)
    await joined_mentee(service, session_factory, mentor_person, name="Sam")
    await joined_mentee(
        service, session_factory, mentor_person, name="jo", phone=OTHER_MENTEE_PHONE
    )
    mentor = Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))
    await mentor.send("/meet Sam")
    assert mentor.question.controls == ()  # named at once: nothing to go back to
    await mentor.send("/meet")
    assert mentor.question.controls == ()  # who: the first question
    await mentor.tap("Sam")
    assert mentor.last[-1].controls == (Choice(texts.BACK_LABEL, asking.BACK),)
    await mentor.send("back")
    assert mentor.question.text == texts.MEET_WHO
    await mentor.tap("jo")
    await mentor.tap("Wed 4 Mar")
    await mentor.send("2")  # a bare number is the second listed time, not 2am or 2pm
    assert mentor.question.text == texts.MEET_WHERE
    await mentor.tap(texts.BACK_LABEL)
    assert mentor.question.text.startswith("Wed 4 Mar: what time?")  # the day is kept
    await mentor.tap("15:00")
    await mentor.tap(texts.MEET_OTHER)
    [type_place] = mentor.last
    assert [choice.label for choice in type_place.controls] == [texts.BACK_LABEL]
    await mentor.send("go back")
    assert mentor.question.text == texts.MEET_WHERE
    await mentor.tap(texts.MEET_OTHER)
    await mentor.send("Back garden of the hub")  # a place, not the word back
    (meeting,) = await all_meetings(session_factory)
    assert meeting.starts_at == datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
    assert meeting.place == "Back garden of the hub"
    assert mentor.texts[0].startswith("Booked: jo, Wed 4 Mar at 15:00")


async def test_a_booking_asked_before_the_engine_still_resumes(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, _ = await mentor_and_mentee(service, session_factory)
    async with session_factory() as session, session.begin():
        sam = (await session.scalars(select(Person).where(Person.display_name == "Sam"))).one()
        staff = (await session.scalars(select(Person).where(Person.role != Role.MENTEE))).one()
        old = {"mentee": sam.id, "name": "Sam", "replaces": None, "day": "2026-03-04"}
        await conversations.save_state(
            session,
            person_id=staff.id,
            flow="meet",
            step="time",
            data={**old, "at": "time", "token": "abc123"},
            now=service.clock(),
        )
    await mentor.send("15:00")
    assert mentor.question.text == texts.MEET_WHERE
    await mentor.tap("Local library")
    (meeting,) = await all_meetings(session_factory)
    assert meeting.starts_at == datetime(2026, 3, 4, 15, 0, tzinfo=UTC)


async def test_places_are_those_of_the_mentees_clinic(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, _ = await mentor_and_mentee(service, session_factory)
    async with session_factory() as session, session.begin():
        await session.execute(update(Episode).values(site="greenwich"))
    await mentor.send("/meet")
    await mentor.send("3/3")
    await mentor.send("14:00")
    assert labels(mentor.question)[0] == "Greenwich clinic, front desk"
    await mentor.send("greenwich clinic, FRONT desk")
    assert mentor.texts[0].startswith("Booked: Sam, Tue 3 Mar at 14:00, Greenwich clinic")


async def test_a_place_over_100_characters_is_asked_for_again(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, _ = await mentor_and_mentee(service, session_factory)
    await mentor.send("/meet")
    await mentor.tap("Wed 4 Mar")
    await mentor.tap("12:00")
    await mentor.tap(texts.MEET_OTHER)
    assert await mentor.send("x" * 101) == [Reply(texts.MEET_PLACE_TOO_LONG)]
    await mentor.send("   ")
    assert mentor.texts == [texts.MEET_TYPE_PLACE]
    await mentor.send("y" * 100)
    assert mentor.texts[0].startswith("Booked: Sam, Wed 4 Mar at 12:00, yyyy")
    assert len(await all_meetings(session_factory)) == 1


async def test_past_days_and_times_are_refused_and_choices_kept(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, _ = await mentor_and_mentee(service, session_factory)
    await mentor.send("/meet")
    day_question = mentor.question
    replies = await mentor.send("1/3")
    assert replies[0].text == texts.MEET_DAY_PAST and replies[1] == day_question
    replies = await mentor.send("someday")
    assert replies[0].text == asking.reask(question_of(day_question), Channel.CONSOLE)
    assert replies[1] == day_question
    await mentor.tap("Mon 2 Mar")  # today, 10:00 local: 10:00 itself has gone
    assert labels(mentor.question) == ["11:00", "12:00", "14:00", "15:00", "16:00"]
    time_question = mentor.question
    replies = await mentor.send("9:30")
    assert replies[0].text == texts.MEET_TIME_PAST and replies[1] == time_question
    for unread in ("soon", "25:00", None):
        replies = await mentor.send(unread)
        assert replies[0].text == asking.reask(question_of(time_question), Channel.CONSOLE)
        assert replies[1] == time_question
    for at_night in ("3:00", "10pm"):  # read, but outside working hours: a slip
        replies = await mentor.send(at_night)
        assert replies[0].text == texts.MEET_TIME_OUTSIDE and replies[1] == time_question
    await mentor.send("2pm")
    await mentor.tap("Local library")
    (meeting,) = await all_meetings(session_factory)
    assert meeting.starts_at == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


async def test_a_mentor_books_in_the_words_people_type(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, _ = await mentor_and_mentee(service, session_factory)
    await mentor.send("/meet")
    await mentor.send("next tue")
    assert mentor.question.text.startswith("Tue 3 Mar: what time?")
    await mentor.send("7pm")
    assert mentor.question.text == texts.MEET_WHERE
    await mentor.tap("Local library")
    await mentor.send("/meet")
    await mentor.send("14 Mar")
    await mentor.send("evening")
    await mentor.tap("Local library")
    await mentor.send("/meet")
    await mentor.send("tomorrow")
    await mentor.send("7.30pm")
    await mentor.tap("Local library")
    starts = [meeting.starts_at for meeting in await all_meetings(session_factory)]
    assert starts == [
        datetime(2026, 3, 3, 19, tzinfo=UTC),
        datetime(2026, 3, 14, 18, tzinfo=UTC),
        datetime(2026, 3, 3, 19, 30, tzinfo=UTC),
    ]


async def test_late_in_the_day_the_week_of_days_starts_tomorrow(
    service: MentorService, session_factory: Sessions, clock: FakeClock
) -> None:
    mentor, _ = await mentor_and_mentee(service, session_factory)
    clock.advance(hours=7)  # 17:00: the last listed time today has gone
    await mentor.send("/meet")
    assert labels(mentor.question)[0] == "Tue 3 Mar" and len(mentor.question.choices) == 7


async def test_stale_taps_and_cancel_leave_no_meeting(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, _ = await mentor_and_mentee(service, session_factory)
    await mentor.send("/meet")
    day_question = mentor.question
    await mentor.tap("Tue 3 Mar")
    await mentor.tap("Fri 6 Mar", reply=day_question)
    assert mentor.stale and mentor.last == []
    assert (await mentor.send("/cancel"))[0].text == texts.STOPPED_THAT
    assert (await mentor.send("10:00"))[0].text == texts.STAFF_HINT
    assert await all_meetings(session_factory) == []


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("27/3", datetime(2026, 3, 27, 9, 30, tzinfo=UTC)),  # GMT: London is UTC
        ("30/3", datetime(2026, 3, 30, 8, 30, tzinfo=UTC)),  # BST: an hour ahead of UTC
    ],
)
async def test_times_are_local_across_the_clock_change(
    typed: str, stored: datetime, service: MentorService, session_factory: Sessions
) -> None:
    mentor, _ = await mentor_and_mentee(service, session_factory)
    await mentor.send("/meet")
    await mentor.send(typed)
    await mentor.send("09:30")
    await mentor.tap("Local library")
    (meeting,) = await all_meetings(session_factory)
    assert meeting.starts_at == stored
    assert describe_when(meeting.starts_at, LONDON).endswith("Mar at 09:30")


async def test_a_mentor_without_mentees_is_told_to_invite_first(
    service: MentorService, session_factory: Sessions
) -> None:
    await add_staff(session_factory, service)
    mentor = Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))
    assert await mentor.send("/meet") == [Reply(texts.MEET_NO_MENTEES)]
    assert await mentor.send("/meetings") == [Reply(texts.MEETINGS_NONE)]


async def test_an_unknown_name_shows_the_mentees_to_choose_from(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, _ = await mentor_and_mentee(service, session_factory)
    replies = await mentor.send("/meet Bob")
    assert replies[0].text == texts.MEET_NO_MATCH.format(name="Bob")
    assert replies[1].text.startswith("Meeting with Sam.")  # the only mentee


async def test_a_mentee_cannot_book_or_list_a_mentors_meetings(
    service: MentorService, session_factory: Sessions
) -> None:
    _, mentee = await mentor_and_mentee(service, session_factory)
    for command in ("/meet", "/meet Sam", "/meetings"):
        assert (await mentee.send(command))[0].text == refusal(command.split()[0][1:])
    assert await all_meetings(session_factory) == []


async def test_mentee_confirms_and_the_mentor_hears_once(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, mentee = await mentor_and_mentee(service, session_factory)
    await book(mentor)
    (meeting,) = await all_meetings(session_factory)
    token = f"mt-{meeting.id}"
    assert await tap_sent_button(mentee, token, "confirm") == [
        Reply("Thank you. See you on Tue 3 Mar at 10:00.")
    ]
    assert await tap_sent_button(mentee, token, "confirm") == [Reply(texts.MEETING_ALREADY_TOLD)]
    (meeting,) = await all_meetings(session_factory)
    assert meeting.status is MeetingStatus.CONFIRMED
    notices = [
        row
        for row in (await outbox_rows(session_factory)).values()
        if "answer" in row.idempotency_key
    ]
    confirmed = "Sam confirmed the meeting on Tue 3 Mar at 10:00."
    assert [(row.idempotency_key, row.text) for row in notices] == [
        (f"meeting:{meeting.id}:answer:confirm", confirmed)
    ]
    assert notices[0].person_id == meeting.mentor_id and not notices[0].respect_quiet_hours


@pytest.mark.parametrize(
    ("answer", "status", "reply"),
    [
        ("decline", MeetingStatus.DECLINED, "That's OK. We will let Alex know you can't make it."),
        ("move", MeetingStatus.MOVE_REQUESTED, "OK. Alex will get in touch with another time."),
    ],
)
async def test_cant_come_or_another_time_withdraws_reminders_and_tells_the_mentor(
    answer: str,
    status: MeetingStatus,
    reply: str,
    service: MentorService,
    session_factory: Sessions,
    clock: FakeClock,
) -> None:
    mentor, mentee = await mentor_and_mentee(service, session_factory)
    await book(mentor)
    (meeting,) = await all_meetings(session_factory)
    async with session_factory() as session, session.begin():
        reminder = Queued(
            person_id=meeting.mentee_id,
            key=f"meeting:{meeting.id}:mentee-2h",
            kind="reminder",
            text="See you soon",
            not_before=meeting.starts_at,
        )
        await outbox.enqueue(session, reminder, now=clock())
    assert await tap_sent_button(mentee, f"mt-{meeting.id}", answer) == [Reply(reply)]
    (meeting,) = await all_meetings(session_factory)
    assert meeting.status is status
    rows = await outbox_rows(session_factory)
    assert rows[f"meeting:{meeting.id}:mentee-2h"].status is OutboxStatus.SKIPPED
    assert rows[f"meeting:{meeting.id}:invite"].status is OutboxStatus.SKIPPED
    notice = rows[f"meeting:{meeting.id}:answer:{answer}"]
    assert notice.status is OutboxStatus.PENDING and notice.text.endswith("/meet Sam")


@pytest.mark.parametrize(
    ("typed", "status"),
    [
        ("confirm", MeetingStatus.CONFIRMED),
        ("Confirm!", MeetingStatus.CONFIRMED),
        ("cant make it", MeetingStatus.DECLINED),
        ("I can't make it", MeetingStatus.DECLINED),
        ("ask for another time", MeetingStatus.MOVE_REQUESTED),
        ("another time please", MeetingStatus.MOVE_REQUESTED),
    ],
)
async def test_a_mentee_types_the_invitations_own_words(
    typed: str, status: MeetingStatus, service: MentorService, session_factory: Sessions
) -> None:
    mentor, mentee = await mentor_and_mentee(service, session_factory)
    await mentee.send("/cancel")  # no flow open: the invitation is the last thing asked
    await book(mentor)
    replies = await mentee.send(typed)
    assert texts.MENU not in [reply.text for reply in replies]
    (meeting,) = await all_meetings(session_factory)
    assert meeting.status is status
    assert f"meeting:{meeting.id}:answer:" in " ".join(await outbox_rows(session_factory))


async def test_typed_meeting_words_are_not_taken_inside_a_flow_or_once_answered(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, mentee = await mentor_and_mentee(service, session_factory)
    await book(mentor)
    await mentee.send("confirm")  # mid check-in: an answer to the check-in, not the meeting
    (meeting,) = await all_meetings(session_factory)
    assert meeting.status is MeetingStatus.PROPOSED
    await mentee.send("/cancel")
    for unclear in ("2", "maybe", "it", "dont confirm"):
        await mentee.send(unclear)
    assert (await all_meetings(session_factory))[0].status is MeetingStatus.PROPOSED
    await mentee.send("cant make it")
    assert (await all_meetings(session_factory))[0].status is MeetingStatus.DECLINED
    replies = await mentee.send("confirm")  # no invitation waits now: the menu, as before
    assert (await all_meetings(session_factory))[0].status is MeetingStatus.DECLINED
    assert replies[0].text != texts.MEETING_ALREADY_TOLD


async def test_a_mentee_mid_checkin_answers_a_meeting_and_carries_on(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, mentee = await mentor_and_mentee(service, session_factory)
    await mentee.send("yes")
    assert question_number(mentee.question) == 2
    await book(mentor)
    (meeting,) = await all_meetings(session_factory)
    await tap_sent_button(mentee, f"mt-{meeting.id}", "confirm")
    assert mentee.texts[0].startswith("Thank you. See you on")
    shown = await mentee.send("/meeting")
    assert shown[0].text == (
        "Your next meeting is with Alex on Tue 3 Mar at 10:00, at Hub clinic, front desk."
    )
    assert shown[0].token == f"mt-{meeting.id}"
    await mentee.send("no")
    assert question_number(mentee.question) == 3


async def test_nobody_else_can_answer_or_manage_a_meeting(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, _ = await mentor_and_mentee(service, session_factory)
    other_mentor = await add_staff(session_factory, service, name="Kim", phone="+447700900002")
    other = await joined_mentee(
        service, session_factory, other_mentor, name="Lee", phone=OTHER_MENTEE_PHONE
    )
    await book(mentor)
    (meeting,) = await all_meetings(session_factory)
    refused = [Reply(texts.MEETING_NOT_YOURS)]
    assert await tap_sent_button(other, f"mt-{meeting.id}", "decline") == refused
    kim = Chat(service, sender=Sender(Channel.CONSOLE, "+447700900002"))
    assert await tap_sent_button(kim, f"mm-{meeting.id}", "cancel") == refused
    assert await tap_sent_button(kim, f"mo-{meeting.id}", "met") == refused
    assert await tap_sent_button(kim, "mt-999", "confirm") == refused
    (meeting,) = await all_meetings(session_factory)
    assert meeting.status is MeetingStatus.PROPOSED and meeting.outcome is None


async def test_mentor_records_what_happened_and_may_change_it(
    service: MentorService, session_factory: Sessions, clock: FakeClock
) -> None:
    mentor, _ = await mentor_and_mentee(service, session_factory)
    await book(mentor)
    (meeting,) = await all_meetings(session_factory)
    clock.advance(days=1, hours=1, minutes=30)
    assert await tap_sent_button(mentor, f"mo-{meeting.id}", "met") == [Reply(texts.OUTCOME_NOTED)]
    (meeting,) = await all_meetings(session_factory)
    assert meeting.outcome is MeetingOutcome.MET and meeting.outcome_at == clock()
    replies = await tap_sent_button(mentor, f"mo-{meeting.id}", "no_show")
    assert replies == [Reply("Thanks, changed to: Didn't come.")]
    (meeting,) = await all_meetings(session_factory)
    assert meeting.outcome is MeetingOutcome.NO_SHOW


async def test_mentor_cancels_from_the_list_and_the_mentee_is_told(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, mentee = await mentor_and_mentee(service, session_factory)
    await book(mentor)
    (meeting,) = await all_meetings(session_factory)
    (listed,) = await mentor.send("/meetings")
    assert listed.text == "Sam: Tue 3 Mar at 10:00, Hub clinic, front desk (not confirmed yet)."
    assert listed.token == f"mm-{meeting.id}" and labels(listed) == ["Cancel", "Move"]
    assert await mentor.tap("Cancel") == [Reply("Cancelled. Sam will be told.")]
    rows = await outbox_rows(session_factory)
    told = rows[f"meeting:{meeting.id}:cancelled"]
    assert told.person_id == meeting.mentee_id and told.respect_quiet_hours
    assert told.expires_at == meeting.starts_at and "Alex" in told.text
    assert rows[f"meeting:{meeting.id}:invite"].status is OutboxStatus.SKIPPED
    assert await tap_sent_button(mentee, f"mt-{meeting.id}", "confirm") == [
        Reply(texts.MEETING_NOT_ON)
    ]
    assert await mentor.tap("Cancel", reply=listed) == [Reply(texts.MEETING_GONE)]
    assert await mentor.send("/meetings") == [Reply(texts.MEETINGS_NONE)]
    assert await mentee.send("/meeting") == [Reply(texts.MEETING_NONE)]


async def test_mentor_moves_a_meeting_and_the_old_time_is_cancelled(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, _ = await mentor_and_mentee(service, session_factory)
    await book(mentor)
    await mentor.send("/meetings")
    await mentor.tap("Move")
    assert mentor.question.text.startswith("Meeting with Sam. Which day?")
    await mentor.tap("Thu 5 Mar")
    await mentor.tap("15:00")
    await mentor.tap("Local library")
    assert mentor.texts == [
        "Booked: Sam, Thu 5 Mar at 15:00, Local library. Sam has been asked to confirm. "
        "The earlier time (Tue 3 Mar at 10:00) is cancelled."
    ]
    old, new = await all_meetings(session_factory)
    assert old.status is MeetingStatus.CANCELLED and new.status is MeetingStatus.PROPOSED
    rows = await outbox_rows(session_factory)
    assert rows[f"meeting:{old.id}:invite"].status is OutboxStatus.SKIPPED
    assert f"meeting:{old.id}:cancelled" not in rows  # the new invitation says it all
    assert "instead of Tue 3 Mar at 10:00" in rows[f"meeting:{new.id}:invite"].text


async def test_an_answer_after_the_meeting_has_started_changes_nothing(
    service: MentorService, session_factory: Sessions, clock: FakeClock
) -> None:
    mentor, mentee = await mentor_and_mentee(service, session_factory)
    await book(mentor)
    clock.advance(days=1)
    (meeting,) = await all_meetings(session_factory)
    replies = await tap_sent_button(mentee, f"mt-{meeting.id}", "decline")
    assert replies == [Reply(texts.MEETING_NOT_ON)]
    assert (await all_meetings(session_factory))[0].status is MeetingStatus.PROPOSED
    assert await tap_sent_button(mentor, f"mm-{meeting.id}", "move") == [Reply(texts.MEETING_GONE)]


async def test_the_mentee_sees_their_next_meeting_or_a_kind_line(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, mentee = await mentor_and_mentee(service, session_factory)
    assert await mentee.send("/meeting") == [Reply(texts.MEETING_NONE)]
    await book(mentor, day="Thu 5 Mar")
    await book(mentor, day="Wed 4 Mar", at="16:00")
    (shown,) = await mentee.send("/meeting")
    assert "Wed 4 Mar at 16:00" in shown.text
    assert labels(shown) == [texts.MEETING_CONFIRM, texts.MEETING_CANT, texts.MEETING_MOVE]
    await mentee.tap(texts.MEETING_CANT)
    (shown,) = await mentee.send("/meeting")
    assert "Thu 5 Mar at 10:00" in shown.text


async def test_tapped_booking_answers_are_marked_answered(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, _ = await mentor_and_mentee(service, session_factory)
    await mentor.send("/meet")
    question = mentor.question
    choice = question.choices[1]
    tap = InboundMessage(sender=mentor.sender, choice=choice.value, token=question.token)
    handled = await service.handle(tap, external_id=None)
    assert handled is not None and handled.outcome.answered is not None
    assert handled.outcome.answered.label == "Tue 3 Mar"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("5/3", date(2026, 3, 5)),
        ("05/03", date(2026, 3, 5)),
        ("5.3.27", date(2027, 3, 5)),
        ("today", date(2026, 3, 2)),
        ("Tomorrow", date(2026, 3, 3)),
        ("2026-03-09", date(2026, 3, 9)),
        ("1/3", date(2026, 3, 1)),  # yesterday: a slip, refused by the flow as past
        ("5/1", date(2026, 1, 5)),  # two months back: a slip too, not next January
        ("tmrw", date(2026, 3, 3)),
        ("next tue", date(2026, 3, 3)),
        ("monday", date(2026, 3, 9)),  # today is a Monday: a week on
        ("Fri", date(2026, 3, 6)),
        ("14 Mar", date(2026, 3, 14)),
        ("April 14th", date(2026, 4, 14)),
        ("Dec 14", date(2025, 12, 14)),  # under 180 days back: a slip, refused as past
        ("Tue 3 Mar", date(2026, 3, 3)),
        ("31/2", None),
        ("next week", None),
        ("", None),
    ],
)
def test_parse_day(typed: str, expected: date | None) -> None:
    assert parse_day(typed, date(2026, 3, 2)) == expected


def test_a_january_date_typed_in_december_is_next_year() -> None:
    assert parse_day("5/1", date(2026, 12, 20)) == date(2027, 1, 5)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14:00", time(14)),
        ("9:30", time(9, 30)),
        ("09:30", time(9, 30)),
        ("9.30", time(9, 30)),
        ("2pm", time(14)),
        ("10 am", time(10)),
        ("12pm", time(12)),
        ("21:00", time(21)),
        ("3:00", None),  # the small hours: surely 15:00 was meant, so ask
        ("21:30", None),
        ("9:75", None),
        ("9", None),  # a bare number: the number of a listed time, or an hour? Ask.
        ("13pm", None),
        ("7pm", time(19)),
        ("7.30pm", time(19, 30)),
        ("9pm", time(21)),
        ("evening", time(18)),
        ("morning", time(10)),
        ("noon", time(12)),
        ("1900", time(19)),
    ],
)
def test_parse_time(typed: str, expected: time | None) -> None:
    assert parse_time(typed) == expected


def test_describe_when_has_no_leading_zero_on_the_day() -> None:
    assert describe_when(datetime(2026, 3, 2, 9, 30, tzinfo=UTC), LONDON) == "Mon 2 Mar at 09:30"
    summer = datetime(2026, 7, 9, 13, 5, tzinfo=UTC)
    assert describe_when(summer, LONDON) == "Thu 9 Jul at 14:05"
