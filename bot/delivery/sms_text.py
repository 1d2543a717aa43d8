"""Replies as text messages: GSM-7 only, numbered options, within two segments where possible.

One character outside the GSM-7 alphabet (a curly quote, an emoji, a tick) switches a whole
message to UCS-2 and cuts a segment from 160 to 70 characters, tripling the cost for people on
pay-as-you-go. So every outgoing text is folded to GSM-7 here, whatever the flow wrote.
Sizes are counted as the network counts them: septets, where the extension characters
(^ { } [ ] ~ | \\ and the euro) take an escape plus the character; and UCS-2 code units for a
part that still holds a character GSM-7 lacks.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from bot.delivery.sms_words import keywords
from bot.messages import Choice, Reply

SEGMENT = 153  # septets per segment of a multi-part GSM-7 message
SINGLE = 160
BUDGET = 2 * SEGMENT  # at most two segments per message where the content allows
UCS2_SEGMENT = 67  # UCS-2 code units per segment of a multi-part message
UCS2_SINGLE = 70
UCS2_BUDGET = 2 * UCS2_SEGMENT
# The GSM 03.38 basic alphabet; the extension table (^{}[]~|\\ and the euro) costs two each.
_BASIC = frozenset(
    "@\u00a3$\u00a5\u00e8\u00e9\u00f9\u00ec\u00f2\u00c7\n\u00d8\u00f8\r\u00c5\u00e5"
    "\u0394_\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039e\u00c6\u00e6\u00df\u00c9"
    " !\"#\u00a4%&'()*+,-./0123456789:;<=>?"
    "\u00a1ABCDEFGHIJKLMNOPQRSTUVWXYZ\u00c4\u00d6\u00d1\u00dc\u00a7"
    "\u00bfabcdefghijklmnopqrstuvwxyz\u00e4\u00f6\u00f1\u00fc\u00e0"
)
_EXTENDED = frozenset("^{}\\[~]|\u20ac")
_REPLACEMENTS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u2714": "",
    "\u00a0": " ",
    "\u2022": "-",
}


def to_gsm7(text: str) -> str:
    """Fold text into the GSM-7 alphabet: plain quotes and dashes, accents dropped, no emoji."""
    out = []
    for char in text:
        char = _REPLACEMENTS.get(char, char)
        if all(c in _BASIC or c in _EXTENDED for c in char):
            out.append(char)
            continue
        plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
        out.append(plain)
    return re.sub(r"[ \t]+", " ", "".join(out)).strip()


def is_gsm7(text: str) -> bool:
    """True when the whole text can go as GSM-7; one other character makes it UCS-2."""
    return all(char in _BASIC or char in _EXTENDED for char in text)


def length(text: str) -> int:
    """Size in the text's own encoding: septets (an extension character takes two), or
    UCS-2 code units (a character beyond the BMP, such as an emoji, takes two)."""
    if is_gsm7(text):
        return sum(2 if char in _EXTENDED else 1 for char in text)
    return len(text.encode("utf-16-le")) // 2


def segments(text: str) -> int:
    """Segments the network bills for this text as one message."""
    size = length(text)
    single, segment = (SINGLE, SEGMENT) if is_gsm7(text) else (UCS2_SINGLE, UCS2_SEGMENT)
    return 1 if size <= single else -(-size // segment)


def fits(text: str, reserve: int = 0) -> bool:
    """Within two segments of its encoding, leaving `reserve` characters free for a suffix."""
    return length(text) + reserve <= (BUDGET if is_gsm7(text) else UCS2_BUDGET)


def numbered(choices: tuple[Choice, ...], controls: tuple[Choice, ...] = ()) -> str:
    """Options as numbered lines; controls (Back, Skip) as the words to reply, after them."""
    lines = [f"{number} {choice.label}" for number, choice in enumerate(choices, start=1)]
    last = f"Reply 1-{len(choices)}"
    if controls:
        words = [control.label.upper() for control in controls]
        last = f"{last}, {' or '.join(words)}"
    return "\n".join([*lines, last])


MORE_PROMPT = "Reply MORE for more"


def render(reply: Reply, *, staff: bool = False) -> list[str]:
    """One Reply as one or more texts, each within the two-segment budget.

    Commands become SMS keywords ("/checkin" -> "CHECKIN"); `staff` keeps a mentor's commands
    that take a name as typed, since their keyword alone would not carry the name.
    """
    body = to_gsm7(keywords(reply.text, staff=staff))
    if reply.choices:
        body = f"{body}\n{to_gsm7(numbered(reply.choices, reply.controls))}"
    elif reply.controls:  # a question answered in words that can still go back or skip
        words = " or ".join(control.label.upper() for control in reply.controls)
        body = f"{body}\nOr reply {words}"
    return split(body)


def pages(reply: Reply, *, staff: bool = False) -> list[str]:
    """A long reply without options as pages, each but the last ending "Reply MORE for more".

    Texting every part at once would cost the person for texts they may not want and arrive
    out of order on some phones; a question with options is sent whole, since the options must
    be seen to be answered.
    """
    parts = render(reply, staff=staff)
    if reply.choices or len(parts) == 1:
        return parts
    body = to_gsm7(keywords(reply.text, staff=staff))
    parts = split(body, reserve=len(MORE_PROMPT) + 1)
    return [f"{part}\n{MORE_PROMPT}" for part in parts[:-1]] + parts[-1:]


def split(body: str, reserve: int = 0) -> list[str]:
    """Split at line breaks, then spaces, so that every part fits (see `fits`).

    A part is measured in its own encoding, so a part with a character GSM-7 lacks is held to
    the UCS-2 budget, and a word too long for a part is cut between characters, which never
    separates an escape from its character.
    """
    parts: list[str] = []
    current = ""
    for line in body.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if fits(candidate, reserve):
            current = candidate
            continue
        if current:
            parts.append(current)
        while not fits(line, reserve):
            head, line = _cut(line, reserve)
            if head:
                parts.append(head)
        current = line
    if current:
        parts.append(current)
    return parts


def _cut(line: str, reserve: int) -> tuple[str, str]:
    """The longest head of `line` that fits, ended at a space where there is one."""
    end, longest = 1, len(line)  # at least one character, so that splitting always moves on
    while end < longest:  # fitting only gets harder as the head grows: search by halves
        middle = (end + longest + 1) // 2
        if fits(line[:middle], reserve):
            end = middle
        else:
            longest = middle - 1
    space = line.rfind(" ", 0, end + 1)
    if space > 0:
        end = space
    return line[:end].rstrip(), line[end:].lstrip()


def choice_for(text: str, offered: dict[str, Any] | None) -> tuple[str, str] | None:
    """(token, value) when a reply picks one of the options last texted: '2' or its label."""
    if not offered:
        return None
    choices = [(str(label), str(value)) for label, value in offered.get("choices", [])]
    answer = text.strip().lower().rstrip(".!")
    for number, (label, value) in enumerate(choices, start=1):
        if answer in (str(number), label.lower()):
            token = offered.get("token")
            return (str(token) if token is not None else "", value)
    return None
