"""The shipped directory is complete, readable and dialable; bad entries are all reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import phonenumbers
import pytest
import yaml

from bot.signposting.directory import (
    CATEGORY_IDS,
    SITE_AREAS,
    Directory,
    DirectoryError,
    Entry,
    RowProblem,
    default_resources_path,
    load_directory,
    phone_problem,
    website_problem,
)
from tests.readability import flesch_reading_ease, is_gsm7

SHIPPED = load_directory()
LABELS = {
    "substance_use": "Drugs and alcohol",
    "housing": "Housing",
    "debt": "Money and debt",
    "citizens_advice": "Advice",
    "family_carers": "Family and carers",
    "volunteering": "Volunteering",
    "legal": "Legal help",
    "sexual_health": "Sexual health",
    "mental_health": "Mental health",
    "domestic_abuse": "Domestic abuse",
    "offender_support": "After prison",
    "education_work": "Learning and work",
    "crisis": "Crisis",
}
NATIONAL = {"UK", "England"}


def shipped_data() -> dict[str, Any]:
    """Return the shipped file as plain data, for tests that break one thing in it."""
    data: dict[str, Any] = yaml.safe_load(default_resources_path().read_text(encoding="utf-8"))
    return data


def load_data(data: dict[str, Any], tmp_path: Path) -> Directory:
    path = tmp_path / "resources.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_directory(path)


def test_the_shipped_file_loads_from_any_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_directory() == SHIPPED
    assert len(SHIPPED.entries) == 57


def test_every_category_is_present_with_its_button_label() -> None:
    assert tuple(category.id for category in SHIPPED.categories) == CATEGORY_IDS
    assert {category.id: category.label for category in SHIPPED.categories} == LABELS


def test_every_category_has_entries_and_learning_and_work_at_least_six() -> None:
    assert [i for i in CATEGORY_IDS if not SHIPPED.in_category(i)] == []
    assert len(SHIPPED.in_category("education_work")) >= 6


@pytest.mark.parametrize("entry", [e for e in SHIPPED.entries if e.phone], ids=lambda e: e.name)
def test_every_phone_number_parses_as_a_uk_number(entry: Entry) -> None:
    assert entry.phone is not None
    digits = entry.phone.replace(" ", "")
    if digits in {"999", "111", "116123"}:
        return
    number = phonenumbers.parse(entry.phone, "GB")
    assert phonenumbers.is_valid_number_for_region(number, "GB")


@pytest.mark.parametrize("entry", SHIPPED.entries, ids=lambda e: e.name)
def test_every_description_is_short_plain_and_sms_safe(entry: Entry) -> None:
    assert len(entry.description) <= 140
    assert flesch_reading_ease(entry.description) >= 60
    assert is_gsm7(entry.description)
    shown = [entry.name, entry.hours or "", entry.cost or "", entry.area]
    assert all(is_gsm7(text) for text in shown)


def test_closed_and_unreachable_services_are_left_out() -> None:
    names = " ".join(entry.name for entry in SHIPPED.entries)
    assert "Lifeline" not in names
    assert "Citizens Advice Southwark" not in names
    assert "DrugFAM" not in names
    assert all(entry.phone or entry.text or entry.website for entry in SHIPPED.entries)


def test_a_greenwich_site_sees_greenwich_entries_before_southwark_ones() -> None:
    for category in CATEGORY_IDS:
        areas = [entry.areas for entry in SHIPPED.in_category(category, site="greenwich")]
        greenwich = [i for i, places in enumerate(areas) if "Greenwich" in places]
        southwark = [i for i, places in enumerate(areas) if "Southwark" in places]
        assert not greenwich or not southwark or max(greenwich) < min(southwark), category


def test_southwark_sites_see_southwark_entries_first() -> None:
    crisis = SHIPPED.in_category("crisis", site="camberwell")
    assert [e.name for e in crisis[:2]] == [
        "Solidarity in a Crisis (Certitude)",
        "South London and Maudsley 24-hour Mental Health Crisis Line",
    ]
    assert crisis[-1].name == "Oxleas NHS mental health crisis call centre"


@pytest.mark.parametrize("site", [None, *SITE_AREAS])
def test_national_entries_appear_for_everyone(site: str | None) -> None:
    for category in CATEGORY_IDS:
        listed = SHIPPED.in_category(category, site=site)
        national = [e for e in SHIPPED.entries if e.category == category and e.area in NATIONAL]
        assert all(entry in listed for entry in national)
        assert len(listed) == len([e for e in SHIPPED.entries if e.category == category])


def test_entries_run_local_then_london_then_national_sorted_by_name_within_each() -> None:
    debt = [e.name for e in SHIPPED.in_category("debt", site="hub")]
    assert debt == ["Debt Free Advice (London)", "National Debtline", "StepChange Debt Charity"]


def test_unknown_categories_and_sites_are_refused() -> None:
    with pytest.raises(KeyError):
        SHIPPED.in_category("gardening")
    with pytest.raises(ValueError, match="unknown site"):
        SHIPPED.in_category("crisis", site="peckham")
    assert SHIPPED.in_category("crisis", site="Greenwich")[0].area.startswith("Greenwich")


@pytest.mark.parametrize(
    "phone", ["0300 123 6600", "020 7525 5950", "07423 110 805", "+44 20 7525 5950", "999", "111"]
)
def test_uk_phone_numbers_are_accepted(phone: str) -> None:
    assert phone_problem(phone) is None


@pytest.mark.parametrize(
    ("phone", "reason"),
    [
        ("123", "not a UK phone number"),
        ("0300 123", "not a UK phone number"),
        ("8001381111", "should start with 0"),
        ("+1 212 555 0100", "not a UK phone number"),
        ("call 0300 123 6600", "digits and spaces only"),
        ("0300-123-6600", "digits and spaces only"),
        ("0800 000 000 000 000", "not a UK phone number"),
    ],
)
def test_nonsense_phone_numbers_are_refused(phone: str, reason: str) -> None:
    assert reason in (phone_problem(phone) or "")


@pytest.mark.parametrize(
    ("website", "good"),
    [
        ("talktofrank.com", True),
        ("gov.uk/check-if-civil-legal-advice-can-help-you", True),
        ("https://www.samaritans.org/how-we-can-help/", True),
        ("talktofrank", False),
        ("ftp://talktofrank.com", False),
        ("javascript:alert(1)", False),
        ("talk to frank.com", False),
    ],
)
def test_websites_are_bare_domains_or_web_addresses(website: str, good: bool) -> None:
    assert (website_problem(website) is None) is good


def test_every_problem_in_a_file_is_reported_at_once(tmp_path: Path) -> None:
    data = shipped_data()
    data["entries"][0]["phone"] = "0300 123"
    data["entries"][0]["description"] = "Call us \u2013 any time."
    data["entries"][4]["category"] = "hosing"
    data["entries"][9]["text"] = "SHOUT"
    data["entries"][11]["verified"] = "last week"
    data["entries"][12]["colour"] = "red"
    with pytest.raises(DirectoryError) as raised:
        load_data(data, tmp_path)
    assert [(p.line, p.kind) for p in raised.value.problems] == [
        (1, "entry"),
        (1, "entry"),
        (5, "entry"),
        (10, "entry"),
        (12, "entry"),
        (13, "entry"),
    ]
    lines = str(raised.value).splitlines()
    assert len(lines) == 6
    assert (
        lines[0]
        == "resources.yaml: entry 1: description has characters an SMS cannot carry: \u2013"
    )
    assert "entry 5: unknown category 'hosing'" in lines[2]


def test_an_over_long_description_is_refused(tmp_path: Path) -> None:
    data = shipped_data()
    data["entries"][2]["description"] = "Help. " * 30
    with pytest.raises(DirectoryError) as raised:
        load_data(data, tmp_path)
    assert raised.value.problems == [
        RowProblem(3, "description is 179 characters; the most is 140", "entry")
    ]


def test_an_entry_needs_a_way_to_get_in_touch(tmp_path: Path) -> None:
    data = shipped_data()
    del data["entries"][1]["website"]
    with pytest.raises(DirectoryError, match="entry 2: give at least one way to get in touch"):
        load_data(data, tmp_path)


def test_a_keyword_can_lead_to_only_one_category(tmp_path: Path) -> None:
    data = shipped_data()
    data["categories"][-1]["keywords"].append("Rent Arrears!")
    with pytest.raises(DirectoryError, match="category 13: 'rent arrears' is already a keyword"):
        load_data(data, tmp_path)


def test_every_category_must_be_present(tmp_path: Path) -> None:
    data = shipped_data()
    data["categories"] = [c for c in data["categories"] if c["id"] != "education_work"]
    data["entries"] = [e for e in data["entries"] if e["category"] != "education_work"]
    with pytest.raises(DirectoryError) as raised:
        load_data(data, tmp_path)
    assert [str(p) for p in raised.value.problems] == ["the category 'education_work' is missing"]


def test_a_broken_yaml_file_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("categories: [\n  - id: crisis\nentries: {\n", encoding="utf-8")
    with pytest.raises(DirectoryError, match=r"broken\.yaml: not valid YAML near line"):
        load_directory(path)
