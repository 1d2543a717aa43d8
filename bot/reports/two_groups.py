"""Two independent groups' changes compared: Welch's t, Hedges' g and the Mann-Whitney U test.

Each person contributes one change (follow-up minus baseline). The groups are different people,
so they are compared as independent samples (docs/compare.md):
- the difference between the groups' mean changes (A minus B) with its 95% confidence interval
  and a two-sided p from Welch's t-test, whose degrees of freedom come from the
  Welch-Satterthwaite formula, so the groups need not have the same spread;
- Hedges' g: the difference over the pooled standard deviation, times the small-sample
  correction J = 1 - 3 / (4 (n_a + n_b) - 9);
- the Mann-Whitney U test (two-sided) on the changes, as a check that does not assume normal
  changes: U is group A's, p is scipy's (exact for small groups without ties, otherwise the
  normal approximation with the tie and continuity corrections).

As in paired.py, t, df and the interval are worked out from their formulas (tests check them
against scipy's `ttest_ind(equal_var=False)` to 1e-9), and the same edge cases are settled
the same way: fewer than MIN_GROUP people in either group computes nothing (`TooSmall`); when
every change within each group is the same (both standard deviations 0) t, df, p and g are
undefined and given as None, and the interval is the single value of the difference.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from bot.reports.paired import CONFIDENCE

MIN_GROUP = 2  # a standard deviation needs two people


@dataclass(frozen=True)
class Difference:
    n_a: int
    n_b: int
    difference: float  # group A's mean change minus group B's
    ci_low: float
    ci_high: float
    t: float | None
    df: float | None  # Welch-Satterthwaite: not a whole number
    p: float | None
    hedges_g: float | None
    mann_whitney_u: float
    mann_whitney_p: float | None


@dataclass(frozen=True)
class TooSmall:
    n_a: int
    n_b: int


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _variance(values: Sequence[float]) -> float:
    """The sample variance (n - 1 in the denominator); exactly 0 when every value is the same.

    Three changes of 3.12 have a float mean of 3.1199999999999997, and so a variance of 1e-32
    instead of 0: t would come out as -1e16 rather than undefined.
    """
    if len(set(values)) == 1:
        return 0.0
    mean = _mean(values)
    return sum((v - mean) ** 2 for v in values) / (len(values) - 1)


def compare_changes(a: Sequence[float], b: Sequence[float]) -> Difference | TooSmall:
    """Set group A's changes beside group B's."""
    n_a, n_b = len(a), len(b)
    if n_a < MIN_GROUP or n_b < MIN_GROUP:
        return TooSmall(n_a, n_b)
    from scipy import stats  # slow to import; only the report needs it

    difference = _mean(a) - _mean(b)
    share_a, share_b = _variance(a) / n_a, _variance(b) / n_b
    se = math.sqrt(share_a + share_b)
    t = df = p = None
    ci_low = ci_high = difference
    if se > 0:
        df = (share_a + share_b) ** 2 / (share_a**2 / (n_a - 1) + share_b**2 / (n_b - 1))
        t = difference / se
        p = float(2 * stats.t.sf(abs(t), df))
        half_width = float(stats.t.ppf(0.5 + CONFIDENCE / 2, df)) * se
        ci_low, ci_high = difference - half_width, difference + half_width
    u, u_p = mann_whitney(a, b)
    return Difference(
        n_a=n_a,
        n_b=n_b,
        difference=difference,
        ci_low=ci_low,
        ci_high=ci_high,
        t=t,
        df=df,
        p=p,
        hedges_g=hedges_g(a, b),
        mann_whitney_u=u,
        mann_whitney_p=u_p,
    )


def hedges_g(a: Sequence[float], b: Sequence[float]) -> float | None:
    """(mean A - mean B) / pooled SD, times J; None when the pooled SD is 0."""
    n_a, n_b = len(a), len(b)
    pooled = math.sqrt(((n_a - 1) * _variance(a) + (n_b - 1) * _variance(b)) / (n_a + n_b - 2))
    if pooled == 0:
        return None
    correction = 1 - 3 / (4 * (n_a + n_b) - 9)
    return correction * (_mean(a) - _mean(b)) / pooled


def mann_whitney(a: Sequence[float], b: Sequence[float]) -> tuple[float, float | None]:
    """Group A's U and the two-sided p; p is None when every change is the same (no ranks)."""
    from scipy import stats

    with warnings.catch_warnings():
        # Ties make scipy warn before it uses the normal approximation; that is the method.
        warnings.simplefilter("ignore")
        result = stats.mannwhitneyu(a, b, alternative="two-sided")
    p = float(result.pvalue)
    if len(set(a) | set(b)) == 1 or math.isnan(p):
        return float(result.statistic), None
    return float(result.statistic), p
