"""Read config/crisis.yaml into compiled rules, refusing anything its editor did not mean.

The file protects people and is edited by hand, so a mistake (a typo in a part's name, a
category left out, a phrase listed twice) stops the bot at start-up with a one-line reason
instead of quietly weakening the check. The format is described at the top of the file itself.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.safety.crisis import CrisisCategory, CrisisListError, CrisisRules
from bot.safety.reading import compile_patterns, expand, reading
from bot.yaml_files import UniqueKeyLoader

_LIFE_AT_RISK = "life_at_risk"
_EXTRA_KEYS = (_LIFE_AT_RISK, "keep", "parts", "topics")
_SECTION_KEYS = ("phrases", "except")
# Words per part built from other parts: a slip should fail loudly, not build a huge regex.
_MAX_EXPANSIONS = 5000
_PART = re.compile(r"\{([a-z_]+)\}")


def _expand_part(word: str, parts: dict[str, list[str]]) -> list[str]:
    """A part's word, with any part it uses spelt out; "" (may be left out) stays as it is."""
    return [""] if not word.strip() else expand(word, parts, _MAX_EXPANSIONS)


def read_rules(path: Path) -> CrisisRules:
    """Compile the crisis file at `path`; CrisisListError (one line) if it cannot be used."""
    return _CrisisFile(path).rules()


class _CrisisFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.parts: dict[str, list[str]] = {}
        self.entries: list[str] = []  # every pattern as written, for the vocabulary

    def rules(self) -> CrisisRules:
        data = self._load()
        known = [*_EXTRA_KEYS, *CrisisCategory]
        for key in data:
            if key not in known:
                raise self._error(f"unknown key {key!r}; expected one of {', '.join(known)}")
        self.parts = self._parts(data.get("parts", {}))
        triggers: dict[CrisisCategory, list[str]] = {}
        exceptions: list[str] = []
        for category in CrisisCategory:
            section = self._section(data, category)
            triggers[category] = self._phrases(section.get("phrases"), f"{category}.phrases")
            if not triggers[category]:
                raise self._error(f"{category}.phrases: the list is empty")
            exceptions += self._phrases(section.get("except", []), f"{category}.except")
        topics = self._phrases(data.get("topics", []), "topics")
        keep = self._phrases(data.get("keep", []), "keep")
        return CrisisRules(
            triggers={category: self._compile(found) for category, found in triggers.items()},
            exceptions=self._compile(exceptions) if exceptions else None,
            topics=self._compile(topics) if topics else None,
            life_at_risk=self._life_at_risk(data),
            vocabulary=self._words(keep),
        )

    def _compile(self, entries: list[str]) -> re.Pattern[str]:
        return compile_patterns(entries, self.parts)

    def _words(self, keep: list[str]) -> dict[str, str]:
        """Every word the rules use, each with the word a slip of it should read as.

        Spellings of one word in one part ("myself", "mysef", "myslf") are one word to guess
        at, so a slip between them ("mysefl") is no tie: each reads as the part's first word.
        """
        literal = {word for entry in keep for word in reading(entry).split()}
        literal.update(w for entry in self.entries for w in reading(_PART.sub(" ", entry)).split())
        words = dict.fromkeys(literal, "")
        homes: dict[str, set[str]] = {}
        for phrases in self.parts.values():
            single = [p for p in phrases if p and " " not in p]
            for word in single:
                homes.setdefault(word, set()).add(single[0])
            words.update((w, "") for p in phrases if " " in p for w in p.split())
        for word in words:
            heads = homes.get(word, set())
            words[word] = heads.pop() if len(heads) == 1 and word not in literal else word
        for word, heads in homes.items():
            if word not in words:
                words[word] = heads.pop() if len(heads) == 1 else word
        return words

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

    def _parts(self, section: object) -> dict[str, list[str]]:
        if not isinstance(section, dict):
            raise self._error("parts: must be a mapping of names to lists of words")
        parts: dict[str, list[str]] = {}
        for name, words in section.items():
            if not isinstance(words, list) or not words:
                raise self._error(f"parts.{name}: must be a list of words")
            if not all(isinstance(word, str) for word in words):
                raise self._error(f"parts.{name}: every word must be text; use quotes")
            # A word may use a part defined above it: "{tried} {kill} {myself}".
            try:
                expanded = [p for word in words for p in _expand_part(word, parts)]
            except ValueError as error:
                raise self._error(f"parts.{name}: {error}") from error
            parts[str(name)] = list(dict.fromkeys(expanded))
        return parts

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
        """The patterns of a list, in order; refuses an unknown part or an entry written twice."""
        if not isinstance(entries, list):
            raise self._error(f"{where}: must be a list of phrases, one per line starting '- '")
        written: dict[str, None] = {}
        for entry in entries:
            if not isinstance(entry, str):
                raise self._error(f"{where}: {entry!r} is not text; put it in quotes")
            if not reading(entry).strip():
                raise self._error(f"{where}: an empty phrase")
            if entry in written:
                raise self._error(f"{where}: {entry!r} is listed twice")
            written[entry] = None
            for name in _PART.findall(entry):
                if name not in self.parts:
                    raise self._error(f"{where}: {entry!r} uses {{{name}}}, not in parts")
        self.entries += written
        return list(written)

    def _life_at_risk(self, data: dict[Any, Any]) -> frozenset[CrisisCategory]:
        names = data.get(_LIFE_AT_RISK)
        if _LIFE_AT_RISK not in data or not isinstance(names, list):
            raise self._error(f"{_LIFE_AT_RISK}: must be a list of categories, e.g. [intent]")
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
