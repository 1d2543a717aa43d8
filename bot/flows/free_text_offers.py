"""The answers to the offers made after a message in someone's own words (bot.flows.free_text).

An offer may be answered a minute later in the middle of a check-in, so its buttons carry their
own token (`ft-o-3fa9c1`: which offer, and a nonce) and are handled before the open flow, which
is left as it was; afterwards its question is asked again. What an answer needs (the words to
send) is kept with the offer under a reserved key of the conversation state (see
bot.storage.conversations): only the newest offer counts, and an old button is stale.

By SMS inside a question the offers are words (MENTOR, TELL), since numbers there answer the
question; typed "yes" or "no" answers an offer when nothing else is open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.flows import closing, relay, texts
from bot.flows.context import FlowContext
from bot.flows.types import Answered, Outcome
from bot.messages import Choice, InboundMessage, Reply, Sender
from bot.questions.state import new_token
from bot.questions.vocabulary import read_yes_no
from bot.storage import conversations, people
from bot.storage.models import Episode, Person

OPTIONS_ASK, CONFIRM_ASK, TELL_ASK = "o", "c", "r"
MENTOR, FIND, CARRY_ON = "mentor", "find", "on"
SEND, DONT_SEND = "send", "drop"
TELL, DONT_TELL = "tell", "no"
MAX_LENGTH = relay.MAX_LENGTH
_VALUES = {
    OPTIONS_ASK: (MENTOR, FIND, CARRY_ON),
    CONFIRM_ASK: (SEND, DONT_SEND),
    TELL_ASK: (TELL, DONT_TELL),
}
_TOKEN = re.compile(r"^ft-([ocr])-([0-9a-f]{6})$")
# Words typed for an offer: by SMS in place of a number; "yes" and "no" only when no flow is open.
_KEYWORDS = {"mentor": (OPTIONS_ASK, MENTOR), "tell": (TELL_ASK, TELL)}
_ANSWERS = {
    CONFIRM_ASK: {True: SEND, False: DONT_SEND},
    TELL_ASK: {True: TELL, False: DONT_TELL},
}


@dataclass(frozen=True)
class FreeTextTap:
    """An answer to an offer: which offer, the answer, and the nonce (None when typed)."""

    ask: str
    value: str
    nonce: str | None
    sender: Sender


def parse_action(message: InboundMessage) -> FreeTextTap | None:
    """The offer this message answers (token `ft-o-...`, or MENTOR / TELL typed); else None."""
    if message.choice is not None:
        match = _TOKEN.match(message.token or "")
        if match is None or message.choice not in _VALUES[match[1]]:
            return None
        return FreeTextTap(match[1], message.choice, match[2], message.sender)
    keyword = _KEYWORDS.get(_word(message.text))
    return None if keyword is None else FreeTextTap(*keyword, None, message.sender)


async def settle(ctx: FlowContext, person: Person, message: InboundMessage) -> Outcome | None:
    """A typed answer when only an offer is open; None (and the offer gone) for anything else."""
    pending = await _pending(ctx, person)
    said = read_yes_no(message.text or "")
    answers = _ANSWERS.get(str(pending.get("ask"))) if pending else None
    if pending is not None and answers is not None and said is not None:
        tap = FreeTextTap(pending["ask"], answers[said], None, message.sender)
        return await handle(ctx, person, tap)
    await conversations.clear_state(ctx.session, person.id)
    return None


async def offer(ctx: FlowContext, person: Person, ask: str, *, text: str | None = None) -> str:
    """Keeps a new offer beside the open flow (or alone); the token for its buttons."""
    nonce = new_token()
    pending: dict[str, Any] = {"ask": ask, "nonce": nonce}
    if text is not None:
        pending["text"] = text
    state = await conversations.load_state(ctx.session, person.id)
    if state is None:
        data = {conversations.ASIDE_KEY: pending}
        flow = conversations.ASIDE_FLOW
        await conversations.save_state(
            ctx.session, person_id=person.id, flow=flow, step=ask, data=data, now=ctx.now()
        )
    else:
        state.data = {**state.data, conversations.ASIDE_KEY: pending}
    return f"ft-{ask}-{nonce}"


async def mentor_of(ctx: FlowContext, person: Person) -> tuple[Person, Episode] | None:
    """The mentee's mentor now, and the episode; None when there is nobody to tell."""
    episode = await people.active_episode(ctx.session, person.id)
    if episode is None or episode.mentor_id is None:
        return None
    mentor = await ctx.session.get(Person, episode.mentor_id)
    return None if mentor is None else (mentor, episode)


async def handle(ctx: FlowContext, person: Person, tap: FreeTextTap) -> Outcome:
    """Acts on an answer to the newest offer; the open flow's question is then asked again."""
    pending = await _pending(ctx, person)
    fresh = pending is not None and pending.get("ask") == tap.ask
    if not fresh or (tap.nonce is not None and pending and pending["nonce"] != tap.nonce):
        if tap.nonce is not None:
            return Outcome(stale_tap=True)
        again = await _question_again(ctx, person, tap.sender)
        return Outcome([Reply(texts.FREE_NOTHING_WAITING), *again])
    assert pending is not None
    await _drop(ctx, person)
    route = await mentor_of(ctx, person)
    name = route[0].display_name if route is not None else texts.YOUR_MENTOR
    answered = Answered(_label(tap.value, name)) if tap.nonce is not None else None
    if tap.value == FIND:  # as /find would: the kinds of help
        from bot.flows import signposting  # /find offers the kind reply too

        outcome = await signposting.start(ctx, person, "")
        outcome.answered = answered
        return outcome
    if tap.value == CARRY_ON:
        replies = await _question_again(ctx, person, tap.sender)
        replies = replies or (await menu(ctx, person)).replies
        return Outcome(replies, answered=answered)
    if route is None and tap.value in (MENTOR, SEND, TELL):
        return Outcome([Reply(texts.RELAY_NO_MENTOR)], answered=answered)
    if tap.value in (MENTOR, SEND) and not pending.get("text"):  # never an empty /msg
        return Outcome([Reply(texts.FREE_NOTHING_WAITING)], answered=answered)
    if tap.value == MENTOR:
        token = await offer(ctx, person, CONFIRM_ASK, text=str(pending.get("text", "")))
        shown = texts.FREE_SHOW_BACK.format(name=name, text=pending.get("text", ""))
        choices = (_choice(SEND, name), _choice(DONT_SEND, name))
        return Outcome([Reply(shown, choices, token)], answered=answered)
    if tap.value == SEND:  # as /msg would: stored, relayed, the mentor's hours told
        sent = await relay.start(ctx, person, str(pending.get("text", "")))
        replies = sent.replies
    elif tap.value == TELL:
        assert route is not None
        notice = texts.NOTICE_RELAPSE.format(name=person.display_name)
        await ctx.notify(route[0].id, f"relapse:{person.id}:{pending['nonce']}", notice)
        replies = [Reply(texts.RELAPSE_TOLD.format(name=name))]
    else:
        told = texts.FREE_NOT_SENT if tap.value == DONT_SEND else texts.RELAPSE_NOT_TOLD
        replies = [Reply(told)]
    return Outcome([*replies, *await _question_again(ctx, person, tap.sender)], answered=answered)


def _label(value: str, name: str) -> str:
    return _choice(value, name).label


def _choice(value: str, name: str) -> Choice:
    labels = {
        MENTOR: texts.FREE_TO_MENTOR.format(name=name),
        FIND: texts.FREE_FIND,
        CARRY_ON: texts.FREE_CARRY_ON,
        SEND: texts.FREE_SEND,
        DONT_SEND: texts.FREE_DONT_SEND,
        TELL: texts.RELAPSE_TELL.format(name=name),
        DONT_TELL: texts.RELAPSE_DONT_TELL,
    }
    return Choice(labels[value], value)


async def _pending(ctx: FlowContext, person: Person) -> dict[str, Any] | None:
    state = await conversations.load_state(ctx.session, person.id)
    pending = state.data.get(conversations.ASIDE_KEY) if state is not None else None
    return pending if isinstance(pending, dict) else None


async def _drop(ctx: FlowContext, person: Person) -> None:
    state = await conversations.load_state(ctx.session, person.id)
    if state is None:
        return
    if state.flow == conversations.ASIDE_FLOW:
        await conversations.clear_state(ctx.session, person.id)
        return
    state.data = {k: v for k, v in state.data.items() if k != conversations.ASIDE_KEY}


async def _question_again(ctx: FlowContext, person: Person, sender: Sender) -> list[Reply]:
    """The open flow's question, asked again as the engine does after an unknown command."""
    from bot.flows import engine  # the engine imports this module

    state = await conversations.load_state(ctx.session, person.id)
    if state is None or state.flow == conversations.ASIDE_FLOW:
        return []
    blank = InboundMessage(sender=sender)
    asked = await engine.FLOW_STEPS[state.flow](ctx, person, state.data, blank)
    return [reply for reply in asked.replies if reply.choices] or asked.replies


async def menu(ctx: FlowContext, person: Person) -> Outcome:
    """Carry on with no flow open: the menu, as engine.process would give it."""
    from bot.flows import engine  # the engine imports this module

    return await closing.ended_menu(ctx, person) or engine.menu(person)


def _word(text: str | None) -> str:
    return " ".join(re.sub(r"[^a-z ]", " ", (text or "").lower()).split())
