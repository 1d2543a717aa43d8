"""Load benchmark (docs/benchmarks.md): weekly check-ins under load, memory, report, --help.

Run from the repository root (not part of the test run):

    .venv/bin/python -m benchmarks.load [--scenario load|report|help|all]
        [--database sqlite|postgres|both] [--mode polling|webhook|both]
        [--mentees N] [--population P] [--runs K] [--no-check]
        [--http-client httpx|httpx-tuned|aiohttp] [--echo-http-client ...]

Scenarios:

load    N simulated mentees (default 500) each do a whole weekly check-in at once: /checkin,
        then ten button taps, each sent as soon as the previous answer arrives (no thinking
        time). The bot is the real composition root (`bot.app.build_service` + `build_web`,
        served by uvicorn, PTB polling or webhook) in a child process, against the fake Bot API
        (tests/fakes/telegram_api.py), which runs in this process together with the simulated
        mentees. A bare PTB echo bot (same Bot API calls per update: answer the tap, mark the
        question, send the next one with six buttons) runs in a child process in the same mode
        against the same kind of fake, alternated with the bot (ABBA). Reported: updates per
        second, and p50/p95/p99 of the round trip from the moment the update is injected (put
        in the getUpdates queue, or POSTed to the webhook) to the moment the fake receives the
        next question. Targets: bot throughput >= 80% of the echo's, bot p99 <= 2x the echo's.
        The database holds `--population` mentees (default 10,000), each with a baseline and a
        3-month check, bulk-inserted; the bot process's peak memory (VmHWM) must be <= 200 MB.
report  `bot.reports.outcomes.outcome_report` over that population (10,000 pairs): median of
        5 runs <= 2 s.
help    `mentorbot --help` in a fresh interpreter: median of 7 runs <= 0.5 s.

The bot's send rate limit (25/s in production, Telegram's limit) is raised to 10,000/s, as the
echo has none: the benchmark measures the bot's own cost, not Telegram's pacing.

`--http-client` builds the bot with another HTTP client to the Bot API (benchmarks/http_clients.py;
by default the bot's own), `--echo-http-client` the echo (by default PTB's, httpx).

PostgreSQL runs WIPE the database at --postgres-url (DROP SCHEMA public CASCADE). Its default,
`mentorbot_load`, must exist: `psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE mentorbot_load'`.
Exits 1 when a target is missed, unless --no-check.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import gc
import logging
import multiprocessing
import os
import random
import resource
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

# PTB 22 warns inside RetryAfter unless told to use timedelta durations (as the tests do).
os.environ.setdefault("PTB_TIMEDELTA", "true")

from benchmarks.http_clients import CLIENT_NAMES

if TYPE_CHECKING:
    import httpx
    from sqlalchemy.ext.asyncio import AsyncEngine

    from tests.fakes.telegram_api import FakeTelegramAPI, SentMessage

DEFAULT_POSTGRES_URL: Final = "postgresql+asyncpg://postgres@127.0.0.1:5432/mentorbot_load"
CHAT_ID_BASE: Final = 7_100_000_000  # synthetic Telegram ids; private chat id == user id
MENTOR_CHAT: Final = 7_099_999_999
QUESTIONS: Final = 10  # config/instruments/weekly.yaml
SECRET: Final = "bench-webhook-secret"
SEND_RATE: Final = 10_000.0  # effectively unthrottled (production: 25/s)
WEBHOOK_CONNECTIONS: Final = 40  # Telegram's default max_connections
WAIT: Final = 300.0  # seconds a simulated mentee waits for an answer before the run fails

THROUGHPUT_RATIO: Final = 0.80
P99_RATIO: Final = 2.0
MEMORY_MB: Final = 200.0
REPORT_SECONDS: Final = 2.0
HELP_SECONDS: Final = 0.5
REPORT_RUNS: Final = 5
HELP_RUNS: Final = 7

ECHO_LABELS: Final = (
    "Strongly disagree",
    "Disagree",
    "Slightly disagree",
    "Slightly agree",
    "Agree",
    "Strongly agree",
)


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def utc_now() -> datetime:
    return datetime.now(UTC)


def chat_for(index: int) -> int:
    return CHAT_ID_BASE + index


def _load() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


# --------------------------------------------------------------------------------------------
# The database: a population of mentees with a baseline and a 3-month check each
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    kind: str  # "sqlite" or "postgres"
    url: str


async def reset_postgres(url: str) -> None:
    from sqlalchemy import text

    from bot.storage.db import make_engine

    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


async def seed(engine: AsyncEngine, population: int) -> float:
    """Bulk-insert a mentor and `population` mentees mid-mentoring; returns the seconds taken.

    Each mentee has an active episode (started 120 days ago), a complete baseline and a complete
    3-month check with every score the cohort report reads, so a check-in now is the weekly one.
    """
    from sqlalchemy import insert

    from bot.instruments import load_instruments
    from bot.reports.outcomes import measures
    from bot.storage.models import (
        Assessment,
        AssessmentStatus,
        Episode,
        EpisodeStatus,
        Person,
        PersonStatus,
        Role,
        Score,
        Timepoint,
    )

    started = time.perf_counter()
    now = utc_now()
    today = now.date()
    began = today - timedelta(days=120)
    wanted = measures(load_instruments())
    rng = random.Random(20261129)
    chunk = 2_000
    async with engine.begin() as connection:
        [mentor_id] = (
            await connection.execute(
                insert(Person).returning(Person.id),
                [
                    {
                        "role": Role.MENTOR,
                        "status": PersonStatus.ACTIVE,
                        "display_name": "Bench mentor",
                        "telegram_user_id": MENTOR_CHAT,
                        "telegram_chat_id": MENTOR_CHAT,
                        "created_at": now,
                    }
                ],
            )
        ).scalars()
        for first in range(0, population, chunk):
            numbers = range(first, min(population, first + chunk))
            people = (
                await connection.execute(
                    insert(Person).returning(Person.id, sort_by_parameter_order=True),
                    [
                        {
                            "role": Role.MENTEE,
                            "status": PersonStatus.ACTIVE,
                            "display_name": f"Bench {i}",
                            "telegram_user_id": chat_for(i),
                            "telegram_chat_id": chat_for(i),
                            "checkin_weekday": 1 + i % 7,
                            "created_at": now,
                        }
                        for i in numbers
                    ],
                )
            ).scalars()
            person_ids = list(people)
            episodes = (
                await connection.execute(
                    insert(Episode).returning(Episode.id, sort_by_parameter_order=True),
                    [
                        {
                            "mentee_id": person_id,
                            "mentor_id": mentor_id,
                            "site": "bench",
                            "started_on": began,
                            "planned_end_on": began + timedelta(days=365),
                            "status": EpisodeStatus.ACTIVE,
                            "created_at": now - timedelta(days=120),
                        }
                        for person_id in person_ids
                    ],
                )
            ).scalars()
            episode_ids = list(episodes)
            sittings = [
                (person_id, episode_id, timepoint, now - timedelta(days=days))
                for person_id, episode_id in zip(person_ids, episode_ids, strict=True)
                for timepoint, days in ((Timepoint.BASELINE, 119), (Timepoint.THREE_MONTH, 10))
            ]
            assessment_ids = list(
                (
                    await connection.execute(
                        insert(Assessment).returning(Assessment.id, sort_by_parameter_order=True),
                        [
                            {
                                "person_id": person_id,
                                "episode_id": episode_id,
                                "timepoint": timepoint,
                                "status": AssessmentStatus.COMPLETE,
                                "started_at": at,
                                "completed_at": at,
                            }
                            for person_id, episode_id, timepoint, at in sittings
                        ],
                    )
                ).scalars()
            )
            await connection.execute(
                insert(Score),
                [
                    {
                        "assessment_id": assessment_id,
                        "instrument": measure.instrument,
                        "key": measure.key,
                        "value": float(rng.randint(1, 50)),
                    }
                    for assessment_id in assessment_ids
                    for measure in wanted
                ],
            )
    return time.perf_counter() - started


async def reset_checkins(engine: AsyncEngine) -> None:
    """Forget every weekly check-in and what it left behind, so the next run starts alike."""
    from sqlalchemy import delete, select

    from bot.storage.models import (
        Answer,
        Assessment,
        ConversationState,
        DeliveryAttempt,
        OutboxMessage,
        ProcessedInbound,
        Score,
        TelegramUpdate,
        Timepoint,
    )

    weekly = select(Assessment.id).where(Assessment.timepoint == Timepoint.WEEKLY)
    async with engine.begin() as connection:
        await connection.execute(delete(Answer).where(Answer.assessment_id.in_(weekly)))
        await connection.execute(delete(Score).where(Score.assessment_id.in_(weekly)))
        await connection.execute(delete(Assessment).where(Assessment.id.in_(weekly)))
        for model in (
            ConversationState,
            DeliveryAttempt,
            OutboxMessage,
            ProcessedInbound,
            TelegramUpdate,
        ):
            await connection.execute(delete(model))


async def weekly_done(engine: AsyncEngine) -> int:
    from sqlalchemy import func, select

    from bot.storage.models import Assessment, AssessmentStatus, Timepoint

    async with engine.connect() as connection:
        found = await connection.execute(
            select(func.count()).where(
                Assessment.timepoint == Timepoint.WEEKLY,
                Assessment.status == AssessmentStatus.COMPLETE,
            )
        )
        return int(found.scalar_one())


@contextlib.asynccontextmanager
async def populated(target: Target, population: int) -> AsyncIterator[AsyncEngine]:
    from sqlalchemy import text

    from bot.storage.db import make_engine
    from bot.storage.migrate import upgrade

    if target.kind == "postgres":
        await reset_postgres(target.url)
    await asyncio.to_thread(upgrade, target.url)  # Alembic runs its own loop: keep it off ours
    engine = make_engine(target.url)
    try:
        seconds = await seed(engine, population)
        async with engine.connect() as connection:
            # Fresh statistics, as autovacuum would have gathered on a database in use; without
            # them PostgreSQL plans for empty tables (nested loops over 300,000 scores).
            await connection.execute(text("ANALYZE"))
            await connection.commit()
        say(f"  seeded {population:,} mentees with 2 check-ins each in {seconds:.1f} s")
        yield engine
    finally:
        await engine.dispose()


# --------------------------------------------------------------------------------------------
# The bot and the echo, each in a child process
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildSpec:
    kind: str  # "bot" or "echo"
    mode: str  # "polling" or "webhook"
    token: str
    base_url: str
    port: int
    database_url: str
    concurrency: int  # updates in hand at once, the same on both sides
    encryption_key: str  # a throwaway key for this benchmark's synthetic rows
    profile: str | None = None  # cProfile the bot's main thread into this file
    http_client: str | None = None  # benchmarks/http_clients.py; None: the side's own default


def _status_kb(pid: int | str) -> dict[str, int]:
    found: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmHWM", "VmRSS"):
                found[name] = int(value.split()[0])
    return found


def _helper_pids() -> list[int]:
    """The child's own children: the bot's picture-drawing process."""
    return [p.pid for p in multiprocessing.active_children() if p.pid is not None]


def _memory_kb() -> dict[str, int]:
    found = _status_kb("self")
    found["maxrss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    helpers = [_status_kb(pid).get("VmHWM", 0) for pid in _helper_pids()]
    found["helpers_VmHWM"] = max(helpers, default=0)
    return found


def _cpu_seconds() -> tuple[float, float]:
    """This process's CPU and its live helpers' (the drawing process's CPU is the bot's cost
    too, reported apart so each side's share shows)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    helpers = 0.0
    for pid in _helper_pids():
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            helpers += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return usage.ru_utime + usage.ru_stime, helpers


# Statements the bot's engine has sent to the database (BEGIN/COMMIT are not statements here:
# SQLAlchemy does not send them through the cursor): counted by an engine event in the bot's
# own child process, so the bot's code knows nothing of the benchmark.
_statements = [0]


def _count_statement(*_args: Any) -> None:
    _statements[0] += 1


# The garbage collector's pauses in the child: collections, milliseconds in all, the longest.
# Every update in hand waits out a pause, so the longest shows in the round trip's p99.
_gc_pauses = [0, 0.0, 0.0]
_gc_started = [0.0]


def _time_collection(phase: str, _info: dict[str, Any]) -> None:
    if phase == "start":
        _gc_started[0] = time.perf_counter()
        return
    took = 1000 * (time.perf_counter() - _gc_started[0])
    _gc_pauses[0] += 1
    _gc_pauses[1] += took
    _gc_pauses[2] = max(_gc_pauses[2], took)


def _child_main(spec: ChildSpec, connection: Connection) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if spec.profile is None:
        asyncio.run(_child_async(spec, connection))
        return
    import cProfile

    with cProfile.Profile() as profile:
        asyncio.run(_child_async(spec, connection))
    profile.dump_stats(spec.profile)


async def _child_async(spec: ChildSpec, connection: Connection) -> None:
    import uvicorn

    gc.callbacks.append(_time_collection)

    web = await (_bot_web(spec) if spec.kind == "bot" else _echo_web(spec))
    config = uvicorn.Config(
        web, host="127.0.0.1", port=spec.port, log_level="warning", access_log=False
    )

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield  # the benchmark stops this child through its pipe, or ends it outright

    server = Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task
            raise RuntimeError("the web server stopped while starting")
        await asyncio.sleep(0.01)
    connection.send(("ready", os.getpid()))
    while True:
        try:
            request = await asyncio.to_thread(connection.recv)
        except EOFError:
            request = "stop"
        if request == "cpu":
            connection.send((*_cpu_seconds(), _statements[0], tuple(_gc_pauses)))
            _gc_pauses[2] = 0.0  # the longest since the last reading
            continue
        break
    with contextlib.suppress(OSError):  # before stopping, which can wait on paced notices
        connection.send(_memory_kb())
    server.should_exit = True
    await task


async def _bot_web(spec: ChildSpec) -> Any:
    """What `mentorbot serve` builds (bot.app.serve), minus its uvicorn settings."""
    from bot.app import build_service, build_web
    from bot.storage import crypto
    from bot.storage.migrate import ensure_schema_current
    from config.settings import load_settings

    settings = load_settings(
        database_url=spec.database_url,
        telegram_token=spec.token,
        telegram_api_url=spec.base_url,
        telegram_mode=spec.mode,
        public_url=f"http://127.0.0.1:{spec.port}",
        telegram_webhook_secret=SECRET,
        send_rate_per_second=SEND_RATE,
        concurrent_updates=spec.concurrency,
        http_port=spec.port,
        encryption_keys=spec.encryption_key,
    )
    crypto.install_from_settings(settings)  # as the command line does before `serve`
    engine, service = build_service(settings)
    await ensure_schema_current(engine)
    from sqlalchemy import event

    event.listen(engine.sync_engine, "before_cursor_execute", _count_statement)
    return build_web(settings, engine, service, requests=_requests(spec))


def _requests(spec: ChildSpec) -> Any:
    from benchmarks.http_clients import request_factory

    return None if spec.http_client is None else request_factory(spec.http_client)


async def _echo_web(spec: ChildSpec) -> Any:
    """A bare PTB bot making the same Bot API calls per update as the bot, doing nothing else."""
    from collections.abc import AsyncIterator as Lifespan

    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Route
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.ext import (
        ApplicationBuilder,
        CallbackQueryHandler,
        ContextTypes,
        MessageHandler,
        filters,
    )

    builder = ApplicationBuilder().token(spec.token).base_url(spec.base_url)
    requests = _requests(spec)
    if requests is not None:
        builder = builder.request(requests(False)).get_updates_request(requests(True))
    if spec.concurrency > 1:  # plain PTB concurrency: no per-chat order, so a floor for ours
        builder = builder.concurrent_updates(spec.concurrency)
    if spec.mode == "webhook":
        builder = builder.updater(None)
    application = builder.build()

    def question(number: int) -> tuple[str, InlineKeyboardMarkup]:
        token = secrets.token_hex(3)
        rows = [
            [InlineKeyboardButton(label, callback_data=f"{token}:{number}:{value}")]
            for value, label in enumerate(ECHO_LABELS, start=1)
        ]
        return f"{number} of {QUESTIONS}: Echo question.", InlineKeyboardMarkup(rows)

    async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        await context.bot.send_message(chat.id, "Time for your weekly check-in.")
        text, markup = question(1)
        await context.bot.send_message(chat.id, text, reply_markup=markup)

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.data is None or query.message is None:
            return
        _, number, value = query.data.split(":")
        await query.answer()
        text = getattr(query.message, "text", "") or ""
        await query.edit_message_text(f"{text}\n\n\u2714 {ECHO_LABELS[int(value) - 1]}")
        chat_id = query.message.chat.id
        if int(number) < QUESTIONS:
            text, markup = question(int(number) + 1)
            await context.bot.send_message(chat_id, text, reply_markup=markup)
        else:
            await context.bot.send_message(chat_id, "Thank you. That was all for this week.")

    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE, on_message))

    async def webhook(request: Request) -> Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != SECRET:
            return PlainTextResponse("forbidden", status_code=403)
        payload = await request.json()
        await application.update_queue.put(Update.de_json(payload, application.bot))
        return Response(status_code=200)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> Lifespan[None]:
        async with application:
            await application.start()
            if spec.mode == "webhook":
                await application.bot.set_webhook(
                    url=f"http://127.0.0.1:{spec.port}/telegram/webhook",
                    secret_token=SECRET,
                    allowed_updates=["message", "callback_query"],
                )
            else:
                assert application.updater is not None
                await application.updater.start_polling(
                    allowed_updates=["message", "callback_query"]
                )
            try:
                yield
            finally:
                if application.updater is not None and application.updater.running:
                    await application.updater.stop()
                await application.stop()

    routes = [Route("/telegram/webhook", webhook, methods=["POST"])]
    return Starlette(routes=routes, lifespan=lifespan)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Child:
    process: Any
    connection: Connection
    pid: int

    async def usage(self) -> tuple[float, float, int, GcPauses]:
        """CPU seconds of the process and of its drawing process; statements sent so far; the
        garbage collector's pauses so far (the longest since the last reading)."""
        self.connection.send("cpu")
        own, helpers, statements, pauses = await asyncio.to_thread(self.connection.recv)
        return float(own), float(helpers), int(statements), GcPauses(*pauses)


@contextlib.asynccontextmanager
async def child(spec: ChildSpec, stats: dict[str, int]) -> AsyncIterator[Child]:
    """Start the bot or the echo; on leaving, `stats` gets its memory (kB)."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_child_main, args=(spec, theirs), name=f"bench-{spec.kind}")
    process.start()
    theirs.close()
    try:
        if not await asyncio.to_thread(ours.poll, 120):
            raise RuntimeError(f"the {spec.kind} did not start within 120 s")
        try:
            _, pid = ours.recv()
        except EOFError:
            raise RuntimeError(f"the {spec.kind} process exited while starting") from None
        yield Child(process, ours, pid)
        ours.send("stop")
        if await asyncio.to_thread(ours.poll, 60):
            stats.update(ours.recv())
    finally:
        await asyncio.to_thread(process.join, 30)
        if process.is_alive():
            process.terminate()
            await asyncio.to_thread(process.join, 5)


# --------------------------------------------------------------------------------------------
# The fake Bot API with a way to wait for one chat's next message, and the simulated mentees
# --------------------------------------------------------------------------------------------


def _fake_class() -> type[FakeTelegramAPI]:
    from tests.fakes.telegram_api import FakeTelegramAPI

    class LoadFake(FakeTelegramAPI):
        """Tells the one simulated mentee waiting on a chat when the bot sends there."""

        def __init__(self) -> None:
            super().__init__()
            self.waiting: dict[
                int, tuple[Callable[[SentMessage], bool], asyncio.Future[tuple[float, Any]]]
            ] = {}

        def _record(self, method: str, message: Any, params: dict[str, Any], **kw: Any) -> None:
            super()._record(method, message, params, **kw)
            sent = self.sent[-1]
            waiter = self.waiting.get(sent.chat_id)
            if waiter is not None and not waiter[1].done() and waiter[0](sent):
                waiter[1].set_result((time.perf_counter(), sent))
                del self.waiting[sent.chat_id]

        def expect(
            self, chat_id: int, wanted: Callable[[SentMessage], bool]
        ) -> asyncio.Future[tuple[float, Any]]:
            future: asyncio.Future[tuple[float, Any]] = asyncio.get_running_loop().create_future()
            self.waiting[chat_id] = (wanted, future)
            return future

    return LoadFake


def is_question(sent: SentMessage) -> bool:
    return sent.method == "sendMessage" and bool(sent.buttons)


def is_output(sent: SentMessage) -> bool:
    return sent.method in ("sendMessage", "sendPhoto", "sendDocument")


@dataclass(frozen=True)
class GcPauses:
    collections: int
    total_ms: float
    longest_ms: float


@dataclass
class RunResult:
    kind: str
    updates: int
    seconds: float
    question_rts: list[float]
    final_rts: list[float]
    process_cpu_seconds: float  # the bot's (or echo's) own process
    drawing_cpu_seconds: float  # its drawing process (the echo has none)
    statements: int  # sent by the bot's engine (the echo has no database)
    gc: GcPauses
    memory_kb: dict[str, int] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return self.updates / self.seconds

    @property
    def cpu_ms_per_update(self) -> float:
        """Both processes: the drawing is part of what an update costs."""
        return 1000 * (self.process_cpu_seconds + self.drawing_cpu_seconds) / self.updates

    @property
    def split_ms_per_update(self) -> str:
        own = 1000 * self.process_cpu_seconds / self.updates
        return f"{own:.2f} + {1000 * self.drawing_cpu_seconds / self.updates:.2f} drawing"

    @property
    def statements_per_update(self) -> float:
        return self.statements / self.updates


async def simulate(
    fake: Any, mentees: int, deliver: Callable[[dict[str, Any]], None], seed_value: int
) -> tuple[list[float], list[float]]:
    """Every mentee checks in at once; returns round trips to a question and to the result."""
    from bot.flows.texts import BACK_LABEL, SKIP_LABEL

    question_rts: list[float] = []
    final_rts: list[float] = []

    async def one(index: int) -> None:
        chat = chat_for(index)
        rng = random.Random(seed_value + index)

        async def round_trip(inject: Callable[[], dict[str, Any]], final: bool) -> Any:
            arrived = fake.expect(chat, is_output if final else is_question)
            began = time.perf_counter()
            deliver(inject())
            try:
                at, sent = await asyncio.wait_for(arrived, WAIT)
            except TimeoutError:
                raise RuntimeError(f"mentee {index} got no answer within {WAIT:g} s") from None
            (final_rts if final else question_rts).append(at - began)
            return sent

        question = await round_trip(lambda: fake.user_message(chat, "/checkin"), False)
        for number in range(1, QUESTIONS + 1):
            # An answer, never Skip or Back: those steer, and Back would undo the last answer.
            steer = (SKIP_LABEL, BACK_LABEL)
            label = rng.choice([a for a in question.button_labels if a not in steer])
            data = question.data_for(label)
            message_id = question.message_id
            question = await round_trip(
                functools.partial(fake.user_presses, chat, message_id, data), number == QUESTIONS
            )

    await asyncio.gather(*(one(i) for i in range(mentees)))
    return question_rts, final_rts


class WebhookDelivery:
    """Telegram's side of a webhook: POST each update, at most 40 at a time, with the secret."""

    def __init__(self, fake: Any, client: httpx.AsyncClient) -> None:
        self.fake = fake
        self.client = client
        self.gate = asyncio.Semaphore(WEBHOOK_CONNECTIONS)
        self.tasks: set[asyncio.Task[None]] = set()
        self.failures: list[str] = []

    def __call__(self, update: dict[str, Any]) -> None:
        self.fake._pending_updates.clear()  # nobody polls in webhook mode
        task = asyncio.create_task(self._post(update))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _post(self, update: dict[str, Any]) -> None:
        assert self.fake.webhook is not None
        async with self.gate:
            try:
                response = await self.client.post(
                    str(self.fake.webhook["url"]),
                    json=update,
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                )
            except Exception as exc:  # reported now (the run then waits for that answer in
                self.failures.append(type(exc).__name__)  # vain) and after the run
                say(f"    webhook delivery failed: {type(exc).__name__}: {exc}")
                return
            if response.status_code != 200:
                self.failures.append(f"HTTP {response.status_code}")
                say(f"    webhook delivery failed: HTTP {response.status_code}")


@functools.cache
def _bench_key() -> str:
    """One throwaway key per benchmark, handed to every bot child (rows outlive a run)."""
    from bot.storage import crypto

    return crypto.new_key()


async def one_run(
    kind: str,
    mode: str,
    mentees: int,
    database_url: str,
    seed_value: int,
    concurrency: int,
    profile: str | None = None,
    http_client: str | None = None,
) -> RunResult:
    import httpx

    fake_class = _fake_class()
    async with fake_class() as fake:
        spec = ChildSpec(
            kind,
            mode,
            fake.token,
            fake.base_url,
            _free_port(),
            database_url,
            concurrency,
            _bench_key(),
            profile if kind == "bot" else None,
            http_client,
        )
        memory: dict[str, int] = {}
        async with child(spec, memory) as process:
            await fake.wait_until(
                (lambda: fake.webhook is not None)
                if mode == "webhook"
                else (lambda: bool(fake.calls_of("getUpdates"))),
                timeout=60,
                what=f"the {kind} to be ready",
            )
            async with httpx.AsyncClient(
                limits=httpx.Limits(max_connections=WEBHOOK_CONNECTIONS), timeout=WAIT
            ) as client:
                webhook = WebhookDelivery(fake, client)
                deliver: Callable[[dict[str, Any]], None] = (
                    webhook if mode == "webhook" else (lambda _update: None)
                )
                own_before, drawing_before, statements_before, gc_before = await process.usage()
                began = time.perf_counter()
                question_rts, final_rts = await simulate(fake, mentees, deliver, seed_value)
                seconds = time.perf_counter() - began
                own, drawing, statements, gc_after = await process.usage()
                if webhook.tasks:
                    await asyncio.gather(*webhook.tasks)
                if webhook.failures:
                    raise RuntimeError(f"webhook deliveries failed: {webhook.failures[:5]}")
        if fake.internal_errors:
            raise RuntimeError(f"fake Bot API errors: {fake.internal_errors[:3]}")
    updates = mentees * (QUESTIONS + 1)
    return RunResult(
        kind,
        updates,
        seconds,
        question_rts,
        final_rts,
        own - own_before,
        drawing - drawing_before,
        statements - statements_before,
        GcPauses(
            gc_after.collections - gc_before.collections,
            gc_after.total_ms - gc_before.total_ms,
            gc_after.longest_ms,
        ),
        memory,
    )


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


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


def spread(values: Sequence[float]) -> str:
    return "/".join(f"{1000 * percentile(values, p):.0f}" for p in (0.50, 0.95, 0.99))


async def scenario_load(
    target: Target, engine: AsyncEngine, args: argparse.Namespace, mode: str
) -> list[Row]:
    say(
        f"load {target.kind} {mode}: {args.mentees} mentees x {QUESTIONS + 1} updates, "
        f"{args.runs} runs of each side, ABBA; HTTP client: bot "
        f"{args.http_client or 'its own'}, echo {args.echo_http_client or 'httpx'}"
    )
    runs: dict[str, list[RunResult]] = {"bot": [], "echo": []}
    for run in range(args.runs):
        order = ("echo", "bot") if run % 2 == 0 else ("bot", "echo")
        for kind in order:
            if kind == "bot":
                await reset_checkins(engine)
            client = args.http_client if kind == "bot" else args.echo_http_client
            result = await one_run(
                kind,
                mode,
                args.mentees,
                target.url,
                1000 * run,
                args.concurrency,
                args.profile,
                client,
            )
            if kind == "bot":
                done = await weekly_done(engine)
                if done != args.mentees:
                    raise RuntimeError(f"{done} weekly check-ins complete, not {args.mentees}")
            runs[kind].append(result)
            say(
                f"    run {run + 1} {kind:>4}: {result.throughput:6.1f} updates/s, "
                f"question p50/p95/p99 {spread(result.question_rts)} ms, "
                f"{result.cpu_ms_per_update:.2f} ms CPU/update ({result.split_ms_per_update}), "
                f"{result.statements_per_update:.1f} statements/update, "
                f"GC {result.gc.collections} pauses {result.gc.total_ms:.0f} ms"
                f" (longest {result.gc.longest_ms:.1f}), "
                f"VmHWM {result.memory_kb.get('VmHWM', 0) / 1024:.0f} MB, load {_load()}"
            )
    bot, echo = runs["bot"], runs["echo"]
    bot_rate = statistics.median(r.throughput for r in bot)
    echo_rate = statistics.median(r.throughput for r in echo)
    bot_rts = [rt for r in bot for rt in r.question_rts]
    echo_rts = [rt for r in echo for rt in r.question_rts]
    bot_p99, echo_p99 = percentile(bot_rts, 0.99), percentile(echo_rts, 0.99)
    label = f"{target.kind}, {mode}"
    ratios = [b.throughput / e.throughput for b, e in zip(bot, echo, strict=True)]
    rows = [
        Row(
            "load",
            label,
            f"updates/s, bot vs echo ({args.mentees} mentees, median of {args.runs})",
            f"{bot_rate:.1f} vs {echo_rate:.1f} = {bot_rate / echo_rate:.2f}",
            f">= {THROUGHPUT_RATIO:.2f}",
            bot_rate / echo_rate >= THROUGHPUT_RATIO,
            [
                f"per-run ratios {', '.join(f'{r:.2f}' for r in ratios)}",
                "child CPU ms/update: bot "
                f"{statistics.median(r.cpu_ms_per_update for r in bot):.2f} (bot process "
                f"{statistics.median(1000 * r.process_cpu_seconds / r.updates for r in bot):.2f}"
                ", drawing process "
                f"{statistics.median(1000 * r.drawing_cpu_seconds / r.updates for r in bot):.2f}"
                "), echo "
                f"{statistics.median(r.cpu_ms_per_update for r in echo):.2f}",
                "bot statements per update (a check-in's 11, by the engine's "
                "before_cursor_execute; BEGIN/COMMIT not counted): "
                f"{statistics.median(r.statements_per_update for r in bot):.1f}",
            ],
        ),
        Row(
            "load",
            label,
            "round trip to next question p50/p95/p99 ms, bot vs echo",
            f"{spread(bot_rts)} vs {spread(echo_rts)}: p99 x{bot_p99 / echo_p99:.2f}",
            f"p99 <= {P99_RATIO:g}x echo",
            bot_p99 <= P99_RATIO * echo_p99,
            [
                "round trip to the result (10th tap) p50/p95/p99 ms: bot "
                f"{spread([rt for r in bot for rt in r.final_rts])}, echo "
                f"{spread([rt for r in echo for rt in r.final_rts])}",
            ],
        ),
    ]
    peak = max(r.memory_kb.get("VmHWM", 0) for r in bot) / 1024
    echo_peak = max(r.memory_kb.get("VmHWM", 0) for r in echo) / 1024
    drawing_peak = max(r.memory_kb.get("helpers_VmHWM", 0) for r in bot) / 1024
    rows.append(
        Row(
            "memory",
            label,
            f"bot process peak RSS (VmHWM), {args.population:,} mentees in the database",
            f"{peak:.0f} MB",
            f"<= {MEMORY_MB:g} MB",
            0 < peak <= MEMORY_MB,
            [
                f"echo process peak {echo_peak:.0f} MB",
                f"bot's drawing process peak {drawing_peak:.0f} MB (not in the target)",
            ],
        )
    )
    return rows


async def scenario_report(target: Target, engine: AsyncEngine, args: argparse.Namespace) -> Row:
    from bot.instruments import load_instruments
    from bot.reports.outcomes import Filters, outcome_report
    from bot.storage.db import make_session_factory

    instruments = load_instruments()
    sessions = make_session_factory(engine)
    timings: list[float] = []
    cpu: list[float] = []
    pairs = 0
    for _ in range(REPORT_RUNS):
        began, began_cpu = time.perf_counter(), time.process_time()
        async with sessions() as session:
            report = await outcome_report(session, instruments, Filters())
        timings.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
        pairs = report.pairs
    if pairs != args.population:
        raise RuntimeError(f"the report found {pairs} pairs, not {args.population}")
    median = statistics.median(timings)
    say(f"report {target.kind}: {', '.join(f'{t:.2f}' for t in timings)} s")
    return Row(
        "report",
        target.kind,
        f"outcome_report, {pairs:,} pairs (median of {REPORT_RUNS})",
        f"{median:.2f} s",
        f"<= {REPORT_SECONDS:g} s",
        median <= REPORT_SECONDS,
        [
            f"range {min(timings):.2f}-{max(timings):.2f} s; CPU of this process (SQLite's "
            f"thread included, PostgreSQL's server not) {statistics.median(cpu):.2f} s"
        ],
    )


def scenario_help() -> Row:
    script = Path(sys.executable).parent / "mentorbot"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "bot"]
    timings: list[float] = []
    for _ in range(HELP_RUNS):
        began = time.perf_counter()
        subprocess.run([*command, "--help"], check=True, capture_output=True, timeout=60)
        timings.append(time.perf_counter() - began)
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True, timeout=60)
    bare = time.perf_counter() - began
    median = statistics.median(timings)
    say(f"help: {', '.join(f'{t:.2f}' for t in timings)} s")
    return Row(
        "help",
        "-",
        f"`mentorbot --help`, fresh interpreter (median of {HELP_RUNS})",
        f"{median:.2f} s",
        f"<= {HELP_SECONDS:g} s",
        median <= HELP_SECONDS,
        [f"range {min(timings):.2f}-{max(timings):.2f} s; `python -c pass` took {bare:.2f} s"],
    )


# --------------------------------------------------------------------------------------------
# Report and entry point
# --------------------------------------------------------------------------------------------


def _version(module: str) -> str:
    try:
        from importlib.metadata import version

        return version(module)
    except Exception:
        return "not installed"


def _revision() -> str:
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


def machine() -> list[str]:
    import platform
    import sqlite3

    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return [
        f"code: {_revision()}",
        f"machine: {os.cpu_count()} cores ({cpu}), {platform.platform()}",
        f"Python {platform.python_version()}, python-telegram-bot "
        f"{_version('python-telegram-bot')}, SQLAlchemy {_version('sqlalchemy')}, "
        f"httpx {_version('httpx')}, aiohttp {_version('aiohttp')}, "
        f"uvicorn {_version('uvicorn')}, "
        f"aiosqlite {_version('aiosqlite')} (SQLite {sqlite3.sqlite_version}), "
        f"asyncpg {_version('asyncpg')}",
        f"load average at start: {_load()} (other work on the machine skews every number)",
    ]


def table(rows: Sequence[Row]) -> str:
    header = ("scenario", "database, mode", "measure", "result", "target", "met")
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


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.load",
        description="Load benchmark (issue 9). PostgreSQL runs wipe that database.",
    )
    parser.add_argument("--scenario", choices=["load", "report", "help", "all"], default="all")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--mode", choices=["polling", "webhook", "both"], default="both")
    parser.add_argument("--mentees", type=int, default=500, help="simulated at once")
    parser.add_argument("--population", type=int, default=10_000, help="mentees in the database")
    parser.add_argument("--runs", type=int, default=2, help="runs of each side (ABBA order)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=8,
        help="updates each side handles at once (the bot's MENTORBOT_CONCURRENT_UPDATES)",
    )
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument(
        "--profile", metavar="FILE", help="cProfile the bot's main thread into FILE (pstats)"
    )
    parser.add_argument(
        "--http-client",
        choices=CLIENT_NAMES,
        help="the bot's HTTP client to the Bot API (default: the bot's own)",
    )
    parser.add_argument(
        "--echo-http-client",
        choices=CLIENT_NAMES,
        help="the echo's HTTP client (default: PTB's, httpx)",
    )
    parser.add_argument("--no-check", action="store_true", help="report only; always exit 0")
    args = parser.parse_args(argv)
    if not 1 <= args.mentees <= args.population:
        parser.error("--mentees must be between 1 and --population")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


async def run(args: argparse.Namespace) -> list[Row]:
    kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    modes = ["polling", "webhook"] if args.mode == "both" else [args.mode]
    about = machine()
    say("\n".join(about))
    rows: list[Row] = []
    if args.scenario in ("help", "all"):
        rows.append(scenario_help())
    if args.scenario in ("load", "report", "all"):
        for kind in kinds:
            with tempfile.TemporaryDirectory(prefix="mentorbot-load-") as directory:
                url = (
                    f"sqlite+aiosqlite:///{Path(directory) / 'load.db'}"
                    if kind == "sqlite"
                    else args.postgres_url
                )
                if kind == "postgres":
                    say(f"WARNING: WIPING {url.rsplit('@', 1)[-1]} (DROP SCHEMA public CASCADE)")
                target = Target(kind, url)
                async with populated(target, args.population) as engine:
                    if args.scenario in ("report", "all"):
                        rows.append(await scenario_report(target, engine, args))
                    if args.scenario in ("load", "all"):
                        for mode in modes:
                            rows += await scenario_load(target, engine, args, mode)
    print(f"load benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print("\n".join(about))
    print(f"load average at end: {_load()}")
    print(table(rows))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    # Warnings only: nothing here may log message text (httpx logs each request at INFO).
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    rows = asyncio.run(run(args))
    missed = [r for r in rows if not r.ok]
    if missed and not args.no_check:
        print(f"targets missed: {', '.join(f'({r.scenario}, {r.database})' for r in missed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
