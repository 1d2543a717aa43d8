"""Choices as WhatsApp buttons, and numbered text wherever buttons cannot carry them."""

from __future__ import annotations

import pytest

from bot.delivery.whatsapp_buttons import (
    BODY_LIMIT,
    ChoiceTemplates,
    button_id,
    buttons,
    tapped,
)
from bot.messages import Choice, Reply

QUICK = tuple(f"HXa{count:031d}" for count in range(1, 4))
LISTS = tuple(f"HXb{count:031d}" for count in range(4, 11))
ALL = ChoiceTemplates(QUICK, LISTS)
BACK = Choice("Back", "_back")


def _question(count: int, *, label: str = "Option", controls: tuple[Choice, ...] = ()) -> Reply:
    choices = tuple(Choice(f"{label} {n}", f"v{n}") for n in range(1, count + 1))
    return Reply("Which one?", choices=choices, token="t9", controls=controls)


def test_a_quick_reply_carries_the_message_titles_and_ids() -> None:
    found = buttons(_question(2, controls=(BACK,)), ALL)
    assert found == (
        QUICK[2],
        {
            "1": "Which one?",
            "2": "Option 1",
            "3": "t9:v1",
            "4": "Option 2",
            "5": "t9:v2",
            "6": "Back",
            "7": "t9:_back",
        },
    )


def test_four_to_ten_answers_go_as_a_list_with_the_numbers_kept_in_the_text() -> None:
    found = buttons(_question(10), ALL)
    assert found is not None
    sid, variables = found
    assert sid == LISTS[-1] and len(variables) == 21
    assert variables["1"].startswith("Which one?\n\n1 Option 1\n2 Option 2\n")
    assert variables["1"].endswith("\nReply 1-10")
    # Back does not fit an eleventh item: it is named as a word, the answers stay a list.
    sid, variables = buttons(_question(10, controls=(BACK,)), ALL) or ("", {})
    assert sid == LISTS[-1] and variables["1"].endswith("\nReply 1-10, BACK")


@pytest.mark.parametrize(
    "reply",
    [
        _question(11),  # more than a list holds
        _question(2, label="A label of many words"),  # 22 characters: a button shows 20
        _question(5, label="A label of many more words"),  # 26: a list item shows 24
        Reply("x" * (BODY_LIMIT + 1), choices=(Choice("Yes", "y"),), token="t"),
        Reply("Same?", choices=(Choice("Yes", "y"), Choice("Yes", "y2")), token="t"),
        Reply("Long id?", choices=(Choice("Yes", "y" * 200),), token="t"),
        Reply("No options, only a way back.", controls=(BACK,)),
    ],
    ids=["eleven", "long-title", "long-item", "long-body", "twin-titles", "long-id", "none"],
)
def test_numbered_text_wherever_buttons_cannot_carry_the_reply(reply: Reply) -> None:
    assert buttons(reply, ALL) is None


def test_a_count_without_its_template_goes_as_numbered_text() -> None:
    some = ChoiceTemplates.parse(f",{QUICK[1]}", None)  # only the two-button one was made
    assert some.template(1) is None and some.template(2) == ("quick_reply", QUICK[1])
    assert buttons(_question(2), some) is not None
    assert buttons(_question(1), some) is None
    assert buttons(_question(4), some) is None
    assert buttons(_question(2), ChoiceTemplates()) is None


def test_a_tapped_id_gives_back_the_token_and_the_answer() -> None:
    assert tapped(button_id("t9", "v1")) == ("t9", "v1")
    assert tapped(button_id(None, "v1")) == (None, "v1")
    assert tapped("Yes") is None  # a template's own button, not ours: read as the words
    assert tapped(":v1") is None and tapped("t9:") is None
