"""The pictures a Reply can carry, and the one place they are drawn.

A flow describes a picture as data (result charts, or a plan card); the channel adapter draws
it after the commit with `draw`, off the event loop.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from bot.reports.charts import Panel, render_results_png
from bot.reports.outcome_chart import OutcomesChart, render_outcomes_png
from bot.reports.plan_card import PlanCard, render_plan_card_png

Card = PlanCard | OutcomesChart  # pictures that are not a mentee's result charts
Picture = tuple[Panel, ...] | Card

# One drawing thread for the process. Drawing is CPU work under the GIL, so more threads draw
# no faster; with updates handled concurrently they only held more figures (and glibc arenas)
# in memory at once: 179 -> 224 MB peak in the load benchmark.
_DRAWING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mentorbot-draw")


async def draw(picture: Picture) -> bytes:
    """PNG bytes for a described picture, drawn in the drawing thread."""
    return await asyncio.get_running_loop().run_in_executor(_DRAWING, render_picture, picture)


def render_picture(picture: Picture) -> bytes:
    """PNG bytes for a described picture. Blocks: in the bot, `await draw(picture)`."""
    if isinstance(picture, PlanCard):
        return render_plan_card_png(picture)
    if isinstance(picture, OutcomesChart):
        return render_outcomes_png(picture.rows)
    return render_results_png(picture)
