"""Turn what a mentee typed into one of the instrument's response values.

People answer on cheap phones, by SMS as well as Telegram, so a reply may be a button
number, a label, a synonym ("yep", "nah"), or a label wrapped in politeness ("yes please",
"I agree"). We are tolerant of all that but we never guess: a reply is understood only when
every meaningful word in it points at the same option. Anything else (a negation such as
"not agree", a contradiction such as "yes no", a hedge such as "maybe yes") gives None, and
the caller asks again. A small slip of spelling ("agre", "disagre", "yse") is read as the one
word of the instrument it is nearest to, by the shared vocabulary's rule
(bot/questions/vocabulary.py); a slip as near to two words is not read. The synonyms live in
the instrument file (`words`), so this module holds no clinical vocabulary beyond a short list
of filler words.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from bot.questions.vocabulary import correct

if TYPE_CHECKING:
    from bot.instruments.model import Instrument

# Words that carry no answer. "not", "never", "maybe", "really" are deliberately absent:
# dropping them would change the meaning ("not agree", "really agree").
FILLER_PHRASES: frozenset[tuple[str, ...]] = frozenset(
    tuple(phrase.split())
    for phrase in (
        "please",
        "pls",
        "plz",
        "thanks",
        "thank you",
        "thankyou",
        "thx",
        "ta",
        "cheers",
        "ok",
        "okay",
        "i",
        "im",
        "i am",
        "i think",
        "i feel",
        "i would say",
        "id say",
        "yeah",
        "um",
        "umm",
        "erm",
        "er",
        "hmm",
        "well",
        "oh",
    )
)

# Replies longer than this are not a one-tap answer; reading them as one would be a guess.
MAX_ANSWER_TOKENS = 12

_APOSTROPHES = re.compile(r"['\u2018\u2019\u201b`\u00b4]")
# A number keeps a leading minus so that "-1" is not read as "1".
_TOKEN = re.compile(r"-?[0-9]+|[^\W\d_]+")
_NUMBER = re.compile(r"[0-9]{1,3}")

Phrase = tuple[str, ...]


def tokenise(text: str) -> Phrase:
    """Lower-case the text and split it into words and numbers, dropping everything else."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return tuple(_TOKEN.findall(_APOSTROPHES.sub("", folded)))


def vocabulary(instrument: Instrument) -> dict[Phrase, int]:
    """Map every label and synonym of the instrument, tokenised, to its response value."""
    phrases: dict[Phrase, int] = {}
    for option in instrument.responses:
        for text in (option.label, *option.words):
            phrases[tokenise(text)] = option.value
    return phrases


def parse_answer(instrument: Instrument, text: str) -> int | None:
    """Return the response value the text means, or None when it is not clearly one option."""
    tokens = tokenise(text)
    if not tokens or len(tokens) > MAX_ANSWER_TOKENS:
        return None
    phrases = vocabulary(instrument)
    known = {word: word for phrase in (*phrases, *FILLER_PHRASES) for word in phrase}
    tokens = tuple(correct(tokens, known))
    values = _values_in(tokens, phrases, _numbered(instrument))
    if values is None or len(set(values)) != 1:
        return None
    return values[0]


def _numbered(instrument: Instrument) -> dict[str, int]:
    """Map the button numbers "1".."N", in the file's order, to response values."""
    return {str(number): option.value for number, option in enumerate(instrument.responses, 1)}


def _values_in(
    tokens: Phrase, phrases: dict[Phrase, int], numbers: dict[str, int]
) -> list[int] | None:
    """Return the value of each answer phrase in the tokens; None if a word is not understood."""
    values: list[int] = []
    position = 0
    while position < len(tokens):
        step = _read_phrase(tokens[position:], phrases, numbers)
        if step is None:
            return None
        length, value = step
        if value is not None:
            values.append(value)
        position += length
    return values


def _read_phrase(
    rest: Phrase, phrases: dict[Phrase, int], numbers: dict[str, int]
) -> tuple[int, int | None] | None:
    """Return (length, value) of the longest phrase that starts `rest`; value is None for filler.

    An answer phrase beats a filler of the same length, so "yeah" alone is an answer where
    "yeah" is a synonym, and a filler elsewhere ("yeah I agree").
    """
    for length in range(len(rest), 0, -1):
        candidate = rest[:length]
        value = _value_of(candidate, phrases, numbers)
        if value is not None:
            return length, value
        if candidate in FILLER_PHRASES:
            return length, None
    return None


def _value_of(
    candidate: Phrase, phrases: dict[Phrase, int], numbers: dict[str, int]
) -> int | None:
    """Return the value of one phrase or button number, or None if it is neither."""
    if candidate in phrases:
        return phrases[candidate]
    if len(candidate) == 1 and _NUMBER.fullmatch(candidate[0]):
        return numbers.get(str(int(candidate[0])))
    return None
