"""What a text message may not say: shared by the template test and the walk through the flows.

A phone has no buttons to tap and no /start; what it understands are the keywords the SMS
adapter reads (bot/delivery/sms_words.py) and, for staff, their commands typed as in a chat.
"""

from __future__ import annotations

import re

from bot.flows.engine import COMMANDS
from bot.storage.models import Role

_COMMAND = re.compile(r"(?<![\w/])/([a-z]+)\b")
_CHAT_WORDS = re.compile(r"\btap|button|/start", re.IGNORECASE)
# A mentor's commands the engine runs when typed in a text, slash and all ("/meet Sam").
STAFF_COMMANDS = {
    name for name, (roles, _run) in COMMANDS.items() if roles & {Role.MENTOR, Role.SUPERVISOR}
}


def chat_words(body: str, *, staff: bool) -> list[str]:
    """Words in a text that only make sense in a chat app; [] when the text is fit to send."""
    found = [match.group(0) for match in _CHAT_WORDS.finditer(body)]
    for command in _COMMAND.findall(body):
        if not staff or command not in STAFF_COMMANDS:
            found.append(f"/{command}")
    return found
