"""`/mydata` and `/forget`: a mentee sees everything held about them, or has it erased.

`/forget` asks twice (a tap, then the word DELETE typed, which also works by text) because it
cannot be undone. The mentor is told without the name: the request to be forgotten is itself
the person's data, and a stored notice naming them would outlive the erasure.
"""

from __future__ import annotations

import secrets
from typing import Any

from bot.flows import data_file, kept, texts
from bot.flows.context import FlowContext
from bot.flows.types import Channel, Choice, Document, InboundMessage, Outcome, Reply, tapped
from bot.questions.vocabulary import read_choice, read_yes_no
from bot.storage import conversations, people
from bot.storage.access import personal_data
from bot.storage.erasure import erase_person
from bot.storage.models import Person

FLOW = "forget"
CONFIRM_WORD = "delete"


def _summary(data: dict[str, Any]) -> str:
    you = data["you"]
    head = texts.MYDATA_HEAD.format(
        name=you["display_name"], number=you["phone"] or texts.MYDATA_NO_NUMBER
    )
    return "\n".join([head, *kept.counts(data)])


def _yes_or_no(message: InboundMessage) -> bool | None:
    """A tap, or yes or no typed in the shared vocabulary, or the buttons' own words."""
    if message.choice is not None:
        return {"yes": True, "no": False}.get(message.choice)
    said = read_yes_no(message.text or "")
    if said is None:
        picked = read_choice(message.text or "", (texts.FORGET_YES, texts.FORGET_NO))
        said = None if picked is None else picked == 0
    return said


async def mydata(ctx: FlowContext, person: Person, _argument: str = "") -> Outcome:
    data = await personal_data(ctx.session, person)
    summary = _summary(data)
    if ctx.channel is Channel.SMS:
        return Outcome([Reply(summary), Reply(texts.MYDATA_SMS_FULL_COPY)])
    document = Document("my-data.json", data_file.encode(data))
    return Outcome([Reply(summary), Reply(texts.MYDATA_FILE, document=document)])


async def forget(ctx: FlowContext, person: Person, _argument: str = "") -> Outcome:
    token = secrets.token_hex(3)
    await conversations.save_state(
        ctx.session,
        person_id=person.id,
        flow=FLOW,
        step="first",
        data={"at": "first", "token": token},
        now=ctx.now(),
    )
    choices = (Choice(texts.FORGET_YES, "yes"), Choice(texts.FORGET_NO, "no"))
    return Outcome([Reply(texts.FORGET_ASK, choices=choices, token=token)])


async def step(
    ctx: FlowContext, person: Person, data: dict[str, Any], message: InboundMessage
) -> Outcome:
    if message.choice is not None and message.token != data["token"]:
        return Outcome(stale_tap=True)
    answer = (message.choice or message.text or "").strip().lower().strip(".!")
    if data["at"] == "first":
        said = _yes_or_no(message)
        if said is True:
            await conversations.save_state(
                ctx.session,
                person_id=person.id,
                flow=FLOW,
                step="second",
                data={"at": "second", "token": data["token"]},
                now=ctx.now(),
            )
            return tapped(Outcome([Reply(texts.FORGET_LAST_CHECK)]), message, texts.FORGET_YES)
        if said is False:
            await conversations.clear_state(ctx.session, person.id)
            return tapped(Outcome([Reply(texts.FORGET_KEPT)]), message, texts.FORGET_NO)
        return await forget(ctx, person)
    if answer != CONFIRM_WORD:
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
    return Outcome([Reply(texts.FORGET_DONE), Reply(texts.CRISIS_LINES)])
