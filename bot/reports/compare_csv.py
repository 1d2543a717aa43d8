"""Another programme's scores from a CSV file, checked line by line (docs/compare.md).

The file has one row per person and measure: `id,measure,before,after`. The people preparing it
are staff with a spreadsheet, not programmers, so every bad row is one line saying where and
what ("other.csv line 7: after 55 is outside the range for ARC total (0 to 50)"), all at
once, and a file with any bad row is refused whole: half a group would compare wrongly.

Nothing personal comes in. Only the four columns are accepted (a `name` or `dob` column is
refused, not ignored); an id must be a short code, and one that looks like a name, a phone
number or an NHS number is refused. The ids are read only to keep each person's rows together
and to catch a measure given twice; what is kept numbers people 1, 2, 3 in file order.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rapidfuzz import process

from bot.instruments.model import DOMAIN_PREFIX, MEAN_KEY

if TYPE_CHECKING:
    from bot.instruments import Instrument
    from bot.reports.outcomes import Measure

COLUMNS = ("id", "measure", "before", "after")
MAX_ROWS = 20_000  # far more than any programme's cohort; a bigger file is the wrong file
MAX_ID = 20
_ID = re.compile(r"[A-Za-z0-9_-]+")
_LONG_NUMBER = re.compile(r"\d{9,}")  # phone and NHS numbers; a code like P0001 passes
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_COUNTS = ("strengths", "threats")  # numbers of ARC areas: whole numbers


@dataclass(frozen=True)
class Pair:
    member: int  # 1, 2, 3 ... in the order people first appear in the file
    instrument: str
    key: str
    before: float
    after: float


@dataclass(frozen=True)
class ExternalScores:
    people: int
    pairs: tuple[Pair, ...]


class CompareFileError(Exception):
    """The file cannot be used; `problems` has one line per bad row (or one for the file)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def measure_code(measure: Measure) -> str:
    """The name a file uses for a measure: arc_total, arc_housing_safety, cest_self_esteem."""
    if measure.key == MEAN_KEY:
        return measure.instrument
    return f"{measure.instrument}_{measure.key.removeprefix(DOMAIN_PREFIX)}"


def read_scores(path: Path, instruments: Mapping[str, Instrument]) -> ExternalScores:
    """Read and check the file; CompareFileError listing every problem."""
    try:
        # utf-8-sig: Excel's "CSV UTF-8" starts with a byte-order mark.
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CompareFileError(
            [f"{path.name}: not UTF-8 text; in Excel use Save As, CSV UTF-8"]
        ) from None
    except OSError as error:
        raise CompareFileError([f"{path.name}: cannot read it ({error.strerror})"]) from None
    return parse_scores(text, instruments, name=path.name)


def parse_scores(
    text: str, instruments: Mapping[str, Instrument], *, name: str = "file"
) -> ExternalScores:
    from bot.reports.outcomes import measures

    every = measures(instruments)
    # The code (arc_total) or the report's own label (ARC total), in any case.
    known = {measure_code(m): m for m in every} | {m.label.lower(): m for m in every}
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    _check_header(header, name)
    assert header is not None
    order = [column.strip().lower() for column in header]
    problems: list[str] = []
    members: dict[str, int] = {}
    seen: dict[tuple[str, str], int] = {}
    pairs: list[Pair] = []
    for values in reader:
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue  # a blank line, often the last one
        if len(pairs) + len(problems) >= MAX_ROWS:
            raise CompareFileError([f"{name}: more than {MAX_ROWS} rows; is it the right file?"])
        if len(values) != len(COLUMNS):
            problems.append(
                f"{name} line {line}: {len(values)} values; each row needs 4: "
                + ", ".join(COLUMNS)
            )
            continue
        row = dict(zip(order, (value.strip() for value in values), strict=True))
        wrong = _check_row(row, known, instruments)
        measure = known.get(row["measure"].lower())
        if measure is not None:
            key = (row["id"], measure_code(measure))
            if key in seen:
                wrong.append(f"{row['id']} has {row['measure']} already on line {seen[key]}")
            seen.setdefault(key, line)
        if wrong or measure is None:
            problems.append(f"{name} line {line}: " + "; ".join(wrong))
            continue
        member = members.setdefault(row["id"], len(members) + 1)
        before, after = float(row["before"]), float(row["after"])
        pairs.append(Pair(member, measure.instrument, measure.key, before, after))
    if problems:
        raise CompareFileError(problems)
    if not pairs:
        raise CompareFileError([f"{name}: no rows after the header line"])
    return ExternalScores(len(members), tuple(pairs))


def _check_header(header: list[str] | None, name: str) -> None:
    wanted = ",".join(COLUMNS)
    if header is None or not any(column.strip() for column in header):
        raise CompareFileError([f"{name} line 1: the file is empty; the first line is {wanted}"])
    if len(header) == 1 and ";" in header[0]:
        raise CompareFileError(
            [f"{name} line 1: columns are separated by ';'; save it as CSV (comma delimited)"]
        )
    found = [column.strip().lower() for column in header]
    for column in found:
        if column not in COLUMNS:
            raise CompareFileError(
                [
                    f"{name} line 1: unknown column {column!r}; the file has only {wanted} "
                    "(no names or other details about people)"
                ]
            )
    for column in COLUMNS:
        if found.count(column) != 1:
            said = "missing" if column not in found else "given twice"
            raise CompareFileError([f"{name} line 1: the column {column!r} is {said}"])


def _check_row(
    row: dict[str, str], known: Mapping[str, Measure], instruments: Mapping[str, Instrument]
) -> list[str]:
    """What is wrong with one row, in column order; empty when it is fine."""
    wrong = _check_id(row["id"])
    measure = known.get(row["measure"].lower())
    if not row["measure"]:
        wrong.append("measure is empty")
    elif measure is None:
        codes = [code for code in known if " " not in code]
        guess = process.extractOne(row["measure"].lower(), codes, score_cutoff=70)
        hint = f" (did you mean {guess[0]}?)" if guess else " (the list is in docs/compare.md)"
        wrong.append(f"unknown measure {row['measure']!r}{hint}")
    for column in ("before", "after"):
        value = row[column]
        if not value:
            wrong.append(f"{column} is empty (leave out people without both scores)")
        elif not _NUMBER.fullmatch(value):
            wrong.append(f"{column} {value!r} is not a number")
        elif measure is not None:
            wrong += _check_value(column, float(value), measure, instruments)
    return wrong


def _check_id(person: str) -> list[str]:
    if not person:
        return ["id is empty"]
    if " " in person:
        return [f"the id {person!r} has a space; use a code such as P01, never a name"]
    if len(person) > MAX_ID or not _ID.fullmatch(person):
        return [f"the id {person!r} must be a code such as P01 (letters, digits, - or _)"]
    if _LONG_NUMBER.search(person):
        return [f"the id {person!r} looks like a phone or NHS number; use a code such as P01"]
    return []


def _check_value(
    column: str, value: float, measure: Measure, instruments: Mapping[str, Instrument]
) -> list[str]:
    low, high = instruments[measure.instrument].score_range(measure.key)
    shown = f"{value:g}"
    if not low <= value <= high:
        return [f"{column} {shown} is outside the range for {measure.label} ({low:g} to {high:g})"]
    if measure.key in _COUNTS and value != int(value):
        return [f"{column} {shown} must be a whole number (a count of ARC areas)"]
    return []
