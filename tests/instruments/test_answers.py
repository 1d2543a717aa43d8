"""parse_answer is tolerant of how people type on phones, and never guesses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.instruments import Instrument, load_instruments, parse_answer
from bot.instruments.answers import tokenise

SHIPPED = load_instruments()
ARC = SHIPPED["arc"]  # 1 Yes, 2 No (values 1 and 0)
WEEKLY = SHIPPED["weekly"]  # 1 Strongly disagree ... 6 Strongly agree
CEST = SHIPPED["cest_self_esteem"]  # 1 Disagree strongly ... 3 Not sure ... 5 Agree strongly

CASES = [
    # Button numbers follow the file's order, not the values.
    (ARC, "1", 1),
    (ARC, "2", 0),
    (ARC, " 2 ", 0),
    (ARC, "2.", 0),
    (ARC, "(1)", 1),
    (ARC, "3", None),
    (ARC, "0", None),
    (ARC, "-1", None),
    (WEEKLY, "2", 2),
    (WEEKLY, "6", 6),
    (WEEKLY, "06", 6),
    (WEEKLY, "7", None),
    (WEEKLY, "1.5", None),
    (WEEKLY, "12", None),
    (CEST, "5", 5),
    (CEST, "\uff13", 3),  # a full-width digit from some phone keyboards
    # Labels and synonyms, any case, with punctuation and emoji.
    (ARC, "Yes", 1),
    (ARC, "YES!!!", 1),
    (ARC, "yes \U0001f44d", 1),
    (ARC, "y", 1),
    (ARC, "Yeah", 1),
    (ARC, "yep", 1),
    (ARC, "aye", 1),
    (ARC, "I do", 1),
    (ARC, "no", 0),
    (ARC, "N", 0),
    (ARC, "nope.", 0),
    (ARC, "nah", 0),
    (ARC, "I don't", 0),
    (ARC, "i dont", 0),
    (ARC, "I don\u2019t", 0),  # a curly apostrophe
    (ARC, "not really", 0),
    (ARC, "not yet", 0),
    (WEEKLY, "strongly agree", 6),
    (WEEKLY, "Agree strongly", 6),
    (WEEKLY, "agree", 5),
    (WEEKLY, "slightly disagree", 3),
    (WEEKLY, "disagree a bit", 3),
    (WEEKLY, "DISAGREE", 2),
    (CEST, "agree strongly", 5),
    (CEST, "strongly agree", 5),
    (CEST, "not sure", 3),
    (CEST, "Not sure...", 3),
    (CEST, "dunno", 3),
    (CEST, "disagree strongly", 1),
    # Small slips of spelling, read as the one word they are nearest to.
    (ARC, "yse", 1),
    (ARC, "yess", 1),
    (ARC, "noo", 0),
    (WEEKLY, "agre", 5),
    (WEEKLY, "agreee", 5),
    (WEEKLY, "disagre", 2),
    (WEEKLY, "strongly agre", 6),
    (WEEKLY, "stongly agree", 6),
    (WEEKLY, "strongly disagre", 1),
    (CEST, "agre strongly", 5),
    (CEST, "not sur", 3),
    # Filler words around an answer.
    (ARC, "yes please", 1),
    (ARC, "Yes thank you", 1),
    (ARC, "ok yes", 1),
    (ARC, "no thanks", 0),
    (ARC, "yes, yes", 1),
    (ARC, "no I don't", 0),
    (ARC, "yes I do", 1),
    (ARC, "I think yes", 1),
    (CEST, "I agree", 4),
    (CEST, "I'm not sure", 3),
    (ARC, "I'm not sure", None),
    (ARC, "I am not", 0),
    (ARC, "I am", 1),
    (ARC, "I'm", None),
    (CEST, "I think 4", 4),
    (WEEKLY, "yeah I agree", 5),
    (WEEKLY, "I strongly agree thanks", 6),
    (WEEKLY, "ok", None),
    (ARC, "thanks", None),
    (ARC, "ok", None),
    # Negations never match the positive option; contradictions and hedges are not answers.
    (CEST, "not agree", None),
    (WEEKLY, "not agree", None),
    (WEEKLY, "not strongly agree", None),
    (ARC, "not yes", None),
    (ARC, "yes no", None),
    (ARC, "yeah no", None),
    (ARC, "maybe yes", None),
    (ARC, "not sure", None),
    (ARC, "dont agree yes", None),
    (ARC, "1 no", None),
    (ARC, "1 yes", 1),
    (WEEKLY, "2 3", None),
    (WEEKLY, "agree disagree", None),
    (WEEKLY, "strongly agree agree", None),
    (WEEKLY, "really agree", None),
    (WEEKLY, "yes", None),  # a 6-point scale has no single "yes"
    (WEEKLY, "not sure", None),
    (CEST, "agree not", None),
    (WEEKLY, "not agre", None),
    (WEEKLY, "nto agree", None),  # "nto" is a slip of "not": still a negation, never agree
    (ARC, "yet", None),  # a letter changed in a short word is not a slip
    (ARC, "on", None),
    (ARC, "I'll tell you later", None),
    (ARC, "help", None),
    (ARC, "", None),
    (ARC, "   ", None),
    (ARC, "!!!", None),
    (ARC, "\U0001f44d", None),
    (ARC, "y e s", None),
    (ARC, "yes " * 20, None),  # too long to be a one-tap answer
]


@pytest.mark.parametrize(
    ("instrument", "text", "expected"),
    CASES,
    ids=[f"{instrument.id}:{text!r}" for instrument, text, _ in CASES],
)
def test_parse_answer(instrument: Instrument, text: str, expected: int | None) -> None:
    assert parse_answer(instrument, text) == expected


@pytest.mark.parametrize("instrument", list(SHIPPED.values()), ids=list(SHIPPED))
def test_every_label_and_word_parses_to_its_own_value(instrument: Instrument) -> None:
    for option in instrument.responses:
        for text in (option.label, *option.words):
            assert parse_answer(instrument, text) == option.value, text


@pytest.mark.parametrize("instrument", list(SHIPPED.values()), ids=list(SHIPPED))
def test_every_button_number_parses_to_its_option(instrument: Instrument) -> None:
    for number, option in enumerate(instrument.responses, start=1):
        assert parse_answer(instrument, str(number)) == option.value


def test_tokenise_drops_punctuation_apostrophes_and_emoji() -> None:
    assert tokenise("  I DON'T,   agree!! \U0001f600 ") == ("i", "dont", "agree")
    assert tokenise("-1") == ("-1",)


TEXT = st.one_of(
    st.text(),
    st.text(max_size=5000),
    st.text(alphabet=st.sampled_from("yesnoagrdisut 0123456789-.!\U0001f44d\u2019"), max_size=60),
    st.lists(st.sampled_from(["yes", "no", "not", "agree", "sure", "i", "please", "7"])).map(
        " ".join
    ),
)


@given(instrument=st.sampled_from(list(SHIPPED.values())), text=TEXT)
def test_parse_answer_never_raises_and_returns_a_value_or_none(
    instrument: Instrument, text: str
) -> None:
    result = parse_answer(instrument, text)
    assert result is None or result in {option.value for option in instrument.responses}


@pytest.mark.parametrize("length", [5000, 100_000])
def test_parse_answer_copes_with_huge_input(length: int) -> None:
    assert parse_answer(ARC, "9" * length) is None
    assert parse_answer(ARC, "\U0001f600" * length) is None
    assert parse_answer(ARC, "yes " * length) is None
