"""A Reply as an outbox row's payload, and back: what lets a reply wait in the outbox.

The reply to a message is queued in the transaction that stores the answer it follows and sent
at once from memory; only when that send did not happen (the process died, the channel failed)
is it read back from here (docs/decisions.md, "Replies through the outbox"). So everything a
channel renders must survive the round trip: buttons, Back/Skip, the picture's description
(its numbers, not the PNG: drawn again, the same data gives the same bytes), the plan card, the
request for a phone number.

Two things never go in: a file (an export or someone's own data would sit in the outbox, which
is no place to keep a copy) and the staff report's pictures (descriptions too large to be worth
keeping). A reply with either is sent live only; if that send is lost, staff ask again.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.messages import Channel, Choice, Reply
from bot.reports.charts import Panel, Series
from bot.reports.plan_card import CardGoal, PlanCard

# The described pictures a payload may hold, by name: a payload can only ever build these.
_SHAPES: dict[str, type] = {cls.__name__: cls for cls in (Panel, Series, PlanCard, CardGoal)}


def keepable(reply: Reply) -> bool:
    """True if the whole reply can wait in the outbox (see the module's docstring)."""
    return reply.document is None and (reply.card is None or isinstance(reply.card, PlanCard))


def payload_for(reply: Reply) -> dict[str, Any]:
    """What a channel needs besides the text, as JSON-ready values (NaN stays NaN)."""
    payload: dict[str, Any] = {}
    if reply.choices:
        payload["choices"] = [[c.label, c.value] for c in reply.choices]
    if reply.controls:
        payload["controls"] = [[c.label, c.value] for c in reply.controls]
    if reply.choices or reply.controls:
        payload["token"] = reply.token
    if reply.picture:
        payload["picture"] = [_encode(panel) for panel in reply.picture]
    if reply.card is not None:
        payload["card"] = _encode(reply.card)
    if reply.ask_contact:
        payload["ask_contact"] = True
    return payload


def reply_from(text: str, payload: dict[str, Any] | None) -> Reply:
    """The Reply a payload describes (an outbox row's text and payload)."""
    payload = payload or {}
    card = payload.get("card")
    return Reply(
        text,
        choices=_choices(payload.get("choices")),
        token=payload.get("token"),
        controls=_choices(payload.get("controls")),
        picture=tuple(_decode(panel) for panel in payload.get("picture", [])),
        card=None if card is None else _decode(card),
        ask_contact=bool(payload.get("ask_contact")),
    )


def _choices(pairs: list[list[str]] | None) -> tuple[Choice, ...]:
    return tuple(Choice(label, value) for label, value in pairs or [])


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"shape": type(value).__name__, "fields": fields}
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        shape = _SHAPES[value["shape"]]  # KeyError: not a picture this code draws
        return shape(**{name: _decode(field) for name, field in value["fields"].items()})
    if isinstance(value, list):
        return tuple(_decode(item) for item in value)
    return value


def outgoing_payload(
    reply: Reply, channel: Channel, address: str, *, first: bool, last: bool, after_contact: bool
) -> dict[str, Any]:
    """The payload of one reply to a message, with what its channel needs to send it later
    exactly as it would have gone at once (the adapters send the first reply after a shared
    number with the share button taken away, and keep a long last text for MORE)."""
    payload = payload_for(reply) | {"channel": channel.value}
    if channel is Channel.TELEGRAM and first and after_contact:
        payload["remove_keyboard"] = True
    if channel is Channel.SMS:
        payload["sms_to"] = address  # the number that texted: maybe not yet confirmed as theirs
        if last:
            payload["paged"] = True
    return payload
