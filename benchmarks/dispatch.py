"""Dispatcher benchmark (docs/benchmarks.md): rate limit, framework floor, bookkeeping.

Run from the repository root (not part of the test run):

    .venv/bin/python -m benchmarks.dispatch [--scenario a|b|c|all]
        [--database sqlite|postgres|both] [--count N] [--runs K] [--no-check]

Scenarios, each on a fresh database holding N due outbox rows for 200 synthetic recipients:

(a) rate limit: `rate_per_second=25`, the real `TelegramSender` against the fake Bot API; the
    achieved rate, first send to last, must be within 5% of 25/s. Default N is 1,000 (about
    40 s); `--scenario a --count 10000` runs the full 10,000 (about 400 s per database).
(b) framework floor: no rate limit, no per-chat gap, the dispatcher's default concurrency, the
    real `TelegramSender` against the fake; alternated with a bare python-telegram-bot
    `send_message` loop of the same concurrency against the same fake server. The median
    dispatcher rate must be at least 80% of the median bare rate.
(c) bookkeeping: a sender that does no I/O; the claim-send-record loop alone must move at
    least 2,000 messages/s.

The fake Bot API (tests/fakes/telegram_api.py) runs in a child process by default, as Telegram
is another machine in production; `--fake inline` runs it in this process's event loop instead
(its CPU then counts against both sides). Exits 1 when a target is missed, unless --no-check.

PostgreSQL runs (`--database postgres`, or the default `both`) WIPE the database at
`--postgres-url` (DROP SCHEMA public CASCADE). The default is a database of its own,
`mentorbot_bench`, never the test suite's: create it first with
`psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE mentorbot_bench'`.

Message texts are encrypted at rest, so each run installs a throwaway key ring: the dispatcher
decrypts every message it sends, as in production.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import importlib.util
import inspect
import logging
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

# PTB 22 warns inside RetryAfter unless told to use timedelta durations (as the tests do).
os.environ.setdefault("PTB_TIMEDELTA", "true")

import sqlalchemy
import telegram
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery.channel import Sender
from bot.delivery.telegram import TelegramSender
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.quiet import QuietHours
from bot.storage import crypto
from bot.storage.db import make_engine, make_session_factory
from bot.storage.migrate import upgrade
from bot.storage.models import (
    AttemptOutcome,
    DeliveryAttempt,
    OutboxMessage,
    OutboxStatus,
    Person,
    PersonStatus,
    Role,
)

DEFAULT_POSTGRES_URL: Final = "postgresql+asyncpg://postgres@127.0.0.1:5432/mentorbot_bench"
RECIPIENTS: Final = 200
CHAT_ID_BASE: Final = 7_000_000_000  # synthetic Telegram ids; private chat id == user id
DEFAULT_COUNT: Final = 10_000
DEFAULT_COUNT_RATE: Final = 1_000  # (a) runs at 25/s: 1,000 take ~40 s, 10,000 ~400 s
RATE: Final = 25.0
RATE_TOLERANCE: Final = 0.05
FLOOR_RATIO: Final = 0.80
BOOKKEEPING_FLOOR: Final = 2_000.0
DEFAULT_CONCURRENCY: Final[int] = (
    inspect.signature(Dispatcher.__init__).parameters["concurrency"].default
)

NEVER_QUIET: Final = QuietHours(clock_time(0), clock_time(0), ZoneInfo("UTC"))  # empty window


def message_text(index: int) -> str:
    """Synthetic text, identical for the dispatcher and the bare loop (no real content)."""
    return f"Reminder {index}: your meeting with your mentor is tomorrow at 10:00."


def chat_for(index: int, recipients: int) -> int:
    return CHAT_ID_BASE + index % recipients


def utc_now() -> datetime:
    return datetime.now(UTC)


# --------------------------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    kind: str  # "sqlite" or "postgres"
    postgres_url: str


@contextlib.asynccontextmanager
async def fresh_database(
    target: Target, count: int, recipients: int
) -> AsyncIterator[AsyncEngine]:
    """A newly migrated database holding `count` due outbox rows; the engine is disposed after."""
    with tempfile.TemporaryDirectory(prefix="mentorbot-bench-") as directory:
        if target.kind == "sqlite":
            url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        else:
            url = target.postgres_url
            await _reset_postgres(url)
        await asyncio.to_thread(upgrade, url)  # Alembic runs its own loop: keep it off ours
        engine = make_engine(url)
        try:
            await _fill(engine, count, recipients)
            yield engine
        finally:
            await engine.dispose()


async def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


async def _fill(engine: AsyncEngine, count: int, recipients: int) -> None:
    now = utc_now()
    async with engine.begin() as connection:
        people = await connection.execute(
            insert(Person).returning(Person.id, Person.telegram_chat_id),
            [
                {
                    "role": Role.MENTEE,
                    "status": PersonStatus.ACTIVE,
                    "display_name": f"Bench {i}",
                    "telegram_user_id": chat_for(i, recipients),
                    "telegram_chat_id": chat_for(i, recipients),
                    "created_at": now,
                }
                for i in range(recipients)
            ],
        )
        person_by_chat = {chat: person_id for person_id, chat in people}
        due = now - timedelta(minutes=1)
        for start in range(0, count, 5_000):
            await connection.execute(
                insert(OutboxMessage),
                [
                    {
                        "person_id": person_by_chat[chat_for(i, recipients)],
                        "idempotency_key": f"bench:{i}",
                        "kind": "nudge",
                        "text": message_text(i),
                        "payload": None,
                        "status": OutboxStatus.PENDING,
                        "respect_quiet_hours": False,
                        "not_before": due,
                        "expires_at": None,
                        "attempts": 0,
                        "created_at": now,
                    }
                    for i in range(start, min(count, start + 5_000))
                ],
            )


async def _pending(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        pending = await connection.execute(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.PENDING)
        )
        return int(pending.scalar_one())


async def _retries(engine: AsyncEngine, count: int) -> dict[str, int]:
    """Retries by reason (an exception's type name, never message text).

    Raises unless every row ended sent with one attempt more than its retries.
    """
    async with engine.connect() as connection:
        grouped = await connection.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
        statuses: dict[OutboxStatus, int] = {status: n for status, n in grouped}
        outcomes = await connection.execute(
            select(DeliveryAttempt.outcome, DeliveryAttempt.error, func.count()).group_by(
                DeliveryAttempt.outcome, DeliveryAttempt.error
            )
        )
        attempts: dict[tuple[AttemptOutcome, str | None], int] = {
            (outcome, error): n for outcome, error, n in outcomes
        }
    retries = {
        error or "unknown": n
        for (outcome, error), n in attempts.items()
        if outcome is AttemptOutcome.RETRY
    }
    sent = attempts.get((AttemptOutcome.SENT, None), 0)
    if statuses != {OutboxStatus.SENT: count} or sent != count:
        shown = {str(status): n for status, n in statuses.items()}
        raise RuntimeError(f"expected {count} sent; got {shown}, {sent} sent attempts")
    return retries


# --------------------------------------------------------------------------------------------
# The fake Bot API: in a child process (default) or in this event loop
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    token: str
    base_url: str

    def bot(self) -> telegram.Bot:
        return telegram.Bot(self.token, base_url=self.base_url)


def _serve_fake(connection: Connection) -> None:
    """Child process: run the fake until the parent says stop (or goes away)."""
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(_serve_fake_async(connection))


async def _serve_fake_async(connection: Connection) -> None:
    from tests.fakes.telegram_api import FakeTelegramAPI

    async with FakeTelegramAPI() as fake:
        connection.send((fake.token, fake.base_url))
        with contextlib.suppress(EOFError):
            await asyncio.to_thread(connection.recv)


@contextlib.asynccontextmanager
async def fake_bot_api(mode: str) -> AsyncIterator[Endpoint]:
    if mode == "inline":
        from tests.fakes.telegram_api import FakeTelegramAPI

        async with FakeTelegramAPI() as fake:
            yield Endpoint(fake.token, fake.base_url)
            if fake.internal_errors:
                raise RuntimeError(f"fake Bot API errors: {len(fake.internal_errors)}")
        return
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve_fake, args=(theirs,), name="fake-bot-api")
    process.start()
    theirs.close()  # so that a child that dies early is seen as EOF, not waited for
    try:
        if not await asyncio.to_thread(ours.poll, 60):
            raise RuntimeError("the fake Bot API did not start within 60 s")
        try:
            token, base_url = ours.recv()
        except EOFError:
            raise RuntimeError("the fake Bot API process exited while starting") from None
        yield Endpoint(token, base_url)
    finally:
        with contextlib.suppress(OSError):
            ours.send("stop")
        await asyncio.to_thread(process.join, 10)
        if process.is_alive():
            process.terminate()
            await asyncio.to_thread(process.join, 5)


# --------------------------------------------------------------------------------------------
# Senders and the measured loops
# --------------------------------------------------------------------------------------------


class NullSender:
    """Reaches everyone and sends nothing: what is left is the dispatcher's own work."""

    name = "telegram"  # recorded as the channel, as a real Telegram send would be

    def can_reach(self, person: Person) -> bool:
        return True

    async def send(self, person: Person, message: OutboxMessage) -> str | None:
        return None


class TimedSender:
    """Delegates to a real sender and notes when each send started (after the rate limiter)."""

    def __init__(self, inner: Sender) -> None:
        self.inner = inner
        self.name = inner.name
        self.started: list[float] = []

    def can_reach(self, person: Person) -> bool:
        return self.inner.can_reach(person)

    async def send(self, person: Person, message: OutboxMessage) -> str | None:
        self.started.append(time.perf_counter())
        return await self.inner.send(person, message)


@dataclass(frozen=True)
class Timing:
    count: int
    seconds: float
    cpu_seconds: float
    retries: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.count / self.seconds

    @property
    def cpu_ms_per_message(self) -> float:
        return 1000 * self.cpu_seconds / self.count


async def timed(work: Callable[[], Awaitable[int]]) -> Timing:
    cpu, wall = time.process_time(), time.perf_counter()
    count = await work()
    return Timing(count, time.perf_counter() - wall, time.process_time() - cpu)


async def drain(
    engine: AsyncEngine,
    sender: Sender,
    *,
    count: int,
    rate: float | None,
    per_chat_gap: float | None,
    concurrency: int,
) -> Timing:
    """Time `Dispatcher.run_once()` until it finds nothing due; check every row was sent."""
    options: dict[str, Any] = {} if per_chat_gap is None else {"per_chat_gap": per_chat_gap}
    dispatcher = Dispatcher(
        session_factory=make_session_factory(engine),
        senders=[sender],
        clock=utc_now,
        quiet=NEVER_QUIET,
        rate_per_second=rate,
        concurrency=concurrency,
        **options,
    )

    async def work() -> int:
        while True:
            while await dispatcher.run_once():
                pass
            if not await _pending(engine):
                return count
            await asyncio.sleep(0.05)  # a retry is waiting out its backoff: part of the time

    timing = await timed(work)
    return dataclasses.replace(timing, retries=await _retries(engine, count))


async def bare_send_loop(
    endpoint: Endpoint, *, count: int, recipients: int, concurrency: int
) -> Timing:
    """The framework floor: PTB's send_message, N times, `concurrency` at a time."""
    async with endpoint.bot() as bot:
        gate = asyncio.Semaphore(concurrency)

        async def one(index: int) -> None:
            async with gate:
                await bot.send_message(chat_for(index, recipients), message_text(index))

        async def work() -> int:
            await asyncio.gather(*(one(i) for i in range(count)))
            return count

        return await timed(work)


# --------------------------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------------------------


@dataclass
class Row:
    scenario: str
    database: str
    measure: str
    result: str
    target: str
    ok: bool
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Options:
    count: int | None
    runs: int
    recipients: int
    concurrency: int
    fake: str


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def retried(timing: Timing) -> str:
    return f", retries {timing.retries}" if timing.retries else ""


def retry_notes(timings: Sequence[Timing]) -> list[str]:
    """Sends the dispatcher retried after a transient error (they count in its time)."""
    total: dict[str, int] = {}
    for timing in timings:
        for reason, n in timing.retries.items():
            total[reason] = total.get(reason, 0) + n
    if not total:
        return []
    shown = ", ".join(f"{n} {reason}" for reason, n in sorted(total.items()))
    return [f"retried after a transient error, over all runs: {shown}"]


def peak_window(started: Sequence[float], window: float = 1.0) -> int:
    """The most sends that started within any `window` seconds."""
    best, first = 0, 0
    for last, moment in enumerate(started):
        while moment - started[first] >= window:
            first += 1
        best = max(best, last - first + 1)
    return best


async def scenario_rate(target: Target, options: Options) -> Row:
    count = options.count or DEFAULT_COUNT_RATE
    say(f"(a) {target.kind}: {count} messages at {RATE:g}/s (about {count / RATE:.0f} s)")
    async with (
        fake_bot_api(options.fake) as endpoint,
        fresh_database(target, count, options.recipients) as engine,
        endpoint.bot() as bot,
    ):
        sender = TimedSender(TelegramSender(bot))
        timing = await drain(
            engine,
            sender,
            count=count,
            rate=RATE,
            per_chat_gap=None,  # the default, 1 s per chat
            concurrency=options.concurrency,
        )
    started = sorted(sender.started)
    achieved = (len(started) - 1) / (started[-1] - started[0])
    deviation = (achieved - RATE) / RATE
    return Row(
        "a",
        target.kind,
        f"rate, first to last send ({count:,} msgs)",
        f"{achieved:.2f}/s ({deviation:+.1%})",
        f"{RATE:g}/s ±{RATE_TOLERANCE:.0%}",
        abs(deviation) <= RATE_TOLERANCE,
        [f"peak sends in any 1 s: {peak_window(started)}", *retry_notes([timing])],
    )


async def scenario_floor(target: Target, options: Options) -> Row:
    count = options.count or DEFAULT_COUNT
    say(
        f"(b) {target.kind}: {count} messages, {options.runs} alternating runs, "
        f"concurrency {options.concurrency}, fake Bot API {options.fake}"
    )
    ours: list[Timing] = []
    bare: list[Timing] = []
    async with fake_bot_api(options.fake) as endpoint:
        for run in range(options.runs):
            order = ("bare", "dispatcher") if run % 2 == 0 else ("dispatcher", "bare")
            for side in order:
                if side == "bare":
                    timing = await bare_send_loop(
                        endpoint,
                        count=count,
                        recipients=options.recipients,
                        concurrency=options.concurrency,
                    )
                    bare.append(timing)
                else:
                    async with (
                        fresh_database(target, count, options.recipients) as engine,
                        endpoint.bot() as bot,
                    ):
                        timing = await drain(
                            engine,
                            TelegramSender(bot),
                            count=count,
                            rate=None,
                            per_chat_gap=0,
                            concurrency=options.concurrency,
                        )
                    ours.append(timing)
                say(
                    f"    run {run + 1} {side:>10}: {timing.rate:7.0f} msgs/s, "
                    f"{timing.cpu_ms_per_message:.2f} ms CPU/msg{retried(timing)}"
                )
    ours_rate = statistics.median(t.rate for t in ours)
    bare_rate = statistics.median(t.rate for t in bare)
    ratio = ours_rate / bare_rate
    # Each run's ratio pairs two neighbouring measurements, so it is less at the mercy of other
    # work on the machine than the medians taken apart.
    paired = [o.rate / b.rate for o, b in zip(ours, bare, strict=True)]
    return Row(
        "b",
        target.kind,
        f"unthrottled vs bare PTB loop ({count:,} msgs, median of {options.runs})",
        f"{ours_rate:,.0f} vs {bare_rate:,.0f}/s = {ratio:.2f}",
        f">= {FLOOR_RATIO:.2f}",
        ratio >= FLOOR_RATIO,
        [
            "CPU ms/msg (this process): dispatcher "
            f"{statistics.median(t.cpu_ms_per_message for t in ours):.2f}, bare "
            f"{statistics.median(t.cpu_ms_per_message for t in bare):.2f}",
            f"per-run ratios: median {statistics.median(paired):.2f}, "
            f"range {min(paired):.2f}-{max(paired):.2f}",
            *retry_notes(ours),
        ],
    )


async def scenario_bookkeeping(target: Target, options: Options) -> Row:
    count = options.count or DEFAULT_COUNT
    say(f"(c) {target.kind}: {count} messages, no-I/O sender, {options.runs} runs")
    timings: list[Timing] = []
    for run in range(options.runs):
        async with fresh_database(target, count, options.recipients) as engine:
            timing = await drain(
                engine,
                NullSender(),
                count=count,
                rate=None,
                per_chat_gap=0,
                concurrency=options.concurrency,
            )
        timings.append(timing)
        say(
            f"    run {run + 1}: {timing.rate:7.0f} msgs/s, "
            f"{timing.cpu_ms_per_message:.3f} ms CPU/msg{retried(timing)}"
        )
    rate = statistics.median(t.rate for t in timings)
    return Row(
        "c",
        target.kind,
        f"claim-send-record, no-I/O sender ({count:,} msgs, median of {options.runs})",
        f"{rate:,.0f}/s",
        f">= {BOOKKEEPING_FLOOR:,.0f}/s",
        rate >= BOOKKEEPING_FLOOR,
        [
            f"range {min(t.rate for t in timings):,.0f}-{max(t.rate for t in timings):,.0f}/s, "
            f"CPU {statistics.median(t.cpu_ms_per_message for t in timings):.3f} ms/msg",
            *retry_notes(timings),
        ],
    )


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def _version(module: str) -> str:
    try:
        from importlib.metadata import version

        return version(module)
    except Exception:
        return "not installed"


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


async def _postgres_version(url: str) -> str:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            version = (await connection.execute(text("SHOW server_version"))).scalar_one()
            return f"PostgreSQL {version}"
    except Exception as exc:
        return f"PostgreSQL unreachable ({type(exc).__name__})"
    finally:
        await engine.dispose()


def _load() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def _revision() -> str:
    """The commit measured, "+changes" when the work tree differs from it."""
    import subprocess

    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty=+changes"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return described.stdout.strip()


def sniffio_importable() -> bool:
    return importlib.util.find_spec("sniffio") is not None


async def machine(targets: Sequence[Target], fake: str) -> list[str]:
    import sqlite3

    lines = [
        f"code: {_revision()}",
        f"machine: {os.cpu_count()} cores ({_cpu_model()}), {platform.platform()}",
        f"Python {platform.python_version()}, python-telegram-bot {telegram.__version__}, "
        f"SQLAlchemy {sqlalchemy.__version__}, httpx {_version('httpx')}, "
        f"aiosqlite {_version('aiosqlite')} (SQLite {sqlite3.sqlite_version}), "
        f"asyncpg {_version('asyncpg')}",
        f"sniffio importable: {'yes' if sniffio_importable() else 'NO'}"
        + (
            ""
            if sniffio_importable()
            else " (httpcore then searches sys.path for it on every request: slower HTTP)"
        ),
        f"fake Bot API: {'child process' if fake == 'process' else 'this event loop'}",
        f"load average at start: {_load()} (other work on the machine skews every number)",
    ]
    for target in targets:
        if target.kind == "postgres":
            lines.append(f"database: {await _postgres_version(target.postgres_url)}")
    return lines


def table(rows: Sequence[Row]) -> str:
    header = ("scenario", "database", "measure", "result", "target", "met")
    cells = [header] + [
        (r.scenario, r.database, r.measure, r.result, r.target, "yes" if r.ok else "NO")
        for r in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    out = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(row) for row in cells[1:]]
    for r in rows:
        out += [f"  ({r.scenario}, {r.database}) {note}" for note in r.notes]
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.dispatch",
        description="Dispatcher benchmark (docs/benchmarks.md). PostgreSQL runs wipe its data.",
    )
    parser.add_argument("--scenario", choices=["a", "b", "c", "all"], default="all")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--count",
        type=int,
        default=None,
        help=f"due messages per run (default {DEFAULT_COUNT:,}; {DEFAULT_COUNT_RATE:,} for (a))",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of (b) and (c); (a) runs once")
    parser.add_argument("--recipients", type=int, default=RECIPIENTS)
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument(
        "--fake",
        choices=["process", "inline"],
        default="process",
        help="run the fake Bot API in a child process (default) or in this event loop",
    )
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--no-check", action="store_true", help="report only; always exit 0")
    args = parser.parse_args(argv)
    if args.count is not None and args.count < 2:
        parser.error("--count must be at least 2")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


async def run(args: argparse.Namespace) -> list[Row]:
    kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    targets = [Target(kind, args.postgres_url) for kind in kinds]
    if any(t.kind == "postgres" for t in targets):
        say(
            f"WARNING: the PostgreSQL runs WIPE {args.postgres_url.rsplit('@', 1)[-1]} "
            "(DROP SCHEMA public CASCADE) before every run."
        )
    options = Options(args.count, args.runs, args.recipients, args.concurrency, args.fake)
    scenarios = {"a": scenario_rate, "b": scenario_floor, "c": scenario_bookkeeping}
    chosen = list(scenarios) if args.scenario == "all" else [args.scenario]
    about = await machine(targets, args.fake)
    say("\n".join(about))
    rows = [await scenarios[name](target, options) for name in chosen for target in targets]
    print(f"dispatcher benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print("\n".join(about))
    print(f"load average at end: {_load()}")
    print(table(rows))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    # Warnings only: nothing here may log message text (httpx logs each request at INFO).
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    crypto.install(crypto.KeyRing([crypto.new_key()]))  # synthetic rows, a key for this run
    rows = asyncio.run(run(args))
    missed = [r for r in rows if not r.ok]
    if missed and not args.no_check:
        print(f"targets missed: {', '.join(f'({r.scenario}, {r.database})' for r in missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
