"""Read a message, and compile lists of phrases, the one way every safety list does.

The crisis list (bot.safety.crisis) and the relapse list (bot.safety.relapse) must read "cant",
"can't" and "can t" alike, or a phrase would work in one list and not the other; so both read
messages and phrases here. Why it reads as it does:

- Missing a crisis costs far more than a needless check-in, so the reading is forgiving: case,
  accents, punctuation, emoji, apostrophes ("can't", "cant" and "can t" alike), stretched
  letters ("diiie") and a little text-speak ("wanna", "gonna", "u", "2", "k1ll") read the same.
- Phrases match whole words only, so "od" never fires inside "odd" or "good", and a phrase
  means exactly what the list says: "die" is not "died" or "diet".
- Lists run on every message, so phrases are compiled once into a regex shaped like a trie.
  Nothing in it repeats a group that can itself repeat, so there is no catastrophic
  backtracking however long the message.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

# --- reading a message -------------------------------------------------------------------------

# Straight, curly and look-alike apostrophes, as phones and keyboards type them.
_APOSTROPHES = re.compile("['\u2018\u2019\u201b\u02bc\u0060\u00b4\u2032]")
_WORD = re.compile(r"[^\W_]+")
# Any ASCII character but a letter or digit becomes a space (the common, fast case).
_ASCII_GAPS = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum()})
# A digit or symbol standing in for a letter, only when touching a letter ("k1ll", "d!e"),
# so numbers such as "3 pills" or "999" stay as they are.
_LEET_CHARS = re.compile("[013457!@$]")
_LEET = re.compile(r"(?<=[^\W\d_])[013457]|[013457](?=[^\W\d_])|(?<=[^\W\d_])[!@$](?=[^\W\d_])")
_LEET_LETTERS = str.maketrans("013457!@$", "oieastias")
# The tail of a contraction, split off by its apostrophe or by a space: "can't", "can t" -> "cant".
# Not "d": "od'd" must not become "odd".
_CONTRACTION = re.compile(" (?=(?:t|s|m|re|ve|ll) )")
# Spellings folded into one form on both sides, so the list needs each phrase only once.
_FOLDS = {
    "cannot": "cant",
    "can not": "cant",
    "carnt": "cant",
    "cnt": "cant",
    "do not": "dont",
    "i am": "im",
    "he is": "hes",
    "she is": "shes",
    "they are": "theyre",
    "wanna": "want to",
    "wana": "want to",
    "gonna": "going to",
    "gunna": "going to",
    "gona": "going to",
    "2": "to",
    "u": "you",
}
_FOLD = re.compile(" (" + "|".join(re.escape(k) for k in _FOLDS) + ")(?= )")


def reading(text: str) -> str:
    """Return the message as the detector reads it: " words like this ", padded with spaces.

    Lowercase, no accents or punctuation, apostrophes as spaces with contractions joined up
    again, look-alike digits as letters, and the text-speak in _FOLDS in one spelling.
    """
    text = text.casefold()
    if text.isascii():
        if _LEET_CHARS.search(text):
            text = _LEET.sub(_unleet, text)
        words = text.translate(_ASCII_GAPS).split()
    else:
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
        text = _LEET.sub(_unleet, _APOSTROPHES.sub(" ", text))
        words = _WORD.findall(text)
    reading = _CONTRACTION.sub("", " " + " ".join(words) + " ")
    return _FOLD.sub(lambda match: " " + _FOLDS[match.group(1)], reading)


def _unleet(match: re.Match[str]) -> str:
    return match.group().translate(_LEET_LETTERS)


# --- compiling the list ------------------------------------------------------------------------


def _letter_pattern(letter: str, count: int, word: str) -> str:
    """Match one run of a letter as typed, allowing it to be stretched ("diiie", "killll").

    A single letter may also be typed three or more times, never twice, so "od" never matches
    "odd"; in words of one or two letters only vowels stretch, so "oddd" is not "od" either.
    """
    escaped = re.escape(letter)
    if count > 1:
        return f"{escaped}{{{count},}}"
    if len(word) > 2 or letter in "aeiouy":
        return f"{escaped}(?:{escaped}{escaped}+)?"
    return escaped


def _phrase_steps(phrase: str) -> list[str]:
    steps: list[str] = []
    for index, word in enumerate(phrase.split(" ")):
        if index:
            steps.append(" ")
        runs = itertools.groupby(word)
        steps.extend(_letter_pattern(letter, len(list(run)), word) for letter, run in runs)
    return steps


def compile_phrases(phrases: Iterable[str]) -> re.Pattern[str]:
    """Compile phrases into one whole-word regex, shared prefixes factored out like a trie."""
    trie: dict[str, Any] = {}
    for phrase in phrases:
        node = trie
        for step in _phrase_steps(phrase):
            node = node.setdefault(step, {})
        node[""] = {}
    # Readings are " padded with spaces ", so a space on each side means whole words.
    return re.compile(" " + _trie_pattern(trie) + "(?= )")


def _trie_pattern(node: dict[str, Any]) -> str:
    # The end of a phrase ("") is tried last, so the longest exception is the one removed.
    branches = [step + _trie_pattern(child) for step, child in node.items() if step]
    if "" in node:
        branches.append("")
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


# --- phrases built from parts ------------------------------------------------------------------

_PART = re.compile(r"\{([a-z_]+)\}")


def expand(entry: str, parts: dict[str, list[str]], limit: int) -> list[str]:
    """Every phrase a pattern stands for: "{use} {again}" -> "used again", "usd agen", ...

    ValueError (a short reason) for an unknown part, more than `limit` phrases, or a pattern
    that can read as nothing.
    """
    names = _PART.findall(entry)
    for name in names:
        if name not in parts:
            raise ValueError(f"{entry!r} uses {{{name}}}, not in parts")
    pieces = _PART.split(entry)  # literal, name, literal, name, ..., literal
    choices = [[piece] if index % 2 == 0 else parts[piece] for index, piece in enumerate(pieces)]
    count = 1
    for choice in choices:
        count *= len(choice)
    if count > limit:
        raise ValueError(f"{entry!r} stands for too many phrases ({count}, at most {limit})")
    phrases = [" ".join(reading("".join(combo)).split()) for combo in itertools.product(*choices)]
    if not all(phrases):
        raise ValueError(f"{entry!r} can be empty")
    return phrases


def compile_patterns(entries: Iterable[str], parts: dict[str, list[str]]) -> re.Pattern[str]:
    """Compile patterns built from parts ("{take} {amount} {pills}") into one whole-word regex.

    Each part becomes one trie-shaped group, and patterns are merged into a trie of those
    groups, so "{take} {amount} {pills} {finality}" costs the sum of its parts, not their
    product, and a part used in many patterns is written out once per branch, not per pattern.
    A part that lists "" may be left out. Letters match as written: stretched letters
    ("diiie") are for the caller to read first (bot.safety.crisis does, word by word).
    """
    groups: dict[str, tuple[str, bool]] = {}
    for name, phrases in parts.items():
        trie: dict[str, Any] = {}
        for phrase in phrases:
            node = trie
            for step in _plain_steps(phrase):
                node = node.setdefault(step, {})
            if phrase:
                node[""] = {}
        groups[name] = ("(?:" + _trie_pattern(trie) + ")", "" in phrases)
    root: dict[str, Any] = {}
    for entry in entries:
        pieces: list[tuple[str, bool]] = []
        for token in _TOKEN.findall(entry):
            if token.startswith("{"):
                pieces.append(groups[token[1:-1]])
            elif words := reading(token).strip():
                pieces.append((re.escape(words), False))
        node = root
        for step in _sequence(pieces):
            node = node.setdefault(step, {})
        node[""] = {}
    return re.compile(" " + _trie_pattern(root) + "(?= )")


def _plain_steps(phrase: str) -> list[str]:
    """A phrase letter by letter, as typed: the caller reads stretched letters itself."""
    return [re.escape(letter) for letter in phrase]


_TOKEN = re.compile(r"\{[a-z_]+\}|[^\s{}]+")


def _sequence(pieces: list[tuple[str, bool]]) -> list[str]:
    """The steps of one pattern: pieces joined by single spaces, an optional piece taking one
    of them with it, so that leaving it out leaves one space, not two."""
    steps: list[str] = []
    started = False  # whether a piece that is always there has been placed yet
    for piece, optional in pieces:
        if not started:
            steps.append(f"(?:{piece} )?" if optional else piece)
            started = not optional
        else:
            steps.append(f"(?: {piece})?" if optional else f" {piece}")
    return steps
