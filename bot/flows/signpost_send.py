"""Sending a mentee a service (/signpost NAME): pick a kind of help, then the service.

Mentors do this from a phone in the middle of a conversation, so each step offers buttons and
also takes a typed word or a service's name (the same fuzzy search mentees use). Services are
listed nearest first for the mentee's clinic, as the mentee would see them. What was sent is
recorded, so the scheduler can ask the mentee a week later whether they got in touch
(`bot.flows.followups`), and the mentor can read the answer with /signposts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from bot.flows import asked, signposting, staff_views, texts
from bot.flows.context import FlowContext
from bot.flows.types import Outcome, tapped
from bot.messages import Choice, InboundMessage, Reply
from bot.questions import asking
from bot.questions.asking import Kind, Question, Read
from bot.questions.state import FlowState, new_token
from bot.signposting import Entry, search, stored
from bot.signposting.stored import LiveDirectory
from bot.storage import conversations, people, signposts
from bot.storage.models import Person, Role
from bot.storage.outbox import Queued

FLOW = "signpost"
MENTEE, KIND, SERVICE = "mentee", "kind", "service"


@dataclass(frozen=True)
class SignpostState(FlowState):
    """Which question is asked, for which mentee, and the mentees or services offered."""

    at: str
    token: str
    ids: list[int] = field(default_factory=list)  # the mentees, or the services, offered
    mentee: int | None = None
    name: str = ""
    site: str | None = None
    label: str = ""  # the kind of help whose services are offered


Handler = Callable[[FlowContext, Person, SignpostState, InboundMessage], Awaitable[Outcome]]


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
    state = SignpostState(MENTEE, new_token(), ids=[m.id for m in mentees])
    await _save(ctx, person, state)
    return Outcome([*lead, asking.ask(await _question(ctx, person, state), state.token)])


async def step(
    ctx: FlowContext, person: Person, data: dict[str, Any], message: InboundMessage
) -> Outcome:
    """Takes the answer to the current question, or asks again kindly."""
    state = SignpostState.load(data)
    return await _STEPS[state.at](ctx, person, state, message)


async def _question(ctx: FlowContext, person: Person, state: SignpostState) -> Question:
    """Which mentee, which kind of help (for them), or which service (Back to the kinds)."""
    if state.at == MENTEE:
        mentees = await staff_views.visible_mentees(ctx, person)
        choices = tuple(Choice(m.display_name, str(m.id)) for m in mentees if m.id in state.ids)
        return Question(texts.SIGNPOST_WHO, choices=choices)
    if state.at == KIND:
        return Question(
            texts.SIGNPOST_WHICH_KIND.format(name=state.name),
            choices=signposting.category_choices(stored.shipped_categories()),
        )
    live = await stored.live_directory(ctx.session)
    listed = ((i, live.by_id.get(i)) for i in state.ids)
    return Question(
        texts.SIGNPOST_WHICH_SERVICE.format(category=state.label, name=state.name),
        choices=tuple(Choice(entry.name, str(i)) for i, entry in listed if entry is not None),
        back=True,
    )


async def _read(
    ctx: FlowContext, person: Person, state: SignpostState, message: InboundMessage
) -> tuple[Question, Read | Outcome]:
    question = await _question(ctx, person, state)
    return question, await asked.answer(ctx, person, question, message, state.token)


async def _for_mentee(ctx: FlowContext, mentee: Person) -> SignpostState:
    site = await signposting.site_of(ctx, mentee)
    return SignpostState(KIND, "", mentee=mentee.id, name=mentee.display_name, site=site)


async def _choose_mentee(
    ctx: FlowContext, person: Person, state: SignpostState, message: InboundMessage
) -> Outcome:
    question, got = await _read(ctx, person, state, message)
    if isinstance(got, Outcome):
        return got
    mentees = await staff_views.visible_mentees(ctx, person)
    chosen = next(m for m in mentees if str(m.id) == got.value)
    outcome = await _ask_kind(ctx, person, await _for_mentee(ctx, chosen), [])
    return tapped(outcome, message, got.label(question))


async def _ask_kind(
    ctx: FlowContext, person: Person, state: SignpostState, lead: list[Reply]
) -> Outcome:
    state = replace(state, at=KIND, token=new_token(), ids=[], label="")
    await _save(ctx, person, state)
    return Outcome([*lead, asking.ask(await _question(ctx, person, state), state.token)])


async def _choose_kind(
    ctx: FlowContext, person: Person, state: SignpostState, message: InboundMessage
) -> Outcome:
    live = await stored.live_directory(ctx.session)
    found = await _searched(ctx, person, state, live, message)
    if found is not None:
        return found
    question, got = await _read(ctx, person, state, message)
    if isinstance(got, Outcome):
        return got
    category = next((c for c in live.directory.categories if c.id == got.value), None)
    if category is None:  # retired since the buttons were shown
        return Outcome(stale_tap=True)
    entries = live.directory.in_category(category.id, site=state.site)
    outcome = await _ask_service(ctx, person, state, live, category.label, entries)
    return tapped(outcome, message, got.label(question))


async def _searched(
    ctx: FlowContext,
    person: Person,
    state: SignpostState,
    live: LiveDirectory,
    message: InboundMessage,
) -> Outcome | None:
    """Typed words that are no answer to the question (at either step), searched for: the
    services they find, or None so the engine asks again."""
    if message.choice is not None or not message.text:
        return None
    question = await _question(ctx, person, state)
    if asking.read(question, message, state.token).kind is not Kind.UNCLEAR:
        return None  # a choice's name or number, or a word like "back"
    result = search(live.directory, message.text, site=state.site)
    if result.category is None:
        return None
    entries = list(result.entries)
    return await _ask_service(ctx, person, state, live, result.category.label, entries)


async def _ask_service(
    ctx: FlowContext,
    person: Person,
    state: SignpostState,
    live: LiveDirectory,
    label: str,
    entries: list[Entry],
) -> Outcome:
    if not entries:
        return await _ask_kind(
            ctx, person, state, [Reply(texts.SIGNPOST_EMPTY.format(category=label))]
        )
    ids = [live.ids[entry.name] for entry in entries]
    state = replace(state, at=SERVICE, token=new_token(), label=label, ids=ids)
    await _save(ctx, person, state)
    return Outcome([asking.ask(await _question(ctx, person, state), state.token)])


async def _choose_service(
    ctx: FlowContext, person: Person, state: SignpostState, message: InboundMessage
) -> Outcome:
    live = await stored.live_directory(ctx.session)
    found = await _searched(ctx, person, state, live, message)
    if found is not None:
        return found
    if message.choice is not None and message.token == state.token:
        picked = next((i for i in state.ids if str(i) == message.choice), None)
        if picked is not None and live.by_id.get(picked) is None:  # retired since shown
            return await _ask_kind(ctx, person, state, [Reply(texts.SIGNPOST_GONE)])
    question, got = await _read(ctx, person, state, message)
    if isinstance(got, Outcome):
        return got
    if got.kind is Kind.BACK:
        return tapped(await _ask_kind(ctx, person, state, []), message, got.label(question))
    resource_id = int(got.value or 0)
    entry = live.by_id[resource_id]
    return tapped(await _send(ctx, person, state, resource_id, entry), message, entry.name)


async def _send(
    ctx: FlowContext, person: Person, state: SignpostState, resource_id: int, entry: Entry
) -> Outcome:
    """Records the signpost and queues the service to the mentee, with who sent it."""
    await conversations.clear_state(ctx.session, person.id)
    name = state.name
    episode = await people.active_episode(ctx.session, state.mentee or 0)
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


async def _save(ctx: FlowContext, person: Person, state: SignpostState) -> None:
    await conversations.save_state(
        ctx.session,
        person_id=person.id,
        flow=FLOW,
        step=state.at,
        data=state.dump(),
        now=ctx.now(),
    )


_STEPS: dict[str, Handler] = {
    MENTEE: _choose_mentee,
    KIND: _choose_kind,
    SERVICE: _choose_service,
}
