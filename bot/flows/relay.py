"""Mentee and mentor talk through the bot (`/msg`), so volunteers never give out their numbers.

A mentee's `/msg TEXT` goes to their mentor; staff send `/msg NAME TEXT` to one of their own
mentees (a supervisor to anyone's). `/msg` without words asks what to say and takes the next
text. Each message arrives with a Reply button (token `rl-<relay id>`); only the person it was
sent to can use it, and only while the episode lasts. The crisis check runs on every mentee
text before this module sees it, so words of crisis go to the crisis path, not through here.
The words are kept only while the episode lasts (bot.storage.relays) and are never logged.
The question for the words is declared for the question engine, but what is typed is sent as
it stands: a message is not a choice, so no word of it is read as skip or back.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from bot.flows import relay_notes, staff_views, texts
from bot.flows.context import FlowContext
from bot.flows.types import Answered, Outcome
from bot.messages import InboundMessage, Reply
from bot.questions import asking
from bot.questions.asking import Question
from bot.questions.state import FlowState, new_token
from bot.storage import conversations, people, relays
from bot.storage.models import Episode, Person, Role

logger = logging.getLogger(__name__)

FLOW = "relay"
REPLY = relay_notes.REPLY
MAX_LENGTH = 500
_TOKEN = re.compile(r"^rl-(\d{1,18})$")


@dataclass(frozen=True)
class RelayState(FlowState):
    """Who the words asked for go to, in which episode, and whether they answer a message."""

    to: int
    episode: int
    reply: bool = False
    token: str = ""


def words_question(name: str) -> Question:
    return Question(texts.RELAY_ASK.format(name=name))


@dataclass(frozen=True)
class RelayTap:
    relay_id: int


def parse_action(message: InboundMessage) -> RelayTap | None:
    """The Reply tap this message is (token `rl-42`); None for anything else."""
    if message.choice != REPLY or message.token is None:
        return None
    match = _TOKEN.match(message.token)
    return None if match is None else RelayTap(int(match[1]))


async def start(ctx: FlowContext, person: Person, argument: str) -> Outcome:
    """/msg [TEXT] from a mentee, /msg NAME [TEXT] from staff."""
    if person.role is Role.MENTEE:
        episode = await people.active_episode(ctx.session, person.id)
        if episode is None:
            return Outcome([Reply(texts.NO_EPISODE)])
        mentor = await ctx.session.get(Person, episode.mentor_id) if episode.mentor_id else None
        if mentor is None:
            return Outcome([Reply(texts.RELAY_NO_MENTOR)])
        return await _send_or_ask(ctx, person, mentor, episode, argument, reply=False)
    if not argument:
        return Outcome([Reply(texts.RELAY_USAGE)])
    found = await _named_mentee(ctx, person, argument)
    if found is None:
        return Outcome([Reply(texts.NO_SUCH_MENTEE.format(name=argument.split()[0]))])
    mentee, words = found
    episode = await people.active_episode(ctx.session, mentee.id)
    assert episode is not None  # visible mentees are those in mentoring now
    return await _send_or_ask(ctx, person, mentee, episode, words, reply=False)


async def _named_mentee(
    ctx: FlowContext, staff: Person, argument: str
) -> tuple[Person, str] | None:
    """The visible mentee whose name starts the argument (the longest name wins), and the rest."""
    words = argument.strip()
    best: tuple[Person, str] | None = None
    for mentee in await staff_views.visible_mentees(ctx, staff):
        name = mentee.display_name.casefold()
        head = words[: len(name)].casefold()
        rest = words[len(name) :]
        fits = head == name and (not rest or rest[0].isspace())
        if fits and (best is None or len(name) > len(best[0].display_name)):
            best = (mentee, rest.strip())
    return best


async def _send_or_ask(
    ctx: FlowContext,
    sender: Person,
    recipient: Person,
    episode: Episode,
    words: str,
    *,
    reply: bool,
) -> Outcome:
    if not words:
        return await _ask(ctx, sender, recipient, episode, reply=reply)
    if len(words) > MAX_LENGTH:
        return Outcome([Reply(texts.RELAY_TOO_LONG.format(limit=MAX_LENGTH))])
    return await relay_notes.deliver(ctx, sender, recipient, episode, words, reply=reply)


async def _ask(
    ctx: FlowContext, sender: Person, recipient: Person, episode: Episode, *, reply: bool
) -> Outcome:
    state = RelayState(recipient.id, episode.id, reply, new_token())
    await conversations.save_state(
        ctx.session, person_id=sender.id, flow=FLOW, step="text", data=state.dump(), now=ctx.now()
    )
    return Outcome([asking.ask(words_question(recipient.display_name), state.token)])


async def step(
    ctx: FlowContext, person: Person, data: dict[str, Any], message: InboundMessage
) -> Outcome:
    """Takes the words asked for and sends them, if the two may still talk."""
    if message.choice is not None:  # the question has no buttons: any tap is an old one
        return Outcome(stale_tap=True)
    state = RelayState.load(data)
    route = await _still_allowed(ctx, person, state.to, state.episode)
    if route is None:
        await conversations.clear_state(ctx.session, person.id)
        return Outcome([Reply(texts.RELAY_CANNOT_SEND)])
    recipient, episode = route
    words = (message.text or "").strip()
    if not words:
        return Outcome([Reply(texts.RELAY_ASK_AGAIN.format(name=recipient.display_name))])
    if len(words) > MAX_LENGTH:
        return Outcome([Reply(texts.RELAY_TOO_LONG.format(limit=MAX_LENGTH))])
    await conversations.clear_state(ctx.session, person.id)
    return await relay_notes.deliver(ctx, person, recipient, episode, words, reply=state.reply)


async def handle(ctx: FlowContext, person: Person, tap: RelayTap) -> Outcome:
    """A Reply tap: asks for the words, if this message was sent to this person."""
    relay = await relays.get_relay(ctx.session, tap.relay_id)
    if relay is None or relay.recipient_id != person.id:
        return Outcome(stale_tap=True)
    target = relay.sender_id
    if person.role is Role.MENTEE:
        episode = await ctx.session.get(Episode, relay.episode_id)
        sender = await ctx.session.get(Person, relay.sender_id)
        if episode is not None and sender is not None and sender.role is not Role.SUPERVISOR:
            target = episode.mentor_id or target  # a new mentor answers for the old one
    route = await _still_allowed(ctx, person, target, relay.episode_id)
    if route is None:
        logger.info("Refused a reply to relay %d (person %d)", relay.id, person.id)
        return Outcome(stale_tap=True)
    outcome = await _ask(ctx, person, route[0], route[1], reply=True)
    outcome.answered = Answered(texts.RELAY_REPLY)
    return outcome


async def _still_allowed(
    ctx: FlowContext, sender: Person, recipient_id: int, episode_id: int
) -> tuple[Person, Episode] | None:
    """The recipient and episode, if this pair may still talk in this episode."""
    recipient = await ctx.session.get(Person, recipient_id)
    if recipient is None:
        return None
    mentee = sender if sender.role is Role.MENTEE else recipient
    staff = recipient if sender.role is Role.MENTEE else sender
    if mentee.role is not Role.MENTEE or staff.role is Role.MENTEE:
        return None
    episode = await people.active_episode(ctx.session, mentee.id)
    if episode is None or episode.id != episode_id:
        return None
    if staff.role is not Role.SUPERVISOR and episode.mentor_id != staff.id:
        return None
    return recipient, episode
