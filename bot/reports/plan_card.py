"""Draw a mentee's plan as one PNG "card": what matters most, goals with ticks, next meeting.

It follows the rules of bot/reports/charts.py: matplotlib's object API on Agg (never pyplot,
safe in a worker thread), imported lazily so the CLI starts fast, explicit sizes and colours
(no global rcParams), no PNG metadata, and a small palette PNG for mentees paying for data.
Steps are drawn as boxes, ticked when done, so progress shows without reading; the box is
the cue, not its colour.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.reports.charts import (
    BACKGROUND,
    FIG_WIDTH_IN,
    FONT_FAMILY,
    GRID_COLOUR,
    LATEST_COLOUR,
    MUTED_COLOUR,
    OUTER_PAD_IN,
    TEXT_COLOUR,
    palette_png,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["CardGoal", "PlanCard", "render_plan_card_png"]


@dataclass(frozen=True)
class CardGoal:
    """One goal as the card shows it; every string already in plain words."""

    title: str
    steps_done: int = 0
    steps_total: int = 0
    lines: tuple[str, ...] = ()  # e.g. "Next step: ...", "Updates: 3, last: done"


@dataclass(frozen=True)
class PlanCard:
    """Everything on the card, described as data so it can be drawn after the commit."""

    title: str
    priorities_heading: str
    priorities: tuple[str, ...]
    goals_heading: str
    goals: tuple[CardGoal, ...]
    no_goals: str
    meeting: str


TITLE_SIZE = 26.0
HEADING_SIZE = 21.0
GOAL_SIZE = 19.0
LINE_SIZE = 17.0
LINE_SPACING = 1.3
CHAR_WIDTH_EM = 0.6  # DejaVu Sans is wide: a safe average for wrapping without measuring
BOX_IN = 0.22
BOX_GAP_IN = 0.08
MAX_BOXES = 12  # more steps than this are summed up in words ("3 of 15")
SECTION_GAP_IN = 0.3
TOP_PAD_IN = 0.3
BOTTOM_PAD_IN = 0.3


def _wrap(text: str, size: float, indent_in: float = 0.0) -> list[str]:
    width_pt = (FIG_WIDTH_IN - 2 * OUTER_PAD_IN - indent_in) * 72
    return textwrap.wrap(text, max(10, int(width_pt / (size * CHAR_WIDTH_EM)))) or [""]


def _height(lines: int, size: float) -> float:
    return lines * size * LINE_SPACING / 72


def render_plan_card_png(card: PlanCard, *, dpi: int = 100) -> bytes:
    """The card as PNG bytes, 8 * dpi pixels wide. Blocks; call it from a worker thread."""
    if isinstance(dpi, bool) or not isinstance(dpi, int) or dpi <= 0:
        raise ValueError(f"dpi must be a positive integer, not {dpi!r}")
    return palette_png(_build_figure(card, dpi=dpi))


@dataclass(frozen=True)
class _Text:
    top: float  # inches from the top
    left: float
    text: str
    size: float
    bold: bool = False
    muted: bool = False


@dataclass(frozen=True)
class _Boxes:
    top: float
    done: int
    total: int


def _layout(card: PlanCard) -> tuple[list[_Text | _Boxes], float]:
    """Everything's place, in inches from the top; and the picture's height."""
    items: list[_Text | _Boxes] = []
    y = TOP_PAD_IN

    def text(
        words: str, size: float, *, left: float = 0.0, bold: bool = False, muted: bool = False
    ) -> None:
        nonlocal y
        lines = _wrap(words, size, left)
        items.append(_Text(y, OUTER_PAD_IN + left, "\n".join(lines), size, bold, muted))
        y += _height(len(lines), size)

    text(card.title, TITLE_SIZE, bold=True)
    if card.priorities:
        y += SECTION_GAP_IN
        text(card.priorities_heading, HEADING_SIZE, bold=True)
        for number, area in enumerate(card.priorities, start=1):
            text(f"{number}. {area}", GOAL_SIZE, left=0.2)
    y += SECTION_GAP_IN
    text(card.goals_heading, HEADING_SIZE, bold=True)
    if not card.goals:
        text(card.no_goals, LINE_SIZE, left=0.2, muted=True)
    for goal in card.goals:
        y += 0.12
        text(goal.title, GOAL_SIZE, left=0.2, bold=True)
        if 0 < goal.steps_total <= MAX_BOXES:
            y += 0.06
            items.append(_Boxes(y, goal.steps_done, goal.steps_total))
            y += BOX_IN + 0.08
        for line in goal.lines:
            text(line, LINE_SIZE, left=0.4, muted=True)
    y += SECTION_GAP_IN
    text(card.meeting, LINE_SIZE)
    return items, y + BOTTOM_PAD_IN


def _build_figure(card: PlanCard, *, dpi: int) -> Figure:
    """Draw the card on a new Figure (kept apart from the PNG step so tests can read it)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    items, height_in = _layout(card)
    fig = Figure(figsize=(FIG_WIDTH_IN, height_in), dpi=dpi, facecolor=BACKGROUND)
    fig.set_layout_engine("none")
    FigureCanvasAgg(fig)

    def fx(inches: float) -> float:
        return inches / FIG_WIDTH_IN

    def fy(inches_from_top: float) -> float:
        return 1 - inches_from_top / height_in

    for item in items:
        if isinstance(item, _Text):
            fig.text(
                fx(item.left),
                fy(item.top),
                item.text,
                ha="left",
                va="top",
                fontsize=item.size,
                fontweight="bold" if item.bold else "normal",
                fontfamily=FONT_FAMILY,
                color=MUTED_COLOUR if item.muted else TEXT_COLOUR,
                linespacing=LINE_SPACING,
                parse_math=False,
            )
            continue
        for index in range(item.total):
            left = OUTER_PAD_IN + 0.4 + index * (BOX_IN + BOX_GAP_IN)
            done = index < item.done
            fig.add_artist(
                Rectangle(
                    (fx(left), fy(item.top + BOX_IN)),
                    fx(BOX_IN),
                    BOX_IN / height_in,
                    transform=fig.transFigure,
                    facecolor=LATEST_COLOUR if done else BACKGROUND,
                    edgecolor=LATEST_COLOUR if done else GRID_COLOUR,
                    linewidth=1.5,
                )
            )
            if done:  # a white tick inside the filled box
                xs = [left + 0.05, left + 0.09, left + 0.17]
                ys = [item.top + 0.11, item.top + 0.16, item.top + 0.06]
                fig.add_artist(
                    Line2D(
                        [fx(x) for x in xs],
                        [fy(y) for y in ys],
                        transform=fig.transFigure,
                        color=BACKGROUND,
                        linewidth=2.2,
                    )
                )
    return fig
