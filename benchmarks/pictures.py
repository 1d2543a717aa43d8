"""Picture benchmark (docs/benchmarks.md): the cost of each picture a mentee gets, per renderer.

Run from the repository root (not part of the test run), gently on a shared machine:

    nice -n 19 .venv/bin/python -m benchmarks.pictures [--count N] [--renderer NAME ...]

The pictures are described by the flows' own code (bot/flows/results.py: the weekly check-in
alone and beside the first week, the full check beside the first one; bot/reports/plan_card.py:
the plan card), with made-up scores, so they are the ones a mentee gets. Each renderer draws
them in a fresh spawned process, as the bot's drawing process does: first the cold cost (the
imports and the first picture), then every picture N times (default 30) after two unmeasured
draws. Reported per picture: CPU ms (time.process_time in the drawing process: steadier than
wall time on a busy machine), wall ms, PNG size and pixel size. Then `draw()`, the path the bot
takes, with its cache emptied before each call: wall ms and the CPU the bot process spends per
picture (the drawing process's CPU is not in it).

Renderers: `matplotlib` (every picture, as every one was drawn until the Pillow renderer came)
and `pillow` (the results charts, as they are drawn now). Nothing is checked against a target;
the figures go into docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import struct
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

from benchmarks.load import _load, _revision, _version, percentile

if TYPE_CHECKING:
    from bot.reports.pictures import Picture

WARM_UP: Final = 2
RENDERERS: Final = ("matplotlib", "pillow")

# Made up: an ARC area score (0-5) and a weekly answer (1-6) per area, first and latest.
ARC_FIRST: Final = (1, 2, 2, 1, 3, 0, 4, 2, 1, 2)
ARC_NOW: Final = (3, 3, 2, 2, 4, 2, 5, 3, 3, 4)
WEEK_FIRST: Final = (3, 3, 2, 2, 4, 3, 5, 2, 1, 3)
WEEK_NOW: Final = (4, 5, 3, 4, 6, 4, 5, 3, 2, 5)


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def mentee_pictures() -> dict[str, Picture]:
    """The pictures a mentee gets, described by the flows' own code."""
    from bot.flows.results import Earlier, Look, full_picture, weekly_picture
    from bot.instruments import Instrument, load_instruments
    from bot.instruments.model import DOMAIN_PREFIX, MEAN_KEY

    def scores(instrument: Instrument, values: tuple[float, ...]) -> dict[str, float]:
        found = {DOMAIN_PREFIX + d.id: v for d, v in zip(instrument.domains, values, strict=True)}
        return {**found, "total": sum(found.values())}

    instruments = load_instruments()
    arc, weekly = instruments["arc"], instruments["weekly"]
    week_now = {"weekly": scores(weekly, WEEK_NOW)}
    first_week = Earlier("First week (10 Nov)", {"weekly": scores(weekly, WEEK_FIRST)})
    first = {
        "arc": scores(arc, ARC_FIRST),
        "cest_self_esteem": {MEAN_KEY: 80 / 3},
        "cest_self_efficacy": {MEAN_KEY: 22.0},
    }
    now = {
        "arc": scores(arc, ARC_NOW),
        "cest_self_esteem": {MEAN_KEY: 35.0},
        "cest_self_efficacy": {MEAN_KEY: 38.0},
    }
    return {
        "weekly, first week": weekly_picture(weekly, week_now, None, "This week (10 Nov)"),
        "weekly, beside the first": weekly_picture(
            weekly, week_now, first_week, "This week (2 Feb)"
        ),
        "full check, beside the first": full_picture(
            instruments, now, Earlier("First check (3 Nov)", first), Look("Now (2 Feb)")
        ),
        "plan card": plan_card(),
    }


def plan_card() -> Picture:
    from bot.flows import texts
    from bot.reports.plan_card import CardGoal, PlanCard

    return PlanCard(
        title=texts.PLAN_HEADER,
        priorities_heading=texts.PLAN_CARD_PRIORITIES,
        priorities=("Home", "Mood", "Things you do"),
        goals_heading=texts.PLAN_CARD_GOALS,
        goals=(
            CardGoal(
                "Walk to the park every day",
                1,
                3,
                ("Next step: Buy some shoes that fit", "Updates: 1, last: some of it"),
            ),
            CardGoal("Call the housing office", 0, 2, ("Next step: Ring them on Monday",)),
        ),
        no_goals=texts.PLAN_CARD_NO_GOALS,
        meeting="Next meeting: Wed 4 Mar at 14:00 with Alex, at Hope Street Hub.",
    )


def renderer(name: str, picture: Picture) -> Callable[[], bytes] | None:
    """How `name` draws `picture`, or None if it does not draw that kind."""
    from bot.reports.charts import render_results_png
    from bot.reports.plan_card import PlanCard, render_plan_card_png

    if name == "matplotlib":
        if isinstance(picture, PlanCard):
            return lambda: render_plan_card_png(picture)
        assert isinstance(picture, tuple)
        return lambda: render_results_png(picture)
    if name == "pillow":
        from bot.reports.pillow_charts import render_bars_png

        if isinstance(picture, tuple):
            return lambda: render_bars_png(picture)
        return None
    raise ValueError(f"no renderer {name!r}")


@dataclass(frozen=True)
class Timing:
    picture: str
    renderer: str
    cpu_ms: list[float]
    wall_ms: list[float]
    png_bytes: int
    size: tuple[int, int]


@dataclass(frozen=True)
class Cold:
    renderer: str
    cpu_ms: float
    wall_ms: float
    picture: str


def _png_size(data: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def measure_in_drawing_process(
    name: str, pictures: dict[str, Picture], count: int
) -> tuple[Cold, list[Timing]]:
    """In a fresh process: the first picture with its imports, then each picture `count` times."""
    drawers = {kind: renderer(name, picture) for kind, picture in pictures.items()}
    drawn = {kind: draw for kind, draw in drawers.items() if draw is not None}
    first_kind, first = next(iter(drawn.items()))
    began, began_cpu = time.perf_counter(), time.process_time()
    first()
    cold = Cold(
        name,
        1000 * (time.process_time() - began_cpu),
        1000 * (time.perf_counter() - began),
        first_kind,
    )
    timings = []
    for kind, draw in drawn.items():
        for _ in range(WARM_UP):
            png = draw()
        cpu, wall = [], []
        for _ in range(count):
            began, began_cpu = time.perf_counter(), time.process_time()
            png = draw()
            cpu.append(1000 * (time.process_time() - began_cpu))
            wall.append(1000 * (time.perf_counter() - began))
        timings.append(Timing(kind, name, cpu, wall, len(png), _png_size(png)))
    return cold, timings


def in_fresh_process(
    name: str, pictures: dict[str, Picture], count: int
) -> tuple[Cold, list[Timing]]:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(measure_in_drawing_process, name, pictures, count).result()


async def through_draw(pictures: dict[str, Picture], count: int) -> list[Timing]:
    """`draw()` as the bot calls it, its cache emptied each time: the bot process's share."""
    from bot.reports import pictures as drawing

    await asyncio.wrap_future(drawing.start_drawing())
    timings = []
    for kind, picture in pictures.items():
        cpu, wall = [], []
        for index in range(WARM_UP + count):
            drawing._drawn.clear()
            began, began_cpu = time.perf_counter(), time.process_time()
            png = await drawing.draw(picture)
            if index >= WARM_UP:
                cpu.append(1000 * (time.process_time() - began_cpu))
                wall.append(1000 * (time.perf_counter() - began))
        timings.append(Timing(kind, "draw()", cpu, wall, len(png), _png_size(png)))
    return timings


def ms(values: Sequence[float]) -> str:
    return f"{statistics.median(values):.1f} (p90 {percentile(values, 0.9):.1f})"


def table(timings: Sequence[Timing]) -> str:
    header = ("picture", "renderer", "CPU ms, median (p90)", "wall ms, median (p90)", "PNG", "px")
    cells = [header] + [
        (
            t.picture,
            t.renderer,
            ms(t.cpu_ms),
            ms(t.wall_ms),
            f"{t.png_bytes / 1024:.1f} KB",
            f"{t.size[0]}x{t.size[1]}",
        )
        for t in timings
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    return "\n".join(
        [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
        + [line(row) for row in cells[1:]]
    )


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.pictures",
        description="What each picture a mentee gets costs to draw, per renderer.",
    )
    parser.add_argument("--count", type=int, default=30, help="draws of each picture measured")
    parser.add_argument(
        "--renderer", choices=RENDERERS, action="append", help="default: every renderer"
    )
    parser.add_argument(
        "--no-draw", action="store_true", help="leave out the round trip through draw()"
    )
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    about = [
        f"code: {_revision()}",
        f"machine: {os.cpu_count()} cores; matplotlib {_version('matplotlib')}, "
        f"Pillow {_version('pillow')}, niceness {os.nice(0)}",
        f"load average at start: {_load()} (other work on the machine skews wall times)",
    ]
    say("\n".join(about))
    pictures = mentee_pictures()
    colds: list[Cold] = []
    timings: list[Timing] = []
    for name in args.renderer or RENDERERS:
        say(f"{name}: {args.count} draws of each picture in a fresh process")
        cold, measured = in_fresh_process(name, pictures, args.count)
        colds.append(cold)
        timings += measured
    if not args.no_draw:
        say(f"draw(): {args.count} calls per picture, cache emptied each time")
        timings += asyncio.run(through_draw(pictures, args.count))
    print(f"picture benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print("\n".join(about))
    print(f"load average at end: {_load()}")
    print(table(timings))
    for cold in colds:
        print(
            f"  cold, {cold.renderer}: imports and the first picture ({cold.picture}) "
            f"{cold.cpu_ms:.0f} ms CPU, {cold.wall_ms:.0f} ms wall"
        )
    print("  draw(): CPU is the bot process's only; wall includes the drawing process's work")
    return 0


if __name__ == "__main__":
    sys.exit(main())
