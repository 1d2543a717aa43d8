"""Tests of the fake Telegram Bot API, driven by a real ``telegram.Bot`` and ``Application``.

If these pass, PTB cannot tell the fake from the real API for everything the bot's tests use.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot, BotCommand, BotCommandScopeChat, InlineKeyboardButton, Update
from telegram import InlineKeyboardMarkup as Markup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes.telegram_api import FakeTelegramAPI, make_png, polling


@pytest.fixture(autouse=True)
def _ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22 warns (an error under -W error) when RetryAfter.retry_after & co. are ints.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as api:
        yield api
        assert api.internal_errors == []


@pytest.fixture
async def bot(fake: FakeTelegramAPI) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url) as b:
        yield b


def ptb_error(fragment: str) -> str:
    """Pattern for a PTB error message: PTB drops "Bad Request: " and re-capitalises the rest."""
    return "(?i)" + re.escape(fragment)


def yes_no() -> Markup:
    return Markup(
        [
            [
                InlineKeyboardButton("Yes", callback_data="y"),
                InlineKeyboardButton("No", callback_data="n"),
            ]
        ]
    )


async def test_get_me(bot: Bot, fake: FakeTelegramAPI) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == "mentorbot_test_bot"
    assert me.can_join_groups is True
    assert fake.calls[0][0] == "getMe"


async def test_send_message_records_buttons(bot: Bot, fake: FakeTelegramAPI) -> None:
    first = await bot.send_message(42, "Pick one", reply_markup=yes_no())
    second = await bot.send_message(42, "42")
    other = await bot.send_message(7, "hi")

    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert first.chat.id == 42 and first.chat.type == "private"
    assert first.from_user is not None and first.from_user.is_bot
    assert first.reply_markup == yes_no()
    assert second.text == "42"  # plain strings are not JSON-decoded

    sent = fake.messages_to(42)
    assert [s.text for s in sent] == ["Pick one", "42"]
    assert sent[0].buttons == [[("Yes", "y"), ("No", "n")]]
    assert sent[0].data_for("No") == "n"
    assert sent[0].params["chat_id"] == 42
    assert sent[0].params["reply_markup"]["inline_keyboard"][0][0]["text"] == "Yes"
    assert sent[1].buttons == []
    assert len(fake.sent) == 3


async def test_send_photo_and_document_record_bytes(bot: Bot, fake: FakeTelegramAPI) -> None:
    png = make_png(3, 2)
    message = await bot.send_photo(42, photo=png, caption="Your week", reply_markup=yes_no())
    assert message.caption == "Your week"
    assert (message.photo[-1].width, message.photo[-1].height) == (3, 2)

    recorded = fake.sent[-1]
    assert recorded.method == "sendPhoto"
    assert recorded.photo == png
    assert recorded.text == "Your week"
    assert recorded.buttons == [[("Yes", "y"), ("No", "n")]]

    # Re-sending by file_id resolves to the same bytes, like Telegram's file storage.
    await bot.send_photo(42, photo=message.photo[-1].file_id)
    assert fake.sent[-1].photo == png

    doc = await bot.send_document(42, document=b"a,b\n1,2\n", filename="export.csv")
    assert doc.document is not None and doc.document.file_name == "export.csv"
    assert fake.sent[-1].document == b"a,b\n1,2\n"

    with pytest.raises(BadRequest, match=ptb_error("image_process_failed")):
        await bot.send_photo(42, photo=b"definitely not an image")


async def test_edit_text_removes_keyboard(bot: Bot, fake: FakeTelegramAPI) -> None:
    message = await bot.send_message(42, "Did you go?", reply_markup=yes_no())
    edited = await bot.edit_message_text("Thanks!", chat_id=42, message_id=message.message_id)
    assert isinstance(edited, type(message))
    assert edited.text == "Thanks!" and edited.reply_markup is None
    assert fake.sent[-1].method == "editMessageText"
    assert fake.sent[-1].buttons == []
    with pytest.raises(AssertionError, match="no button"):
        fake.user_presses(42, message.message_id, "y")

    await bot.edit_message_reply_markup(42, message.message_id, reply_markup=yes_no())
    assert fake.sent[-1].method == "editMessageReplyMarkup"
    assert fake.sent[-1].text == "Thanks!"
    assert fake.sent[-1].buttons == [[("Yes", "y"), ("No", "n")]]
    await bot.edit_message_reply_markup(42, message.message_id)
    assert fake.sent[-1].buttons == []


async def test_edit_errors_match_the_real_api(bot: Bot, fake: FakeTelegramAPI) -> None:
    message = await bot.send_message(42, "Same", reply_markup=yes_no())
    count = len(fake.sent)
    with pytest.raises(BadRequest, match=ptb_error("message is not modified")):
        await bot.edit_message_text(
            "Same", chat_id=42, message_id=message.message_id, reply_markup=yes_no()
        )
    with pytest.raises(BadRequest, match=ptb_error("message to edit not found")):
        await bot.edit_message_text("x", chat_id=42, message_id=999)
    with pytest.raises(BadRequest, match=ptb_error("message is not modified")):
        await bot.edit_message_reply_markup(42, message.message_id, reply_markup=yes_no())
    assert len(fake.sent) == count
    assert await bot.delete_message(42, message.message_id)
    with pytest.raises(BadRequest, match=ptb_error("message to edit not found")):
        await bot.edit_message_text("x", chat_id=42, message_id=message.message_id)


async def test_text_validation(bot: Bot, fake: FakeTelegramAPI) -> None:
    html = await bot.send_message(42, "<b>Hi</b> Sam &amp; co", parse_mode=ParseMode.HTML)
    assert html.text == "Hi Sam & co"
    assert fake.sent[-1].text == "<b>Hi</b> Sam &amp; co"
    assert fake.sent[-1].rendered_text == "Hi Sam & co"
    md = await bot.send_message(42, r"*Done*\. 1\-2", parse_mode=ParseMode.MARKDOWN_V2)
    assert md.text == "Done. 1-2"

    with pytest.raises(BadRequest, match=ptb_error("unsupported start tag")):
        await bot.send_message(42, "line<br>break", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=ptb_error("unsupported start tag")):
        await bot.send_message(42, "1 < 2", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=ptb_error("can't find end tag")):
        await bot.send_message(42, "<b>bold", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=ptb_error("character '.' is reserved")):
        await bot.send_message(42, "Well done.", parse_mode=ParseMode.MARKDOWN_V2)
    with pytest.raises(BadRequest, match=ptb_error("can't find end of the entity")):
        await bot.send_message(42, "hi @some_user", parse_mode=ParseMode.MARKDOWN)
    with pytest.raises(BadRequest, match=ptb_error("message is too long")):
        await bot.send_message(42, "x" * 4097)
    with pytest.raises(BadRequest, match=ptb_error("message text is empty")):
        await bot.send_message(42, "   ")
    with pytest.raises(BadRequest, match=ptb_error("button_data_invalid")):
        await bot.send_message(
            42, "x", reply_markup=Markup([[InlineKeyboardButton("a", callback_data="d" * 65)]])
        )
    with pytest.raises(BadRequest, match=ptb_error("caption is too long")):
        await bot.send_photo(42, make_png(), caption="c" * 1025)
    assert len(fake.sent) == 2


async def test_fail_next(bot: Bot, fake: FakeTelegramAPI) -> None:
    fake.fail_next(
        "sendMessage",
        error_code=429,
        description="Too Many Requests: retry after 7",
        retry_after=7,
    )
    with pytest.raises(RetryAfter) as excinfo:
        await bot.send_message(42, "hi")
    assert excinfo.value.retry_after.total_seconds() == 7  # type: ignore[union-attr]

    fake.fail_next(
        "sendmessage",
        error_code=403,
        description="Forbidden: bot was blocked by the user",
        times=2,
    )
    for _ in range(2):
        with pytest.raises(Forbidden, match=ptb_error("blocked")):
            await bot.send_message(42, "hi")
    fake.fail_next("getMe", error_code=500, description="Internal Server Error")
    with pytest.raises(NetworkError):
        await bot.get_me()

    await bot.send_message(42, "finally")
    assert [s.text for s in fake.sent] == ["finally"]
    assert [name for name, _ in fake.calls].count("sendMessage") == 4


async def test_raw_http_errors(fake: FakeTelegramAPI) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{fake.port}") as client:
        unknown = await client.post(f"/bot{fake.token}/sendHologram")
        assert unknown.status_code == 404
        assert unknown.json() == {
            "ok": False,
            "error_code": 404,
            "description": "Not Found: method not found",
        }
        wrong_token = await client.post("/bot999:NOPE/getMe")
        assert wrong_token.status_code == 401 and wrong_token.json()["ok"] is False

        bad_markup = await client.post(
            f"/bot{fake.token}/sendMessage",
            data={"chat_id": "1", "text": "x", "reply_markup": "{not json"},
        )
        assert bad_markup.status_code == 400
        assert "reply keyboard markup" in bad_markup.json()["description"]
        no_chat = await client.post(f"/bot{fake.token}/sendMessage", data={"text": "x"})
        assert no_chat.json()["description"] == "Bad Request: chat_id is empty"
        garbage = await client.post(
            f"/bot{fake.token}/sendPhoto",
            content=b"\xff\xfe garbage",
            headers={"content-type": "multipart/form-data; boundary=zzz"},
        )
        assert garbage.status_code == 400
        json_body = await client.post(
            f"/bot{fake.token}/SENDMESSAGE", json={"chat_id": 5, "text": "via json"}
        )
        assert json_body.json()["result"]["text"] == "via json"
        assert fake.sent[-1].method == "sendMessage"


async def test_concurrent_requests(bot: Bot, fake: FakeTelegramAPI) -> None:
    await asyncio.gather(*(bot.send_message(1 + i % 2, f"m{i}") for i in range(20)))
    for chat in (1, 2):
        assert sorted(s.message_id for s in fake.messages_to(chat)) == list(range(1, 11))


async def test_long_polling(bot: Bot, fake: FakeTelegramAPI) -> None:
    assert await bot.get_updates(timeout=0) == ()

    async def inject_later() -> None:
        await asyncio.sleep(0.05)
        fake.user_message(5, "hello")

    started = time.monotonic()
    updates, _ = await asyncio.gather(bot.get_updates(timeout=5), inject_later())
    assert time.monotonic() - started < 1.0
    assert [u.update_id for u in updates] == [1]
    assert updates[0].message is not None and updates[0].message.text == "hello"

    fake.user_message(5, "/start", first_name="Sam")
    again = await bot.get_updates(timeout=0)  # not confirmed yet
    assert [u.update_id for u in again] == [1, 2]
    start = again[1].message
    assert start is not None and start.entities[0].type == "bot_command"
    assert start.from_user is not None and start.from_user.first_name == "Sam"
    confirmed = await bot.get_updates(offset=2, timeout=0)
    assert [u.update_id for u in confirmed] == [2]
    assert await bot.get_updates(offset=3, timeout=0) == ()
    assert fake.pending_updates == []

    async with httpx.AsyncClient() as client:
        started = time.monotonic()
        empty = await client.post(
            f"{fake.base_url}{fake.token}/getUpdates", data={"timeout": "0.2"}
        )
        assert 0.15 <= time.monotonic() - started < 1.0
        assert empty.json() == {"ok": True, "result": []}


async def test_user_updates_parse(bot: Bot, fake: FakeTelegramAPI) -> None:
    sticker = Update.de_json(fake.user_message(9, sticker=True), bot)
    photo = Update.de_json(fake.user_message(9, "caption", photo=True), bot)
    assert sticker.message is not None and sticker.message.sticker is not None
    assert sticker.message.text is None
    assert photo.message is not None and photo.message.caption == "caption"
    assert sticker.message.message_id == 1 and photo.message.message_id == 2
    assert (sticker.update_id, photo.update_id) == (1, 2)

    file = await bot.get_file(photo.message.photo[-1].file_id)
    assert (await file.download_as_bytearray()).startswith(b"\x89PNG")


async def test_webhook_and_commands(bot: Bot, fake: FakeTelegramAPI) -> None:
    fake.user_message(3, "queued")
    await bot.set_webhook("https://example.test/hook", secret_token="s3cret_-")
    assert fake.webhook is not None
    assert fake.webhook["url"] == "https://example.test/hook"
    assert fake.webhook["secret_token"] == "s3cret_-"
    info = await bot.get_webhook_info()
    assert info.url == "https://example.test/hook" and info.pending_update_count == 1
    with pytest.raises(Conflict):
        await bot.get_updates(timeout=0)
    with pytest.raises(BadRequest, match=ptb_error("secret token")):
        await bot.set_webhook("https://example.test/hook", secret_token="bad token!")
    await bot.delete_webhook(drop_pending_updates=True)
    assert fake.webhook is None and fake.pending_updates == []
    assert (await bot.get_webhook_info()).url == ""

    await bot.set_my_commands([BotCommand("start", "Begin"), BotCommand("checkin", "Check in")])
    await bot.set_my_commands([BotCommand("admin", "Admin")], scope=BotCommandScopeChat(7))
    assert [c["command"] for c in fake.commands["default"]] == ["start", "checkin"]
    assert fake.commands_for({"type": "chat", "chat_id": 7}) == [
        {"command": "admin", "description": "Admin"}
    ]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "checkin"]
    with pytest.raises(BadRequest, match=ptb_error("bot_command_invalid")):
        await bot.set_my_commands([BotCommand("Check-In", "bad")])
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    assert "default" not in fake.commands


async def test_deliver_webhook_posts_the_update(bot: Bot, fake: FakeTelegramAPI) -> None:
    # Point the webhook at the fake itself: the update arrives as a JSON body.
    await bot.set_webhook(f"{fake.base_url}{fake.token}/getMe", secret_token="abc")
    update = fake.user_message(4, "via webhook", first_name="Ann")
    response = await fake.deliver_webhook(update)
    assert response.status_code == 200
    assert fake.calls_of("getMe")[-1]["message"]["text"] == "via webhook"
    assert fake.user_message(4, "again")["message"]["from"]["first_name"] == "Ann"


async def test_wait_for_sent_times_out_with_a_dump(bot: Bot, fake: FakeTelegramAPI) -> None:
    await bot.send_message(42, "only one")
    with pytest.raises(AssertionError, match="only one"):
        await fake.wait_for_sent(2, timeout=0.05)
    assert len(await fake.wait_for_sent(1, chat_id=42, timeout=0.05)) == 1


async def test_stop_releases_a_pending_long_poll() -> None:
    api = FakeTelegramAPI()
    await api.start()
    try:
        async with httpx.AsyncClient() as client:
            url = f"{api.base_url}{api.token}/getUpdates"
            poll = asyncio.create_task(client.post(url, data={"timeout": "30"}))
            await api.wait_until(lambda: bool(api.calls_of("getUpdates")), timeout=2)
            started = time.monotonic()
            await api.stop()
            assert time.monotonic() - started < 1.0
            response = await poll
            assert response.json() == {"ok": True, "result": []}
    finally:
        await api.stop()


async def test_application_echo_and_button(fake: FakeTelegramAPI) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            f"echo: {update.effective_message.text}", reply_markup=yes_no()
        )

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("welcome")

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        await query.answer("noted")
        await query.edit_message_text(f"you chose {query.data}")

    application = ApplicationBuilder().token(fake.token).base_url(fake.base_url).build()
    application.add_handler(CommandHandler("start", start))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    application.add_handler(CallbackQueryHandler(pressed))

    async with polling(application):
        fake.user_message(77, "/start")
        fake.user_message(77, "hello")
        sent = await fake.wait_for_sent(2, chat_id=77, timeout=3)
        assert [s.text for s in sent] == ["welcome", "echo: hello"]
        assert sent[1].buttons == [[("Yes", "y"), ("No", "n")]]

        fake.user_presses(77, sent[1].message_id, sent[1].data_for("Yes"))
        sent = await fake.wait_for_sent(3, chat_id=77, timeout=3)
        assert sent[2].method == "editMessageText"
        assert sent[2].text == "you chose y" and sent[2].buttons == []
        await fake.wait_until(lambda: bool(fake.answered_callbacks), timeout=3)
        assert fake.answered_callbacks[0]["text"] == "noted"

    assert not application.running
    assert fake.pending_updates == []  # the updater confirmed everything on shutdown


async def test_polling_reports_handler_errors(fake: FakeTelegramAPI) -> None:
    async def broken(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        raise ValueError("boom")

    application = ApplicationBuilder().token(fake.token).base_url(fake.base_url).build()
    application.add_handler(MessageHandler(filters.ALL, broken))
    with pytest.raises(AssertionError, match="boom"):
        async with polling(application) as errors:
            fake.user_message(1, "hi")
            await fake.wait_until(lambda: bool(errors), timeout=3)
