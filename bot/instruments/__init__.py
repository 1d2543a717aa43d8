"""Questionnaires as data: their model, loader, answer parsing and scoring.

Import from here; the submodules are an implementation detail.
"""

from bot.instruments.answers import parse_answer
from bot.instruments.loader import (
    InstrumentError,
    default_instruments_dir,
    load_instrument,
    load_instruments,
)
from bot.instruments.model import Domain, Instrument, Item, ResponseOption, Scoring
from bot.instruments.scoring import IncompleteAnswers, score

__all__ = [
    "Domain",
    "IncompleteAnswers",
    "Instrument",
    "InstrumentError",
    "Item",
    "ResponseOption",
    "Scoring",
    "default_instruments_dir",
    "load_instrument",
    "load_instruments",
    "parse_answer",
    "score",
]
