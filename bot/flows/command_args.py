"""A staff command sent without its argument asks for it, then takes the next message.

"/invite" on its own used to answer with a usage line, and the name typed next got the whole
command list. One table here says what each command needs (a mentee's name, a mobile number,
a note ...) and how to ask for it; the parts given so far are kept as a conversation flow, and
once all are in the command runs with the argument put together exactly as if typed in full,
so its own checks (who may see which mentee) decide as they always did. Commands that already
ask for what is missing (/meet, /rate, /close's reason ...) are not in the table.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot import authorisation
from bot.flows import asked, texts
from bot.flows.context import FlowContext
from bot.flows.staff import MAX_NAME, STAFF_ROLES, parse_mobile
from bot.flows.staff_views import visible_mentee, visible_mentees
from bot.flows.types import Outcome, tapped
from bot.messages import Choice, InboundMessage, Reply
from bot.questions import asking
from bot.questions.asking import Question
from bot.questions.state import FlowState, new_token
from bot.sites import shipped_sites
from bot.storage import conversations, people
from bot.storage.goals import TITLE_LIMIT
from bot.storage.models import Person, Role

FLOW = "command_args"
MAX_CHOICES = 8  # more names than this are typed, not tapped
# A wait left this long is dropped: "ok" typed next week must not become a note or an invite.
WAIT_LIMIT = timedelta(hours=1)
_PHONE_CHARACTERS = re.compile(r"[+\d\s().-]+")

Command = Callable[[FlowContext, Person, str], Awaitable[Outcome]]
Commands = Mapping[str, tuple[frozenset[Role], Command]]


class Kind(StrEnum):
    MENTEE = "mentee"  # one this person may see
    NEW_NAME = "new_name"  # someone not yet joined: a first name or nickname
    FIRST_NAME = "first_name"  # the same, one word (/addmentee takes the last word)
    PHONE = "phone"
    NOTE = "note"
    SITE = "site"
    MENTOR = "mentor"
    WORDS = "words"  # anything not blank (a directory entry's name)


@dataclass(frozen=True)
class Part:
    kind: Kind
    ask: str  # may name the part given before it: {name}


_MENTEE = Part(Kind.MENTEE, texts.ARG_ASK_MENTEE)
ARGUMENTS: dict[str, tuple[Part, ...]] = {
    "invite": (Part(Kind.NEW_NAME, texts.ARG_ASK_MENTEE),),
    "addmentee": (
        Part(Kind.PHONE, texts.ARG_ASK_PHONE),
        Part(Kind.FIRST_NAME, texts.ARG_ASK_NAME),
    ),
    "addphone": (_MENTEE, Part(Kind.PHONE, texts.ARG_ASK_PHONE_OF)),
    "mentee": (_MENTEE,),
    "plan": (_MENTEE,),
    "upcoming": (_MENTEE,),
    "signposts": (_MENTEE,),
    "msg": (_MENTEE,),  # /msg then asks for the message itself
    "close": (_MENTEE,),  # /close then asks for the reason itself
    "audit": (_MENTEE,),
    "ack": (_MENTEE,),
    "note": (_MENTEE, Part(Kind.NOTE, texts.ARG_ASK_NOTE)),
    "site": (_MENTEE, Part(Kind.SITE, texts.ARG_ASK_SITE)),
    "assign": (_MENTEE, Part(Kind.MENTOR, texts.ARG_ASK_NEW_MENTOR)),
    "supervision": (Part(Kind.MENTOR, texts.ARG_ASK_MENTOR),),
    "retire": (Part(Kind.WORDS, texts.ARG_ASK_ENTRY),),
}
NEEDS_SMS = frozenset({"addmentee", "addphone"})


@dataclass(frozen=True)
class Waiting(FlowState):
    """The command waiting, the parts given so far, and when its question was asked."""

    command: str
    given: list[str] = field(default_factory=list)
    token: str = ""
    asked_at: str = ""


async def start(ctx: FlowContext, person: Person, name: str, argument: str) -> Outcome | None:
    """Asks for what the command lacks, or None when it should simply run.

    Only staff wait: /plan and /msg from a mentee need no name. A typed first part that is
    not accepted (someone else's mentee, say) runs the command, which refuses it as today.
    """
    parts = ARGUMENTS.get(name)
    if parts is None or person.role not in STAFF_ROLES:
        return None
    words = " ".join(argument.split())
    given: list[str] = []
    if words:
        if len(parts) == 1 or (parts[0].kind is not Kind.PHONE and " " in words):
            return None
        value, _ = await _accept(ctx, person, parts[0], words, None)
        if value is None:
            return None
        given.append(value)
    if name in NEEDS_SMS and not ctx.sms_enabled:  # no use asking for what cannot be sent
        return Outcome([Reply(texts.ADDMENTEE_NO_SMS)])
    return await _ask(ctx, person, Waiting(name, given), [])


async def step(
    ctx: FlowContext,
    person: Person,
    data: dict[str, Any],
    message: InboundMessage,
    commands: Commands,
) -> Outcome:
    """Takes the next part (typed, or a tapped choice), or Back to the part before; asks for
    the one after, or runs the command with them all."""
    state = Waiting.load(data)
    name, given = state.command, list(state.given)
    allowed = commands.get(name)
    if allowed is None or person.role not in allowed[0] or name not in ARGUMENTS:
        await conversations.clear_state(ctx.session, person.id)
        known = name in authorisation.RULES
        return Outcome([Reply(authorisation.refusal(name) if known else texts.UNKNOWN_COMMAND)])
    if message.choice is not None and message.token != state.token:
        return Outcome(stale_tap=True)
    if ctx.now() - datetime.fromisoformat(state.asked_at) > WAIT_LIMIT:
        await conversations.clear_state(ctx.session, person.id)
        return Outcome([Reply(texts.ARG_TOO_LATE.format(command=name))])
    part = ARGUMENTS[name][len(given)]
    question = await _question(ctx, person, state)
    got = asking.read(question, message, state.token)
    if message.choice is None and got.kind not in (asking.Kind.BACK, asking.Kind.NO_WAY_BACK):
        typed = " ".join((message.text or "").split())
        if not typed:
            return await _ask(ctx, person, state, [])
        value, problem = await _accept(ctx, person, part, typed, None)
        if value is None and got.kind is asking.Kind.ANSWER:  # a choice's number, or a slip in it
            value, problem = await _accept(ctx, person, part, typed, got.value)
        if value is None:
            return await _ask(ctx, person, state, [Reply(problem)] if problem else [])
        return await _given(ctx, person, state, value, allowed[1], message)
    if message.choice is not None and got.kind is asking.Kind.UNCLEAR:
        chosen = message.choice  # not one of its buttons (forged): judged as the name typed
    else:
        answered = await asked.answer(ctx, person, question, message, state.token)
        if isinstance(answered, Outcome):
            return answered
        if answered.kind is asking.Kind.BACK:
            outcome = await _ask(ctx, person, replace(state, given=given[:-1]), [])
            return tapped(outcome, message, answered.label(question))
        chosen = answered.value or ""
    value, problem = await _accept(ctx, person, part, "", chosen)
    if value is None:
        return await _ask(ctx, person, state, [Reply(problem)] if problem else [])
    return await _given(ctx, person, state, value, allowed[1], message)


async def _given(
    ctx: FlowContext,
    person: Person,
    state: Waiting,
    value: str,
    command: Command,
    message: InboundMessage,
) -> Outcome:
    """Keeps one more part; asks for the next, or runs the command once all are in."""
    given = [*state.given, value]
    if len(given) < len(ARGUMENTS[state.command]):
        return tapped(await _ask(ctx, person, replace(state, given=given), []), message, value)
    await conversations.clear_state(ctx.session, person.id)  # the command may open its own
    return tapped(await command(ctx, person, " ".join(given)), message, value)


async def cancel(ctx: FlowContext, person: Person, data: dict[str, Any]) -> Outcome:
    """/cancel or "cancel" while a command waits: nothing was done, so nothing is kept."""
    await conversations.clear_state(ctx.session, person.id)
    return Outcome([Reply(texts.ARG_CANCELLED)])


async def _question(ctx: FlowContext, person: Person, state: Waiting) -> Question:
    """The part asked for next, with its choices where few; Back from the second part on."""
    given = state.given
    part = ARGUMENTS[state.command][len(given)]
    return Question(
        part.ask.format(name=given[-1] if given else ""),
        choices=await _choices(ctx, person, part.kind),
        back=bool(given),
    )


async def _ask(ctx: FlowContext, person: Person, state: Waiting, lead: list[Reply]) -> Outcome:
    state = replace(state, token=new_token(), asked_at=ctx.now().isoformat())
    await conversations.save_state(
        ctx.session,
        person_id=person.id,
        flow=FLOW,
        step=ARGUMENTS[state.command][len(state.given)].kind.value,
        data=state.dump(),
        now=ctx.now(),
    )
    return Outcome([*lead, asking.ask(await _question(ctx, person, state), state.token)])


async def _choices(ctx: FlowContext, person: Person, kind: Kind) -> tuple[Choice, ...]:
    """Buttons where the answers are few and known: own mentees, sites, staff."""
    if kind is Kind.MENTEE:
        named = [(m.display_name, m.display_name) for m in await visible_mentees(ctx, person)]
    elif kind is Kind.MENTOR:
        named = [(p.display_name, p.display_name) for p in await people.staff(ctx.session)]
    elif kind is Kind.SITE:
        named = [(site.name, site.id) for site in shipped_sites().values()]
    else:
        return ()
    if len(named) > MAX_CHOICES:
        return ()
    return tuple(Choice(label, value) for label, value in named)


async def _accept(
    ctx: FlowContext, person: Person, part: Part, typed: str, choice: str | None
) -> tuple[str | None, str]:
    """(the part as the command wants it, '') or (None, what to say before asking again)."""
    words = choice if choice is not None else typed
    if part.kind is Kind.MENTEE:
        mentee = await visible_mentee(ctx, person, words)
        if mentee is None:  # the same words as the command itself would use
            return None, texts.NO_SUCH_MENTEE.format(name=words)
        return mentee.display_name, ""
    if part.kind is Kind.MENTOR:
        found = [
            p
            for p in await people.staff(ctx.session)
            if p.display_name.casefold() == words.casefold()
        ]
        if not found:
            return None, texts.REPORT_NO_MENTOR.format(name=words)
        return found[0].display_name, ""
    if part.kind is Kind.SITE:
        sites = shipped_sites().values()
        wanted = words.casefold()
        site = next((s for s in sites if wanted in (s.id.casefold(), s.name.casefold())), None)
        if site is None:
            return None, texts.ARG_PICK_SITE.format(sites=", ".join(s.id for s in sites))
        return site.id, ""
    if part.kind is Kind.PHONE:
        phone, reason = parse_mobile(words) if _PHONE_CHARACTERS.fullmatch(words) else (None, "")
        if phone is None:
            return None, texts.ADDMENTEE_BAD_PHONE.format(reason=reason or "only digits, please")
        return phone, ""
    if part.kind in (Kind.NEW_NAME, Kind.FIRST_NAME):
        if len(words) > MAX_NAME:
            return None, texts.INVITE_NAME_TOO_LONG
        if part.kind is Kind.FIRST_NAME and " " in words:
            return None, texts.ARG_ONE_NAME
    if part.kind is Kind.NOTE and len(words) > TITLE_LIMIT:
        return None, texts.NOTE_TOO_LONG.format(limit=TITLE_LIMIT, length=len(words))
    return words, ""
