"""Two groups' changes compared: every figure equals scipy's to 1e-9, and tiny groups, ties
and zero variance give the values worked out by hand below."""

from __future__ import annotations

import math
import warnings
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from bot.reports.two_groups import Difference, TooSmall, compare_changes, hedges_g

T_CRIT_DF1 = 12.706204736174707  # two-sided 95%, df 1 (printed tables: 12.706)


def near(expected: Any) -> Any:
    """Equal to 1e-9, relative or absolute (p values can be tiny)."""
    return pytest.approx(expected, rel=1e-9, abs=1e-9)


def _difference(a: list[float], b: list[float]) -> Difference:
    result = compare_changes(a, b)
    assert isinstance(result, Difference)
    return result


def _scipy(a: list[float], b: list[float]) -> tuple[float, float, float, float, float]:
    """Welch's t, df, p and 95% CI from scipy.stats.ttest_ind(equal_var=False)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns on nearly equal data; the values stand
        welch = stats.ttest_ind(a, b, equal_var=False)
        interval = welch.confidence_interval(0.95)
    return welch.statistic, welch.df, welch.pvalue, interval.low, interval.high


def _cohens_d_through_scipy(a: list[float], b: list[float]) -> float:
    """The pooled-SD difference by another road: the equal-variance t times sqrt(1/na + 1/nb)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pooled_t = stats.ttest_ind(a, b, equal_var=True).statistic
    return float(pooled_t) * math.sqrt(1 / len(a) + 1 / len(b))


def test_two_people_a_group_worked_by_hand() -> None:
    # A: changes 1 and 3 (mean 2, variance 2); B: 0 and 0 (variance 0).
    # se = sqrt(2/2 + 0/2) = 1; df = 1^2 / ((2/2)^2 / 1) = 1; t = 2 / 1 = 2.
    # With df 1, t is a Cauchy variable: p = 2 * (1/2 - atan(2) / pi).
    a, b = [1.0, 3.0], [0.0, 0.0]
    result = _difference(a, b)
    assert (result.n_a, result.n_b) == (2, 2)
    assert result.difference == 2
    assert result.t == near(2.0)
    assert result.df == near(1.0)
    assert result.p == near(1 - 2 * math.atan(2) / math.pi)
    assert result.ci_low == near(2 - T_CRIT_DF1)
    assert result.ci_high == near(2 + T_CRIT_DF1)
    # Pooled SD sqrt((1 * 2 + 1 * 0) / 2) = 1; J = 1 - 3 / (4 * 4 - 9) = 4/7; g = 8/7.
    assert result.hedges_g == near(8 / 7)
    # U: every A change beats every B change, 4 of 4 pairs. B's tie means the normal
    # approximation: mean 2, variance 4/12 * (5 - 6/12) = 1.5, continuity 0.5.
    assert result.mann_whitney_u == 4
    z = (4 - 2 - 0.5) / math.sqrt(1.5)
    assert result.mann_whitney_p == near(math.erfc(z / math.sqrt(2)))
    assert (result.t, result.df, result.p, result.ci_low, result.ci_high) == near(_scipy(a, b))


def test_small_groups_without_ties_use_the_exact_mann_whitney() -> None:
    # A below B throughout: U = 0, and only 1 of the C(4, 2) = 6 orderings is as extreme on
    # each side, so p = 2/6.
    result = _difference([1.0, 2.0], [3.0, 4.0])
    assert result.mann_whitney_u == 0
    assert result.mann_whitney_p == near(1 / 3)


def test_ties_across_the_groups_worked_by_hand() -> None:
    a, b = [1.0, 2.0, 2.0, 3.0], [2.0, 2.0, 4.0, 5.0]
    result = _difference(a, b)
    # Ranks: 1 -> 1, the four 2s -> 3.5, 3 -> 6, 4 -> 7, 5 -> 8. A's rank sum 14, so
    # U_A = 14 - 4 * 5 / 2 = 4. Ties: one group of 4 (4^3 - 4 = 60).
    assert result.mann_whitney_u == 4
    variance = 16 / 12 * (9 - 60 / (8 * 7))
    z = (abs(4 - 8) - 0.5) / math.sqrt(variance)
    assert result.mann_whitney_p == near(math.erfc(z / math.sqrt(2)))
    # Means 2 and 3.25; variances 2/3 and 2.25.
    assert result.difference == near(-1.25)
    se = math.sqrt((2 / 3) / 4 + 2.25 / 4)
    assert result.t == near(-1.25 / se)
    df = se**4 / (((2 / 3) / 4) ** 2 / 3 + (2.25 / 4) ** 2 / 3)
    assert result.df == near(df)
    pooled = math.sqrt((3 * 2 / 3 + 3 * 2.25) / 6)
    assert result.hedges_g == near((1 - 3 / 23) * -1.25 / pooled)


def test_every_change_the_same_within_each_group_leaves_t_p_and_g_undefined() -> None:
    result = _difference([2.0, 2.0, 2.0], [1.0, 1.0])
    assert result.difference == 1
    assert (result.ci_low, result.ci_high) == (1, 1)  # no spread: the single value
    assert result.t is None and result.df is None and result.p is None
    assert result.hedges_g is None
    # Mann-Whitney still ranks them: U = 6 of 6; ties 2 and 3 (6 + 24); N = 5.
    variance = 6 / 12 * (6 - 30 / 20)
    z = (6 - 3 - 0.5) / math.sqrt(variance)
    assert result.mann_whitney_p == near(math.erfc(z / math.sqrt(2)))


def test_one_group_without_spread_still_compares() -> None:
    a, b = [0.0, 0.0, 0.0], [1.0, 2.0, 4.0, 5.0]
    result = _difference(a, b)
    # Only B's spread counts: df = n_B - 1.
    assert result.df == near(3.0)
    assert (result.t, result.df, result.p, result.ci_low, result.ci_high) == near(_scipy(a, b))


def test_the_same_change_in_every_person_is_no_spread_even_in_floating_point() -> None:
    result = _difference([0.0, 0.0], [3.12, 3.12, 3.12])  # float mean 3.1199999999999997
    assert result.t is None and result.p is None and result.hedges_g is None
    assert result.ci_low == result.ci_high == result.difference == near(-3.12)


def test_nobody_changed_in_either_group() -> None:
    result = _difference([0.0, 0.0], [0.0, 0.0, 0.0])
    assert result.difference == 0 and (result.ci_low, result.ci_high) == (0, 0)
    assert result.t is None and result.p is None and result.hedges_g is None
    assert result.mann_whitney_p is None  # nothing to rank
    assert result.mann_whitney_u == 3  # every pair a tie: half of 2 x 3


@pytest.mark.parametrize(("a", "b"), [([], [1.0, 2.0]), ([1.0], [1.0, 2.0]), ([1.0, 2.0], [3.0])])
def test_a_group_of_fewer_than_two_is_not_compared(a: list[float], b: list[float]) -> None:
    assert compare_changes(a, b) == TooSmall(len(a), len(b))


CHANGES = st.lists(st.integers(-50, 50).map(float), min_size=2, max_size=12) | st.lists(
    st.floats(-50, 50, allow_nan=False).map(lambda x: round(x, 2)), min_size=2, max_size=12
)


@settings(max_examples=60, deadline=None, derandomize=True)  # the same examples in every run
@given(a=CHANGES, b=CHANGES)
def test_every_figure_equals_scipy(a: list[float], b: list[float]) -> None:
    result = _difference(a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        u = stats.mannwhitneyu(a, b, alternative="two-sided")
    assert result.mann_whitney_u == near(u.statistic)
    if len(set(a) | set(b)) > 1:
        assert result.mann_whitney_p == near(u.pvalue)
    assert result.difference == near(sum(a) / len(a) - sum(b) / len(b))
    if len(set(a)) == 1 and len(set(b)) == 1:
        assert result.t is None  # scipy says inf or nan here
        return
    t, df, p, low, high = _scipy(a, b)
    assert result.t == near(t)
    assert result.df == near(df)
    assert result.p == near(p)
    assert (result.ci_low, result.ci_high) == near((low, high))
    j = 1 - 3 / (4 * (len(a) + len(b)) - 9)
    assert hedges_g(a, b) == near(j * _cohens_d_through_scipy(a, b))
