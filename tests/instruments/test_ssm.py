"""The self-sufficiency matrix file: the shipped one is complete, a broken one is refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.instruments import InstrumentError
from bot.instruments.ssm import default_matrix_path, load_matrix, shipped_matrix

Breaker = Callable[[dict[str, Any]], None]
UK_DOMAINS = [
    "housing",
    "income",
    "debt",
    "employment",
    "food",
    "physical_health",
    "mental_health",
    "substance_use",
    "relationships",
    "safety",
    "legal",
    "life_skills",
]


def shipped_data() -> dict[str, Any]:
    data = yaml.safe_load(default_matrix_path().read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def refusal(tmp_path: Path, data: dict[str, Any]) -> str:
    """Write data as a matrix file, expect it refused, and return the one-line reason."""
    path = tmp_path / "ssm.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(InstrumentError) as caught:
        load_matrix(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return message


def test_the_shipped_matrix_has_the_uk_domains_and_five_levels() -> None:
    matrix = shipped_matrix()
    assert [domain.id for domain in matrix.domains] == UK_DOMAINS
    assert matrix.levels == ("In crisis", "Vulnerable", "Safe", "Building capacity", "Empowered")
    assert matrix.id == "ssm" and matrix.adapted
    for domain in matrix.domains:
        assert len(domain.anchors) == 5
        assert len(set(domain.anchors)) == 5, domain.id


def test_scores_are_the_mean_of_the_domains_rated() -> None:
    scores = shipped_matrix().scores({"housing": 1, "debt": 4, "food": None})
    assert scores == {"score": 2.5, "domain:housing": 1.0, "domain:debt": 4.0}


def _four_anchors(data: dict[str, Any]) -> None:
    data["domains"][2]["anchors"].pop()


def _duplicate_domain(data: dict[str, Any]) -> None:
    data["domains"][1]["id"] = "housing"


def _six_levels(data: dict[str, Any]) -> None:
    data["levels"].append("Thriving")


def _curly_quote(data: dict[str, Any]) -> None:
    data["domains"][0]["anchors"][0] = "Can\u2019t stay where they are"


def _two_lines(data: dict[str, Any]) -> None:
    data["domains"][0]["anchors"][0] = "Homeless\nor at risk"


def _unknown_key(data: dict[str, Any]) -> None:
    data["domains"][0]["anchor"] = data["domains"][0].pop("anchors")


@pytest.mark.parametrize(
    ("breaker", "reason"),
    [
        (_four_anchors, "domain 'debt' has 4 anchors; it needs exactly 5, one per level"),
        (_duplicate_domain, "the domain id 'housing' is used twice"),
        (_six_levels, "levels: give exactly 5 level names, lowest first"),
        (_curly_quote, "must be one line of plain text"),
        (_two_lines, "must be one line of plain text"),
        (_unknown_key, "domains.0.anchors: missing key"),
    ],
)
def test_a_broken_file_is_refused_with_one_line(
    tmp_path: Path, breaker: Breaker, reason: str
) -> None:
    data = shipped_data()
    breaker(data)
    assert reason in refusal(tmp_path, data)
