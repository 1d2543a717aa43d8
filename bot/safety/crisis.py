"""Spot a crisis in a mentee's message before anything else reads it.

Every free-text message, on any channel and in any flow, goes through `CrisisDetector.check`
first; a match makes the engine answer with crisis lines instead of carrying on.

Why it works as it does:

- People rarely say "suicide". They name a method and an amount ("took all my pills so I
  don't wake up"), a place ("sat on the edge of the car park roof"), a wish ("wish I could
  go to sleep and not wake up") or a goodbye. So config/crisis.yaml models each way risk is
  expressed as a category whose phrases are built from parts (intent words x means x amount),
  not a flat list of whole phrases a reviewer cannot see the shape of.
- Missing a crisis costs far more than a needless check-in, so the reading is forgiving
  (bot.safety.reading) and a word one slip away from a word of the list reads as that word
  ("tabets", "myslef"). Common words that are one slip from a list word ("bills",
  "putting") are listed under `keep` and never corrected.
- Harmless phrases that contain a trigger (hyperbole, a plain negation, a long-past event)
  are listed as exceptions and cut out of the message first, so a trigger elsewhere in the
  same message still counts.
- A search ("/find domestic abuse") is not a statement: `check(text, search=True)` also cuts
  out `topics`, the bare names of a subject, so only a statement in the search alerts.
- The list is data reviewed by the service's clinical lead (docs/safety.md), not code. A bad
  file stops the bot at start-up with a one-line reason. The message is never logged or kept.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

import config
from bot.questions.vocabulary import closest
from bot.safety.reading import reading

_DOUBLES = re.compile(r"(.)\1+")
_STRETCHED = re.compile(r"(.)\1\1+")
# Shorter words are not guessed at: "ask" is one slip from "mask", "added" from "odded".
# Short misspellings that matter ("kil") are listed in config/crisis.yaml instead.
_SLIP_MIN = 5


class CrisisCategory(StrEnum):
    """A way risk is expressed; the reply and the staff alert depend on it."""

    INTENT = "intent"
    METHOD = "method"
    PLACE = "place"
    PASSIVE_WISH = "passive_wish"
    GOODBYE = "goodbye"
    SELF_HARM = "self_harm"
    HARM_FROM_OTHERS = "harm_from_others"
    HARM_TO_OTHERS = "harm_to_others"
    OVERDOSE = "overdose"
    CANT_GO_ON = "cant_go_on"


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


def default_crisis_path() -> Path:
    """Return config/crisis.yaml shipped beside the code, whatever the working directory."""
    return Path(config.__file__).resolve().parent / "crisis.yaml"


@dataclass(frozen=True)
class CrisisRules:
    """A compiled crisis file: what `CrisisDetector` needs, built by bot.safety.crisis_file."""

    triggers: Mapping[CrisisCategory, re.Pattern[str]]
    exceptions: re.Pattern[str] | None
    topics: re.Pattern[str] | None
    life_at_risk: frozenset[CrisisCategory]
    vocabulary: Mapping[str, str]  # each word the rules use -> what a slip of it reads as


class CrisisDetector:
    """Checks messages against the crisis rules; build it with `from_file`."""

    def __init__(self, rules: CrisisRules) -> None:
        self._rules = rules
        self._known = dict(rules.vocabulary)
        self._choices = sorted(rules.vocabulary)
        self._corrected = functools.lru_cache(maxsize=8192)(self._correct)

    @classmethod
    def from_file(cls, path: Path | None = None) -> CrisisDetector:
        """Load and compile a crisis file (default config/crisis.yaml); CrisisListError if bad."""
        from bot.safety.crisis_file import read_rules

        return cls(read_rules(default_crisis_path() if path is None else path))

    def check(self, text: str | None, *, search: bool = False) -> CrisisMatch | None:
        """Return the crisis categories found in a message, or None if there are none.

        `search`: the message is a lookup ("/find self harm"); naming a subject is no alert.
        """
        if not text:
            return None
        read = self._read(text)
        if search and self._rules.topics is not None:
            read = self._rules.topics.sub(" |", read)
        found = {c for c, pattern in self._rules.triggers.items() if pattern.search(read)}
        if not found:
            return None
        at_risk = not found.isdisjoint(self._rules.life_at_risk)
        return CrisisMatch(frozenset(found), life_at_risk=at_risk)

    def names_topic(self, text: str | None) -> bool:
        """Whether a lookup names a crisis subject ("domestic abuse"), for the crisis lines."""
        topics = self._rules.topics
        if not text or topics is None:
            return False
        return topics.search(self._read(text)) is not None

    def _read(self, text: str) -> str:
        words = reading(text).split()
        read = " " + " ".join(self._corrected(word) for word in words) + " "
        if self._rules.exceptions is not None:
            # A bar, not nothing, so a trigger cannot be made across the gap left behind.
            read = self._rules.exceptions.sub(" |", read)
        return read

    def _correct(self, word: str) -> str:
        """The list word `word` is a unique slip of ("tabets" -> "tablets"), else `word`.

        A letter typed three or more times reads as two if that makes a list word ("oddd" is
        "odd"), else as one ("diiie" is "die"). Only words of five letters or more are guessed
        at, and a doubled letter that makes another word ("odd", not "od") is never a slip.
        """
        if word in self._known or not word.isalpha():
            return word
        if _STRETCHED.search(word):  # "diiie", "killll", "oddd": as one letter or two
            double = _STRETCHED.sub(r"\1\1", word)
            single = _STRETCHED.sub(r"\1", word)
            word = double if double in self._known or single not in self._known else single
            if word in self._known:
                return word
        if len(word) < _SLIP_MIN or _DOUBLES.sub(r"\1", word) in self._known:
            return word
        near = process.extract(
            word, self._choices, scorer=OSA.distance, score_cutoff=2, limit=None
        )
        return closest(word, {found: self._known[found] for found, _, _ in near}) or word
