"""The pictures a Reply can carry, and the one place they are drawn.

A flow describes a picture as data (result charts, or a plan card); the channel adapter draws
it after the commit, in a worker thread, with `render_picture`.
"""

from __future__ import annotations

from bot.reports.charts import Panel, render_results_png
from bot.reports.plan_card import PlanCard, render_plan_card_png

Picture = tuple[Panel, ...] | PlanCard


def render_picture(picture: Picture) -> bytes:
    """PNG bytes for a described picture. Blocks: call it via asyncio.to_thread."""
    if isinstance(picture, PlanCard):
        return render_plan_card_png(picture)
    return render_results_png(picture)
