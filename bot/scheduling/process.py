"""`mentorbot scheduler`: APScheduler interval jobs that materialise and dispatch the outbox.

APScheduler keeps no job per reminder (docs/architecture.md): its jobs are a few intervals that
read the domain tables, so nothing is lost when the process dies and any standby can take over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Bot

from bot.delivery.aiohttp_request import bot_api_request
from bot.delivery.channel import Sender
from bot.delivery.sms import SmsSender
from bot.delivery.telegram import TelegramSender
from bot.delivery.twilio_gateway import TwilioGateway
from bot.delivery.whatsapp import WhatsAppSender
from bot.flows.context import utc_now
from bot.instruments import load_instruments
from bot.reminder_policy import load_policy
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.leader import Leadership, leadership_for
from bot.scheduling.materialiser import Materialiser
from bot.scheduling.quiet import QuietHours
from bot.storage import heartbeat
from bot.storage.db import make_engine, make_session_factory
from bot.storage.migrate import ensure_schema_current
from config.settings import Settings, SettingsError, require_telegram_token

logger = logging.getLogger(__name__)

STANDBY_POLL_SECONDS = 5.0  # a standby takes over well within 30 s of the leader dying
# The jobs' heartbeat is written at most this often: the dispatch job runs every second, and
# on SQLite each write waits its turn with the bot's.
BEAT_EVERY = timedelta(seconds=10)
Clock = Callable[[], datetime]


@dataclass
class SchedulerJobs:
    """The work each interval does; separate from APScheduler so tests can call it directly."""

    materialiser: Materialiser
    dispatcher: Dispatcher
    clock: Clock
    retention_days: int = 365
    last_beat: datetime | None = None

    async def beat(self) -> None:
        """Says the jobs are running (serve's /healthz and watchman read it)."""
        now = self.clock()
        if self.last_beat is not None and now - self.last_beat < BEAT_EVERY:
            return
        with contextlib.suppress(SQLAlchemyError, OSError):  # the next run tries again
            async with self.materialiser.session_factory() as session, session.begin():
                await heartbeat.beat(session, now)
            self.last_beat = now

    async def materialise_meetings(self) -> None:
        result = await self.materialiser.meetings(self.clock())
        if result.queued or result.skipped:
            logger.info("Meeting messages: %d queued, %d skipped", result.queued, result.skipped)

    async def materialise_nudges(self) -> None:
        result = await self.materialiser.nudges(self.clock())
        if result.queued or result.skipped:
            logger.info("Nudges and prompts: %d queued, %d skipped", result.queued, result.skipped)

    async def materialise_followups(self) -> None:
        result = await self.materialiser.signpost_followups(self.clock())
        if result.queued or result.skipped:
            logger.info(
                "Signpost follow-ups: %d queued, %d skipped", result.queued, result.skipped
            )

    async def materialise_goal_reminders(self) -> None:
        result = await self.materialiser.goal_reminders(self.clock())
        if result.queued or result.skipped:
            logger.info("Goal reminders: %d queued, %d skipped", result.queued, result.skipped)

    async def end_episodes(self) -> None:
        ended = await self.materialiser.endings(self.clock())
        if ended:
            logger.info("Mentoring episodes ended: %d", ended)

    async def purge_expired(self) -> None:
        erased = await self.materialiser.purge_expired(self.clock(), self.retention_days)
        if erased:
            logger.info("Erased %d people whose mentoring ended over the retention period", erased)
        forgotten = await self.materialiser.forget_old_replies(self.clock())
        if forgotten:
            logger.info("Deleted %d replies sent over a week ago", forgotten)

    async def escalate_crises(self) -> None:
        escalated = await self.materialiser.crisis_escalations(self.clock())
        if escalated:
            logger.warning("Sent again %d crisis alerts nobody has picked up", escalated)

    async def dispatch(self) -> None:
        """Drain everything due at the configured rate (run_once claims batch after batch)."""
        await self.dispatcher.run_once()

    async def recover(self) -> None:
        await self.dispatcher.recover()


def build_jobs(
    settings: Settings,
    *,
    session_factory: async_sessionmaker[AsyncSession],
    senders: list[Sender],
    clock: Clock = utc_now,
    rate_per_second: float | None = None,
) -> SchedulerJobs:
    return SchedulerJobs(
        materialiser=Materialiser(
            session_factory=session_factory,
            policy=load_policy(),
            zone=settings.zone,
            instruments=load_instruments(settings.instruments_dir),
        ),
        dispatcher=Dispatcher(
            session_factory=session_factory,
            senders=senders,
            clock=clock,
            quiet=QuietHours.from_settings(settings),
            rate_per_second=rate_per_second or settings.send_rate_per_second,
        ),
        clock=clock,
        retention_days=settings.retention_days,
    )


def beating(jobs: SchedulerJobs, job: Callable[[], Awaitable[object]]) -> Callable[[], Any]:
    """The job, then a heartbeat: a beat says a job ran to its end, not just that the process
    is alive."""

    async def run() -> None:
        await job()
        await jobs.beat()

    run.__name__ = getattr(job, "__name__", "job")
    return run


def schedule(jobs: SchedulerJobs, settings: Settings) -> AsyncIOScheduler:
    """The intervals, each named after its subject; never two runs of one job at once. Each
    run ends with a heartbeat (see `beating`)."""
    scheduler = AsyncIOScheduler(timezone=settings.zone)
    common: dict[str, Any] = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 30}
    intervals: list[tuple[Callable[[], Awaitable[object]], str, dict[str, int]]] = [
        (jobs.recover, "recover-claims", {"minutes": 1}),
        (jobs.materialise_meetings, "materialise-meetings", {"seconds": 20}),
        (jobs.materialise_nudges, "materialise-nudges", {"minutes": 5}),
        (jobs.materialise_followups, "materialise-followups", {"minutes": 5}),
        # every minute: goal reminders go at the minute the mentee chose
        (jobs.materialise_goal_reminders, "materialise-goals", {"minutes": 1}),
        (jobs.end_episodes, "end-episodes", {"minutes": 5}),
        (jobs.purge_expired, "purge-expired", {"hours": 1}),
        (jobs.escalate_crises, "escalate-crisis-alerts", {"seconds": 30}),
        (jobs.dispatch, "dispatch-outbox", {"seconds": 1}),
    ]
    for job, name, every in intervals:
        scheduler.add_job(beating(jobs, job), "interval", id=name, **every, **common)
    return scheduler


async def _lead(leadership: Leadership, engine: AsyncEngine, stop: asyncio.Event) -> bool:
    """Become the leader, or wait as a hot standby; False if asked to stop first."""
    if await leadership.acquire():
        return True
    if engine.dialect.name == "sqlite":
        raise SettingsError(
            "Another mentorbot scheduler is already running for this database (SQLite allows one)"
        )
    logger.info("Another scheduler leads (or the database is away); waiting as a standby")
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), STANDBY_POLL_SECONDS)
        except TimeoutError:
            if await leadership.acquire():
                return True
    return False


async def run_scheduler(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Run until `stop` is set (or the process is ended); safe to kill at any moment."""

    stop = stop or asyncio.Event()
    engine = make_engine(settings.database_url)
    leadership = leadership_for(engine, settings.database_url)
    bot = Bot(
        require_telegram_token(settings),
        base_url=settings.telegram_api_url,
        request=bot_api_request(False),
        get_updates_request=bot_api_request(True),
    )
    try:
        await ensure_schema_current(engine)
        while not stop.is_set():
            if not await _lead(leadership, engine, stop):
                break
            logger.info("This scheduler leads")
            async with bot:
                session_factory = make_session_factory(engine)
                senders: list[Sender] = [TelegramSender(bot)]
                twilio = settings.sms_enabled or settings.whatsapp_enabled
                gateway = TwilioGateway(settings) if twilio else None
                whatsapp = WhatsAppSender.from_settings(
                    settings, gateway, session_factory, clock=utc_now
                )
                if whatsapp is not None:  # for people met on WhatsApp, or added there
                    senders.append(whatsapp)
                if gateway is not None and settings.sms_enabled:  # when nothing else reaches
                    senders.append(SmsSender(gateway, session_factory))
                jobs = build_jobs(settings, session_factory=session_factory, senders=senders)
                with contextlib.suppress(SQLAlchemyError, OSError):  # the minute job tries again
                    await jobs.recover()
                scheduler = schedule(jobs, settings)
                scheduler.start()
                while not stop.is_set() and await leadership.still_leading():
                    try:
                        await asyncio.wait_for(stop.wait(), STANDBY_POLL_SECONDS)
                    except TimeoutError:
                        continue
                scheduler.shutdown(wait=False)
                if gateway is not None:
                    await gateway.close()
            await leadership.release()
    finally:
        await leadership.release()
        await engine.dispose()
