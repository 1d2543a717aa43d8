"""What staff are told about their commands: /help grouped and short, a one-line hint otherwise.

A new mentor found the old /help a wall of 33 lines, sent with every stray message and every
refused command (issue 18, point 7). Now /help lists the commands the person's role may use,
a few to a line under a heading, with /web first when the dashboard is set up; `/help note`
gives one command's line with an example. Anything else a staff member types gets one line.
"""

from __future__ import annotations

from bot import authorisation
from bot.flows import texts
from bot.storage.models import Role


def _usage(name: str) -> str:
    """'/note NAME TEXT': the part of the command's help line before its description."""
    return texts.STAFF_COMMAND_HELP[name].split(" - ", 1)[0]


def staff_help(role: Role, *, web: bool = False) -> str:
    """The commands this role may use, grouped, a line per group; /web first when it works."""
    lines = [texts.STAFF_HELP]
    if web:
        lines.append(texts.STAFF_COMMAND_HELP["web"])
    for heading, names in texts.STAFF_HELP_GROUPS.items():
        usable = [_usage(n) for n in names.split() if authorisation.may(role, n)]
        if usable:
            lines.append(f"{heading}: " + ", ".join(usable))
    lines.append(texts.STAFF_HELP_MORE)
    return "\n".join(lines)


def command_help(role: Role, name: str) -> str | None:
    """`/help note`: that command's line with an example, if this role may use it."""
    name = name.strip().lstrip("/").lower()
    if name in texts.STAFF_COMMAND_HELP and (name == "help" or authorisation.may(role, name)):
        return texts.STAFF_COMMAND_HELP[name]
    return None


def staff_hint(*, web: bool = False) -> str:
    """The one line a staff member gets for words that are not a command."""
    return texts.STAFF_HINT_WEB if web else texts.STAFF_HINT
