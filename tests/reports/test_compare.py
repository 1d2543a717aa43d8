"""Groups compared from the database: the right people in each group, the same numbers in every
format, and an external group kept with no ids."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from scipy import stats
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.instruments import Instrument
from bot.reports.compare import Comparison, MeasureComparison, compare_rows
from bot.reports.compare_chart import render_comparison_png
from bot.reports.compare_csv import parse_scores
from bot.reports.compare_formats import as_csv, as_json, as_text
from bot.reports.compare_groups import CompareError, compare_groups, keep, resolve
from bot.reports.outcomes import Filters, Row, measures
from bot.reports.paired import PairedResult, paired
from bot.reports.two_groups import Difference, TooSmall
from bot.storage import cohorts, people
from bot.storage.models import (
    Episode,
    EpisodeStatus,
    ExternalCohort,
    ExternalScore,
    Role,
    Timepoint,
)
from tests.reports.test_outcomes import _sitting

Sessions = async_sessionmaker[AsyncSession]
START = datetime(2026, 1, 5, 12, tzinfo=UTC)
# name, mentor, site, ARC total before and after, how mentoring ended (None: still going)
COHORT = [
    ("Sam", "Alex", "hub", 20, 30, "finished"),
    ("Lee", "Alex", "hub", 30, 32, "finished"),
    ("Kim", "Alex", "hub", 25, 26, "moved away"),
    ("Ash", "Jo", "camberwell", 10, 20, "finished"),
    ("Max", "Jo", "camberwell", 12, 12, "moved away"),
    ("Bo", "Alex", "greenwich", 40, 38, None),
]


async def _cohort(factory: Sessions) -> None:
    async with factory() as session, session.begin():
        mentors = {
            name: await people.add_person(session, role=Role.MENTOR, display_name=name, now=START)
            for name in ("Alex", "Jo")
        }
        for index, (name, mentor, site, before, after, ending) in enumerate(COHORT):
            mentee = await people.add_person(
                session,
                role=Role.MENTEE,
                display_name=name,
                now=START,
                phone=f"+4477009003{index:02}",
            )
            episode = await people.start_episode(
                session,
                mentee=mentee,
                mentor_id=mentors[mentor].id,
                site=site,
                today=START.date(),
                now=START,
            )
            await _sitting(session, episode, Timepoint.BASELINE, START, before, 20 + before / 2)
            later = START + timedelta(days=180)
            await _sitting(session, episode, Timepoint.EXIT, later, after, 20 + after / 2)
            if ending is not None:
                episode.status = EpisodeStatus.ENDED
                episode.end_reason = None if ending == "finished" else ending
                episode.ended_on = later.date()


async def _compare(
    factory: Sessions,
    instruments: dict[str, Instrument],
    words: list[str],
    filters: Filters | None = None,
) -> Comparison:
    async with factory() as session:
        groups = await resolve(session, words)
        return await compare_groups(session, instruments, groups, filters or Filters())


def _measure(comparison: Comparison, label: str) -> MeasureComparison:
    return next(m for m in comparison.measures if m.label == label)


@pytest.mark.parametrize(
    ("words", "labels", "a", "b"),
    [
        (["hub", "spokes"], ("Hub clinic", "Spokes"), [10, 2, 1], [10, 0, -2]),
        (["spokes", "hub"], ("Spokes", "Hub clinic"), [10, 0, -2], [10, 2, 1]),
        (["mentor=alex"], ("Alex's mentees", "Everyone else"), [10, 2, 1, -2], [10, 0]),
        (["MENTOR=Jo", "rest"], ("Jo's mentees", "Everyone else"), [10, 0], [10, 2, 1, -2]),
        (["finished", "left"], ("Finished", "Left early"), [10, 2, 10], [1, 0]),
        (["camberwell", "greenwich"], ("Camberwell spoke", "Greenwich spoke"), [10, 0], [-2]),
    ],
)
async def test_each_built_in_pair_of_groups_holds_the_right_people(
    session_factory: Sessions,
    instruments: dict[str, Instrument],
    words: list[str],
    labels: tuple[str, str],
    a: list[float],
    b: list[float],
) -> None:
    await _cohort(session_factory)
    comparison = await _compare(session_factory, instruments, words)
    assert (comparison.a_label, comparison.b_label) == labels
    total = _measure(comparison, "ARC total")
    assert sorted(total.a_changes) == sorted(a) and sorted(total.b_changes) == sorted(b)


async def test_everyone_else_includes_mentees_whose_mentor_has_gone(
    session_factory: Sessions, instruments: dict[str, Instrument]
) -> None:
    await _cohort(session_factory)
    async with session_factory() as session, session.begin():
        bo = await session.scalar(select(Episode).where(Episode.site == "greenwich"))
        assert bo is not None
        bo.mentor_id = None  # as when a mentor's record is deleted (SET NULL)
    comparison = await _compare(session_factory, instruments, ["mentor=Alex"])
    total = _measure(comparison, "ARC total")
    assert sorted(total.a_changes) == [1, 2, 10] and sorted(total.b_changes) == [-2, 0, 10]


async def test_the_figures_are_each_groups_paired_result_and_welchs_difference(
    session_factory: Sessions, instruments: dict[str, Instrument]
) -> None:
    await _cohort(session_factory)
    comparison = await _compare(session_factory, instruments, ["finished", "left"])
    total = _measure(comparison, "ARC total")
    assert total.a == paired([20, 30, 10], [30, 32, 20])  # Sam, Lee, Ash
    between = total.between
    assert isinstance(between, Difference)
    welch = stats.ttest_ind([10, 2, 10], [1, 0], equal_var=False)
    assert between.t == pytest.approx(welch.statistic, rel=1e-9)
    assert between.p == pytest.approx(welch.pvalue, rel=1e-9)
    assert between.df == pytest.approx(welch.df, rel=1e-9)
    # A measure nobody answered is not compared, and says so.
    efficacy = _measure(comparison, "CEST self-efficacy")
    assert efficacy.between == TooSmall(0, 0)
    assert "Too small to compare: Finished has 0 and Left early has 0" in as_text(
        comparison, title="T"
    )


async def test_filters_narrow_both_of_our_groups(
    session_factory: Sessions, instruments: dict[str, Instrument]
) -> None:
    await _cohort(session_factory)
    at_hub = await _compare(
        session_factory, instruments, ["finished", "left"], Filters(site="hub")
    )
    total = _measure(at_hub, "ARC total")
    assert sorted(total.a_changes) == [2, 10] and total.b_changes == (1,)
    assert total.between == TooSmall(2, 1)
    assert "Left early has 1 with a before and after" in as_text(at_hub, title="T")


@pytest.mark.parametrize(
    ("words", "problem"),
    [
        ([], "Name one or two groups"),
        (["hub", "spokes", "left"], "Name one or two groups"),
        (["rest", "hub"], "'rest' means everyone not in the first group"),
        (["hub", "HUB"], "Name two different groups"),
        (["mentor=Nobody"], "There is no mentor called Nobody."),
        (["nowhere"], "'nowhere' is not a group we know"),
    ],
)
async def test_words_that_name_no_pair_of_groups_are_refused(
    session_factory: Sessions, words: list[str], problem: str
) -> None:
    await _cohort(session_factory)
    async with session_factory() as session:
        with pytest.raises(CompareError, match=problem):
            await resolve(session, words)


async def test_a_kept_external_group_compares_with_all_our_mentees_and_has_no_ids(
    session_factory: Sessions, instruments: dict[str, Instrument]
) -> None:
    await _cohort(session_factory)
    text = "id,measure,before,after\n" + "".join(
        f"DP-{n},arc_total,{before},{after}\n"
        for n, (before, after) in enumerate([(20, 21), (30, 30), (15, 19)])
    )
    async with session_factory() as session, session.begin():
        scores = parse_scores(text, instruments)
        await keep(session, "Day-Programme", scores, START)
        await keep(session, "another", scores, START)
    async with session_factory() as session:
        cohort = await cohorts.find(session, "DAY-programme")
        assert cohort is not None
        everything = [
            *(await session.execute(select(ExternalCohort))).scalars(),
            *(await session.execute(select(ExternalScore))).scalars(),
        ]
        kept = await cohorts.load(session, cohort)
    assert (cohort.name, cohort.people) == ("day-programme", 3)
    # The same numbers back, people numbered 1, 2, 3.
    assert kept == [(p.member, p.instrument, p.key, p.before, p.after) for p in scores.pairs]
    assert [row[0] for row in kept] == [1, 2, 3]
    assert not any("DP-" in repr(vars(row)) for row in everything)
    comparison = await _compare(session_factory, instruments, ["day-programme"])
    assert (comparison.a_label, comparison.b_label) == ("Mentoring", "day-programme")
    total = _measure(comparison, "ARC total")
    assert sorted(total.a_changes) == [-2, 0, 1, 2, 10, 10]
    assert total.b_changes == (1, 0, 4)
    async with session_factory() as session:
        with pytest.raises(CompareError, match="compare it with all"):
            await resolve(session, ["day-programme", "rest"])
        with pytest.raises(CompareError, match="not another one"):
            await resolve(session, ["day-programme", "another"])


def _rows(instruments: dict[str, Instrument], changes: list[float]) -> list[Row]:
    rows = [Row(measure) for measure in measures(instruments)]
    for row in rows[:3]:  # ARC total, strengths, threats
        row.before.extend([3.0] * len(changes))
        row.after.extend(3.0 + change for change in changes)
    return rows


def test_every_format_carries_the_same_numbers(instruments: dict[str, Instrument]) -> None:
    comparison = compare_rows(
        "Hub clinic", _rows(instruments, [1, 2, 4]), "Spokes", _rows(instruments, [0, 1, 1, 2])
    )
    total = _measure(comparison, "ARC total")
    assert isinstance(total.a, PairedResult) and isinstance(total.between, Difference)
    lines = as_csv(comparison).splitlines()
    assert lines[0].startswith("measure,group_a,a_n,a_mean_before,")
    assert lines[0].endswith(",mann_whitney_u,mann_whitney_p,note")
    first = lines[1].split(",")
    assert first[:3] == ["ARC total", "Hub clinic", "3"]
    assert float(first[lines[0].split(",").index("welch_p")]) == total.between.p
    document = json.loads(as_json(comparison))
    assert document["groups"] == ["Hub clinic", "Spokes"] and document["comparable"] is True
    assert document["measures"][0]["difference"]["welch_p"] == total.between.p
    assert document["measures"][0]["a"]["wilcoxon_p"] == total.a.wilcoxon_p
    assert document["measures"][3]["difference"] is None  # an area nobody has
    text = as_text(comparison, title="Compare")
    assert f"Hub clinic minus Spokes: {total.between.difference:+.2f}" in text
    assert "ARC threats (lower is better)" in text
    assert "The groups were not chosen at random" in text


def test_groups_must_have_the_same_measures(instruments: dict[str, Instrument]) -> None:
    with pytest.raises(ValueError, match="same measures"):
        compare_rows("A", _rows(instruments, [1]), "B", _rows(instruments, [1])[:3])


def test_the_picture_is_a_phone_shaped_png(instruments: dict[str, Instrument]) -> None:
    from PIL import Image

    comparison = compare_rows(
        "Hub clinic", _rows(instruments, [1, 2, 4]), "Spokes", _rows(instruments, [0, 1, 1, 2])
    )
    png = render_comparison_png(comparison)
    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
    assert width == 630 and height > 2 * width  # upright: three panels stacked
    assert render_comparison_png(comparison) == png  # the same picture every time
    empty = compare_rows("A", _rows(instruments, [1]), "B", _rows(instruments, []))
    with Image.open(io.BytesIO(render_comparison_png(empty))) as image:
        assert image.size[1] < image.size[0]  # one panel of words
