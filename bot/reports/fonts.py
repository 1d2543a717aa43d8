"""The DejaVu Sans files that ship with matplotlib, for pictures drawn with Pillow directly.

The Pillow pictures must look like the matplotlib ones (and not vary by machine), so they use
the very same font files. They are found through the import system without importing
matplotlib, which would cost the bot process about 0.4 s and tens of MB.

Text is laid out as matplotlib lays it out (matplotlib/text.py, `Text._get_layout`): every line
is at least as tall as the font's typographic ascent and descent (OS/2 table), and with a
numeric line spacing each line takes exactly `spacing * (ascent + descent)`, the leading split
above and below its ink.
"""

from __future__ import annotations

import functools
import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont

# DejaVu Sans, Bold and Oblique share these (OS/2 sTypoAscender, -sTypoDescender,
# sTypoLineGap over unitsPerEm); tests/reports/test_pillow_charts.py checks them.
TYPO_ASCENT = 1556 / 2048
TYPO_DESCENT = 492 / 2048
TYPO_LINE_GAP = 410 / 2048

STYLES = {
    "normal": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "italic": "DejaVuSans-Oblique.ttf",
}

# FreeType faces are not safe to use from two threads at once; pictures are drawn in a thread
# or a process of their own, so one lock around drawing text costs nothing.
text_lock = threading.Lock()


def font_path(style: str = "normal") -> Path:
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or spec.origin is None:
        raise RuntimeError("matplotlib (which ships the DejaVu fonts) is not installed")
    return Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf" / STYLES[style]


@functools.lru_cache(maxsize=64)
def font(style: str, size_px: float, *, for_layout: bool = False) -> FreeTypeFont:
    """The font at a size in pixels (points * dpi / 72, as matplotlib sizes text).

    matplotlib measures text for the layout from the unhinted outlines, as HarfBuzz (Pillow's
    "raqm" engine) does, but draws it hinted, a little wider, as Pillow's "basic" engine does:
    `for_layout` gives the first, else the second, so both the layout and the look agree.
    """
    from PIL import ImageFont, features

    raqm = for_layout and features.check("raqm")
    engine = ImageFont.Layout.RAQM if raqm else ImageFont.Layout.BASIC
    return ImageFont.truetype(font_path(style), size_px, layout_engine=engine)


@dataclass(frozen=True)
class Line:
    text: str
    width: float  # px
    baseline: float  # px below the block's top


@dataclass(frozen=True)
class Block:
    """A block of text laid out as matplotlib lays it out, in pixels from its top left."""

    lines: tuple[Line, ...]
    width: float
    height: float
    style: str
    size_px: float


def block(text: str, style: str, size_px: float, spacing: float | None = None) -> Block:
    """Lay out `text` (lines split at "\\n"); `spacing` None is matplotlib's "normal"."""
    face = font(style, size_px)
    lines = text.split("\n")
    ascent, descent = TYPO_ASCENT * size_px, TYPO_DESCENT * size_px
    gap = TYPO_LINE_GAP * size_px if len(lines) > 1 else 0.0
    placed = []
    y = 0.0
    for line in lines:
        if line:
            _, top, _, bottom = face.getbbox(line, anchor="ls")
            a, d = float(-top), float(bottom)
            width = float(face.getlength(line))
        else:
            a = d = width = 0.0
        if spacing is None:
            a, d = max(a, ascent) + gap / 2, max(d, descent) + gap / 2
        else:
            leading = spacing * (ascent + descent) - (a + d)
            a, d = a + leading / 2, d + leading / 2
        placed.append(Line(line, width, y + a))
        y += a + d
    return Block(tuple(placed), max(line.width for line in placed), y, style, size_px)
