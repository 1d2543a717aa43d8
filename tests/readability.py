"""Reading-ease checks for text that mentees read, shared by the test suites.

Some mentees have limited reading, so user-facing text is held to a Flesch reading ease of at
least 70 ("fairly easy", roughly a reading age of 9-11). Messages also go out by SMS, where a
single character outside the GSM-7 alphabet (a curly quote, an emoji) switches the whole
message to UCS-2 and cuts it from 160 to 70 characters, so `is_gsm7` checks that too.

The syllable count is a heuristic (vowel groups, less silent "e"s, "-ed" and "-es"),
good enough to compare short texts against a threshold; it is not a linguistic tool.
"""

from __future__ import annotations

import re

# The GSM 03.38 basic character set, without the escape to the extension table: characters
# such as [ ] { } ~ | ^ and the euro sign cost two septets and are best avoided.
GSM7_BASIC = frozenset(
    "@\u00a3$\u00a5\u00e8\u00e9\u00f9\u00ec\u00f2\u00c7\n\u00d8\u00f8\r\u00c5\u00e5"
    "\u0394_\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039e\u00c6\u00e6\u00df\u00c9"
    " !\"#\u00a4%&'()*+,-./0123456789:;<=>?"
    "\u00a1ABCDEFGHIJKLMNOPQRSTUVWXYZ\u00c4\u00d6\u00d1\u00dc\u00a7"
    "\u00bfabcdefghijklmnopqrstuvwxyz\u00e4\u00f6\u00f1\u00fc\u00e0"
)

_WORD = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?")
_SENTENCE_END = re.compile(r"[.!?]+")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")
# "hopeful", "lonely", "homeless": the e is silent ("settlement" keeps its "-tle").
_SILENT_E_BEFORE_SUFFIX = re.compile(r"[^aeiouyl]e(?:ful|ly|ment|less|ness)$")
# "doing", "going", "seeing": the vowel and the "-ing" are two syllables, not one group.
_VOWEL_BEFORE_ING = re.compile(r"[aeiouy]ing$")


def is_gsm7(text: str) -> bool:
    """Return True if every character of the text is in the GSM-7 basic alphabet."""
    return all(character in GSM7_BASIC for character in text)


def words(text: str) -> list[str]:
    """Return the words of the text; "don't" is one word, "check-in" two."""
    return _WORD.findall(text)


def sentence_count(text: str) -> int:
    """Count sentences by their closing punctuation; text without any is one sentence."""
    pieces = [piece for piece in _SENTENCE_END.split(text) if words(piece)]
    return max(1, len(pieces))


def syllables(word: str) -> int:
    """Estimate the syllables in one English word (a number counts one per digit)."""
    if word.isdigit():
        return len(word)
    letters = re.sub(r"[^a-z]", "", word.lower())
    if len(letters) <= 3:
        return 1
    count = len(_VOWEL_GROUP.findall(letters))
    count -= _has_silent_ending(letters) + bool(_SILENT_E_BEFORE_SUFFIX.search(letters))
    count += bool(_VOWEL_BEFORE_ING.search(letters))
    return max(1, count)


def _has_silent_ending(word: str) -> bool:
    """Tell whether a final "e", "ed" or "es" adds no syllable ("home", "jumped", "makes")."""
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")):
        return word[-2] not in "aeiouy"
    if word.endswith("ed"):
        return word[-3] not in "aeiouytd"
    if word.endswith("es"):
        return word[-3] not in "aeiouyszxhgc"
    return False


def flesch_reading_ease(text: str) -> float:
    """Return the Flesch reading ease of the text; higher is easier, 70+ is fairly easy."""
    found = words(text)
    if not found:
        raise ValueError("there are no words to score")
    per_sentence = len(found) / sentence_count(text)
    per_word = sum(syllables(word) for word in found) / len(found)
    return 206.835 - 1.015 * per_sentence - 84.6 * per_word
