"""The crisis detector: the shipped list against the corpus, the reading rules, the loader."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.safety import CrisisCategory, CrisisDetector, CrisisListError, CrisisMatch
from bot.safety.corpus import looks_like_search, score, shipped_corpus_path, table
from bot.safety.crisis import default_crisis_path

CORPUS_PATH = Path(__file__).with_name("corpus.yaml")
CORPUS: dict[str, Any] = yaml.safe_load(CORPUS_PATH.read_text(encoding="utf-8"))
SHIPPED = CrisisDetector.from_file()
Breaker = Callable[[dict[str, Any]], object]
AT_RISK = {
    "intent", "method", "place", "passive_wish", "goodbye", "harm_from_others", "harm_to_others",
    "overdose",
}  # fmt: skip


def case_id(group: str, index: int, text: str) -> str:
    """Name a corpus case by group, number and the start of its text."""
    words = "_".join(re.findall(r"\w+", text.casefold())[:6])
    return f"{group}-{index:03d}-{words}"


def crisis_cases() -> list[Any]:
    """Return the corpus's crisis messages as (text, category) parameters."""
    return [
        pytest.param(text, CrisisCategory(name), id=case_id(name, index, text))
        for name, texts in CORPUS["crisis"].items()
        for index, text in enumerate(texts)
    ]


def near_miss_cases() -> list[Any]:
    return [
        pytest.param(text, id=case_id("near_miss", index, text))
        for index, text in enumerate(CORPUS["near_miss"])
    ]


def tiny_list() -> dict[str, Any]:
    """Return a valid, small rule file as plain data, ready to break in a test."""
    data: dict[str, Any] = {
        "life_at_risk": ["intent", "overdose"],
        "parts": {"myself": ["myself", "meself"], "some": ["", "some"]},
        "topics": ["suicide"],
        "intent": {"phrases": ["kill {myself}", "suicide"], "except": ["kill {myself} laughing"]},
        "self_harm": {"phrases": ["cut {myself}"]},
        "overdose": {"phrases": ["od"]},
        "cant_go_on": {"phrases": ["can't go on"]},
        "harm_from_others": {"phrases": ["hit me"], "except": ["hit me up"]},
    }
    for category in CrisisCategory:
        data.setdefault(category.value, {"phrases": [f"took {{some}} {category.value} pills"]})
    return data


def write(folder: Path, data: object) -> Path:
    """Write data as YAML to folder/crisis.yaml and return the path."""
    path = folder / "crisis.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    """Load the file, expecting a refusal, and return its one-line message."""
    with pytest.raises(CrisisListError) as caught:
        CrisisDetector.from_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    return message


# --- the shipped list against the corpus -------------------------------------------------------


@pytest.mark.parametrize(("text", "category"), crisis_cases())
def test_crisis_message_is_caught_in_its_category(text: str, category: CrisisCategory) -> None:
    match = SHIPPED.check(text)
    assert match is not None
    assert category in match.categories
    if category.value in AT_RISK:
        assert match.life_at_risk


@pytest.mark.parametrize("text", near_miss_cases())
def test_near_miss_passes(text: str) -> None:
    assert SHIPPED.check(text, search=looks_like_search(text)) is None


def test_corpus_is_big_enough_and_covers_every_category() -> None:
    crisis: dict[str, list[str]] = CORPUS["crisis"]
    assert set(crisis) == {category.value for category in CrisisCategory}
    assert all(len(texts) >= 20 for texts in crisis.values())
    assert len(CORPUS["near_miss"]) >= 150
    assert sum(map(len, crisis.values())) + len(CORPUS["near_miss"]) >= 400


def test_safety_check_shows_full_recall_and_no_false_alarms_on_the_corpus() -> None:
    report = score(SHIPPED, shipped_corpus_path())
    assert report.perfect, table(report)
    assert all(s.listed >= 20 and s.caught == s.listed for s in report.scores.values())


def test_default_list_is_config_crisis_yaml_whatever_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = default_crisis_path()
    assert path.is_absolute()
    assert path.parts[-2:] == ("config", "crisis.yaml")
    assert CrisisDetector.from_file().check("kms") == SHIPPED.check("kms")


def test_shipped_list_puts_a_life_at_risk_for_intent_method_place_goodbye_harm_and_overdose() -> (
    None
):
    at_risk = ("suicidal", "hang myself", "on the railway line", "I wish I was dead", "overdose")
    for text in at_risk:
        match = SHIPPED.check(text)
        assert match is not None and match.life_at_risk, text
    assert SHIPPED.check("he's got a knife") == CrisisMatch(
        frozenset({CrisisCategory.HARM_FROM_OTHERS}), True
    )
    assert SHIPPED.check("I'm going to kill him") == CrisisMatch(
        frozenset({CrisisCategory.HARM_TO_OTHERS}), True
    )
    for text in ("self harm", "can't go on", "no point anymore"):
        match = SHIPPED.check(text)
        assert match is not None
        assert not match.life_at_risk


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("took all my tabets", True),  # a slip of "tablets"
        ("going to hang mysefl", True),
        ("my kids would be bettr off without me", True),
        ("beter off dead", True),
        ("im homeless", False),  # one letter from "hopeless", listed under keep
        ("paid all my bills", False),
        ("ask Jo", False),  # short words are never guessed at: "ask" is not "mask"
    ],
)
def test_a_slip_of_a_listed_word_reads_as_that_word(text: str, expected: bool) -> None:
    assert (SHIPPED.check(text) is not None) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I would never kill myself", False),
        ("I'd never kill myself but I want to die", True),
        ("last year I tried to kill myself", False),
        ("last year I tried to kill myself and I feel like that again", True),
        ("I tried to kill myself last night", True),
        ("my ex used to hit me years ago", False),
        ("my ex hit me last night", True),
    ],
)
def test_plain_negation_and_the_long_past_are_quiet_the_present_is_not(
    text: str, expected: bool
) -> None:
    assert (SHIPPED.check(text) is not None) is expected


@pytest.mark.parametrize(
    ("text", "alert"),
    [
        ("/find domestic abuse", False),
        ("find suicide support", False),
        ("FIND SELF HARM", False),
        ("/find help, he hit me again", True),
        ("find help I want to kill myself", True),
        ("find someone, my mate isn't breathing", True),
    ],
)
def test_a_search_names_a_subject_without_alerting_but_a_statement_in_it_still_alerts(
    text: str, alert: bool
) -> None:
    assert looks_like_search(text)
    assert (SHIPPED.check(text, search=True) is not None) is alert
    assert SHIPPED.check(text) is not None  # outside a search, every one of these alerts


def test_names_topic_tells_a_crisis_subject_from_any_other() -> None:
    assert SHIPPED.names_topic("domestic abuse")
    assert SHIPPED.names_topic("self harm")
    assert not SHIPPED.names_topic("housing")
    assert not SHIPPED.names_topic(None)


# --- how a message is read ---------------------------------------------------------------------


@pytest.mark.parametrize("text", [None, "", " ", "\n\t", "🙂😢👍", "?!...", "—", "\u200b"])
def test_nothing_to_read_is_no_match(text: str | None) -> None:
    assert SHIPPED.check(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "can't go on",
        "can\u2019t go on",
        "cant go on",
        "can t go on",
        "cannot go on",
        "Can Not go on",
    ],
)
def test_apostrophes_and_spellings_of_cant_read_alike(text: str) -> None:
    assert SHIPPED.check(text) == CrisisMatch(frozenset({CrisisCategory.CANT_GO_ON}), False)


@pytest.mark.parametrize(
    "text", ["Kill Myself", "KILL-MYSELF!!!", "kill... myself", "kill_myself", "kïll mysèlf"]
)
def test_case_accents_and_punctuation_do_not_matter(text: str) -> None:
    assert SHIPPED.check(text) is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("he od", True),
        ("od'd", True),
        ("o.d.", True),
        ("odd", False),
        ("good", False),
        ("code", False),
        ("oddd", False),  # a stretched "odd" is still not "od"
        ("i want to die", True),
        ("i want to diet", False),
        ("i want to died", False),
        ("sooo i want to diiiiie", True),
    ],
)
def test_phrases_match_whole_words_only(text: str, expected: bool) -> None:
    assert (SHIPPED.check(text) is not None) is expected


def test_an_exception_is_cut_out_and_a_trigger_elsewhere_still_counts(tmp_path: Path) -> None:
    detector = CrisisDetector.from_file(write(tmp_path, tiny_list()))
    assert detector.check("hit me up later") is None
    assert detector.check("I'll kill myself laughing") is None
    hit = detector.check("hit me up later, he hit me")
    assert hit is not None
    assert hit.categories == {CrisisCategory.HARM_FROM_OTHERS}
    # Exceptions apply whichever category lists them.
    both = detector.check("kill myself laughing but I will kill myself")
    assert both is not None
    assert both.categories == {CrisisCategory.INTENT}


def test_a_phrase_built_from_parts_matches_each_word_of_a_part(tmp_path: Path) -> None:
    detector = CrisisDetector.from_file(write(tmp_path, tiny_list()))
    for text in ("cut myself", "cut meself", "took goodbye pills", "took some goodbye pills"):
        assert detector.check(text) is not None, text
    # A part listing "" may be left out, without leaving two spaces to match.
    assert detector.check("took  goodbye pills") is not None
    assert detector.check("took any goodbye pills") is None


def test_the_gap_an_exception_leaves_cannot_join_a_trigger(tmp_path: Path) -> None:
    data = tiny_list()
    data["intent"]["except"] = ["headache"]
    detector = CrisisDetector.from_file(write(tmp_path, data))
    assert detector.check("kill headache myself") is None
    assert detector.check("kill myself headache") is not None


def test_life_at_risk_follows_the_list(tmp_path: Path) -> None:
    data = tiny_list()
    data["life_at_risk"] = ["self_harm"]
    detector = CrisisDetector.from_file(write(tmp_path, data))
    assert detector.check("kill myself") == CrisisMatch(
        frozenset({CrisisCategory.INTENT}), life_at_risk=False
    )
    assert detector.check("I cut myself and want to kill myself") == CrisisMatch(
        frozenset({CrisisCategory.INTENT, CrisisCategory.SELF_HARM}), life_at_risk=True
    )


def test_the_message_is_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    SHIPPED.check("I want to kill myself")
    SHIPPED.check("an ordinary message")
    assert caplog.records == []


@pytest.mark.parametrize(
    "text",
    [
        "a" * 5000,
        "k" + "i" * 4999,
        "od" + "d" * 4998,
        "can't " * 834,
        "kill my " * 625,
        ("this killer headache, I'm dying for a brew! " * 120)[:5000],
        "k1ll " * 1000,
        "🙂é" * 2500,
    ],
    ids=["letters", "stretched", "stretched-od", "cant", "kill-my", "near-miss", "leet", "emoji"],
)
def test_long_messages_are_checked_quickly(text: str) -> None:
    # A guard against catastrophic backtracking, not a benchmark: typical checks take microseconds.
    started = time.perf_counter()
    SHIPPED.check(text)
    assert time.perf_counter() - started < 0.05


@given(st.text(max_size=300))
def test_any_text_is_checked_without_error(text: str) -> None:
    match = SHIPPED.check(text)
    assert match is None or (match.categories and isinstance(match.life_at_risk, bool))


# --- the loader --------------------------------------------------------------------------------


def test_a_valid_file_loads(tmp_path: Path) -> None:
    detector = CrisisDetector.from_file(write(tmp_path, tiny_list()))
    assert detector.check("od") == CrisisMatch(frozenset({CrisisCategory.OVERDOSE}), True)


BREAKERS: list[tuple[str, Breaker, str]] = [
    ("unknown-category", lambda d: d.update(overdoes={"phrases": ["x"]}), "unknown key"),
    ("missing-category", lambda d: d.pop("overdose"), "'overdose' is missing"),
    ("category-not-mapping", lambda d: d.update(overdose=["od"]), "overdose: must be a mapping"),
    ("unknown-key", lambda d: d["overdose"].update(phrase=["x"]), "unknown key 'phrase'"),
    ("missing-phrases", lambda d: d["overdose"].pop("phrases"), "missing key 'phrases'"),
    ("phrases-not-list", lambda d: d["overdose"].update(phrases="od"), "must be a list"),
    ("except-not-list", lambda d: d["overdose"].__setitem__("except", None), "must be a list"),
    ("empty-list", lambda d: d["overdose"].update(phrases=[]), "the list is empty"),
    ("empty-phrase", lambda d: d["overdose"]["phrases"].append(""), "an empty phrase"),
    ("blank-phrase", lambda d: d["overdose"]["phrases"].append("  "), "an empty phrase"),
    ("punctuation-phrase", lambda d: d["overdose"]["phrases"].append("!!"), "an empty phrase"),
    ("null-phrase", lambda d: d["overdose"]["phrases"].append(None), "None is not text"),
    ("number-phrase", lambda d: d["overdose"]["phrases"].append(999), "999 is not text"),
    ("duplicate", lambda d: d["overdose"]["phrases"].append("od"), "'od' is listed twice"),
    ("unknown-part", lambda d: d["overdose"]["phrases"].append("{pils}"), "uses {pils}, not in"),
    ("parts-not-mapping", lambda d: d.update(parts=["myself"]), "parts: must be a mapping"),
    ("part-not-list", lambda d: d["parts"].update(some="some"), "parts.some: must be a list"),
    ("part-word-not-text", lambda d: d["parts"].update(some=[1]), "every word must be text"),
    ("part-uses-unknown", lambda d: d["parts"].update(x=["{nope}"]), "uses {nope}, not in"),
    ("topics-not-list", lambda d: d.update(topics="suicide"), "topics: must be a list"),
    ("no-life-at-risk", lambda d: d.pop("life_at_risk"), "life_at_risk: must be a list"),
    ("life-at-risk-not-list", lambda d: d.update(life_at_risk="intent"), "must be a list"),
    (
        "life-at-risk-unknown",
        lambda d: d.update(life_at_risk=["intent", "overdoes"]),
        "unknown category 'overdoes'",
    ),
    (
        "life-at-risk-twice",
        lambda d: d.update(life_at_risk=["intent", "intent"]),
        "listed twice",
    ),
]


@pytest.mark.parametrize(
    ("breaker", "problem"),
    [pytest.param(breaker, problem, id=name) for name, breaker, problem in BREAKERS],
)
def test_a_malformed_list_is_refused(tmp_path: Path, breaker: Breaker, problem: str) -> None:
    data = tiny_list()
    breaker(data)
    assert problem in refusal(write(tmp_path, data))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("intent: [unclosed\n", "YAML error at line 2"),
        ("- just\n- a list\n", "must be a mapping of categories"),
        ("", "must be a mapping of categories"),
        ("life_at_risk: []\nlife_at_risk: [intent]\n", "the key 'life_at_risk' is given twice"),
    ],
    ids=["yaml-error", "not-mapping", "empty-file", "key-twice"],
)
def test_a_broken_file_is_refused(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "crisis.yaml"
    path.write_text(text, encoding="utf-8")
    assert problem in refusal(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    assert "cannot read the file" in refusal(tmp_path / "nowhere.yaml")


def test_a_notepad_byte_order_mark_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "crisis.yaml"
    path.write_text(yaml.safe_dump(tiny_list()), encoding="utf-8-sig")
    assert CrisisDetector.from_file(path).check("hit me") is not None
