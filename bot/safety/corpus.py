"""Score the crisis rules against labelled messages: recall and false alarms per category.

`mentorbot safety check` prints this for the shipped rules and tests/safety/corpus.yaml, and
CI asserts 100% recall and no false alarms, so a change to config/crisis.yaml that stops
catching a way of saying it, or starts alerting on hyperbole, fails before it is deployed.
A message is scored the way the bot reads it: one that starts with "find" or "/find" is a
search, where naming a subject ("/find domestic abuse") is no alert.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.safety.crisis import CrisisCategory, CrisisDetector

_SEARCH = re.compile(r"^\s*/?find(?:@\w+)?\b", re.IGNORECASE)


def looks_like_search(text: str) -> bool:
    """Whether a message is a lookup ("/find housing", "FIND CRISIS"), as the bot reads it."""
    return _SEARCH.match(text) is not None


def shipped_corpus_path() -> Path:
    """tests/safety/corpus.yaml beside the code; the corpus is written and grown with the rules."""
    return Path(__file__).resolve().parents[2] / "tests" / "safety" / "corpus.yaml"


@dataclass
class Score:
    """One category's result: crisis messages caught in it, and near-misses it alerted on."""

    listed: int = 0
    caught: int = 0
    missed: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.caught / self.listed if self.listed else 1.0


@dataclass
class Report:
    scores: dict[CrisisCategory, Score]
    near_misses: int
    unlabelled: list[str] = field(default_factory=list)

    @property
    def perfect(self) -> bool:
        return all(s.recall == 1.0 and not s.false_alarms for s in self.scores.values())


class _PlainLines(Exception):
    """The file is not a labelled corpus: read it as one message a line."""


def read_corpus(path: Path) -> tuple[dict[CrisisCategory, list[str]], list[str]]:
    """Crisis messages by category, and near-misses; ValueError for an unknown category."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as error:
        raise _PlainLines from error
    if not isinstance(data, dict) or not ({"crisis", "near_miss"} & set(data)):
        raise _PlainLines
    crisis: dict[CrisisCategory, list[str]] = {}
    for name, texts in (data.get("crisis") or {}).items():
        if name not in list(CrisisCategory):
            raise ValueError(f"{path}: unknown category {name!r}")
        crisis[CrisisCategory(name)] = [str(text) for text in texts]
    return crisis, [str(text) for text in data.get("near_miss") or []]


def score(detector: CrisisDetector, path: Path) -> Report:
    """Score a labelled corpus, or (a plain file, one message a line) count what each catches."""
    try:
        crisis, near_misses = read_corpus(path)
    except _PlainLines:
        lines = [line.strip() for line in path.read_text(encoding="utf-8-sig").splitlines()]
        return _count(detector, [line for line in lines if line])
    report = Report({category: Score() for category in CrisisCategory}, len(near_misses))
    for category, texts in crisis.items():
        for text in texts:
            report.scores[category].listed += 1
            if category in _categories(detector, text):
                report.scores[category].caught += 1
            else:
                report.scores[category].missed.append(text)
    for text in near_misses:
        for category in _categories(detector, text):
            report.scores[category].false_alarms.append(text)
    return report


def _count(detector: CrisisDetector, lines: list[str]) -> Report:
    report = Report({category: Score() for category in CrisisCategory}, 0, unlabelled=lines)
    for text in lines:
        for category in _categories(detector, text):
            report.scores[category].caught += 1
    return report


def _categories(detector: CrisisDetector, text: str) -> frozenset[CrisisCategory]:
    match = detector.check(text, search=looks_like_search(text))
    return frozenset() if match is None else match.categories


def table(report: Report) -> str:
    """The report as the operator reads it, misses and false alarms listed under the table."""
    if report.unlabelled:
        lines = [f"{'category':<18} caught (of {len(report.unlabelled)} messages)"]
        lines += [f"{c.value:<18} {s.caught}" for c, s in report.scores.items()]
        return "\n".join(lines)
    lines = [f"{'category':<18} {'crisis':>6} {'caught':>6} {'recall':>7} {'false alarms':>13}"]
    for category, s in report.scores.items():
        lines.append(
            f"{category.value:<18} {s.listed:>6} {s.caught:>6} {s.recall:>7.1%}"
            f" {len(s.false_alarms):>13}"
        )
    total = sum(s.listed for s in report.scores.values())
    alarms = len({t for s in report.scores.values() for t in s.false_alarms})
    lines.append(f"{total} crisis messages, {report.near_misses} near-misses, {alarms} alarmed")
    for category, s in report.scores.items():
        lines += [f"MISSED {category.value}: {text}" for text in s.missed]
        lines += [f"FALSE ALARM {category.value}: {text}" for text in s.false_alarms]
    return "\n".join(lines)
