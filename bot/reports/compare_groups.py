"""Which two groups to compare, from a few words: `hub spokes`, `mentor=Alex`, `finished left`.

The same words work in the chat (`/report compare hub spokes`) and on the command line
(`mentorbot report --compare "hub spokes"`), so docs/compare.md describes them once:
- `hub`, `spokes` (every clinic but the hub), or a clinic's id from config/sites.yaml;
- `finished` (mentoring ended at its planned end) and `left` (ended early: a reason was given
  with /close);
- `mentor=NAME`: that mentor's mentees;
- `all`: every mentee (the whole cohort);
- `rest`, second: everyone not in the first group;
- the name of an external group kept with `--keep`.
One word compares it with the rest (`mentor=Alex`), or with all our mentees when it is an
external group. Our own groups are SQL conditions on the episode, added to the report's filters
(bot/reports/outcomes.py); an external group is read from storage (bot/storage/cohorts.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.instruments import Instrument
from bot.reports.compare import Comparison, compare_rows
from bot.reports.compare_csv import ExternalScores, Pair
from bot.reports.outcomes import Filters, Row, measures, outcome_rows
from bot.sites import shipped_sites
from bot.storage import cohorts
from bot.storage.models import Episode, EpisodeStatus, Person, Role

HUB = "hub"  # the clinic everyone starts at (bot/flows/staff.py, FIRST_SITE)
OURS = "Mentoring"
BUILT_IN = frozenset({"hub", "spokes", "finished", "left", "all", "rest"})
MAX_NAME = 40


class CompareError(Exception):
    """The words do not name two groups; the message is one line for staff."""


@dataclass(frozen=True)
class Group:
    """One side: our own mentees narrowed by `conditions`, or a kept or read external group."""

    label: str
    conditions: tuple[Any, ...] = ()
    external: ExternalScores | None = None


def check_cohort_name(name: str) -> str | None:
    """Why this name cannot be kept, or None when it can (one word, not a group's word)."""
    word = name.lower()
    if not word or len(word) > MAX_NAME or not all(c.isalnum() or c in "-_" for c in word):
        return f"a kept group's name is one word of up to {MAX_NAME} letters, digits, - or _"
    if not word.isascii():
        return "a kept group's name uses plain letters (a-z)"
    if word in BUILT_IN or word in shipped_sites() or "=" in word:
        return f"{word!r} already means a group of our own mentees; choose another name"
    return None


async def resolve(session: AsyncSession, words: Sequence[str]) -> tuple[Group, Group]:
    """The two groups named by one or two words; CompareError when they are not clear."""
    if not 1 <= len(words) <= 2:
        raise CompareError("Name one or two groups to compare, such as: hub spokes.")
    if words[0].lower() == "rest":
        raise CompareError("'rest' means everyone not in the first group, so it comes second.")
    first = await _group(session, words[0])
    if len(words) == 1 and first.external is not None:
        return Group(OURS), first  # ours first, as "Mentoring minus day-programme" reads
    if len(words) == 1:
        words = [words[0], "rest"]
    if words[1].lower() == "rest":
        if first.external is not None:
            raise CompareError(f"{first.label} is another programme's group: compare it with all.")
        ids = select(Episode.id).where(*first.conditions)
        return first, Group("Everyone else", (Episode.id.not_in(ids),))
    second = await _group(session, words[1])
    if first.label == second.label:
        raise CompareError("Name two different groups, such as: hub spokes.")
    if first.external is not None and second.external is not None:
        raise CompareError("Compare an external group with our own mentees, not another one.")
    return first, second


async def _group(session: AsyncSession, word: str) -> Group:
    lower = word.lower()
    sites = shipped_sites()
    if lower == "spokes":
        return Group("Spokes", (Episode.site != HUB,))
    if lower in sites:
        return Group(sites[lower].name, (Episode.site == lower,))
    if lower == "finished":
        finished = (Episode.status == EpisodeStatus.ENDED, Episode.end_reason.is_(None))
        return Group("Finished", finished)
    if lower == "left":
        left = (Episode.status == EpisodeStatus.WITHDRAWN) | Episode.end_reason.is_not(None)
        return Group("Left early", (left,))
    if lower == "all":
        return Group(OURS)
    key, sep, name = word.partition("=")
    if sep and key.lower() == "mentor" and name:
        mentor = await session.scalar(
            select(Person).where(
                Person.role.in_((Role.MENTOR, Role.SUPERVISOR)),
                func.lower(Person.display_name) == name.lower(),
            )
        )
        if mentor is None:
            raise CompareError(f"There is no mentor called {name}.")
        return Group(f"{mentor.display_name}'s mentees", (Episode.mentor_id == mentor.id,))
    cohort = await cohorts.find(session, lower) if check_cohort_name(lower) is None else None
    if cohort is None:
        raise CompareError(f"{word!r} is not a group we know (see docs/compare.md for the words).")
    pairs = tuple(Pair(*row) for row in await cohorts.load(session, cohort))
    return Group(cohort.name, external=ExternalScores(cohort.people, pairs))


async def compare_groups(
    session: AsyncSession,
    instruments: Mapping[str, Instrument],
    groups: tuple[Group, Group],
    filters: Filters,
) -> Comparison:
    """Both groups' rows, compared; `filters` narrow our own mentees in either group."""
    sides = [await _rows(session, instruments, group, filters) for group in groups]
    return compare_rows(groups[0].label, sides[0], groups[1].label, sides[1])


async def _rows(
    session: AsyncSession, instruments: Mapping[str, Instrument], group: Group, filters: Filters
) -> list[Row]:
    if group.external is not None:
        return external_rows(group.external, instruments)
    rows, _ = await outcome_rows(session, instruments, filters, group.conditions)
    return rows


def external_rows(scores: ExternalScores, instruments: Mapping[str, Instrument]) -> list[Row]:
    """An external group's pairs as report rows, in the report's order of measures."""
    rows = [Row(measure) for measure in measures(instruments)]
    index = {(row.measure.instrument, row.measure.key): row for row in rows}
    for pair in scores.pairs:
        row = index.get((pair.instrument, pair.key))
        if row is not None:  # a measure a changed instrument file no longer has
            row.before.append(pair.before)
            row.after.append(pair.after)
    return rows


async def keep(session: AsyncSession, name: str, scores: ExternalScores, now: datetime) -> None:
    """Store another programme's group under a name (checked by the caller), ids left out."""
    rows = ((p.member, p.instrument, p.key, p.before, p.after) for p in scores.pairs)
    await cohorts.keep(session, name=name, people=scores.people, scores=rows, now=now)
