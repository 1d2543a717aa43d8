"""The pictures a Reply can carry, and the one place they are drawn.

A flow describes a picture as data (result charts, or a plan card); the channel adapter draws
it after the commit with `draw`, off the event loop. The same description draws once: the last
CACHED pictures are kept by their content (a mentee who asks for their results twice, a
supervisor's report asked again), and the drawing process can be started with the bot
(`start_drawing`) so that the first picture does not wait a second for it.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import os
import pickle
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.reports.charts import Panel
from bot.reports.compare_chart import ComparisonChart, render_comparison_png
from bot.reports.outcome_chart import OutcomesChart, render_outcomes_png
from bot.reports.pillow_charts import render_bars_png
from bot.reports.plan_card import PlanCard, render_plan_card_png

Card = PlanCard | OutcomesChart | ComparisonChart  # pictures not of a mentee's results
Picture = tuple[Panel, ...] | Card

# Pictures are drawn in one worker process, started on first use (docs/decisions.md, 28).
# Drawing is CPU work that held the GIL against every update being handled, and matplotlib
# is about 55 MB that the bot process need not carry. Spawned, not forked: the bot has
# threads (aiosqlite, PTB) whose locks a fork could copy mid-use.
_drawing: ProcessPoolExecutor | None = None
CACHED = 64  # PNGs of 20-80 KB each: a few MB at most, in this process's memory only
_drawn: OrderedDict[bytes, bytes] = OrderedDict()


def _drawing_process() -> ProcessPoolExecutor:
    global _drawing
    if _drawing is None:
        _drawing = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_end_with,
            initargs=(os.getpid(),),
        )
    return _drawing


def _end_with(bot: int) -> None:
    """In the drawing process: end when the bot process has gone, however it went.

    A pool's worker holds both ends of its own queue, so it never sees end-of-file when the
    bot is killed with -9; it would linger for good, holding the bot's stdout.
    """

    def watch() -> None:
        while os.getppid() == bot:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="mentorbot-draw-watch", daemon=True).start()


def start_drawing() -> Future[None]:
    """Start the drawing process now, with matplotlib loaded, instead of at the first picture."""
    return _drawing_process().submit(_load_matplotlib)


def _load_matplotlib() -> None:
    import matplotlib.pyplot  # noqa: F401  (in the drawing process: the import is the point)


async def draw(picture: Picture) -> bytes:
    """PNG bytes for a described picture, drawn in the drawing process (or kept from before).

    A drawing process that died (killed, out of memory) breaks its pool for good, so it is
    replaced and the picture drawn once more by a fresh one.
    """
    key = hashlib.sha256(pickle.dumps(picture)).digest()
    if key in _drawn:
        _drawn.move_to_end(key)
        return _drawn[key]
    pool = _drawing_process()
    try:
        png = await _draw_in(pool, picture)
    except BrokenProcessPool:
        _forget(pool)
        png = await _draw_in(_drawing_process(), picture)
    _drawn[key] = png
    while len(_drawn) > CACHED:
        _drawn.popitem(last=False)
    return png


async def _draw_in(pool: ProcessPoolExecutor, picture: Picture) -> bytes:
    return await asyncio.get_running_loop().run_in_executor(pool, render_picture, picture)


def _forget(pool: ProcessPoolExecutor) -> None:
    global _drawing
    if _drawing is pool:
        _drawing = None
    pool.shutdown(wait=False, cancel_futures=True)


def render_picture(picture: Picture) -> bytes:
    """PNG bytes for a described picture. Blocks: in the bot, `await draw(picture)`.

    A mentee's results are drawn with Pillow directly (pillow_charts.py, a fifth of
    matplotlib's cost for the same look); the rest with matplotlib (docs/decisions.md).
    """
    if isinstance(picture, PlanCard):
        return render_plan_card_png(picture)
    if isinstance(picture, OutcomesChart):
        return render_outcomes_png(picture.rows)
    if isinstance(picture, ComparisonChart):
        return render_comparison_png(picture.comparison)
    return render_bars_png(picture)
