"""Safety checks that run on every message before any flow sees it.

Import from here; the submodules are an implementation detail.
"""

from bot.safety.crisis import (
    CrisisCategory,
    CrisisDetector,
    CrisisListError,
    CrisisMatch,
    default_crisis_path,
)

__all__ = [
    "CrisisCategory",
    "CrisisDetector",
    "CrisisListError",
    "CrisisMatch",
    "default_crisis_path",
]
