"""The cohort report built from the database: the right pairs, the right numbers, filters."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.instruments import Instrument
from bot.reports.outcome_chart import render_outcomes_png
from bot.reports.outcome_formats import as_csv, as_json, as_text
from bot.reports.outcomes import Filters, OutcomeReport, outcome_report
from bot.reports.paired import NotEnoughPairs, PairedResult
from bot.storage import assessments, people
from bot.storage.models import (
    Assessment,
    AssessmentStatus,
    Episode,
    Person,
    Role,
    Timepoint,
)

START = datetime(2026, 1, 5, 12, tzinfo=UTC)
T_CRIT_DF2 = 4.302652730  # two-sided 95%, df = 2, from tables


async def _sitting(
    session: AsyncSession,
    episode: Episode,
    timepoint: Timepoint,
    at: datetime,
    arc_total: float,
    self_esteem: float,
    rated_by: Person | None = None,
) -> None:
    assessment = Assessment(
        person_id=episode.mentee_id,
        episode_id=episode.id,
        timepoint=timepoint,
        status=AssessmentStatus.COMPLETE,
        started_at=at,
        completed_at=at,
        rated_by_id=rated_by.id if rated_by else None,
    )
    session.add(assessment)
    await session.flush()
    await assessments.save_scores(
        session,
        assessment_id=assessment.id,
        scores={
            "arc": {
                "total": arc_total,
                "strengths": arc_total // 10,
                "threats": 5 - arc_total // 10,
            },
            "cest_self_esteem": {"score": self_esteem},
        },
    )


async def _cohort(factory: async_sessionmaker[AsyncSession]) -> dict[str, Person]:
    """Three paired mentees with Alex at the hub, one unpaired, one with Jo at a spoke."""
    async with factory() as session, session.begin():
        alex = await people.add_person(session, role=Role.MENTOR, display_name="Alex", now=START)
        jo = await people.add_person(session, role=Role.MENTOR, display_name="Jo", now=START)
        cohort = [
            # name, mentor, site, (baseline, 3-month, exit) ARC totals
            ("Sam", alex, "hub", (20, 25, 30)),  # exit counts, not the 3-month
            ("Lee", alex, "hub", (30, 32, None)),  # no exit: latest 3-month
            ("Kim", alex, "hub", (25, None, 26)),
            ("Max", alex, "hub", (40, None, None)),  # baseline only: no pair
            ("Ash", jo, "spoke-north", (10, 20, None)),
        ]
        for index, (name, mentor, site, totals) in enumerate(cohort):
            mentee = await people.add_person(
                session,
                role=Role.MENTEE,
                display_name=name,
                now=START,
                phone=f"+4477009002{index:02}",
            )
            episode = await people.start_episode(
                session,
                mentee=mentee,
                mentor_id=mentor.id,
                site=site,
                today=START.date(),
                now=START,
            )
            for days, timepoint, total in zip(
                (0, 90, 180),
                (Timepoint.BASELINE, Timepoint.THREE_MONTH, Timepoint.EXIT),
                totals,
                strict=True,
            ):
                if total is not None:
                    at = START + timedelta(days=days)
                    await _sitting(session, episode, timepoint, at, total, 20 + total / 2)
            if name == "Sam":  # a staff rating must never be paired as the mentee's own
                await _sitting(
                    session, episode, Timepoint.EXIT, START + timedelta(days=200), 0, 0, mentor
                )
        return {"alex": alex, "jo": jo}


def _row(report: OutcomeReport, label: str) -> PairedResult | NotEnoughPairs:
    return next(row.result for row in report.rows if row.measure.label == label)


async def test_pairs_baseline_with_exit_else_latest_three_month(
    session_factory: async_sessionmaker[AsyncSession], instruments: dict[str, Instrument]
) -> None:
    staff = await _cohort(session_factory)
    async with session_factory() as session:
        report = await outcome_report(session, instruments, Filters(mentor_id=staff["alex"].id))
    assert report.pairs == 3
    total = _row(report, "ARC total")
    assert isinstance(total, PairedResult)
    # Sam 20 -> 30, Lee 30 -> 32, Kim 25 -> 26: differences 10, 2, 1.
    differences = [10, 2, 1]
    mean = sum(differences) / 3
    sd = math.sqrt(sum((d - mean) ** 2 for d in differences) / 2)
    assert total.n == 3 and total.df == 2
    assert total.mean_before == pytest.approx(25) and total.mean_after == pytest.approx(88 / 3)
    assert total.mean_difference == pytest.approx(mean)
    assert total.t == pytest.approx(mean / (sd / math.sqrt(3)))
    half = T_CRIT_DF2 * sd / math.sqrt(3)
    assert (total.ci_low, total.ci_high) == pytest.approx((mean - half, mean + half))
    assert total.d_z == pytest.approx(mean / sd)
    esteem = _row(report, "CEST self-esteem")
    assert isinstance(esteem, PairedResult)
    assert esteem.mean_difference == pytest.approx(mean / 2)
    # A measure nobody has scores for is reported as not enough, not as zeros.
    efficacy = _row(report, "CEST self-efficacy")
    assert efficacy == NotEnoughPairs(0)


async def test_filters_by_site_and_date(
    session_factory: async_sessionmaker[AsyncSession], instruments: dict[str, Instrument]
) -> None:
    await _cohort(session_factory)
    async with session_factory() as session:
        spoke = await outcome_report(session, instruments, Filters(site="spoke-north"))
        everyone = await outcome_report(session, instruments, Filters())
        early = await outcome_report(
            session, instruments, Filters(until=START + timedelta(days=100))
        )
    assert spoke.pairs == 1 and isinstance(_row(spoke, "ARC total"), NotEnoughPairs)
    assert "Fewer than 2 mentees" in as_text(spoke, title="Report")
    assert everyone.pairs == 4
    assert early.pairs == 2  # Lee and Ash: follow-ups on day 90


async def test_formats_carry_the_same_numbers(
    session_factory: async_sessionmaker[AsyncSession], instruments: dict[str, Instrument]
) -> None:
    await _cohort(session_factory)
    async with session_factory() as session:
        report = await outcome_report(session, instruments, Filters())
    total = _row(report, "ARC total")
    assert isinstance(total, PairedResult)
    csv_lines = as_csv(report).splitlines()
    assert csv_lines[0].startswith("measure,n,mean_before")
    assert csv_lines[1].startswith(f"ARC total,4,{total.mean_before}")
    assert '"pairs": 4' in as_json(report)
    text = as_text(report, title="Outcomes")
    assert f"diff {total.mean_difference:+.2f}" in text
    assert "ARC strengths: number of ARC areas scoring 4 or more" in text
    assert render_outcomes_png(report.rows).startswith(b"\x89PNG")


async def test_lookups_by_kind_of_help_are_in_the_activity(
    session_factory: async_sessionmaker[AsyncSession], instruments: dict[str, Instrument]
) -> None:
    from bot.storage.models import LookupCount

    async with session_factory() as session, session.begin():
        for category, site, count in (("housing", "hub", 3), ("debt", "hub", 1), ("debt", "x", 2)):
            session.add(LookupCount(category=category, site=site, day=START.date(), count=count))
    async with session_factory() as session:
        everyone = await outcome_report(session, instruments, Filters())
        hub = await outcome_report(session, instruments, Filters(site="hub"))
    assert everyone.activity.lookups_by_category == {"debt": 3, "housing": 3}
    assert hub.activity.lookups_by_category == {"debt": 1, "housing": 3}
    assert "Services looked up with /find: debt 1, housing 3." in as_text(hub, title="R")
