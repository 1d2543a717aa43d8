"""Pictures are drawn in a worker process that the bot replaces if it dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from bot.reports import pictures
from bot.reports.charts import Panel
from tests.reports.test_charts import PNG_SIGNATURE, weekly_panel

REPO_ROOT = Path(__file__).resolve().parents[2]


def printed_by(script: str) -> str:
    """What a fresh interpreter prints running `script` from the repository root."""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_a_picture_comes_back_as_png_from_the_drawing_process() -> None:
    png = await pictures.draw((weekly_panel(),))
    assert png.startswith(PNG_SIGNATURE)
    assert png == pictures.render_picture((weekly_panel(),))  # the same picture, drawn here


async def test_a_drawing_process_that_died_is_replaced_and_the_picture_still_comes() -> None:
    await pictures.draw((weekly_panel(),))
    pool = pictures._drawing
    assert pool is not None
    for pid in list(pool._processes):  # as if the kernel killed it for memory
        os.kill(pid, signal.SIGKILL)
    png = await pictures.draw(titled("Drawn after the kill"))  # not kept: must be drawn
    assert png.startswith(PNG_SIGNATURE)
    assert pictures._drawing is not pool


def titled(title: str) -> tuple[Panel, ...]:
    return (replace(weekly_panel(), title=title),)


async def drawn_here_again(picture: tuple[Panel, ...]) -> bool:
    """Whether drawing `picture` now needs the drawing process (it was not kept)."""
    if pictures._drawing is not None:
        pictures._forget(pictures._drawing)
    await pictures.draw(picture)
    return pictures._drawing is not None


async def test_the_same_picture_is_drawn_once() -> None:
    first = await pictures.draw(titled("Once"))
    assert not await drawn_here_again(titled("Once"))
    assert await pictures.draw(titled("Once")) == first
    assert await drawn_here_again(titled("Something else"))


async def test_the_oldest_pictures_make_room(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pictures, "CACHED", 2)
    for title in ("One", "Two", "Three"):
        await pictures.draw(titled(title))
    assert not await drawn_here_again(titled("Three"))
    assert await drawn_here_again(titled("One"))


def test_the_drawing_process_can_start_with_the_bot() -> None:
    script = (
        "import sys\n"
        "from bot.reports.pictures import start_drawing\n"
        "start_drawing().result(timeout=120)\n"
        "print('matplotlib' in sys.modules)\n"
    )
    assert printed_by(script).split() == ["False"]


def test_the_bot_process_never_loads_matplotlib_to_draw() -> None:
    script = (
        "import asyncio, sys\n"
        "from bot.reports.pictures import draw\n"
        "from tests.reports.test_charts import weekly_panel\n"
        "png = asyncio.run(draw((weekly_panel(),)))\n"
        "print(len(png), 'matplotlib' in sys.modules)\n"
    )
    size, loaded = printed_by(script).split()
    assert int(size) > 1000
    assert loaded == "False"


def test_the_drawing_process_ends_when_the_bot_is_killed() -> None:
    script = (
        "import asyncio, os, sys, time\n"
        "from bot.reports import pictures\n"
        "from tests.reports.test_charts import weekly_panel\n"
        "asyncio.run(pictures.draw((weekly_panel(),)))\n"
        "print(*pictures._drawing._processes, flush=True)\n"
        "time.sleep(60)\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True
    ) as bot:
        assert bot.stdout is not None
        drawer = int(bot.stdout.readline())
        bot.kill()  # as kill -9 would
    deadline = time.monotonic() + 10
    while Path(f"/proc/{drawer}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{drawer}").exists()


def test_what_the_drawing_process_imports_leaves_the_database_libraries_out() -> None:
    script = (
        "import sys\n"
        "import bot.reports.pictures\n"
        "print(sorted(m for m in ('sqlalchemy', 'telegram', 'bot.storage') if m in sys.modules))\n"
    )
    assert printed_by(script).strip() == "[]"  # each would add tens of MB to the drawing process
