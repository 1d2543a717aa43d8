"""The outcomes picture: a paired before/after dot plot per headline measure.

Each mentee is a grey line from their baseline dot to their follow-up dot, so a supervisor sees
how many improved and by how much, not only the mean (drawn in dark blue with its value). Same
rules as the mentee charts (see charts.py): matplotlib's object API only, imported lazily,
no global state, deterministic bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the drawing process need not load SQLAlchemy to draw a mentee's picture
    from bot.reports.outcomes import Row

HEADLINE = ("ARC total", "ARC strengths", "ARC threats", "CEST self-esteem", "CEST self-efficacy")
DARK = "#0072B2"  # Okabe-Ito blue, as in the mentee charts


@dataclass(frozen=True)
class OutcomesChart:
    """The report's picture, described: drawn by the channel adapter after the commit."""

    rows: tuple[Row, ...]


def headline_rows(rows: Sequence[Row]) -> list[Row]:
    return [row for row in rows if row.measure.label in HEADLINE]


def render_outcomes_png(rows: Sequence[Row], *, dpi: int = 100) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    shown = headline_rows(rows)
    figure = Figure(figsize=(2.4 * max(len(shown), 1), 3.6), dpi=dpi)
    FigureCanvasAgg(figure)
    for index, row in enumerate(shown, start=1):
        ax = figure.add_subplot(1, len(shown), index)
        for before, after in zip(row.before, row.after, strict=True):
            ax.plot([0, 1], [before, after], color="#999999", linewidth=0.8, marker="o", ms=3)
        if row.before:
            mean_before = sum(row.before) / len(row.before)
            mean_after = sum(row.after) / len(row.after)
            ax.plot([0, 1], [mean_before, mean_after], color=DARK, linewidth=2.5, marker="s")
            ax.annotate(
                f"{mean_after:.1f}",
                (1, mean_after),
                xytext=(6, 0),
                textcoords="offset points",
                fontsize=8,
                color=DARK,
                va="center",
            )
            ax.annotate(
                f"{mean_before:.1f}",
                (0, mean_before),
                xytext=(-6, 0),
                textcoords="offset points",
                fontsize=8,
                color=DARK,
                va="center",
                ha="right",
            )
        title = row.measure.label + ("" if row.measure.higher_is_better else "\n(lower is better)")
        ax.set_title(f"{title}\nn = {len(row.before)}", fontsize=9)
        ax.set_xticks([0, 1], ["Baseline", "Follow-up"], fontsize=8)
        ax.set_xlim(-0.5, 1.5)
        ax.tick_params(axis="y", labelsize=8)
    figure.tight_layout()
    out = BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()
