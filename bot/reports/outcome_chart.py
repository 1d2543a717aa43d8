"""The outcomes picture: a paired before/after dot plot per headline measure.

Each mentee is a grey line from their baseline dot to their follow-up dot, so a supervisor sees
how many improved and by how much, not only the mean (drawn in dark blue with its value). Same
rules as the mentee charts (see charts.py): matplotlib's object API only, imported lazily,
no global state, deterministic bytes.

A measure with fewer than two pairs has nothing to compare, so its panel says so in words
rather than showing empty 0-1 axes; with no measure to compare, the picture is one panel of
words (a new service, or a filter that matches nobody yet).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING

from bot.reports.paired import MIN_PAIRS

if TYPE_CHECKING:  # the drawing process need not load SQLAlchemy to draw a mentee's picture
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from bot.reports.outcomes import Row

HEADLINE = ("ARC total", "ARC strengths", "ARC threats", "CEST self-esteem", "CEST self-efficacy")
DARK = "#0072B2"  # Okabe-Ito blue, as in the mentee charts
NOT_ENOUGH = "Not enough pairs yet"


@dataclass(frozen=True)
class OutcomesChart:
    """The report's picture, described: drawn by the channel adapter after the commit."""

    rows: tuple[Row, ...]


def headline_rows(rows: Sequence[Row]) -> list[Row]:
    return [row for row in rows if row.measure.label in HEADLINE]


def comparable(rows: Sequence[Row]) -> bool:
    """True when at least one headline measure has enough pairs to draw a comparison."""
    return any(len(row.before) >= MIN_PAIRS for row in headline_rows(rows))


def render_outcomes_png(rows: Sequence[Row], *, dpi: int = 100) -> bytes:
    figure = outcomes_figure(rows, dpi=dpi)
    out = BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def outcomes_figure(rows: Sequence[Row], *, dpi: int = 100) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    shown = headline_rows(rows)
    if not comparable(shown):
        figure = Figure(figsize=(4.8, 2.4), dpi=dpi)
        FigureCanvasAgg(figure)
        ax = figure.add_subplot(1, 1, 1)
        pairs = max((len(row.before) for row in shown), default=0)
        _words(ax, f"{NOT_ENOUGH}\n\n{pairs} mentee(s) with a baseline and a follow-up;")
        ax.text(0.5, 0.25, f"{MIN_PAIRS} are needed to compare.", ha="center", fontsize=10)
        figure.tight_layout()
        return figure
    figure = Figure(figsize=(2.4 * len(shown), 3.6), dpi=dpi)
    FigureCanvasAgg(figure)
    for index, row in enumerate(shown, start=1):
        ax = figure.add_subplot(1, len(shown), index)
        title = row.measure.label + ("" if row.measure.higher_is_better else "\n(lower is better)")
        ax.set_title(f"{title}\nn = {len(row.before)}", fontsize=9)
        if len(row.before) < MIN_PAIRS:
            _words(ax, NOT_ENOUGH.replace(" pairs", "\npairs"))
            continue
        _pairs(ax, row)
    figure.tight_layout()
    return figure


def _words(ax: Axes, words: str) -> None:
    ax.set_axis_off()
    ax.text(0.5, 0.6, words, ha="center", va="center", fontsize=10, wrap=True)


def _pairs(ax: Axes, row: Row) -> None:
    for before, after in zip(row.before, row.after, strict=True):
        ax.plot([0, 1], [before, after], color="#999999", linewidth=0.8, marker="o", ms=3)
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
    ax.set_xticks([0, 1], ["Baseline", "Follow-up"], fontsize=8)
    ax.set_xlim(-0.5, 1.5)
    ax.tick_params(axis="y", labelsize=8)
