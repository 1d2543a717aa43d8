"""Mentees ask for help in their own words; search must find the right kind nearly always.

everyday_queries.tsv holds the ways people really ask (slang, whole sentences, slips) with
the category each should find first. One wrong answer in twenty is tolerated, since a few
messages are honestly about two things ("a job with a criminal record"); more than that
means the keywords in config/resources.yaml have a gap.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bot.signposting.directory import CATEGORY_IDS, load_directory
from bot.signposting.search import search

DIRECTORY = load_directory()
QUERIES_FILE = Path(__file__).with_name("everyday_queries.tsv")
MIN_ACCURACY = 0.95


def everyday_queries() -> list[tuple[str, str]]:
    """Return (query, expected category id) pairs from the data file."""
    pairs = []
    for line in QUERIES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            category, query = line.split("\t")
            pairs.append((query, category))
    return pairs


QUERIES = everyday_queries()


def test_there_are_at_least_100_queries_each_for_a_known_category() -> None:
    assert len(QUERIES) >= 100
    assert len({query for query, _ in QUERIES}) == len(QUERIES)  # no repeats to pad it
    by_category = Counter(category for _, category in QUERIES)
    assert set(by_category) <= set(CATEGORY_IDS)
    assert by_category["education_work"] >= 30 and by_category["housing"] >= 30


def test_the_first_category_found_is_right_for_95_percent_of_everyday_queries() -> None:
    misses = []
    for query, expected in QUERIES:
        found = search(DIRECTORY, query).category
        if found is None or found.id != expected:
            misses.append(f"{query!r}: wanted {expected}, got {found and found.id}")
    accuracy = 1 - len(misses) / len(QUERIES)
    assert accuracy >= MIN_ACCURACY, "\n".join(misses)


def test_learning_and_work_lists_at_least_six_services() -> None:
    assert len(DIRECTORY.in_category("education_work")) >= 6
    assert search(DIRECTORY, "need a job").entries == tuple(
        DIRECTORY.in_category("education_work")
    )
