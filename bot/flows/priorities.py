"""Priorities: after a full check the mentee picks up to three areas that matter most now.

The ten ARC areas are offered by their plain names, the strongest and weakest marked from the
answers just given, so the choice is informed but stays the mentee's own. A new choice after a
reassessment replaces the old one; the old rows are kept as history (bot/storage/goals.py).
After the baseline the weekly day-and-time question follows, so both still happen. The
question is asked and read by the question engine: numbers and labels as at every question,
the areas' own names (plain or formal) by this module, and Back takes the last pick off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Self

from bot.flows import asked, preferences, texts
from bot.flows.context import FlowContext
from bot.flows.results import strongest_and_weakest
from bot.flows.types import Outcome, tapped
from bot.instruments import Domain, Instrument, glossary
from bot.messages import Choice, InboundMessage, Reply
from bot.questions import asking
from bot.questions.asking import Kind, Question
from bot.questions.state import FlowState, new_token
from bot.questions.vocabulary import fold, read_yes_no
from bot.storage import assessments, conversations, goals, people
from bot.storage.models import Assessment, Person

FLOW = "priorities"
MOST = 3
DONE = "done"
# Other ways to say Done, read as whole replies only ("no more drugs" is not Done). A plain
# "no" and its forms are read by the shared yes/no vocabulary.
_DONE_SAYINGS = frozenset({"thats all", "that is all", "finished", "no more", "none", "nothing"})


@dataclass(frozen=True)
class PrioritiesState(FlowState):
    """The areas picked so far and what the question now says, kept between messages."""

    assessment: int
    episode: int
    strong: list[str]
    hard: list[str]
    picked: list[str]
    then_preferences: bool
    token: str = ""
    prompt: str = texts.PRIORITIES_ASK  # states saved before the engine carry no prompt

    @classmethod
    def load(cls, data: dict[str, Any]) -> Self:
        return super().load({**data, "episode": int(data["episode"])})


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
    state = PrioritiesState(
        assessment=assessment.id,
        episode=assessment.episode_id,
        strong=strong,
        hard=hard,
        picked=[],
        then_preferences=then_preferences,
    )
    return await _ask(ctx, person, state, texts.PRIORITIES_ASK)


def _label(domain: Domain, state: PrioritiesState) -> str:
    if domain.id in state.strong:
        return texts.PRIORITY_STRONG.format(area=glossary.area_name(domain))
    if domain.id in state.hard:
        return texts.PRIORITY_HARD.format(area=glossary.area_name(domain))
    return glossary.area_name(domain)


def question(ctx: FlowContext, state: PrioritiesState) -> Question:
    """The ten areas in the questionnaire's order (so numbers never shift), then Done and Back
    once one is picked: Back takes the last pick off the list."""
    areas = tuple(Choice(_label(domain, state), domain.id) for domain in _arc(ctx).domains)
    done = (Choice(texts.PRIORITIES_DONE, DONE),) if state.picked else ()
    return Question(
        state.prompt,
        choices=(*areas, *done),
        read_words=lambda text: _typed(ctx, text),
        back=bool(state.picked),
    )


async def _ask(ctx: FlowContext, person: Person, state: PrioritiesState, prompt: str) -> Outcome:
    state = replace(state, token=new_token(), prompt=prompt)
    await conversations.save_state(
        ctx.session, person_id=person.id, flow=FLOW, step="pick", data=state.dump(), now=ctx.now()
    )
    return Outcome([asking.ask(question(ctx, state), state.token)])


def _typed(ctx: FlowContext, text: str) -> str | None:
    """Done in words, or the area meant by its name (plain or formal) or part of it; numbers
    and the buttons' own labels are read by the question engine."""
    if fold(text) in _DONE_SAYINGS or read_yes_no(text) is False:
        return DONE
    words = re.sub(r"\(.*?\)", "", text.lower())
    words = " ".join(re.sub(r"[^a-z ]", "", words).split())
    if fold(words) == fold(texts.PRIORITIES_DONE):  # even before Done is offered
        return DONE
    if len(words) < 3:
        return None
    domains = _arc(ctx).domains
    tiers = (
        [d for d in domains if words in (*glossary.names_typed(d), d.id)],
        [d for d in domains if words in glossary.names_typed(d)[0]],
        [d for d in domains if words in glossary.names_typed(d)[1]],
    )
    for found in tiers:
        if len(found) == 1:
            return found[0].id
    return None


async def step(
    ctx: FlowContext, person: Person, data: dict[str, Any], message: InboundMessage
) -> Outcome:
    """Takes one pick (or Done), asks for the next, and saves the choice at three or Done."""
    state = PrioritiesState.load(data)
    asking_now = question(ctx, state)
    got = await asked.answer(ctx, person, asking_now, message, state.token)
    if isinstance(got, Outcome):
        return got
    picked = list(state.picked)
    plain = {domain.id: glossary.area_name(domain) for domain in _arc(ctx).domains}
    if got.kind is Kind.BACK:
        dropped = picked.pop()
        prompt = (
            texts.PRIORITIES_UNPICKED.format(area=plain[dropped])
            if picked
            else texts.PRIORITIES_ASK
        )
        outcome = await _ask(ctx, person, replace(state, picked=picked), prompt)
        return tapped(outcome, message, texts.BACK_LABEL)
    answer = got.value or ""
    if answer == DONE and not picked:
        return await _ask(ctx, person, state, texts.PRIORITIES_PICK_ONE)
    if answer in picked:
        already = texts.PRIORITIES_ALREADY.format(area=plain[answer])
        return tapped(await _ask(ctx, person, state, already), message, plain[answer])
    if answer != DONE:
        picked.append(answer)
    label = texts.PRIORITIES_DONE if answer == DONE else plain[answer]
    if answer != DONE and len(picked) < MOST:
        following = texts.PRIORITIES_NEXT.format(area=plain[answer])
        outcome = await _ask(ctx, person, replace(state, picked=picked), following)
        return tapped(outcome, message, label)
    return tapped(await _save(ctx, person, state, picked), message, label)


async def _save(
    ctx: FlowContext, person: Person, state: PrioritiesState, picked: list[str]
) -> Outcome:
    """Keeps the choice (the old one becomes history), tells the mentor, then moves on."""
    await goals.set_priorities(
        ctx.session,
        person_id=person.id,
        episode_id=state.episode,
        assessment_id=state.assessment,
        domains=picked,
        now=ctx.now(),
    )
    await conversations.clear_state(ctx.session, person.id)
    areas = area_names(ctx, picked)
    episode = await people.active_episode(ctx.session, person.id)
    if episode is not None and episode.mentor_id is not None:
        await ctx.notify(
            episode.mentor_id,
            f"priorities:{person.id}:{state.assessment}",
            texts.NOTICE_PRIORITIES.format(
                name=person.display_name, areas=area_names(ctx, picked, staff=True)
            ),
        )
    outcome = Outcome([Reply(texts.PRIORITIES_SAVED.format(areas=areas))])
    if state.then_preferences and person.checkin_weekday is None:
        outcome.replies += (await preferences.start(ctx, person)).replies
    return outcome


def plain_name(ctx: FlowContext, domain_id: str, *, staff: bool = False) -> str:
    """An area's name from the glossary ('Home'; for staff 'Home (Housing and safety)'); an
    id no longer in the questionnaire as it is."""
    return glossary.domain_named(_arc(ctx), domain_id, staff=staff)


def area_names(ctx: FlowContext, domain_ids: list[str], *, staff: bool = False) -> str:
    """'Home, Mood and Health': the glossary's names in the order given."""
    return glossary.join_names([plain_name(ctx, d, staff=staff) for d in domain_ids])
