"""What matters most: chosen after each full check, the mentor told, history kept."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.sms_text import length, render
from bot.flows import texts
from bot.instruments import Instrument
from bot.messages import Channel, Reply, Sender
from bot.service import MentorService
from bot.storage import goals
from bot.storage.models import Assessment, ConversationState, OutboxMessage, Timepoint
from tests.conftest import FakeClock
from tests.readability import is_gsm7
from tests.utils import MENTEE_PHONE, Chat, add_staff, carry_on_at_break, joined_mentee

# Known answers: Health and Support come out strongest, Drink and drugs and Home hardest.
ARC_SCORES = {"physical_health": 5, "social_support": 4, "substance_use": 0, "housing_safety": 1}


async def finish_full_check(chat: Chat, arc: Instrument, scores: dict[str, int]) -> None:
    """Types answers that give each ARC area its score (3 unless named), then the CEST ones."""
    for domain in arc.domains:
        wanted = scores.get(domain.id, 3)
        for number in range(len(domain.items)):
            await chat.send("yes" if number < wanted else "no")
    for _ in range(11):
        await carry_on_at_break(chat)
        await chat.send("agree")


async def after_baseline(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
) -> Chat:
    mentor = await add_staff(session_factory, service)
    chat = await joined_mentee(service, session_factory, mentor)
    await finish_full_check(chat, instruments["arc"], ARC_SCORES)
    return chat


async def chosen(session_factory: async_sessionmaker[AsyncSession]) -> list[str]:
    async with session_factory() as session:
        return await goals.current_priorities(session, 2)


async def notices(session_factory: async_sessionmaker[AsyncSession]) -> list[str]:
    async with session_factory() as session:
        return list(await session.scalars(select(OutboxMessage.text).order_by(OutboxMessage.id)))


async def test_after_the_baseline_areas_are_offered_with_strongest_and_weakest_marked(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
) -> None:
    chat = await after_baseline(service, session_factory, instruments)
    assert chat.texts[0] == texts.ALL_DONE
    question = chat.question
    assert question.text == texts.PRIORITIES_ASK
    assert [choice.label for choice in question.choices] == [
        "Drink and drugs (to work on)",
        "Mood",
        "Health (strongest)",
        "Community",
        "Support (strongest)",
        "Things you do",
        "Home (to work on)",
        "Staying safe",
        "Daily life",
        "Recovery",
    ]
    # The same strongest and weakest as the summary just above it.
    assert "Health and Support" in chat.texts[1] and "Drink and drugs and Home" in chat.texts[1]


async def test_three_picks_by_buttons_are_saved_and_the_mentor_is_told(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
) -> None:
    chat = await after_baseline(service, session_factory, instruments)
    await chat.tap("Home (to work on)")
    assert chat.question.text == texts.PRIORITIES_NEXT.format(area="Home")
    assert chat.question.choices[-1].label == texts.PRIORITIES_DONE
    await chat.tap("Health (strongest)")
    replies = await chat.tap("Things you do")
    assert replies[0].text == texts.PRIORITIES_SAVED.format(areas="Home, Health and Things you do")
    assert replies[1].text == texts.ASK_CHECKIN_DAY  # then the weekly day, as before
    assert await chosen(session_factory) == [
        "housing_safety",
        "physical_health",
        "meaningful_activities",
    ]
    # The mentor sees the instrument's term beside each plain name (the glossary).
    areas = (
        "Home (Housing and safety), Health (Global physical health) and "
        "Things you do (Meaningful activities)"
    )
    told = texts.NOTICE_PRIORITIES.format(name="Sam", areas=areas)
    assert told in await notices(session_factory)
    async with session_factory() as session:
        [row, *_] = await goals.priority_history(session, 2)
        baseline = (await session.execute(select(Assessment))).scalar_one()
    assert row.assessment_id == baseline.id


async def test_picks_by_typed_names(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
) -> None:
    chat = await after_baseline(service, session_factory, instruments)
    await chat.send("Housing")  # the formal name works as well as the plain one
    await chat.send("drugs")
    await chat.send("mood")
    assert chat.texts[1] == texts.ASK_CHECKIN_DAY
    assert await chosen(session_factory) == [
        "housing_safety",
        "substance_use",
        "psychological_health",
    ]


async def test_picks_by_numbers_a_repeat_is_not_counted_and_done_stops_early(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
) -> None:
    chat = await after_baseline(service, session_factory, instruments)
    [pick_first] = await chat.send("done")
    assert pick_first.text == texts.PRIORITIES_PICK_ONE and pick_first.choices
    await chat.send("7")
    [again] = await chat.send("7")
    assert again.text == texts.PRIORITIES_ALREADY.format(area="Home")
    unclear = await chat.send("the weather")
    assert [reply.text for reply in unclear] == [
        f"{texts.REASK_SORRY} {texts.REASK_CHAT_MANY.format(last=11)}",  # ten areas and Done
        texts.PRIORITIES_ALREADY.format(area="Home"),
    ]
    await chat.send("2")
    replies = await chat.send("Done")
    assert replies[0].text == texts.PRIORITIES_SAVED.format(areas="Home and Mood")
    assert await chosen(session_factory) == ["housing_safety", "psychological_health"]


async def test_back_takes_the_last_pick_off_and_no_says_done(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
) -> None:
    chat = await after_baseline(service, session_factory, instruments)
    assert chat.question.controls == ()  # nothing picked: nothing to take back
    assert await chat.send("back") == [Reply(texts.NOTHING_BEFORE), chat.last[-1]]
    await chat.send("home")
    await chat.tap("Mood")
    controls = chat.question.controls
    assert len(controls) == 1 and controls[0].label == texts.BACK_LABEL
    await chat.send("go back")
    assert chat.question.text == texts.PRIORITIES_UNPICKED.format(area="Mood")
    assert chat.question.choices[-1].label == texts.PRIORITIES_DONE
    await chat.tap(texts.BACK_LABEL)
    assert chat.question.text == texts.PRIORITIES_ASK and chat.question.controls == ()
    assert len(chat.question.choices) == 10  # no Done with nothing picked
    await chat.send("drugs")
    replies = await chat.send("nope")
    assert replies[0].text == texts.PRIORITIES_SAVED.format(areas="Drink and drugs")
    assert await chosen(session_factory) == ["substance_use"]


async def test_a_pick_asked_before_the_engine_still_resumes(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
) -> None:
    chat = await after_baseline(service, session_factory, instruments)
    await chat.send("home")
    async with session_factory() as session, session.begin():
        [state] = await session.scalars(select(ConversationState))
        state.data = {key: value for key, value in state.data.items() if key != "prompt"}
    await chat.send("mood")
    assert chat.question.text == texts.PRIORITIES_NEXT.format(area="Mood")
    await chat.send("done")
    assert await chosen(session_factory) == ["housing_safety", "psychological_health"]


async def test_a_reassessment_choice_replaces_the_old_one_and_history_is_kept(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
    clock: FakeClock,
) -> None:
    chat = await after_baseline(service, session_factory, instruments)
    for pick in ("home", "drugs", "mood"):
        await chat.send(pick)
    await chat.send("monday")
    await chat.send("morning")
    clock.advance(days=85)
    await chat.send("/checkin")
    assert chat.question.text.startswith("Part 1 of 3, question 1 of 50: ")
    await finish_full_check(chat, instruments["arc"], {"housing_safety": 5, "coping": 0})
    labels = [choice.label for choice in chat.question.choices]
    assert "Home (strongest)" in labels and "Daily life (to work on)" in labels
    await chat.send("daily life")
    replies = await chat.send("done")
    assert [reply.text for reply in replies] == [  # no day question: it was answered
        texts.PRIORITIES_SAVED.format(areas="Daily life")
    ]
    assert await chosen(session_factory) == ["coping"]
    async with session_factory() as session:
        history = await goals.priority_history(session, 2)
        sittings = {a.id: a.timepoint for a in await session.scalars(select(Assessment))}
    assert [(row.domain, row.replaced_at is None) for row in history] == [
        ("housing_safety", False),
        ("substance_use", False),
        ("psychological_health", False),
        ("coping", True),
    ]
    assert [sittings[row.assessment_id] for row in history if row.assessment_id] == [
        Timepoint.BASELINE
    ] * 3 + [Timepoint.THREE_MONTH]
    assert sum("chose what matters most" in text for text in await notices(session_factory)) == 2


async def test_a_stale_tap_on_an_old_area_question_changes_nothing(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
) -> None:
    chat = await after_baseline(service, session_factory, instruments)
    first = chat.question
    await chat.tap("Mood", reply=first)
    await chat.tap("Community", reply=first)
    assert chat.stale
    await chat.send("done")
    assert await chosen(session_factory) == ["psychological_health"]


async def test_by_sms_the_ten_areas_fit_one_text_of_two_segments(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
) -> None:
    mentor = await add_staff(session_factory, service)
    await joined_mentee(service, session_factory, mentor)  # on the console: same phone
    sms = Chat(service, sender=Sender(Channel.SMS, MENTEE_PHONE))
    await sms.send("/checkin")
    await finish_full_check(sms, instruments["arc"], ARC_SCORES)
    for question in (sms.question, (await sms.send("home"))[0]):
        [text] = render(question)
        assert is_gsm7(text) and length(text) <= 306, text
        first = question.text == texts.PRIORITIES_ASK
        assert text.endswith("Reply 1-10" if first else "Reply 1-11, BACK")
