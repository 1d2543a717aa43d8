"""Paired before/after statistics, as the service has always reported its outcomes.

docs/instruments.md: for each measure n, the means, the mean difference with its 95% confidence
interval, t, df and the two-sided p of a paired t-test, Cohen's d_z, and the Wilcoxon signed-rank
p as a check for small samples. The t-test is worked out here from its formula (so the report
does not hinge on one library's edge cases, and the tests can check it by hand); scipy gives the
t distribution and the Wilcoxon test.

Two edge cases the formulas leave open are settled here, and printed under the report:
- every difference identical (standard deviation 0): t, p and d_z are undefined and given as
  None; the interval is the single value. When that value is 0 nobody changed.
- fewer than MIN_PAIRS pairs: nothing is computed (`NotEnoughPairs`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

MIN_PAIRS = 2
CONFIDENCE = 0.95


@dataclass(frozen=True)
class PairedResult:
    n: int
    mean_before: float
    mean_after: float
    mean_difference: float  # after minus before
    ci_low: float
    ci_high: float
    t: float | None
    df: int
    p: float | None
    d_z: float | None
    wilcoxon_p: float | None


@dataclass(frozen=True)
class NotEnoughPairs:
    n: int


def paired(before: Sequence[float], after: Sequence[float]) -> PairedResult | NotEnoughPairs:
    """Compare each person's after with their own before."""
    if len(before) != len(after):
        raise ValueError("before and after must have one value per person")
    n = len(before)
    if n < MIN_PAIRS:
        return NotEnoughPairs(n)
    from scipy import stats  # slow to import; only the report needs it

    differences = [b - a for a, b in zip(before, after, strict=True)]
    mean_difference = sum(differences) / n
    df = n - 1
    # Identical differences have no spread, even when their float mean is off in the 16th
    # digit (three changes of 3.12 average 3.1199999999999997): t must be n/a, not 1e16.
    spread = len(set(differences)) > 1
    sd = math.sqrt(sum((d - mean_difference) ** 2 for d in differences) / df) if spread else 0.0
    critical = float(stats.t.ppf(0.5 + CONFIDENCE / 2, df))
    half_width = critical * sd / math.sqrt(n)
    t: float | None = None
    p: float | None = None
    d_z: float | None = None
    if sd > 0:
        t = mean_difference / (sd / math.sqrt(n))
        p = float(2 * stats.t.sf(abs(t), df))
        d_z = mean_difference / sd
    return PairedResult(
        n=n,
        mean_before=sum(before) / n,
        mean_after=sum(after) / n,
        mean_difference=mean_difference,
        ci_low=mean_difference - half_width,
        ci_high=mean_difference + half_width,
        t=t,
        df=df,
        p=p,
        d_z=d_z,
        wilcoxon_p=_wilcoxon(differences),
    )


def _wilcoxon(differences: Sequence[float]) -> float | None:
    """Signed-rank p; None when every difference is zero (the test has nothing to rank)."""
    if all(d == 0 for d in differences):
        return None
    from scipy import stats

    with warnings.catch_warnings():
        # Tiny samples make scipy warn that the normal approximation is rough; the exact
        # distribution is used where scipy can, and the t-test is the headline figure anyway.
        warnings.simplefilter("ignore")
        return float(stats.wilcoxon(differences).pvalue)
