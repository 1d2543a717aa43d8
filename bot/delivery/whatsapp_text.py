"""Replies as WhatsApp messages: numbered options as by SMS, but in full Unicode and longer.

WhatsApp has no GSM-7 limit and no cost per segment, so nothing is folded: curly quotes and a
tick arrive as written. What it shares with SMS is the way choices are answered: without
Twilio Content templates there are no buttons, so the options are numbered lines answered by
number or by their words, and commands are named as the keywords the SMS adapter reads (the
WhatsApp adapter reads the same ones). Twilio takes at most 1,600 characters in one WhatsApp
body; a longer reply is split at line breaks, then spaces.

Outside WhatsApp's 24-hour window a message goes as an approved template whose one variable
holds it (`one_line`): a template's variable may hold no line break or tab.
"""

from __future__ import annotations

from bot.delivery.sms_text import numbered
from bot.delivery.sms_words import keywords
from bot.messages import Reply

LIMIT = 1600  # characters in one WhatsApp message body, as Twilio's Messages API takes them
VARIABLE_LIMIT = 900  # a template's whole body may hold 1,024: room for its own words


def render(reply: Reply, *, staff: bool = False) -> list[str]:
    """One Reply as one or more WhatsApp bodies, options numbered after the text."""
    body = keywords(reply.text, staff=staff)
    if reply.choices:
        body = f"{body}\n\n{numbered(reply.choices, reply.controls)}"
    elif reply.controls:
        words = " or ".join(control.label.upper() for control in reply.controls)
        body = f"{body}\n\nOr reply {words}"
    return split(body)


def split(body: str, limit: int = LIMIT) -> list[str]:
    """Parts of at most `limit` characters, cut at a line break, else a space, else anywhere."""
    parts: list[str] = []
    rest = body.strip()
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def one_line(reply: Reply, *, staff: bool = False) -> str:
    """A Reply as a template's variable: one line ("... Reply 1 for Yes or 2 for No."),
    since WhatsApp refuses line breaks, tabs and long runs of spaces in one."""
    text = " ".join(keywords(reply.text, staff=staff).split())
    if reply.choices:
        options = [f"{n} for {choice.label}" for n, choice in enumerate(reply.choices, start=1)]
        text = (
            f"{text} Reply {', '.join(options[:-1])}{' or ' if options[1:] else ''}{options[-1]}."
        )
    if len(text) > VARIABLE_LIMIT:
        text = text[: VARIABLE_LIMIT - 3].rsplit(" ", 1)[0] + "..."
    return text
