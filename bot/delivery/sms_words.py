"""The keywords a text message can use, and the commands in a text rewritten as those keywords.

Flows write one wording for every channel and name commands the Telegram way ("Send /checkin
to carry on"). On a phone that is wrong: "/" is awkward to type, "START" and "CANCEL" are the
carrier's own opt-in and opt-out words, and the keywords are what the SMS adapter reads. So the
SMS renderer swaps each command for its keyword here, in one place, and the inbound side reads
the same table: what a text tells people to send is what the adapter understands.
"""

from __future__ import annotations

import re

# A one-word text that runs a command (bot/handlers/sms.py reads these).
COMMAND_WORDS = {
    "checkin": "/checkin",
    "meet": "/meeting",
    "details": "/meeting",  # the full wording of a neutral meeting text, place included
    "settings": "/settings",
    "privacy": "/privacy",
    "concern": "/concern",
    "mydata": "/mydata",
    "forget": "/forget",
    "plan": "/plan",
    "goals": "/goals",
}
# Commands whose keyword works for anyone, with or without words after it: FIND and MSG take
# the rest of the text, JOIN the code, PAUSE is the engine's word for /cancel (CANCEL itself
# stops all texts), HELP and PRIVACY take nothing.
FOR_ANYONE = {
    "start": "JOIN",
    "cancel": "PAUSE",
    "help": "HELP",
    "find": "FIND",
    "msg": "MSG",
    "privacy": "PRIVACY",
}
# Keywords read only as a text on its own: right for a mentee's "/plan", not for a mentor's
# "/plan Sam" (a mentor's commands with a name are read as typed, slash and all).
FOR_MENTEES = {
    **{command.lstrip("/"): word.upper() for word, command in COMMAND_WORDS.items()},
    "meeting": "MEET",
    **FOR_ANYONE,
}
_COMMAND = re.compile(r"(?<![\w/])/([a-z]+)\b")


def keywords(text: str, *, staff: bool = False) -> str:
    """The text with each command it names written as the SMS keyword, where there is one."""
    table = FOR_ANYONE if staff else FOR_MENTEES

    def swap(found: re.Match[str]) -> str:
        return table.get(found.group(1), found.group(0))

    return _COMMAND.sub(swap, text)
