"""The pictures a Reply can carry, and the one place they are drawn.

A flow describes a picture as data (result charts, or a plan card); the channel adapter draws
it after the commit, in a worker thread, with `render_picture`.
"""

from __future__ import annotations

from bot.reports.charts import Panel, render_results_png
from bot.reports.outcome_chart import OutcomesChart, render_outcomes_png
from bot.reports.plan_card import PlanCard, render_plan_card_png

Card = PlanCard | OutcomesChart  # pictures that are not a mentee's result charts
Picture = tuple[Panel, ...] | Card


def render_picture(picture: Picture) -> bytes:
    """PNG bytes for a described picture. Blocks: call it via asyncio.to_thread."""
    if isinstance(picture, PlanCard):
        return render_plan_card_png(picture)
    if isinstance(picture, OutcomesChart):
        return render_outcomes_png(picture.rows)
    return render_results_png(picture)
