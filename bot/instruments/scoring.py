"""Score a completed questionnaire as docs/instruments.md describes.

Scores feed care plans and the supervisor's before/after statistics, so nothing is guessed:
an item never asked, an answer to a question the instrument does not have, or a value that is
not on the answer scale is an error, never a silently smaller score. A question the person
skipped (value None) is missing, never a zero: a score is prorated from the answered items
when at least `MIN_ANSWERED` of its items were answered, and left out otherwise
(docs/decisions.md, "Skipped questions are missing, never zero").
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from bot.instruments.model import DOMAIN_PREFIX, MEAN_KEY, Domain, Instrument, Item


class IncompleteAnswers(ValueError):
    """Some items have no answer; `missing` holds their ids in asking order."""

    def __init__(self, instrument_id: str, missing: tuple[str, ...]) -> None:
        self.missing = missing
        super().__init__(f"{instrument_id}: no answer for {', '.join(missing)}")


# The share of a score's items that must be answered for the score to be given.
MIN_ANSWERED = 0.8
Answers = Mapping[str, int | None]  # item id -> value; None when skipped


def score(instrument: Instrument, answers: Answers) -> dict[str, float]:
    """Return the scores of a finished sitting, keyed as `instrument.score_keys`.

    A key is absent when too many of its items were skipped to give it honestly.
    """
    _check_answers(instrument, answers)
    given = {item_id: value for item_id, value in answers.items() if value is not None}
    if instrument.scoring.method == "mean_x10":
        return _mean_x10_scores(instrument, given)
    return _sum_scores(instrument, given)


def answered(instrument: Instrument, answers: Answers) -> tuple[int, int]:
    """(answered, asked): what a summary says as "based on 9 of 10 answers"."""
    values = [answers.get(item.id) for item in instrument.items]
    return sum(value is not None for value in values), len(values)


def enough(asked: int, given: int) -> bool:
    """Whether `given` answers of `asked` items are enough for a score."""
    return given >= math.ceil(MIN_ANSWERED * asked)


def _check_answers(instrument: Instrument, answers: Answers) -> None:
    known = {item.id for item in instrument.items}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise ValueError(f"{instrument.id}: no such item {', '.join(unknown)}")
    missing = tuple(item.id for item in instrument.items if item.id not in answers)
    if missing:
        raise IncompleteAnswers(instrument.id, missing)
    allowed = {option.value for option in instrument.responses}
    for item_id, value in answers.items():
        if value is None:
            continue  # skipped: missing, scored below
        # bool is an int to Python, but True is not an answer on any scale.
        if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
            raise ValueError(f"{instrument.id}: {value!r} is not an answer value for {item_id}")


def _answered_points(
    instrument: Instrument, items: tuple[Item, ...], answers: Mapping[str, int]
) -> list[int] | None:
    """Points of the answered items, or None when too few of them were answered."""
    points = [instrument.points(item, answers[item.id]) for item in items if item.id in answers]
    return points if enough(len(items), len(points)) else None


def _prorated_sum(
    instrument: Instrument, items: tuple[Item, ...], answers: Mapping[str, int]
) -> float | None:
    """The sum of points; with skips, the answered items' mean times the item count."""
    points = _answered_points(instrument, items, answers)
    # Multiply before dividing so that a full set (n / n) comes out exact.
    return None if points is None else sum(points) * len(items) / len(points)


def _sum_scores(instrument: Instrument, answers: Mapping[str, int]) -> dict[str, float]:
    scores: dict[str, float] = {}
    total = _prorated_sum(instrument, instrument.items, answers)
    if total is not None:
        scores["total"] = total
    domains: dict[str, float] = {}
    for domain in instrument.domains:
        value = _prorated_sum(instrument, domain.items, answers)
        if value is not None:
            domains[domain.id] = scores[DOMAIN_PREFIX + domain.id] = value
    if len(domains) < len(instrument.domains):
        return scores  # strengths and threats count areas: every area needs a score
    strengths_min = instrument.scoring.strengths_min
    if strengths_min is not None:
        scores["strengths"] = float(sum(value >= strengths_min for value in domains.values()))
    threats_max = instrument.scoring.threats_max
    if threats_max is not None:
        scores["threats"] = float(sum(value <= threats_max for value in domains.values()))
    return scores


def _mean_x10(
    instrument: Instrument, items: tuple[Item, ...], answers: Mapping[str, int]
) -> float | None:
    points = _answered_points(instrument, items, answers)
    # Multiply before dividing so that whole results (e.g. 50) come out exact.
    return None if points is None else 10 * sum(points) / len(points)


def _mean_x10_scores(instrument: Instrument, answers: Mapping[str, int]) -> dict[str, float]:
    domains: tuple[Domain, ...] = instrument.domains if len(instrument.domains) > 1 else ()
    scores = {
        MEAN_KEY: _mean_x10(instrument, instrument.items, answers),
        **{
            DOMAIN_PREFIX + domain.id: _mean_x10(instrument, domain.items, answers)
            for domain in domains
        },
    }
    return {key: value for key, value in scores.items() if value is not None}
