"""Another programme's file: the template reads, and every bad row is one line saying why."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.instruments import Instrument
from bot.reports.compare_csv import CompareFileError, parse_scores, read_scores

TEMPLATE = Path(__file__).resolve().parents[2] / "docs" / "compare-template.csv"
HEADER = "id,measure,before,after\n"


def _problems(text: str, instruments: dict[str, Instrument]) -> list[str]:
    with pytest.raises(CompareFileError) as refused:
        parse_scores(text, instruments, name="other.csv")
    return refused.value.problems


def test_the_template_in_the_docs_reads_without_a_problem(
    instruments: dict[str, Instrument],
) -> None:
    scores = read_scores(TEMPLATE, instruments)
    assert scores.people == 2
    assert len(scores.pairs) == 10
    first = scores.pairs[0]
    assert (first.member, first.instrument, first.key) == (1, "arc", "total")
    assert (first.before, first.after) == (21, 29)
    assert {p.instrument for p in scores.pairs} == {
        "arc",
        "cest_self_esteem",
        "cest_self_efficacy",
    }


def test_people_are_numbered_in_file_order_and_their_ids_are_not_kept(
    instruments: dict[str, Instrument],
) -> None:
    text = HEADER + "Z9,arc_total,10,12\nA1,ARC total,20,25\nZ9,cest_self_esteem,30,35\n"
    scores = parse_scores(text, instruments)
    assert [(p.member, p.key) for p in scores.pairs] == [(1, "total"), (2, "total"), (1, "score")]
    assert "Z9" not in repr(scores) and "A1" not in repr(scores)


def test_every_bad_row_is_one_line_with_its_number_and_what_is_wrong(
    instruments: dict[str, Instrument],
) -> None:
    text = (
        HEADER
        + "P01,arc_total,21,55\n"  # line 2: off the scale
        + "P02,arc_total,20,24\n"  # line 3: fine
        + "John Smith,arc_totl,x,3\n"  # line 4: three things wrong, one line
        + "07700900123,arc_strengths,2.5,3\n"  # line 5: a phone number; half an area
        + "\n"  # line 6: blank, skipped
        + "P02,ARC total,3,4\n"  # line 7: P02's ARC total again
        + "P03,cest_self_esteem,,40\n"  # line 8: no before
        + "P04,cest_self_efficacy,30,40,extra\n"  # line 9: five values
        + "P05,cest_self_efficacy,9,nan\n"  # line 10: below the scale; not a number
    )
    assert _problems(text, instruments) == [
        "other.csv line 2: after 55 is outside the range for ARC total (0 to 50)",
        "other.csv line 4: the id 'John Smith' has a space; use a code such as P01, never a "
        "name; unknown measure 'arc_totl' (did you mean arc_total?); before 'x' is not a number",
        "other.csv line 5: the id '07700900123' looks like a phone or NHS number; use a code "
        "such as P01; before 2.5 must be a whole number (a count of ARC areas)",
        "other.csv line 7: P02 has ARC total already on line 3",
        "other.csv line 8: before is empty (leave out people without both scores)",
        "other.csv line 9: 5 values; each row needs 4: id, measure, before, after",
        "other.csv line 10: before 9 is outside the range for CEST self-efficacy (10 to 50); "
        "after 'nan' is not a number",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "other.csv line 1: the file is empty; the first line is id,measure,before,after"),
        (
            "id,name,measure,before,after\nP1,Sam,arc_total,1,2\n",
            "other.csv line 1: unknown column 'name'; the file has only id,measure,before,after "
            "(no names or other details about people)",
        ),
        ("id,measure,before\n", "other.csv line 1: the column 'after' is missing"),
        ("id,measure,before,after,after\n", "other.csv line 1: the column 'after' is given twice"),
        (
            "id;measure;before;after\nP1;arc_total;1;2\n",
            "other.csv line 1: columns are separated by ';'; save it as CSV (comma delimited)",
        ),
        (HEADER, "other.csv: no rows after the header line"),
    ],
)
def test_a_file_that_cannot_be_read_at_all_says_so_once(
    instruments: dict[str, Instrument], text: str, problem: str
) -> None:
    assert _problems(text, instruments) == [problem]


def test_columns_in_any_order_and_case_and_a_byte_order_mark(
    tmp_path: Path, instruments: dict[str, Instrument]
) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeffAfter,Before,ID,Measure\r\n36,30,P1,cest_self_efficacy\r\n".encode())
    (pair,) = read_scores(path, instruments).pairs
    assert (pair.instrument, pair.before, pair.after) == ("cest_self_efficacy", 30, 36)


def test_a_file_that_is_not_utf8_is_one_line(
    tmp_path: Path, instruments: dict[str, Instrument]
) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(HEADER.encode() + "Zoë,arc_total,1,2\n".encode("latin-1"))
    with pytest.raises(CompareFileError) as refused:
        read_scores(path, instruments)
    assert refused.value.problems == ["latin.csv: not UTF-8 text; in Excel use Save As, CSV UTF-8"]


def test_every_area_is_a_measure_with_its_own_range(instruments: dict[str, Instrument]) -> None:
    scores = parse_scores(HEADER + "P1,arc_housing_safety,2,5\n", instruments)
    assert scores.pairs[0].key == "domain:housing_safety"
    (problem,) = _problems(HEADER + "P1,arc_housing_safety,2,6\n", instruments)
    assert problem == (
        "other.csv line 2: after 6 is outside the range for "
        "ARC: Home (Housing and safety) (0 to 5)"
    )


def test_the_docs_list_every_measure_a_file_may_name(instruments: dict[str, Instrument]) -> None:
    from bot.reports.compare_csv import measure_code
    from bot.reports.outcomes import measures

    docs = (TEMPLATE.parent / "compare.md").read_text(encoding="utf-8").splitlines()
    for measure in measures(instruments):
        low, high = instruments[measure.instrument].score_range(measure.key)
        (line,) = [line for line in docs if line.startswith(f"| `{measure_code(measure)}` |")]
        assert f"| {measure.label}" in line and line.endswith(f"| {low:g} to {high:g} |")
