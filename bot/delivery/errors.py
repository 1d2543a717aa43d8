"""The three ways a send can fail, the same for every channel.

Each channel turns its own errors into these, so the dispatcher's bookkeeping (retry, give up,
move to another channel) never depends on which channel failed.
"""

from __future__ import annotations


class SendFailed(Exception):
    """Any of the three, for a caller that only needs to know the send did not happen."""


class Blocked(SendFailed):
    """The person blocked the bot on this channel; sending again is pointless."""


class RetryLater(SendFailed):
    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.after = after  # seconds the channel asked us to wait, if it said


class TransientFailure(RetryLater):
    """The channel failed this time (a 5xx, a timeout, a network error), and not to slow us
    down: worth a retry, but a chat that keeps failing like this counts as unreachable."""


# The start of the reason recorded for such a Telegram failure, so that a run of them can be
# recognised among a message's attempts.
TELEGRAM_FAILED = "Telegram failed"


class PermanentFailure(SendFailed):
    """The channel refused this message for good (bad request, no chat)."""
