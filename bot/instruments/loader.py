"""Read the questionnaire files and refuse a bad one at start-up.

A service can replace the shipped files with its own (docs/instruments.md), so the people editing
them may not be programmers. Every problem is therefore reported as one line naming the file
and what is wrong, and nothing is quietly fixed: YAML's habit of keeping the last of two
identical keys is turned into an error too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

import config
from bot.instruments.glossary import check_one_name_per_area
from bot.instruments.model import Instrument
from bot.yaml_files import UniqueKeyLoader

# Pydantic's wording for the errors a person editing a file is most likely to make.
_FRIENDLY_ERRORS = {
    "missing": "missing key",
    "extra_forbidden": "unknown key",
}


class InstrumentError(Exception):
    """An instrument file cannot be used; the message is one line, "<file>: <problem>"."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = " ".join(problem.split())
        super().__init__(f"{path}: {self.problem}")


def default_instruments_dir() -> Path:
    """Return the config/instruments folder shipped beside the code, whatever the cwd."""
    return Path(config.__file__).resolve().parent / "instruments"


def load_instruments(directory: Path | None = None) -> dict[str, Instrument]:
    """Load every *.yaml file in the folder, keyed by instrument id; InstrumentError if bad."""
    folder = default_instruments_dir() if directory is None else directory
    if not folder.is_dir():
        raise InstrumentError(folder, "this folder does not exist")
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        raise InstrumentError(folder, "there are no *.yaml instrument files here")
    instruments: dict[str, Instrument] = {}
    origins: dict[str, Path] = {}
    for path in paths:
        instrument = load_instrument(path)
        if instrument.id in origins:
            raise InstrumentError(
                path,
                f"the instrument id {instrument.id!r} is already used by {origins[instrument.id]}",
            )
        instruments[instrument.id] = instrument
        origins[instrument.id] = path
    try:
        check_one_name_per_area(instruments.values())
    except ValueError as error:
        raise InstrumentError(folder, str(error)) from error
    return instruments


def load_instrument(path: Path) -> Instrument:
    """Load and check one instrument file; InstrumentError if it is bad."""
    data = read_mapping(path)
    try:
        return Instrument.model_validate(data)
    except ValidationError as error:
        raise InstrumentError(path, describe_invalid(error)) from error


def read_mapping(path: Path) -> dict[str, Any]:
    """The file as a mapping, read strictly (no repeated keys); InstrumentError if not."""
    try:
        # utf-8-sig: files saved by Windows Notepad start with a byte-order mark.
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InstrumentError(path, f"cannot read the file ({error})") from error
    try:
        # UniqueKeyLoader is a SafeLoader: no arbitrary Python objects.
        data = yaml.load(text, Loader=UniqueKeyLoader)
    except yaml.YAMLError as error:
        raise InstrumentError(path, _describe_yaml(error)) from error
    if not isinstance(data, dict):
        raise InstrumentError(path, "the file must be a mapping of keys to values")
    return data


def _describe_yaml(error: yaml.YAMLError) -> str:
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}"
        return f"YAML error at {where}: {error.problem}"
    return f"YAML error: {error}"


def describe_invalid(error: ValidationError) -> str:
    """A validation failure as one line: the first problem and how many more there are."""
    errors = error.errors(include_url=False)
    first = _describe_one(errors[0])
    return first if len(errors) == 1 else f"{first} (and {len(errors) - 1} more)"


def _describe_one(detail: ErrorDetails) -> str:
    message = _FRIENDLY_ERRORS.get(detail["type"], detail["msg"].removeprefix("Value error, "))
    message = message[:1].lower() + message[1:]
    where = ".".join(str(part) for part in detail["loc"])
    return f"{where}: {message}" if where else message
