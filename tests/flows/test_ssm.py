"""The self-sufficiency matrix as a mentor lives it: rating with a mentee, pausing, reviewing.

The clock starts on Monday 2 March 2026 at 10:00 in London; a mentee who joins then has an
episode planned to end on 2 September.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.authorisation import refusal
from bot.flows import texts
from bot.flows.context import FlowContext
from bot.flows.ssm import rating_timepoint, summary_lines
from bot.instruments import Instrument
from bot.instruments.ssm import shipped_matrix
from bot.messages import Channel, Sender
from bot.service import MentorService
from bot.storage import conversations, people
from bot.storage.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    ConversationState,
    Episode,
    Person,
    Score,
    Timepoint,
)
from tests.conftest import LONDON, FakeClock
from tests.flows.test_checkin import ALL_POSITIVE, answer_all
from tests.utils import MENTOR_PHONE, Chat, add_staff, joined_mentee, question_number

Sessions = async_sessionmaker[AsyncSession]
DOMAINS = [domain.id for domain in shipped_matrix().domains]
NAMES = [domain.name for domain in shipped_matrix().domains]
LEVEL_LABELS = [
    "1 In crisis",
    "2 Vulnerable",
    "3 Safe",
    "4 Building capacity",
    "5 Empowered",
]
OTHER_MENTOR_PHONE = "+447700900002"
OTHER_MENTEE_PHONE = "+447700900456"


async def mentor_and_mentee(service: MentorService, sessions: Sessions) -> tuple[Chat, Chat]:
    mentor = await add_staff(sessions, service)
    mentee = await joined_mentee(service, sessions, mentor)
    return Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE)), mentee


def domain_number(mentor: Chat) -> int:
    """The '3' in 'Sam, 3 of 12: Debt'."""
    match = re.match(r"\w+, (\d+) of 12: ", mentor.question.text)
    assert match is not None, mentor.question.text
    return int(match.group(1))


async def rate_by_taps(mentor: Chat, levels: Sequence[int | None]) -> None:
    """Taps one level per domain still to rate (None taps Skip)."""
    for level in levels:
        await mentor.tap(texts.SKIP_LABEL if level is None else LEVEL_LABELS[level - 1])


async def rated(sessions: Sessions) -> list[Assessment]:
    async with sessions() as session:
        query = select(Assessment).where(Assessment.rated_by_id.is_not(None))
        return list(await session.scalars(query.order_by(Assessment.id)))


async def answers_of(sessions: Sessions, assessment_id: int) -> dict[str, int | None]:
    async with sessions() as session:
        rows = await session.scalars(select(Answer).where(Answer.assessment_id == assessment_id))
        return {row.item_id: row.value for row in rows if row.instrument == "ssm"}


async def scores_of(sessions: Sessions, assessment_id: int) -> dict[str, float]:
    async with sessions() as session:
        rows = await session.scalars(select(Score).where(Score.assessment_id == assessment_id))
        return {row.key: row.value for row in rows if row.instrument == "ssm"}


async def person_named(sessions: Sessions, name: str) -> Person:
    async with sessions() as session:
        return (await session.scalars(select(Person).where(Person.display_name == name))).one()


async def test_rating_by_buttons_stores_one_assessment_rated_by_the_mentor(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, _ = await mentor_and_mentee(service, session_factory)
    await mentor.send("/rate")
    assert mentor.question.text == texts.SSM_WHO
    assert [choice.label for choice in mentor.question.choices] == ["Sam"]
    await mentor.tap("Sam")
    first = mentor.question
    assert first.text.splitlines() == [
        "Sam, 1 of 12: Housing",
        "1 In crisis: Homeless, sleeping rough, or at risk of losing their home this week",
        "2 Vulnerable: Sofa surfing, in emergency B&B or a hostel, or home at risk "
        "(arrears, notice)",
        "3 Safe: In temporary or supported housing that is safe for now",
        "4 Building capacity: Settled tenancy; rent and bills paid most months, with some help",
        "5 Empowered: Secure, affordable home of their choice; keeps it up without help",
        texts.SSM_HOW,
    ]
    assert [choice.label for choice in first.choices] == LEVEL_LABELS
    assert [choice.label for choice in first.controls] == [texts.SKIP_LABEL]  # no Back yet
    levels = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 2, 2]
    await rate_by_taps(mentor, levels[:-1])
    assert mentor.question.text.startswith("Sam, 12 of 12: Life skills\n")
    await rate_by_taps(mentor, levels[-1:])

    saved, view = mentor.texts
    assert saved == "Saved: Sam's self-sufficiency rating (baseline)."
    assert view.splitlines()[:3] == [
        "Self-sufficiency, rated with Sam on Mon 2 Mar (baseline):",
        "Housing: 1 In crisis",
        "Income and benefits: 2 Vulnerable",
    ]
    assert "Average: 2.8 of 5" in view
    assert view.splitlines()[-1] == "ARC: Sam has not finished a full check yet."

    sam = await person_named(session_factory, "Sam")
    alex = await person_named(session_factory, "Alex")
    (rating,) = await rated(session_factory)
    async with session_factory() as session:
        episode = await people.active_episode(session, sam.id)
        assert await session.get(ConversationState, alex.id) is None
    assert episode is not None
    assert (rating.person_id, rating.episode_id) == (sam.id, episode.id)
    assert rating.rated_by_id == alex.id
    assert rating.timepoint is Timepoint.BASELINE and rating.status is AssessmentStatus.COMPLETE
    assert await answers_of(session_factory, rating.id) == dict(zip(DOMAINS, levels, strict=True))
    scores = await scores_of(session_factory, rating.id)
    assert scores["score"] == pytest.approx(34 / 12)
    assert {key: value for key, value in scores.items() if key != "score"} == {
        f"domain:{domain}": level for domain, level in zip(DOMAINS, levels, strict=True)
    }


async def test_rating_by_typing_with_a_skipped_domain(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, _ = await mentor_and_mentee(service, session_factory)
    await mentor.send("/rate sam")
    typed = ["3", "4", "skip", "Safe", "5 empowered", "2", "3", "3", "4", "4", "3", "3."]
    for number, answer in enumerate(typed, start=1):
        if number < 12:
            assert domain_number(mentor) == number
        await mentor.send(answer)
    saved, view = mentor.texts
    assert saved == (
        "Saved: Sam's self-sufficiency rating (baseline). "
        "Not rated (skipped, nothing stored): Debt."
    )
    assert "Debt: not rated this time" in view.splitlines()
    (rating,) = await rated(session_factory)
    expected = dict(zip(DOMAINS, [3, 4, None, 3, 5, 2, 3, 3, 4, 4, 3, 3], strict=True))
    del expected["debt"]
    assert await answers_of(session_factory, rating.id) == expected
    scores = await scores_of(session_factory, rating.id)
    assert scores["score"] == pytest.approx(37 / 11)
    assert "domain:debt" not in scores


async def test_every_domain_skipped_saves_nothing(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, _ = await mentor_and_mentee(service, session_factory)
    await mentor.send("/rate Sam")
    await rate_by_taps(mentor, [None] * 12)
    assert mentor.texts == ["Every area was skipped, so nothing was saved for Sam."]
    assert await rated(session_factory) == []


async def test_back_goes_to_the_area_before_and_forgets_its_level(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, _ = await mentor_and_mentee(service, session_factory)
    await mentor.send("/rate Sam")
    await mentor.send("back")  # nothing before the first area: said so, then asked again
    assert mentor.texts[0] == texts.NOTHING_BEFORE
    assert domain_number(mentor) == 1
    await rate_by_taps(mentor, [5, 4])
    assert [choice.label for choice in mentor.question.controls] == [
        texts.BACK_LABEL,
        texts.SKIP_LABEL,
    ]
    await mentor.tap(texts.BACK_LABEL)
    assert domain_number(mentor) == 2
    await mentor.send("go back")
    assert domain_number(mentor) == 1
    await rate_by_taps(mentor, [1, 2, *[3] * 10])
    (rating,) = await rated(session_factory)
    levels = await answers_of(session_factory, rating.id)
    assert [levels[domain] for domain in DOMAINS[:3]] == [1, 2, 3]


async def test_bad_input_re_asks_and_keeps_the_ratings_so_far(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, _ = await mentor_and_mentee(service, session_factory)
    await mentor.send("/rate Sam")
    first_question = mentor.question
    await rate_by_taps(mentor, [5, 4])
    for wrong in ("7", "0", "banana", "", "/nonsense"):
        await mentor.send(wrong)
        assert mentor.question.text.startswith("Sam, 3 of 12: Debt\n"), wrong
    await mentor.send("banana")
    assert mentor.texts[0] == " ".join(
        (texts.REASK_SORRY, texts.REASK_CHAT_MANY.format(last=5), texts.REASK_SKIP_CHAT)
    )
    await mentor.tap("1 In crisis", reply=first_question)  # an old keyboard: not an answer
    assert mentor.stale
    await mentor.send("2")
    assert domain_number(mentor) == 4
    await rate_by_taps(mentor, [3] * 9)
    (rating,) = await rated(session_factory)
    answers = await answers_of(session_factory, rating.id)
    assert [answers[domain] for domain in DOMAINS[:4]] == [5, 4, 2, 3]


async def test_pause_and_resume_keeps_the_ratings(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, _ = await mentor_and_mentee(service, session_factory)
    await mentor.send("/rate Sam")
    await rate_by_taps(mentor, [1, 2, 3, 4])
    await mentor.send("/cancel")
    assert mentor.texts == [
        "Paused. Your ratings so far for Sam are kept. Send /rate Sam to carry on."
    ]
    await mentor.send("3")  # nothing is being asked: not taken as a rating
    assert mentor.texts == [texts.STAFF_HINT]
    await mentor.send("/upcoming Sam")  # other staff commands work while paused
    assert mentor.texts == ["Nothing is planned for Sam."]
    await mentor.send("/cancel")
    assert mentor.texts == [texts.NOTHING_TO_PAUSE]
    assert await rated(session_factory) == []

    await mentor.send("/rate Sam")
    resumed, question = mentor.last
    assert resumed.text == "Carrying on with Sam: 4 of 12 areas done."
    assert question.text.startswith("Sam, 5 of 12: Food\n")
    await rate_by_taps(mentor, [5] * 8)
    (rating,) = await rated(session_factory)
    answers = await answers_of(session_factory, rating.id)
    assert answers == dict(zip(DOMAINS, [1, 2, 3, 4, *[5] * 8], strict=True))
    await mentor.send("/cancel")
    assert mentor.texts == [texts.NOTHING_TO_PAUSE]


async def test_a_draft_for_one_mentee_survives_rating_another(
    service: MentorService, session_factory: Sessions
) -> None:
    alex = await add_staff(session_factory, service)
    await joined_mentee(service, session_factory, alex, name="Sam")
    await joined_mentee(service, session_factory, alex, name="Kim", phone=OTHER_MENTEE_PHONE)
    mentor = Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE))
    await mentor.send("/rate Sam")
    await rate_by_taps(mentor, [1, 1])
    await mentor.send("/rate")
    assert [choice.label for choice in mentor.question.choices] == ["Kim", "Sam"]
    await mentor.tap("Kim")
    await rate_by_taps(mentor, [4] * 12)
    assert mentor.texts[0] == "Saved: Kim's self-sufficiency rating (baseline)."
    await mentor.send("/rate Sam")
    assert mentor.texts[0] == "Carrying on with Sam: 2 of 12 areas done."
    await rate_by_taps(mentor, [2] * 10)
    kim_rating, sam_rating = await rated(session_factory)
    assert (await answers_of(session_factory, sam_rating.id))["income"] == 1
    assert set((await answers_of(session_factory, kim_rating.id)).values()) == {4}


async def test_second_rating_is_a_review_and_shows_the_change(
    service: MentorService,
    session_factory: Sessions,
    clock: FakeClock,
    instruments: dict[str, Instrument],
) -> None:
    mentor, mentee = await mentor_and_mentee(service, session_factory)
    await answer_all(mentee, ALL_POSITIVE)  # Sam's own baseline ARC: every domain 5 of 5
    await mentor.send("/rate Sam")
    await rate_by_taps(mentor, [2] * 12)
    clock.advance(days=91)
    await mentor.send("/rate Sam")
    await rate_by_taps(mentor, [4, 1, 2, 3, None, 2, 2, 2, 2, 2, 2, 2])
    saved, view = mentor.texts
    assert saved.startswith("Saved: Sam's self-sufficiency rating (review).")
    lines = view.splitlines()
    assert lines[:7] == [
        "Self-sufficiency, rated with Sam on Mon 1 Jun (review):",
        "Housing: 4 Building capacity (first 2, +2)",
        "Income and benefits: 1 In crisis (first 2, -1)",
        "Debt: 2 Vulnerable (first 2, no change)",
        "Employment, training and education: 3 Safe (first 2, +1)",
        "Food: not rated this time",
        "Physical health and GP access: 2 Vulnerable (first 2, no change)",
    ]
    assert "Average: 2.2 of 5 (first 2.0)" in lines
    arc_at = lines.index("ARC, Sam's own answers on Mon 2 Mar: total 50 of 50")
    # The mentor sees the plain name Sam sees, with the instrument's term beside it.
    assert lines[arc_at + 1] == "Drink and drugs (Substance use and sobriety): 5 of 5"
    assert len(lines) == arc_at + 11

    _, review = await rated(session_factory)
    assert review.timepoint is Timepoint.THREE_MONTH
    sam = await person_named(session_factory, "Sam")
    async with session_factory() as session:
        ctx = FlowContext(session=session, instruments=instruments, clock=clock, zone=LONDON)
        assert await summary_lines(ctx, sam) == lines[: lines.index("")]


async def test_a_rating_near_the_planned_end_is_the_exit_rating(
    service: MentorService, session_factory: Sessions, clock: FakeClock
) -> None:
    mentor, _ = await mentor_and_mentee(service, session_factory)
    await mentor.send("/rate Sam")
    await rate_by_taps(mentor, [3] * 12)
    clock.advance(days=170)  # 19 August: the exit window opened on 19 August
    await mentor.send("/rate Sam")
    await rate_by_taps(mentor, [3] * 12)
    assert mentor.texts[0] == "Saved: Sam's self-sufficiency rating (end of mentoring)."
    assert [r.timepoint for r in await rated(session_factory)] == [
        Timepoint.BASELINE,
        Timepoint.EXIT,
    ]


def test_rating_timepoint_follows_the_episode() -> None:
    episode = Episode(started_on=date(2026, 3, 2), planned_end_on=date(2026, 9, 2))
    assert rating_timepoint(episode, False, date(2026, 8, 30)) is Timepoint.BASELINE
    assert rating_timepoint(episode, True, date(2026, 3, 3)) is Timepoint.THREE_MONTH
    assert rating_timepoint(episode, True, date(2026, 8, 18)) is Timepoint.THREE_MONTH
    assert rating_timepoint(episode, True, date(2026, 8, 19)) is Timepoint.EXIT


async def test_another_mentors_mentee_cannot_be_rated(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, _ = await mentor_and_mentee(service, session_factory)
    jo = await add_staff(session_factory, service, name="Jo", phone=OTHER_MENTOR_PHONE)
    await joined_mentee(service, session_factory, jo, name="Kim", phone=OTHER_MENTEE_PHONE)
    await mentor.send("/rate Kim")
    assert mentor.texts == ["I can't find a mentee of yours called Kim."]
    await mentor.send("/rate")
    assert [choice.label for choice in mentor.question.choices] == ["Sam"]
    await mentor.send("Kim")
    assert mentor.texts[0] == " ".join(
        (texts.REASK_SORRY, texts.REASK_CHAT_FEW.format(options="Sam"))
    )
    assert await rated(session_factory) == []


async def test_a_mentee_reassigned_mid_rating_is_not_saved(
    service: MentorService, session_factory: Sessions
) -> None:
    mentor, _ = await mentor_and_mentee(service, session_factory)
    jo = await add_staff(session_factory, service, name="Jo", phone=OTHER_MENTOR_PHONE)
    await mentor.send("/rate Sam")
    await rate_by_taps(mentor, [3] * 11)
    async with session_factory() as session, session.begin():
        await session.execute(update(Episode).values(mentor_id=jo.id))
    await rate_by_taps(mentor, [3])
    assert mentor.texts == ["Sam is no longer one of your mentees, so nothing was saved."]
    assert await rated(session_factory) == []


async def test_a_mentee_cannot_rate(service: MentorService, session_factory: Sessions) -> None:
    _, mentee = await mentor_and_mentee(service, session_factory)
    await mentee.send("/rate Sam")
    assert mentee.texts[0] == refusal("rate")
    assert question_number(mentee.question) == 1  # their own check-in is asked again
    assert await rated(session_factory) == []


async def test_a_rating_is_not_the_mentees_check_in(
    service: MentorService, session_factory: Sessions, instruments: dict[str, Instrument]
) -> None:
    mentor, mentee = await mentor_and_mentee(service, session_factory)
    async with session_factory() as session, session.begin():
        # Sam joined but never started: no sitting of their own at all.
        await session.execute(delete(Assessment))
        await session.execute(delete(ConversationState))
    await mentor.send("/rate Sam")
    await rate_by_taps(mentor, [3] * 12)
    await mentee.send("/checkin")
    arc = len(instruments["arc"].items)
    assert mentee.texts[0].endswith(instruments["arc"].intro)
    assert mentee.texts[1].startswith(f"Part 1 of 3, question 1 of {arc}: ")
    async with session_factory() as session:
        own = (
            await session.scalars(select(Assessment).where(Assessment.rated_by_id.is_(None)))
        ).one()
    assert own.timepoint is Timepoint.BASELINE and own.status is AssessmentStatus.IN_PROGRESS


async def test_a_paused_rating_saved_before_the_question_engine_still_carries_on(
    service: MentorService, session_factory: Sessions
) -> None:
    """Drafts are kept for weeks; the typed state reads the dict the old code stored."""
    mentor, _ = await mentor_and_mentee(service, session_factory)
    sam = await person_named(session_factory, "Sam")
    alex = await person_named(session_factory, "Alex")
    draft = {"name": "Sam", "started": service.clock().isoformat(), "ratings": {DOMAINS[0]: 2}}
    async with session_factory() as session, session.begin():
        await conversations.save_state(
            session,
            person_id=alex.id,
            flow="ssm",
            step="paused",
            data={"at": "paused", "drafts": {str(sam.id): draft}},
            now=service.clock(),
        )
    [resumed, question] = await mentor.send("/rate Sam")
    assert resumed.text == "Carrying on with Sam: 1 of 12 areas done."
    assert domain_number(mentor) == 2 and question.token
    await rate_by_taps(mentor, [3] * 11)
    (rating,) = await rated(session_factory)
    assert (await answers_of(session_factory, rating.id))[DOMAINS[0]] == 2
