"""The shared reading-ease helper (tests/readability.py) gives sensible numbers."""

from __future__ import annotations

import pytest

from tests.readability import flesch_reading_ease, is_gsm7, sentence_count, syllables, words


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("cat", 1),
        ("home", 1),
        ("there", 1),
        ("jumped", 1),
        ("makes", 1),
        ("you", 1),
        ("table", 2),
        ("people", 2),
        ("wanted", 2),
        ("boxes", 2),
        ("agree", 2),
        ("money", 2),
        ("doing", 2),
        ("hopeful", 2),
        ("lonely", 2),
        ("alcohol", 3),
        ("beautiful", 3),
        ("settlement", 3),
        ("recovery", 4),
        ("116", 3),
    ],
)
def test_syllables(word: str, count: int) -> None:
    assert syllables(word) == count


def test_words_and_sentences() -> None:
    assert words("Don't stop. Check-in now!") == ["Don't", "stop", "Check", "in", "now"]
    assert sentence_count("One. Two! Three? Four") == 4
    assert sentence_count("No full stop at all") == 1
    assert sentence_count("Wait... what?!") == 2


def test_reading_ease_worked_by_hand() -> None:
    # 6 words, 1 sentence, 6 syllables: 206.835 - 1.015 * 6 - 84.6 * 1.
    assert flesch_reading_ease("The cat sat on the mat.") == pytest.approx(116.145)
    # 9 words, 2 sentences, 9 syllables: 206.835 - 1.015 * 4.5 - 84.6 * 1.
    assert flesch_reading_ease("I like my dog. He is big and kind.") == pytest.approx(117.6675)
    # 12 words, 1 sentence, 13 syllables (only "money" has two): 103.005.
    text = "Do you have a safe place to live, with money for food?"
    assert flesch_reading_ease(text) == pytest.approx(206.835 - 1.015 * 12 - 84.6 * 13 / 12)


def test_hard_text_scores_far_below_easy_text() -> None:
    hard = (
        "Comprehensive institutional rehabilitation necessitates interdisciplinary coordination."
    )
    assert flesch_reading_ease(hard) < 0
    assert flesch_reading_ease("Do you have a safe place to live?") > 90


def test_reading_ease_needs_words() -> None:
    with pytest.raises(ValueError, match="no words"):
        flesch_reading_ease("...")


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("Reply YES or NO. It's free: call 116 123 (24/7).", True),
        ("\u00a3 and \u00e9 are fine", True),
        ("It\u2019s a curly apostrophe", False),
        ("\u201cquoted\u201d", False),
        ("Well done \U0001f44d", False),
        ("Square [brackets] need the escape table", False),
        ("Euro \u20ac too", False),
    ],
)
def test_is_gsm7(text: str, safe: bool) -> None:
    assert is_gsm7(text) is safe
