"""The real `python -m bot serve` and `python -m bot scheduler`, run as child processes.

Fault tests need a process the operating system can kill with SIGKILL at any instant, so they
run the installed command exactly as an operator would, configured only through MENTORBOT_*
variables, against fakes served from the test's own event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.conftest import TEST_KEY
from tests.fakes.telegram_api import FakeTelegramAPI

WEBHOOK_SECRET = "reliability-webhook-secret"
START_TIMEOUT = 60.0  # seconds; the machine is shared and a cold start imports a lot


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_environment(
    *,
    database_url: str,
    fake: FakeTelegramAPI,
    port: int,
    mode: str = "webhook",
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """Settings for a child process; nothing is inherited from a developer's MENTORBOT_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MENTORBOT_")}
    env |= {
        "MENTORBOT_DATABASE_URL": database_url,
        "MENTORBOT_TELEGRAM_TOKEN": fake.token,
        "MENTORBOT_TELEGRAM_API_URL": fake.base_url,
        "MENTORBOT_TELEGRAM_MODE": mode,
        "MENTORBOT_TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "MENTORBOT_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "MENTORBOT_HTTP_PORT": str(port),
        # Replies are paced by PTB's limiter at this rate; the fake can take far more.
        "MENTORBOT_SEND_RATE_PER_SECOND": "500",
        "MENTORBOT_ENCRYPTION_KEYS": TEST_KEY,  # the key conftest installs in this process
        "PTB_TIMEDELTA": "true",
    }
    return env | (extra or {})


@dataclass
class BotProcess:
    """One `python -m bot <command>` child; `kill()` is kill -9, `start()` starts it again."""

    command: str
    env: dict[str, str]
    workdir: Path
    port: int | None = None
    starts: int = 0
    process: asyncio.subprocess.Process | None = field(default=None, repr=False)

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.command}.log"

    async def start(self) -> None:
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"---- start {self.starts}\n".encode())
            log.flush()
            # cwd is a scratch folder so no stray .env is read.
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                self.command,
                env=self.env,
                cwd=self.workdir,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        if self.port is not None:
            await self.wait_healthy()

    async def wait_healthy(self) -> None:
        """Wait until GET /healthz answers (the lifespan, replay included, has finished)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT
        async with httpx.AsyncClient(timeout=2.0) as client:
            while loop.time() < deadline:
                if not self.alive:
                    raise AssertionError(f"`{self.command}` exited:\n{self.log_tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    response = await client.get(f"http://127.0.0.1:{self.port}/healthz")
                    # 503 is an answer too: serve is up and says the scheduler is not yet.
                    if response.status_code in (200, 503):
                        return
                await asyncio.sleep(0.2)
        raise AssertionError(f"`{self.command}` did not start:\n{self.log_tail()}")

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def kill(self) -> None:
        """kill -9: no shutdown code runs, exactly like a power cut or the OOM killer."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        """A clean stop (SIGTERM), used at the end of a test."""
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), 30)
        except TimeoutError:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def log_count(self, needle: str) -> int:
        if not self.log_path.exists():
            return 0
        return self.log_path.read_text(errors="replace").count(needle)
