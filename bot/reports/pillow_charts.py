"""A mentee's results picture (charts.Panel) drawn with Pillow directly: the same look, cheaper.

matplotlib took 80-140 ms of CPU for a weekly or full-check picture (benchmarks/pictures.py),
almost all of it in machinery these pictures do not need: artists, transforms, tick locators,
a general text layout engine. The pictures are a few flat rectangles, lines and labels, so this
module draws them itself, as charts.py describes them: the same layout (`charts.layout`, the
very same inches, wrapped with the same font's widths), colours, fonts (matplotlib's own DejaVu
Sans files, bot/reports/fonts.py) and sizes, and text placed as matplotlib places it, so the
two renderers give the same picture to within a pixel or so of anti-aliasing.

Why the details are what they are:

* **A scene, then paint.** `scene` lists what goes where (boxes, rules, texts, in pixels);
  `paint` draws it. Tests read the scene to check what the picture says and where, and the
  pixels to check that it is drawn.
* **Deterministic.** No time, no randomness, no metadata: the same panels give the same bytes,
  which the cache by content in bot/reports/pictures.py relies on.
* **Light.** Only Pillow is imported (lazily, so the command line stays quick): drawing a
  picture takes a few ms, which is why the bot draws these in its own process
  (docs/decisions.md).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.reports import fonts
from bot.reports.charts import (
    BACKGROUND,
    CATEGORY_LINE_SPACING,
    CATEGORY_SIZE,
    EARLIER_FILL,
    FIG_WIDTH_IN,
    GRID_COLOUR,
    LABEL_GAP_IN,
    LATEST_COLOUR,
    LEGEND_COLUMN_GAP_EM,
    LEGEND_HANDLE_EM,
    LEGEND_SIZE,
    LINE_SPACING,
    MUTED_COLOUR,
    NOTE_SIZE,
    OUTER_PAD_IN,
    TEXT_COLOUR,
    TICK_SIZE,
    TITLE_SIZE,
    VALUE_OFFSET_PT,
    VALUE_SIZE,
    Measure,
    Panel,
    PanelPlan,
    _format_value,
    _ticks,
    layout,
    palette_bytes,
)

if TYPE_CHECKING:
    from PIL import Image, ImageDraw

__all__ = ["render_bars_png", "scene"]

TICK_PAD_PT = 6.0  # between the axis and its numbers, as charts.py asks matplotlib for
SCALE_PAD_PT = 4.0  # between the axis numbers and the scale under them
GRID_WIDTH_PT = 1.0
SPINE_WIDTH_PT = 1.2
EDGE_WIDTH_PT = 1.0  # the earlier bar's outline and hatching
HATCH_PER_INCH = 6  # matplotlib's "//" at any dpi
SHADES = 8  # of each text colour over white: enough for smooth edges, few for a small PNG
LEGEND_HANDLE_LENGTH_EM = LEGEND_HANDLE_EM - 0.8
LEGEND_TEXT_PAD_EM = 0.8
LEGEND_ROW_GAP_EM = 0.5
# matplotlib's legend handle: one font size tall, of which this share below the baseline.
LEGEND_HANDLE_DESCENT_EM = 0.35 * (1.0 - 0.7)


@dataclass(frozen=True)
class Box:
    """A bar or a legend handle, in pixels; hatched boxes are the earlier sitting."""

    left: float
    top: float
    right: float
    bottom: float
    fill: str
    hatched: bool = False


@dataclass(frozen=True)
class Rule:
    """An upright line: a grid line or the axis."""

    x: float
    top: float
    bottom: float
    colour: str
    width: float


@dataclass(frozen=True)
class Text:
    """A block of text; `x` is its left, right or centre as `align` says."""

    block: fonts.Block
    x: float
    top: float
    colour: str
    align: str = "left"

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.block.lines)


@dataclass(frozen=True)
class Scene:
    width: int
    height: int
    items: tuple[Box | Rule | Text, ...]

    def texts(self) -> list[str]:
        return [item.text for item in self.items if isinstance(item, Text)]


class _PillowMeasure(Measure):
    """Widths from the same font files, at the picture's resolution."""

    def __init__(self, dpi: int) -> None:
        self._px = dpi / 72

    def width(self, text: str, size: float, weight: str = "normal") -> float:
        face = fonts.font(weight, size * self._px, for_layout=True)
        return max(float(face.getlength(line)) for line in text.split("\n")) / self._px


def render_bars_png(panels: Sequence[Panel], *, dpi: int = 100) -> bytes:
    """The panels as PNG bytes, 8 * dpi pixels wide, as charts.render_results_png draws them.

    Raises ValueError for input that cannot be drawn honestly (charts.py's rules).
    """
    if isinstance(dpi, bool) or not isinstance(dpi, int) or dpi <= 0:
        raise ValueError(f"dpi must be a positive integer, not {dpi!r}")
    return palette_bytes(paint(scene(panels, dpi=dpi)), _palette())


def scene(panels: Sequence[Panel], *, dpi: int = 100) -> Scene:
    """Everything the picture shows, placed in pixels from its top left."""
    panels = tuple(panels)
    with fonts.text_lock:
        placed = layout(panels, _PillowMeasure(dpi))
        height = placed.height * dpi
        # Agg's picture is a whole number of pixels tall, cut at the top: everything moves up
        # by the fraction, so this one does the same.
        lift = height - int(height)
        items: list[Box | Rule | Text] = []
        for panel, plan in zip(panels, placed.panels, strict=True):
            where = _Where(dpi, lift, placed.axes_left * dpi, placed.axes_right * dpi)
            items += _panel(panel, plan, where)
    return Scene(int(FIG_WIDTH_IN * dpi), int(height), tuple(items))


@dataclass(frozen=True)
class _Where:
    dpi: int
    lift: float
    axes_left: float
    axes_right: float

    def down(self, inches: float) -> float:
        """Pixels from the top of the picture for inches from the top of the layout."""
        return inches * self.dpi - self.lift


def _panel(panel: Panel, plan: PanelPlan, where: _Where) -> list[Box | Rule | Text]:
    dpi, left, right = where.dpi, where.axes_left, where.axes_right
    px = dpi / 72  # pixels per point
    margin = OUTER_PAD_IN * dpi
    items: list[Box | Rule | Text] = [
        Text(fonts.block(plan.title, "bold", TITLE_SIZE * px, LINE_SPACING), margin,
             where.down(plan.title_top), TEXT_COLOUR),
    ]  # fmt: skip
    if plan.note_top is not None:
        note = fonts.block(plan.note, "normal", NOTE_SIZE * px, LINE_SPACING)
        items.append(Text(note, margin, where.down(plan.note_top), MUTED_COLOUR))
    if plan.legend_top is not None:
        items += _legend(plan, margin, where.down(plan.legend_top), px)

    top = where.down(plan.axes_top)
    bottom = where.down(plan.axes_top + plan.axes_height)
    n = len(panel.categories)

    def x_at(value: float) -> float:
        return left + (value - panel.scale_min) / (panel.scale_max - panel.scale_min) * (
            right - left
        )

    def y_at(row: float) -> float:  # row 0 is the first category, at the top
        return top + (row + 0.5) / n * (bottom - top)

    ticks = _ticks(panel.scale_min, panel.scale_max)
    items += [Rule(x_at(t), top, bottom, GRID_COLOUR, GRID_WIDTH_PT * px) for t in ticks]

    two = len(panel.series) == 2
    bar_height = 0.36 if two else 0.62
    offsets = (-0.19, 0.19) if two else (0.0,)
    values: list[Text] = []
    for index, (series, offset) in enumerate(zip(panel.series, offsets, strict=True)):
        latest = index == len(panel.series) - 1
        for row, value in enumerate(series.values):
            missing = math.isnan(value)
            if not missing:
                items.append(
                    Box(
                        x_at(panel.scale_min),
                        y_at(row + offset - bar_height / 2),
                        x_at(value),
                        y_at(row + offset + bar_height / 2),
                        LATEST_COLOUR if latest else EARLIER_FILL,
                        hatched=not latest,
                    )
                )
            style = "italic" if missing else "bold" if latest else "normal"
            number = fonts.block(_format_value(value), style, VALUE_SIZE * px)
            values.append(
                Text(
                    number,
                    x_at(panel.scale_min if missing else value) + VALUE_OFFSET_PT * px,
                    y_at(row + offset) - number.height / 2,
                    TEXT_COLOUR if latest and not missing else MUTED_COLOUR,
                )
            )
    items.append(Rule(left, top, bottom, MUTED_COLOUR, SPINE_WIDTH_PT * px))
    items += values

    tick_top = bottom + TICK_PAD_PT * px
    tick_height = 0.0
    for tick in ticks:
        label = fonts.block(str(tick), "normal", TICK_SIZE * px)
        tick_height = max(tick_height, label.height)
        items.append(Text(label, x_at(tick), tick_top, MUTED_COLOUR, "center"))
    scale = fonts.block(plan.scale, "normal", TICK_SIZE * px, LINE_SPACING)
    scale_top = tick_top + tick_height + SCALE_PAD_PT * px
    items.append(Text(scale, (left + right) / 2, scale_top, MUTED_COLOUR, "center"))

    label_right = left - LABEL_GAP_IN * dpi
    for row, category in enumerate(plan.categories):
        label = fonts.block(category, "normal", CATEGORY_SIZE * px, CATEGORY_LINE_SPACING)
        # matplotlib's "center_baseline": halfway from the top to the last line's baseline
        middle = y_at(row) - label.lines[-1].baseline / 2
        items.append(Text(label, label_right, middle, TEXT_COLOUR, "right"))
    return items


def _legend(plan: PanelPlan, left: float, top: float, px: float) -> list[Box | Rule | Text]:
    """matplotlib's legend, unframed: a handle one font size tall beside each dated label,
    in one row when they fit (plan.legend_cols), else one under the other."""
    size = LEGEND_SIZE * px
    handle_width = LEGEND_HANDLE_LENGTH_EM * size
    handle_descent = LEGEND_HANDLE_DESCENT_EM * size
    handle_ascent = size - handle_descent
    lp_ascent = -float(fonts.font("normal", size).getbbox("lp", anchor="ls")[1])
    two = len(plan.legend_labels) == 2
    hatched = [two and index == 0 for index in range(len(plan.legend_labels))]  # the earlier

    entries = []  # (label block, its baseline below its top, ascent, descent)
    for label in plan.legend_labels:
        text = fonts.block(label, "normal", size)
        if len(text.lines) > 1:  # centred on the handle, as matplotlib's multiline baseline
            descent = 0.5 * text.height - 0.5 * lp_ascent
        else:
            descent = text.height - text.lines[-1].baseline
        entries.append((text, max(lp_ascent, text.height - descent), descent))

    items: list[Box | Rule | Text] = []

    def entry(index: int, x: float, baseline: float) -> float:
        text, _, descent = entries[index]
        items.append(
            Box(
                x,
                baseline - handle_ascent,
                x + handle_width,
                baseline + handle_descent,
                EARLIER_FILL if hatched[index] else LATEST_COLOUR,
                hatched=hatched[index],
            )
        )
        text_left = x + handle_width + LEGEND_TEXT_PAD_EM * size
        items.append(Text(text, text_left, baseline - (text.height - descent), TEXT_COLOUR))
        return text_left + text.width

    if plan.legend_cols == len(entries):  # one row
        baseline = top + max(max(handle_ascent, ascent) for _, ascent, _ in entries)
        x = left
        for index in range(len(entries)):
            x = entry(index, x, baseline) + LEGEND_COLUMN_GAP_EM * size
        return items
    y = top
    for index, (_, ascent, descent) in enumerate(entries):
        baseline = y + max(handle_ascent, ascent)
        entry(index, left, baseline)
        y = baseline + max(handle_descent, descent) + LEGEND_ROW_GAP_EM * size
    return items


def paint(drawn: Scene) -> Image.Image:
    """The scene in pixels (RGB), ready to be encoded."""
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (drawn.width, drawn.height), BACKGROUND)
    pen = ImageDraw.Draw(picture)
    px = drawn.width / FIG_WIDTH_IN / 72
    with fonts.text_lock:
        for item in drawn.items:
            if isinstance(item, Box):
                _box(pen, item, px, drawn.height)
            elif isinstance(item, Rule):
                _rule(pen, item)
            else:
                _text(pen, item)
    return picture


def _rule(pen: ImageDraw.ImageDraw, rule: Rule) -> None:
    """Whole pixels, as Agg snaps a thin upright line; a line 1.7 px wide is drawn 2 px wide
    and lighter by as much, as anti-aliasing shows it."""
    width = max(1, math.ceil(rule.width - 0.05))
    x = round(rule.x - width / 2)
    top, bottom = round(rule.top), round(rule.bottom)
    pen.rectangle(
        (x, top, x + width - 1, bottom - 1), fill=_lighter(rule.colour, rule.width / width)
    )


@functools.cache
def _palette() -> Image.Image:
    """Every colour the picture can hold: its flat colours, and each text colour over white
    at the shades anti-aliasing gives it. Mapping to a known palette costs about 1 ms where
    finding one (octree) costs 6 ms, and it never shifts a colour to make room."""
    from PIL import Image

    colours = [_lighter(flat, 1.0) for flat in (BACKGROUND, LATEST_COLOUR, EARLIER_FILL)]
    colours += [_lighter(GRID_COLOUR, share) for share in (1.0, 0.7)]
    colours += [_lighter(LATEST_COLOUR, share) for share in (0.6, 0.3)]
    for ink in (TEXT_COLOUR, MUTED_COLOUR):
        colours += [_lighter(ink, level / SHADES) for level in range(1, SHADES + 1)]
    palette = Image.new("P", (1, 1))
    palette.putpalette([channel for colour in colours for channel in colour])
    return palette


def _lighter(colour: str, share: float) -> tuple[int, int, int]:
    """`colour` at `share` over the white background."""
    share = min(1.0, share)
    channels = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return tuple(round(255 - (255 - c) * share) for c in channels)  # type: ignore[return-value]


def _box(pen: ImageDraw.ImageDraw, box: Box, px: float, height: int) -> None:
    left, top, right, bottom = (round(v) for v in (box.left, box.top, box.right, box.bottom))
    if right <= left or bottom <= top:
        return
    pen.rectangle((left, top, right - 1, bottom - 1), fill=box.fill)
    if not box.hatched:
        return
    # "//": lines rising to the right, spaced as matplotlib's, fixed to the picture's grid
    spacing = 72 * px / HATCH_PER_INCH
    width = max(1, round(EDGE_WIDTH_PT * px))
    first = math.ceil((left + top - height) / spacing)
    last = math.floor((right + bottom - height) / spacing)
    for k in range(first, last + 1):
        c = k * spacing + height  # the line x + y = c
        x_start, x_end = max(left, c - (bottom - 1)), min(right - 1, c - top)
        if x_start <= x_end:
            # 1.4 px across at 45 degrees: a pixel, and beside it one as faint as Agg's edge
            shade_end = min(x_end, right - 2)
            if x_start <= shade_end:
                shade = (x_start + 1, c - x_start, shade_end + 1, c - shade_end)
                pen.line(shade, fill=_lighter(LATEST_COLOUR, 0.6), width=width)
            pen.line((x_start, c - x_start, x_end, c - x_end), fill=LATEST_COLOUR, width=width)
    pen.rectangle((left, top, right - 1, bottom - 1), outline=LATEST_COLOUR, width=width)


def _text(pen: ImageDraw.ImageDraw, item: Text) -> None:
    face = fonts.font(item.block.style, item.block.size_px)
    for line in item.block.lines:
        if not line.text:
            continue
        if item.align == "left":
            x = item.x
        elif item.align == "right":
            x = item.x - line.width
        else:
            x = item.x - line.width / 2
        pen.text(
            (x, item.top + line.baseline), line.text, fill=item.colour, font=face, anchor="ls"
        )
