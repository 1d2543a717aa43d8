"""The `/mydata` file: a person's data as JSON, every value written the same plain way.

Seeing one's own data is a legal right, so the encoder knows each kind of value the tables
hold (dates, times of day, timezone-aware datetimes in ISO 8601, enums, decimals) and refuses
anything else with an error: a new kind of column fails the tests, rather than /mydata failing
for the people who have one, or a value being dropped without anyone noticing.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any


class UnknownValue(TypeError):
    """A value /mydata does not know how to write; add it here, never skip it."""


def plain(value: object) -> Any:
    """One stored value as JSON can hold it."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise UnknownValue(f"a datetime without a timezone: {value!r}")
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)  # exact, as stored
    raise UnknownValue(f"/mydata cannot write a {type(value).__name__}")


def encode(data: dict[str, Any]) -> bytes:
    """The file's bytes: readable JSON, UTF-8, names kept as typed."""
    return json.dumps(data, indent=2, ensure_ascii=False, default=plain).encode("utf-8")
