"""The comparison picture: both groups' changes per measure, one person a dot, built for a phone.

One panel per headline measure, stacked (a phone is held upright, so panels side by side would
be too small to read). In each panel a row per group: every person's change as a dot (equal
changes stacked, so none hides another), and under the dots the group's mean change with its
95% confidence interval. A dashed line marks no change; the title says which way is better and
gives the difference between the groups. Same rules as the other charts (charts.py):
matplotlib's object API only, imported lazily, no global state, deterministic bytes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING

from bot.reports.compare import Comparison, MeasureComparison
from bot.reports.outcome_chart import HEADLINE
from bot.reports.paired import PairedResult
from bot.reports.two_groups import Difference

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

COLOURS = ("#0072B2", "#D55E00")  # Okabe-Ito blue and vermilion: apart for colour-blind eyes
GREY = "#777777"
WIDTH, PANEL_HEIGHT = 4.2, 2.3  # inches; 630 pixels wide at 150 dpi
FONT, SMALL = 11, 10  # points: about 1/28 of the width, readable in a chat bubble
LONGEST_LABEL = 20
NOT_ENOUGH = "Not enough people in both groups to compare yet"
NO_ONE = "No one in either group has this score yet"


@dataclass(frozen=True)
class ComparisonChart:
    """The picture, described: drawn by the channel adapter after the commit."""

    comparison: Comparison


def render_comparison_png(comparison: Comparison, *, dpi: int = 150) -> bytes:
    figure = comparison_figure(comparison, dpi=dpi)
    out = BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def comparison_figure(comparison: Comparison, *, dpi: int = 150) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    shown = comparison.headline(HEADLINE)
    if not shown.comparable:
        figure = Figure(figsize=(WIDTH, 2.0), dpi=dpi)
        FigureCanvasAgg(figure)
        ax = figure.add_subplot(1, 1, 1)
        ax.set_axis_off()
        words = f"{NOT_ENOUGH}:\n{_short(shown.a_label)} and {_short(shown.b_label)}"
        ax.text(0.5, 0.5, words, ha="center", va="center", fontsize=SMALL, wrap=True)
        return figure
    figure = Figure(figsize=(WIDTH, PANEL_HEIGHT * len(shown.measures) + 0.4), dpi=dpi)
    FigureCanvasAgg(figure)
    for index, measure in enumerate(shown.measures, start=1):
        _panel(figure.add_subplot(len(shown.measures), 1, index), shown, measure)
    figure.supxlabel("Change (follow-up minus baseline)\none dot a person", fontsize=SMALL)
    figure.tight_layout()
    return figure


def _short(label: str) -> str:
    return label if len(label) <= LONGEST_LABEL else label[: LONGEST_LABEL - 1] + "…"


def _panel(ax: Axes, comparison: Comparison, measure: MeasureComparison) -> None:
    from matplotlib.ticker import MaxNLocator

    better = "higher is better" if measure.higher_is_better else "lower is better"
    if not measure.a_changes and not measure.b_changes:  # empty axes would say nothing
        ax.set_title(f"{measure.label} ({better})", fontsize=FONT, loc="left", fontweight="bold")
        ax.set_axis_off()
        ax.text(0.5, 0.5, NO_ONE, ha="center", va="center", fontsize=SMALL)
        return
    # The bold title sits above the two lines of the difference (pad in points).
    ax.set_title(
        f"{measure.label} ({better})", fontsize=FONT, loc="left", fontweight="bold", pad=30
    )
    ax.text(
        0,
        1.03,
        _difference(comparison, measure),
        transform=ax.transAxes,
        fontsize=SMALL,
        va="bottom",
    )
    groups = (
        (comparison.a_label, measure.a_changes, measure.a, 1.0),
        (comparison.b_label, measure.b_changes, measure.b, 0.0),
    )
    for (label, changes, result, y), colour in zip(groups, COLOURS, strict=True):
        ax.text(
            0.01,
            y + 0.3,
            f"{_short(label)} (n = {len(changes)})",
            transform=ax.get_yaxis_transform(),
            color=colour,
            fontsize=SMALL,
            va="center",
        )
        xs, ys = _stacked(changes, y)
        ax.scatter(xs, ys, s=22, color=colour, alpha=0.75, linewidths=0, zorder=3)
        if isinstance(result, PairedResult):
            mean, low, high = result.mean_difference, result.ci_low, result.ci_high
            ax.errorbar(
                [mean],
                [y - 0.32],
                xerr=[[mean - low], [high - mean]],
                fmt="D",
                color=colour,
                ms=6,
                capsize=4,
                linewidth=2,
                zorder=4,
            )
    ax.axvline(0, color=GREY, linestyle="--", linewidth=0.8, zorder=1)
    low, high = ax.get_xlim()
    if high - low < 2:  # one change, or all alike: whole points, not -0.04 to 0.04
        middle = (low + high) / 2
        ax.set_xlim(middle - 1, middle + 1)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))  # few labels, whole points
    ax.set_yticks([])  # the groups are named above their dots, leaving the width to the data
    ax.set_ylim(-0.55, 1.5)
    ax.tick_params(axis="x", labelsize=SMALL)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6, zorder=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def _difference(comparison: Comparison, measure: MeasureComparison) -> str:
    between = measure.between
    head = f"{_short(comparison.a_label)} minus {_short(comparison.b_label)}"
    if not isinstance(between, Difference):
        return f"{head}:\ntoo small to compare"
    p = "n/a" if between.p is None else ("<0.001" if between.p < 0.001 else f"{between.p:.3f}")
    return (
        f"{head}:\n{between.difference:+.1f} (95% CI {between.ci_low:.1f} to "
        f"{between.ci_high:.1f}), p {p}"
    )


def _stacked(changes: Sequence[float], y: float) -> tuple[list[float], list[float]]:
    """Dots at their change; equal changes spread a little up and down so each is seen."""
    counts = Counter(changes)
    step = min(0.1, 0.5 / max(counts.values(), default=1))
    placed: Counter[float] = Counter()
    xs, ys = [], []
    for change in sorted(changes):
        offset = (placed[change] - (counts[change] - 1) / 2) * step
        placed[change] += 1
        xs.append(change)
        ys.append(y + offset)
    return xs, ys
