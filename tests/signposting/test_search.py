"""Search finds the help a mentee asks for in their own words, and never guesses wildly."""

from __future__ import annotations

import pytest

from bot.signposting.directory import Directory, load_directory
from bot.signposting.search import name_terms, search

DIRECTORY = load_directory()

# (what the mentee types, the category found or None, the entry listed first or None)
CASES: list[tuple[str, str | None, str | None]] = [
    # Keywords, labels and ids, whatever the case and punctuation
    ("debt", "debt", None),
    ("dept", "debt", None),
    ("housng", "housing", None),
    ("FIND HOUSING", "housing", None),
    ("Housing!!", "housing", None),
    ("court", "legal", None),
    ("solicitor", "legal", None),
    ("I need a solicitor for court", "legal", None),
    ("police station", "legal", None),
    ("legal aid", "legal", None),
    ("Drugs and alcohol", "substance_use", None),
    ("substance_use", "substance_use", None),
    ("I'm homeless", "housing", None),
    ("my partner hits me", "domestic_abuse", None),
    ("just got out of prison", "offender_support", None),
    ("feeling low", "mental_health", None),
    ("hiv test", "sexual_health", None),
    ("i need a job", "education_work", None),
    # The longest phrase wins: rent owed is a debt, rent alone is housing
    ("rent arrears", "debt", None),
    ("I got a letter from the court about my rent arrears", "debt", None),
    ("help with my rent", "housing", None),
    ("emergency contraception", "sexual_health", None),
    # A specific need beats general advice; the first of two specific ones wins
    ("housing advice", "housing", None),
    ("citizens advice", "citizens_advice", None),
    ("my son is using drugs", "family_carers", None),
    # Small slips
    ("homelss", "housing", None),
    ("benifits", "debt", None),
    ("solicter", "legal", None),
    ("voluntering", "volunteering", None),
    ("anxeity", "mental_health", None),
    # Crisis words win over anything else, misspelt or not
    ("i am in debt and want to die", "crisis", None),
    ("sucidal", "crisis", None),
    ("A&E", "crisis", None),
    # A service's name finds its category with that service first
    ("samaritans", "crisis", "Samaritans"),
    ("Samaritens", "crisis", "Samaritans"),
    ("frank", "substance_use", "FRANK"),
    ("talk to FRANK", "substance_use", "FRANK"),
    ("shelter", "housing", "Shelter emergency housing helpline"),
    ("stepchange", "debt", "StepChange Debt Charity"),
    ("step change", "debt", "StepChange Debt Charity"),
    ("street link", "housing", "StreetLink"),
    ("national debtline", "debt", "National Debtline"),
    ("mind", "mental_health", "Mind Infoline"),
    ("111", "mental_health", "NHS 111 - mental health option"),
    ("999", "crisis", "Emergency services (999)"),
    ("men's advice line", "domestic_abuse", "Men's Advice Line (Respect)"),
    ("unlock", "offender_support", "Unlock"),
    # Nothing found: the caller shows the list of categories
    ("", None, None),
    ("   ?! ", None, None),
    ("xyzzy", None, None),
    ("asdf", None, None),
    ("hello can you help me please", None, None),
    ("what are your hours", None, None),
    ("someone to talk to", None, None),
    ("thanks", None, None),
    ("lgbt", None, None),
]


@pytest.mark.parametrize(("query", "category", "first"), CASES, ids=[c[0] for c in CASES])
def test_search_finds_what_a_mentee_means(
    query: str, category: str | None, first: str | None
) -> None:
    result = search(DIRECTORY, query, site="hub")
    assert (result.category.id if result.category else None) == category
    if category is None:
        assert result.entries == ()
    else:
        assert set(result.entries) == set(DIRECTORY.in_category(category))
    if first is not None:
        assert result.entries[0].name == first


def test_there_are_enough_search_cases() -> None:
    assert len(CASES) >= 25


def test_entries_come_in_the_sites_order() -> None:
    for site in (None, "hub", "greenwich"):
        result = search(DIRECTORY, "suicidal", site=site)
        assert list(result.entries) == DIRECTORY.in_category("crisis", site=site)


def test_a_named_service_comes_first_even_when_it_is_not_local() -> None:
    result = search(DIRECTORY, "samaritans", site="greenwich")
    assert [e.name for e in result.entries[:2]] == [
        "Samaritans",
        "Oxleas NHS mental health crisis call centre",
    ]


def test_a_category_without_entries_is_still_found() -> None:
    entries = tuple(e for e in DIRECTORY.entries if e.category != "education_work")
    result = search(Directory(DIRECTORY.categories, entries), "college course")
    assert result.category == DIRECTORY.category("education_work")
    assert result.entries == ()


def test_common_words_of_a_service_name_do_not_name_it() -> None:
    assert name_terms("We Are With You (With You) webchat") == {
        "we are with you with you webchat",
        "we are with you",
    }
    assert name_terms("Change Grow Live (CGL) national webchat") == {
        "change grow live cgl national webchat",
        "change grow live",
        "cgl",
    }
