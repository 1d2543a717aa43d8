"""The paired statistics, checked against values worked by hand (scipy only as a check)."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from bot.reports.paired import NotEnoughPairs, PairedResult, paired

# Two-sided 95% critical values of t, from printed tables.
T_CRIT = {1: 12.706204736, 3: 3.182446305}


def _result(before: list[float], after: list[float]) -> PairedResult:
    result = paired(before, after)
    assert isinstance(result, PairedResult)
    return result


def test_four_pairs_match_the_formula_worked_by_hand() -> None:
    # Differences 4, 1, 4, 1: mean 2.5, variance (4 * 1.5^2) / 3 = 3, sd = sqrt(3).
    result = _result([10, 12, 15, 20], [14, 13, 19, 21])
    sd, n = math.sqrt(3), 4
    assert result.n == 4 and result.df == 3
    assert result.mean_before == pytest.approx(14.25)
    assert result.mean_after == pytest.approx(16.75)
    assert result.mean_difference == pytest.approx(2.5)
    assert result.t == pytest.approx(2.5 / (sd / math.sqrt(n)))  # 2.8868
    assert result.t == pytest.approx(2.886751, abs=1e-6)
    half = T_CRIT[3] * sd / math.sqrt(n)
    assert (result.ci_low, result.ci_high) == pytest.approx((2.5 - half, 2.5 + half))
    assert result.ci_low == pytest.approx(-0.256080, abs=1e-6)
    assert result.d_z == pytest.approx(2.5 / sd)
    check = stats.ttest_rel([14, 13, 19, 21], [10, 12, 15, 20])
    assert result.p == pytest.approx(check.pvalue)
    assert result.t == pytest.approx(check.statistic)
    assert result.wilcoxon_p == pytest.approx(stats.wilcoxon([4, 1, 4, 1]).pvalue)


def test_no_change_on_average_with_two_pairs() -> None:
    # Differences +1 and -1: mean 0, sd sqrt(2); t = 0 and p = 1 exactly.
    result = _result([5, 6], [6, 5])
    assert result.n == 2 and result.df == 1
    assert result.mean_difference == 0
    assert result.t == 0 and result.p == pytest.approx(1.0) and result.d_z == 0
    assert (result.ci_low, result.ci_high) == pytest.approx((-T_CRIT[1], T_CRIT[1]))


def test_nobody_changed_leaves_t_and_p_undefined_not_invented() -> None:
    result = _result([3, 4, 5], [3, 4, 5])
    assert result.mean_difference == 0
    assert (result.ci_low, result.ci_high) == (0, 0)
    assert result.t is None and result.p is None and result.d_z is None
    assert result.wilcoxon_p is None


def test_everyone_changed_by_the_same_amount() -> None:
    result = _result([3, 4, 5], [5, 6, 7])
    assert result.mean_difference == 2 and (result.ci_low, result.ci_high) == (2, 2)
    assert result.t is None and result.d_z is None
    assert result.wilcoxon_p is not None


def test_the_same_change_in_floating_point_is_still_no_spread() -> None:
    result = _result([0, 0, 0], [3.12, 3.12, 3.12])  # the float mean is 3.1199999999999997
    assert result.t is None and result.p is None and result.d_z is None
    assert result.ci_low == result.ci_high == result.mean_difference


def test_a_fall_is_a_negative_difference() -> None:
    result = _result([6, 5, 7], [4, 4, 3])  # threats falling: an improvement
    assert result.mean_difference == pytest.approx(-7 / 3)
    assert result.t is not None and result.t < 0


@pytest.mark.parametrize("pairs", [0, 1])
def test_fewer_than_two_pairs_are_not_computed(pairs: int) -> None:
    assert paired([1.0] * pairs, [2.0] * pairs) == NotEnoughPairs(pairs)


def test_unmatched_lists_are_refused() -> None:
    with pytest.raises(ValueError):
        paired([1, 2], [1])
