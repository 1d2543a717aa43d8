"""Import and export the signposting directory as YAML or CSV.

Staff keep the directory up to date, often in a spreadsheet, so it travels as CSV as well as
YAML. An import is all or nothing: a file with one bad row changes nothing, and the
`DirectoryError` names every bad row by line number and reason, so it can be fixed in one go.

- YAML has the layout of `config/resources.yaml`: `categories` and `entries`.
- CSV holds entries only: a header row of the `Entry` field names (optional columns such as
  `text_keyword` may be left out), then one entry per row; an empty cell means "none". Its
  categories are those of the shipped `config/resources.yaml`, so a directory with other
  categories is refused for CSV export rather than silently losing them. Files are UTF-8;
  exports carry a byte-order mark so Excel shows "£" correctly.

Exporting and importing again gives an equal `Directory`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path

import yaml

from bot.signposting.directory import (
    ENTRY_FIELDS,
    REQUIRED_FIELDS,
    Category,
    Directory,
    DirectoryError,
    RowProblem,
    build_directory,
    directory_from_yaml,
    load_directory,
)

YAML_SUFFIXES = (".yaml", ".yml")
CSV_SUFFIX = ".csv"


def import_file(path: Path) -> Directory:
    """Read a YAML or CSV directory file (by suffix); DirectoryError lists every problem."""
    suffix = path.suffix.casefold()
    if suffix not in (*YAML_SUFFIXES, CSV_SUFFIX):
        problem = RowProblem(
            0, f"cannot read {suffix or 'a file without a suffix'}; use .csv or .yaml"
        )
        raise DirectoryError([problem], source=path.name)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        problem = RowProblem(0, "the file is not UTF-8; save it as 'CSV UTF-8' and try again")
        raise DirectoryError([problem], source=path.name) from None
    if suffix == CSV_SUFFIX:
        return directory_from_csv(text, source=path.name)
    return directory_from_yaml(text, source=path.name)


def export_file(directory: Directory, path: Path) -> None:
    """Write the directory as YAML or CSV (by suffix), replacing the file in one step."""
    suffix = path.suffix.casefold()
    if suffix in YAML_SUFFIXES:
        text, encoding = directory_to_yaml(directory), "utf-8"
    elif suffix == CSV_SUFFIX:
        text, encoding = directory_to_csv(directory), "utf-8-sig"
    else:
        raise ValueError(f"cannot write {suffix or 'a file without a suffix'}; use .csv or .yaml")
    partial = path.with_name(f".{path.name}.partial")
    with partial.open("w", encoding=encoding, newline="") as file:
        file.write(text)
    partial.replace(path)


def directory_from_csv(
    text: str, *, source: str | None = None, categories: Sequence[Category] | None = None
) -> Directory:
    """Build a directory from CSV text, with the shipped categories unless others are given."""
    if categories is None:
        categories = load_directory().categories
    rows, problems = _read_rows(text)
    return build_directory(categories, rows, kind="line", source=source, problems=problems)


def _read_rows(text: str) -> tuple[list[tuple[int, object]], list[RowProblem]]:
    """Pair each non-blank row with the line it starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip() for name in next(reader, [])]
    problems = _header_problems(header)
    rows: list[tuple[int, object]] = []
    if problems:
        return rows, problems  # without a good header the rows cannot be read
    end = reader.line_num
    try:
        for cells in reader:
            start, end = end + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if any(cell.strip() for cell in cells[len(header) :]):
                problems.append(RowProblem(start, "this row has more cells than the header"))
            rows.append((start, dict(zip(header, cells, strict=False))))
    except csv.Error as error:
        problems.append(RowProblem(end + 1, f"cannot read this row: {error}"))
    return rows, problems


def _header_problems(header: list[str]) -> list[RowProblem]:
    if not any(header):
        return [RowProblem(0, "the file is empty; it needs a header row of field names")]
    unknown = [name for name in header if name not in ENTRY_FIELDS]
    missing = [name for name in REQUIRED_FIELDS if name not in header]
    twice = sorted({name for name in header if header.count(name) > 1})
    return [
        *(RowProblem(1, f"unknown column {name!r}") for name in unknown),
        *(RowProblem(1, f"the column {name!r} is missing") for name in missing),
        *(RowProblem(1, f"the column {name!r} appears twice") for name in twice),
    ]


def directory_to_csv(directory: Directory) -> str:
    """Return the entries as CSV text; refuse a directory whose categories are not shipped."""
    if directory.categories != load_directory().categories:
        raise ValueError(
            "a CSV holds entries only and these categories differ from config/resources.yaml; "
            "export as YAML instead"
        )
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ENTRY_FIELDS)
    for entry in directory.entries:
        writer.writerow([_cell(getattr(entry, name)) for name in ENTRY_FIELDS])
    return out.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def directory_to_yaml(directory: Directory) -> str:
    """Return the directory as YAML in the layout of config/resources.yaml."""
    data = {
        "categories": [
            {"id": c.id, "label": c.label, "keywords": list(c.keywords)}
            for c in directory.categories
        ],
        "entries": [
            {name: value for name, value in asdict(entry).items() if value is not None}
            for entry in directory.entries
        ],
    }
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=99)
    return _YAML_HEADER + body


_YAML_HEADER = (
    "# The signposting directory, exported by mentorbot; config/resources.yaml explains it.\n"
)


class _Dumper(yaml.SafeDumper):
    """Writes lists of words (keywords) on one line, as config/resources.yaml does."""


def _represent_list(dumper: yaml.SafeDumper, items: list[object]) -> yaml.Node:
    flow = all(isinstance(item, str) for item in items)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flow)


_Dumper.add_representer(list, _represent_list)
