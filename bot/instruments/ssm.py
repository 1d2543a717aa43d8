"""The self-sufficiency matrix: domains rated 1-5 by the mentor, each level with its own anchor.

It is not a questionnaire the mentee answers, so it has its own small model instead of the
`Instrument` one (which has items and a shared answer scale, and whose folder is walked to build
the mentee's check-ins). The file (config/ssm.yaml) is checked as strictly as an instrument file
and refused whole, with a one-line reason, if anything is wrong: a rating must never be made
against a half-read set of anchors.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StrictBool,
    ValidationError,
    model_validator,
)

import config
from bot.instruments.loader import InstrumentError, describe_invalid, read_mapping
from bot.instruments.model import DOMAIN_PREFIX, MEAN_KEY, Identifier, Text

INSTRUMENT_ID = "ssm"
LEVELS = 5
MAX_LINE = 100  # one line on a phone, beside its level name


def _one_plain_line(text: str) -> str:
    if not (text.isascii() and text.isprintable()):
        raise ValueError(f"{text[:30]!r} must be one line of plain text (no curly quotes)")
    if len(text) > MAX_LINE:
        raise ValueError(f"{text[:30]!r}... is over {MAX_LINE} characters")
    return text


Line = Annotated[Text, AfterValidator(_one_plain_line)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MatrixDomain(_Frozen):
    """One area of life, with one anchor line per level, lowest level first."""

    id: Identifier
    name: Line
    anchors: tuple[Line, ...]

    def anchor(self, level: int) -> str:
        return self.anchors[level - 1]


class Matrix(_Frozen):
    """The whole matrix: five level names and the domains rated on them."""

    id: Identifier
    name: Text
    adapted: StrictBool
    source: Text
    levels: tuple[Line, ...]
    domains: tuple[MatrixDomain, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if len(self.levels) != LEVELS:
            raise ValueError(f"levels: give exactly {LEVELS} level names, lowest first")
        if len({name.casefold() for name in self.levels}) != LEVELS:
            raise ValueError("levels: a level name is used twice")
        if not self.domains:
            raise ValueError("domains: the matrix has no domains")
        seen: set[str] = set()
        for domain in self.domains:
            if domain.id in seen:
                raise ValueError(f"the domain id {domain.id!r} is used twice")
            seen.add(domain.id)
            if len(domain.anchors) != LEVELS:
                raise ValueError(
                    f"domain {domain.id!r} has {len(domain.anchors)} anchors; "
                    f"it needs exactly {LEVELS}, one per level"
                )
        return self

    def level_name(self, level: int) -> str:
        return self.levels[level - 1]

    def scores(self, ratings: Mapping[str, int | None]) -> dict[str, float]:
        """'score' (the mean level of the domains rated) and 'domain:<id>' for each of them."""
        rated = {d.id: level for d in self.domains if (level := ratings.get(d.id)) is not None}
        if not rated:
            raise ValueError("no domain was rated")
        mean = sum(rated.values()) / len(rated)
        return {MEAN_KEY: mean, **{DOMAIN_PREFIX + key: float(v) for key, v in rated.items()}}


def default_matrix_path() -> Path:
    """Return config/ssm.yaml as shipped beside the code, whatever the working directory."""
    return Path(config.__file__).resolve().parent / "ssm.yaml"


def load_matrix(path: Path | None = None) -> Matrix:
    """Read and check the matrix file; InstrumentError (one line) if anything is wrong."""
    path = default_matrix_path() if path is None else path
    data = read_mapping(path)
    try:
        matrix = Matrix.model_validate(data)
    except ValidationError as error:
        raise InstrumentError(path, describe_invalid(error)) from error
    if matrix.id != INSTRUMENT_ID:
        raise InstrumentError(path, f"id: the matrix's id must be {INSTRUMENT_ID!r}")
    return matrix


@functools.cache
def shipped_matrix() -> Matrix:
    """The shipped matrix, read once per process (frozen, so sharing it is safe)."""
    return load_matrix()
