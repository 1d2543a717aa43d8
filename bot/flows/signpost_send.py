"""Sending a mentee a service (/signpost NAME): pick a kind of help, then the service.

Mentors do this from a phone in the middle of a conversation, so each step offers buttons and
also takes a typed word or a service's name (the same fuzzy search mentees use). Services are
listed nearest first for the mentee's clinic, as the mentee would see them. What was sent is
recorded, so the scheduler can ask the mentee a week later whether they got in touch
(`bot.scheduling.followups`), and the mentor can read the answer with /signposts.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from bot.flows import signposting, staff_views, texts
from bot.flows.context import FlowContext
from bot.flows.types import Choice, InboundMessage, Outcome, Reply, tapped
from bot.signposting import Entry, search
from bot.storage import conversations, people, resources, signposts
from bot.storage.models import Person, Role
from bot.storage.outbox import Queued
from bot.storage.resources import LiveDirectory

FLOW = "signpost"

Data = dict[str, Any]
Handler = Callable[[FlowContext, Person, Data, InboundMessage], Awaitable[Outcome]]


async def start(ctx: FlowContext, person: Person, argument: str) -> Outcome:
    """Begins with the named mentee (or the only one), or asks which."""
    mentees = await staff_views.visible_mentees(ctx, person)
    if not mentees:
        await conversations.clear_state(ctx.session, person.id)
        return Outcome([Reply(texts.MEET_NO_MENTEES)])
    lead: list[Reply] = []
    wanted = " ".join(argument.split())
    if wanted:
        named = [m for m in mentees if m.display_name.casefold() == wanted.casefold()]
        if named:
            mentees = named
        else:
            lead.append(Reply(texts.NO_SUCH_MENTEE.format(name=wanted)))
    if len(mentees) == 1:
        return await _ask_kind(ctx, person, await _for_mentee(ctx, mentees[0]), lead)
    data: Data = {"at": "mentee", "token": secrets.token_hex(3), "ids": [m.id for m in mentees]}
    await _save(ctx, person, data)
    choices = tuple(Choice(mentee.display_name, str(mentee.id)) for mentee in mentees)
    return Outcome([*lead, Reply(texts.SIGNPOST_WHO, choices=choices, token=data["token"])])


async def step(ctx: FlowContext, person: Person, data: Data, message: InboundMessage) -> Outcome:
    """Takes the answer to the current question, or asks again kindly."""
    if message.choice is not None and message.token != data["token"]:
        return Outcome(stale_tap=True)
    return await _STEPS[data["at"]](ctx, person, data, message)


async def _for_mentee(ctx: FlowContext, mentee: Person) -> Data:
    return {
        "mentee": mentee.id,
        "name": mentee.display_name,
        "site": await signposting.site_of(ctx, mentee),
    }


async def _choose_mentee(
    ctx: FlowContext, person: Person, data: Data, message: InboundMessage
) -> Outcome:
    mentees = [m for m in await staff_views.visible_mentees(ctx, person) if m.id in data["ids"]]
    if message.choice is not None:
        chosen = [m for m in mentees if str(m.id) == message.choice]
    else:
        typed = " ".join((message.text or "").split()).casefold()
        chosen = [m for m in mentees if m.display_name.casefold() == typed]
    if len(chosen) != 1:
        outcome = await start(ctx, person, "")
        outcome.replies.insert(0, Reply(texts.MEET_WHO_REASK))
        return outcome
    outcome = await _ask_kind(ctx, person, await _for_mentee(ctx, chosen[0]), [])
    return tapped(outcome, message, chosen[0].display_name)


async def _ask_kind(ctx: FlowContext, person: Person, data: Data, lead: list[Reply]) -> Outcome:
    data = {**data, "at": "kind", "token": secrets.token_hex(3)}
    await _save(ctx, person, data)
    choices = signposting.category_choices(resources.shipped_categories())
    question = Reply(
        texts.SIGNPOST_WHICH_KIND.format(name=data["name"]), choices=choices, token=data["token"]
    )
    return Outcome([*lead, question])


async def _choose_kind(
    ctx: FlowContext, person: Person, data: Data, message: InboundMessage
) -> Outcome:
    live = await resources.live_directory(ctx.session)
    if message.choice is None:
        return await _typed(ctx, person, data, live, message.text, texts.SIGNPOST_KIND_REASK)
    category = next((c for c in live.directory.categories if c.id == message.choice), None)
    if category is None:
        return Outcome(stale_tap=True)
    entries = live.directory.in_category(category.id, site=data["site"])
    outcome = await _ask_service(ctx, person, data, live, category.label, entries)
    return tapped(outcome, message, category.label)


async def _typed(
    ctx: FlowContext,
    person: Person,
    data: Data,
    live: LiveDirectory,
    text: str | None,
    sorry: str,
) -> Outcome:
    """Typed words, at either step: the services they find, or the question again."""
    result = search(live.directory, text or "", site=data["site"])
    if result.category is None:
        return await _ask_kind(ctx, person, data, [Reply(sorry)])
    entries = list(result.entries)
    return await _ask_service(ctx, person, data, live, result.category.label, entries)


async def _ask_service(
    ctx: FlowContext,
    person: Person,
    data: Data,
    live: LiveDirectory,
    label: str,
    entries: list[Entry],
) -> Outcome:
    if not entries:
        return await _ask_kind(
            ctx, person, data, [Reply(texts.SIGNPOST_EMPTY.format(category=label))]
        )
    ids = [live.ids[entry.name] for entry in entries]
    data = {**data, "at": "service", "token": secrets.token_hex(3), "label": label, "ids": ids}
    await _save(ctx, person, data)
    choices = tuple(Choice(entry.name, str(live.ids[entry.name])) for entry in entries)
    text = texts.SIGNPOST_WHICH_SERVICE.format(category=label, name=data["name"])
    return Outcome([Reply(text, choices=choices, token=data["token"])])


async def _choose_service(
    ctx: FlowContext, person: Person, data: Data, message: InboundMessage
) -> Outcome:
    live = await resources.live_directory(ctx.session)
    listed = {resource_id: live.by_id.get(resource_id) for resource_id in data["ids"]}
    if message.choice is not None:
        picked = next((i for i in listed if str(i) == message.choice), None)
    else:
        typed = " ".join((message.text or "").split()).casefold()
        picked = next((i for i, e in listed.items() if e and e.name.casefold() == typed), None)
        if picked is None:
            return await _typed(
                ctx, person, data, live, message.text, texts.SIGNPOST_SERVICE_REASK
            )
    if picked is None:
        return Outcome(stale_tap=True)
    entry = listed[picked]
    if entry is None:  # retired since the buttons were shown
        return await _ask_kind(ctx, person, data, [Reply(texts.SIGNPOST_GONE)])
    return tapped(await _send(ctx, person, data, picked, entry), message, entry.name)


async def _send(
    ctx: FlowContext, person: Person, data: Data, resource_id: int, entry: Entry
) -> Outcome:
    """Records the signpost and queues the service to the mentee, with who sent it."""
    await conversations.clear_state(ctx.session, person.id)
    name = data["name"]
    episode = await people.active_episode(ctx.session, data["mentee"])
    allowed = person.role is Role.SUPERVISOR or (
        episode is not None and episode.mentor_id == person.id
    )
    if episode is None or not allowed:
        return Outcome([Reply(texts.SIGNPOST_NOT_YOUR_MENTEE.format(name=name))])
    signpost = await signposts.record_signpost(
        ctx.session,
        mentee_id=episode.mentee_id,
        mentor_id=person.id,
        resource_id=resource_id,
        now=ctx.now(),
    )
    intro = texts.SIGNPOST_INTRO.format(mentor=person.display_name)
    await ctx.queue(
        Queued(
            person_id=episode.mentee_id,
            key=f"signpost:{signpost.id}:sent",
            kind="signpost",
            text=f"{intro}\n\n{signposting.entry_text(entry)}",
            not_before=ctx.now(),
            respect_quiet_hours=True,
        )
    )
    replies = [texts.SIGNPOST_SENT.format(service=entry.name, name=name)]
    mentee = await ctx.session.get(Person, episode.mentee_id)
    if mentee is not None and mentee.opted_out_at is not None:
        replies.append(texts.MEET_BOOKED_OPTED_OUT.format(name=name))
    return Outcome([Reply(" ".join(replies))])


async def _save(ctx: FlowContext, person: Person, data: Data) -> None:
    await conversations.save_state(
        ctx.session, person_id=person.id, flow=FLOW, step=data["at"], data=data, now=ctx.now()
    )


_STEPS: dict[str, Handler] = {
    "mentee": _choose_mentee,
    "kind": _choose_kind,
    "service": _choose_service,
}
