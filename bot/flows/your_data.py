"""`/mydata` and `/forget`: a mentee sees everything held about them, or has it erased.

`/forget` asks twice (a tap, then the word DELETE typed, which also works by text) because it
cannot be undone. The mentor is told without the name: the request to be forgotten is itself
the person's data, and a stored notice naming them would outlive the erasure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.flows import asked, data_file, kept, texts
from bot.flows.context import FlowContext
from bot.flows.types import Outcome, tapped
from bot.messages import Choice, Document, InboundMessage, Reply
from bot.questions import asking
from bot.questions.asking import Kind, Question
from bot.questions.state import FlowState, new_token
from bot.questions.vocabulary import fold, read_yes_no
from bot.storage import conversations, people
from bot.storage.access import personal_data
from bot.storage.erasure import erase_person
from bot.storage.models import Person

FLOW = "forget"
FIRST, SECOND = "first", "second"
CONFIRM_WORD = "delete"
_YES, _NO = "yes", "no"


def _yes_deletes(text: str) -> str | None:
    said = read_yes_no(text)
    return None if said is None else _YES if said else _NO


SURE = Question(
    prompt=texts.FORGET_ASK,
    choices=(Choice(texts.FORGET_YES, _YES), Choice(texts.FORGET_NO, _NO)),
    read_words=_yes_deletes,
)
# No choices and no vocabulary: only the word DELETE, typed, erases; anything else keeps all.
LAST_CHECK = Question(prompt=texts.FORGET_LAST_CHECK)


@dataclass(frozen=True)
class ForgetState(FlowState):
    token: str
    at: str = FIRST


def _summary(data: dict[str, Any]) -> str:
    you = data["you"]
    head = texts.MYDATA_HEAD.format(
        name=you["display_name"], number=you["phone"] or texts.MYDATA_NO_NUMBER
    )
    return "\n".join([head, *kept.counts(data)])


async def mydata(ctx: FlowContext, person: Person, _argument: str = "") -> Outcome:
    data = await personal_data(ctx.session, person)
    summary = _summary(data)
    if ctx.texted:  # no file by text or WhatsApp
        return Outcome([Reply(summary), Reply(texts.MYDATA_SMS_FULL_COPY)])
    document = Document("my-data.json", data_file.encode(data))
    return Outcome([Reply(summary), Reply(texts.MYDATA_FILE, document=document)])


async def forget(ctx: FlowContext, person: Person, _argument: str = "") -> Outcome:
    return await _ask(ctx, person, ForgetState(new_token()))


async def _ask(ctx: FlowContext, person: Person, state: ForgetState) -> Outcome:
    await conversations.save_state(
        ctx.session,
        person_id=person.id,
        flow=FLOW,
        step=state.at,
        data=state.dump(),
        now=ctx.now(),
    )
    return Outcome([asking.ask(SURE if state.at == FIRST else LAST_CHECK, state.token)])


async def step(
    ctx: FlowContext, person: Person, data: dict[str, Any], message: InboundMessage
) -> Outcome:
    state = ForgetState.load(data)
    if state.at == FIRST:
        got = await asked.answer(ctx, person, SURE, message, state.token)
        if isinstance(got, Outcome):
            return got
        if got.value == _YES:
            outcome = await _ask(ctx, person, ForgetState(new_token(), SECOND))
        else:
            await conversations.clear_state(ctx.session, person.id)
            outcome = Outcome([Reply(texts.FORGET_KEPT)])
        return tapped(outcome, message, got.label(SURE))
    if asking.read(LAST_CHECK, message, state.token).kind is Kind.STALE:
        return Outcome(stale_tap=True)
    if fold(message.text or "") != CONFIRM_WORD:
        await conversations.clear_state(ctx.session, person.id)
        return Outcome([Reply(texts.FORGET_KEPT)])
    episode = await people.active_episode(ctx.session, person.id)
    if episode is not None and episode.mentor_id is not None:
        await ctx.notify(
            episode.mentor_id,
            f"forgotten:{episode.id}",
            texts.FORGET_MENTOR_NOTICE.format(
                started=f"{episode.started_on:%d %b %Y}", site=episode.site
            ),
        )
    await erase_person(ctx.session, person)
    ctx.person_id = None  # gone: the goodbye goes from memory only
    return Outcome([Reply(texts.FORGET_DONE), Reply(texts.CRISIS_LINES)])
