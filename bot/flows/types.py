"""What a flow step produces: its replies (bot/messages.py) and how a tapped question is marked."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.messages import InboundMessage, Reply


@dataclass(frozen=True)
class Answered:
    """Marks the tapped question as answered, so its keyboard is replaced by the answer."""

    label: str


@dataclass
class Outcome:
    """What a flow step produced: replies to the sender and how to mark a tapped question."""

    replies: list[Reply] = field(default_factory=list)
    answered: Answered | None = None
    stale_tap: bool = False


def tapped(outcome: Outcome, message: InboundMessage, label: str) -> Outcome:
    """Marks the question answered with `label` when the answer was a tap (not typed)."""
    if message.choice is not None:
        outcome.answered = Answered(label)
    return outcome
