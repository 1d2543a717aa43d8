"""Every text the bot can send fits SMS: GSM-7 only, within two segments per message."""

from __future__ import annotations

import pytest

from bot.flows import texts
from bot.flows.types import Choice, Reply
from bot.handlers.sms_text import BUDGET, choice_for, length, render, segments, to_gsm7
from tests.readability import is_gsm7

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
            assert is_gsm7(part.replace("^", "").replace("|", "")), part
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
