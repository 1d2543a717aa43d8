"""The authorisation matrix: every command, every role, own mentee against someone else's.

A command outside a role is refused with the same words whatever it names, and changes
nothing. A mentor naming another mentor's mentee gets exactly the answer an unknown name gets,
so not even the mentee's existence is revealed, and nothing about that mentee changes. A
supervisor may act for every mentee.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.authorisation import ANYONE, RULES, refusal
from bot.flows import command_args, texts
from bot.flows.command_args import ARGUMENTS, Kind
from bot.flows.engine import COMMANDS
from bot.messages import Channel, InboundMessage, Sender
from bot.service import MentorService
from bot.storage import conversations, people
from bot.storage.models import Base, Role
from tests.utils import MENTOR_PHONE, Chat, add_staff, joined_mentee

Sessions = async_sessionmaker[AsyncSession]
OTHER_MENTOR, SUPERVISOR, OTHER_MENTEE = "+447700900002", "+447700900003", "+447700900124"
# What follows the mentee's name for commands that need more.
EXTRA = {
    "note": " went well",
    "site": " camberwell",
    "goal": " Register with a GP",
    "close": " moved away",
    "addphone": " 07700900999",
    "assign": " Alex",
    "msg": " are you free on Monday",
}
NAMED = sorted(
    {
        "ack",
        "addphone",
        "meet",
        "upcoming",
        "signpost",
        "signposts",
        "note",
        "site",
        "plan",
        "goal",
        "rate",
        "close",
        "mentee",
        "msg",
    }
)
SUPERVISOR_NAMED = ["assign", "audit"]
# Rows the mere act of writing may touch without changing anything about anyone.
BOOKKEEPING = frozenset({"processed_inbound", "conversation_states"})


def refused(name: str) -> str:
    """What a role outside the command is told; a command for anyone is never refused."""
    return refusal(name) if RULES[name] != ANYONE else "(never refused)"


async def snapshot(
    sessions: Sessions, *, skip: frozenset[str] = frozenset()
) -> dict[str, list[str]]:
    """Every row of every table, as text (JSON columns hold dicts, which cannot be hashed)."""
    found: dict[str, list[str]] = {}
    async with sessions() as session:
        for table in Base.metadata.sorted_tables:
            if table.name not in skip:
                rows = await session.execute(select(table))
                found[table.name] = sorted(repr(tuple(row)) for row in rows)
    return found


async def world(service: MentorService, sessions: Sessions) -> dict[Role, Chat]:
    """Alex mentors Sam, Jo mentors Kim, Pat supervises; everyone's chat by role."""
    alex = await add_staff(sessions, service, name="Alex")
    jo = await add_staff(sessions, service, name="Jo", phone=OTHER_MENTOR)
    await add_staff(sessions, service, name="Pat", role=Role.SUPERVISOR, phone=SUPERVISOR)
    sam = await joined_mentee(service, sessions, alex)
    await joined_mentee(service, sessions, jo, name="Kim", phone=OTHER_MENTEE)
    await sam.send("/cancel")
    return {
        Role.MENTEE: sam,
        Role.MENTOR: Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE)),
        Role.SUPERVISOR: Chat(service, sender=Sender(Channel.CONSOLE, SUPERVISOR)),
    }


@pytest.mark.parametrize("name", sorted(COMMANDS))
@pytest.mark.parametrize("role", list(Role))
async def test_a_command_outside_the_role_is_refused_and_changes_nothing(
    service: MentorService, session_factory: Sessions, name: str, role: Role
) -> None:
    allowed, _ = COMMANDS[name]
    chats = await world(service, session_factory)
    before = await snapshot(session_factory)
    replies = await chats[role].send(f"/{name} Kim{EXTRA.get(name, '')}")
    if role in allowed:
        assert replies and replies[0].text != refused(name)
        return
    assert replies[0].text == refused(name)
    assert replies[0].text.startswith("Only ") and len(replies[0].text.splitlines()) == 1
    if role is not Role.MENTEE:  # says who may, and no list of commands follows
        assert len(replies) == 1
    assert not any("Kim" in reply.text for reply in replies)
    assert await snapshot(session_factory) == before


@pytest.mark.parametrize("name", NAMED)
async def test_another_mentors_mentee_is_answered_as_if_unknown(
    service: MentorService, session_factory: Sessions, name: str
) -> None:
    chats = await world(service, session_factory)
    mentor = chats[Role.MENTOR]
    before = await snapshot(session_factory, skip=BOOKKEEPING)
    others = await mentor.send(f"/{name} Kim{EXTRA.get(name, '')}")
    assert await snapshot(session_factory, skip=BOOKKEEPING) == before
    await mentor.send("/cancel")
    unknown = await mentor.send(f"/{name} Nobody{EXTRA.get(name, '')}")
    assert [r.text.replace("Kim", "X") for r in others] == [
        r.text.replace("Nobody", "X") for r in unknown
    ]
    own = await mentor.send(f"/{name} Sam{EXTRA.get(name, '')}")
    assert texts.NO_SUCH_MENTEE.format(name="Sam") not in [r.text for r in own]


@pytest.mark.parametrize("name", [*NAMED, *SUPERVISOR_NAMED])
async def test_a_supervisor_may_act_for_every_mentee(
    service: MentorService, session_factory: Sessions, name: str
) -> None:
    chats = await world(service, session_factory)
    replies = await chats[Role.SUPERVISOR].send(f"/{name} Kim{EXTRA.get(name, '')}")
    assert texts.NO_SUCH_MENTEE.format(name="Kim") not in [r.text for r in replies]
    assert replies[0].text != refused(name)


# Commands that ask for a mentee's name when sent alone (bot/flows/command_args.py).
ASKS_FOR_MENTEE = sorted(name for name, parts in ARGUMENTS.items() if parts[0].kind is Kind.MENTEE)


async def waiting(sessions: Sessions, chat: Chat) -> bool:
    """Whether this person's next message would be taken as a command's argument."""
    async with sessions() as session:
        person = await people.person_by_sender(session, chat.sender)
        assert person is not None
        state = await conversations.load_state(session, person.id)
    return state is not None and state.flow == command_args.FLOW


@pytest.mark.parametrize("name", sorted(ARGUMENTS))
@pytest.mark.parametrize("role", list(Role))
async def test_a_command_alone_waits_only_for_staff_it_belongs_to(
    service: MentorService, session_factory: Sessions, name: str, role: Role
) -> None:
    allowed, _ = COMMANDS[name]
    chats = await world(service, session_factory)
    before = await snapshot(session_factory, skip=BOOKKEEPING)
    replies = await chats[role].send(f"/{name}")
    # Texting is not set up here, so /addmentee and /addphone have nothing to ask for.
    asks = role in allowed and role is not Role.MENTEE and name not in command_args.NEEDS_SMS
    assert await waiting(session_factory, chats[role]) is asks
    if role not in allowed:
        assert replies[0].text == refused(name)
        assert await snapshot(session_factory, skip=BOOKKEEPING) == before


@pytest.mark.parametrize("name", [n for n in ASKS_FOR_MENTEE if Role.MENTOR in COMMANDS[n][0]])
async def test_a_mentor_asked_for_a_name_is_refused_another_mentors_mentee_as_before(
    service: MentorService, session_factory: Sessions, name: str
) -> None:
    service.sms_enabled = True  # so /addphone asks too
    mentor = (await world(service, session_factory))[Role.MENTOR]
    before = await snapshot(session_factory, skip=BOOKKEEPING)
    await mentor.send(f"/{name}")
    others = await mentor.send("Kim")
    assert await snapshot(session_factory, skip=BOOKKEEPING) == before
    assert others[0].text == texts.NO_SUCH_MENTEE.format(name="Kim")
    assert [c.label for c in others[-1].choices] == ["Sam"]  # own mentees only
    await mentor.send("/cancel")
    await mentor.send(f"/{name}")
    unknown = await mentor.send("Nobody")
    assert [r.text.replace("Kim", "X") for r in others] == [
        r.text.replace("Nobody", "X") for r in unknown
    ]
    # A forged tap on the question's own buttons fares no better than typing the name.
    question = unknown[-1]
    forged = InboundMessage(sender=mentor.sender, choice="Kim", token=question.token)
    tapped = await mentor._deliver(forged)
    assert [r.text for r in tapped] == [r.text for r in others]
    own = await mentor.send("Sam")
    assert texts.NO_SUCH_MENTEE.format(name="Sam") not in [r.text for r in own]


@pytest.mark.parametrize("name", ASKS_FOR_MENTEE)
async def test_a_supervisor_asked_for_a_name_may_give_any_mentee(
    service: MentorService, session_factory: Sessions, name: str
) -> None:
    service.sms_enabled = True
    supervisor = (await world(service, session_factory))[Role.SUPERVISOR]
    await supervisor.send(f"/{name}")
    replies = await supervisor.send("Kim")
    assert texts.NO_SUCH_MENTEE.format(name="Kim") not in [r.text for r in replies]
    assert replies[0].text != refused(name)


def test_one_policy_names_every_command_and_says_who_may_use_each() -> None:
    assert set(COMMANDS) == set(RULES)
    assert all(COMMANDS[name][0] is RULES[name] for name in COMMANDS)
    assert refusal("report") == "Only supervisors can see the report."
    assert refusal("note") == "Only mentors and supervisors can add session notes."
    assert refusal("checkin") == "Only mentees can answer check-ins."
    for name, allowed in RULES.items():
        if allowed != ANYONE:
            assert refusal(name).startswith("Only "), name
