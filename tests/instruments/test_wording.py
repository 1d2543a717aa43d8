"""The shipped wording is short, plain, kind and safe to send by SMS.

docs/instruments.md asks for our own one-line, second-person, jargon-free wording at a reading age
of about 9-11. A machine cannot judge tone, so these tests hold what can be measured: reading
ease, length, the GSM-7 alphabet, and that every ARC question is answered "Yes" for recovery.
"""

from __future__ import annotations

import re

import pytest

from bot.instruments import Instrument, load_instruments
from tests.readability import flesch_reading_ease, is_gsm7, words

SHIPPED = load_instruments()
INSTRUMENTS = list(SHIPPED.values())
IDS = list(SHIPPED)
MIN_READING_EASE = 70
MAX_ITEM_CHARS = 80
# Flesch is meaningless on one to three words ("Disagree" alone scores -48), so button
# labels and plain domain names are held to being short instead.
MAX_LABEL_WORDS = 3
MAX_LABEL_CHARS = 20
NEGATION = re.compile(r"\b(?:not|no|never|nothing|none|nobody|without)\b|n't\b", re.IGNORECASE)


def mentee_texts(instrument: Instrument) -> list[str]:
    """Every text of the instrument that a mentee reads."""
    return [
        instrument.intro,
        *(item.text for item in instrument.items),
        *(option.label for option in instrument.responses),
        *(domain.plain for domain in instrument.domains),
    ]


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=IDS)
def test_items_and_intro_are_easy_to_read(instrument: Instrument) -> None:
    hard = {
        text: round(flesch_reading_ease(text), 1)
        for text in (instrument.intro, *(item.text for item in instrument.items))
        if flesch_reading_ease(text) < MIN_READING_EASE
    }
    assert hard == {}


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=IDS)
def test_labels_and_plain_names_are_button_sized(instrument: Instrument) -> None:
    short = [option.label for option in instrument.responses]
    short += [domain.plain for domain in instrument.domains]
    too_long = [
        text for text in short if len(words(text)) > MAX_LABEL_WORDS or len(text) > MAX_LABEL_CHARS
    ]
    assert too_long == []


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=IDS)
def test_items_are_one_short_line_each(instrument: Instrument) -> None:
    for item in instrument.items:
        assert len(item.text) <= MAX_ITEM_CHARS, item.text
        assert "\n" not in item.text
        assert item.text[0].isupper(), item.text


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=IDS)
def test_item_texts_are_all_different(instrument: Instrument) -> None:
    texts = [item.text.casefold() for item in instrument.items]
    assert len(set(texts)) == len(texts)


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=IDS)
def test_texts_are_gsm7_safe(instrument: Instrument) -> None:
    texts = [*mentee_texts(instrument), instrument.name, instrument.source]
    texts += [domain.name for domain in instrument.domains]
    assert [text for text in texts if not is_gsm7(text)] == []


def test_arc_items_are_questions_where_yes_is_the_recovery_answer() -> None:
    for item in SHIPPED["arc"].items:
        assert item.text.endswith("?"), item.text
        assert re.match(r"(?:Do|Are|Can|Could|Is) ", item.text), item.text
        assert re.search(r"\b(?:you|your)\b", item.text), item.text
        # A negative question would make "Yes" the worse answer, or leave it unclear.
        assert not NEGATION.search(item.text), item.text


@pytest.mark.parametrize("instrument_id", ["weekly", "cest_self_esteem", "cest_self_efficacy"])
def test_agreement_items_are_second_person_statements(instrument_id: str) -> None:
    for item in SHIPPED[instrument_id].items:
        assert item.text.endswith("."), item.text
        assert re.search(r"\b(?:you|your)\b", item.text, re.IGNORECASE), item.text


def test_weekly_statements_are_worded_positively() -> None:
    # The weekly check-in is summed without reflection, so agreeing must always be good.
    for item in SHIPPED["weekly"].items:
        assert not NEGATION.search(item.text), item.text


def test_arc_and_weekly_share_domain_names() -> None:
    arc, weekly = SHIPPED["arc"], SHIPPED["weekly"]
    assert [(d.id, d.name, d.plain) for d in arc.domains] == [
        (d.id, d.name, d.plain) for d in weekly.domains
    ]
