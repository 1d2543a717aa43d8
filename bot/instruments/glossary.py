"""One name for each area, for mentees and staff alike, read from the questionnaire files.

Mentees saw "Mood" where their mentor saw "Global psychological health", and nobody could tell
they were the same thing. Every text and picture that names an area now asks this module: a
mentee sees the plain name (`plain` in config/instruments/*.yaml), staff see the plain name
with the instrument's own term beside it ("Mood (Global psychological health)"), so both talk
about the same area in the same words. The names stay in the instrument files because those
are data a service may replace with its licensed form; the weekly check-in shares the ARC's
area ids, so the loader refuses files that give one id two different names
(`check_one_name_per_area`). A test keeps every other module from reading `.plain` itself.

Scales are worded here too ("out of 5" for an area of several questions, "1 to 6" for one
answer), so the chat and the picture describe a score the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.flows import texts  # words only; it imports nothing
from bot.instruments.model import DOMAIN_PREFIX, Domain, Instrument
from bot.reports.rounding import whole

__all__ = [
    "area_name",
    "check_one_name_per_area",
    "domain_named",
    "join_names",
    "names_typed",
    "scale_words",
    "score_name",
]


def area_name(domain: Domain, *, staff: bool = False) -> str:
    """'Mood' for a mentee; 'Mood (Global psychological health)' for staff."""
    if not staff or domain.name.casefold() == domain.plain.casefold():
        return domain.plain
    return texts.AREA_FOR_STAFF.format(plain=domain.plain, term=domain.name)


def score_name(instrument: Instrument, key: str, *, staff: bool = False) -> str:
    """The name of what a score key measures: its area, or a one-area scale (CEST) by that
    area ('Self-worth'); KeyError for a key the instrument does not score."""
    if key not in instrument.score_keys:
        raise KeyError(key)
    domain_id = key.removeprefix(DOMAIN_PREFIX)
    found = next((d for d in instrument.domains if d.id == domain_id), None)
    if found is None and len(instrument.domains) == 1:
        found = instrument.domains[0]
    if found is None:
        raise KeyError(key)
    return area_name(found, staff=staff)


def domain_named(
    instrument: Instrument, domain_id: str, *, staff: bool = False, missing: str | None = None
) -> str:
    """An area's name by id; `missing` (else the id) for an id the file no longer has."""
    found = next((d for d in instrument.domains if d.id == domain_id), None)
    if found is None:
        return domain_id if missing is None else missing
    return area_name(found, staff=staff)


def scale_words(instrument: Instrument, key: str) -> str:
    """'out of 5' for a score of several answers; '1 to 6' for a score of one answer, which is
    read as the answer scale it is."""
    low, high = instrument.score_range(key)
    domain_id = key.removeprefix(DOMAIN_PREFIX)
    items = next((d.items for d in instrument.domains if d.id == domain_id), instrument.items)
    if len(items) == 1:
        return texts.SCALE_FROM_TO.format(least=whole(low), most=whole(high))
    return texts.SCALE_OUT_OF.format(most=whole(high))


def names_typed(domain: Domain) -> tuple[str, str]:
    """The plain name and the instrument's term, lower case: what someone may type to pick
    the area (staff know the term; the parsers read names only through here)."""
    return domain.plain.casefold(), domain.name.casefold()


def join_names(names: Sequence[str]) -> str:
    """'Home, Mood and Health'."""
    if len(names) <= 1:
        return "".join(names)
    return texts.AREA_LIST.format(first=", ".join(names[:-1]), last=names[-1])


def check_one_name_per_area(instruments: Iterable[Instrument]) -> None:
    """ValueError when two questionnaires give one area id different names (the weekly
    check-in and the ARC share ids, so a mentee would see two names for one area)."""
    seen: dict[str, tuple[str, Domain]] = {}
    for instrument in instruments:
        for domain in instrument.domains:
            first = seen.setdefault(domain.id, (instrument.id, domain))
            other_id, other = first
            if (other.plain, other.name) != (domain.plain, domain.name):
                raise ValueError(
                    f"the area {domain.id!r} is named {domain.plain!r} ({domain.name!r}) in "
                    f"{instrument.id} but {other.plain!r} ({other.name!r}) in {other_id}: "
                    "give it one name in both"
                )
