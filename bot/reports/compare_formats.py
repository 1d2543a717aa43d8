"""A comparison of two groups as text (chat and terminal), CSV and JSON.

The same numbers as `Comparison` in every format, rounded only for reading (2 decimals, p to
3, as the outcomes report). CSV is one row per measure with both groups' paired results and
the difference, full precision, so a spreadsheet can check them; JSON nests the same.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from bot.reports.compare import Comparison, MeasureComparison
from bot.reports.outcome_formats import COLUMNS as PAIRED_COLUMNS
from bot.reports.paired import NotEnoughPairs, PairedResult
from bot.reports.two_groups import MIN_GROUP, Difference, TooSmall

DIFFERENCE_COLUMNS = (
    "difference",
    "difference_ci_low",
    "difference_ci_high",
    "welch_t",
    "welch_df",
    "welch_p",
    "hedges_g",
    "mann_whitney_u",
    "mann_whitney_p",
)
CSV_COLUMNS = (
    "measure",
    "group_a",
    *(f"a_{column}" for column in PAIRED_COLUMNS[1:]),
    "group_b",
    *(f"b_{column}" for column in PAIRED_COLUMNS[1:]),
    *DIFFERENCE_COLUMNS,
    "note",
)


def _number(value: float | None, places: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{places}f}"


def _p(value: float | None) -> str:
    if value is None:
        return "n/a"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def paired_record(result: PairedResult | NotEnoughPairs) -> dict[str, Any]:
    """One group's paired result under the outcomes report's own column names."""
    values: dict[str, Any] = dict.fromkeys(PAIRED_COLUMNS[1:])
    if isinstance(result, NotEnoughPairs):
        values["n"] = result.n
        return values
    values.update({column: getattr(result, column) for column in PAIRED_COLUMNS[1:]})
    return values


def difference_record(between: Difference | TooSmall) -> dict[str, Any]:
    if isinstance(between, TooSmall):
        return dict.fromkeys(DIFFERENCE_COLUMNS)
    return dict(
        zip(
            DIFFERENCE_COLUMNS,
            (
                between.difference,
                between.ci_low,
                between.ci_high,
                between.t,
                between.df,
                between.p,
                between.hedges_g,
                between.mann_whitney_u,
                between.mann_whitney_p,
            ),
            strict=True,
        )
    )


def note(comparison: Comparison, measure: MeasureComparison) -> str | None:
    """Why a figure is missing: a group too small to test, or nobody's change differing."""
    between = measure.between
    if isinstance(between, TooSmall):
        small = [
            f"{label} has {n}"
            for label, n in ((comparison.a_label, between.n_a), (comparison.b_label, between.n_b))
            if n < MIN_GROUP
        ]
        return (
            f"Too small to compare: {' and '.join(small)} with a before and after "
            f"(at least {MIN_GROUP} needed in each group)."
        )
    if between.t is None:
        return "Every change is the same within each group: t, p and g are not defined."
    return None


def _group_line(label: str, result: PairedResult | NotEnoughPairs) -> str:
    if isinstance(result, NotEnoughPairs):
        return f"{label}: n {result.n}, not enough for a paired test"
    return (
        f"{label}: n {result.n}, {_number(result.mean_before)} -> {_number(result.mean_after)}, "
        f"change {result.mean_difference:+.2f} (95% CI {_number(result.ci_low)} to "
        f"{_number(result.ci_high)}), t({result.df}) {_number(result.t)}, p {_p(result.p)}, "
        f"dz {_number(result.d_z)}, Wilcoxon p {_p(result.wilcoxon_p)}"
    )


def _difference_line(comparison: Comparison, measure: MeasureComparison) -> str:
    head = f"{comparison.a_label} minus {comparison.b_label}"
    between = measure.between
    if isinstance(between, TooSmall):
        return f"{head}: {note(comparison, measure)}"
    df = "n/a" if between.df is None else f"{between.df:.1f}"
    return (
        f"{head}: {between.difference:+.2f} (95% CI {_number(between.ci_low)} to "
        f"{_number(between.ci_high)}), Welch t({df}) {_number(between.t)}, p {_p(between.p)}, "
        f"g {_number(between.hedges_g)}, Mann-Whitney p {_p(between.mann_whitney_p)}"
    )


def as_text(comparison: Comparison, *, title: str, notes: bool = True) -> str:
    """A block per measure: each group's line, then the difference; then the notes (which
    the chat sends as a message of their own: one message holds 4096 characters)."""
    lines = [title]
    for measure in comparison.measures:
        better = "" if measure.higher_is_better else " (lower is better)"
        lines += [
            "",
            measure.label + better,
            _group_line(comparison.a_label, measure.a),
            _group_line(comparison.b_label, measure.b),
            _difference_line(comparison, measure),
        ]
    return "\n".join([*lines, "", *comparison.definitions] if notes else lines)


def as_csv(comparison: Comparison) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for measure in comparison.measures:
        row: dict[str, Any] = {"measure": measure.label, "group_a": comparison.a_label}
        row |= {f"a_{k}": v for k, v in paired_record(measure.a).items()}
        row["group_b"] = comparison.b_label
        row |= {f"b_{k}": v for k, v in paired_record(measure.b).items()}
        row |= difference_record(measure.between)
        row["note"] = note(comparison, measure)
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()


def as_json(comparison: Comparison) -> str:
    document = {
        "groups": [comparison.a_label, comparison.b_label],
        "comparable": comparison.comparable,
        "measures": [
            {
                "measure": measure.label,
                "higher_is_better": measure.higher_is_better,
                "a": paired_record(measure.a),
                "b": paired_record(measure.b),
                "difference": (
                    None
                    if isinstance(measure.between, TooSmall)
                    else difference_record(measure.between)
                ),
                "note": note(comparison, measure),
            }
            for measure in comparison.measures
        ],
        "definitions": list(comparison.definitions),
    }
    return json.dumps(document, indent=2)
