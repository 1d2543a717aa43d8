"""Telegram adapter: turns PTB updates into InboundMessages and Replies into Bot API calls.

PTB is used only as transport. Conversation state lives in our database, not in PTB's
ConversationHandler, because it must be shared with SMS and survive restarts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, CallbackQuery, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.delivery.aiohttp_request import bot_api_request
from bot.delivery.channel import Sender as ChannelSender
from bot.delivery.telegram import TelegramSender
from bot.flows.context import JoinLinks
from bot.flows.menus import commands_for
from bot.handlers.chat_order import PerChatOrder
from bot.held import Deliver
from bot.messages import Channel, InboundMessage, Sender
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.quiet import QuietHours
from bot.service import Handled, MentorService
from bot.storage.models import Role

logger = logging.getLogger(__name__)

STALE_TAP = "That question has been answered already."
RequestFactory = Callable[[bool], BaseRequest]
"""Makes a bot's HTTP client for the Bot API: True for its getUpdates, False for the rest."""
RETRY_STORED_AFTER = 5.0  # seconds before a kept webhook update that failed is handled again


class TelegramAdapter:
    """Wires one MentorService into one PTB Application."""

    def __init__(
        self,
        service: MentorService,
        dispatcher: Dispatcher,
        *,
        retry_failed: bool = False,
    ) -> None:
        self.service = service
        self.dispatcher = dispatcher
        # Webhook mode keeps every update in the database, so one whose handling failed is
        # ours to finish: asking the person to send it again would count their answer twice
        # (theirs, and ours replayed after the next restart).
        self.retry_failed = retry_failed
        # Chats whose command menu this process has set for the role; once per chat and role.
        self.menus: set[tuple[int, Role]] = set()

    async def show_menu(self, bot: Any, chat_id: int, role: Role | None) -> None:
        """Give this chat the command menu of the person's role (staff see staff commands)."""
        if role is None or (chat_id, role) in self.menus:
            return
        commands = [BotCommand(name, text) for name, text in commands_for(role)]
        try:
            await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
        except TelegramError as exc:  # the menu is a convenience; the reply matters more
            logger.warning("Could not set a chat's command menu: %s", type(exc).__name__)
            return
        self.menus.add((chat_id, role))

    def register(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        private = filters.ChatType.PRIVATE
        application.add_handler(CallbackQueryHandler(self.on_button))
        application.add_handler(
            MessageHandler(private & ~filters.UpdateType.EDITED, self.on_message)
        )
        application.add_error_handler(self.on_error)

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Passes what the person typed (or sent) to their conversation and replies."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or message.chat.type != ChatType.PRIVATE:
            return
        sender = Sender(Channel.TELEGRAM, str(user.id), chat_id=message.chat_id)
        contact = message.contact
        # Only the person's own number: a forwarded contact card is someone else's.
        own = contact.phone_number if contact and contact.user_id == user.id else None
        inbound = InboundMessage(sender=sender, text=message.text, contact_phone=own)
        handled = await self.service.handle(
            inbound,
            external_id=str(update.update_id),
            deliver=self.later(context, message.chat_id),
        )
        if handled is None or self.retried(handled, update, context):
            return
        await self.send_replies(
            context.bot, message.chat_id, handled, after_contact=own is not None
        )
        await self.show_menu(context.bot, message.chat_id, handled.role)
        self.deliver_notices(context, handled.notices)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Takes a tapped answer; marks the question answered so a second tap does nothing."""
        query = update.callback_query
        if query is None or query.data is None:
            return
        token, _, value = query.data.partition(":")
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        sender = Sender(Channel.TELEGRAM, str(query.from_user.id), chat_id=chat_id)
        inbound = InboundMessage(sender=sender, choice=value, token=token)
        handled = await self.service.handle(
            inbound, external_id=str(update.update_id), deliver=self.later(context, chat_id)
        )
        if handled is not None and self.retried(handled, update, context):
            return
        if handled is None or handled.outcome.stale_tap:
            await answer_tap(query, STALE_TAP if handled is not None else None)
            return
        await answer_tap(query)
        answered = handled.outcome.answered
        if answered is not None and isinstance(query.message, Message) and query.message.text:
            try:
                await query.edit_message_text(f"{query.message.text}\n\n\u2714 {answered.label}")
            except TelegramError as exc:
                # Marking the old question is cosmetic; the next question must still go out.
                logger.warning("Could not mark a question answered: %s", type(exc).__name__)
        await self.send_replies(context.bot, chat_id, handled)
        await self.show_menu(context.bot, chat_id, handled.role)
        self.deliver_notices(context, handled.notices)

    def later(self, context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> Deliver:
        """How a reply worked out later reaches this chat: a held message's (bot/held.py)."""

        async def deliver(handled: Handled) -> None:
            await self.send_replies(context.bot, chat_id, handled)
            await self.show_menu(context.bot, chat_id, handled.role)
            self.deliver_notices(context, handled.notices)

        return deliver

    def deliver_notices(self, context: ContextTypes.DEFAULT_TYPE, notices: list[int]) -> None:
        """Send what this message queued for others (a mentor's notice) without waiting for it.

        They are committed in the outbox, so the scheduler sends any this process cannot.
        Waiting would hold this chat, and a handler slot, for the other chat's pacing: forty
        mentees finishing at once queue forty notices to one mentor, one a second. PTB awaits
        these tasks when it stops; once it is stopping, they are left to the scheduler.
        """
        if notices and context.application.running:
            context.application.create_task(
                self.dispatcher.deliver(notices), name="mentorbot:deliver-notices"
            )

    def retried(
        self, handled: Handled, update: Update, context: ContextTypes.DEFAULT_TYPE
    ) -> bool:
        """Hand a kept update that could not be handled back to PTB a little later."""
        if not (handled.failed and self.retry_failed):
            return False
        queue = context.application.update_queue
        asyncio.get_running_loop().call_later(RETRY_STORED_AFTER, queue.put_nowait, update)
        return True

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        logger.error("Telegram handler failed: %s", type(context.error).__name__)

    async def send_replies(
        self, bot: Any, chat_id: int, handled: Handled, *, after_contact: bool = False
    ) -> None:
        """Send the replies at once, from memory, and record each as sent; from the first that
        fails, they go back to the outbox for the dispatcher (scheduling/replies.py)."""
        sender, keys, ledger = TelegramSender(bot), handled.queued, self.service.replies
        for number, reply in enumerate(handled.outcome.replies):
            try:
                await sender.send_to(chat_id, reply, remove_keyboard=after_contact and number == 0)
            except Exception as exc:  # a channel's error, or a bug drawing a picture
                logger.warning("Could not send a reply: %s", type(exc).__name__)
                await ledger.failed(list(keys[number:]), str(exc) or type(exc).__name__)
                return
            if keys:
                ledger.sent(keys[number], Channel.TELEGRAM.value)


async def answer_tap(query: CallbackQuery, text: str | None = None) -> None:
    """Stop the button's spinner; too late after a retry, and then only cosmetic."""
    try:
        await query.answer(text)
    except TelegramError as exc:
        logger.warning("Could not answer a button tap: %s", type(exc).__name__)


def build_application(
    *,
    token: str,
    base_url: str,
    service: MentorService,
    send_rate_per_second: float,
    concurrent_updates: int,
    quiet: QuietHours,
    fallback_senders: list[ChannelSender] | None = None,
    requests: RequestFactory | None = None,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The PTB Application, without PTB's Updater: updates reach it from the webhook or from
    our own poller, each kept in the database first (bot/handlers/polling.py).

    Notices that a message causes (to a mentor, say) are sent straight after its commit by a
    dispatcher over this bot; the scheduler's dispatcher picks up whatever that could not send.
    The HTTP clients to the Bot API are aiohttp's (bot/delivery/aiohttp_request.py); `requests`
    makes others (benchmarks/load.py compares them, a test makes impatient ones).
    """
    requests = requests or bot_api_request
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .rate_limiter(AIORateLimiter(overall_max_rate=send_rate_per_second, max_retries=3))
        .request(requests(False))
        .get_updates_request(requests(True))
    )
    if concurrent_updates > 1:
        builder = builder.concurrent_updates(PerChatOrder(concurrent_updates))
    builder = builder.updater(None)  # updates come from the webhook or a StoringPoller
    application = builder.build()
    dispatcher = Dispatcher(
        session_factory=service.session_factory,
        senders=[TelegramSender(application.bot), *(fallback_senders or [])],
        clock=service.clock,
        quiet=quiet,
        rate_per_second=None,  # the Application's own rate limiter already paces this bot
        writing=service.writing,
    )
    # Kept updates (both modes: bot/handlers/polling.py) are ours to finish after a failure.
    TelegramAdapter(service, dispatcher, retry_failed=True).register(application)
    return application


async def learn_bot_username(
    application: Application[Any, Any, Any, Any, Any, Any], service: MentorService
) -> None:
    """Invite links need the bot's @username, known only after getMe."""
    service.links = JoinLinks(
        bot_username=application.bot.username, sms_number=service.links.sms_number
    )
