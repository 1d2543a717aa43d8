"""Mentoring ends on time: after the grace period without an exit check, on the planned day
with one; then nothing more is sent about the mentee except the closing summaries."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from bot.delivery.sms_text import BUDGET, length
from bot.flows import texts
from bot.flows.battery import FULL_BATTERY
from bot.instruments import Instrument, score
from bot.storage import assessments, outbox
from bot.storage.models import (
    AssessmentStatus,
    Episode,
    EpisodeStatus,
    Meeting,
    MeetingStatus,
    OutboxStatus,
    Person,
    Timepoint,
)
from bot.storage.outbox import Queued
from tests.readability import is_gsm7
from tests.scheduling.conftest import MENTEE_CHAT, MENTOR_CHAT, SchedulerWorld, local

Answers = dict[str, dict[str, int]]
STOPPED = ("reminder", "nudge", "prompt", "outcome_ask", "signpost_followup")


def answers(
    instruments: dict[str, Instrument], *, agreed: int, esteem: int, efficacy: int
) -> Answers:
    """The first `agreed` ARC statements agreed; one answer for every item of each CEST scale."""
    arc = {item.id: int(n < agreed) for n, item in enumerate(instruments["arc"].items)}
    return {
        "arc": arc,
        "cest_self_esteem": {i.id: esteem for i in instruments["cest_self_esteem"].items},
        "cest_self_efficacy": {i.id: efficacy for i in instruments["cest_self_efficacy"].items},
    }


def expected(instruments: dict[str, Instrument], given: Answers) -> dict[str, int]:
    """ARC: agreed count. CEST: mean x 10, negatively worded items counted as 6 - answer."""
    numbers = {"arc": sum(given["arc"].values())}
    for name, scale in (("esteem", "cest_self_esteem"), ("efficacy", "cest_self_efficacy")):
        items = instruments[scale].items
        points = [6 - given[scale][i.id] if i.reflected else given[scale][i.id] for i in items]
        numbers[name] = round(sum(points) / len(points) * 10)
    return numbers


async def full_check(
    world: SchedulerWorld,
    instruments: dict[str, Instrument],
    timepoint: Timepoint,
    given: Answers,
    at: datetime,
) -> None:
    """A full check the mentee finished at `at`, answered and scored as the flow does."""
    async with world.session_factory() as session, session.begin():
        episode = (await session.execute(select(Episode))).scalar_one()
        sitting = await assessments.begin_assessment(
            session, person_id=world.mentee_id, episode_id=episode.id, timepoint=timepoint, now=at
        )
        for name in FULL_BATTERY:
            for item_id, value in given[name].items():
                assessments.record_answer(
                    session,
                    assessment_id=sitting.id,
                    instrument=name,
                    item_id=item_id,
                    value=value,
                    now=at,
                )
            scores = score(instruments[name], given[name])
            await assessments.save_scores(session, assessment_id=sitting.id, scores={name: scores})
        sitting.status = AssessmentStatus.COMPLETE
        sitting.completed_at = at


async def episode(world: SchedulerWorld) -> Episode:
    async with world.session_factory() as session:
        return (await session.execute(select(Episode))).scalar_one()


async def test_without_an_exit_check_mentoring_ends_after_the_grace_period(
    world: SchedulerWorld, instruments: dict[str, Instrument]
) -> None:
    baseline = answers(instruments, agreed=20, esteem=3, efficacy=4)
    three_months = answers(instruments, agreed=35, esteem=4, efficacy=5)
    await full_check(world, instruments, Timepoint.BASELINE, baseline, world.clock.now)
    await full_check(
        world, instruments, Timepoint.THREE_MONTH, three_months, local(2026, 6, 25, 10)
    )
    async with world.session_factory() as session, session.begin():
        mentee = await session.get(Person, world.mentee_id)
        assert mentee is not None
        mentee.checkin_weekday, mentee.checkin_time = 1, time(10)  # Mondays at ten
    meeting = await world.book(local(2026, 10, 30, 11))  # booked long ago, after the end

    # Planned end 27 Sep; 14 days' grace: the last day in mentoring is Saturday 10 October.
    world.clock.now = local(2026, 10, 10, 20, 0).astimezone(UTC)
    await world.tick()
    assert (await episode(world)).status is EpisodeStatus.ACTIVE
    exit_prompts = [
        m for m in world.fake.messages_to(MENTEE_CHAT) if m.text == texts.ASSESSMENT_DUE
    ]
    assert len(exit_prompts) == 1  # offered the exit check, and it was not done
    async with world.session_factory() as session, session.begin():
        later = local(2026, 10, 11, 9, 0)  # queued for after quiet hours, say
        for person_id, key, kind in (
            (world.mentee_id, "checkin-prompt:test", "prompt"),
            (world.mentor_id, f"nudge:no-meeting:{world.mentee_id}:test", "nudge"),
        ):
            await outbox.enqueue(
                session,
                Queued(person_id=person_id, key=key, kind=kind, text="...", not_before=later),
                now=world.clock.now,
            )
    sent_before = len(world.fake.sent)

    world.clock.now = local(2026, 10, 11, 8, 30).astimezone(UTC)
    ended_at = world.clock.now
    await world.tick()
    ended = await episode(world)
    assert (ended.status, ended.ended_on, ended.end_reason) == (
        EpisodeStatus.ENDED,
        local(2026, 10, 11).date(),
        None,
    )
    summary, support = world.fake.messages_to(MENTEE_CHAT)[-2:]
    before, after = expected(instruments, baseline), expected(instruments, three_months)
    assert (before, after) == (
        {"arc": 20, "esteem": 30, "efficacy": 36},
        {"arc": 35, "esteem": 27, "efficacy": 42},
    )
    assert summary.text is not None and support.text is not None
    assert texts.CLOSING_ARC.format(before=20, after=35) in summary.text
    assert texts.CLOSING_ESTEEM.format(before=30, after=27, area="Self-worth") in summary.text
    assert texts.CLOSING_EFFICACY.format(before=36, after=42, area="Coping") in summary.text
    assert summary.button_labels == [texts.CLOSING_SEE_PICTURE]
    assert texts.CLOSING_SUPPORT in support.text
    to_mentor = world.fake.messages_to(MENTOR_CHAT)[-1].text
    assert to_mentor is not None
    assert to_mentor.startswith(
        f"Sam's mentoring has ended. Reason: {texts.CLOSING_REASON_PLANNED}"
    )
    assert "First full check 27 Mar, 3-month check 25 Jun:" in to_mentor
    assert "ARC total 20 -> 35 (of 50)" in to_mentor
    assert "Self-worth (Self-esteem) 30 -> 27 (of 50)" in to_mentor
    assert "Coping (Self-efficacy) 36 -> 42 (of 50)" in to_mentor
    rows = {row.idempotency_key: row for row in await world.outbox()}
    for key in ("checkin-prompt:test", f"nudge:no-meeting:{world.mentee_id}:test"):
        assert (rows[key].status, rows[key].last_error) == (
            OutboxStatus.SKIPPED,
            "mentoring ended",
        )
    for key in (f"closing:{ended.id}:mentee", f"closing:{ended.id}:support"):
        sms_text = (rows[key].payload or {})["sms_text"]
        assert is_gsm7(sms_text) and length(sms_text) <= BUDGET
    assert len(world.fake.sent) == sent_before + 3
    async with world.session_factory() as session:
        booked = await session.get(Meeting, meeting)
        assert booked is not None and booked.status is MeetingStatus.CANCELLED

    # Three more weeks of scheduler beats, past the cancelled meeting and four Mondays.
    await world.run_until(local(2026, 11, 2, 12, 0), step=timedelta(hours=3))
    assert len(world.fake.sent) == sent_before + 3
    late = [r for r in await world.outbox() if r.created_at > ended_at and r.kind in STOPPED]
    assert late == []


async def test_an_exit_check_done_early_ends_mentoring_on_the_planned_day(
    world: SchedulerWorld, instruments: dict[str, Instrument]
) -> None:
    baseline = answers(instruments, agreed=10, esteem=2, efficacy=2)
    final = answers(instruments, agreed=45, esteem=5, efficacy=5)
    await full_check(world, instruments, Timepoint.BASELINE, baseline, world.clock.now)
    await full_check(world, instruments, Timepoint.EXIT, final, local(2026, 9, 20, 10))

    world.clock.now = local(2026, 9, 26, 23, 0).astimezone(UTC)
    await world.tick()
    assert (await episode(world)).status is EpisodeStatus.ACTIVE
    world.clock.now = local(2026, 9, 27, 9, 0).astimezone(UTC)
    await world.tick()
    ended = await episode(world)
    assert (ended.status, ended.ended_on) == (EpisodeStatus.ENDED, local(2026, 9, 27).date())
    before, after = expected(instruments, baseline), expected(instruments, final)
    summary = world.fake.messages_to(MENTEE_CHAT)[-2].text
    assert summary is not None
    assert texts.CLOSING_ARC.format(before=before["arc"], after=after["arc"]) in summary
    to_mentor = world.fake.messages_to(MENTOR_CHAT)[-1].text
    assert to_mentor is not None and "end-of-mentoring check 20 Sep:" in to_mentor
    assert f"ARC total {before['arc']} -> {after['arc']} (of 50)" in to_mentor
