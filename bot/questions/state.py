"""A flow's place in its conversation as a typed value, stored as the conversation's data.

Each flow declares a frozen dataclass of what it must remember between messages (which
question, its token, what was answered so far) instead of reading keys out of a free-form
dict. It is stored as JSON in the conversation state, as before, so a restart or a change of
phone resumes at the same question. Keys a flow does not declare (the reserved `_aside` of an
offer made beside it, bot/storage/conversations.py) are left alone by `load`.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, fields
from typing import Any, Self


def new_token() -> str:
    """The token that ties a tap to the question it answers; a new one for every question."""
    return secrets.token_hex(3)


@dataclass(frozen=True)
class FlowState:
    @classmethod
    def load(cls, data: dict[str, Any]) -> Self:
        names = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in names})

    def dump(self) -> dict[str, Any]:
        return asdict(self)
