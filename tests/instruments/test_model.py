"""The instrument model's look-ups and score ranges."""

from __future__ import annotations

import pydantic
import pytest

from bot.instruments import load_instruments
from tests.instruments import build, tiny_mean_data, tiny_sum_data

SHIPPED = load_instruments()


def test_items_are_in_asking_order() -> None:
    tiny = build(tiny_sum_data())
    assert [item.id for item in tiny.items] == ["tiny_home_1", "tiny_home_2", "tiny_friends_1"]


def test_item_and_domain_of_find_by_id() -> None:
    arc = SHIPPED["arc"]
    assert arc.item("arc_coping_3").id == "arc_coping_3"
    assert arc.domain_of("arc_coping_3").id == "coping"


@pytest.mark.parametrize("lookup", ["item", "domain_of"])
def test_unknown_item_id_is_a_key_error(lookup: str) -> None:
    with pytest.raises(KeyError, match="arc_nope_1"):
        getattr(SHIPPED["arc"], lookup)("arc_nope_1")


@pytest.mark.parametrize(
    ("instrument_id", "key", "expected"),
    [
        ("arc", "total", (0, 50)),
        ("arc", "domain:housing_safety", (0, 5)),
        ("arc", "strengths", (0, 10)),
        ("arc", "threats", (0, 10)),
        ("weekly", "total", (10, 60)),
        ("weekly", "domain:coping", (1, 6)),
        ("cest_self_esteem", "score", (10, 50)),
        ("cest_self_efficacy", "score", (10, 50)),
    ],
)
def test_score_range(instrument_id: str, key: str, expected: tuple[float, float]) -> None:
    assert SHIPPED[instrument_id].score_range(key) == expected


@pytest.mark.parametrize(
    ("instrument_id", "key"),
    [
        ("arc", "score"),
        ("arc", "domain:self_esteem"),
        ("weekly", "strengths"),
        ("cest_self_esteem", "total"),
        ("cest_self_esteem", "domain:self_esteem"),  # one domain: only "score"
    ],
)
def test_unknown_score_key_is_a_key_error(instrument_id: str, key: str) -> None:
    with pytest.raises(KeyError):
        SHIPPED[instrument_id].score_range(key)


def test_score_keys_of_a_mean_instrument_with_two_domains() -> None:
    tiny = build(tiny_mean_data())
    assert tiny.score_keys == ("score", "domain:home", "domain:friends")
    assert tiny.score_range("domain:friends") == (10, 30)


def test_points_reflect_only_reflected_items() -> None:
    esteem = SHIPPED["cest_self_esteem"]
    plain, reflected = esteem.item("cest_self_esteem_1"), esteem.item("cest_self_esteem_2")
    assert not plain.reflected and reflected.reflected
    assert [esteem.points(plain, value) for value in range(1, 6)] == [1, 2, 3, 4, 5]
    assert [esteem.points(reflected, value) for value in range(1, 6)] == [5, 4, 3, 2, 1]


def test_instruments_are_frozen() -> None:
    arc = SHIPPED["arc"]
    with pytest.raises(pydantic.ValidationError):
        arc.id = "other"  # type: ignore[misc]
