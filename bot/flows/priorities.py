"""Priorities: after a full check the mentee picks up to three areas that matter most now.

The ten ARC areas are offered by their plain names, the strongest and weakest marked from the
answers just given, so the choice is informed but stays the mentee's own. A new choice after a
reassessment replaces the old one; the old rows are kept as history (bot/storage/goals.py).
After the baseline the weekly day-and-time question follows, so both still happen.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from bot.flows import preferences, texts
from bot.flows.context import FlowContext
from bot.flows.results import strongest_and_weakest
from bot.flows.types import Choice, InboundMessage, Outcome, Reply, tapped
from bot.instruments import Domain, Instrument, glossary
from bot.storage import assessments, conversations, goals, people
from bot.storage.models import Assessment, Person

FLOW = "priorities"
MOST = 3
DONE = "done"
_DONE_WORDS = {"done", "thats all", "that is all", "finished", "no more", "none", "no", "nothing"}


def _arc(ctx: FlowContext) -> Instrument:
    return ctx.instruments["arc"]


async def start(
    ctx: FlowContext, person: Person, assessment: Assessment, *, then_preferences: bool
) -> Outcome:
    """Asks which area matters most, marking strongest and weakest from this sitting."""
    scores = (await assessments.scores_for(ctx.session, assessment.id)).get("arc")
    strong: list[str] = []
    hard: list[str] = []
    if scores is not None:
        strongest, weakest = strongest_and_weakest(_arc(ctx), scores)
        strong, hard = [d.id for d in strongest], [d.id for d in weakest]
    data = {
        "assessment": assessment.id,
        "episode": assessment.episode_id,
        "strong": strong,
        "hard": hard,
        "picked": [],
        "then_preferences": then_preferences,
    }
    return await _ask(ctx, person, data, texts.PRIORITIES_ASK)


def _label(domain: Domain, data: dict[str, Any]) -> str:
    if domain.id in data["strong"]:
        return texts.PRIORITY_STRONG.format(area=glossary.area_name(domain))
    if domain.id in data["hard"]:
        return texts.PRIORITY_HARD.format(area=glossary.area_name(domain))
    return glossary.area_name(domain)


def _choices(ctx: FlowContext, data: dict[str, Any]) -> tuple[Choice, ...]:
    """The ten areas in the questionnaire's order (so numbers never shift), then Done."""
    areas = tuple(Choice(_label(domain, data), domain.id) for domain in _arc(ctx).domains)
    return (*areas, Choice(texts.PRIORITIES_DONE, DONE)) if data["picked"] else areas


async def _ask(ctx: FlowContext, person: Person, data: dict[str, Any], text: str) -> Outcome:
    token = secrets.token_hex(3)
    data = {**data, "token": token}
    await conversations.save_state(
        ctx.session, person_id=person.id, flow=FLOW, step="pick", data=data, now=ctx.now()
    )
    return Outcome([Reply(text, choices=_choices(ctx, data), token=token)])


def _typed(ctx: FlowContext, text: str) -> str | None:
    """The area or 'done' meant by typed words: a number, a name (plain or formal), or part."""
    words = re.sub(r"\(.*?\)", "", text.lower())
    words = re.sub(r"[^a-z0-9 ]", "", words)
    words = " ".join(words.split())
    domains = _arc(ctx).domains
    if words.isdigit() and len(words) <= 3:  # int() refuses over 4,300 digits
        number = int(words)
        if 1 <= number <= len(domains):
            return domains[number - 1].id
        return DONE if number == len(domains) + 1 else None
    if words in _DONE_WORDS:
        return DONE
    if len(words) < 3:
        return None
    tiers = (
        [d for d in domains if words in (*glossary.names_typed(d), d.id)],
        [d for d in domains if words in glossary.names_typed(d)[0]],
        [d for d in domains if words in glossary.names_typed(d)[1]],
    )
    for found in tiers:
        if len(found) == 1:
            return found[0].id
    return None


def _answer(ctx: FlowContext, message: InboundMessage) -> str | None:
    if message.choice is not None:
        known = {domain.id for domain in _arc(ctx).domains} | {DONE}
        return message.choice if message.choice in known else None
    return _typed(ctx, message.text or "")


async def step(
    ctx: FlowContext, person: Person, data: dict[str, Any], message: InboundMessage
) -> Outcome:
    """Takes one pick (or Done), asks for the next, and saves the choice at three or Done."""
    if message.choice is not None and message.token != data["token"]:
        return Outcome(stale_tap=True)
    answer = _answer(ctx, message)
    picked: list[str] = list(data["picked"])
    plain = {domain.id: glossary.area_name(domain) for domain in _arc(ctx).domains}
    if answer is None:
        return await _ask(ctx, person, data, texts.PRIORITIES_REASK)
    if answer == DONE and not picked:
        return await _ask(ctx, person, data, texts.PRIORITIES_PICK_ONE)
    if answer in picked:
        already = texts.PRIORITIES_ALREADY.format(area=plain[answer])
        return tapped(await _ask(ctx, person, data, already), message, plain[answer])
    if answer != DONE:
        picked.append(answer)
    label = texts.PRIORITIES_DONE if answer == DONE else plain[answer]
    if answer != DONE and len(picked) < MOST:
        following = texts.PRIORITIES_NEXT.format(area=plain[answer])
        outcome = await _ask(ctx, person, {**data, "picked": picked}, following)
        return tapped(outcome, message, label)
    return tapped(await _save(ctx, person, data, picked), message, label)


async def _save(
    ctx: FlowContext, person: Person, data: dict[str, Any], picked: list[str]
) -> Outcome:
    """Keeps the choice (the old one becomes history), tells the mentor, then moves on."""
    await goals.set_priorities(
        ctx.session,
        person_id=person.id,
        episode_id=int(data["episode"]),
        assessment_id=data["assessment"],
        domains=picked,
        now=ctx.now(),
    )
    await conversations.clear_state(ctx.session, person.id)
    areas = area_names(ctx, picked)
    episode = await people.active_episode(ctx.session, person.id)
    if episode is not None and episode.mentor_id is not None:
        await ctx.notify(
            episode.mentor_id,
            f"priorities:{person.id}:{data['assessment']}",
            texts.NOTICE_PRIORITIES.format(
                name=person.display_name, areas=area_names(ctx, picked, staff=True)
            ),
        )
    outcome = Outcome([Reply(texts.PRIORITIES_SAVED.format(areas=areas))])
    if data["then_preferences"] and person.checkin_weekday is None:
        outcome.replies += (await preferences.start(ctx, person)).replies
    return outcome


def plain_name(ctx: FlowContext, domain_id: str, *, staff: bool = False) -> str:
    """An area's name from the glossary ('Home'; for staff 'Home (Housing and safety)'); an
    id no longer in the questionnaire as it is."""
    return glossary.domain_named(_arc(ctx), domain_id, staff=staff)


def area_names(ctx: FlowContext, domain_ids: list[str], *, staff: bool = False) -> str:
    """'Home, Mood and Health': the glossary's names in the order given."""
    return glossary.join_names([plain_name(ctx, d, staff=staff) for d in domain_ids])
