"""Scores follow docs/instruments.md exactly, including reflection and the ends of every range."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.instruments import IncompleteAnswers, Instrument, load_instruments, score
from bot.instruments.scoring import answered
from tests.instruments import build, tiny_mean_data

SHIPPED = load_instruments()
ARC = SHIPPED["arc"]
WEEKLY = SHIPPED["weekly"]
ESTEEM = SHIPPED["cest_self_esteem"]
EFFICACY = SHIPPED["cest_self_efficacy"]


def every(instrument: Instrument, value: int) -> dict[str, int]:
    """Answer every item of the instrument with the same value."""
    return {item.id: value for item in instrument.items}


def best_or_worst(instrument: Instrument, best: bool) -> dict[str, int]:
    """Answer so that every item earns its most (best=True) or fewest points."""
    values = [option.value for option in instrument.responses]
    high, low = max(values), min(values)
    return {
        item.id: (low if best else high) if item.reflected else (high if best else low)
        for item in instrument.items
    }


# --- ARC: yes/no sum, strengths and threats ---------------------------------------------------


def test_arc_all_yes_scores_50_with_ten_strengths() -> None:
    scores = score(ARC, every(ARC, 1))
    assert scores["total"] == 50
    assert all(scores[f"domain:{domain.id}"] == 5 for domain in ARC.domains)
    assert (scores["strengths"], scores["threats"]) == (10, 0)


def test_arc_all_no_scores_0_with_ten_threats() -> None:
    scores = score(ARC, every(ARC, 0))
    assert scores["total"] == 0
    assert all(scores[f"domain:{domain.id}"] == 0 for domain in ARC.domains)
    assert (scores["strengths"], scores["threats"]) == (0, 10)


def test_arc_strengths_and_threats_on_a_hand_made_case() -> None:
    # Domain scores 5 4 3 2 0 1 5 3 4 2: strengths (4-5) are domains 1 2 7 9 = 4;
    # threats (0-2) are domains 4 5 6 10 = 4; the 3s are neither. Total 29.
    wanted = [5, 4, 3, 2, 0, 1, 5, 3, 4, 2]
    answers = {
        item.id: int(position < yes)
        for domain, yes in zip(ARC.domains, wanted, strict=True)
        for position, item in enumerate(domain.items)
    }
    scores = score(ARC, answers)
    assert [scores[f"domain:{domain.id}"] for domain in ARC.domains] == wanted
    assert scores["total"] == 29
    assert scores["strengths"] == 4
    assert scores["threats"] == 4


def test_arc_thresholds_are_inclusive() -> None:
    # One domain at exactly 4 (a strength) and one at exactly 2 (a threat), the rest at 3.
    wanted = [4, 2, 3, 3, 3, 3, 3, 3, 3, 3]
    answers = {
        item.id: int(position < yes)
        for domain, yes in zip(ARC.domains, wanted, strict=True)
        for position, item in enumerate(domain.items)
    }
    scores = score(ARC, answers)
    assert (scores["strengths"], scores["threats"]) == (1, 1)


def test_arc_returns_exactly_its_score_keys() -> None:
    scores = score(ARC, every(ARC, 1))
    assert tuple(scores) == ARC.score_keys
    assert all(isinstance(value, float) for value in scores.values())


# --- weekly: 1-6 sum --------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "total"), [(1, 10), (6, 60), (4, 40)])
def test_weekly_total_is_the_sum_of_ten_answers(value: int, total: float) -> None:
    scores = score(WEEKLY, every(WEEKLY, value))
    assert scores["total"] == total
    assert all(scores[f"domain:{domain.id}"] == value for domain in WEEKLY.domains)
    assert "strengths" not in scores and "threats" not in scores


def test_weekly_mixed_answers() -> None:
    answers = dict(
        zip((item.id for item in WEEKLY.items), [1, 2, 3, 4, 5, 6, 6, 5, 4, 3], strict=True)
    )
    assert score(WEEKLY, answers)["total"] == 39


# --- CEST: reflected mean x 10 ----------------------------------------------------------------


def test_cest_self_esteem_all_agree_strongly_worked_by_hand() -> None:
    # Two positive items earn 5 each; four reflected items earn 6 - 5 = 1 each.
    # (5 + 5 + 1 + 1 + 1 + 1) / 6 * 10 = 14 / 6 * 10 = 23.33...
    assert score(ESTEEM, every(ESTEEM, 5)) == {"score": pytest.approx(70 / 3)}


def test_cest_self_esteem_all_disagree_strongly_worked_by_hand() -> None:
    # Positive items earn 1 each; reflected items earn 6 - 1 = 5 each: (1+1+5+5+5+5)/6*10.
    assert score(ESTEEM, every(ESTEEM, 1)) == {"score": pytest.approx(220 / 6)}


def test_cest_self_efficacy_worked_by_hand() -> None:
    answers = {
        "cest_self_efficacy_1": 4,
        "cest_self_efficacy_2": 4,
        "cest_self_efficacy_3": 3,
        "cest_self_efficacy_4": 5,
        "cest_self_efficacy_5": 2,  # reflected: 6 - 2 = 4
    }
    assert EFFICACY.item("cest_self_efficacy_5").reflected
    # (4 + 4 + 3 + 5 + 4) / 5 * 10 = 40
    assert score(EFFICACY, answers) == {"score": 40.0}


@pytest.mark.parametrize("instrument", [ESTEEM, EFFICACY], ids=lambda i: i.id)
def test_cest_reaches_10_and_50(instrument: Instrument) -> None:
    assert score(instrument, best_or_worst(instrument, best=True)) == {"score": 50.0}
    assert score(instrument, best_or_worst(instrument, best=False)) == {"score": 10.0}


def test_mean_instrument_with_two_domains_scores_each_domain() -> None:
    tiny = build(tiny_mean_data())  # home: item 1, item 2 reflected (4 - answer); friends: 1
    answers = {"tiny_home_1": 3, "tiny_home_2": 3, "tiny_friends_1": 2}
    assert score(tiny, answers) == {
        "score": pytest.approx(10 * (3 + 1 + 2) / 3),
        "domain:home": pytest.approx(10 * (3 + 1) / 2),
        "domain:friends": pytest.approx(20.0),
    }


# --- refusals ---------------------------------------------------------------------------------


def test_incomplete_answers_name_the_missing_items_in_order() -> None:
    answers = every(ESTEEM, 3)
    del answers["cest_self_esteem_5"], answers["cest_self_esteem_2"]
    with pytest.raises(IncompleteAnswers) as caught:
        score(ESTEEM, answers)
    assert caught.value.missing == ("cest_self_esteem_2", "cest_self_esteem_5")
    assert "cest_self_esteem_2, cest_self_esteem_5" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_no_answers_at_all_is_incomplete() -> None:
    with pytest.raises(IncompleteAnswers):
        score(WEEKLY, {})


@pytest.mark.parametrize(
    ("instrument", "bad"),
    [(ARC, 2), (ARC, -1), (WEEKLY, 0), (WEEKLY, 7), (ESTEEM, 6), (ESTEEM, True)],
    ids=["arc 2", "arc -1", "weekly 0", "weekly 7", "cest 6", "a boolean"],
)
def test_a_value_off_the_scale_is_refused(instrument: Instrument, bad: int) -> None:
    answers = every(instrument, instrument.responses[0].value)
    answers[instrument.items[-1].id] = bad
    with pytest.raises(ValueError, match="is not an answer value") as caught:
        score(instrument, answers)
    assert not isinstance(caught.value, IncompleteAnswers)


def test_an_answer_to_an_unknown_item_is_refused() -> None:
    answers = every(WEEKLY, 3) | {"arc_coping_1": 3}
    with pytest.raises(ValueError, match="no such item arc_coping_1"):
        score(WEEKLY, answers)


# --- every score stays inside its range -------------------------------------------------------


@pytest.mark.parametrize("instrument", list(SHIPPED.values()), ids=list(SHIPPED))
def test_best_and_worst_answers_hit_the_ends_of_every_range(instrument: Instrument) -> None:
    best = score(instrument, best_or_worst(instrument, best=True))
    worst = score(instrument, best_or_worst(instrument, best=False))
    for key in instrument.score_keys:
        if key == "threats":
            assert (best[key], worst[key]) == instrument.score_range(key)
        else:
            assert (worst[key], best[key]) == instrument.score_range(key)


@given(st.data())
def test_any_complete_answers_score_inside_the_ranges(data: st.DataObject) -> None:
    instrument = data.draw(st.sampled_from(list(SHIPPED.values())))
    values = [option.value for option in instrument.responses]
    answers = {item.id: data.draw(st.sampled_from(values)) for item in instrument.items}
    scores = score(instrument, answers)
    assert tuple(scores) == instrument.score_keys
    for key, value in scores.items():
        low, high = instrument.score_range(key)
        assert low <= value <= high


# --- Skipped questions: missing, never zero ----------------------------------------------------


def test_a_skipped_arc_item_is_prorated_not_counted_as_no() -> None:
    answers: dict[str, int | None] = dict(every(ARC, 1))
    answers[ARC.domains[0].items[0].id] = None  # one skip in the first area
    scores = score(ARC, answers)
    assert scores[f"domain:{ARC.domains[0].id}"] == 5  # 4 of 4 answered "yes": 5 of 5, not 4
    assert scores["total"] == 50
    assert scores["strengths"] == 10


def test_an_area_with_two_skips_has_no_score_and_no_strengths_count() -> None:
    answers: dict[str, int | None] = dict(every(ARC, 1))
    first = ARC.domains[0]
    answers[first.items[0].id] = answers[first.items[1].id] = None  # 3 of 5 answered
    scores = score(ARC, answers)
    assert f"domain:{first.id}" not in scores
    assert "strengths" not in scores and "threats" not in scores
    assert scores["total"] == 50  # 48 of 50 answered is enough for the total


def test_too_many_skips_leave_the_total_out() -> None:
    answers: dict[str, int | None] = {item.id: None for item in ARC.items}
    assert score(ARC, answers) == {}


def test_a_cest_scale_is_the_mean_of_the_answered_items() -> None:
    answers: dict[str, int | None] = dict(best_or_worst(EFFICACY, best=True))
    answers[EFFICACY.items[0].id] = None  # 4 of 5 answered, every one the best
    assert score(EFFICACY, answers) == {"score": 50}
    answers[EFFICACY.items[1].id] = None  # 3 of 5: not enough
    assert score(EFFICACY, answers) == {}


def test_a_skipped_item_still_counts_as_asked() -> None:
    answers: dict[str, int | None] = dict(every(WEEKLY, 6))
    answers[WEEKLY.items[3].id] = None
    assert answered(WEEKLY, answers) == (9, 10)
    with pytest.raises(IncompleteAnswers):  # an item never asked is still an error
        score(WEEKLY, {item.id: 6 for item in WEEKLY.items[1:]})
