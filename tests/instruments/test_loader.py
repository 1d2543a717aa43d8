"""The loader reads the shipped files and refuses a malformed one with a one-line reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.instruments import InstrumentError, load_instrument, load_instruments
from bot.instruments.loader import default_instruments_dir
from tests.instruments import tiny_mean_data, tiny_sum_data

Breaker = Callable[[dict[str, Any]], None]
ARC_DOMAINS = (
    "substance_use",
    "psychological_health",
    "physical_health",
    "citizenship",
    "social_support",
    "meaningful_activities",
    "housing_safety",
    "risk_taking",
    "coping",
    "recovery_experience",
)


def write(folder: Path, name: str, data: object) -> Path:
    """Write data as YAML to folder/name and return the path."""
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    """Load the file, expecting a refusal, and return its message."""
    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    return message


# --- the shipped files ------------------------------------------------------------------------


def test_default_dir_is_config_instruments_whatever_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = default_instruments_dir()
    assert folder.is_absolute()
    assert folder.parts[-2:] == ("config", "instruments")
    assert set(load_instruments()) == {"arc", "weekly", "cest_self_esteem", "cest_self_efficacy"}


def test_arc_has_ten_domains_of_five_yes_no_items_in_order() -> None:
    arc = load_instruments()["arc"]
    assert tuple(domain.id for domain in arc.domains) == ARC_DOMAINS
    assert all(len(domain.items) == 5 for domain in arc.domains)
    assert len(arc.items) == 50
    assert [(option.value, option.label) for option in arc.responses] == [(1, "Yes"), (0, "No")]
    assert not any(item.reflected for item in arc.items)
    assert arc.scoring.method == "sum"
    assert (arc.scoring.strengths_min, arc.scoring.threats_max) == (4, 2)


def test_weekly_has_one_item_per_arc_domain_on_a_six_point_scale() -> None:
    weekly = load_instruments()["weekly"]
    assert tuple(domain.id for domain in weekly.domains) == ARC_DOMAINS
    assert all(len(domain.items) == 1 for domain in weekly.domains)
    assert [option.value for option in weekly.responses] == [1, 2, 3, 4, 5, 6]
    assert [option.label for option in weekly.responses] == [
        "Strongly disagree",
        "Disagree",
        "Slightly disagree",
        "Slightly agree",
        "Agree",
        "Strongly agree",
    ]
    assert weekly.scoring.method == "sum"


@pytest.mark.parametrize(
    ("instrument_id", "domain_id", "count", "reflected"),
    [
        ("cest_self_esteem", "self_esteem", 6, range(4, 5)),  # exactly 4
        ("cest_self_efficacy", "self_efficacy", 5, range(1, 5)),  # at least 1, not all
    ],
)
def test_cest_scales_have_the_required_items(
    instrument_id: str, domain_id: str, count: int, reflected: range
) -> None:
    cest = load_instruments()[instrument_id]
    assert [domain.id for domain in cest.domains] == [domain_id]
    assert len(cest.items) == count
    assert sum(item.reflected for item in cest.items) in reflected
    assert [(option.value, option.label) for option in cest.responses] == [
        (1, "Disagree strongly"),
        (2, "Disagree"),
        (3, "Not sure"),
        (4, "Agree"),
        (5, "Agree strongly"),
    ]
    assert (cest.scoring.method, cest.scoring.reflect_from) == ("mean_x10", 6)


def test_every_shipped_file_is_marked_adapted_and_cites_its_source() -> None:
    sources = {name: instrument.source for name, instrument in load_instruments().items()}
    assert all(instrument.adapted for instrument in load_instruments().values())
    assert "Groshkova" in sources["arc"] and "32(2):187-194" in sources["arc"]
    assert "Vilsaint" in sources["weekly"] and "177:71-76" in sources["weekly"]
    assert "Texas Christian University" in sources["cest_self_esteem"]
    assert "Texas Christian University" in sources["cest_self_efficacy"]


def test_item_ids_follow_instrument_domain_number() -> None:
    for instrument in load_instruments().values():
        for domain in instrument.domains:
            # A one-domain scale named after its domain (cest_self_esteem) is not doubled.
            prefix = instrument.id
            if not instrument.id.endswith(domain.id):
                prefix = f"{instrument.id}_{domain.id}"
            numbered = [f"{prefix}_{n}" for n in range(1, len(domain.items) + 1)]
            assert [item.id for item in domain.items] == numbered


# --- the folder -------------------------------------------------------------------------------


def test_loads_every_yaml_file_keyed_by_id(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", tiny_sum_data())
    write(tmp_path, "b.yaml", tiny_mean_data())
    write(tmp_path, "notes.txt", "not an instrument")
    assert set(load_instruments(tmp_path)) == {"tiny", "tiny_mean"}


def test_refuses_the_same_instrument_id_in_two_files(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", tiny_sum_data())
    second = write(tmp_path, "b.yaml", tiny_sum_data())
    with pytest.raises(InstrumentError, match="already used") as caught:
        load_instruments(tmp_path)
    assert str(caught.value).startswith(f"{second}: ")
    assert str(first) in str(caught.value)


def test_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError, match="does not exist"):
        load_instruments(tmp_path / "nowhere")


def test_refuses_a_folder_without_instruments(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError, match=r"no \*\.yaml"):
        load_instruments(tmp_path)


# --- malformed files --------------------------------------------------------------------------


def test_refuses_a_yaml_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: arc\nname: [unclosed\nintro: hello\n", encoding="utf-8")
    assert "YAML error at line" in refusal(path)


@pytest.mark.parametrize("text", ["", "- a list\n- of things\n", "just a sentence\n"])
def test_refuses_a_file_that_is_not_a_mapping(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    assert "must be a mapping" in refusal(path)


def test_refuses_a_key_given_twice(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(tiny_sum_data()) + "id: other\n", encoding="utf-8")
    assert "the key 'id' is given twice" in refusal(path)


def test_accepts_a_file_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text("\ufeff" + yaml.safe_dump(tiny_sum_data()), encoding="utf-8")
    assert load_instrument(path).id == "tiny"


def test_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"id: \xff\xfe\n")
    assert "cannot read the file" in refusal(path)


def _set(*keys: str | int, value: object) -> Breaker:
    """Return a breaker that sets data[keys...] = value."""

    def breaker(data: dict[str, Any]) -> None:
        target: Any = data
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return breaker


def _delete(*keys: str | int) -> Breaker:
    """Return a breaker that deletes data[keys...]."""

    def breaker(data: dict[str, Any]) -> None:
        target: Any = data
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]

    return breaker


P = pytest.param
MALFORMED_SUM = [
    P(_set("colour", value="red"), "colour: unknown key", id="unknown key"),
    P(
        _set("domains", 0, "items", 0, "score", value=1),
        "domains.0.items.0.score: unknown key",
        id="unknown nested key",
    ),
    P(
        _delete("domains", 1, "items", 0, "text"),
        "domains.1.items.0.text: missing key",
        id="missing item text",
    ),
    P(_delete("scoring"), "scoring: missing key", id="missing scoring"),
    P(
        _set("responses", 0, "value", value="one"),
        "responses.0.value: input should be a valid integer",
        id="value not a number",
    ),
    P(
        _set("responses", 0, "label", value=True),
        "responses.0.label: input should be a valid string",
        id="label read as a boolean (unquoted Yes)",
    ),
    P(_set("domains", value="home"), "domains: input should be a valid tuple", id="not a list"),
    P(
        _set("scoring", "method", value="average"),
        "scoring.method: input should be 'sum' or 'mean_x10'",
        id="unknown method",
    ),
    P(
        _set("domains", 0, "id", value="Your Home"),
        "domains.0.id: string should match pattern",
        id="id not lowercase",
    ),
    P(
        _set("domains", 1, "items", 0, "id", value="tiny_home_1"),
        "the item id 'tiny_home_1' is used twice",
        id="duplicate item id",
    ),
    P(
        _set("domains", 1, "id", value="home"),
        "the domain id 'home' is used twice",
        id="duplicate domain id",
    ),
    P(
        _set("responses", 1, "value", value=1),
        "responses: the value 1 is used twice",
        id="duplicate response value",
    ),
    P(
        _set("responses", 1, "label", value="YES"),
        "responses: the label 'YES' is used twice",
        id="duplicate label",
    ),
    P(
        _set("responses", 1, "words", value=["n", "Yeah"]),
        "responses: 'Yeah' is given for two different answers",
        id="word for two answers",
    ),
    P(_set("responses", 0, "words", value=["1"]), "'1' has a number", id="word is a number"),
    P(_set("responses", 0, "words", value=["?!"]), "'?!' has no letters", id="word no letters"),
    P(
        _set("responses", value=[{"value": 1, "label": "Yes"}]),
        "give at least two answers",
        id="one response",
    ),
    P(_set("domains", value=[]), "the instrument has no items", id="no items"),
    P(
        _set("domains", 0, "items", value=[]),
        "domains.0.items: a domain needs at least one item",
        id="domain with no items",
    ),
    P(
        _set("domains", 0, "items", 0, "reflected", value=True),
        "'tiny_home_1' is reflected, but the sum method never reflects",
        id="reflected item in a sum instrument",
    ),
    P(
        _set("scoring", "reflect_from", value=1),
        "scoring: reflect_from is only used by the mean_x10 method",
        id="reflect_from in a sum instrument",
    ),
    P(
        _set("domains", 0, "items", 0, "text", value=""),
        "domains.0.items.0.text: string should have at least 1 character",
        id="empty item text",
    ),
    P(
        _set("domains", 0, "items", 0, "text", value="   "),
        "domains.0.items.0.text: string should have at least 1 character",
        id="blank item text",
    ),
    P(
        _set("intro", value=""),
        "intro: string should have at least 1 character",
        id="empty intro",
    ),
    P(
        _set("responses", 0, "label", value=""),
        "responses.0.label: string should have at least 1 character",
        id="empty label",
    ),
    P(
        _set("adapted", value="probably"),
        "adapted: input should be a valid boolean",
        id="adapted not a boolean",
    ),
    P(
        _set("adapted", value=1),
        "adapted: input should be a valid boolean",
        id="adapted given as a number",
    ),
    P(_delete("adapted"), "adapted: missing key", id="adapted missing"),
    P(
        _set("source", value=""),
        "source: string should have at least 1 character",
        id="empty source",
    ),
    P(_delete("source"), "source: missing key", id="missing source"),
    P(
        _set("scoring", "strengths_min", value=3),
        "strengths_min 3 is outside the domain scores 0-2",
        id="strengths_min out of reach",
    ),
]


@pytest.mark.parametrize(("breaker", "expected"), MALFORMED_SUM)
def test_refuses_a_malformed_sum_instrument(
    tmp_path: Path, breaker: Breaker, expected: str
) -> None:
    data = tiny_sum_data()
    breaker(data)
    assert expected in refusal(write(tmp_path, "tiny.yaml", data))


MALFORMED_MEAN = [
    P(
        _delete("scoring", "reflect_from"),
        "'tiny_home_2' is reflected, so scoring needs reflect_from",
        id="reflected item without reflect_from",
    ),
    P(
        _set("scoring", "reflect_from", value=5),
        "reflect_from 5 turns 1 into 4, which is not an answer value",
        id="reflect_from off the scale",
    ),
    P(
        _set("scoring", "strengths_min", value=4),
        "scoring: strengths_min and threats_max are only used by the sum method",
        id="strengths_min with mean_x10",
    ),
    P(
        _set("scoring", "threats_max", value=2),
        "scoring: strengths_min and threats_max are only used by the sum method",
        id="threats_max with mean_x10",
    ),
]


@pytest.mark.parametrize(("breaker", "expected"), MALFORMED_MEAN)
def test_refuses_a_malformed_mean_instrument(
    tmp_path: Path, breaker: Breaker, expected: str
) -> None:
    data = tiny_mean_data()
    breaker(data)
    assert expected in refusal(write(tmp_path, "tiny.yaml", data))


def test_a_mean_instrument_needs_no_reflect_from_without_reflected_items(tmp_path: Path) -> None:
    data = tiny_mean_data()
    del data["scoring"]["reflect_from"]
    data["domains"][0]["items"][1]["reflected"] = False
    assert load_instrument(write(tmp_path, "tiny.yaml", data)).scoring.reflect_from is None


def test_reports_how_many_more_problems_there_are(tmp_path: Path) -> None:
    data = tiny_sum_data()
    del data["name"]
    del data["intro"]
    assert refusal(write(tmp_path, "tiny.yaml", data)).endswith("name: missing key (and 1 more)")
