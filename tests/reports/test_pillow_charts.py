"""The results picture drawn with Pillow (bot/reports/pillow_charts.py): the same picture as
matplotlib's, as a valid, repeatable PNG whose bars are as long as their numbers say."""

from __future__ import annotations

import math
import subprocess
import sys
from dataclasses import replace
from io import BytesIO
from typing import TYPE_CHECKING

import pytest

from bot.reports import fonts
from bot.reports.charts import LATEST_COLOUR, Panel, Series, render_results_png
from bot.reports.pillow_charts import Box, render_bars_png, scene

if TYPE_CHECKING:
    from PIL import Image

from tests.reports.test_charts import (
    ARC_CATEGORIES,
    FIRST,
    NOW,
    REPO_ROOT,
    arc_panel,
    assert_valid_png,
    cest_panel,
    png_size,
    weekly_panel,
)

LONG = Panel(
    title="How your week has gone compared with when you first started with us",
    categories=("Using drugs or alcohol less than before", "Mood"),
    series=(
        Series("When you first started with us (3 November 2025)", (1, math.nan)),
        Series("Your latest weekly check-in", (2, 3)),
    ),
    scale_min=1,
    scale_max=6,
    note="Based on 9 of 10 answers",
    scale="Each answer you gave, from 1 for strongly disagree to 6 for strongly agree",
)
PICTURES = {
    "two sittings": (arc_panel(),),
    "one sitting": (arc_panel(NOW),),
    "two panels": (arc_panel(), cest_panel()),
    "weekly, lower is better": (weekly_panel(),),
    "long words, a note and a gap": (LONG,),
}


def rgb(png: bytes) -> Image.Image:
    from PIL import Image

    return Image.open(BytesIO(png)).convert("RGB")


def colour(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


@pytest.mark.parametrize("name", PICTURES)
def test_a_valid_png_the_size_of_matplotlibs(name: str) -> None:
    panels = PICTURES[name]
    png = render_bars_png(panels)
    assert assert_valid_png(png) == png_size(render_results_png(panels))  # the same layout
    assert png_size(render_bars_png(panels, dpi=150))[0] == 1200
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"tIME"):
        assert chunk not in png
    assert len(png) < len(render_results_png(panels))  # no more data for a mentee to pay for


def test_the_same_panels_give_the_same_bytes_and_others_do_not() -> None:
    panels = (arc_panel(), cest_panel())
    assert render_bars_png(panels) == render_bars_png(panels)  # the cache by content needs it
    changed = (arc_panel(FIRST, replace(NOW, values=(4, *NOW.values[1:]))), cest_panel())
    assert render_bars_png(changed) != render_bars_png(panels)


def test_bars_are_as_long_as_their_values_from_the_scales_start() -> None:
    """Scanned from the pixels: each solid bar, top to bottom, measured along its middle."""
    panel = weekly_panel()  # 1 to 6; a 1 is at the start of the scale, so has no bar
    picture = rgb(render_bars_png([panel]))
    width, height = picture.size
    blue = colour(LATEST_COLOUR)
    pixel = picture.getpixel
    start = next(x for x in range(width) if pixel((x, height // 2)) == blue)
    column = [pixel((start + 2, y)) == blue for y in range(height)]
    runs = [y for y in range(1, height) if column[y] and not column[y - 1]]
    ends = [y for y in range(1, height) if column[y - 1] and not column[y]]
    middles = [(top + end) // 2 for top, end in zip(runs, ends, strict=True)]
    lengths = []
    for y in middles:
        x = start
        while pixel((x, y)) == blue:
            x += 1
        lengths.append(x - start)
    values = [v for v in panel.series[0].values if v > panel.scale_min]
    assert len(lengths) == len(values)  # a bar per value above the start, in order
    per_point = lengths[values.index(6)] / (6 - panel.scale_min)
    for value, length in zip(values, lengths, strict=True):
        assert abs(length - (value - panel.scale_min) * per_point) <= 1.5, (value, length)


def test_a_missing_value_has_no_bar_and_says_no_answer() -> None:
    values = (math.nan, *NOW.values[1:])
    drawn = scene([arc_panel(FIRST, Series("Now", values))])
    assert drawn.texts().count("no answer") == 1
    boxes = [item for item in drawn.items if isinstance(item, Box)]
    assert len(boxes) == 2 + 2 * len(ARC_CATEGORIES) - 1  # the legend's two, and no bar for it
    assert_valid_png(render_bars_png([arc_panel(FIRST, Series("Now", values))]))


def test_it_says_what_matplotlibs_picture_says() -> None:
    from bot.reports.charts import _build_figure

    panels = [replace(weekly_panel(), note="Based on 9 of 10 answers"), arc_panel()]
    figure = _build_figure(panels)
    said = [t.get_text() for t in figure.texts]
    for legend in figure.legends:
        said += [t.get_text() for t in legend.get_texts()]
    for ax in figure.axes:
        said += [t.get_text() for t in ax.texts]
        said += [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()]
        said.append(ax.get_xlabel())
    assert sorted(scene(panels).texts()) == sorted(said)


def test_the_marks_and_dates_are_where_the_chat_puts_them() -> None:
    marks = ("", "strongest", "", "to work on", "", "", "", "", "", "")
    texts = scene([replace(arc_panel(), marks=marks)]).texts()
    assert "Mood\n(strongest)" in texts and "Community\n(to work on)" in texts
    assert "First check (3 Nov)" in texts and "Now" in texts
    assert "Lower is better" in scene([weekly_panel()]).texts()
    assert "Lower is better" not in texts


def test_bad_input_is_refused_as_matplotlibs_is() -> None:
    with pytest.raises(ValueError, match="at least one panel"):
        render_bars_png([])
    with pytest.raises(ValueError, match="outside the scale"):
        render_bars_png([arc_panel(Series("Now", (9,) * 10))])
    with pytest.raises(ValueError, match="dpi"):
        render_bars_png([arc_panel()], dpi=0)


def test_the_fonts_are_matplotlibs_dejavu_with_the_metrics_we_lay_out_by() -> None:
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # matplotlib's

    for style in fonts.STYLES:
        path = fonts.font_path(style)
        assert path.exists()
        face = TTFont(path)
        per_em = face["head"].unitsPerEm
        typo = face["OS/2"]
        assert typo.sTypoAscender / per_em == fonts.TYPO_ASCENT
        assert -typo.sTypoDescender / per_em == fonts.TYPO_DESCENT
        assert typo.sTypoLineGap / per_em == fonts.TYPO_LINE_GAP


def test_drawing_needs_neither_matplotlib_nor_pillow_until_a_picture_is_drawn() -> None:
    script = (
        "import sys\n"
        "import bot.reports.pictures\n"
        "from bot.reports.pillow_charts import render_bars_png\n"
        "assert 'PIL' not in sys.modules, 'Pillow imported at module import'\n"
        "from tests.reports.test_charts import weekly_panel\n"
        "render_bars_png([weekly_panel()])\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported to draw with Pillow'\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
