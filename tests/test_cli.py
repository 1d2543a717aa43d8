"""The `mentorbot` command as an operator uses it, in a subprocess from another folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL, TEST_KEY

pytestmark = pytest.mark.skipif(
    POSTGRES_URL is not None, reason="command-line behaviour does not depend on the database"
)


def mentorbot(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the command with a test key set, unless `env` sets it (to "" for none)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MENTORBOT_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={**clean, "MENTORBOT_ENCRYPTION_KEYS": TEST_KEY, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = mentorbot("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("demo", "serve", "db", "staff"):
        assert command in result.stdout


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"MENTORBOT_QUIET_HOURS": "late"}, "MENTORBOT_QUIET_HOURS"),
        ({"MENTORBOT_DATABASE_URL": "mysql://nope"}, "MENTORBOT_DATABASE_URL"),
    ],
)
def test_bad_setting_stops_with_one_line(tmp_path: Path, env: dict[str, str], names: str) -> None:
    result = mentorbot("db", "upgrade", cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert names in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


CLOSED_PORT = "postgresql+asyncpg://postgres:pa55word@127.0.0.1:1/x"  # nothing listens on 1


@pytest.mark.parametrize(
    "command",
    [("db", "upgrade"), ("report",), ("staff", "list"), ("export", "--out", "e"), ("serve",)],
)
def test_an_unreachable_database_is_one_line_naming_host_and_port(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    env = {"MENTORBOT_DATABASE_URL": CLOSED_PORT, "MENTORBOT_TELEGRAM_TOKEN": "123:TEST"}
    result = mentorbot(*command, cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = [line for line in result.stderr.splitlines() if "alembic" not in line]
    assert line.startswith("mentorbot: Cannot reach the database at 127.0.0.1:1: ")
    assert "connection refused" in line and "MENTORBOT_DATABASE_URL" in line
    assert "Traceback" not in result.stderr and "pa55word" not in result.stderr


@pytest.mark.parametrize("command", [("db", "upgrade"), ("report",)])
def test_a_socket_with_no_server_is_one_line_naming_the_socket(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    # docs/deploy.md's URL reaches PostgreSQL by its socket; a stopped server leaves none.
    url = f"postgresql+asyncpg://mentorbot@/mentorbot?host={tmp_path}&port=5439"
    result = mentorbot(*command, cwd=tmp_path, env={"MENTORBOT_DATABASE_URL": url})
    assert result.returncode == 2
    (line,) = [line for line in result.stderr.splitlines() if "alembic" not in line]
    assert line == (
        f"mentorbot: Cannot reach the database at {tmp_path}/.s.PGSQL.5439: no such socket "
        "(is PostgreSQL running, on that port?) (check MENTORBOT_DATABASE_URL)"
    )


def test_a_missing_sqlite_folder_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/gone/mentorbot.db"
    result = mentorbot("staff", "list", cwd=tmp_path, env={"MENTORBOT_DATABASE_URL": url})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"mentorbot: Cannot open the SQLite file {tmp_path}/gone/mentorbot.db: "
        f"no folder {tmp_path}/gone (check MENTORBOT_DATABASE_URL)"
    )


def test_a_database_never_upgraded_says_to_run_db_upgrade(tmp_path: Path) -> None:
    result = mentorbot("report", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "mentorbot: The database is not up to date: run `mentorbot db upgrade` first"
    )


def test_a_misspelt_setting_stops_every_command_with_a_suggestion(tmp_path: Path) -> None:
    for command in (("db", "upgrade"), ("staff", "list"), ("demo", "--script", "none.txt")):
        (tmp_path / "none.txt").write_text("", encoding="utf-8")
        result = mentorbot(*command, cwd=tmp_path, env={"MENTORBOT_QUIETHOURS": "22:00-07:00"})
        assert result.returncode == 2
        assert result.stderr.strip() == (
            "mentorbot: Unknown setting MENTORBOT_QUIETHOURS "
            "(did you mean MENTORBOT_QUIET_HOURS?) (see deploy/env.example)"
        )


def test_serve_without_token_names_the_setting(tmp_path: Path) -> None:
    result = mentorbot("serve", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "mentorbot: Missing setting MENTORBOT_TELEGRAM_TOKEN (get one from @BotFather)"
    )


def test_malformed_instrument_file_is_refused_with_file_and_problem(tmp_path: Path) -> None:
    folder = tmp_path / "instruments"
    folder.mkdir()
    (folder / "arc.yaml").write_text("id: arc\nname: [unclosed\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    result = mentorbot(
        "demo",
        "--script",
        str(empty),
        cwd=tmp_path,
        env={"MENTORBOT_INSTRUMENTS_DIR": str(folder)},
    )
    assert result.returncode == 2
    assert "arc.yaml" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_upgrade_then_staff_add_and_list(tmp_path: Path) -> None:
    env = {"MENTORBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"}
    early = mentorbot("staff", "list", cwd=tmp_path, env=env)
    assert early.returncode == 2 and "mentorbot db upgrade" in early.stderr
    assert mentorbot("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    added = mentorbot(
        "staff",
        "add",
        "--name",
        "Alex",
        "--telegram-id",
        "555",
        "--role",
        "supervisor",
        cwd=tmp_path,
        env=env,
    )
    assert added.returncode == 0, added.stderr
    again = mentorbot(
        "staff", "add", "--name", "Bo", "--telegram-id", "555", cwd=tmp_path, env=env
    )
    assert again.returncode == 2 and "already" in again.stderr
    listed = mentorbot("staff", "list", cwd=tmp_path, env=env)
    assert "supervisor\tAlex\t555" in listed.stdout


def test_demo_script_replays_a_whole_baseline_and_saves_pictures(tmp_path: Path) -> None:
    script = Path(__file__).parents[1] / "docs" / "demo-script.txt"
    no_key = {"MENTORBOT_ENCRYPTION_KEYS": ""}  # as in the README: nothing set up
    result = mentorbot("demo", "--script", str(script), cwd=tmp_path, env=no_key)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "mentorbot-demo.db.key").is_file()  # its own key, beside its database
    assert "You: /start DEMO2026" in result.stdout
    assert "Bot: Thank you. That's all the questions." in result.stdout
    assert "(to mentor Alex: Sam has joined and agreed to take part.)" in result.stdout
    assert "Bot: Thank you. What matters most to you now: Home and Mood." in result.stdout
    assert "Bot: Your plan\nWhat matters most: Home, Mood." in result.stdout
    assert sorted(p.name for p in (tmp_path / "demo-output").iterdir()) == [
        "results-1.png",
        "results-2.png",
    ]
    quit_at_once = tmp_path / "quit.txt"
    quit_at_once.write_text("quit\n", encoding="utf-8")
    rerun = mentorbot("demo", "--script", str(quit_at_once), cwd=tmp_path, env=no_key)
    assert rerun.returncode == 0, rerun.stderr
    assert "You are Sam, a mentee." in rerun.stdout
    assert "/start" not in rerun.stdout  # Sam has joined already: the demo carries on


def test_report_on_an_empty_database_says_there_is_nothing_to_compare(tmp_path: Path) -> None:
    env = {"MENTORBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"}
    assert mentorbot("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    result = mentorbot("report", "--format", "json", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert '"pairs": 0' in result.stdout
    table = mentorbot("report", cwd=tmp_path, env=env)
    assert table.returncode == 0 and "Outcomes: baseline and follow-up" in table.stdout
    refused = mentorbot("report", "--format", "xls", cwd=tmp_path, env=env)
    assert refused.returncode == 2 and "--format" in refused.stderr
    bad_date = mentorbot("report", "--since", "May", cwd=tmp_path, env=env)
    assert bad_date.returncode == 2 and "YYYY-MM-DD" in bad_date.stderr


def test_report_compare_reads_another_programmes_file_and_refuses_a_bad_one(
    tmp_path: Path,
) -> None:
    env = {"MENTORBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"}
    assert mentorbot("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    template = Path(__file__).resolve().parents[1] / "docs" / "compare-template.csv"
    other = tmp_path / "other.csv"
    other.write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
    shown = mentorbot("report", "--compare", "other.csv", cwd=tmp_path, env=env)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("Compare: Mentoring and other\n")
    assert "other: n 2, 25.50 -> 30.00, change +4.50" in shown.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text(
        template.read_text(encoding="utf-8") + "P03,arc_total,30,51\nP04,arc_threats,x,1\n",
        encoding="utf-8",
    )
    refused = mentorbot("report", "--compare", "bad.csv", "--keep", "bad", cwd=tmp_path, env=env)
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.splitlines() == [
        "bad.csv line 12: after 51 is outside the range for ARC total (0 to 50)",
        "bad.csv line 13: before 'x' is not a number",
        "mentorbot: bad.csv was refused; nothing was kept",
    ]
    kept = mentorbot(
        "report", "--compare", "other.csv", "--keep", "day-programme", "--format", "json",
        "--out", "c.json", cwd=tmp_path, env=env,
    )  # fmt: skip
    assert kept.returncode == 0, kept.stderr
    assert kept.stderr == "Kept day-programme: 2 people, no names or ids.\n"
    assert (
        '"groups": [\n    "Mentoring",\n    "day-programme"' in (tmp_path / "c.json").read_text()
    )


def test_export_is_pseudonymous_unless_a_supervisor_asks_and_is_logged(tmp_path: Path) -> None:
    env = {"MENTORBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"}
    assert mentorbot("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    for name, role, telegram_id in (("Alex", "mentor", "11"), ("Pat", "supervisor", "12")):
        added = mentorbot(
            "staff",
            "add",
            "--name",
            name,
            "--telegram-id",
            telegram_id,
            "--role",
            role,
            cwd=tmp_path,
            env=env,
        )
        assert added.returncode == 0, added.stderr
    plain = mentorbot("export", "--out", "plain", cwd=tmp_path, env=env)
    assert plain.returncode == 0, plain.stderr
    assert "Alex" not in (tmp_path / "plain" / "people.csv").read_text()
    refused = [
        mentorbot("export", "--out", "x", "--identified", cwd=tmp_path, env=env),
        mentorbot(
            "export", "--out", "x", "--identified", "--supervisor", "Alex", cwd=tmp_path, env=env
        ),
    ]
    for result in refused:
        assert result.returncode == 2 and "supervisor" in result.stderr
    assert not (tmp_path / "x").exists()
    named = mentorbot(
        "export", "--out", "named", "--identified", "--supervisor", "pat", cwd=tmp_path, env=env
    )
    assert named.returncode == 0, named.stderr
    assert "Alex" in (tmp_path / "named" / "people.csv").read_text()
    missing = mentorbot("audit", "--mentee", "Nobody", cwd=tmp_path, env=env)
    assert missing.returncode == 2 and "no mentee called Nobody" in missing.stderr


@pytest.mark.parametrize("command", [("serve",), ("scheduler",), ("db", "upgrade"), ("report",)])
def test_without_an_encryption_key_nothing_starts(tmp_path: Path, command: tuple[str]) -> None:
    env = {"MENTORBOT_ENCRYPTION_KEYS": "", "MENTORBOT_TELEGRAM_TOKEN": "123:abc"}
    result = mentorbot(*command, cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "mentorbot: Missing setting MENTORBOT_ENCRYPTION_KEYS (make one with: mentorbot keys new)"
    )
    assert not (tmp_path / "mentorbot.db").exists()  # refused before touching the database
    bad = mentorbot(*command, cwd=tmp_path, env={"MENTORBOT_ENCRYPTION_KEYS": "secret"})
    assert bad.returncode == 2 and "key 1 is not a Fernet key" in bad.stderr
    assert "secret" not in bad.stderr  # a key is never echoed


def test_keys_new_then_rotate_keeps_the_demo_readable(tmp_path: Path) -> None:
    old, new = (mentorbot("keys", "new", cwd=tmp_path).stdout.strip() for _ in range(2))
    assert old != new and len(old) == 44
    join = tmp_path / "join.txt"  # Sam agrees, pauses the first check-in, looks at the plan
    join.write_text("1\n/cancel\n/plan\nquit\n", encoding="utf-8")
    plan = tmp_path / "plan.txt"
    plan.write_text("/plan\nquit\n", encoding="utf-8")
    database = tmp_path / "mentorbot-demo.db"
    env = {"MENTORBOT_DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    first = mentorbot(
        "demo", "--script", str(join), cwd=tmp_path, env={"MENTORBOT_ENCRYPTION_KEYS": old}
    )
    assert first.returncode == 0 and "Your plan" in first.stdout, first.stderr
    rotated = mentorbot(
        "keys", "rotate", cwd=tmp_path, env={**env, "MENTORBOT_ENCRYPTION_KEYS": f"{new},{old}"}
    )
    assert rotated.returncode == 0, rotated.stderr
    assert "Re-encrypted" in rotated.stdout
    again = mentorbot(
        "demo", "--script", str(plan), cwd=tmp_path, env={"MENTORBOT_ENCRYPTION_KEYS": new}
    )
    assert again.returncode == 0, again.stderr
    assert "/start" not in again.stdout and "Your plan" in again.stdout  # Sam found, by hash
    wrong = mentorbot(
        "keys", "rotate", cwd=tmp_path, env={**env, "MENTORBOT_ENCRYPTION_KEYS": old}
    )
    assert wrong.returncode == 2 and "cannot be read" in wrong.stderr
    for command in (("staff", "list"), ("export", "--out", "e")):  # a wrong key: one line
        wrong = mentorbot(*command, cwd=tmp_path, env={**env, "MENTORBOT_ENCRYPTION_KEYS": old})
        assert wrong.returncode == 2 and wrong.stderr.strip() == (
            "mentorbot: stored data cannot be read with the keys in "
            "MENTORBOT_ENCRYPTION_KEYS (is a key missing?)"
        )


def test_the_demo_ends_with_a_report_command_that_works_as_printed(tmp_path: Path) -> None:
    quit_at_once = tmp_path / "quit.txt"
    quit_at_once.write_text("quit\n", encoding="utf-8")
    no_key = {"MENTORBOT_ENCRYPTION_KEYS": ""}  # the demo makes and keeps its own key
    demo = mentorbot("demo", "--script", str(quit_at_once), cwd=tmp_path, env=no_key)
    assert demo.returncode == 0, demo.stderr
    hint, command = demo.stdout.strip().splitlines()[-2:]
    assert hint == "To see the outcomes report on this demo's data, run:"
    assert command.strip().endswith("mentorbot report")
    elsewhere = tmp_path / "elsewhere"  # absolute paths: it works from any folder
    elsewhere.mkdir()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MENTORBOT_")}
    path = f"{Path(sys.executable).parent}{os.pathsep}{clean.get('PATH', '')}"
    result = subprocess.run(
        ["bash", "-c", command],
        cwd=elsewhere,
        env={**clean, "PATH": path},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Pairs (baseline and follow-up): 0" in result.stdout
    assert "Not enough pairs yet." in result.stdout
    assert not (elsewhere / "mentorbot.db").exists()  # the demo's database, not a new one
