"""Choices as WhatsApp buttons: Twilio Content quick replies (1-3) and list pickers (4-10).

WhatsApp shows buttons only in a Content template, and a template's number of buttons is fixed
when it is made. So the service makes one quick-reply template for each count from 1 to 3 and
one list picker for each count from 4 to 10 (docs/deploy.md, "WhatsApp"), all with the same
variables: `{{1}}` the message, then for the n-th button `{{2n}}` its title and `{{2n+1}}` its
id. The id carries the question's token and the answer ("token:value", as Telegram's callback
data), so a tap is read as a tap and one on an old question is known to be stale.

Numbered text is still the rule wherever buttons cannot carry the reply: no template for that
count, more than 10 options, a title longer than WhatsApp shows (20 characters on a quick
reply, 24 on a list), a message longer than a template's body, or a picture (a template cannot
carry media). The answers decide the kind: Back and Skip join their buttons when they fit, and
otherwise are named as words after the text, as by SMS, so a Yes/No question keeps two big
buttons rather than becoming a list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.delivery.sms_text import numbered
from bot.delivery.sms_words import keywords
from bot.messages import Choice, Reply

QUICK_REPLY_MOST = 3  # buttons WhatsApp shows on a quick reply sent without approval
LIST_PICKER_MOST = 10
TITLE_LIMITS = {"quick_reply": 20, "list_picker": 24}  # characters WhatsApp shows
ID_LIMIT = 200  # characters in a button's or list item's id
BODY_LIMIT = 1024  # characters in a quick reply's or list picker's body
_NO_TOKEN = "-"


@dataclass(frozen=True)
class ChoiceTemplates:
    """The ContentSids the service made for buttons: quick_replies[n-1] has n buttons,
    list_pickers[n-4] n items; an empty one means that count goes as numbered text."""

    quick_replies: tuple[str | None, ...] = ()
    list_pickers: tuple[str | None, ...] = ()

    @classmethod
    def parse(cls, quick_replies: str | None, list_pickers: str | None) -> ChoiceTemplates:
        """From the two settings' comma-separated lists (see config/settings.py)."""
        return cls(_sids(quick_replies), _sids(list_pickers))

    def template(self, count: int) -> tuple[str, str] | None:
        """(kind, ContentSid) of the template with `count` buttons, if the service made one."""
        if 1 <= count <= QUICK_REPLY_MOST:
            kind, sids, index = "quick_reply", self.quick_replies, count - 1
        elif QUICK_REPLY_MOST < count <= LIST_PICKER_MOST:
            kind, sids, index = "list_picker", self.list_pickers, count - QUICK_REPLY_MOST - 1
        else:
            return None
        sid = sids[index] if index < len(sids) else None
        return None if sid is None else (kind, sid)


def _sids(setting: str | None) -> tuple[str | None, ...]:
    return tuple(part.strip() or None for part in (setting or "").split(",")) if setting else ()


def button_id(token: str | None, value: str) -> str:
    """What a button carries back when tapped: the question's token and the answer."""
    return f"{token or _NO_TOKEN}:{value}"


def tapped(payload: str) -> tuple[str | None, str] | None:
    """(token, value) from a tapped button's id, or None if it is not one of ours (a
    template's own button, say): then the tap is read as the words on it."""
    token, colon, value = payload.partition(":")
    if not colon or not token or not value:
        return None
    return (None if token == _NO_TOKEN else token), value


def buttons(
    reply: Reply, templates: ChoiceTemplates, *, staff: bool = False
) -> tuple[str, dict[str, str]] | None:
    """(ContentSid, ContentVariables) showing the reply's choices as buttons, or None when
    it goes as numbered text (see the module's docstring)."""
    if not reply.choices or reply.picture or reply.card is not None:
        return None
    # The answers decide the kind (two answers stay two buttons, not a list); Back and Skip
    # join them when they fit, else they are words after the text.
    most = QUICK_REPLY_MOST if len(reply.choices) <= QUICK_REPLY_MOST else LIST_PICKER_MOST
    options: Sequence[Choice] = (*reply.choices, *reply.controls)
    words_after: tuple[Choice, ...] = ()
    if len(options) > most:
        options, words_after = reply.choices, reply.controls
    found = templates.template(len(options))
    if found is None:
        return None
    kind, sid = found
    ids = [button_id(reply.token, option.value) for option in options]
    labels = [option.label for option in options]
    if (
        any(not label or len(label) > TITLE_LIMITS[kind] for label in labels)
        or any(len(given) > ID_LIMIT for given in ids)
        or len(set(labels)) < len(labels)  # WhatsApp refuses two buttons of the same title
        or len(set(ids)) < len(ids)
    ):
        return None
    body = keywords(reply.text, staff=staff)
    if kind == "list_picker":  # the items hide behind a button: show them, to type or to tap
        body = f"{body}\n\n{numbered(reply.choices, reply.controls)}"
    elif words_after:
        body = f"{body}\n\nOr reply {' or '.join(c.label.upper() for c in words_after)}"
    if len(body) > BODY_LIMIT:
        return None
    variables = {"1": body}
    for number, (label, given) in enumerate(zip(labels, ids, strict=True), start=1):
        variables[str(2 * number)] = label
        variables[str(2 * number + 1)] = given
    return sid, variables
