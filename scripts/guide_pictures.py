"""Draw the pictures shown in docs/mentor-guide.md from made-up scores, and print the guide's
table of area names.

The pictures go through the same code a mentee's do (bot/flows/results.py,
bot/reports/pillow_charts.py), so the guide shows what people really get. Run from the
repository root after changing a picture:

    .venv/bin/python scripts/guide_pictures.py

It writes docs/img/*.png (each well under 60 KB) and prints the Markdown table of area names,
which tests/instruments/test_glossary.py checks against the guide.
"""

from __future__ import annotations

import math
import sys
from dataclasses import replace
from pathlib import Path

from bot.flows.results import Earlier, Look, full_picture, weekly_picture
from bot.instruments import Instrument, load_instruments
from bot.instruments.glossary import area_name, scale_words
from bot.instruments.model import DOMAIN_PREFIX, MEAN_KEY
from bot.reports.charts import Panel
from bot.reports.pillow_charts import render_bars_png

OUT = Path(__file__).resolve().parents[1] / "docs" / "img"
# Made up: an ARC area score (0-5) and a weekly answer (1-6) per area, first and latest.
ARC_FIRST = (1, 2, 2, 1, 3, 0, 4, 2, 1, 2)
ARC_NOW = (3, 3, 2, 2, 4, 2, 5, 3, 3, 4)
WEEK_FIRST = (3, 3, 2, 2, 4, 3, 5, 2, 1, 3)
WEEK_NOW = (4, 5, 3, math.nan, 6, 4, 5, 3, 2, 5)  # one question skipped


def _scores(instrument: Instrument, values: tuple[float, ...]) -> dict[str, float]:
    scores = {
        DOMAIN_PREFIX + d.id: v
        for d, v in zip(instrument.domains, values, strict=True)
        if not math.isnan(v)
    }
    scores["total"] = sum(scores.values())
    return scores


def pictures(instruments: dict[str, Instrument]) -> dict[str, tuple[Panel, ...]]:
    arc, weekly = instruments["arc"], instruments["weekly"]
    first = {
        "arc": _scores(arc, ARC_FIRST),
        "cest_self_esteem": {MEAN_KEY: 80 / 3},
        "cest_self_efficacy": {MEAN_KEY: 22.0},
    }
    now = {
        "arc": _scores(arc, ARC_NOW),
        "cest_self_esteem": {MEAN_KEY: 35.0},
        "cest_self_efficacy": {MEAN_KEY: 38.0},
    }
    before = Earlier("First check (3 Nov)", first)
    week_before = Earlier("First week (10 Nov)", {"weekly": _scores(weekly, WEEK_FIRST)})
    (week,) = weekly_picture(
        weekly, {"weekly": _scores(weekly, WEEK_NOW)}, week_before, "This week (2 Feb)"
    )
    staff = full_picture(instruments, now, before, Look("Latest (2 Feb)", staff=True))
    return {
        "full-check": full_picture(instruments, now, before, Look("Now (2 Feb)")),
        "weekly-check-in": (replace(week, note="Based on 9 of 10 answers"),),
        "staff-record": staff[:1],
    }


def glossary_table(instruments: dict[str, Instrument]) -> str:
    rows = [
        "| Plain name (everyone) | The instrument's term (staff see it too) "
        "| What it asks about | Scale |",
        "|---|---|---|---|",
    ]
    for name in ("arc", "cest_self_esteem", "cest_self_efficacy"):
        instrument = instruments[name]
        for domain in instrument.domains:
            key = DOMAIN_PREFIX + domain.id if len(instrument.domains) > 1 else MEAN_KEY
            asks = domain.items[0].text
            scale = scale_words(instrument, key)
            weekly = (
                f"; weekly check-in {scale_words(instruments['weekly'], key)}"
                if name == "arc"
                else ""
            )
            rows.append(
                f'| {area_name(domain)} | {domain.name} | e.g. "{asks}" | {scale}{weekly} |'
            )
    return "\n".join(rows)


def main() -> None:
    instruments = load_instruments()
    OUT.mkdir(parents=True, exist_ok=True)
    for name, panels in pictures(instruments).items():
        data = render_bars_png(panels, dpi=60)  # 480 px wide, as a phone shows it
        (OUT / f"{name}.png").write_bytes(data)
        print(f"docs/img/{name}.png: {len(data) // 1024} KB", file=sys.stderr)
    print(glossary_table(instruments))


if __name__ == "__main__":
    main()
