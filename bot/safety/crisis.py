"""Spot crisis phrases in a mentee's message before anything else reads it.

Every free-text message, on any channel and in any flow, goes through `CrisisDetector.check`
first; a match makes the engine answer with crisis lines instead of carrying on.

Why it works as it does:

- Missing a crisis costs far more than a needless check-in, so the list is generous and the
  reading forgiving: case, accents, punctuation, emoji, apostrophes ("can't", "cant" and
  "can t" alike), stretched letters ("diiie") and a little text-speak ("wanna", "gonna",
  "u", "2", "k1ll") all read the same.
- Phrases match whole words only, so "od" never fires inside "odd" or "good", and a phrase
  means exactly what the list says: "die" is not "died" or "diet".
- Harmless phrases that contain a trigger ("dying for a brew", "cutting down my methadone")
  are listed as exceptions and taken out of the message before the triggers are looked for,
  so a trigger elsewhere in the same message still counts.
- The list is data (config/crisis.yaml), reviewed by the service's clinical lead, not code. A
  bad file stops the bot at start-up with a one-line reason instead of being half used.
- The message is never logged or kept here.

It runs on every message, so each category's phrases are compiled once into a regex shaped like
a trie. Nothing in it repeats a group that can itself repeat, so there is no catastrophic
backtracking however long the message.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

import config
from bot.yaml_files import UniqueKeyLoader


class CrisisCategory(StrEnum):
    """What a crisis phrase is about; the reply and the staff alert depend on it."""

    SUICIDE = "suicide"
    SELF_HARM = "self_harm"
    OVERDOSE = "overdose"
    CANT_GO_ON = "cant_go_on"
    VIOLENCE_ABUSE = "violence_abuse"


@dataclass(frozen=True)
class CrisisMatch:
    """The categories found in one message, and whether a life may be at risk now."""

    categories: frozenset[CrisisCategory]
    life_at_risk: bool


class CrisisListError(Exception):
    """The crisis phrase file cannot be used; the message is one line, "<file>: <problem>"."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = " ".join(problem.split())
        super().__init__(f"{path}: {self.problem}")


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


def _reading(text: str) -> str:
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


def _compile(phrases: Iterable[str]) -> re.Pattern[str]:
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


# --- the detector ------------------------------------------------------------------------------


def default_crisis_path() -> Path:
    """Return config/crisis.yaml shipped beside the code, whatever the working directory."""
    return Path(config.__file__).resolve().parent / "crisis.yaml"


class CrisisDetector:
    """Checks messages against the curated crisis phrases; build it with `from_file`."""

    def __init__(
        self,
        triggers: Mapping[CrisisCategory, re.Pattern[str]],
        exceptions: re.Pattern[str] | None,
        life_at_risk: frozenset[CrisisCategory],
    ) -> None:
        self._triggers = dict(triggers)
        self._exceptions = exceptions
        self._life_at_risk = life_at_risk

    @classmethod
    def from_file(cls, path: Path | None = None) -> CrisisDetector:
        """Load and compile a phrase file (default config/crisis.yaml); CrisisListError if bad."""
        source = default_crisis_path() if path is None else path
        phrases, exceptions, life_at_risk = _CrisisFile(source).read()
        return cls(
            {category: _compile(found) for category, found in phrases.items()},
            _compile(exceptions) if exceptions else None,
            life_at_risk,
        )

    def check(self, text: str | None) -> CrisisMatch | None:
        """Return the crisis categories found in a message, or None if there are none."""
        if not text:
            return None
        reading = _reading(text)
        if self._exceptions is not None:
            # A bar, not nothing, so a trigger cannot be made across the gap left behind.
            reading = self._exceptions.sub(" |", reading)
        found = {c for c, pattern in self._triggers.items() if pattern.search(reading)}
        if not found:
            return None
        return CrisisMatch(frozenset(found), life_at_risk=not found.isdisjoint(self._life_at_risk))


# --- reading the phrase file -------------------------------------------------------------------

_LIFE_AT_RISK = "life_at_risk"
_SECTION_KEYS = ("phrases", "except")


class _CrisisFile:
    """One reading of the phrase file, refusing anything its editor probably did not mean."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._listed: dict[str, str] = {}  # phrase as read -> where it was first listed

    def read(self) -> tuple[dict[CrisisCategory, list[str]], list[str], frozenset[CrisisCategory]]:
        """Return the trigger phrases by category, the exceptions, and the life-at-risk set."""
        data = self._load()
        known = [_LIFE_AT_RISK, *CrisisCategory]
        for key in data:
            if key not in known:
                raise self._error(f"unknown category {key!r}; expected one of {', '.join(known)}")
        triggers: dict[CrisisCategory, list[str]] = {}
        exceptions: list[str] = []
        for category in CrisisCategory:
            section = self._section(data, category)
            triggers[category] = self._phrases(section.get("phrases"), f"{category}.phrases")
            if not triggers[category]:
                raise self._error(f"{category}.phrases: the list is empty")
            exceptions += self._phrases(section.get("except", []), f"{category}.except")
        return triggers, exceptions, self._life_at_risk(data)

    def _load(self) -> dict[Any, Any]:
        try:
            # utf-8-sig: files saved by Windows Notepad start with a byte-order mark.
            text = self.path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise self._error(f"cannot read the file ({error})") from error
        try:
            data = yaml.load(text, Loader=UniqueKeyLoader)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(error, "problem", None) or error
            raise self._error(f"YAML error{where}: {problem}") from error
        if not isinstance(data, dict):
            raise self._error("the file must be a mapping of categories to phrase lists")
        return data

    def _section(self, data: dict[Any, Any], category: CrisisCategory) -> dict[Any, Any]:
        if category not in data:
            raise self._error(f"the category {str(category)!r} is missing")
        section = data[category]
        if not isinstance(section, dict):
            raise self._error(f"{category}: must be a mapping with 'phrases' and 'except' lists")
        for key in section:
            if key not in _SECTION_KEYS:
                raise self._error(f"{category}: unknown key {key!r}; expected phrases or except")
        if "phrases" not in section:
            raise self._error(f"{category}: missing key 'phrases'")
        return section

    def _phrases(self, entries: object, where: str) -> list[str]:
        if not isinstance(entries, list):
            raise self._error(f"{where}: must be a list of phrases, one per line starting '- '")
        return [self._phrase(entry, where) for entry in entries]

    def _phrase(self, entry: object, where: str) -> str:
        if not isinstance(entry, str):
            raise self._error(f"{where}: {entry!r} is not text; put it in quotes")
        phrase = _reading(entry).strip()
        if not phrase:
            raise self._error(f"{where}: an empty phrase")
        if phrase in self._listed:
            same = "" if phrase == entry else f" (it reads as {phrase!r})"
            first = self._listed[phrase]
            raise self._error(f"{where}: duplicate phrase {entry!r}{same}, already in {first}")
        self._listed[phrase] = where
        return phrase

    def _life_at_risk(self, data: dict[Any, Any]) -> frozenset[CrisisCategory]:
        names = data.get(_LIFE_AT_RISK)
        if _LIFE_AT_RISK not in data or not isinstance(names, list):
            raise self._error(f"{_LIFE_AT_RISK}: must be a list of categories, e.g. [suicide]")
        categories: set[CrisisCategory] = set()
        for name in names:
            if name not in list(CrisisCategory):
                raise self._error(f"{_LIFE_AT_RISK}: unknown category {name!r}")
            if name in categories:
                raise self._error(f"{_LIFE_AT_RISK}: {name!r} is listed twice")
            categories.add(CrisisCategory(name))
        return frozenset(categories)

    def _error(self, problem: str) -> CrisisListError:
        return CrisisListError(self.path, problem)
