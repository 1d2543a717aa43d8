"""Every text the bot can send fits SMS: GSM-7 only, within two segments per message."""

from __future__ import annotations

import pytest

from bot.delivery.sms_text import (
    BUDGET,
    MORE_PROMPT,
    UCS2_BUDGET,
    choice_for,
    is_gsm7,
    length,
    pages,
    render,
    segments,
    split,
    to_gsm7,
)
from bot.flows import texts
from bot.messages import Choice, Reply
from tests.readability import is_gsm7 as is_basic_gsm7

LONG = {
    "name": "Christopher-Alexander",
    "mentor": "Maria-Magdalena",
    "place": "Cafe near the Camberwell clinic, by the bus stop on the corner of the high road",
    "when": "Wed 30 Sep at 14:30",
    "time": "14:30",
    "day": "Wednesday",
    "text": "Do you feel you can ask for help from people around you when you need it?",
    "what": "suicide, overdose, violence or abuse",
}


class _Long(dict[str, object]):
    def __missing__(self, key: str) -> object:
        return LONG.get(key, 50)


TEMPLATES = sorted(
    name for name, value in vars(texts).items() if name.isupper() and isinstance(value, str)
)


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_is_gsm7_and_within_budget(name: str) -> None:
    text = getattr(texts, name).format_map(_Long())
    choices = (Choice(texts.MEETING_CONFIRM, "confirm"), Choice(texts.MEETING_CANT, "decline"))
    for reply in (Reply(text), Reply(text, choices=choices, token="t")):
        for part in render(reply):
            assert is_basic_gsm7(part.replace("^", "").replace("|", "")), part
            assert length(part) <= BUDGET and segments(part) <= 2, part


def test_smart_punctuation_is_folded_not_dropped() -> None:
    assert to_gsm7("It\u2019s \u201cfine\u201d \u2013 really\u2026 \u2714 caf\u00e9") == (
        'It\'s "fine" - really... caf\u00e9'
    )
    assert to_gsm7("\U0001f600 ok") == "ok"


def test_long_text_is_split_at_lines_and_words() -> None:
    body = "\n".join(["word " * 40] * 3)
    parts = render(Reply(body))
    assert len(parts) >= 3 and all(length(part) <= BUDGET for part in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(body.split())


def test_numbered_replies_map_back_to_the_options() -> None:
    offered = {"token": "mt-4", "choices": [["Confirm", "confirm"], ["Can't make it", "decline"]]}
    assert choice_for("2", offered) == ("mt-4", "decline")
    assert choice_for(" confirm. ", offered) == ("mt-4", "confirm")
    assert choice_for("3", offered) is None
    assert choice_for("2", None) is None


def test_a_question_answered_in_words_still_names_back_and_skip() -> None:
    reply = Reply("What is your goal?", controls=(Choice("Back", "_back"),), token="t")
    assert render(reply) == ["What is your goal?\nOr reply BACK"]


ESCAPED = "{}[]~|^\\\u20ac"


def _words(parts: list[str]) -> str:
    return " ".join(" ".join(parts).split())


@pytest.mark.parametrize("char", list(ESCAPED))
def test_escaped_characters_take_two_septets_and_parts_stay_within_budget(char: str) -> None:
    assert length(char * 10) == 20
    parts = split(char * 400)
    # 400 escaped characters are 800 septets: three parts of at most 153 characters each.
    assert [length(part) for part in parts] == [306, 306, 188]
    assert all(segments(part) == 2 for part in parts)
    assert "".join(parts) == char * 400


def test_the_segment_boundaries_count_escapes() -> None:
    assert segments("a" * 160) == 1
    assert segments("a" * 159 + "{") == 2  # 161 septets
    assert segments("a" * 158 + "{") == 1
    assert segments("a" * 306) == 2 and segments("a" * 307) == 3
    assert split("a" * 304 + "{") == ["a" * 304 + "{"]  # exactly 306 septets
    # One septet over: the escaped character moves whole to the next part.
    assert split("a" * 305 + "{") == ["a" * 305, "{"]


def test_a_long_word_of_mixed_characters_is_never_cut_inside_an_escape() -> None:
    word = "ab{" * 150  # 600 characters, 750 septets, no space to cut at
    parts = split(f"Code: {word} thanks")
    assert all(length(part) <= BUDGET for part in parts)
    assert parts[0] == "Code:"  # the long word starts a part of its own
    assert "".join(parts[1:-1]) + parts[-1].removesuffix(" thanks") == word


def test_words_are_kept_whole_when_escapes_fill_a_part() -> None:
    body = " ".join(["{x}"] * 100)  # 500 septets in words of 5 septets
    parts = split(body)
    assert all(length(part) <= BUDGET for part in parts) and len(parts) == 2
    assert all(word == "{x}" for part in parts for word in part.split(" "))
    assert _words(parts) == body


def test_a_character_gsm7_lacks_makes_the_part_ucs2() -> None:
    assert not is_gsm7("Lukasz \u0141") and is_gsm7("cost 5\u20ac {ok}")
    assert (length("\u0141" * 70), segments("\u0141" * 70)) == (70, 1)
    assert segments("\u0141" * 71) == 2 and segments("\u0141" * 134) == 2
    assert segments("\u0141" * 135) == 3
    assert length("\U0001f600") == 2  # beyond the BMP: a surrogate pair in UCS-2
    body = "\u0141ukasz says hello " * 20  # 400 characters, one of them in every word
    parts = split(body)
    assert all(not is_gsm7(part) and length(part) <= UCS2_BUDGET for part in parts)
    assert all(segments(part) <= 2 for part in parts) and len(parts) == 3
    assert _words(parts) == " ".join(body.split())


def test_only_the_part_with_the_unfoldable_character_pays_for_ucs2() -> None:
    body = "\n".join(["a" * 150, "b" * 150, "c \u0141 " + "d" * 100])
    parts = split(body)
    assert parts == ["a" * 150 + "\n" + "b" * 150, "c \u0141 " + "d" * 100]
    assert segments(parts[1]) == 2


def test_emoji_are_never_split_and_fit_the_ucs2_budget() -> None:
    parts = split("\U0001f600" * 100)  # 200 code units
    assert [length(part) for part in parts] == [134, 66]
    assert "".join(parts) == "\U0001f600" * 100


def test_pages_leave_room_for_more_in_either_encoding() -> None:
    sent = pages(Reply(" ".join(["{fine}"] * 120)))  # 960 septets
    assert len(sent) == 4 and all(segments(part) <= 2 for part in sent)
    assert all(part.endswith(MORE_PROMPT) for part in sent[:-1])
    room = len(MORE_PROMPT) + 1
    parts = split(" ".join(["\u0141ukasz"] * 60), reserve=room)
    assert all(length(part) + room <= UCS2_BUDGET for part in parts)
    assert all(segments(f"{part}\n{MORE_PROMPT}") == 2 for part in parts)
