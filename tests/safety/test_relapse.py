"""The relapse list (config/relapse.yaml): what it hears, what it leaves alone, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety.relapse import RelapseDetector, RelapseListError, shipped

TOLD = [
    "I used again last night",
    "i usd agen lst nite",
    "I relapsed",
    "Ive relapsed",
    "I've been using again",
    "im usin again",
    "slipped up",
    "had a slip",
    "had a bit of a slip on Saturday",
    "picked up again",
    "scored some gear",
    "went back on it",
    "got back on the drink",
    "had a hit",
    "I RELAPSED!!!",
]
QUIET = [
    "I used to live there",
    "used the bus",
    "I have not used again",
    "I haven't used again in months",
    "I havent relapsed",
    "never had a slip",
    "I slipped on the ice",
    "picked up the kids",
    "I'm scared I'll relapse",
    "bought some white bread",
    "I'm not going back on the gear",
    "hello",
]


@pytest.mark.parametrize("text", TOLD)
def test_a_relapse_told_in_words_is_heard(text: str) -> None:
    assert shipped().relapse(text)


@pytest.mark.parametrize("text", QUIET)
def test_near_misses_stay_quiet(text: str) -> None:
    assert not shipped().relapse(text)


def test_a_relapse_after_a_harmless_phrase_still_counts() -> None:
    assert shipped().relapse("I used to be clean but I used again")


@pytest.mark.parametrize("text", ["I feel terrible", "feeling low", "sad", "bad day"])
def test_words_of_feeling_are_heard(text: str) -> None:
    assert shipped().feeling(text)


@pytest.mark.parametrize("text", ["yse", "2", "agre", "skip", "", None])
def test_missed_answers_are_not_feelings(text: str | None) -> None:
    assert not shipped().feeling(text)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "relapse.yaml"
    path.write_text(text, encoding="utf-8")
    return path


TINY = "parts:\n  use: [used, using]\nrelapse:\n  phrases: ['{use} again']\n"


def test_a_small_file_builds_phrases_from_parts(tmp_path: Path) -> None:
    detector = RelapseDetector.from_file(
        write(tmp_path, TINY + "feelings:\n  phrases: [sad]\n  except: []\n")
    )
    assert detector.relapse("using again") and not detector.relapse("used the bus")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (TINY, "feelings: must be a mapping"),
        (TINY.replace("{use}", "{used}") + "feelings:\n  phrases: [sad]\n", "not in parts"),
        ("relapse: [", "cannot read the file"),
        (TINY + "feelings:\n  phrases: [sad]\nother: 1\n", "unknown key 'other'"),
        ("parts: {}\nrelapse:\n  phrases: []\nfeelings:\n  phrases: [sad]\n", "is empty"),
    ],
)
def test_a_bad_file_is_refused_with_a_reason(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(RelapseListError, match=problem):
        RelapseDetector.from_file(write(tmp_path, text))
