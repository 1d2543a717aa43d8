"""The shape of a questionnaire, checked as it is built.

Questionnaires are data (config/instruments/*.yaml) so that wording can be reviewed as prose
and a service holding a licensed form can ship its own file. Every rule the rest of mentorbot
relies on (unique ids, a usable answer scale, reflection that stays on the scale) is checked
here, when the instrument is built, so that a bad file is refused at start-up rather than
producing a wrong score in front of a mentee or in a report.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Annotated, Literal, Self, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)

from bot.instruments.answers import tokenise

Text = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1)]
# Ids are stored with answers and used in score keys ("domain:<id>"), so keep them plain.
Identifier = Annotated[str, StringConstraints(strict=True, pattern=r"^[a-z][a-z0-9_]*$")]

MEAN_KEY = "score"
DOMAIN_PREFIX = "domain:"

_T = TypeVar("_T")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ResponseOption(_Frozen):
    """One answer on the scale: the stored value, the label shown, extra typed synonyms."""

    value: StrictInt
    label: Text
    words: tuple[Text, ...] = ()


class Item(_Frozen):
    """One question. `reflected` items are negatively worded and scored backwards."""

    id: Identifier
    text: Text
    reflected: StrictBool = False


class Domain(_Frozen):
    """A group of items with a formal `name` and a `plain` one for the mentee."""

    id: Identifier
    name: Text
    plain: Text
    items: tuple[Item, ...]

    @field_validator("items")
    @classmethod
    def _has_items(cls, items: tuple[Item, ...]) -> tuple[Item, ...]:
        if not items:
            raise ValueError("a domain needs at least one item")
        return items


class Scoring(_Frozen):
    """How answers become scores; see docs/instruments.md for each method."""

    method: Literal["sum", "mean_x10"]
    reflect_from: StrictInt | None = None
    higher_is_better: StrictBool = True
    strengths_min: StrictInt | None = None
    threats_max: StrictInt | None = None

    @model_validator(mode="after")
    def _options_fit_method(self) -> Self:
        if self.method == "sum" and self.reflect_from is not None:
            raise ValueError("reflect_from is only used by the mean_x10 method")
        if self.method == "mean_x10" and (
            self.strengths_min is not None or self.threats_max is not None
        ):
            raise ValueError("strengths_min and threats_max are only used by the sum method")
        return self


class Instrument(_Frozen):
    """A whole questionnaire: its answer scale, scoring rule and domains of items."""

    id: Identifier
    name: Text
    intro: Text
    adapted: StrictBool
    source: Text
    responses: tuple[ResponseOption, ...]
    scoring: Scoring
    domains: tuple[Domain, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _check_responses(self.responses)
        _check_ids(self.domains)
        _check_reflection(self)
        _check_thresholds(self)
        return self

    @property
    def items(self) -> tuple[Item, ...]:
        """All items in asking order."""
        return tuple(item for domain in self.domains for item in domain.items)

    def item(self, item_id: str) -> Item:
        """Return the item with this id; KeyError if there is none."""
        return self._find(item_id)[1]

    def domain_of(self, item_id: str) -> Domain:
        """Return the domain holding this item; KeyError if there is none."""
        return self._find(item_id)[0]

    @property
    def score_keys(self) -> tuple[str, ...]:
        """The keys `score()` returns for this instrument, in a stable order."""
        domain_keys = tuple(DOMAIN_PREFIX + domain.id for domain in self.domains)
        if self.scoring.method == "mean_x10":
            return (MEAN_KEY, *domain_keys) if len(self.domains) > 1 else (MEAN_KEY,)
        thresholds = (
            ("strengths", self.scoring.strengths_min),
            ("threats", self.scoring.threats_max),
        )
        counts = tuple(name for name, threshold in thresholds if threshold is not None)
        return ("total", *domain_keys, *counts)

    def points(self, item: Item, answer: int) -> int:
        """Return what an answer earns on an item, after reflection."""
        if item.reflected and self.scoring.reflect_from is not None:
            return self.scoring.reflect_from - answer
        return answer

    def score_range(self, key: str) -> tuple[float, float]:
        """Return the lowest and highest possible value of a score key; KeyError if unknown."""
        if key not in self.score_keys:
            raise KeyError(key)
        if key in ("strengths", "threats"):
            return 0.0, float(len(self.domains))
        items = self.items if key in ("total", MEAN_KEY) else self._domain(key).items
        low = sum(min(self._item_points(item)) for item in items)
        high = sum(max(self._item_points(item)) for item in items)
        if self.scoring.method == "sum":
            return float(low), float(high)
        return 10 * low / len(items), 10 * high / len(items)

    def _item_points(self, item: Item) -> list[int]:
        return [self.points(item, option.value) for option in self.responses]

    def _domain(self, key: str) -> Domain:
        domain_id = key.removeprefix(DOMAIN_PREFIX)
        return next(domain for domain in self.domains if domain.id == domain_id)

    def _find(self, item_id: str) -> tuple[Domain, Item]:
        for domain in self.domains:
            for item in domain.items:
                if item.id == item_id:
                    return domain, item
        raise KeyError(item_id)


def _first_duplicate(values: Iterable[_T]) -> _T | None:
    seen: set[_T] = set()
    for value in values:
        if value in seen:
            return value
        seen.add(value)
    return None


def _check_responses(responses: tuple[ResponseOption, ...]) -> None:
    if len(responses) < 2:
        raise ValueError("responses: give at least two answers to choose from")
    value = _first_duplicate(option.value for option in responses)
    if value is not None:
        raise ValueError(f"responses: the value {value} is used twice")
    labels: set[tuple[str, ...]] = set()
    for option in responses:
        if tokenise(option.label) in labels:
            raise ValueError(f"responses: the label {option.label!r} is used twice")
        labels.add(tokenise(option.label))
    _check_words(responses)


def _check_words(responses: tuple[ResponseOption, ...]) -> None:
    """Refuse synonyms that parse_answer could not match or could match to two options."""
    owner: dict[tuple[str, ...], int] = {}
    for option in responses:
        for text in (option.label, *option.words):
            phrase = tokenise(text)
            if not phrase:
                raise ValueError(f"responses: {text!r} has no letters to match")
            if any(token.lstrip("-").isdigit() for token in phrase):
                raise ValueError(f"responses: {text!r} has a number, which means a button")
            if owner.setdefault(phrase, option.value) != option.value:
                raise ValueError(f"responses: {text!r} is given for two different answers")


def _check_ids(domains: tuple[Domain, ...]) -> None:
    if not domains:
        raise ValueError("the instrument has no items")
    domain_id = _first_duplicate(domain.id for domain in domains)
    if domain_id is not None:
        raise ValueError(f"the domain id {domain_id!r} is used twice")
    item_id = _first_duplicate(item.id for domain in domains for item in domain.items)
    if item_id is not None:
        raise ValueError(f"the item id {item_id!r} is used twice")


def _reflected(domains: tuple[Domain, ...]) -> Iterator[Item]:
    return (item for domain in domains for item in domain.items if item.reflected)


def _check_reflection(instrument: Instrument) -> None:
    scoring = instrument.scoring
    for item in _reflected(instrument.domains):
        if scoring.method == "sum":
            raise ValueError(f"item {item.id!r} is reflected, but the sum method never reflects")
        if scoring.reflect_from is None:
            raise ValueError(f"item {item.id!r} is reflected, so scoring needs reflect_from")
    if scoring.reflect_from is None:
        return
    values = {option.value for option in instrument.responses}
    for value in sorted(values):
        if scoring.reflect_from - value not in values:
            raise ValueError(
                f"scoring: reflect_from {scoring.reflect_from} turns {value} into "
                f"{scoring.reflect_from - value}, which is not an answer value"
            )


def _check_thresholds(instrument: Instrument) -> None:
    scoring = instrument.scoring
    for name, threshold in (
        ("strengths_min", scoring.strengths_min),
        ("threats_max", scoring.threats_max),
    ):
        if threshold is None:
            continue
        ranges = [instrument.score_range(DOMAIN_PREFIX + d.id) for d in instrument.domains]
        low, high = min(r[0] for r in ranges), max(r[1] for r in ranges)
        if not low <= threshold <= high:
            raise ValueError(
                f"scoring: {name} {threshold} is outside the domain scores {low:g}-{high:g}"
            )
