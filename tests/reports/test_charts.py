"""Tests for the "results as a picture" PNG (bot/reports/charts.py)."""

from __future__ import annotations

import math
import struct
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from io import BytesIO
from pathlib import Path

import pytest

from bot.reports.charts import (
    Panel,
    Series,
    _build_figure,
    _format_value,
    _ticks,
    render_results_png,
)
from bot.reports.rounding import shown

REPO_ROOT = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

ARC_CATEGORIES = (
    "Drug use",
    "Mood",
    "Health",
    "Community",
    "Support",
    "Things to do",
    "Home",
    "Staying safe",
    "Coping",
    "Recovery",
)
FIRST = Series("First check (3 Nov)", (1, 2, 2, 1, 3, 0, 4, 2, 1, 2))
NOW = Series("Now", (3, 3, 2, 2, 4, 2, 5, 3, 3, 4))


def arc_panel(*series: Series) -> Panel:
    return Panel(
        title="Your recovery strengths",
        categories=ARC_CATEGORIES,
        series=series or (FIRST, NOW),
        scale_min=0,
        scale_max=5,
        scale="Each area, out of 5",
    )


def cest_panel() -> Panel:
    return Panel(
        title="How you see yourself",
        categories=("Self-esteem", "Self-efficacy"),
        series=(Series("First check (3 Nov)", (22, 31)), Series("Now", (34, 38))),
        scale_min=10,
        scale_max=50,
        scale="Score, out of 50",
    )


def weekly_panel() -> Panel:
    return Panel(
        title="Your week",
        categories=ARC_CATEGORIES,
        series=(Series("Now", (1, 2, 6, 3.5, 4, 5, 6, 2, 1, 3)),),
        scale_min=1,
        scale_max=6,
        higher_is_better=False,
        scale="Each answer, 1 to 6",
    )


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which must come first."""
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def assert_valid_png(data: bytes) -> tuple[int, int]:
    from matplotlib.image import imread

    width, height = png_size(data)
    pixels = imread(BytesIO(data), format="png")
    assert pixels.shape[0] == height
    assert pixels.shape[1] == width
    return width, height


# --- Rendering ---------------------------------------------------------------------------------


def test_two_series_renders_a_valid_png_about_800_px_wide() -> None:
    data = render_results_png([arc_panel()])
    width, height = assert_valid_png(data)
    assert width == 800
    assert height > 400


def test_one_series_renders() -> None:
    width, _ = assert_valid_png(render_results_png([arc_panel(NOW)]))
    assert width == 800


def test_dpi_scales_the_picture() -> None:
    width, _ = png_size(render_results_png([arc_panel()], dpi=150))
    assert width == 1200


def test_two_panels_are_taller_than_one() -> None:
    _, one = png_size(render_results_png([arc_panel()]))
    _, two = png_size(render_results_png([arc_panel(), cest_panel()]))
    assert two > one


def test_height_grows_with_the_number_of_categories() -> None:
    _, ten = png_size(render_results_png([arc_panel(NOW)]))
    _, two = png_size(
        render_results_png(
            [Panel("Scales", ("A", "B"), (Series("Now", (1, 2)),), 0, 5, scale="out of 5")]
        )
    )
    assert ten > two


def test_rendering_is_deterministic() -> None:
    panels = [arc_panel(), cest_panel()]
    assert render_results_png(panels) == render_results_png(panels)


def test_png_carries_no_software_or_time_metadata() -> None:
    data = render_results_png([arc_panel()])
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"tIME"):
        assert chunk not in data


def test_typical_two_panel_picture_is_well_under_200_kb() -> None:
    data = render_results_png([arc_panel(), cest_panel()])
    assert len(data) < 100_000


def test_renders_safely_from_several_threads_at_once() -> None:
    jobs = [[arc_panel(), cest_panel()], [weekly_panel()]] * 4
    expected = [render_results_png(job) for job in jobs[:2]]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(render_results_png, jobs))
    assert len(results) == 8
    for index, data in enumerate(results):
        assert_valid_png(data)
        assert data == expected[index % 2]  # no cross-talk between threads


def test_module_import_is_lazy_and_rendering_never_uses_pyplot() -> None:
    script = (
        "import sys\n"
        "import bot.reports.charts as charts\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported at module import'\n"
        "assert 'PIL' not in sys.modules, 'Pillow imported at module import'\n"
        "charts.render_results_png([charts.Panel('T', ('A',), (charts.Series('Now', (1.0,)),),"
        " 0, 5, scale='out of 5')])\n"
        "assert 'matplotlib' in sys.modules\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# --- What the figure says ---------------------------------------------------------------------


def figure_texts(panels: list[Panel]) -> list[str]:
    fig = _build_figure(panels)
    return [text.get_text() for text in fig.texts]


def test_lower_is_better_note_appears_only_for_lower_is_better_panels() -> None:
    assert "Lower is better" in figure_texts([weekly_panel()])
    assert "Lower is better" not in figure_texts([arc_panel()])
    mixed = figure_texts([arc_panel(), weekly_panel()])
    assert mixed.count("Lower is better") == 1


def test_titles_are_drawn() -> None:
    texts = figure_texts([arc_panel(), cest_panel()])
    assert "Your recovery strengths" in texts
    assert "How you see yourself" in texts


def test_every_panel_has_a_legend_that_dates_its_sittings() -> None:
    from matplotlib.patches import Patch

    fig = _build_figure([arc_panel(), weekly_panel()])
    assert len(fig.legends) == 2  # one sitting still has its date in the legend
    labels = [[text.get_text() for text in legend.get_texts()] for legend in fig.legends]
    assert labels == [["First check (3 Nov)", "Now"], ["Now"]]
    (only,) = _build_figure([weekly_panel()]).legends
    handle = only.legend_handles[0]
    assert isinstance(handle, Patch)  # the latest sitting's solid bar, not the hatched one
    assert handle.get_hatch() is None


def test_every_axis_says_what_its_numbers_are_out_of() -> None:
    fig = _build_figure([arc_panel(), cest_panel(), weekly_panel()])
    scales = [ax.get_xlabel() for ax in fig.axes]
    assert scales == ["Each area, out of 5", "Score, out of 50", "Each answer, 1 to 6"]


def test_a_panel_without_a_scale_is_refused() -> None:
    panel = Panel("T", ("A",), (Series("Now", (1.0,)),), scale_min=0, scale_max=5)
    with pytest.raises(ValueError, match="needs a scale"):
        render_results_png([panel])


def test_marked_areas_carry_the_chat_words_under_their_names() -> None:
    marks = ("", "strongest", "", "to work on", "", "", "", "", "", "")
    fig = _build_figure([replace(arc_panel(), marks=marks)])
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[:4] == ["Drug use", "Mood\n(strongest)", "Health", "Community\n(to work on)"]
    with pytest.raises(ValueError, match="has 2 marks but 10 categories"):
        render_results_png([replace(arc_panel(), marks=("strongest", ""))])


def test_a_missing_value_has_no_bar_and_says_no_answer() -> None:
    from matplotlib.patches import Rectangle

    values = (math.nan, *NOW.values[1:])
    fig = _build_figure([arc_panel(FIRST, Series("Now", values))])
    (ax,) = fig.axes
    printed = [text.get_text() for text in ax.texts]
    assert printed[len(FIRST.values)] == "no answer"
    assert printed.count("no answer") == 1
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 2 * len(ARC_CATEGORIES) - 1  # no bar, not a bar of length 0
    assert all(math.isfinite(bar.get_width()) for bar in bars)
    assert_valid_png(render_results_png([arc_panel(FIRST, Series("Now", values))]))


def test_a_note_is_drawn_under_the_title() -> None:
    panel = replace(weekly_panel(), note="Based on 9 of 10 answers")
    texts = figure_texts([panel])
    assert texts[:2] == ["Your week", "Based on 9 of 10 answers / Lower is better"]
    fig = _build_figure([panel])
    title, note = fig.texts[:2]
    assert note.get_position()[1] < title.get_position()[1]
    assert float(note.get_fontsize()) >= 12
    assert "Based on" not in " ".join(figure_texts([weekly_panel()]))


def test_categories_top_to_bottom_scale_fixed_and_integer_ticks() -> None:
    fig = _build_figure([arc_panel(), cest_panel()])
    arc_ax, cest_ax = fig.axes
    labels = [t.get_text() for t in arc_ax.get_yticklabels()]
    assert labels == list(ARC_CATEGORIES)
    bottom, top = arc_ax.get_ylim()
    assert bottom > top  # first category drawn at the top
    assert arc_ax.get_xlim() == (0, 5)
    assert list(arc_ax.get_xticks()) == [0, 1, 2, 3, 4, 5]
    assert cest_ax.get_xlim() == (10, 50)
    assert list(cest_ax.get_xticks()) == [10, 20, 30, 40, 50]


def test_values_are_printed_at_the_bar_ends() -> None:
    fig = _build_figure([arc_panel()])
    (ax,) = fig.axes
    printed = [text.get_text() for text in ax.texts]
    expected = [_format_value(v) for v in FIRST.values + NOW.values]
    assert printed == expected


def test_bars_start_at_scale_min_and_end_at_the_value() -> None:
    from matplotlib.patches import Rectangle

    fig = _build_figure([weekly_panel()])
    (ax,) = fig.axes
    bars = ax.patches
    assert len(bars) == len(ARC_CATEGORIES)
    for bar, value in zip(bars, weekly_panel().series[0].values, strict=True):
        assert isinstance(bar, Rectangle)
        assert bar.get_x() == 1
        assert math.isclose(bar.get_x() + bar.get_width(), value)


def test_fonts_are_big_enough_for_a_phone() -> None:
    fig = _build_figure([arc_panel()])
    (ax,) = fig.axes
    sizes = [t.get_fontsize() for t in ax.get_yticklabels() + ax.get_xticklabels()]
    sizes += [t.get_fontsize() for t in ax.texts]
    sizes += [t.get_fontsize() for t in fig.texts]
    sizes += [t.get_fontsize() for t in fig.legends[0].get_texts()]
    assert min(float(size) for size in sizes) >= 12


def test_dollar_signs_in_labels_are_not_treated_as_maths() -> None:
    panel = Panel(
        title="Money $ worries $",
        categories=("Debt $x$", "Bills"),
        series=(Series("$Then", (1, 2)), Series("Now $", (2, 3))),
        scale_min=0,
        scale_max=5,
        scale="$ out of 5 $",
    )
    assert_valid_png(render_results_png([panel]))


def test_long_labels_wrap_and_still_render() -> None:
    panel = Panel(
        title="How your week has gone compared with when you first started with us",
        categories=("Using drugs or alcohol less than before", "Mood"),
        series=(
            Series("When you first started with us (3 November 2025)", (1, 2)),
            Series("Your latest weekly check-in", (2, 3)),
        ),
        scale_min=1,
        scale_max=6,
        scale="Each answer you gave, from 1 for strongly disagree to 6 for strongly agree",
    )
    fig = _build_figure([panel])
    assert "\n" in fig.texts[0].get_text()
    width, _ = assert_valid_png(render_results_png([panel]))
    assert width == 800


# --- Validation -------------------------------------------------------------------------------


def test_empty_panel_list_is_rejected() -> None:
    with pytest.raises(ValueError, match="at least one panel"):
        render_results_png([])


def test_series_length_must_match_categories() -> None:
    short = Series("Now", (1, 2, 3))
    with pytest.raises(ValueError, match="has 3 values but there are 10 categories"):
        render_results_png([arc_panel(short)])


def test_zero_series_is_rejected() -> None:
    panel = Panel("Empty", ("A", "B"), (), scale_min=0, scale_max=5, scale="out of 5")
    with pytest.raises(ValueError, match="needs 1 or 2 series, got 0"):
        render_results_png([panel])


def test_three_series_is_rejected() -> None:
    with pytest.raises(ValueError, match="needs 1 or 2 series, got 3"):
        render_results_png([arc_panel(FIRST, NOW, NOW)])


@pytest.mark.parametrize("bad", [-0.5, 5.01, 6, math.inf, -math.inf])
def test_values_outside_the_scale_are_rejected(bad: float) -> None:
    values = (bad, *NOW.values[1:])
    with pytest.raises(ValueError, match="outside the scale 0 to 5"):
        render_results_png([arc_panel(FIRST, Series("Now", values))])


def test_values_on_the_scale_ends_are_accepted() -> None:
    values = (0, 5, 0, 5, 0, 5, 0, 5, 0, 5)
    assert_valid_png(render_results_png([arc_panel(Series("Now", values))]))


def test_no_categories_is_rejected() -> None:
    panel = Panel("Nothing", (), (Series("Now", ()),), scale_min=0, scale_max=5, scale="out of 5")
    with pytest.raises(ValueError, match="no categories"):
        render_results_png([panel])


def test_inverted_scale_is_rejected() -> None:
    panel = Panel(
        "Upside down", ("A",), (Series("Now", (3,)),), scale_min=5, scale_max=0, scale="out of 5"
    )
    with pytest.raises(ValueError, match="must be below scale_max"):
        render_results_png([panel])


def test_error_names_the_bad_panel() -> None:
    with pytest.raises(ValueError, match=r"panel 2 \('Your recovery strengths'\)"):
        render_results_png([cest_panel(), arc_panel(Series("Now", (1,)))])


def test_build_figure_validates_too() -> None:
    with pytest.raises(ValueError):
        _build_figure([])


@pytest.mark.parametrize("dpi", [0, -100])
def test_dpi_must_be_positive(dpi: int) -> None:
    with pytest.raises(ValueError, match="dpi"):
        render_results_png([arc_panel()], dpi=dpi)


# --- Helpers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3, "3"),
        (3.0, "3"),
        (3.5, "4"),
        (3.46, "3"),
        (26.5, "27"),
        (26.7, "27"),
        (0, "0"),
        (50, "50"),
        (math.nan, "no answer"),
    ],
)
def test_format_value_is_the_chat_rounding(value: float, text: str) -> None:
    assert _format_value(value) == text
    if not math.isnan(value):
        assert _format_value(value) == shown(value)


@pytest.mark.parametrize(
    ("scale", "ticks"),
    [
        ((0, 5), [0, 1, 2, 3, 4, 5]),
        ((1, 6), [1, 2, 3, 4, 5, 6]),
        ((10, 50), [10, 20, 30, 40, 50]),
        ((0, 10), [0, 2, 4, 6, 8, 10]),
        ((0, 100), [0, 20, 40, 60, 80, 100]),
    ],
)
def test_ticks_are_whole_numbers_and_few(scale: tuple[float, float], ticks: list[int]) -> None:
    assert _ticks(*scale) == ticks
