"""Inline keyboards: how a Reply's choices become Telegram buttons."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.messages import Reply

_NO_TOKEN = "-"


def callback_data(token: str | None, value: str) -> str:
    """Pack the question's token with the answer; Telegram allows 64 bytes."""
    data = f"{token or _NO_TOKEN}:{value}"
    if len(data.encode()) > 64:
        raise ValueError("callback data over Telegram's 64-byte limit")
    return data


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """Short answers side by side (Yes / No); longer ones one per row, easy to hit."""
    if not reply.choices and not reply.controls:
        return None
    buttons = [
        InlineKeyboardButton(choice.label, callback_data=callback_data(reply.token, choice.value))
        for choice in reply.choices
    ]
    side_by_side = len(buttons) <= 3 and all(len(choice.label) <= 12 for choice in reply.choices)
    rows = [buttons] if side_by_side else [[button] for button in buttons]
    rows = [row for row in rows if row]  # a typed-answer question may offer Back alone
    if reply.controls:  # Back and Skip: one row under the answers, apart from them
        rows.append(
            [
                InlineKeyboardButton(
                    control.label, callback_data=callback_data(reply.token, control.value)
                )
                for control in reply.controls
            ]
        )
    return InlineKeyboardMarkup(rows)
