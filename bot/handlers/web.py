"""The one ASGI app: Telegram webhook, Twilio's SMS, WhatsApp and status webhooks, WhatsApp's
pictures (/media), health check
(bot/handlers/health.py: serve's own state and the scheduler's heartbeat), and the staff
dashboard mounted at /staff (bot/web/) when serve has a public address.

The webhook stores each raw update and commits before answering 200, because Telegram forgets
an update once it has been acknowledged: a crash after the 200 must not lose it.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from telegram import Update
from telegram.ext import Application

from bot.handlers.health import HealthCheck
from bot.handlers.media import MediaRoute
from bot.handlers.polling import replay_kept
from bot.handlers.sms import SmsWebhook
from bot.service import MentorService

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]


class TelegramWebhook:
    """POST /telegram/webhook: check the secret, keep the update, queue it for PTB."""

    def __init__(
        self,
        *,
        service: MentorService,
        application: Application[Any, Any, Any, Any, Any, Any],
        secret: str,
    ) -> None:
        self.service = service
        self.application = application
        self.secret = secret.encode()

    async def handle(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not secrets.compare_digest(given, self.secret):
            return PlainTextResponse("forbidden", status_code=403)
        try:
            payload = await request.json()
            update_id = int(payload["update_id"])
        except (ValueError, KeyError, TypeError):
            return PlainTextResponse("bad update", status_code=400)
        try:
            stored = await self.service.store_telegram_update(update_id, payload)
        except (SQLAlchemyError, OSError) as exc:
            # Not kept, so not acknowledged: Telegram delivers it again until we can keep it.
            logger.warning("Could not store a Telegram update: %s", type(exc).__name__)
            return PlainTextResponse("try again shortly", status_code=503)
        if not stored:
            # Telegram sends an update again only when it had no 200 from us. The first copy
            # may have been stored when the answer went missing (the database dropped the
            # connection mid-commit), and then nothing here would handle it until a restart.
            # Handling is once per update_id, so passing the copy on is safe.
            logger.info("Telegram delivered an update again")
        await self.enqueue(payload)
        return Response(status_code=200)

    async def enqueue(self, payload: dict[str, Any]) -> None:
        update = Update.de_json(payload, self.application.bot)
        await self.application.update_queue.put(update)

    async def replay_unprocessed(self) -> int:
        """After a restart, hand PTB the updates that were stored but never handled."""
        return await replay_kept(self.application, self.service)


async def healthz(_request: Request) -> Response:
    """Without a database to read (tests of the webhook alone): up is all there is to say."""
    return JSONResponse({"status": "ok"})


def create_web_app(
    *,
    webhook: TelegramWebhook | None = None,
    sms: SmsWebhook | None = None,
    whatsapp: SmsWebhook | None = None,
    media: MediaRoute | None = None,
    lifespan: Lifespan | None = None,
    health: HealthCheck | None = None,
    staff: Starlette | None = None,
) -> Starlette:
    check = health.handle if health is not None else healthz
    routes: list[BaseRoute] = [Route("/healthz", check, methods=["GET"])]
    if webhook is not None:
        routes.append(Route("/telegram/webhook", webhook.handle, methods=["POST"]))
    if sms is not None:
        routes.append(Route("/twilio/sms", sms.inbound, methods=["POST"]))
    if whatsapp is not None:
        routes.append(Route("/twilio/whatsapp", whatsapp.inbound, methods=["POST"]))
    twilio = sms or whatsapp
    if twilio is not None:  # delivery reports for texts and WhatsApp messages alike
        routes.append(Route("/twilio/status", twilio.status, methods=["POST"]))
    if media is not None:
        routes.append(Route("/media/{token}", media.get, methods=["GET"]))
    if staff is not None:
        routes.append(Mount("/staff", app=staff))
    return Starlette(routes=routes, lifespan=lifespan)
