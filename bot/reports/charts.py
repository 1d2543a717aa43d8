"""Draw a mentee's questionnaire results as one PNG they can read on a small phone.

Why it looks and works the way it does:

* **Horizontal bars, not a radar.** Radar ("spider") charts are the usual picture for recovery
  capital, but they are hard to read: areas exaggerate differences, labels sit at awkward
  angles, and on a cheap phone the ten spokes blur together. A row per domain, with the label
  in plain words on the left and the number printed at the end of the bar, can be read by
  someone with limited reading, and the baseline-beside-latest comparison is just two bars of
  different shade.
* **Colour is never the only cue.** The earlier result is a light, hatched bar and the latest a
  solid dark one (Okabe-Ito blue, safe for common colour-blindness); the legend names them with
  their dates and every bar carries its number. A scale where lower is better says so under its
  title.
* **It explains itself.** Every axis says what the numbers are out of ("Each area, out of 5"),
  the legend dates each sitting (even when there is only one), areas the chat calls strongest
  or to work on carry the same words under their names, and a note under the title can say
  "Based on 9 of 10 answers". A value may be missing (NaN: the question was skipped): it gets
  no bar and "no answer" where its number would be, never a zero. Numbers are printed by
  `bot.reports.rounding.shown`, the rule the chat uses too.
* **Two renderers, one layout.** Mentees get these pictures drawn with Pillow directly
  (bot/reports/pillow_charts.py, a tenth of the cost); the matplotlib renderer here is the
  reference it copies, and both place everything by `layout`, so they agree to the pixel size.
* **Agg, off the event loop.** `render_results_png` may run in worker threads, so it uses
  matplotlib's object API (`Figure` + `FigureCanvasAgg`), never `pyplot`, whose global figure
  manager is not thread-safe, and never touches the global `rcParams`: every size and colour
  is passed explicitly to the artist that needs it.
* **Lazy import.** matplotlib takes a noticeable fraction of a second to import, and this module
  may be imported by the CLI (`mentorbot --help` must start quickly), so matplotlib is imported
  inside the functions that draw, not at module import time.
* **Deterministic and small.** The layout is computed by hand in inches from measured text,
  fonts are matplotlib's bundled DejaVu Sans, and the PNG carries no metadata (no "Software"
  version string, no timestamp), so the same input gives the same bytes. The picture has only a
  few flat colours, so it is re-encoded as a 64-colour palette PNG: a typical two-panel picture
  is about 30 KB instead of about 90 KB, which matters to mentees paying for data.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING

from bot.flows import texts  # words only: it imports nothing, so the drawing process stays small
from bot.reports.rounding import shown

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from PIL import Image

__all__ = ["Panel", "Series", "render_results_png"]


@dataclass(frozen=True)
class Series:
    """One set of results, e.g. the first check or the latest one."""

    label: str  # e.g. "First check (3 Nov)" / "Now (8 Dec)": the legend dates each sitting
    values: tuple[float, ...]  # one per category, same order; math.nan means "not answered"


@dataclass(frozen=True)
class Panel:
    """One chart in the picture: a scale's categories with one or two sets of results."""

    title: str  # short plain title, e.g. "Your recovery strengths"
    categories: tuple[str, ...]  # plain labels, e.g. "Drug use", "Mood", ...
    series: tuple[Series, ...]  # 1 or 2 series (earlier first, latest last)
    scale_min: float
    scale_max: float
    higher_is_better: bool = True
    scale: str = ""  # what the numbers are out of, under the axis: "Each area, out of 5"
    marks: tuple[str, ...] = ()  # per category ("" for none), e.g. "strongest", "to work on"
    note: str | None = None  # small, under the title, e.g. "Based on 9 of 10 answers"


# --- Look ------------------------------------------------------------------------------------
# Sizes are in points. The picture is FIG_WIDTH_IN inches wide, i.e. 800 px at the default
# 100 dpi; a phone shows that at roughly half size, so text needs to be big.

FIG_WIDTH_IN = 8.0
TITLE_SIZE = 23.0
NOTE_SIZE = 18.0
LEGEND_SIZE = 17.0
CATEGORY_SIZE = 20.0
VALUE_SIZE = 18.0
TICK_SIZE = 16.0

TEXT_COLOUR = "#1A1A1A"
MUTED_COLOUR = "#4D4D4D"
LATEST_COLOUR = "#0072B2"  # Okabe-Ito blue
EARLIER_FILL = "#CCE3F2"  # the same blue, much lighter
EARLIER_HATCH = "//"
GRID_COLOUR = "#D9D9D9"
BACKGROUND = "#FFFFFF"
FONT_FAMILY = "DejaVu Sans"  # bundled with matplotlib, so rendering does not vary by machine

OUTER_PAD_IN = 0.25  # white space at the left and right edges
TOP_PAD_IN = 0.22
BOTTOM_PAD_IN = 0.2
PANEL_GAP_IN = 0.5  # between one panel's axis numbers and the next panel's title
LABEL_GAP_IN = 0.15  # between a category label and its bars
MAX_LABEL_WIDTH_IN = 2.7  # longer category labels are wrapped onto more lines
VALUE_OFFSET_PT = 5.0  # between a bar's end and its number
ROW_HEIGHT_ONE_IN = 0.5  # per category, one series
ROW_HEIGHT_TWO_IN = 0.72  # per category, two series
LINE_SPACING = 1.25
CATEGORY_LINE_SPACING = 1.1
LEGEND_HANDLE_EM = 2.0 + 0.8  # handle length + gap before its label, in font sizes
LEGEND_COLUMN_GAP_EM = 2.0
MAX_TICK_INTERVALS = 6
PALETTE_COLOURS = 64  # the picture has a few flat colours; a palette PNG is ~3x smaller


def render_results_png(panels: Sequence[Panel], *, dpi: int = 100) -> bytes:
    """Render the panels, stacked top to bottom, as PNG bytes 8 * dpi pixels wide.

    Raises ValueError for input that cannot be drawn honestly (see `_validate`). Safe to call
    from several threads at once (e.g. via `asyncio.to_thread`); it blocks for a few tenths of
    a second, so do not call it on the event loop.
    """
    if isinstance(dpi, bool) or not isinstance(dpi, int) or dpi <= 0:
        raise ValueError(f"dpi must be a positive integer, not {dpi!r}")
    return palette_png(_build_figure(panels, dpi=dpi))


def palette_png(fig: Figure) -> bytes:
    """Draw the figure and encode it as a small palette PNG (mentees pay for their data).

    The pixels go straight from Agg's buffer to Pillow (already a dependency of matplotlib):
    letting matplotlib write an RGBA PNG for Pillow to decode, then median-cut and an
    `optimize` pass, took half of the 130 ms a weekly picture cost.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    try:
        canvas = fig.canvas
        assert isinstance(canvas, FigureCanvasAgg), "our figures are drawn by Agg, never pyplot"
        canvas.draw()  # type: ignore[no-untyped-call]
        size = canvas.get_width_height(physical=True)
        pixels = canvas.buffer_rgba()  # type: ignore[no-untyped-call]
        rgb = Image.frombuffer("RGBA", size, pixels, "raw", "RGBA", 0, 1).convert("RGB")
    finally:
        fig.clear()
    return palette_bytes(rgb)


def palette_bytes(rgb: Image.Image, palette: Image.Image | None = None) -> bytes:
    """An RGB picture of a few flat colours as a palette PNG, about a third of the size.

    Octree quantising without dithering is deterministic, and its files are smaller than
    median-cut's; a picture whose colours are known beforehand maps to a fixed `palette`
    (a "P" image) instead, several times faster. No metadata (so no timestamps or version
    strings) is written.
    """
    from PIL import Image

    if palette is None:
        indexed = rgb.quantize(
            PALETTE_COLOURS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
    else:
        indexed = rgb.quantize(palette=palette, dither=Image.Dither.NONE)
    out = BytesIO()
    indexed.save(out, format="PNG", compress_level=6)
    return out.getvalue()


def _validate(panels: Sequence[Panel]) -> None:
    """Refuse input that would draw a misleading or broken picture."""
    if len(panels) == 0:
        raise ValueError("render_results_png needs at least one panel")
    for index, panel in enumerate(panels, start=1):
        where = f"panel {index} ({panel.title!r})"
        if not (math.isfinite(panel.scale_min) and math.isfinite(panel.scale_max)):
            raise ValueError(f"{where}: scale_min and scale_max must be finite numbers")
        if panel.scale_min >= panel.scale_max:
            raise ValueError(
                f"{where}: scale_min ({panel.scale_min:g}) must be below scale_max "
                f"({panel.scale_max:g})"
            )
        if len(panel.categories) == 0:
            raise ValueError(f"{where}: has no categories")
        if not panel.scale.strip():
            raise ValueError(
                f"{where}: needs a scale, e.g. 'out of 5', so the numbers mean something"
            )
        if panel.marks and len(panel.marks) != len(panel.categories):
            raise ValueError(
                f"{where}: has {len(panel.marks)} marks but {len(panel.categories)} categories"
            )
        if not 1 <= len(panel.series) <= 2:
            raise ValueError(f"{where}: needs 1 or 2 series, got {len(panel.series)}")
        for series in panel.series:
            if len(series.values) != len(panel.categories):
                raise ValueError(
                    f"{where}: series {series.label!r} has {len(series.values)} values but "
                    f"there are {len(panel.categories)} categories"
                )
            for category, value in zip(panel.categories, series.values, strict=True):
                if math.isnan(value):
                    continue  # not answered: drawn as "no answer"
                if not (math.isfinite(value) and panel.scale_min <= value <= panel.scale_max):
                    raise ValueError(
                        f"{where}: series {series.label!r} has {value!r} for {category!r}, "
                        f"outside the scale {panel.scale_min:g} to {panel.scale_max:g}"
                    )


def _format_value(value: float) -> str:
    """The number printed at a bar's end: as the chat prints it, or "no answer" when missing."""
    return texts.PICTURE_NO_ANSWER if math.isnan(value) else shown(value)


def _category_label(category: str, mark: str, measure: Measure) -> str:
    """The category wrapped to its column, with its mark ("(strongest)") on a line of its own."""
    label = measure.wrap(category, CATEGORY_SIZE, MAX_LABEL_WIDTH_IN * 72)
    return f"{label}\n({mark})" if mark else label


def _ticks(scale_min: float, scale_max: float) -> list[int]:
    """Whole-number ticks across the scale, 1, 2, 5, 10, 20, 50... apart, few enough to read."""
    span = scale_max - scale_min
    step = 1
    multipliers = (2.0, 2.5, 2.0)  # 1 -> 2 -> 5 -> 10 -> 20 -> 50 -> ...
    turn = 0
    while span / step > MAX_TICK_INTERVALS:
        step = round(step * multipliers[turn % 3])
        turn += 1
    first = math.ceil(scale_min / step) * step
    return list(range(first, math.floor(scale_max) + 1, step))


class Measure(ABC):
    """Measures text in points without drawing it; each renderer measures with its own fonts."""

    @abstractmethod
    def width(self, text: str, size: float, weight: str = "normal") -> float:
        """The widest line of `text`, in points."""

    def wrap(self, text: str, size: float, max_width_pt: float, weight: str = "normal") -> str:
        """Greedy word wrap to a width in points; a single over-long word keeps its own line."""
        lines: list[str] = []
        for word in text.split():
            candidate = f"{lines[-1]} {word}" if lines else word
            if lines and self.width(candidate, size, weight) <= max_width_pt:
                lines[-1] = candidate
            else:
                lines.append(word)
        return "\n".join(lines) or text


class _Measure(Measure):
    """matplotlib's measure (thread-safe: matplotlib's font cache is per thread, and each
    figure build makes its own instance)."""

    def __init__(self) -> None:
        from matplotlib.textpath import TextToPath

        self._text_to_path = TextToPath()

    def width(self, text: str, size: float, weight: str = "normal") -> float:
        from matplotlib.font_manager import FontProperties

        prop = FontProperties(family=FONT_FAMILY, size=size, weight=weight)
        return max(
            float(self._text_to_path.get_text_width_height_descent(line, prop, ismath=False)[0])
            for line in text.split("\n")
        )


@dataclass(frozen=True)
class PanelPlan:
    """Where one panel's pieces go, in inches from the top of the picture."""

    title: str  # wrapped to the picture's width
    note: str  # wrapped; "" for none
    scale: str  # wrapped; drawn under the axis numbers
    categories: tuple[str, ...]  # wrapped to MAX_LABEL_WIDTH_IN
    legend_labels: tuple[str, ...]  # wrapped to fit beside their handles
    title_top: float
    note_top: float | None
    legend_top: float | None
    legend_cols: int
    axes_top: float
    axes_height: float


@dataclass(frozen=True)
class Layout:
    """Where everything goes, in inches: the same for every renderer, so they agree on size."""

    panels: tuple[PanelPlan, ...]
    axes_left: float  # from the left edge, the same for every panel so their scales line up
    axes_right: float
    height: float


def layout(panels: Sequence[Panel], measure: Measure) -> Layout:
    """Lay out every panel, in inches measured from the top of the picture.

    The layout is computed by hand: matplotlib's automatic layouts cannot put a left-aligned
    title, an optional note and a legend above each chart without them fighting over the same
    space, and a hand layout is exactly repeatable. Validates the panels first.
    """
    panels = tuple(panels)
    _validate(panels)
    text_width_pt = (FIG_WIDTH_IN - 2 * OUTER_PAD_IN) * 72
    wrapped_categories = [
        tuple(
            _category_label(category, mark, measure)
            for category, mark in zip(
                panel.categories, panel.marks or ("",) * len(panel.categories), strict=True
            )
        )
        for panel in panels
    ]
    label_width_pt = max(
        measure.width(label, CATEGORY_SIZE) for labels in wrapped_categories for label in labels
    )
    value_width_pt = max(
        measure.width(_format_value(panel.scale_max), VALUE_SIZE, "bold") for panel in panels
    )
    axes_left_in = OUTER_PAD_IN + label_width_pt / 72 + LABEL_GAP_IN
    axes_right_in = FIG_WIDTH_IN - OUTER_PAD_IN - (VALUE_OFFSET_PT + value_width_pt + 4) / 72

    # First pass: positions from the top, in inches (the figure's height is not known yet).
    plans: list[PanelPlan] = []
    y = TOP_PAD_IN
    for index, (panel, categories) in enumerate(zip(panels, wrapped_categories, strict=True)):
        if index:
            y += PANEL_GAP_IN
        title = measure.wrap(panel.title, TITLE_SIZE, text_width_pt, "bold")
        title_top = y
        y += TITLE_SIZE * LINE_SPACING * (title.count("\n") + 1) / 72
        note_lines = [panel.note] if panel.note else []
        if not panel.higher_is_better:
            note_lines.append(texts.PICTURE_LOWER_BETTER)
        note = measure.wrap(" / ".join(note_lines), NOTE_SIZE, text_width_pt) if note_lines else ""
        note_top = None
        if note:
            y += 0.02
            note_top = y
            y += NOTE_SIZE * LINE_SPACING * (note.count("\n") + 1) / 72
        legend_top: float | None = None
        legend_cols = 1
        legend_labels: tuple[str, ...] = ()
        if panel.series:  # always, even for one sitting: the legend is where its date is
            y += 0.1
            legend_top = y
            label_room_pt = text_width_pt - LEGEND_SIZE * LEGEND_HANDLE_EM
            legend_labels = tuple(
                measure.wrap(s.label, LEGEND_SIZE, label_room_pt) for s in panel.series
            )
            one_row_pt = sum(measure.width(label, LEGEND_SIZE) for label in legend_labels) + (
                LEGEND_SIZE * (len(legend_labels) * LEGEND_HANDLE_EM + LEGEND_COLUMN_GAP_EM)
            )
            legend_cols = len(legend_labels) if one_row_pt <= text_width_pt else 1
            lines = [label.count("\n") + 1 for label in legend_labels]
            if legend_cols == len(lines):
                legend_pt = LEGEND_SIZE * 1.2 * max(lines)
            else:
                legend_pt = LEGEND_SIZE * (1.2 * sum(lines) + 0.5 * (len(lines) - 1))
            y += legend_pt / 72
        y += 0.14
        most_lines = max(label.count("\n") + 1 for label in categories)
        row_height = max(
            ROW_HEIGHT_TWO_IN if len(panel.series) == 2 else ROW_HEIGHT_ONE_IN,
            CATEGORY_SIZE * CATEGORY_LINE_SPACING * most_lines / 72 + 0.12,
        )
        axes_top = y
        axes_height = row_height * len(panel.categories)
        y += axes_height
        y += (TICK_SIZE * LINE_SPACING + 6) / 72  # the axis numbers under the bars
        scale = measure.wrap(panel.scale, TICK_SIZE, text_width_pt)
        y += (TICK_SIZE * LINE_SPACING * (scale.count("\n") + 1) + 4) / 72  # the scale
        plans.append(
            PanelPlan(
                title=title,
                note=note,
                scale=scale,
                categories=categories,
                legend_labels=legend_labels,
                title_top=title_top,
                note_top=note_top,
                legend_top=legend_top,
                legend_cols=legend_cols,
                axes_top=axes_top,
                axes_height=axes_height,
            )
        )
    return Layout(tuple(plans), axes_left_in, axes_right_in, y + BOTTOM_PAD_IN)


def _build_figure(panels: Sequence[Panel], *, dpi: int = 100) -> Figure:
    """Draw every panel, as `layout` places it, on a new Figure (not yet rendered to pixels).

    Kept separate from the PNG step so tests can inspect the figure's texts.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    placed = layout(panels, _Measure())
    height_in = placed.height
    axes_left_in, axes_right_in = placed.axes_left, placed.axes_right

    fig = Figure(figsize=(FIG_WIDTH_IN, height_in), dpi=dpi, facecolor=BACKGROUND)
    fig.set_layout_engine("none")  # positions are all set by hand, whatever matplotlibrc says
    FigureCanvasAgg(fig)  # attaches itself as fig.canvas: Agg explicitly, never pyplot

    def fig_y(inches_from_top: float) -> float:
        return 1 - inches_from_top / height_in

    def fig_x(inches_from_left: float) -> float:
        return inches_from_left / FIG_WIDTH_IN

    for panel, plan in zip(panels, placed.panels, strict=True):
        fig.text(
            fig_x(OUTER_PAD_IN),
            fig_y(plan.title_top),
            plan.title,
            ha="left",
            va="top",
            fontsize=TITLE_SIZE,
            fontweight="bold",
            fontfamily=FONT_FAMILY,
            color=TEXT_COLOUR,
            linespacing=LINE_SPACING,
            parse_math=False,
        )
        if plan.note_top is not None:
            fig.text(
                fig_x(OUTER_PAD_IN),
                fig_y(plan.note_top),
                plan.note,
                ha="left",
                va="top",
                fontsize=NOTE_SIZE,
                fontfamily=FONT_FAMILY,
                color=MUTED_COLOUR,
                linespacing=LINE_SPACING,
                parse_math=False,
            )

        ax = fig.add_axes(
            (
                fig_x(axes_left_in),
                fig_y(plan.axes_top + plan.axes_height),
                fig_x(axes_right_in - axes_left_in),
                plan.axes_height / height_in,
            )
        )
        _draw_bars(ax, panel, plan.categories)
        ax.set_xlabel(
            plan.scale,
            fontsize=TICK_SIZE,
            fontfamily=FONT_FAMILY,
            color=MUTED_COLOUR,
            labelpad=4,
            linespacing=LINE_SPACING,
            parse_math=False,
        )

        if plan.legend_top is not None:
            handles = [
                Patch(
                    facecolor=EARLIER_FILL,
                    edgecolor=LATEST_COLOUR,
                    hatch=EARLIER_HATCH,
                    linewidth=1.0,
                    label=plan.legend_labels[0],
                ),
                Patch(
                    facecolor=LATEST_COLOUR, edgecolor=LATEST_COLOUR, label=plan.legend_labels[-1]
                ),
            ]
            legend = fig.legend(
                handles=handles[-len(plan.legend_labels) :],
                loc="upper left",
                bbox_to_anchor=(fig_x(OUTER_PAD_IN), fig_y(plan.legend_top)),
                ncols=plan.legend_cols,
                frameon=False,
                borderpad=0.0,
                borderaxespad=0.0,
                handlelength=LEGEND_HANDLE_EM - 0.8,
                handleheight=1.0,
                handletextpad=0.8,
                columnspacing=LEGEND_COLUMN_GAP_EM,
                prop={"family": FONT_FAMILY, "size": LEGEND_SIZE},
                labelcolor=TEXT_COLOUR,
            )
            for text in legend.get_texts():
                text.set_parse_math(False)
    return fig


def _draw_bars(ax: Axes, panel: Panel, labels: tuple[str, ...]) -> None:
    """Draw one panel's bars, numbers and axes onto `ax`."""
    n = len(panel.categories)
    positions = list(range(n))
    two = len(panel.series) == 2
    bar_height = 0.36 if two else 0.62
    offsets = (-0.19, 0.19) if two else (0.0,)

    ax.set_facecolor(BACKGROUND)
    for series_index, (series, offset) in enumerate(zip(panel.series, offsets, strict=True)):
        latest = series_index == len(panel.series) - 1
        ys = [p + offset for p in positions]
        answered = [(y, v) for y, v in zip(ys, series.values, strict=True) if not math.isnan(v)]
        bar_ys = [y for y, _ in answered]
        widths = [v - panel.scale_min for _, v in answered]
        if latest:
            ax.barh(
                bar_ys,
                widths,
                height=bar_height,
                left=panel.scale_min,
                color=LATEST_COLOUR,
                edgecolor=LATEST_COLOUR,
                linewidth=0.0,
                zorder=2,
            )
        else:
            ax.barh(
                bar_ys,
                widths,
                height=bar_height,
                left=panel.scale_min,
                color=EARLIER_FILL,
                edgecolor=LATEST_COLOUR,
                hatch=EARLIER_HATCH,
                linewidth=1.0,
                zorder=2,
            )
        for y, value in zip(ys, series.values, strict=True):
            missing = math.isnan(value)
            ax.annotate(
                _format_value(value),
                xy=(panel.scale_min if missing else value, y),
                xytext=(VALUE_OFFSET_PT, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=VALUE_SIZE,
                fontweight="bold" if latest and not missing else "normal",
                fontstyle="italic" if missing else "normal",
                fontfamily=FONT_FAMILY,
                color=TEXT_COLOUR if latest and not missing else MUTED_COLOUR,
                annotation_clip=False,
            )

    ax.set_xlim(panel.scale_min, panel.scale_max)
    ax.set_ylim(n - 0.5, -0.5)  # first category at the top
    ticks = _ticks(panel.scale_min, panel.scale_max)
    ax.set_xticks(
        ticks,
        [str(t) for t in ticks],
        fontsize=TICK_SIZE,
        fontfamily=FONT_FAMILY,
        color=MUTED_COLOUR,
    )
    ax.set_yticks(
        positions,
        labels,
        fontsize=CATEGORY_SIZE,
        fontfamily=FONT_FAMILY,
        color=TEXT_COLOUR,
        parse_math=False,
        linespacing=CATEGORY_LINE_SPACING,
    )
    ax.tick_params(axis="both", length=0)
    ax.tick_params(axis="x", pad=6)
    ax.tick_params(axis="y", pad=LABEL_GAP_IN * 72)
    ax.grid(axis="x", color=GRID_COLOUR, linewidth=1.0, zorder=0)
    ax.grid(axis="y", visible=False)
    ax.set_axisbelow(True)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(MUTED_COLOUR)
    ax.spines["left"].set_linewidth(1.2)
