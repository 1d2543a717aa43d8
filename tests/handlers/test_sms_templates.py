"""Every template in bot/flows/texts.py, rendered as a text message, speaks the SMS way."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import pytest

from bot.delivery.sms_text import render
from bot.flows import texts
from bot.messages import Reply
from tests.flows.test_texts import STAFF_FACING, _Example
from tests.handlers.sms_wording import chat_words


def _templates() -> Iterator[tuple[str, str]]:
    """(name, template) for every str, and every str in a dict or tuple, in texts.py."""
    for name, value in vars(texts).items():
        if not name.isupper():
            continue
        if isinstance(value, str):
            yield name, value
        elif isinstance(value, dict):
            yield from ((f"{name}[{key}]", item) for key, item in value.items())
        elif isinstance(value, tuple):
            yield from ((f"{name}[{index}]", item) for index, item in enumerate(value))


TEMPLATES = dict(_templates())


def _filled(template: str) -> str:
    try:
        return template.format_map(_Example(text="Do you have a safe place to live?"))
    except ValueError:  # a number format, like {mean:.1f}
        return template.format_map(defaultdict(lambda: 2.5))


def test_every_kind_of_template_is_found() -> None:
    assert len(TEMPLATES) > 400
    assert "STAFF_COMMAND_HELP[invite]" in TEMPLATES and "RELAY_PARTS_OF_DAY[0]" in TEMPLATES


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_template_as_a_text_has_no_taps_buttons_or_chat_commands(name: str) -> None:
    staff = name.split("[")[0] in STAFF_FACING
    body = "\n".join(render(Reply(_filled(TEMPLATES[name])), staff=staff))
    assert chat_words(body, staff=staff) == [], body


def test_the_check_finds_chat_words() -> None:
    assert chat_words("Tap one, or press the button.", staff=False) == ["Tap", "button"]
    found = chat_words("Send /start CODE, or /cancel.", staff=True)
    assert found == ["/start", "/start", "/cancel"]
    assert chat_words("Book one with /meet Sam.", staff=False) == ["/meet"]
    assert chat_words("Book one with /meet Sam.", staff=True) == []
    assert chat_words("Text JOIN by 14/3. See https://t.me/bot", staff=False) == []


@pytest.mark.parametrize(
    ("chat", "text", "staff"),
    [
        (texts.PAUSED, "Your answers are saved. Send CHECKIN to carry on.", False),
        (texts.SETTINGS_SAVED, "Send SETTINGS to change it.", False),
        (texts.HELP, "MEET - your next meeting\nFIND - find a service", False),
        (texts.HELP, "PAUSE - stop for now", False),
        (
            texts.RELAY_ASK_AGAIN.format(name="Alex"),
            "Or send PAUSE if you do not want to send one.",
            False,
        ),
        (texts.PRIVACY_YOUR_DATA, "Send MYDATA to see what we keep. Send FORGET", False),
        (texts.HELP_MORE, "Also: PLAN shows your plan. CONCERN lets you", False),
        (texts.START_NEEDS_CODE, "If you have a code, send: JOIN and then the code.", False),
        (texts.PLAN_NEEDS_NAME, "Send /plan and a mentee's name, like /plan Sam", True),
        (texts.STAFF_COMMAND_HELP["msg"], "MSG NAME TEXT - message a mentee", True),
        (texts.INVITE_CODE.format(code="AB12CD"), "(they send JOIN AB12CD)", True),
        (texts.CLOSE_ASK_REASON.format(name="Sam"), "(up to 200 characters), or PAUSE.", True),
    ],
)
def test_commands_become_the_keywords_a_text_can_use(chat: str, text: str, staff: bool) -> None:
    """CANCEL and START are the carrier's own words; a mentor's /plan keeps the name it needs."""
    assert text in "\n".join(render(Reply(chat), staff=staff))
