"""The end of mentoring as people live it: /close, the exit check, the closing summaries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.authorisation import refusal
from bot.delivery.sms_text import BUDGET, length, render
from bot.flows import texts
from bot.flows.battery import FULL_BATTERY
from bot.instruments import Instrument
from bot.messages import Channel, InboundMessage, Sender
from bot.reports.charts import _build_figure
from bot.service import MentorService
from bot.storage import goals, people
from bot.storage.models import (
    Episode,
    EpisodeStatus,
    GoalStatus,
    OutboxMessage,
    Person,
    Role,
)
from tests.conftest import LONDON, FakeClock
from tests.readability import is_gsm7
from tests.utils import (
    MENTOR_PHONE,
    Chat,
    add_staff,
    carry_on_at_break,
    joined_mentee,
    overall_number,
    question_number,
    tap_sent_button,
)

Plan = Callable[[str, int], int]  # (instrument id, item position) -> the value tapped


def baseline_plan(instrument: str, position: int) -> int:
    if instrument == "arc":
        return 1 if position % 3 == 0 else 0  # 17 of 50 agreed
    return 1 + position % 5  # 1, 2, 3, 4, 5, 1, ...


def exit_plan(instrument: str, position: int) -> int:
    if instrument == "arc":
        return 0 if position % 5 == 0 else 1  # 40 of 50 agreed
    if instrument == "cest_self_esteem":
        return (5, 1, 4, 2, 1, 2)[position]
    return 5 - position % 3  # 5, 4, 3, 5, 4


def expected(instruments: dict[str, Instrument], plan: Plan) -> dict[str, int]:
    """The numbers worked out from the answers: ARC agreed count; CEST mean x 10, the
    negatively worded items counted backwards (6 - answer)."""
    arc_items = instruments["arc"].items
    numbers = {"arc": sum(plan("arc", n) for n in range(len(arc_items)))}
    for name, scale in (("esteem", "cest_self_esteem"), ("efficacy", "cest_self_efficacy")):
        items = instruments[scale].items
        points = [
            6 - plan(scale, n) if item.reflected else plan(scale, n)
            for n, item in enumerate(items)
        ]
        numbers[name] = round(sum(points) / len(points) * 10)
    return numbers


async def answer_full_check(chat: Chat, instruments: dict[str, Instrument], plan: Plan) -> None:
    """Taps through a full check from its first question, each answer chosen by the plan."""
    queue = [(name, n) for name in FULL_BATTERY for n in range(len(instruments[name].items))]
    assert question_number(chat.question) == 1
    for number, (name, position) in enumerate(queue, start=1):
        await carry_on_at_break(chat)
        assert overall_number(chat.question.text) == number
        value = str(plan(name, position))
        await chat.tap(next(c.label for c in chat.question.choices if c.value == value))


async def episode_of(session_factory: async_sessionmaker[AsyncSession], name: str) -> Episode:
    async with session_factory() as session:
        query = select(Episode).join(Person, Person.id == Episode.mentee_id)
        return (await session.execute(query.where(Person.display_name == name))).scalar_one()


async def outbox_to(
    session_factory: async_sessionmaker[AsyncSession], person_id: int
) -> list[OutboxMessage]:
    async with session_factory() as session:
        query = select(OutboxMessage).where(OutboxMessage.person_id == person_id)
        return list((await session.execute(query.order_by(OutboxMessage.id))).scalars())


@pytest.fixture
async def mentor(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> Person:
    return await add_staff(session_factory, service)


@pytest.fixture
def mentor_chat(service: MentorService) -> Chat:
    return Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))


async def mentee_after_baseline(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
    mentor: Person,
) -> Chat:
    chat = await joined_mentee(service, session_factory, mentor)
    await answer_full_check(chat, instruments, baseline_plan)
    assert chat.question.text == texts.PRIORITIES_ASK
    await chat.send("1")  # what matters most now: one area is enough
    await chat.send("Done")
    assert chat.last[-1].text == texts.ASK_CHECKIN_DAY
    return chat


async def test_closing_summary_has_the_right_before_and_after_numbers(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
    clock: FakeClock,
    mentor: Person,
    mentor_chat: Chat,
) -> None:
    chat = await mentee_after_baseline(service, session_factory, instruments, mentor)
    episode = await episode_of(session_factory, "Sam")
    async with session_factory() as session, session.begin():
        for title, status in (("Cook a meal", GoalStatus.DONE), ("See GP", GoalStatus.ACTIVE)):
            goal = await goals.add_goal(
                session,
                person_id=episode.mentee_id,
                episode_id=episode.id,
                domain="physical_health",
                title=title,
                set_by=(episode.mentee_id, Role.MENTEE),
                now=clock.now,
            )
            goals.set_status(goal, status, now=clock.now)
    clock.advance(days=40)

    replies = await mentor_chat.send("/close Sam moving away")
    grace_end = clock.now.astimezone(LONDON).date() + timedelta(days=14)
    assert replies[0].text == texts.CLOSE_OFFERED.format(
        name="Sam", day=f"{grace_end:%a} {grace_end.day} {grace_end:%b}"
    )
    offer = (await outbox_to(session_factory, episode.mentee_id))[-1]
    assert offer.text == texts.CLOSE_OFFER
    assert offer.payload == {"token": "menu", "choices": [[texts.START_NOW, "/checkin"]]}
    assert (await episode_of(session_factory, "Sam")).status is EpisodeStatus.ACTIVE

    await tap_sent_button(chat, "menu", "/checkin")
    assert chat.question.text.startswith("Part 1 of 3, question 1 of 50: ")
    await answer_full_check(chat, instruments, exit_plan)

    before, after = expected(instruments, baseline_plan), expected(instruments, exit_plan)
    # Worked by hand as well, so a slip in `expected` cannot hide one in the code. Self-esteem
    # items 2, 4, 5 and 6 and self-efficacy item 5 count backwards: baseline self-esteem
    # 1+4+3+2+1+5 = 16 -> 26.7, self-efficacy 1+2+3+4+1 = 11 -> 22; at the end
    # 5+5+4+4+5+4 = 27 -> 45 and 5+4+3+5+2 = 19 -> 38.
    assert (before, after) == (
        {"arc": 17, "esteem": 27, "efficacy": 22},
        {"arc": 40, "esteem": 45, "efficacy": 38},
    )
    done, summary, support = chat.last
    assert done.text == texts.ALL_DONE
    for template, name, area in (
        (texts.CLOSING_ARC, "arc", ""),
        (texts.CLOSING_ESTEEM, "esteem", "Self-worth"),
        (texts.CLOSING_EFFICACY, "efficacy", "Coping"),
    ):
        assert template.format(before=before[name], after=after[name], area=area) in summary.text
    assert "Goals you reached (1):\n- Cook a meal" in summary.text
    assert "See GP" not in summary.text
    arc_panel, cest_panel = summary.picture
    assert [s.label for s in arc_panel.series] == ["Start (2 Mar)", "End (11 Apr)"]
    assert [round(sum(s.values)) for s in arc_panel.series] == [17, 40]
    assert [tuple(round(v) for v in s.values) for s in cest_panel.series] == [(27, 22), (45, 38)]
    # The picture prints what the chat says: 26.7 is "27" in both (one rounding rule).
    assert cest_panel.series[0].values[0] == pytest.approx(80 / 3)
    printed = [t.get_text() for t in _build_figure([cest_panel]).axes[0].texts]
    assert printed == ["27", "22", "45", "38"]
    assert cest_panel.categories == ("Self-worth", "Coping")
    assert texts.CLOSING_SUPPORT in support.text and texts.CRISIS_LINES in support.text

    ended = await episode_of(session_factory, "Sam")
    assert ended.status is EpisodeStatus.ENDED
    assert ended.ended_on == clock.now.astimezone(LONDON).date()
    assert ended.end_reason == "moving away"
    to_mentor = (await outbox_to(session_factory, mentor.id))[-1]
    assert to_mentor.idempotency_key == f"closing:{episode.id}:mentor"
    assert to_mentor.text.startswith("Sam's mentoring has ended. Reason: moving away")
    assert "ARC total 17 -> 40 (of 50)" in to_mentor.text
    assert "Self-worth (Self-esteem) 27 -> 45 (of 50)" in to_mentor.text
    assert "Coping (Self-efficacy) 22 -> 38 (of 50)" in to_mentor.text
    assert "Goals done (1): Cook a meal" in to_mentor.text


async def test_after_the_end_the_mentee_is_answered_kindly(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
    mentor: Person,
    mentor_chat: Chat,
) -> None:
    chat = await mentee_after_baseline(service, session_factory, instruments, mentor)
    await mentor_chat.send("/close Sam moving away")
    await tap_sent_button(chat, "menu", "/checkin")
    await answer_full_check(chat, instruments, exit_plan)

    replies = await chat.send("hello?")
    assert replies[0].text == texts.ENDED_MENU
    assert [c.value for c in replies[0].choices] == ["/find", "/summary", "/help"]
    assert (await chat.send("/checkin"))[0].text == texts.NO_EPISODE
    again = await chat.tap(texts.MENU_SUMMARY, reply=replies[0])
    assert texts.CLOSING_ARC.format(before=17, after=40) in again[0].text
    assert len(again[0].picture) == 2


async def test_close_by_another_mentor_or_a_mentee_changes_nothing(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
    mentor: Person,
) -> None:
    chat = await mentee_after_baseline(service, session_factory, instruments, mentor)
    await add_staff(session_factory, service, name="Jo", phone="+447700900002")
    other = Chat(service, sender=Sender(Channel.CONSOLE, "+447700900002"))
    episode = await episode_of(session_factory, "Sam")
    queued = len(await outbox_to(session_factory, episode.mentee_id))

    replies = await other.send("/close Sam moving away")
    assert replies[0].text == texts.NO_SUCH_MENTEE.format(name="Sam")
    replies = await chat.send("/close Sam moving away")
    assert replies[0].text == refusal("close")

    unchanged = await episode_of(session_factory, "Sam")
    assert (unchanged.status, unchanged.planned_end_on, unchanged.end_reason) == (
        EpisodeStatus.ACTIVE,
        episode.planned_end_on,
        None,
    )
    assert len(await outbox_to(session_factory, episode.mentee_id)) == queued


async def test_a_missing_or_long_reason_is_asked_for(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
    mentor: Person,
    mentor_chat: Chat,
) -> None:
    await mentee_after_baseline(service, session_factory, instruments, mentor)
    assert (await mentor_chat.send("/close"))[0].text == texts.ARG_ASK_MENTEE
    replies = await mentor_chat.send("/close sam")
    assert replies[0].text == texts.CLOSE_ASK_REASON.format(name="Sam")
    assert replies[0].token is not None and not replies[0].choices  # typed, never tapped
    forged = InboundMessage(sender=mentor_chat.sender, choice="moving", token=replies[0].token)
    await mentor_chat._deliver(forged)
    assert mentor_chat.stale and (await episode_of(session_factory, "Sam")).end_reason is None
    replies = await mentor_chat.send("x" * 201)
    assert [r.text for r in replies] == [
        texts.CLOSE_REASON_TOO_LONG,
        texts.CLOSE_ASK_REASON.format(name="Sam"),
    ]
    assert (await episode_of(session_factory, "Sam")).end_reason is None
    replies = await mentor_chat.send("  found work,   no time  ")
    assert replies[0].text.startswith("Done. Sam has been offered")
    assert (await episode_of(session_factory, "Sam")).end_reason == "found work, no time"


async def test_supervisor_closes_and_the_mentor_is_told(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
    mentor: Person,
) -> None:
    await mentee_after_baseline(service, session_factory, instruments, mentor)
    await add_staff(
        session_factory, service, name="Pat", role=Role.SUPERVISOR, phone="+447700900003"
    )
    pat = Chat(service, sender=Sender(Channel.CONSOLE, "+447700900003"))
    replies = await pat.send("/close Sam moved to Leeds")
    assert replies[0].text.startswith("Done. Sam has been offered")
    notice = (await outbox_to(session_factory, mentor.id))[-1]
    assert notice.text == texts.CLOSE_NOTICE_MENTOR.format(
        closer="Pat", name="Sam", reason="moved to Leeds"
    )


async def test_no_first_check_means_mentoring_ends_at_once(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    mentor: Person,
    mentor_chat: Chat,
) -> None:
    await joined_mentee(service, session_factory, mentor)
    replies = await mentor_chat.send("/close Sam did not engage")
    assert replies[0].text == texts.CLOSE_ENDED.format(name="Sam")
    episode = await episode_of(session_factory, "Sam")
    assert episode.status is EpisodeStatus.ENDED
    to_mentor = (await outbox_to(session_factory, mentor.id))[-1]
    assert texts.CLOSING_MENTOR_NO_SCORES.format(name="Sam") in to_mentor.text
    kinds = [m.idempotency_key for m in await outbox_to(session_factory, episode.mentee_id)]
    assert kinds[-2:] == [f"closing:{episode.id}:mentee", f"closing:{episode.id}:support"]


async def test_sms_mentee_gets_the_summary_in_two_texts_within_budget(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
    mentor: Person,
    mentor_chat: Chat,
) -> None:
    chat = await mentee_after_baseline(service, session_factory, instruments, mentor)
    episode = await episode_of(session_factory, "Sam")
    async with session_factory() as session, session.begin():
        for title in ("A goal with a long name, " * 7, "Another one"):
            goal = await goals.add_goal(
                session,
                person_id=episode.mentee_id,
                episode_id=episode.id,
                domain="housing",
                title=title,
                set_by=(episode.mentee_id, Role.MENTEE),
                now=service.clock(),
            )
            goals.set_status(goal, GoalStatus.DONE, now=service.clock())
    chat.sender = Sender(Channel.SMS, chat.sender.address)
    await mentor_chat.send("/close Sam moving away")
    await chat.send("/checkin")
    await answer_full_check(chat, instruments, exit_plan)
    done, summary, support = chat.last
    assert done.text == texts.ALL_DONE
    assert summary.text == (
        f"{texts.SMS_CLOSING} "
        + texts.SMS_CLOSING_SCORES.format(
            arc_before=17,
            arc_after=40,
            esteem_before=27,
            esteem_after=45,
            efficacy_before=22,
            efficacy_after=38,
            esteem_name="Self-worth",
            efficacy_name="Coping",
        )
        + " Goals you reached: 2."
    )
    assert support.text == texts.SMS_CLOSING_SUPPORT
    for reply in (summary, support):
        assert not reply.picture
        assert is_gsm7(reply.text) and length(reply.text) <= BUDGET
        assert len(render(reply)) == 1
    async with session_factory() as session:
        assert await people.active_episode(session, episode.mentee_id) is None
