"""`mentorbot safety check` as an operator runs it: the shipped rules against a corpus."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.test_cli import mentorbot


def test_safety_check_prints_full_recall_and_no_false_alarms_per_category(
    tmp_path: Path,
) -> None:
    result = mentorbot("safety", "check", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[1:11]}
    assert set(rows) == {
        "intent", "method", "place", "passive_wish", "goodbye",
        "self_harm", "harm_from_others", "harm_to_others", "overdose", "cant_go_on",
    }  # fmt: skip
    for listed, caught, recall, false_alarms in rows.values():
        assert int(listed) >= 20
        assert (caught, recall, false_alarms) == (listed, "100.0%", "0")
    assert "near-misses" in result.stdout


def test_a_corpus_the_rules_miss_is_shown_and_fails(tmp_path: Path) -> None:
    corpus = tmp_path / "mine.yaml"
    corpus.write_text(
        yaml.safe_dump(
            {
                "crisis": {"intent": ["I want to kill myself", "the sky is blue"]},
                "near_miss": ["this traffic is killing me", "I want to die"],
            }
        ),
        encoding="utf-8",
    )
    result = mentorbot("safety", "check", str(corpus), cwd=tmp_path)
    assert result.returncode == 1
    assert "intent                  2      1   50.0%             0" in result.stdout
    assert "MISSED intent: the sky is blue" in result.stdout
    assert "FALSE ALARM passive_wish: I want to die" in result.stdout


def test_a_file_of_plain_messages_is_counted_per_category(tmp_path: Path) -> None:
    messages = tmp_path / "messages.txt"
    messages.write_text("hello\nI want to die\nhe hit me again\n\n/find domestic abuse\n")
    result = mentorbot("safety", "check", str(messages), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    counts = dict(line.split() for line in result.stdout.splitlines()[1:])
    assert counts["passive_wish"] == "1"
    assert counts["harm_from_others"] == "1"
    assert sum(map(int, counts.values())) == 2  # a search names a subject: no alert


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    result = mentorbot("safety", "check", "nowhere.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "mentorbot: file not found: nowhere.yaml"
