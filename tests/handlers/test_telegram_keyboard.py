"""How a Reply's choices and controls become Telegram buttons."""

from __future__ import annotations

from bot.delivery.telegram_keyboard import keyboard
from bot.messages import Choice, Reply


def labels(reply: Reply) -> list[list[str]]:
    markup = keyboard(reply)
    assert markup is not None
    return [[button.text for button in row] for row in markup.inline_keyboard]


def test_back_and_skip_sit_on_a_row_of_their_own_under_the_answers() -> None:
    reply = Reply(
        "Q?",
        choices=(Choice("Yes", "1"), Choice("No", "0")),
        controls=(Choice("Back", "_back"), Choice("Skip", "_skip")),
        token="t",
    )
    assert labels(reply) == [["Yes", "No"], ["Back", "Skip"]]


def test_a_question_answered_in_words_can_still_offer_back() -> None:
    reply = Reply("What is your goal?", controls=(Choice("Back", "_back"),), token="t")
    assert labels(reply) == [["Back"]]


def test_plain_text_has_no_keyboard() -> None:
    assert keyboard(Reply("Hello")) is None
