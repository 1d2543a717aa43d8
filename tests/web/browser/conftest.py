"""A real browser on the dashboard: Debian's chromium and chromedriver, driven by Selenium.

One browser per module (starting Chromium costs a second or two); a fresh uvicorn server per
test on 127.0.0.1, serving the real app over the test's database with its own engine (the
server runs in its own thread and event loop). axe-core, from its npm package, is injected into
each page checked. Without chromium, chromedriver or axe-core the tests are skipped, saying
which is missing, except in CI (CI=true), where .ci/run installs them and their absence fails.

Set DASHBOARD_SCREENSHOTS=docs/img to write each page's screenshots at 390x844 and 1280x800
(the guide's pictures); otherwise pages are checked at those sizes but nothing is written.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.handlers.web import create_web_app
from bot.instruments import Instrument
from bot.service import MentorService
from bot.storage.db import make_engine, make_session_factory
from bot.web.app import build_staff_app
from tests.conftest import CRISIS, LONDON, FakeClock

REPO = Path(__file__).resolve().parents[3]
AXE = Path(
    os.environ.get("AXE_CORE_JS", REPO / ".cache/axe-core/node_modules/axe-core/axe.min.js")
)
SIZES = ((390, 844), (1280, 800))
NARROWEST = 360
SHOTS = os.environ.get("DASHBOARD_SCREENSHOTS")
RUN_AXE = """
var done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]}).then(function (result) {
  done(result.violations.map(function (v) {
    return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length};
  }));
}, function (error) { done([{id: "axe-error", impact: "critical", help: String(error)}]); });
"""


def _missing() -> str | None:
    for program in ("chromium", "chromedriver"):
        if shutil.which(program) is None:
            return f"{program} is not installed (apt-get install chromium chromium-driver)"
    if not AXE.is_file():
        return f"axe-core is not at {AXE} (npm install --prefix .cache/axe-core axe-core)"
    return None


@dataclass
class Browser:
    driver: Any  # selenium's Chrome WebDriver (imported only when a browser is there)
    downloads: Path


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    missing = _missing()
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run in CI: {missing}")
        pytest.skip(f"browser tests need a browser: {missing}")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    options = Options()
    options.binary_location = str(shutil.which("chromium"))
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads)})
    driver = webdriver.Chrome(service=Service(str(shutil.which("chromedriver"))), options=options)
    driver.set_script_timeout(30)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    try:
        yield Browser(driver, downloads)
    finally:
        driver.quit()


@dataclass
class Live:
    """The dashboard served on a real port, and the bot that gives its links."""

    url: str
    bot: MentorService


@pytest.fixture
def live(
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
    instruments: dict[str, Instrument],
    clock: FakeClock,
) -> Iterator[Live]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"

    def service(sessions: async_sessionmaker[AsyncSession]) -> MentorService:
        return MentorService(
            session_factory=sessions,
            instruments=instruments,
            zone=LONDON,
            clock=clock,
            crisis=CRISIS,
            staff_web_url=url,
        )

    server_engine = make_engine(database_url)  # used only in the server's own thread and loop
    app = create_web_app(staff=build_staff_app(service(make_session_factory(server_engine)), url))
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    )

    async def serve() -> None:
        await server.serve(sockets=[listener])
        await server_engine.dispose()

    thread = threading.Thread(target=lambda: asyncio.run(serve()), name="dashboard-server")
    thread.start()
    while not server.started and thread.is_alive():
        threading.Event().wait(0.01)
    try:  # the bot uses the test's own engine, in the test's event loop
        yield Live(url, service(session_factory))
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


def check_page(driver: Any, name: str) -> None:
    """No serious or critical axe finding; nothing wider than 360 px; screenshots if asked."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": NARROWEST, "height": 800, "deviceScaleFactor": 1, "mobile": True},
    )
    wide = driver.execute_script("return document.documentElement.scrollWidth")
    assert wide <= NARROWEST, f"{name}: {wide}px wide at {NARROWEST}px"
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    found = driver.execute_async_script(RUN_AXE)
    bad = [v for v in found if v["impact"] in ("serious", "critical")]
    assert not bad, f"{name}: {bad}"
    for width, height in SIZES:
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
        )
        if SHOTS:
            driver.save_screenshot(str(REPO / SHOTS / f"dashboard-{name}-{width}.png"))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
