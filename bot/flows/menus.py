"""Each person's Telegram command menu lists only the commands their role may use.

Hiding is a convenience, not the protection: every call is checked against the COMMANDS table
in the engine. Commands without a line here still work; they just are not in the menu.
"""

from __future__ import annotations

from bot.flows import texts
from bot.flows.engine import COMMANDS
from bot.storage.models import Role


def commands_for(role: Role) -> list[tuple[str, str]]:
    """(command, description) pairs for this role's menu, in the order of the descriptions."""
    listed = []
    for name, description in texts.COMMAND_DESCRIPTIONS.items():
        allowed = COMMANDS.get(name)
        if name in ("help", "cancel") or (allowed is not None and role in allowed[0]):
            listed.append((name, description))
    return listed
