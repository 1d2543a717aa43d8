"""The one rule that turns a score into the number people read, in the chat and in a picture.

A mentee once saw 26.7 in a picture where the chat said 27. Both now print scores through
`shown`, so they cannot disagree. Scores are read as whole numbers (every scale here is at
least 0 to 5, so a tenth adds nothing a mentee can use) and halves go up, as people round by
hand: Python's own `round` sends 26.5 to 26 (half to even). A missing score (NaN, a
question left unanswered) is shown as "-", never as 0.
"""

from __future__ import annotations

import math

MISSING = "-"

__all__ = ["MISSING", "shown", "whole"]


def whole(value: float) -> int:
    """The score as a whole number, halves rounded up (26.5 -> 27, 26.4 -> 26)."""
    if not math.isfinite(value):
        raise ValueError(f"{value!r} has no whole number; show it with shown()")
    return math.floor(value + 0.5)


def shown(value: float) -> str:
    """The score as people read it: '27', or '-' when it is missing (NaN)."""
    return MISSING if math.isnan(value) else str(whole(value))
