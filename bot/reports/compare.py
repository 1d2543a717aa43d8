"""Two groups' outcomes side by side, one measure at a time (docs/compare.md).

For each measure: each group's paired before/after result exactly as the outcomes report gives
it (paired.py), then the groups set against each other on their changes (two_groups.py). The
groups are whatever two lists of rows the caller brings: the hub and the spokes, one mentor's
mentees and the rest, those who finished and those who left early, or our mentees and another
programme's file. Nothing here touches the database, so the chat, the command line and the
picture share one set of numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.reports.paired import NotEnoughPairs, PairedResult, paired
from bot.reports.two_groups import MIN_GROUP, Difference, TooSmall, compare_changes

if TYPE_CHECKING:  # the drawing process unpickles these without loading SQLAlchemy
    from bot.reports.outcomes import Row

DEFINITIONS = (
    "Change = follow-up minus baseline, for each person. Each group's line is its paired "
    "result, as in the outcomes report.",
    "Difference = the first group's mean change minus the second's. 95% CI and two-sided p "
    "from Welch's t-test (degrees of freedom by the Welch-Satterthwaite formula). Hedges' g "
    "= difference / pooled SD of the changes x (1 - 3 / (4N - 9)). Mann-Whitney U p: "
    "two-sided, on the changes.",
    f"Fewer than {MIN_GROUP} people in a group: that comparison is not computed. n/a: not "
    "defined because every change is the same.",
    "The groups were not chosen at random, so a difference may come from who was in each "
    "group rather than from what they were offered.",
)


@dataclass(frozen=True)
class MeasureComparison:
    """One measure: both groups' paired results and the difference between their changes."""

    label: str
    higher_is_better: bool
    a: PairedResult | NotEnoughPairs
    b: PairedResult | NotEnoughPairs
    between: Difference | TooSmall
    a_changes: tuple[float, ...]
    b_changes: tuple[float, ...]


@dataclass(frozen=True)
class Comparison:
    a_label: str
    b_label: str
    measures: tuple[MeasureComparison, ...]
    definitions: tuple[str, ...] = DEFINITIONS

    def headline(self, labels: Sequence[str]) -> Comparison:
        """The same comparison with only these measures, in this order (the chat's five)."""
        by_label = {m.label: m for m in self.measures}
        kept = tuple(by_label[label] for label in labels if label in by_label)
        return Comparison(self.a_label, self.b_label, kept, self.definitions)

    @property
    def comparable(self) -> bool:
        """True when at least one measure has enough people in both groups."""
        return any(isinstance(m.between, Difference) for m in self.measures)


def changes(row: Row) -> tuple[float, ...]:
    return tuple(after - before for before, after in zip(row.before, row.after, strict=True))


def compare_rows(
    a_label: str, a_rows: Sequence[Row], b_label: str, b_rows: Sequence[Row]
) -> Comparison:
    """Match the two groups' rows by measure (the same list, in the same order)."""
    if [r.measure for r in a_rows] != [r.measure for r in b_rows]:
        raise ValueError("both groups must have the same measures in the same order")
    measures = []
    for a, b in zip(a_rows, b_rows, strict=True):
        a_changes, b_changes = changes(a), changes(b)
        measures.append(
            MeasureComparison(
                label=a.measure.label,
                higher_is_better=a.measure.higher_is_better,
                a=paired(a.before, a.after),
                b=paired(b.before, b.after),
                between=compare_changes(a_changes, b_changes),
                a_changes=a_changes,
                b_changes=b_changes,
            )
        )
    return Comparison(a_label, b_label, tuple(measures))
