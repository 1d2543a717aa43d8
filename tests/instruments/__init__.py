"""Tests for bot.instruments, with small instrument factories shared by its test modules."""

from __future__ import annotations

from typing import Any

from bot.instruments import Instrument


def tiny_sum_data() -> dict[str, Any]:
    """Return a valid, small yes/no `sum` instrument as plain data, ready to break in a test."""
    return {
        "id": "tiny",
        "name": "Tiny test instrument",
        "intro": "Two quick questions.",
        "adapted": True,
        "source": "Written for the tests.",
        "responses": [
            {"value": 1, "label": "Yes", "words": ["y", "yeah"]},
            {"value": 0, "label": "No", "words": ["n", "nope"]},
        ],
        "scoring": {"method": "sum", "strengths_min": 2, "threats_max": 0},
        "domains": [
            {
                "id": "home",
                "name": "Housing",
                "plain": "Your home",
                "items": [
                    {"id": "tiny_home_1", "text": "Do you have a home?"},
                    {"id": "tiny_home_2", "text": "Is it safe?"},
                ],
            },
            {
                "id": "friends",
                "name": "Social support",
                "plain": "Friends",
                "items": [{"id": "tiny_friends_1", "text": "Do you have a friend?"}],
            },
        ],
    }


def tiny_mean_data() -> dict[str, Any]:
    """Return a valid `mean_x10` instrument with two domains and one reflected item."""
    data = tiny_sum_data()
    data["id"] = "tiny_mean"
    data["responses"] = [
        {"value": value, "label": label}
        for value, label in enumerate(("Disagree", "Not sure", "Agree"), start=1)
    ]
    data["scoring"] = {"method": "mean_x10", "reflect_from": 4}
    data["domains"][0]["items"][1]["reflected"] = True
    return data


def build(data: dict[str, Any]) -> Instrument:
    """Build an Instrument from plain data, as the loader does."""
    return Instrument.model_validate(data)
