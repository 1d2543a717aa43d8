"""Spot a relapse, or words of feeling, in a mentee's own words (config/relapse.yaml).

A mentee who tells the bot "I used again last night" should get the facts that keep people
alive after a break, not a re-ask. Messages are read as the crisis rules read them
(bot.safety.reading: case, punctuation, apostrophes, stretched letters and a little text-speak
forgiven; whole words only) and exceptions are cut out first in the same way, so "I have not
used again" and "I used to live there" stay quiet.

Phrases here are built from parts ("{use} {again}"), as the crisis rules are, because a relapse
is told in many small variations of a few sentences and listing each whole would hide the
shape of the list from the clinical lead who reviews it. The file is read once per process
(`shipped`), at start-up, so a bad file stops the bot with a one-line reason. The crisis check
always runs before this one; the message is never logged or kept here.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

import config
from bot.safety.crisis import CrisisListError
from bot.safety.reading import compile_phrases as _compile
from bot.safety.reading import reading as _reading
from bot.yaml_files import UniqueKeyLoader

_PART = re.compile(r"\{([a-z_]+)\}")
_SECTIONS = ("parts", "relapse", "feelings")
# Expansions per phrase: a typo in a part list should fail loudly, not build a huge regex.
_MAX_EXPANSIONS = 5000


class RelapseListError(CrisisListError):
    """The relapse phrase file cannot be used; the message is one line, "<file>: <problem>"."""


def default_relapse_path() -> Path:
    """Return config/relapse.yaml shipped beside the code, whatever the working directory."""
    return Path(config.__file__).resolve().parent / "relapse.yaml"


@dataclass(frozen=True)
class _List:
    phrases: re.Pattern[str]
    exceptions: re.Pattern[str] | None

    def found_in(self, reading: str) -> bool:
        if self.exceptions is not None:
            reading = self.exceptions.sub(" |", reading)  # a bar: no phrase across the gap
        return self.phrases.search(reading) is not None


class RelapseDetector:
    """Checks messages for a relapse told in words, and for words of feeling."""

    def __init__(self, relapse: _List, feelings: _List) -> None:
        self._relapse = relapse
        self._feelings = feelings

    @classmethod
    def from_file(cls, path: Path | None = None) -> RelapseDetector:
        """Compile a phrase file (default config/relapse.yaml); RelapseListError if bad."""
        source = default_relapse_path() if path is None else path
        data = _load(source)
        parts = _parts(source, data.get("parts", {}))
        lists = [_section(source, data, name, parts) for name in ("relapse", "feelings")]
        return cls(*lists)

    def relapse(self, text: str | None) -> bool:
        return bool(text) and self._relapse.found_in(_reading(text or ""))

    def feeling(self, text: str | None) -> bool:
        return bool(text) and self._feelings.found_in(_reading(text or ""))


@functools.cache
def shipped() -> RelapseDetector:
    """The shipped list, read once per process (app start-up reads it first)."""
    return RelapseDetector.from_file()


def _load(path: Path) -> dict[Any, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=UniqueKeyLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise RelapseListError(path, f"cannot read the file ({error})") from error
    if not isinstance(data, dict):
        raise RelapseListError(path, "the file must be a mapping of parts, relapse and feelings")
    for key in data:
        if key not in _SECTIONS:
            raise RelapseListError(path, f"unknown key {key!r}; expected {', '.join(_SECTIONS)}")
    return data


def _parts(path: Path, section: object) -> dict[str, list[str]]:
    if not isinstance(section, dict):
        raise RelapseListError(path, "parts: must be a mapping of names to lists of words")
    parts: dict[str, list[str]] = {}
    for name, words in section.items():
        if not isinstance(words, list) or not words:
            raise RelapseListError(path, f"parts.{name}: must be a list of words")
        if not all(isinstance(word, str) for word in words):
            raise RelapseListError(path, f"parts.{name}: every word must be text; use quotes")
        parts[str(name)] = [_reading(word).strip() for word in words]
    return parts


def _section(path: Path, data: dict[Any, Any], name: str, parts: dict[str, list[str]]) -> _List:
    section = data.get(name)
    if not isinstance(section, dict) or not isinstance(section.get("phrases"), list):
        raise RelapseListError(path, f"{name}: must be a mapping with a 'phrases' list")
    phrases = _expand_all(path, section["phrases"], parts, f"{name}.phrases")
    if not phrases:
        raise RelapseListError(path, f"{name}.phrases: the list is empty")
    exceptions = _expand_all(path, section.get("except") or [], parts, f"{name}.except")
    return _List(_compile(phrases), _compile(exceptions) if exceptions else None)


def _expand_all(path: Path, entries: object, parts: dict[str, list[str]], where: str) -> list[str]:
    if not isinstance(entries, list):
        raise RelapseListError(path, f"{where}: must be a list of phrases")
    found: dict[str, None] = {}  # in order, once each: parts often overlap
    for entry in entries:
        if not isinstance(entry, str):
            raise RelapseListError(path, f"{where}: {entry!r} is not text; put it in quotes")
        for phrase in _expand(path, entry, parts, where):
            found[phrase] = None
    return list(found)


def _expand(path: Path, entry: str, parts: dict[str, list[str]], where: str) -> list[str]:
    """Every phrase a pattern stands for: "{use} {again}" -> "used again", "usd agen", ..."""
    names = _PART.findall(entry)
    for name in names:
        if name not in parts:
            raise RelapseListError(path, f"{where}: {entry!r} uses {{{name}}}, not in parts")
    pieces = _PART.split(entry)  # literal, name, literal, name, ..., literal
    choices = [[piece] if index % 2 == 0 else parts[piece] for index, piece in enumerate(pieces)]
    if math.prod(len(choice) for choice in choices) > _MAX_EXPANSIONS:
        raise RelapseListError(path, f"{where}: {entry!r} stands for too many phrases")
    phrases = [" ".join(_reading("".join(combo)).split()) for combo in itertools.product(*choices)]
    if not all(phrases):
        raise RelapseListError(path, f"{where}: {entry!r} can be empty")
    return phrases
