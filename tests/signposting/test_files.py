"""Imports are all or nothing and name each bad row; exports round-trip unchanged."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from bot.signposting.directory import Directory, DirectoryError, RowProblem, load_directory
from bot.signposting.files import export_file, import_file

SHIPPED = load_directory()


def exported_csv_rows(tmp_path: Path) -> list[list[str]]:
    """Export the shipped directory to CSV and read it back as rows, header first."""
    path = tmp_path / "export.csv"
    export_file(SHIPPED, path)
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)
    return path


@pytest.mark.parametrize("name", ["directory.yaml", "directory.yml", "directory.csv"])
def test_a_good_file_round_trips_through_export_unchanged(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    export_file(SHIPPED, path)
    first = path.read_bytes()
    imported = import_file(path)
    assert imported == SHIPPED
    export_file(imported, path)
    assert path.read_bytes() == first
    assert not list(tmp_path.glob(".*partial"))


def test_the_shipped_file_imports_as_itself(tmp_path: Path) -> None:
    assert import_file(Path(__file__).parents[2] / "config" / "resources.yaml") == SHIPPED


def test_a_yaml_file_with_one_bad_entry_imports_nothing_and_names_it(tmp_path: Path) -> None:
    path = tmp_path / "directory.yaml"
    export_file(SHIPPED, path)
    text = path.read_text(encoding="utf-8").replace("phone: 0808 800 4444", "phone: 0808 800")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DirectoryError) as raised:
        import_file(path)
    assert raised.value.problems == [
        RowProblem(5, "phone '0808 800' is not a UK phone number", "entry")
    ]
    assert str(raised.value) == (
        "directory.yaml: entry 5: phone '0808 800' is not a UK phone number"
    )


def test_a_csv_file_with_one_bad_row_imports_nothing_and_names_its_line(tmp_path: Path) -> None:
    rows = exported_csv_rows(tmp_path)
    header = rows[0]
    rows[6][header.index("website")] = "not a website"
    path = write_csv(tmp_path / "directory.csv", rows)
    with pytest.raises(DirectoryError) as raised:
        import_file(path)
    assert raised.value.problems == [
        RowProblem(7, "website 'not a website' should be a web address, like talktofrank.com")
    ]
    assert str(raised.value).startswith("directory.csv: line 7: website")


def test_every_bad_csv_row_is_named_counting_lines_inside_quoted_cells(tmp_path: Path) -> None:
    rows = exported_csv_rows(tmp_path)
    header = rows[0]
    rows[1][header.index("description")] = "Two\nlines."  # row 1 takes lines 2 and 3
    rows[2][header.index("category")] = "gardening"  # so row 2 starts on line 4
    rows[3][header.index("verified")] = "01/11/2026"
    rows[4][header.index("phone")] = "8001381111"
    path = write_csv(tmp_path / "directory.csv", rows)
    with pytest.raises(DirectoryError) as raised:
        import_file(path)
    assert [(p.line, p.reason) for p in raised.value.problems] == [
        (2, "description should be on one line"),
        (4, "unknown category 'gardening'"),
        (5, "verified should be a date like 2026-11-01"),
        (6, "phone '8001381111' should start with 0 (a spreadsheet may have dropped it)"),
    ]


def test_a_csv_header_must_name_the_entry_fields(tmp_path: Path) -> None:
    rows = exported_csv_rows(tmp_path)
    rows[0][rows[0].index("phone")] = "telephone"
    rows[0].remove("source")
    path = write_csv(tmp_path / "directory.csv", rows)
    with pytest.raises(DirectoryError) as raised:
        import_file(path)
    assert [str(p) for p in raised.value.problems] == [
        "line 1: unknown column 'telephone'",
        "line 1: the column 'source' is missing",
    ]


def test_a_csv_may_leave_out_optional_columns_and_blank_rows(tmp_path: Path) -> None:
    header = ["name", "category", "description", "website", "area", "verified"]
    header += ["confidence", "source"]
    row = ["Test service", "housing", "A test.", "example.org", "Southwark", "2026-11-01"]
    row += ["verified", "https://example.org"]
    path = write_csv(tmp_path / "directory.csv", [header, row, [], [""] * len(header)])
    directory = import_file(path)
    assert [entry.name for entry in directory.entries] == ["Test service"]
    assert directory.entries[0].phone is None
    assert directory.categories == SHIPPED.categories


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("directory.txt", "", "cannot read .txt; use .csv or .yaml"),
        ("directory.csv", "", "the file is empty"),
        ("directory.yaml", "categories: []\n", "the file needs two lists"),
    ],
)
def test_files_that_cannot_be_read_are_refused(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DirectoryError, match=message):
        import_file(path)


def test_a_csv_that_is_not_utf8_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "directory.csv"
    path.write_bytes("name,cost\nX,\u00a35\n".encode("cp1252"))
    with pytest.raises(DirectoryError, match="save it as 'CSV UTF-8'"):
        import_file(path)


def test_a_directory_with_other_categories_is_not_exported_as_csv(tmp_path: Path) -> None:
    fewer = Directory(categories=SHIPPED.categories[:-1], entries=SHIPPED.entries)
    with pytest.raises(ValueError, match="export as YAML"):
        export_file(fewer, tmp_path / "directory.csv")
    with pytest.raises(ValueError, match=r"cannot write \.txt"):
        export_file(SHIPPED, tmp_path / "directory.txt")
