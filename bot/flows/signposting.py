"""Finding help (/find): kinds of help as buttons, then services three at a time, nearest first.

A mentee may be on a cheap phone, in a hurry, or unsure how to spell what they need, so every
way in leads somewhere: a tap on a kind of help, `/find debt`, or "find housng" typed (the
directory's fuzzy search). When nothing matches they get the list of kinds of help, never an
empty reply. Services are listed nearest first for the mentee's clinic: local, then London,
then national. The directory is read from the database at each lookup, so an import takes
effect at once. Each lookup adds one to a count per kind of help, site and day, so supervisors
can see unmet needs; nothing about who asked is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from bot.flows import checkin, free_text, texts
from bot.flows.context import FlowContext
from bot.flows.types import Answered, Outcome
from bot.messages import Channel, Choice, InboundMessage, Reply
from bot.questions import asking
from bot.questions.asking import Kind, Question
from bot.questions.state import FlowState, new_token
from bot.signposting import SITE_AREAS, Category, Entry, search, stored
from bot.signposting.stored import LiveDirectory
from bot.storage import conversations, people
from bot.storage.models import Person, Role

FLOW = "find"
PAGE = 3  # services per message: enough to choose from, short enough to read on a phone
# Sites recorded in lookup counts for people without a clinic, and lookups that found nothing.
STAFF_SITE, NO_SITE, UNMATCHED = "staff", "none", "unmatched"
_MORE = "more"
CATEGORY, MORE = "category", "more"  # the question asked: which kind of help, or More
_TYPED_FIND = re.compile(r"^\s*find\b[\s:,.!?-]*(.*)$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class FindState(FlowState):
    """The question asked and its token; on a page, the services found and where it is."""

    at: str
    token: str
    label: str = ""  # the kind of help being paged through
    names: list[str] = field(default_factory=list)
    offset: int = 0
    leave_out: str = ""  # a kind of help just found empty, not offered again


def typed_find(text: str | None) -> str | None:
    """The words after a typed "find" ("find housing" gives "housing"); None for other text."""
    match = _TYPED_FIND.match(text or "")
    return None if match is None else " ".join(match[1].split())


def entry_text(entry: Entry, *, compact: bool = False) -> str:
    """One service as plain lines; "Call 0300 123 6600" is a number Telegram makes tappable.

    Compact (for SMS) leaves out the description and hours so three fit in two segments.
    """
    lines = [entry.name] if compact else [entry.name, entry.description]
    if entry.phone:
        lines.append(texts.ENTRY_CALL.format(phone=entry.phone))
    if entry.text and entry.text_keyword:
        lines.append(texts.ENTRY_TEXT_WORD.format(word=entry.text_keyword, number=entry.text))
    elif entry.text:
        lines.append(texts.ENTRY_TEXT.format(number=entry.text))
    if entry.website:
        lines.append(entry.website)
    if entry.hours and not compact:
        lines.append(entry.hours)
    return "\n".join(lines)


async def site_of(ctx: FlowContext, person: Person) -> str | None:
    """The mentee's clinic, for local services first; None for staff or an unknown site."""
    if person.role is not Role.MENTEE:
        return None
    episode = await people.active_episode(ctx.session, person.id)
    site = episode.site.casefold() if episode is not None else None
    return site if site in SITE_AREAS else None


def category_choices(
    categories: tuple[Category, ...], *, leave_out: str = ""
) -> tuple[Choice, ...]:
    return tuple(Choice(c.label, c.id) for c in categories if c.id != leave_out)


async def start(ctx: FlowContext, person: Person, argument: str) -> Outcome:
    """Shows the kinds of help, or goes straight to what the words ask for."""
    lead: list[Reply] = []
    state = await conversations.load_state(ctx.session, person.id)
    if state is not None and state.flow == checkin.FLOW:
        lead.append(Reply(texts.CRISIS_FLOW_KEPT))  # the answers are kept; /checkin resumes
    site = await site_of(ctx, person)
    live = await stored.live_directory(ctx.session)
    if not argument.strip():
        return await _ask_category(ctx, person, live, lead)
    return await _search(ctx, person, live, site, argument, lead)


async def step(
    ctx: FlowContext, person: Person, data: dict[str, Any], message: InboundMessage
) -> Outcome:
    """Takes a tapped kind of help or More (as read by the question engine), or typed words:
    a relapse or a message in the mentee's own words, a kind of help or More by its name or
    number, else words searched for; words at the question that find nothing are asked again."""
    state = FindState.load(data)
    live = await stored.live_directory(ctx.session)
    question = _question(live, state)
    got = asking.read(question, message, state.token)
    if message.choice is not None:
        if got.kind is not Kind.ANSWER:  # an old keyboard, or a kind of help since retired
            return Outcome(stale_tap=True)
        outcome = await _answered(ctx, person, live, state, got.value or "")
        outcome.answered = Answered(got.label(question))
        return outcome
    typed = " ".join((message.text or "").split())
    words = typed_find(typed)  # "find debt" typed here means what it means anywhere
    if words is None and person.role is Role.MENTEE and free_text.is_own_words(typed):
        return await _own_words(ctx, person, message, typed)
    if words is None and got.kind is Kind.ANSWER:
        return await _answered(ctx, person, live, state, got.value or "")
    if words is None and typed and state.at == CATEGORY:  # a blank asks afresh, as before
        site = await site_of(ctx, person)
        if search(live.directory, typed, site=site).category is None:
            await _count(ctx, person, site, UNMATCHED)
            sorry = asking.reask(question, ctx.channel or Channel.TELEGRAM)
            return Outcome([Reply(sorry), asking.ask(question, state.token)])
    return await start(ctx, person, typed if words is None else words)


def _question(live: LiveDirectory, state: FindState, page: str = "") -> Question:
    """Which kind of help, or More under a page of services (the page is its prompt)."""
    if state.at == MORE:
        return Question(page, choices=(Choice(texts.FIND_MORE, _MORE),))
    choices = category_choices(live.directory.categories, leave_out=state.leave_out)
    return Question(texts.FIND_WHICH, choices=choices)


async def _answered(
    ctx: FlowContext, person: Person, live: LiveDirectory, state: FindState, value: str
) -> Outcome:
    """More: the next page; a kind of help: its services, nearest first."""
    if state.at == MORE:
        return await _page(ctx, person, state, state.offset + PAGE, live)
    category = next(c for c in live.directory.categories if c.id == value)
    site = await site_of(ctx, person)
    entries = live.directory.in_category(category.id, site=site)
    return await _list(ctx, person, live, site, category, entries, [])


async def _own_words(
    ctx: FlowContext, person: Person, message: InboundMessage, typed: str
) -> Outcome:
    """A relapse told here gets its reply before anything found; words that find nothing get
    the kind reply (bot.flows.free_text) and the kinds of help, not "could not find that"."""
    live = await stored.live_directory(ctx.session)
    site = await site_of(ctx, person)
    result = search(live.directory, typed, site=site)
    if result.category is None:
        await _count(ctx, person, site, UNMATCHED)
        found = await _ask_category(ctx, person, live, [])
    else:
        entries = list(result.entries)
        found = await _list(ctx, person, live, site, result.category, entries, [])
        if not free_text.is_relapse(typed):
            return found  # words that ask for something are simply answered
    found.replies[:0] = await free_text.aside(ctx, person, message)  # after the state is saved
    return found


async def _search(
    ctx: FlowContext,
    person: Person,
    live: LiveDirectory,
    site: str | None,
    words: str,
    lead: list[Reply],
) -> Outcome:
    result = search(live.directory, words, site=site)
    if result.category is None:
        await _count(ctx, person, site, UNMATCHED)
        return await _ask_category(ctx, person, live, [*lead, Reply(texts.FIND_NOT_FOUND)])
    return await _list(ctx, person, live, site, result.category, list(result.entries), lead)


async def _ask_category(
    ctx: FlowContext,
    person: Person,
    live: LiveDirectory,
    lead: list[Reply],
    *,
    leave_out: str = "",
) -> Outcome:
    state = FindState(CATEGORY, new_token(), leave_out=leave_out)
    await _save(ctx, person, state)
    return Outcome([*lead, asking.ask(_question(live, state), state.token)])


async def _list(
    ctx: FlowContext,
    person: Person,
    live: LiveDirectory,
    site: str | None,
    category: Category,
    entries: list[Entry],
    lead: list[Reply],
) -> Outcome:
    """Counts the lookup and shows the first page; an empty category offers the others."""
    await _count(ctx, person, site, category.id)
    if not entries:
        empty = Reply(texts.FIND_EMPTY.format(category=category.label))
        return await _ask_category(ctx, person, live, [*lead, empty], leave_out=category.id)
    state = FindState(MORE, "", label=category.label, names=[entry.name for entry in entries])
    outcome = await _page(ctx, person, state, 0, live)
    outcome.replies[:0] = lead
    return outcome


async def _page(
    ctx: FlowContext, person: Person, state: FindState, offset: int, live: LiveDirectory
) -> Outcome:
    """Shows up to three services from `offset`, with More while any are left."""
    by_name = {entry.name: entry for entry in live.directory.entries}
    names = [name for name in state.names if name in by_name]  # none retired
    shown = names[offset : offset + PAGE]
    if not shown:
        await conversations.clear_state(ctx.session, person.id)
        return await _ask_category(ctx, person, live, [])
    page = texts.FIND_PAGE if len(shown) > 1 else texts.FIND_PAGE_LAST_ONE
    header = page.format(
        category=state.label, first=offset + 1, last=offset + len(shown), total=len(names)
    )
    compact = ctx.channel is Channel.SMS
    body = "\n\n".join([header, *(entry_text(by_name[n], compact=compact) for n in shown)])
    if offset + PAGE >= len(names):
        await conversations.clear_state(ctx.session, person.id)
        return Outcome([Reply(body)])
    # A fresh token per page: More on an earlier page is stale, not a skip to a later one.
    state = replace(state, names=names, offset=offset, token=new_token())
    await _save(ctx, person, state)
    return Outcome([asking.ask(_question(live, state, body), state.token)])


async def _save(ctx: FlowContext, person: Person, state: FindState) -> None:
    await conversations.save_state(
        ctx.session,
        person_id=person.id,
        flow=FLOW,
        step=state.at,
        data=state.dump(),
        now=ctx.now(),
    )


async def _count(ctx: FlowContext, person: Person, site: str | None, category: str) -> None:
    if site is None:
        site = NO_SITE if person.role is Role.MENTEE else STAFF_SITE
    await stored.count_lookup(ctx.session, category=category, site=site, day=ctx.today())
