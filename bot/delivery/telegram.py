"""The Telegram channel: one renderer for live replies and queued messages alike.

A reply with a picture goes as a photo (the text as its caption when it fits), choices as an
inline keyboard, a request for the person's number as a one-time reply keyboard, a file as a
document. The adapter's reply to a message and the dispatcher's send of an outbox row both call
`send_reply`, so what a person sees does not depend on which road the message took.
"""

from __future__ import annotations

from typing import Any

from telegram import Bot, KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.delivery.channel import reply_for
from bot.delivery.errors import (
    TELEGRAM_FAILED,
    Blocked,
    PermanentFailure,
    RetryLater,
    TransientFailure,
)
from bot.delivery.telegram_keyboard import keyboard
from bot.flows import texts
from bot.messages import Reply
from bot.reports.pictures import draw
from bot.storage.models import OutboxMessage, Person

CAPTION_LIMIT = 1024  # Telegram's limit for a photo caption


async def send_reply(
    bot: Bot, chat_id: int, reply: Reply, *, remove_keyboard: bool = False
) -> None:
    """Render one Reply in a chat; `remove_keyboard` takes away a share-my-number button."""
    picture = reply.card or reply.picture
    if picture:
        png = await draw(picture)
        if len(reply.text) <= CAPTION_LIMIT:
            await bot.send_photo(chat_id, photo=png, caption=reply.text)
            return
        await bot.send_photo(chat_id, photo=png)
    markup: Any = keyboard(reply)
    if reply.ask_contact:
        button = KeyboardButton(texts.PHONE_SHARE_BUTTON, request_contact=True)
        markup = ReplyKeyboardMarkup([[button]], one_time_keyboard=True, resize_keyboard=True)
    elif remove_keyboard:
        markup = ReplyKeyboardRemove()  # the share button has done its job
    await bot.send_message(chat_id, reply.text, reply_markup=markup)
    if reply.document is not None:
        await bot.send_document(
            chat_id, document=reply.document.content, filename=reply.document.filename
        )


class TelegramSender:
    name = "telegram"

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    def can_reach(self, person: Person) -> bool:
        return person.telegram_chat_id is not None and person.telegram_blocked_at is None

    async def send(self, person: Person, message: OutboxMessage) -> str | None:
        assert person.telegram_chat_id is not None
        remove_keyboard = bool((message.payload or {}).get("remove_keyboard"))
        await self.send_to(
            person.telegram_chat_id, reply_for(message), remove_keyboard=remove_keyboard
        )
        return None

    async def send_to(self, chat_id: int, reply: Reply, *, remove_keyboard: bool = False) -> None:
        """Send one reply to a chat, with Telegram's errors as the channel-neutral ones."""
        try:
            await send_reply(self.bot, chat_id, reply, remove_keyboard=remove_keyboard)
        except Forbidden as exc:
            raise Blocked(exc.message) from exc
        except RetryAfter as exc:
            raise RetryLater("Telegram asked us to slow down", _seconds(exc.retry_after)) from exc
        except BadRequest as exc:
            if "chat not found" in exc.message.lower():  # the account is gone: use another way
                raise Blocked(exc.message) from exc
            raise PermanentFailure(exc.message) from exc
        except (TimedOut, NetworkError) as exc:
            # NetworkError also covers Telegram's 5xx answers.
            raise TransientFailure(f"{TELEGRAM_FAILED}: {type(exc).__name__}") from exc


def _seconds(value: Any) -> float:
    return float(value.total_seconds()) if hasattr(value, "total_seconds") else float(value)
