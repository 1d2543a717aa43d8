"""`mentorbot resources import|export`: all or nothing, every bad row named, files round-trip.

The command runs in a subprocess from another folder, as an operator runs it (SQLite only, as
in tests/test_cli.py); the functions behind it are tested on every database.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.resources_cli import export_from, import_into
from bot.signposting import (
    Directory,
    DirectoryError,
    default_resources_path,
    import_file,
    load_directory,
    stored,
)
from config.settings import SettingsError
from tests.conftest import POSTGRES_URL, FakeClock
from tests.test_cli import mentorbot

Sessions = async_sessionmaker[AsyncSession]
subprocess_only_on_sqlite = pytest.mark.skipif(
    POSTGRES_URL is not None, reason="command-line behaviour does not depend on the database"
)


def break_row(source: Path, target: Path, row: int, column: str, value: str) -> None:
    """Copy a CSV with one cell changed; row 1 is the first after the header (line 2)."""
    rows = list(csv.reader(source.read_text(encoding="utf-8-sig").splitlines()))
    rows[row][rows[0].index(column)] = value
    with target.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file, lineterminator="\n").writerows(rows)


async def active_directory(sessions: Sessions) -> Directory:
    async with sessions() as session:
        return (await stored.live_directory(session)).directory


@subprocess_only_on_sqlite
def test_import_export_and_a_bad_row_through_the_command(tmp_path: Path) -> None:
    env = {"MENTORBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"}
    assert mentorbot("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    first = mentorbot("resources", "import", cwd=tmp_path, env=env)  # the shipped file
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == (
        "Imported resources.yaml: 57 added, 0 updated, 0 unchanged, 0 retired."
    )
    exported = mentorbot("resources", "export", "directory.csv", cwd=tmp_path, env=env)
    assert exported.stdout.strip() == "Exported 57 entries to directory.csv."

    good = tmp_path / "directory.csv"
    break_row(good, tmp_path / "bad.csv", 1, "phone", "0300 123 4567")  # a good change ...
    break_row(
        tmp_path / "bad.csv", tmp_path / "bad.csv", 5, "website", "not a site"
    )  # ... and a bad row
    refused = mentorbot("resources", "import", "bad.csv", cwd=tmp_path, env=env)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "mentorbot: bad.csv: line 6: website 'not a site' should be a web address, "
        "like talktofrank.com"
    ]
    again = mentorbot("resources", "export", "again.csv", cwd=tmp_path, env=env)
    assert again.returncode == 0
    assert (tmp_path / "again.csv").read_bytes() == good.read_bytes()  # nothing was imported

    yaml_out = mentorbot("resources", "export", "directory.yaml", cwd=tmp_path, env=env)
    assert yaml_out.returncode == 0
    assert import_file(tmp_path / "directory.yaml") == load_directory()


@subprocess_only_on_sqlite
def test_command_errors_are_one_line(tmp_path: Path) -> None:
    for args, message in [
        (("import", "missing.csv"), "mentorbot: file not found: missing.csv"),
        (("export", "out.txt"), "mentorbot: cannot write out.txt: use a .yaml or .csv file name"),
    ]:
        result = mentorbot("resources", *args, cwd=tmp_path)
        assert result.returncode == 2
        assert result.stderr.strip() == message


async def test_an_empty_directory_is_not_exported(
    session_factory: Sessions, tmp_path: Path
) -> None:
    with pytest.raises(SettingsError, match="The directory is empty"):
        await export_from(session_factory, tmp_path / "out.yaml")
    assert not (tmp_path / "out.yaml").exists()


async def test_a_file_with_one_bad_row_imports_nothing_and_names_that_row(
    session_factory: Sessions, shipped_directory: Directory, clock: FakeClock, tmp_path: Path
) -> None:
    good = tmp_path / "directory.csv"
    assert await export_from(session_factory, good) == 57
    break_row(good, tmp_path / "bad.csv", 1, "description", "A better description.")
    break_row(tmp_path / "bad.csv", tmp_path / "bad.csv", 9, "category", "gardening")
    with pytest.raises(DirectoryError) as raised:
        await import_into(session_factory, tmp_path / "bad.csv", now=clock.now)
    assert [str(problem) for problem in raised.value.problems] == [
        "line 10: unknown category 'gardening'"
    ]
    assert await active_directory(session_factory) == shipped_directory


async def test_a_bad_yaml_entry_is_named_by_its_line(
    session_factory: Sessions, shipped_directory: Directory, clock: FakeClock, tmp_path: Path
) -> None:
    exported = tmp_path / "directory.yaml"
    await export_from(session_factory, exported)
    lines = exported.read_text(encoding="utf-8").splitlines()
    where = next(n for n, line in enumerate(lines) if line.strip() == "phone: 0300 123 6600")
    lines[where] = lines[where].replace("0300 123 6600", "12345")
    bad = tmp_path / "bad.yaml"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DirectoryError) as raised:
        await import_into(session_factory, bad, now=clock.now)
    [problem] = raised.value.problems
    assert lines[problem.line - 1] == "- name: FRANK"
    assert problem.reason == "phone '12345' is not a UK phone number (entry 1)"


@pytest.mark.parametrize("name", ["directory.csv", "directory.yaml"])
async def test_a_good_file_round_trips_through_export_unchanged(
    session_factory: Sessions, clock: FakeClock, tmp_path: Path, name: str
) -> None:
    summary, notes = await import_into(session_factory, default_resources_path(), now=clock.now)
    assert summary.added == 57 and notes == []
    first, second = tmp_path / f"first-{name}", tmp_path / f"second-{name}"
    await export_from(session_factory, first)
    summary, _ = await import_into(session_factory, first, now=clock.now)
    assert summary.unchanged == 57 and summary.added == summary.updated == summary.retired == 0
    await export_from(session_factory, second)
    assert second.read_bytes() == first.read_bytes()
    assert import_file(first) == load_directory()
