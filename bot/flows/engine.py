"""Routes one inbound message: global intents first, then the person's flow, else a menu.

Global intents come before any flow so that "stop", "help" or "/cancel" typed halfway through
a questionnaire is never taken as an answer (docs/architecture.md).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from bot import authorisation
from bot.flows import (
    caseload,
    checkin,
    close_episode,
    closing,
    command_args,
    concern,
    crisis,
    crisis_ack,
    directory_admin,
    free_text,
    goal_answers,
    goal_proposals,
    goal_staff,
    goals,
    hours,
    invited,
    meeting_actions,
    meetings,
    mentee_record,
    onboarding,
    phones,
    plan,
    preferences,
    priorities,
    relay,
    signpost_answers,
    signpost_send,
    signposting,
    ssm,
    staff,
    staff_help,
    staff_records,
    staff_reports,
    staff_views,
    texts,
    web_link,
    your_data,
)
from bot.flows.context import FlowContext
from bot.flows.types import Outcome
from bot.messages import Channel, Choice, InboundMessage, Reply
from bot.storage import conversations, people
from bot.storage.models import ConversationState, Person, PersonStatus, Role

logger = logging.getLogger(__name__)

Step = Callable[[FlowContext, Person, dict[str, Any], InboundMessage], Awaitable[Outcome]]
FLOW_STEPS: dict[str, Step] = {
    checkin.FLOW: checkin.step,
    onboarding.FLOW: onboarding.step,
    meetings.FLOW: meetings.step,
    preferences.FLOW: preferences.step,
    signposting.FLOW: signposting.step,
    signpost_send.FLOW: signpost_send.step,
    concern.FLOW: concern.step,
    your_data.FLOW: your_data.step,
    priorities.FLOW: priorities.step,
    goals.FLOW: goals.step,
    goal_staff.FLOW: goal_staff.step,
    ssm.FLOW: ssm.step,
    close_episode.FLOW: close_episode.step,
    relay.FLOW: relay.step,  # messages through the bot (bot/flows/relay.py, hours.py)
    hours.FLOW: hours.step,
    free_text.FLOW: free_text.step,  # an offer alone; process() settles it as no flow
    # A staff command waiting for its argument (bot/flows/command_args.py).
    command_args.FLOW: lambda ctx, person, data, message: command_args.step(
        ctx, person, data, message, COMMANDS
    ),
}
# Flows whose progress lives only in the conversation state: /cancel pauses them instead of
# clearing it, and they say how to carry on.
Pause = Callable[[FlowContext, Person, dict[str, Any]], Awaitable[Outcome]]
PAUSE_STEPS: dict[str, Pause] = {ssm.FLOW: ssm.pause, free_text.FLOW: free_text.pause}
PAUSE_STEPS[command_args.FLOW] = command_args.cancel  # says that nothing was done
MENU_TOKEN = "menu"

Command = Callable[[FlowContext, Person, str], Awaitable[Outcome]]
# What each command runs; who may run it is bot/authorisation.py's, checked on every call.
HANDLERS: dict[str, Command] = {
    "checkin": lambda ctx, person, _: checkin.start(ctx, person),
    "meeting": lambda ctx, person, _: meeting_actions.show_next_for_mentee(ctx, person),
    "settings": lambda ctx, person, _: preferences.start(ctx, person),
    "invite": staff.invite,
    "addmentee": staff.add_mentee,
    "addphone": phones.add_for_mentee,
    "phone": phones.ask,
    "meet": meetings.start,
    "meetings": lambda ctx, person, _: meeting_actions.list_for_mentor(ctx, person),
    "upcoming": staff_views.upcoming,
    "failed": lambda ctx, person, _: staff_views.failed(ctx, person),
    "find": signposting.start,
    "signpost": signpost_send.start,
    "signposts": signpost_answers.list_sent,
    "stale": lambda ctx, person, _: directory_admin.stale(ctx, person),
    "retire": directory_admin.retire,
    "service": directory_admin.service,
    "report": staff_reports.report,
    "export": staff_reports.export,
    "mentees": caseload.list_mentees,
    "attention": caseload.attention,
    "ack": crisis_ack.ack_command,  # picks up a crisis alert (flows.crisis_ack)
    "note": staff_records.note,
    "site": staff_records.move_site,
    "assign": staff_records.assign,
    "supervision": staff_records.supervision,
    "staff": staff_records.list_staff,
    "caseloads": staff_records.caseloads,
    "audit": staff_records.audit_trail,
    "privacy": concern.privacy,
    "concern": concern.start,
    "mydata": your_data.mydata,
    "forget": your_data.forget,
    "plan": plan.show,
    "goals": lambda ctx, person, _: goals.start(ctx, person),
    "goal": goal_staff.start,
    "rate": ssm.start,
    # The end of mentoring (bot/flows/close_episode.py, closing.py).
    "close": close_episode.start,
    "mentee": mentee_record.show,
    "summary": closing.show_summary,
    # Messages between mentee and staff through the bot (bot/flows/relay.py, hours.py).
    "msg": relay.start,
    "hours": hours.start,
    "web": web_link.sign_in_link,  # the staff dashboard (bot/web/)
}
COMMANDS: dict[str, tuple[frozenset[Role], Command]] = {
    name: (authorisation.RULES[name], run) for name, run in HANDLERS.items()
}
_COMMAND = re.compile(r"^/([a-z_]+)(?:@\w+)?(?:\s+(.*))?$", re.IGNORECASE | re.DOTALL)
_CANCEL_WORDS = {"cancel", "pause"}


def _command(message: InboundMessage) -> tuple[str, str] | None:
    """('start', 'CODE') for '/start CODE'; menu taps count as the command they stand for."""
    text = message.choice if message.token == MENU_TOKEN else message.text
    match = _COMMAND.match((text or "").strip())
    if match is None:
        return None
    return match.group(1).lower(), (match.group(2) or "").strip()


def _word(message: InboundMessage) -> str:
    return re.sub(r"[^a-z ]", "", (message.text or "").lower()).strip()


def menu(person: Person, *, web: bool = False) -> Outcome:
    """A mentee's menu of buttons; for staff, one line saying where their commands are."""
    if person.role is not Role.MENTEE:
        return Outcome([Reply(staff_help.staff_hint(web=web))])
    choices = (
        Choice(texts.MENU_CHECKIN, "/checkin"),
        Choice(texts.MENU_MEETING, "/meeting"),
        Choice(texts.MENU_FIND, "/find"),
        Choice(texts.MENU_GOALS, "/goals"),
        Choice(texts.MENU_HELP, "/help"),
    )
    return Outcome([Reply(texts.MENU, choices=choices, token=MENU_TOKEN)])


def help_outcome(person: Person, argument: str = "", *, web: bool = False) -> Outcome:
    if person.role is not Role.MENTEE:
        one = staff_help.command_help(person.role, argument) if argument else None
        return Outcome([Reply(one or staff_help.staff_help(person.role, web=web))])
    return Outcome([Reply(texts.HELP), Reply(texts.HELP_MORE), Reply(texts.CRISIS_LINES)])


async def process(ctx: FlowContext, message: InboundMessage) -> Outcome:
    """Answers one message from one person inside the caller's transaction."""
    person = await writer(ctx, message)
    command = _command(message)
    if command is not None and command[0] == "start":
        return await _start(ctx, person, message, command[1])
    if person is None:
        return invited.needs_code(ctx)
    if phones.confirming(person, message):
        return await phones.confirm(ctx, person, message)
    if message.contact_phone is not None and person.role is Role.MENTEE:
        return await phones.shared(ctx, person, message)
    if person.role is Role.MENTEE and ctx.crisis is not None:
        search = _search_words(command, message)
        match = ctx.crisis.check(message.text, search=search is not None)
        if match is not None:
            outcome = await crisis.respond(ctx, person, match)
            return await _with_services(ctx, person, search, outcome)
        if search and ctx.crisis.names_topic(search):
            # A lookup such as "/find domestic abuse" is no cry for help: nobody is alerted,
            # but the crisis lines come first in case it is the first step towards one.
            lines = Outcome([Reply(texts.CRISIS_LINES)])
            return await _with_services(ctx, person, search, lines)
    intent = await _global_intent(ctx, person, command, _word(message), message.sender.channel)
    if intent is not None:
        return intent
    state = await conversations.load_state(ctx.session, person.id)
    if person.status is PersonStatus.PENDING:
        if state is None or state.flow != onboarding.FLOW:
            return await invited.waiting(ctx, person, message)
        blank = InboundMessage(sender=message.sender)
        return await onboarding.step(ctx, person, state.data, blank if command else message)
    alert_id = crisis.parse_ack(message)
    if alert_id is not None:
        return await crisis_ack.acknowledge(ctx, person, alert_id)
    meeting_tap = meeting_actions.parse_action(message)
    if meeting_tap is not None:
        # A meeting button may be tapped mid-check-in: answer it and leave the flow as it was.
        return await meeting_actions.handle(ctx, person, meeting_tap)
    followup_tap = signpost_answers.parse_action(message)
    if followup_tap is not None:
        return await signpost_answers.handle(ctx, person, followup_tap)
    goal_tap = goal_answers.parse_action(message)
    if goal_tap is not None:  # a goal reminder's answer, like a follow-up's: the flow stays
        return await goal_answers.handle(ctx, person, goal_tap)
    proposal_tap = goal_proposals.parse_action(message)
    if proposal_tap is not None:
        return await goal_proposals.handle(ctx, person, proposal_tap)
    relay_tap = relay.parse_action(message)
    if relay_tap is not None:  # a Reply on a relayed message, whatever flow is open
        return await relay.handle(ctx, person, relay_tap)
    aside_tap = free_text.parse_action(message)
    if aside_tap is not None:  # an answer to a kind reply's offer (bot/flows/free_text.py)
        return await free_text.handle(ctx, person, aside_tap)
    if state is not None and state.flow == free_text.FLOW:  # only that offer was open
        settled = await free_text.settle(ctx, person, message)
        if settled is not None:
            return settled
        state = None
    if command is not None:
        return await _run_command(ctx, person, command, state, message)
    find_words = signposting.typed_find(message.text) if person.role is Role.MENTEE else None
    if state is None and find_words is not None:
        # "find housing" typed (an SMS keyword as much as a chat phrase) works like /find.
        return await signposting.start(ctx, person, find_words)
    if state is not None:
        return await FLOW_STEPS[state.flow](ctx, person, state.data, message)
    if message.choice is not None:
        if message.text is None:
            return Outcome(stale_tap=True)
        message = replace(message, choice=None, token=None)  # a number texted: its words
    if person.role is Role.MENTEE:  # "confirm" typed to an unanswered meeting invitation
        typed_tap = await meeting_actions.typed_answer(ctx, person, message.text)
        if typed_tap is not None:
            return await meeting_actions.handle(ctx, person, typed_tap)
    if person.role is Role.MENTEE and free_text.is_own_words(message.text):
        return await free_text.outside(ctx, person, message)  # a kind reply, not the menu
    return await closing.ended_menu(ctx, person) or menu(person, web=ctx.staff_web_url is not None)


async def writer(ctx: FlowContext, message: InboundMessage) -> Person | None:
    """Who wrote, if known; the context learns the channel, their role and id.

    On Telegram their chat is where replies go, and a message from them means Telegram reaches
    them again after a block or failures: the flag is cleared only when set, so the usual
    message writes nothing for it.
    """
    ctx.channel = message.sender.channel
    person = await people.person_writing(ctx.session, message.sender)
    ctx.role = person.role if person is not None else None
    ctx.person_id = person.id if person is not None else None
    if person is not None and message.sender.channel is Channel.TELEGRAM:
        chat_id = message.sender.chat_id
        if chat_id is not None and chat_id != person.telegram_chat_id:  # else nothing to flush
            person.telegram_chat_id = chat_id
        if person.telegram_blocked_at is not None:
            person.telegram_blocked_at = None
    return person


def _search_words(command: tuple[str, str] | None, message: InboundMessage) -> str | None:
    """The words of a lookup ("/find domestic abuse", "FIND CRISIS"); None if it is none."""
    if command is not None:
        return command[1] if command[0] == "find" else None
    return signposting.typed_find(message.text)


async def _with_services(
    ctx: FlowContext, person: Person, words: str | None, outcome: Outcome
) -> Outcome:
    """A lookup that names a crisis ("find domestic abuse"): the crisis reply, then services."""
    if not words or person.status is not PersonStatus.ACTIVE:
        return outcome
    found = await signposting.start(ctx, person, words)
    outcome.replies += found.replies
    return outcome


async def _start(
    ctx: FlowContext, person: Person | None, message: InboundMessage, code: str
) -> Outcome:
    if code:
        return await onboarding.begin(ctx, person, message.sender, code)
    if person is None:
        return invited.needs_code(ctx)
    if person.status is PersonStatus.PENDING:
        state = await conversations.load_state(ctx.session, person.id)
        if state is not None and state.flow == onboarding.FLOW:
            return Outcome(onboarding.consent_replies(person.display_name, state.data["token"]))
        return await invited.waiting(ctx, person, message)
    outcome = menu(person, web=ctx.staff_web_url is not None)
    outcome.replies.insert(0, Reply(texts.ALREADY_JOINED))
    return outcome


async def _global_intent(
    ctx: FlowContext,
    person: Person,
    command: tuple[str, str] | None,
    word: str,
    channel: Channel,
) -> Outcome | None:
    name = command[0] if command is not None else None
    if name == "help" or (name is None and word == "help"):
        argument = command[1] if command is not None else ""
        return help_outcome(person, argument, web=ctx.staff_web_url is not None)
    if name == "cancel" or (name is None and word in _CANCEL_WORDS):
        if person.status is PersonStatus.PENDING:
            return None  # nothing is kept before consent; onboarding asks again
        state = await conversations.load_state(ctx.session, person.id)
        if state is None:
            return Outcome([Reply(texts.NOTHING_TO_PAUSE)])
        if state.flow in PAUSE_STEPS:
            return await PAUSE_STEPS[state.flow](ctx, person, state.data)
        await conversations.clear_state(ctx.session, person.id)
        return Outcome([Reply(texts.CANCELLED.get(state.flow, texts.STOPPED_THAT))])
    if name is None and word == "stop":
        if person.status is PersonStatus.PENDING:
            await people.remove_person(ctx.session, person)
            ctx.person_id = None  # gone: nothing can be queued for them
            return Outcome([Reply(texts.CONSENT_DECLINED)])
        person.opted_out_at = ctx.now()
        if channel is Channel.SMS:  # the carrier stops texts too, until START
            person.sms_opted_out_at = ctx.now()
        if channel is Channel.WHATSAPP:  # and WhatsApp itself, until START there
            person.whatsapp_opted_out_at = ctx.now()
        await conversations.clear_state(ctx.session, person.id)
        return Outcome([Reply(texts.STOPPED)])
    if name is None and word == "start" and person.status is PersonStatus.ACTIVE:
        was_stopped = person.opted_out_at is not None
        person.opted_out_at = None
        if channel is Channel.SMS:
            person.sms_opted_out_at = None
        if channel is Channel.WHATSAPP:
            person.whatsapp_opted_out_at = None
        return Outcome([Reply(texts.RESTARTED if was_stopped else texts.NOT_STOPPED)])
    return None


async def _run_command(
    ctx: FlowContext,
    person: Person,
    command: tuple[str, str],
    state: ConversationState | None,
    message: InboundMessage,
) -> Outcome:
    if state is not None and state.flow == command_args.FLOW:
        await conversations.clear_state(ctx.session, person.id)  # a new command ends the wait
        state = None
    name, argument = command
    allowed = COMMANDS.get(name)
    if allowed is not None and person.role in allowed[0]:
        waiting = await command_args.start(ctx, person, name, argument)
        return waiting if waiting is not None else await allowed[1](ctx, person, argument)
    if name == "menu":
        return menu(person, web=ctx.staff_web_url is not None)
    said = texts.UNKNOWN_COMMAND
    if allowed is not None:
        # Checked on every call, not just hidden from the menu; the argument (perhaps a
        # mentee's name) is not logged. The answer says who may, not what else there is.
        logger.info("Refused /%s for a %s (person %d)", name, person.role.value, person.id)
        said = authorisation.refusal(name)
    if state is None:
        if person.role is not Role.MENTEE:
            return Outcome([Reply(said)])
        outcome = menu(person, web=ctx.staff_web_url is not None)
        outcome.replies.insert(0, Reply(said))
        return outcome
    # Mid-flow: say so, then ask the same question again.
    blank = InboundMessage(sender=message.sender)
    reask = await FLOW_STEPS[state.flow](ctx, person, state.data, blank)
    questions = [reply for reply in reask.replies if reply.choices]
    return Outcome([Reply(said), *questions])
