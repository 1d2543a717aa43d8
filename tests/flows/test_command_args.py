"""A staff command sent without its argument asks for it and takes the next message.

Issue 14, point 7: "/invite" then "Sam" makes the invite, as "/invite Sam" would. Every staff
command that takes a name is in bot/flows/command_args.ARGUMENTS; a command added without an
entry (or a reason here why it needs none) fails the first test.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.authorisation import STAFF, SUPERVISOR
from bot.flows import command_args, texts
from bot.flows.command_args import ARGUMENTS
from bot.flows.engine import COMMANDS
from bot.messages import Channel, Sender
from bot.service import MentorService
from bot.signposting import Directory
from bot.storage import conversations, people
from bot.storage.models import Role, SessionNote
from tests.conftest import FakeClock
from tests.utils import MENTOR_PHONE, Chat, add_staff, count_rows, joined_mentee

Sessions = async_sessionmaker[AsyncSession]
OTHER_MENTOR, SUPERVISOR_PHONE = "+447700900002", "+447700900003"

# Staff commands that take no name, or already ask for what is missing themselves.
NO_NAME = {
    "meetings": "lists the mentor's meetings",
    "failed": "lists what did not get through",
    "mentees": "lists the caseload",
    "attention": "lists who needs the mentor",
    "staff": "lists staff",
    "caseloads": "lists caseloads",
    "stale": "lists old directory entries",
    "privacy": "says what is kept",
    "report": "optional filters",
    "export": "optional 'identified'",
    "service": "a form with fields, not a name: /service on its own explains it",
    "hours": "asks day and time step by step itself",
    "web": "a sign-in link for the person who asks",
    "find": "offers the kinds of help as buttons itself",
    "meet": "asks which mentee with buttons itself",
    "signpost": "asks which mentee with buttons itself",
    "goal": "asks which mentee with buttons itself",
    "rate": "asks which mentee with buttons itself",
}
SAME_AS_TYPED = None  # the answer must be exactly what the full command gives
# command: (who sends it, what they type when asked, the template the final answer fills).
CASES: dict[str, tuple[Role, list[str], str | None, dict[str, str]]] = {
    "invite": (Role.MENTOR, ["Robin"], texts.INVITE_CREATED, {"name": "Robin"}),
    "addmentee": (Role.MENTOR, ["07700 900555", "Robin"], texts.ADDMENTEE_SENT, {"name": "Robin"}),
    "addphone": (Role.MENTOR, ["sam", "07700 900999"], texts.ADDPHONE_SENT, {"name": "Sam"}),
    "mentee": (Role.MENTOR, ["sam"], SAME_AS_TYPED, {}),
    "plan": (Role.MENTOR, ["sam"], SAME_AS_TYPED, {}),
    "upcoming": (Role.MENTOR, ["sam"], SAME_AS_TYPED, {}),
    "signposts": (Role.MENTOR, ["sam"], SAME_AS_TYPED, {}),
    "msg": (Role.MENTOR, ["sam"], texts.RELAY_ASK, {"name": "Sam"}),
    "close": (Role.MENTOR, ["sam"], texts.CLOSE_ASK_REASON, {"name": "Sam"}),
    "note": (Role.MENTOR, ["sam", "talked about housing"], texts.NOTE_SAVED, {"name": "Sam"}),
    "site": (
        Role.MENTOR,
        ["sam", "camberwell"],
        texts.SITE_MOVED,
        {"name": "Sam", "site": "camberwell"},
    ),
    "audit": (Role.SUPERVISOR, ["sam"], texts.AUDIT_HEADER, {"name": "Sam"}),
    "ack": (Role.MENTOR, ["sam"], SAME_AS_TYPED, {}),
    "assign": (Role.SUPERVISOR, ["sam", "jo"], texts.ASSIGN_DONE, {"name": "Sam", "mentor": "Jo"}),
    "supervision": (Role.SUPERVISOR, ["alex"], texts.SUPERVISION_SAVED, {"name": "Alex"}),
    "retire": (Role.SUPERVISOR, ["streetlink"], texts.RETIRE_DONE, {}),
}


def fills(template: str, text: str, known: dict[str, str]) -> bool:
    """The text is the template filled in, with `known` placeholders as given."""
    pattern = re.escape(template)
    for key in re.findall(r"\{(\w+)\}", template):
        value = re.escape(known[key]) if key in known else ".+?"
        pattern = pattern.replace(re.escape("{" + key + "}"), value)
    return re.match(pattern, text, re.DOTALL) is not None


async def team(service: MentorService, sessions: Sessions) -> dict[Role, Chat]:
    """Alex mentors Sam, Jo mentors nobody, Pat supervises; texting is set up."""
    service.sms_enabled = True
    alex = await add_staff(sessions, service, name="Alex")
    await add_staff(sessions, service, name="Jo", phone=OTHER_MENTOR)
    await add_staff(sessions, service, name="Pat", role=Role.SUPERVISOR, phone=SUPERVISOR_PHONE)
    sam = await joined_mentee(service, sessions, alex)
    await sam.send("/cancel")
    return {
        Role.MENTEE: sam,
        Role.MENTOR: Chat(service, sender=Sender(Channel.CONSOLE, MENTOR_PHONE)),
        Role.SUPERVISOR: Chat(service, sender=Sender(Channel.CONSOLE, SUPERVISOR_PHONE)),
    }


async def flow_of(sessions: Sessions, chat: Chat) -> str | None:
    async with sessions() as session:
        person = await people.person_by_sender(session, chat.sender)
        assert person is not None
        state = await conversations.load_state(session, person.id)
        return state.flow if state else None


def test_every_staff_command_that_takes_a_name_asks_for_it() -> None:
    staff_commands = {
        name for name, (roles, _) in COMMANDS.items() if roles & (STAFF | SUPERVISOR)
    }
    assert set(ARGUMENTS) == staff_commands - set(NO_NAME)
    assert set(CASES) == set(ARGUMENTS)


@pytest.mark.parametrize("name", sorted(ARGUMENTS))
async def test_the_command_alone_asks_for_each_part_then_runs(
    service: MentorService, session_factory: Sessions, shipped_directory: Directory, name: str
) -> None:
    role, answers, template, known = CASES[name]
    chat = (await team(service, session_factory))[role]
    parts = ARGUMENTS[name]
    [question] = await chat.send(f"/{name}")
    assert question.text == parts[0].ask.format(name="")
    for part, answer in zip(parts[1:], answers, strict=False):
        [question] = await chat.send(answer)
        assert question.text == part.ask.format(name="Sam")
    final = [reply.text for reply in await chat.send(answers[-1])]
    if template is None:
        typed = await chat.send(f"/{name} {' '.join(answers)}")
        assert final == [reply.text for reply in typed]
    else:
        assert fills(template, final[0], known), final


async def test_invite_alone_then_the_name(
    service: MentorService, session_factory: Sessions
) -> None:
    alex = (await team(service, session_factory))[Role.MENTOR]
    assert (await alex.send("/invite"))[0].text == "What is the mentee's first name?"
    [made] = await alex.send("Robin")
    assert made.text.startswith("Invite for Robin (single use")
    [menu] = await alex.send("Robin")  # the wait is over: a name alone is not an invite again
    assert menu.text == texts.STAFF_HINT


async def test_another_command_or_cancel_ends_the_wait(
    service: MentorService, session_factory: Sessions
) -> None:
    alex = (await team(service, session_factory))[Role.MENTOR]
    await alex.send("/invite")
    [listed] = await alex.send("/mentees")
    assert listed.text.startswith("Sam (")
    assert (await alex.send("Robin"))[0].text == texts.STAFF_HINT
    for cancel in ("/cancel", "cancel", "Cancel"):
        await alex.send("/note")
        await alex.send(cancel)
        assert alex.texts == [texts.ARG_CANCELLED]
        assert await flow_of(session_factory, alex) is None
    await alex.send("/note")
    assert alex.texts == [texts.ARG_ASK_MENTEE]
    await alex.send("/nosuch")  # an unknown command ends it too, and says so as before
    assert alex.texts[0] == texts.UNKNOWN_COMMAND
    assert await flow_of(session_factory, alex) is None


async def test_a_wait_left_for_over_an_hour_takes_nothing(
    service: MentorService, session_factory: Sessions, clock: FakeClock
) -> None:
    alex = (await team(service, session_factory))[Role.MENTOR]
    await alex.send("/note")
    clock.advance(minutes=59)
    await alex.send("sam")
    assert alex.texts == [texts.ARG_ASK_NOTE.format(name="Sam")]
    clock.advance(minutes=61)
    await alex.send("ok")
    assert alex.texts == [texts.ARG_TOO_LATE.format(command="note")]
    assert await flow_of(session_factory, alex) is None
    assert await count_rows(session_factory, SessionNote) == 0


async def test_a_bad_phone_is_asked_again_and_what_was_given_is_kept(
    service: MentorService, session_factory: Sessions
) -> None:
    alex = (await team(service, session_factory))[Role.MENTOR]
    await alex.send("/addmentee")
    assert alex.texts == [texts.ARG_ASK_PHONE]
    await alex.send("12345")
    assert alex.texts[1:] == [texts.ARG_ASK_PHONE]
    assert alex.texts[0].startswith("That does not look like a UK mobile number")
    await alex.send("07700 900555")
    assert alex.texts == [texts.ARG_ASK_NAME]
    await alex.send("Robin Hood")
    assert alex.texts == [texts.ARG_ONE_NAME, texts.ARG_ASK_NAME]
    await alex.send("Robin")
    assert fills(texts.ADDMENTEE_SENT, alex.texts[0], {"name": "Robin"})
    # The note is kept to its limit; the mentee already named is kept while asking again.
    await alex.send("/note")
    await alex.send("sam")
    await alex.send("x" * 201)
    assert alex.texts == [
        texts.NOTE_TOO_LONG.format(limit=200, length=201),
        texts.ARG_ASK_NOTE.format(name="Sam"),
    ]
    await alex.send(None)  # a sticker: the question again
    assert alex.texts == [texts.ARG_ASK_NOTE.format(name="Sam")]
    await alex.send("went well")
    assert alex.texts == [texts.NOTE_SAVED.format(name="Sam")]
    async with session_factory() as session:
        [note] = (await session.execute(select(SessionNote))).scalars()
    assert note.text == "went well"


async def test_a_first_part_typed_with_the_command_is_kept(
    service: MentorService, session_factory: Sessions
) -> None:
    alex = (await team(service, session_factory))[Role.MENTOR]
    assert (await alex.send("/note Sam"))[0].text == texts.ARG_ASK_NOTE.format(name="Sam")
    assert (await alex.send("/addmentee 07700900555"))[0].text == texts.ARG_ASK_NAME
    assert (await alex.send("/addphone sam"))[0].text == texts.ARG_ASK_PHONE_OF.format(name="Sam")
    # Another mentor's mentee (or nobody) is not kept: the command answers as it always did.
    assert (await alex.send("/note Kim"))[0].text == texts.NOTE_USAGE


async def test_choices_are_offered_where_there_are_few(
    service: MentorService, session_factory: Sessions
) -> None:
    chats = await team(service, session_factory)
    alex, pat = chats[Role.MENTOR], chats[Role.SUPERVISOR]
    [question] = await alex.send("/mentee")
    assert [c.label for c in question.choices] == ["Sam"]
    record = await alex.tap("Sam")
    assert record[0].text.startswith("Sam: ")
    await alex.send("/site")
    await alex.tap("Sam")
    assert [c.label for c in alex.question.choices][:2] == ["Hub clinic", "Camberwell spoke"]
    await alex.tap("Camberwell spoke")
    assert alex.texts == [texts.SITE_MOVED.format(name="Sam", site="camberwell")]
    await pat.send("/assign")
    await pat.tap("Sam")
    assert [c.label for c in pat.question.choices] == ["Alex", "Jo", "Pat"]
    await pat.send("Nobody")
    assert pat.texts[0] == texts.REPORT_NO_MENTOR.format(name="Nobody")
    await pat.tap("Jo")
    assert pat.texts == [texts.ASSIGN_DONE.format(name="Sam", mentor="Jo")]


async def test_without_texting_set_up_nothing_is_asked(
    service: MentorService, session_factory: Sessions
) -> None:
    alex = (await team(service, session_factory))[Role.MENTOR]
    service.sms_enabled = False
    for name in command_args.NEEDS_SMS:
        assert (await alex.send(f"/{name}"))[0].text == texts.ADDMENTEE_NO_SMS
        assert await flow_of(session_factory, alex) is None


async def test_a_mentee_never_waits_for_a_staff_command(
    service: MentorService, session_factory: Sessions
) -> None:
    sam = (await team(service, session_factory))[Role.MENTEE]
    for name in sorted(ARGUMENTS):
        replies = await sam.send(f"/{name}")
        assert texts.ARG_ASK_MENTEE not in [reply.text for reply in replies]
        assert await flow_of(session_factory, sam) != command_args.FLOW
        await sam.send("/cancel")
    assert not (await sam.send("/plan"))[0].text.startswith("Only ")  # /plan is theirs too


async def test_back_returns_to_the_part_before_and_the_first_part_says_there_is_none(
    service: MentorService, session_factory: Sessions
) -> None:
    alex = (await team(service, session_factory))[Role.MENTOR]
    [question] = await alex.send("/note")
    assert not question.controls  # nothing before the first part
    await alex.send("back")
    assert alex.texts == [texts.NOTHING_BEFORE, texts.ARG_ASK_MENTEE]
    [question] = await alex.send("sam")
    assert question.text == texts.ARG_ASK_NOTE.format(name="Sam")
    assert [c.label for c in question.controls] == [texts.BACK_LABEL]
    await alex.tap(texts.BACK_LABEL, reply=question)
    assert alex.texts == [texts.ARG_ASK_MENTEE]
    await alex.tap("Sam")
    await alex.send("go back")  # typed, as tapped
    assert alex.texts == [texts.ARG_ASK_MENTEE]
    await alex.send("sam")
    await alex.send("back")
    await alex.send("sam")
    await alex.send("went well")
    assert alex.texts == [texts.NOTE_SAVED.format(name="Sam")]
    assert await count_rows(session_factory, SessionNote) == 1


async def test_a_choice_can_be_typed_by_number_or_with_a_slip_and_old_buttons_are_stale(
    service: MentorService, session_factory: Sessions
) -> None:
    alex = (await team(service, session_factory))[Role.MENTOR]
    await alex.send("/site")
    [first] = await alex.send("sam")
    await alex.send("2")  # the second site, as texted by SMS
    assert alex.texts == [texts.SITE_MOVED.format(name="Sam", site="camberwell")]
    await alex.send("/site sam")
    await alex.send("Hub clinc")
    assert alex.texts == [texts.SITE_MOVED.format(name="Sam", site="hub")]
    await alex.send("/site sam")
    await alex.tap("Camberwell spoke", reply=first)
    assert alex.stale


async def test_a_whatsapp_invitation_is_not_refused_for_want_of_texting(
    service: MentorService, session_factory: Sessions
) -> None:
    """Texting off and WhatsApp off: the answer names WhatsApp, the way that was asked for."""
    alex = (await team(service, session_factory))[Role.MENTOR]
    service.sms_enabled = False
    replies = await alex.send("/addmentee whatsapp 07700 900123 Jo")
    assert replies[0].text == texts.ADDMENTEE_NO_WHATSAPP
