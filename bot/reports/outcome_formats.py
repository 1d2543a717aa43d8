"""The outcomes report as text (Telegram), a rich table (terminal), CSV, JSON and a picture.

Every format shows the same numbers from `OutcomeReport`; only the layout differs. Figures
are rounded for reading (2 decimals, p to 3), never before computing. With fewer than two
pairs the text says "Not enough pairs yet" instead of a table of dashes; CSV keeps its
columns (a row per measure with its n and empty figures, so a spreadsheet still opens the same
way) and JSON says `"enough_pairs": false`.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from bot.reports.outcomes import OutcomeReport, Row
from bot.reports.paired import MIN_PAIRS, NotEnoughPairs, PairedResult

COLUMNS = (
    "measure",
    "n",
    "mean_before",
    "mean_after",
    "mean_difference",
    "ci_low",
    "ci_high",
    "t",
    "df",
    "p",
    "d_z",
    "wilcoxon_p",
)


def _number(value: float | None, places: int = 2) -> str:
    if value is None:
        return "n/a"
    return f"{value:.{places}f}"


def _p(value: float | None) -> str:
    if value is None:
        return "n/a"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def record(row: Row) -> dict[str, Any]:
    """One measure as plain values (None where not defined or not computed)."""
    result = row.result
    values: dict[str, Any] = {"measure": row.measure.label}
    if isinstance(result, NotEnoughPairs):
        values.update({column: None for column in COLUMNS[1:]})
        values["n"] = result.n
        return values
    values.update(
        n=result.n,
        mean_before=result.mean_before,
        mean_after=result.mean_after,
        mean_difference=result.mean_difference,
        ci_low=result.ci_low,
        ci_high=result.ci_high,
        t=result.t,
        df=result.df,
        p=result.p,
        d_z=result.d_z,
        wilcoxon_p=result.wilcoxon_p,
    )
    return values


def _line(row: Row) -> str:
    result = row.result
    if isinstance(result, NotEnoughPairs):
        return f"{row.measure.label}: {result.n} pair(s), not enough to compare"
    return (
        f"{row.measure.label}: {_number(result.mean_before)} -> {_number(result.mean_after)}, "
        f"diff {result.mean_difference:+.2f} (95% CI {_number(result.ci_low)} to "
        f"{_number(result.ci_high)}), t({result.df}) {_number(result.t)}, p {_p(result.p)}, "
        f"dz {_number(result.d_z)}, Wilcoxon p {_p(result.wilcoxon_p)}"
    )


def activity_lines(report: OutcomeReport) -> list[str]:
    activity = report.activity
    lines = [
        f"Mentees taking part: {activity.mentees}.",
        f"Meetings held {activity.meetings_held}, missed {activity.meetings_missed}.",
        f"Goals set {activity.goals_set}, achieved {activity.goals_achieved}.",
    ]
    if activity.signposts_by_category:
        kinds = ", ".join(f"{k} {n}" for k, n in activity.signposts_by_category.items())
        lines.append(f"Services signposted: {kinds}.")
    else:
        lines.append("Services signposted: none.")
    if activity.site_moves:
        moves = ", ".join(f"{k} {n}" for k, n in activity.site_moves.items())
        lines.append(f"Moves between clinics: {moves}.")
    if activity.lookups_by_category:
        kinds = ", ".join(f"{k} {n}" for k, n in activity.lookups_by_category.items())
        lines.append(f"Services looked up with /find: {kinds}.")
    return lines


NOT_ENOUGH_PAIRS = (
    "Not enough pairs yet. Fewer than 2 mentees have a baseline and a later full check, "
    "so no comparison is computed."
)


def enough_pairs(report: OutcomeReport) -> bool:
    return report.pairs >= MIN_PAIRS


def as_text(report: OutcomeReport, *, title: str) -> str:
    """A compact text version for a chat message: one line per measure, then the notes."""
    lines = [title, f"Pairs (baseline and follow-up): {report.pairs}"]
    if not enough_pairs(report):
        lines.append(NOT_ENOUGH_PAIRS)
    else:
        lines += [_line(row) for row in report.rows]
    lines += ["", *activity_lines(report), "", *report.definitions]
    return "\n".join(lines)


def as_csv(report: OutcomeReport) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in report.rows:
        writer.writerow({k: "" if v is None else v for k, v in record(row).items()})
    return out.getvalue()


def as_json(report: OutcomeReport) -> str:
    activity = report.activity
    document = {
        "pairs": report.pairs,
        "enough_pairs": enough_pairs(report),
        "measures": [record(row) for row in report.rows],
        "activity": {
            "mentees": activity.mentees,
            "meetings_held": activity.meetings_held,
            "meetings_missed": activity.meetings_missed,
            "goals_set": activity.goals_set,
            "goals_achieved": activity.goals_achieved,
            "signposts_by_category": activity.signposts_by_category,
            "lookups_by_category": activity.lookups_by_category,
            "site_moves": activity.site_moves,
        },
        "definitions": list(report.definitions),
    }
    return json.dumps(document, indent=2)


def rich_table(report: OutcomeReport, *, title: str) -> Any:
    from rich.table import Table  # the terminal only

    table = Table(title=title, caption=f"Pairs: {report.pairs}")
    for column in ("Measure", "n", "Before", "After", "Diff", "95% CI", "t", "df", "p", "d_z"):
        table.add_column(column, justify="left" if column == "Measure" else "right")
    table.add_column("Wilcoxon p", justify="right")
    for row in report.rows:
        result = row.result
        if isinstance(result, PairedResult):
            table.add_row(
                row.measure.label,
                str(result.n),
                _number(result.mean_before),
                _number(result.mean_after),
                f"{result.mean_difference:+.2f}",
                f"{_number(result.ci_low)} to {_number(result.ci_high)}",
                _number(result.t),
                str(result.df),
                _p(result.p),
                _number(result.d_z),
                _p(result.wilcoxon_p),
            )
        else:
            table.add_row(row.measure.label, str(result.n), *["-"] * 9)
    return table
