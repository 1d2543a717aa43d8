"""Score a completed questionnaire exactly as INSTRUMENTS.md describes.

Scores feed care plans and the supervisor's before/after statistics, so nothing is guessed or
skipped: a missing answer, an answer to a question the instrument does not have, or a value
that is not on the answer scale is an error, never a silently smaller score.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.instruments.model import DOMAIN_PREFIX, MEAN_KEY, Domain, Instrument, Item


class IncompleteAnswers(ValueError):
    """Some items have no answer; `missing` holds their ids in asking order."""

    def __init__(self, instrument_id: str, missing: tuple[str, ...]) -> None:
        self.missing = missing
        super().__init__(f"{instrument_id}: no answer for {', '.join(missing)}")


def score(instrument: Instrument, answers: Mapping[str, int]) -> dict[str, float]:
    """Return every score of a fully answered instrument, keyed as `instrument.score_keys`."""
    _check_answers(instrument, answers)
    if instrument.scoring.method == "mean_x10":
        return _mean_x10_scores(instrument, answers)
    return _sum_scores(instrument, answers)


def _check_answers(instrument: Instrument, answers: Mapping[str, int]) -> None:
    known = {item.id for item in instrument.items}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise ValueError(f"{instrument.id}: no such item {', '.join(unknown)}")
    missing = tuple(item.id for item in instrument.items if item.id not in answers)
    if missing:
        raise IncompleteAnswers(instrument.id, missing)
    allowed = {option.value for option in instrument.responses}
    for item_id, value in answers.items():
        # bool is an int to Python, but True is not an answer on any scale.
        if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
            raise ValueError(f"{instrument.id}: {value!r} is not an answer value for {item_id}")


def _points(instrument: Instrument, items: tuple[Item, ...], answers: Mapping[str, int]) -> int:
    return sum(instrument.points(item, answers[item.id]) for item in items)


def _sum_scores(instrument: Instrument, answers: Mapping[str, int]) -> dict[str, float]:
    domains = {
        domain.id: float(_points(instrument, domain.items, answers))
        for domain in instrument.domains
    }
    scores = {"total": sum(domains.values())}
    scores.update({DOMAIN_PREFIX + domain_id: value for domain_id, value in domains.items()})
    strengths_min = instrument.scoring.strengths_min
    if strengths_min is not None:
        scores["strengths"] = float(sum(value >= strengths_min for value in domains.values()))
    threats_max = instrument.scoring.threats_max
    if threats_max is not None:
        scores["threats"] = float(sum(value <= threats_max for value in domains.values()))
    return scores


def _mean_x10(
    instrument: Instrument, items: tuple[Item, ...], answers: Mapping[str, int]
) -> float:
    # Multiply before dividing so that whole results (e.g. 50) come out exact.
    return 10 * _points(instrument, items, answers) / len(items)


def _mean_x10_scores(instrument: Instrument, answers: Mapping[str, int]) -> dict[str, float]:
    scores = {MEAN_KEY: _mean_x10(instrument, instrument.items, answers)}
    domains: tuple[Domain, ...] = instrument.domains if len(instrument.domains) > 1 else ()
    for domain in domains:
        scores[DOMAIN_PREFIX + domain.id] = _mean_x10(instrument, domain.items, answers)
    return scores
