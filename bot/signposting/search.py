"""Find the kind of help a mentee is asking for from the words they type.

Mentees type as they talk, on small phones, often misspelt ("dept", "housng", "FIND HOUSING"),
so search forgives case, punctuation and small slips. It never guesses wildly: when nothing
matches well the result is empty and the caller shows the list of categories, which is always
a safe answer.

How a message is read, after `normalise` (casefold, no punctuation):
1. Exact words and phrases: category ids, labels and keywords, and service names (a whole
   name, a part such as "CGL", or a distinctive word of it such as "Samaritans"). The longest
   phrase wins, so "rent arrears" (a debt keyword, since rent owed is a debt and the debt
   services handle it) beats "rent" (housing) and "emergency contraception" beats "emergency".
   Among equally long phrases the earliest wins, but "Advice" and its keywords give way to any
   more specific category, since Citizens Advice covers everything.
   Two words typed apart also match a one-word name ("street link" finds StreetLink).
2. Close misspellings, used only when no exact phrase matched (but see 3): each word left over
   is compared with rapidfuzz's `fuzz.ratio` to the one-word keywords and names that start
   with the same letter (slips rarely hit the first letter, and "talking" is not "stalking").
   The cutoff is 85 for words of up to six letters, since at 80 "hours" matches "house", and
   80 for longer ones ("solicter": solicitor). Phrases of several words are never compared
   this way ("want to do" is close to "want to die").
3. Crisis comes first: any crisis word in the message, exact or a close misspelling
   ("sucidal"), gives the crisis category whatever else it says.
A named service found in steps 1-2 is listed first within its category.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.signposting.directory import Category, Directory, Entry, normalise, search_terms

CRISIS = "crisis"
GENERAL_CATEGORIES = frozenset({"citizens_advice"})
SHORT_WORD_CUTOFF = 85
LONG_WORD_CUTOFF = 80
LONG_WORD = 7  # letters
MIN_FUZZY_LETTERS = 4  # shorter words are too close to too many others ("bail", "bill")
# Words in service names that say what kind of place it is, not which one; a mentee typing
# them means the kind of help (a keyword's job), not that service.
# fmt: off
GENERIC_NAME_WORDS = frozenset({
    "national", "service", "services", "helpline", "line", "advice", "adviceline", "centre",
    "council", "trust", "charity", "health", "mental", "sexual", "clinic", "option", "emergency",
    "support", "domestic", "violence", "abuse", "webchat", "direct", "crisis", "hour", "adult",
    "drug", "alcohol", "housing", "debt", "free", "london", "southwark", "greenwich", "lambeth",
    "lewisham", "england", "with", "change", "grow", "live", "citizens", "carers", "families",
    "prisoners", "community", "volunteer", "legal", "civil", "talking", "therapies", "street",
    "guys", "thomas", "south", "maudsley", "call", "mens", "options", "team", "lgbt", "the",
    "and", "for", "you", "are", "we", "uk", "st", "nhs", "local", "works",
})
# fmt: on


@dataclass(frozen=True)
class SearchResult:
    """A category and its entries nearest first; no category and no entries: nothing found."""

    category: Category | None
    entries: tuple[Entry, ...]


NOTHING_FOUND = SearchResult(category=None, entries=())


@dataclass(frozen=True)
class _Term:
    category: str
    entry: Entry | None = None  # the service a name term names


@dataclass(frozen=True)
class _Match:
    term: _Term
    words: int
    position: int


@dataclass(frozen=True)
class _Index:
    terms: dict[str, tuple[_Term, ...]]
    longest: int  # words in the longest phrase
    single_words: dict[str, tuple[str, ...]]  # one-word phrases by first letter, for fuzzy


def search(directory: Directory, query: str, *, site: str | None = None) -> SearchResult:
    """Return the category a message asks for, its entries nearest the site first.

    `site` is a key of SITE_AREAS (ValueError otherwise), or None for no local services.
    """
    tokens = normalise(query).split()
    if not tokens:
        return NOTHING_FOUND
    index = _index(directory)
    exact, used = _exact_matches(tokens, index)
    fuzzy = _fuzzy_matches(tokens, used, index)
    crisis = [match for match in (*exact, *fuzzy) if match.term.category == CRISIS]
    matches = crisis or exact or fuzzy
    if not matches:
        return NOTHING_FOUND
    best = min(matches, key=_rank).term.category
    named = [match.term.entry for match in matches if match.term.category == best]
    entries = directory.in_category(best, site=site)
    first = [entry for entry in entries if entry in named]
    ordered = first + [entry for entry in entries if entry not in first]
    return SearchResult(category=directory.category(best), entries=tuple(ordered))


def _rank(match: _Match) -> tuple[bool, int, int, bool]:
    general = match.term.category in GENERAL_CATEGORIES
    return general, -match.words, match.position, match.term.entry is not None


def _exact_matches(tokens: list[str], index: _Index) -> tuple[list[_Match], set[int]]:
    """Find known phrases, longest first; a word inside a longer match is not reused."""
    matches: list[_Match] = []
    used: set[int] = set()
    for size in range(min(index.longest, len(tokens)), 0, -1):
        for start in range(len(tokens) - size + 1):
            span = range(start, start + size)
            words = tokens[start : start + size]
            terms = index.terms.get(" ".join(words))
            if terms is None and size == 2:
                terms = index.terms.get("".join(words))
            if terms and used.isdisjoint(span):
                matches += [_Match(term, size, start) for term in terms]
                used.update(span)
    return matches, used


def _fuzzy_matches(tokens: list[str], used: set[int], index: _Index) -> list[_Match]:
    """Match each unmatched word of four or more letters to its closest one-word phrase."""
    matches: list[_Match] = []
    for position, token in enumerate(tokens):
        if position in used or len(token) < MIN_FUZZY_LETTERS or token.isdigit():
            continue
        cutoff = LONG_WORD_CUTOFF if len(token) >= LONG_WORD else SHORT_WORD_CUTOFF
        choices = index.single_words.get(token[0], ())
        found = process.extractOne(token, choices, scorer=fuzz.ratio, score_cutoff=cutoff)
        if found is not None:
            matches += [_Match(term, 1, position) for term in index.terms[found[0]]]
    return matches


@lru_cache(maxsize=4)
def _index(directory: Directory) -> _Index:
    """Map every normalised phrase to the categories and services it finds."""
    terms: dict[str, list[_Term]] = {}
    for category in directory.categories:
        for phrase in sorted(search_terms(category)):
            terms.setdefault(phrase, []).append(_Term(category.id))
    for entry in directory.entries:
        for phrase in sorted(name_terms(entry.name)):
            terms.setdefault(phrase, []).append(_Term(entry.category, entry))
    single_words: dict[str, list[str]] = {}
    for phrase in terms:
        if " " not in phrase:
            single_words.setdefault(phrase[0], []).append(phrase)
    return _Index(
        terms={phrase: tuple(found) for phrase, found in terms.items()},
        longest=max(len(phrase.split()) for phrase in terms),
        single_words={letter: tuple(words) for letter, words in single_words.items()},
    )


def name_terms(name: str) -> set[str]:
    """Return the phrases that name a service: the name, its parts, its distinctive words.

    "Change Grow Live (CGL) national webchat" gives the whole name, "change grow live" and
    "cgl"; "national webchat" is left out, as both its words could name many services.
    """
    whole = normalise(name)
    terms = {whole}
    for part in (normalise(part) for part in re.split(r"\s+-\s+|[()]", name)):
        words = part.split()
        if len(words) >= 3 or any(word not in GENERIC_NAME_WORDS for word in words):
            terms.add(part)  # a one-word part is a short name such as "CGL" or "GDVA"
    for word in whole.split():
        if word not in GENERIC_NAME_WORDS and (
            len(word) >= 4 or (word.isdigit() and len(word) >= 3)
        ):
            terms.add(word)
    return terms
