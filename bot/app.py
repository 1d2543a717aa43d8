"""Composition root: everything mentorbot runs is built here from settings, in one place."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from bot.delivery.channel import Sender
from bot.delivery.sms import SmsSender
from bot.delivery.telegram import TelegramSender
from bot.delivery.whatsapp import WhatsAppSender
from bot.flows.context import Clock, JoinLinks, utc_now
from bot.handlers.media import MediaRoute
from bot.handlers.sms import SmsWebhook
from bot.instruments import Instrument, load_instruments
from bot.instruments.ssm import shipped_matrix
from bot.messages import Channel
from bot.safety import CrisisDetector, relapse
from bot.scheduling import replies
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.quiet import QuietHours
from bot.scheduling.watchman import Watchman
from bot.service import MentorService
from bot.storage.db import make_engine, make_session_factory, open_connections
from bot.storage.migrate import ensure_schema_current
from config.settings import Settings, TelegramMode, require_telegram_token

if TYPE_CHECKING:
    from bot.handlers.telegram import RequestFactory

logger = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query"]
SPARE_CONNECTIONS = 4


def instruments_for(settings: Settings) -> dict[str, Instrument]:
    return load_instruments(settings.instruments_dir)


def pool_size(settings: Settings) -> int:
    """A connection for each update in hand, and some for what runs beside them (the poller,
    the replies' bookkeeping, the dispatchers, the dashboard)."""
    return settings.concurrent_updates + SPARE_CONNECTIONS


def build_service(
    settings: Settings, *, clock: Clock = utc_now, database_url: str | None = None
) -> tuple[AsyncEngine, MentorService]:
    shipped_matrix()  # a bad config/ssm.yaml stops start-up, not the first /rate
    relapse.shipped()  # likewise config/relapse.yaml, not the first message in own words
    engine = make_engine(database_url or settings.database_url, pool_size=pool_size(settings))
    service = MentorService(
        session_factory=make_session_factory(engine),
        instruments=instruments_for(settings),
        zone=settings.zone,
        clock=clock,
        crisis=CrisisDetector.from_file(),
        sms_enabled=settings.sms_enabled,
        # /invite gives the number to text JOIN to (none with only a Messaging Service).
        # /invite gives the WhatsApp number too, when WhatsApp is on.
        links=JoinLinks(
            sms_number=settings.twilio_from_number if settings.sms_enabled else None,
            whatsapp_number=settings.whatsapp_from if settings.whatsapp_enabled else None,
        ),
        # /web gives staff a link into the dashboard, which serve mounts at this address.
        staff_web_url=settings.public_url,
    )
    return engine, service


def build_web(
    settings: Settings,
    engine: AsyncEngine,
    service: MentorService,
    *,
    requests: RequestFactory | None = None,
) -> Starlette:
    """The Telegram Application inside the ASGI app, started and stopped by its lifespan;
    `requests`, the HTTP clients to the Bot API, is for benchmarks/load.py to choose."""
    from bot.delivery.twilio_gateway import TwilioGateway
    from bot.handlers.health import HealthCheck
    from bot.handlers.polling import StoringPoller, replay_kept
    from bot.handlers.telegram import build_application, learn_bot_username
    from bot.handlers.web import TelegramWebhook, create_web_app
    from bot.reports.pictures import start_drawing

    webhook_mode = settings.telegram_mode is TelegramMode.WEBHOOK
    sms_sender = (
        SmsSender(None, service.session_factory, service.writing) if settings.sms_enabled else None
    )
    whatsapp_sender = WhatsAppSender.from_settings(
        settings, None, service.session_factory, clock=service.clock, writing=service.writing
    )
    # Telegram falls back to WhatsApp, then texts, as each person's order says.
    fallbacks: list[Sender] = [s for s in (whatsapp_sender, sms_sender) if s is not None]
    application = build_application(
        token=require_telegram_token(settings),
        base_url=settings.telegram_api_url,
        service=service,
        send_rate_per_second=settings.send_rate_per_second,
        concurrent_updates=settings.concurrent_updates,
        quiet=QuietHours.from_settings(settings),
        fallback_senders=fallbacks or None,
        requests=requests,
    )
    # Notices a text or WhatsApp message queues (to a mentor on Telegram, say) go at once too.
    every: list[Sender] = [TelegramSender(application.bot), *fallbacks]
    sms = _twilio_webhook(settings, service, sms_sender, every, Channel.SMS)
    whatsapp = _twilio_webhook(settings, service, whatsapp_sender, every, Channel.WHATSAPP)
    watchman = _watchman(settings, service, every)
    webhook: TelegramWebhook | None = None
    poller = (
        None
        if webhook_mode
        else StoringPoller(application, service, allowed_updates=ALLOWED_UPDATES)
    )
    if webhook_mode:
        assert settings.telegram_webhook_secret is not None
        webhook = TelegramWebhook(
            service=service,
            application=application,
            secret=settings.telegram_webhook_secret.get_secret_value(),
        )

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        started = service.clock()  # replies still `replying` from before this are orphans
        gateway = TwilioGateway(settings) if fallbacks else None
        for sender in (sms_sender, whatsapp_sender):
            if sender is not None:
                sender.gateway = gateway
        start_drawing()  # in the background: the first picture need not wait for it
        await open_connections(engine, pool_size(settings))
        async with application:
            await learn_bot_username(application, service)
            await application.start()
            if webhook is not None:
                assert settings.telegram_webhook_secret is not None
                await application.bot.set_webhook(
                    url=f"{settings.public_url}/telegram/webhook",
                    secret_token=settings.telegram_webhook_secret.get_secret_value(),
                    allowed_updates=ALLOWED_UPDATES,
                )
                await webhook.replay_unprocessed()
            else:
                assert poller is not None
                await replay_kept(application, service)  # older than anything polled now
                await poller.start()
            logger.info("Telegram %s mode started", settings.telegram_mode.value)
            settle_memory()
            stop_watching = asyncio.Event()
            watching = asyncio.create_task(watchman.run(stop_watching), name="mentorbot:watchman")
            recovering = asyncio.create_task(
                replies.recover(watchman.dispatcher, started=started),
                name="mentorbot:recover-replies",
            )
            try:
                yield
            finally:
                gc.unfreeze()  # what stops from here on may be collected again
                recovering.cancel()  # what it has not put back stays for the next start
                await asyncio.gather(recovering, return_exceptions=True)
                stop_watching.set()
                await watching
                await service.held.close()  # before the bot that would send their replies
                if poller is not None:
                    await poller.stop()
                await application.stop()
        for twilio in (sms, whatsapp):
            if twilio is not None:
                await twilio.drain()
        await service.replies.close()  # marked sent, so the next start sends none again
        if gateway is not None:
            await gateway.close()
        await engine.dispose()

    health = HealthCheck(service.session_factory, service.clock)
    staff = None
    if settings.public_url is not None:  # the dashboard's sign-in links need its address
        from bot.web.app import build_staff_app

        staff = build_staff_app(service, settings.public_url)
    media = MediaRoute(service, whatsapp_sender.links) if whatsapp_sender is not None else None
    web = create_web_app(
        webhook=webhook,
        sms=sms,
        whatsapp=whatsapp,
        media=media,
        lifespan=lifespan,
        health=health,
        staff=staff,
    )
    web.state.watchman = watchman  # tests run its check at the moment they choose
    return web


def settle_memory() -> None:
    """What start-up made lives as long as the process: out of the garbage collector's sight.

    Each full collection walked all of it, PTB, SQLAlchemy and the flows' tables included: a
    pause of 100 ms and more that every update in hand waited out (issue 19). Frozen after a
    collection, so no garbage is kept with it.
    """
    gc.collect()
    gc.freeze()


def _watchman(
    settings: Settings,
    service: MentorService,
    senders: list[Sender],
) -> Watchman:
    """Sends crisis re-alerts from serve while the scheduler is silent (scheduling.watchman)."""
    dispatcher = Dispatcher(
        session_factory=service.session_factory,
        senders=senders,
        clock=service.clock,
        quiet=QuietHours.from_settings(settings),
        rate_per_second=None,  # the Application's own rate limiter paces this bot
        writing=service.writing,
    )
    return Watchman(
        session_factory=service.session_factory,
        dispatcher=dispatcher,
        clock=service.clock,
        writing=service.writing,
    )


def _twilio_webhook(
    settings: Settings,
    service: MentorService,
    sender: SmsSender | WhatsAppSender | None,
    senders: list[Sender],
    channel: Channel,
) -> SmsWebhook | None:
    """One channel's Twilio webhook; what its messages queue for others goes by `senders`."""
    if sender is None:
        return None
    assert settings.twilio_auth_token is not None and settings.public_url is not None
    dispatcher = Dispatcher(
        session_factory=service.session_factory,
        senders=senders,
        clock=service.clock,
        quiet=QuietHours.from_settings(settings),
        rate_per_second=None,
        writing=service.writing,
    )
    return SmsWebhook(
        service=service,
        auth_token=settings.twilio_auth_token.get_secret_value(),
        public_url=settings.public_url,
        dispatcher=dispatcher,
        sms=sender,
        channel=channel,
    )


async def serve(settings: Settings) -> None:
    """`mentorbot serve`: Telegram plus the HTTP endpoints on HTTP_HOST:HTTP_PORT."""
    import uvicorn

    require_telegram_token(settings)
    engine, service = build_service(settings)
    await ensure_schema_current(engine)
    web = build_web(settings, engine, service)
    config: Any = uvicorn.Config(
        web, host=settings.http_host, port=settings.http_port, log_level="info"
    )
    from bot.web.security import AccessLogRedaction

    # After Config, which sets up uvicorn's loggers: no sign-in token or client address of a
    # /staff request reaches the access log.
    logging.getLogger("uvicorn.access").addFilter(AccessLogRedaction())
    await uvicorn.Server(config).serve()
