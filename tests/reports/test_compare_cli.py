"""`mentorbot report --compare` in process, on the test database: our mentees against another
programme's file, every figure equal to scipy's, a kept group, and a bad file keeping nothing."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from scipy import stats
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.report_cli import ReportRequest, print_report
from bot.storage.models import ExternalCohort, ExternalScore
from config.settings import Settings, SettingsError, load_settings
from tests.reports.test_compare import COHORT, _cohort
from tests.utils import count_rows

Sessions = async_sessionmaker[AsyncSession]
OTHER = [(22, 23), (30, 29), (18, 26), (25, 25), (12, 15)]  # the day programme's ARC totals
OURS = [after - before for _, _, _, before, after, _ in COHORT]
THEIRS = [after - before for before, after in OTHER]


def _file(folder: Path, name: str = "other.csv", extra: str = "") -> Path:
    rows = "".join(f"D{n:02},arc_total,{b},{a}\n" for n, (b, a) in enumerate(OTHER, start=1))
    path = folder / name
    path.write_text("id,measure,before,after\n" + rows + extra, encoding="utf-8")
    return path


@pytest.fixture
def settings(database_url: str) -> Settings:
    return load_settings(database_url=database_url)


def near(expected: float) -> object:
    return pytest.approx(expected, rel=1e-9, abs=1e-9)


async def test_our_mentees_against_a_file_match_scipy(
    settings: Settings,
    session_factory: Sessions,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await _cohort(session_factory)
    request = ReportRequest(format="json", compare=str(_file(tmp_path)))
    await print_report(settings, request)
    document = json.loads(capsys.readouterr().out)
    assert document["groups"] == ["Mentoring", "other"]
    total = document["measures"][0]
    assert total["measure"] == "ARC total"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        welch = stats.ttest_ind(OURS, THEIRS, equal_var=False)
        interval = welch.confidence_interval(0.95)
        u = stats.mannwhitneyu(OURS, THEIRS, alternative="two-sided")
        ours = stats.ttest_rel([a for *_, a, _ in COHORT], [b for *_, b, _, _ in COHORT])
        theirs = stats.wilcoxon(THEIRS)
    difference = total["difference"]
    assert difference["difference"] == near(sum(OURS) / 6 - sum(THEIRS) / 5)
    assert difference["welch_t"] == near(welch.statistic)
    assert difference["welch_df"] == near(welch.df)
    assert difference["welch_p"] == near(welch.pvalue)
    assert difference["difference_ci_low"] == near(interval.low)
    assert difference["difference_ci_high"] == near(interval.high)
    assert difference["mann_whitney_u"] == near(u.statistic)
    assert difference["mann_whitney_p"] == near(u.pvalue)
    assert total["a"]["t"] == near(ours.statistic) and total["a"]["p"] == near(ours.pvalue)
    assert total["b"]["wilcoxon_p"] == near(theirs.pvalue)
    assert total["b"]["n"] == 5 and total["b"]["mean_before"] == near(107 / 5)
    assert await count_rows(session_factory, ExternalCohort) == 0  # nothing kept unasked


async def test_text_csv_and_png_and_groups_named_in_words(
    settings: Settings,
    session_factory: Sessions,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await _cohort(session_factory)
    await print_report(settings, ReportRequest(format="text", compare="hub spokes"))
    text = capsys.readouterr().out
    assert text.startswith("Compare: Hub clinic and Spokes\n\nARC total\n")
    assert "ARC: Home (Housing and safety)" in text  # every area on the command line
    for format, name in (("csv", "c.csv"), ("png", "c.png")):
        out = tmp_path / name
        request = ReportRequest(format=format, compare=str(_file(tmp_path)), out=out)
        await print_report(settings, request)
        assert capsys.readouterr().out == f"Wrote {out}\n"
    assert (tmp_path / "c.csv").read_text().startswith("measure,group_a,a_n,")
    assert (tmp_path / "c.png").read_bytes().startswith(b"\x89PNG")


async def test_keep_stores_the_group_once_and_it_can_be_named_later(
    settings: Settings,
    session_factory: Sessions,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await _cohort(session_factory)
    path = _file(tmp_path)
    await print_report(settings, ReportRequest(format="csv", compare=str(path), keep="Day-P"))
    assert capsys.readouterr().err == "Kept day-p: 5 people, no names or ids.\n"
    assert await count_rows(session_factory, ExternalScore) == 5
    with pytest.raises(SettingsError, match="a group called day-p is kept already"):
        await print_report(settings, ReportRequest(compare=str(path), keep="day-p"))
    with pytest.raises(SettingsError, match="already means a group of our own mentees"):
        await print_report(settings, ReportRequest(compare=str(path), keep="spokes"))
    with pytest.raises(SettingsError, match=r"--keep goes with --compare FILE\.csv"):
        await print_report(settings, ReportRequest(compare="hub spokes", keep="x"))
    assert await count_rows(session_factory, ExternalCohort) == 1
    await print_report(settings, ReportRequest(format="text", compare="day-p"))
    assert capsys.readouterr().out.startswith("Compare: Mentoring and day-p\n")


async def test_a_bad_file_is_one_line_per_bad_row_and_keeps_nothing(
    settings: Settings,
    session_factory: Sessions,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _file(tmp_path, "bad.csv", extra="D09,arc_total,10,60\nSam Jones,arc_total,1,2\n")
    with pytest.raises(SettingsError, match=r"^bad\.csv was refused; nothing was kept$"):
        await print_report(settings, ReportRequest(compare=str(path), keep="day-p"))
    assert capsys.readouterr().err.splitlines() == [
        "bad.csv line 7: after 60 is outside the range for ARC total (0 to 50)",
        "bad.csv line 8: the id 'Sam Jones' has a space; use a code such as P01, never a name",
    ]
    assert await count_rows(session_factory, ExternalCohort) == 0
    assert await count_rows(session_factory, ExternalScore) == 0
