"""A fake Telegram Bot API server for tests.

Why this exists: the bot's tests must exercise the *real* python-telegram-bot stack (the
``Application``, its handlers, its HTTP client (the bot's aiohttp one, or PTB's
``HTTPXRequest``), JSON (de)serialisation, the updater's long polling) without talking to
Telegram and without mocking PTB. PTB lets us point it at any Bot API server through
``base_url``, so this module runs a small HTTP server on 127.0.0.1 (uvicorn + starlette, inside
the test's event loop) that speaks the Bot API wire protocol closely enough for PTB to be unable
to tell the difference, and records what the bot did.

What it models, deliberately close to the real API because these are the places bots break:

* requests: ``POST {base_url}{token}/{method}`` with url-encoded form fields whose values are
  JSON-encoded unless they are plain strings, multipart/form-data when a file is attached
  (``attach://`` references included), plain JSON bodies and query strings;
* responses: ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code", "description"}``
  with the matching HTTP status (``parameters.retry_after`` for 429), 401 for a wrong token and
  404 for an unknown method;
* private chats only (chat id == user id); message ids per chat, update ids global from 1;
* the errors bots hit in production: "message is not modified", "message to edit not found",
  over-long texts and captions, callback data over 64 bytes, HTML / MarkdownV2 / Markdown that
  Telegram cannot parse, expired callback queries, non-image bytes sent as a photo,
  ``getUpdates`` while a webhook is set, two concurrent ``getUpdates`` (409);
* long polling that honours ``offset``, ``limit``, ``allowed_updates`` and ``timeout`` and
  returns as soon as an update arrives.

Everything a test needs to assert on is plain data: :attr:`FakeTelegramAPI.calls` (every call),
:attr:`FakeTelegramAPI.sent` (user-visible outputs as :class:`SentMessage`), ``webhook``,
``commands``, ``answered_callbacks`` and ``connections`` (one per TCP connection the calls came
on). User actions are injected with
:meth:`FakeTelegramAPI.user_message` and :meth:`FakeTelegramAPI.user_presses`; faults with
:meth:`FakeTelegramAPI.fail_next`. :func:`polling` runs a PTB ``Application`` against the fake
and fails the test if a handler raised.

All state lives in the event loop that called :meth:`FakeTelegramAPI.start`; the injection
methods are synchronous and must be called from that loop's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import re
import socket
import struct
import time
import zlib
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, Self
from urllib.parse import parse_qsl

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram.ext import Application, CallbackContext

__all__ = ["FakeTelegramAPI", "Fault", "SentMessage", "make_png", "polling"]

TEXT_LIMIT: Final = 4096
CAPTION_LIMIT: Final = 1024
CALLBACK_DATA_LIMIT: Final = 64

# Form fields that carry plain strings. PTB sends strings unencoded and everything else as JSON,
# so without this list a text such as "42" or "true" would be decoded into a number or a bool.
_STRING_FIELDS: Final = frozenset(
    {
        "action",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "certificate",
        "description",
        "document",
        "emoji",
        "file_id",
        "file_name",
        "inline_message_id",
        "ip_address",
        "language_code",
        "message_effect_id",
        "name",
        "parse_mode",
        "photo",
        "secret_token",
        "short_description",
        "sticker",
        "text",
        "thumbnail",
        "title",
        "url",
    }
)

_CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

_NOT_MODIFIED: Final = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_QUERY_TOO_OLD: Final = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
_WRONG_FILE: Final = "Bad Request: wrong file identifier/HTTP URL specified"

_PATH_RE: Final = re.compile(r"/bot([^/]+)/([^/]*)/?")
_FILE_PATH_RE: Final = re.compile(r"/file/bot([^/]+)/(.+)")
_BOT_COMMAND_RE: Final = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,64})?")
_COMMAND_NAME_RE: Final = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN_RE: Final = re.compile(r"[A-Za-z0-9_-]{1,256}")


# --------------------------------------------------------------------------------------------
# Public records
# --------------------------------------------------------------------------------------------


@dataclass
class SentMessage:
    """One user-visible output of the bot (a send* or edit* call that succeeded)."""

    method: str
    chat_id: int
    message_id: int
    text: str | None
    """The text or caption exactly as the bot sent it (markup included); for
    ``editMessageReplyMarkup`` the message's current text."""
    buttons: list[list[tuple[str, str]]]
    """Inline keyboard as rows of ``(label, callback_data)`` (the url for URL buttons); ``[]``
    when the message has no inline keyboard after this call."""
    photo: bytes | None
    params: dict[str, Any]
    """All decoded request parameters (uploaded files as ``bytes``)."""
    document: bytes | None = None
    rendered_text: str | None = None
    """The text as the user sees it: HTML / Markdown markup removed, entities unescaped."""

    @property
    def button_labels(self) -> list[str]:
        return [label for row in self.buttons for label, _ in row]

    def data_for(self, label: str) -> str:
        """Callback data of the button labelled ``label`` (AssertionError if there is none)."""
        for row in self.buttons:
            for button_label, data in row:
                if button_label == label:
                    return data
        raise AssertionError(
            f"message {self.message_id} in chat {self.chat_id} has no button {label!r}; "
            f"buttons: {self.button_labels!r}"
        )


# --------------------------------------------------------------------------------------------
# Internal state
# --------------------------------------------------------------------------------------------


class _ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def response(self) -> JSONResponse:
        return _error_response(self.code, self.description, self.retry_after)


def _error_response(code: int, description: str, retry_after: int | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return JSONResponse(body, status_code=code)


def _bad(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


@dataclass
class _Failure:
    error_code: int
    description: str
    retry_after: int | None
    chat_id: int | None = None  # only calls to this chat fail (fail_next)


Fault = _Failure
"""An error answer chosen by :attr:`FakeTelegramAPI.fault` (code, description, retry_after)."""


@dataclass
class _StoredFile:
    file_id: str
    unique_id: str
    content: bytes
    file_path: str


@dataclass
class _StoredMessage:
    chat_id: int
    message_id: int
    from_bot: bool
    date: int
    kind: str  # "text", "photo", "document", "sticker"
    text: str | None  # raw text / caption as sent
    rendered: str | None  # what the user sees
    inline_keyboard: list[list[dict[str, Any]]] | None = None
    media: dict[str, Any] = field(default_factory=dict)
    entities: list[dict[str, Any]] | None = None
    edit_date: int | None = None
    deleted: bool = False

    @property
    def text_field(self) -> str:
        return "text" if self.kind == "text" else "caption"


@dataclass
class _Call:
    method: str
    params: dict[str, Any]
    filenames: dict[str, tuple[str, str]]  # param name -> (filename, content type) of uploads


_Handler = Callable[[_Call], Awaitable[Any]]


class _QuietServer(uvicorn.Server):
    """A uvicorn server for use inside a test's event loop.

    It leaves the process's signal handlers alone and waits on an event instead of polling
    ``should_exit`` every 100 ms, so that it stops promptly.
    """

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.exit_requested = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def main_loop(self) -> None:
        await self.on_tick(0)
        await self.exit_requested.wait()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # uvicorn's own shutdown sleeps 0.1 s and polls every 0.1 s: too slow for a fixture
        # that every test starts and stops. Same steps, polling every 2 ms (lifespan is off).
        for server in self.servers:
            server.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()  # closes idle keep-alive connections, ends busy ones after
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.config.timeout_graceful_shutdown or 2)
        state = self.server_state
        # uvicorn offers no event for "all connections closed", hence the short poll.
        while (state.connections or state.tasks) and loop.time() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.002)
        for task in list(state.tasks):
            task.cancel()
        for connection in list(state.connections):  # still open at the deadline: closed now,
            transport = getattr(connection, "transport", None)  # not left for the collector
            if transport is not None:
                transport.abort()
        for server in self.servers:
            await server.wait_closed()


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------


class FakeTelegramAPI:
    """An in-process fake of the Telegram Bot API (see the module docstring)."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST",
        bot_username: str = "mentorbot_test_bot",
        tls: tuple[str, str] | None = None,
    ) -> None:
        """``tls``: a certificate file and its key file, to serve HTTPS as Telegram does."""
        prefix, sep, _ = token.partition(":")
        if not sep or not prefix.isdigit():
            raise ValueError(f"token must look like '<bot id>:<secret>', got {token!r}")
        self.token = token
        self.bot_id = int(prefix)
        self.bot_username = bot_username
        self.bot_first_name = "MentorBot"
        self.tls = tls

        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.sent: list[SentMessage] = []
        self.answered_callbacks: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] | None = None
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.connections: set[tuple[str, int]] = set()
        """The client address of every TCP connection a call came on: how well the bot's HTTP
        client keeps its connections alive."""
        self.internal_errors: list[str] = []
        """Unexpected exceptions inside the fake (answered with 400); should stay empty."""
        self.fault: Callable[[str], Fault | None] | None = None
        """Asked on every call (with the method name) after :meth:`fail_next`'s queue: a
        :class:`Fault` to answer with instead, or None to serve the call (storms, random 5xx)."""

        self._messages: dict[tuple[int, int], _StoredMessage] = {}
        self._last_message_id: dict[int, int] = {}
        self._user_names: dict[int, str] = {}
        self._pending_updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._open_callbacks: set[str] = set()
        self._files: dict[str, _StoredFile] = {}
        self._failures: dict[str, deque[_Failure]] = {}
        self._holds: dict[tuple[str, str], asyncio.Event] = {}
        self._poll_generation = 0
        self._closing = False
        self._updates_event = asyncio.Event()
        self._changed_event = asyncio.Event()

        self._server: _QuietServer | None = None
        self._serve_task: asyncio.Task[None] | None = None
        self._port: int | None = None

        handlers: list[tuple[str, _Handler]] = [
            ("getMe", self._get_me),
            ("sendMessage", self._send_message),
            ("sendPhoto", self._send_photo),
            ("sendDocument", self._send_document),
            ("editMessageText", self._edit_message_text),
            ("editMessageCaption", self._edit_message_caption),
            ("editMessageReplyMarkup", self._edit_message_reply_markup),
            ("deleteMessage", self._delete_message),
            ("answerCallbackQuery", self._answer_callback_query),
            ("sendChatAction", self._send_chat_action),
            ("getUpdates", self._get_updates),
            ("setWebhook", self._set_webhook),
            ("deleteWebhook", self._delete_webhook),
            ("getWebhookInfo", self._get_webhook_info),
            ("setMyCommands", self._set_my_commands),
            ("deleteMyCommands", self._delete_my_commands),
            ("getMyCommands", self._get_my_commands),
            ("getFile", self._get_file),
            ("close", self._true),
            ("logOut", self._true),
            ("setMyDescription", self._true),
            ("setMyShortDescription", self._true),
            ("setChatMenuButton", self._true),
        ]
        # Bot API method names are case-insensitive.
        self._methods: dict[str, tuple[str, _Handler]] = {
            name.lower(): (name, handler) for name, handler in handlers
        }
        self._app = Starlette(
            routes=[Route("/{path:path}", self._endpoint, methods=["GET", "POST"])]
        )

    # ---------------------------------------------------------------- lifecycle

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeTelegramAPI is not running; call start() first")
        return self._port

    @property
    def base_url(self) -> str:
        """Pass to ``ApplicationBuilder().base_url(...)`` / ``Bot(base_url=...)``."""
        return f"{self._scheme}://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Pass to ``ApplicationBuilder().base_file_url(...)`` to download files via getFile."""
        return f"{self._scheme}://127.0.0.1:{self.port}/file/bot"

    @property
    def _scheme(self) -> str:
        return "http" if self.tls is None else "https"

    async def start(self, *, port: int = 0) -> None:
        """Listen on 127.0.0.1:``port`` (any free port by default)."""
        if self._serve_task is not None:
            raise RuntimeError("FakeTelegramAPI is already running")
        self._closing = False
        # Events bind to the loop that first waits on them: make fresh ones for this loop.
        self._updates_event = asyncio.Event()
        self._changed_event = asyncio.Event()
        config = uvicorn.Config(
            self._app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            log_config=None,
            access_log=False,
            lifespan="off",
            http="h11",
            ws="none",
            timeout_graceful_shutdown=2,
            ssl_certfile=self.tls[0] if self.tls else None,
            ssl_keyfile=self.tls[1] if self.tls else None,
        )
        server = _QuietServer(config)
        task = asyncio.create_task(server.serve(), name="fake-telegram-api")
        self._server, self._serve_task = server, task
        deadline = time.monotonic() + 5.0
        while not server.started:
            if task.done():
                self._server = self._serve_task = None
                await task  # re-raise the startup error
                raise RuntimeError("fake Telegram API server exited during startup")
            if time.monotonic() > deadline:
                await self.stop()
                raise RuntimeError("fake Telegram API server did not start within 5 s")
            await asyncio.sleep(0.001)
        sockets = server.servers[0].sockets
        self._port = int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        server, task = self._server, self._serve_task
        if server is None or task is None:
            return
        self._closing = True
        self._wake_pollers()  # pending long polls answer [] at once
        server.should_exit = True
        server.exit_requested.set()
        try:
            await task
        finally:
            self._server = self._serve_task = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ---------------------------------------------------------------- injection (the user)

    def user_message(
        self,
        user_id: int,
        text: str | None = None,
        *,
        first_name: str | None = None,
        sticker: bool = False,
        photo: bool = False,
        contact: tuple[str, int] | None = None,
    ) -> dict[str, Any]:
        """The user sends a message (text, a sticker, or a photo with ``text`` as caption).

        ``first_name`` defaults to the name this user had before, else "Test". Returns the
        Update (Telegram JSON), which is also queued for ``getUpdates``. Text that starts with
        ``/command`` gets the ``bot_command`` entity the real API adds, so PTB's
        ``CommandHandler`` matches it.
        """
        if user_id <= 0:
            raise ValueError("user ids are positive (private chats only)")
        if text is None and not sticker and not photo and contact is None:
            raise ValueError("user_message needs text, sticker=True, photo=True or contact")
        if sticker and photo:
            raise ValueError("a message is either a sticker or a photo")
        if first_name is not None:
            self._user_names[user_id] = first_name
        self._user_names.setdefault(user_id, "Test")
        kind = "sticker" if sticker else "photo" if photo else "text"
        media: dict[str, Any] = {}
        if sticker:
            stored = self._store_file(make_png(64, 64), "stickers", "png")
            media["sticker"] = {
                "file_id": stored.file_id,
                "file_unique_id": stored.unique_id,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "\N{THUMBS UP SIGN}",
                "file_size": len(stored.content),
            }
        if photo:
            media["photo"] = [self._photo_size(make_png(90, 60), "photos")]
        if contact is not None:  # (phone number, the Telegram user id it belongs to)
            media["contact"] = {
                "phone_number": contact[0],
                "first_name": "Contact",
                "user_id": contact[1],
            }
        message = _StoredMessage(
            chat_id=user_id,
            message_id=self._next_message_id(user_id),
            from_bot=False,
            date=int(time.time()),
            kind=kind,
            text=None if sticker else text,
            rendered=None if sticker else text,
            media=media,
        )
        if kind == "text" and text is not None:
            match = _BOT_COMMAND_RE.match(text)
            if match:
                length = _utf16_len(match.group(0))
                message.entities = [{"type": "bot_command", "offset": 0, "length": length}]
        self._messages[(user_id, message.message_id)] = message
        return self._queue_update({"message": self._message_json(message)})

    def user_presses(
        self, user_id: int, message_id: int, data: str, *, strict: bool = True
    ) -> dict[str, Any]:
        """The user presses an inline button on a message the bot sent to them.

        The callback query embeds the message as it currently is (text and keyboard). With
        ``strict`` (the default) the message must currently show a button with this callback
        data, as a real client only sends data of buttons it displays; pass ``strict=False`` to
        simulate a stale press (e.g. after the keyboard was removed on another device).
        """
        message = self._messages.get((user_id, message_id))
        if message is None or message.deleted:
            raise AssertionError(
                f"chat {user_id} has no message {message_id} to press a button on; bot outputs "
                f"there: {[s.message_id for s in self.messages_to(user_id)]}"
            )
        if not message.from_bot:
            raise AssertionError(f"message {message_id} in chat {user_id} was sent by the user")
        if strict:
            available = [
                button["callback_data"]
                for row in message.inline_keyboard or []
                for button in row
                if "callback_data" in button
            ]
            if data not in available:
                raise AssertionError(
                    f"message {message_id} in chat {user_id} has no button with callback_data "
                    f"{data!r}; current callback data: {available!r} (strict=False to force)"
                )
        query_id = f"cbq-{next(self._callback_ids)}"
        self._open_callbacks.add(query_id)
        self._user_names.setdefault(user_id, "Test")
        return self._queue_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self._user_json(user_id),
                    "chat_instance": f"ci-{user_id}",
                    "data": data,
                    "message": self._message_json(message),
                }
            }
        )

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (e.g. 403 blocked, 429, 500).

        With ``chat_id``, only calls to that chat fail; calls to other chats go through.
        A failed call is recorded in :attr:`calls` but has no effect and is not in :attr:`sent`.
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        if not 400 <= error_code <= 599:
            raise ValueError("error_code must be an HTTP error status (4xx/5xx)")
        queue = self._failures.setdefault(method.lower(), deque())
        queue.extend(_Failure(error_code, description, retry_after, chat_id) for _ in range(times))

    def hold(self, method: str, chat_id: int) -> asyncio.Event:
        """Keep calls of ``method`` to ``chat_id`` waiting until the returned event is set.

        A slow answer for one chat, as a congested Telegram gives; calls to other chats go on.
        """
        release = asyncio.Event()
        self._holds[(method.lower(), str(chat_id))] = release
        return release

    # ---------------------------------------------------------------- inspection

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        return [s for s in self.sent if s.chat_id == chat_id]

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every call of ``method`` (case-insensitive), in order."""
        wanted = method.lower()
        return [params for name, params in self.calls if name.lower() == wanted]

    def current_message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """The message as Telegram would now show it (Message JSON), None if absent/deleted."""
        message = self._messages.get((chat_id, message_id))
        if message is None or message.deleted:
            return None
        return self._message_json(message)

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by a getUpdates offset."""
        return list(self._pending_updates)

    @staticmethod
    def scope_key(scope: dict[str, Any] | None = None, language_code: str = "") -> str:
        """The key of :attr:`commands` for a scope (``"default"`` when none / default).

        Other scopes are keyed by ``json.dumps(scope, sort_keys=True)``, with ``"|<lang>"``
        appended when a language code was given.
        """
        if not scope or scope == {"type": "default"}:
            key = "default"
        else:
            key = json.dumps(scope, sort_keys=True)
        return f"{key}|{language_code}" if language_code else key

    def commands_for(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        return self.commands.get(self.scope_key(scope, language_code), [])

    async def wait_for_sent(
        self,
        count: int,
        *,
        chat_id: int | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - part of the agreed interface
    ) -> list[SentMessage]:
        """Wait until at least ``count`` outputs exist (to ``chat_id`` if given); return them."""

        def outputs() -> list[SentMessage]:
            return self.sent if chat_id is None else self.messages_to(chat_id)

        where = "" if chat_id is None else f" to chat {chat_id}"
        await self.wait_until(
            lambda: len(outputs()) >= count,
            timeout=timeout,
            what=f"at least {count} bot output(s){where}",
        )
        return list(outputs())

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        *,
        timeout: float = 10.0,  # noqa: ASYNC109 - mirrors wait_for_sent
        what: str = "condition",
    ) -> None:
        """Wait until ``predicate()`` holds; it is re-checked after every API call."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"timed out after {timeout} s waiting for {what}\n{self.dump()}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed_event.wait(), remaining)

    def dump(self, last_calls: int = 25) -> str:
        """Human-readable summary of outputs and recent calls, for assertion messages."""
        lines = [f"bot outputs ({len(self.sent)}):"]
        for s in self.sent:
            extra = f" buttons={s.buttons}" if s.buttons else ""
            extra += f" photo=<{len(s.photo)} bytes>" if s.photo is not None else ""
            lines.append(f"  {s.method} chat={s.chat_id} id={s.message_id} text={s.text!r}{extra}")
        lines.append(f"last API calls ({len(self.calls)} in total):")
        for name, params in self.calls[-last_calls:]:
            lines.append(f"  {name} {_summarise(params)}")
        if self.internal_errors:
            lines.append(f"internal errors of the fake: {self.internal_errors}")
        return "\n".join(lines)

    async def deliver_webhook(self, update: dict[str, Any]) -> httpx.Response:
        """POST an update to the registered webhook, as Telegram would (with the secret)."""
        if self.webhook is None or not self.webhook.get("url"):
            raise AssertionError("no webhook is set")
        headers = {}
        secret = self.webhook.get("secret_token")
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = str(secret)
        async with httpx.AsyncClient() as client:
            return await client.post(str(self.webhook["url"]), json=update, headers=headers)

    # ---------------------------------------------------------------- HTTP plumbing

    async def _endpoint(self, request: Request) -> Response:
        if request.client is not None:
            self.connections.add((request.client.host, request.client.port))
        path = request.url.path
        file_match = _FILE_PATH_RE.fullmatch(path)
        if file_match is not None:
            return self._serve_file(file_match.group(1), file_match.group(2))
        match = _PATH_RE.fullmatch(path)
        if match is None:
            return _error_response(404, "Not Found")
        token, method = match.group(1), match.group(2)
        if token != self.token:
            return _error_response(401, "Unauthorized")
        if not method:
            return _error_response(404, "Not Found: method not found")
        try:
            params, filenames = await _read_params(request)
        except _ApiError as exc:
            self.calls.append((method, {}))
            return exc.response()
        except Exception as exc:  # e.g. the client went away while sending the body
            self.calls.append((method, {}))
            return _error_response(400, f"Bad Request: can't read request: {exc!r}")
        entry = self._methods.get(method.lower())
        name = entry[0] if entry else method
        self.calls.append((name, params))
        self._notify()
        try:
            if entry is None:
                return _error_response(404, "Not Found: method not found")
            failure = self._take_failure(method.lower(), params)
            if failure is None and self.fault is not None:
                failure = self.fault(name)
            if failure is not None:
                return _error_response(
                    failure.error_code, failure.description, failure.retry_after
                )
            held = self._holds.get((method.lower(), str(params.get("chat_id"))))
            if held is not None:
                await held.wait()
            result = await entry[1](_Call(name, params, filenames))
            return JSONResponse({"ok": True, "result": result})
        except _ApiError as exc:
            return exc.response()
        except Exception as exc:  # never let bad input crash the server
            self.internal_errors.append(f"{name}: {exc!r}")
            return _error_response(400, f"Bad Request: {type(exc).__name__}: {exc}")
        finally:
            self._notify()

    def _take_failure(self, method: str, params: dict[str, Any]) -> _Failure | None:
        """The first failure queued for this call (any chat, or the chat it is sent to)."""
        queue = self._failures.get(method, deque())
        for failure in queue:
            if failure.chat_id is None or str(failure.chat_id) == str(params.get("chat_id")):
                queue.remove(failure)
                return failure
        return None

    def _serve_file(self, token: str, file_path: str) -> Response:
        if token != self.token:
            return _error_response(401, "Unauthorized")
        for stored in self._files.values():
            if stored.file_path == file_path:
                return Response(stored.content, media_type="application/octet-stream")
        return _error_response(404, "Not Found")

    def _notify(self) -> None:
        event, self._changed_event = self._changed_event, asyncio.Event()
        event.set()

    def _wake_pollers(self) -> None:
        event, self._updates_event = self._updates_event, asyncio.Event()
        event.set()

    # ---------------------------------------------------------------- builders

    def _next_message_id(self, chat_id: int) -> int:
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        return message_id

    def _queue_update(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **body}
        self._pending_updates.append(update)
        self._wake_pollers()
        self._notify()
        return update

    def _bot_json(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _user_json(self, user_id: int) -> dict[str, Any]:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": self._user_names.get(user_id, "Test"),
        }

    def _chat_json(self, chat_id: int) -> dict[str, Any]:
        return {
            "id": chat_id,
            "type": "private",
            "first_name": self._user_names.get(chat_id, "Test"),
        }

    def _message_json(self, message: _StoredMessage) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": self._chat_json(message.chat_id),
            "from": self._bot_json() if message.from_bot else self._user_json(message.chat_id),
        }
        if message.rendered is not None and (message.kind == "text" or message.rendered):
            data[message.text_field] = message.rendered
        if message.entities:
            data["entities"] = message.entities
        data.update(message.media)
        if message.inline_keyboard:
            data["reply_markup"] = {"inline_keyboard": message.inline_keyboard}
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        return data

    def _store_file(self, content: bytes, folder: str, extension: str) -> _StoredFile:
        number = next(self._file_ids)
        stored = _StoredFile(
            file_id=f"FAKE-{folder}-{number}",
            unique_id=f"U{number}",
            content=content,
            file_path=f"{folder}/file_{number}.{extension}",
        )
        self._files[stored.file_id] = stored
        return stored

    def _photo_size(self, content: bytes, folder: str) -> dict[str, Any]:
        stored = self._store_file(content, folder, "png" if content.startswith(_PNG) else "jpg")
        width, height = _image_size(content)
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "width": width,
            "height": height,
            "file_size": len(content),
        }

    def _record(
        self,
        method: str,
        message: _StoredMessage,
        params: dict[str, Any],
        *,
        photo: bytes | None = None,
        document: bytes | None = None,
    ) -> None:
        self.sent.append(
            SentMessage(
                method=method,
                chat_id=message.chat_id,
                message_id=message.message_id,
                text=message.text,
                buttons=_buttons(message.inline_keyboard),
                photo=photo,
                params=params,
                document=document,
                rendered_text=message.rendered,
            )
        )

    def _find_for_edit(self, params: dict[str, Any]) -> _StoredMessage:
        if params.get("inline_message_id") is not None:
            raise _bad("MESSAGE_ID_INVALID (inline messages are not supported by the fake)")
        chat_id = _chat_id(params)
        message_id = _get_int(params, "message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        message = self._messages.get((chat_id, message_id))
        if message is None or message.deleted:
            raise _bad("message to edit not found")
        if not message.from_bot:
            raise _bad("message can't be edited")
        return message

    def _resolve_file(self, call: _Call, name: str) -> tuple[bytes | None, str | None]:
        """Content and file name of a file parameter (upload, known file_id or URL)."""
        value = call.params.get(name)
        if value is None or value == "":
            raise _bad(f"there is no {name} in the request")
        if isinstance(value, bytes):
            if not value:
                raise _bad("file must be non-empty")
            return value, call.filenames.get(name, ("file", ""))[0]
        if isinstance(value, str):
            stored = self._files.get(value)
            if stored is not None:
                return stored.content, stored.file_path.rsplit("/", 1)[-1]
            if value.startswith(("http://", "https://")):
                return None, value.rsplit("/", 1)[-1] or "file"
        raise _ApiError(400, _WRONG_FILE)

    # ---------------------------------------------------------------- methods

    async def _true(self, call: _Call) -> bool:
        return True

    async def _get_me(self, call: _Call) -> dict[str, Any]:
        return {
            **self._bot_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _send_message(self, call: _Call) -> dict[str, Any]:
        params = call.params
        chat_id = _chat_id(params)
        raw = _get_str(params, "text")
        if raw is None:
            raise _bad("message text is empty")
        rendered = _render(raw, _get_str(params, "parse_mode"))
        if not rendered.strip():
            raise _bad("message text is empty")
        if _utf16_len(rendered) > TEXT_LIMIT:
            raise _bad("message is too long")
        keyboard = _parse_reply_markup(params.get("reply_markup"))
        message = _StoredMessage(
            chat_id=chat_id,
            message_id=self._next_message_id(chat_id),
            from_bot=True,
            date=int(time.time()),
            kind="text",
            text=raw,
            rendered=rendered,
            inline_keyboard=keyboard,
        )
        self._messages[(chat_id, message.message_id)] = message
        self._record(call.method, message, params)
        return self._message_json(message)

    def _caption(self, params: dict[str, Any]) -> tuple[str | None, str | None]:
        raw = _get_str(params, "caption")
        if raw is None:
            return None, None
        rendered = _render(raw, _get_str(params, "parse_mode"))
        if _utf16_len(rendered) > CAPTION_LIMIT:
            raise _bad("message caption is too long")
        return raw, rendered

    async def _send_photo(self, call: _Call) -> dict[str, Any]:
        params = call.params
        chat_id = _chat_id(params)
        content, _ = self._resolve_file(call, "photo")
        if content is not None and _image_kind(content) is None:
            raise _bad("IMAGE_PROCESS_FAILED")
        raw, rendered = self._caption(params)
        keyboard = _parse_reply_markup(params.get("reply_markup"))
        size = (
            self._photo_size(content, "photos")
            if content is not None
            else {
                "file_id": f"FAKE-url-{next(self._file_ids)}",
                "file_unique_id": f"URL{len(self._files)}",
                "width": 640,
                "height": 480,
            }
        )
        message = _StoredMessage(
            chat_id=chat_id,
            message_id=self._next_message_id(chat_id),
            from_bot=True,
            date=int(time.time()),
            kind="photo",
            text=raw,
            rendered=rendered,
            inline_keyboard=keyboard,
            media={"photo": [size]},
        )
        self._messages[(chat_id, message.message_id)] = message
        self._record(call.method, message, params, photo=content)
        return self._message_json(message)

    async def _send_document(self, call: _Call) -> dict[str, Any]:
        params = call.params
        chat_id = _chat_id(params)
        content, file_name = self._resolve_file(call, "document")
        raw, rendered = self._caption(params)
        keyboard = _parse_reply_markup(params.get("reply_markup"))
        mime_type = call.filenames.get("document", ("", ""))[1] or "application/octet-stream"
        document: dict[str, Any] = {"file_name": file_name or "file", "mime_type": mime_type}
        if content is not None:
            extension = (file_name or "bin").rsplit(".", 1)[-1]
            stored = self._store_file(content, "documents", extension)
            document.update(
                file_id=stored.file_id, file_unique_id=stored.unique_id, file_size=len(content)
            )
        else:
            document.update(file_id=f"FAKE-url-{next(self._file_ids)}", file_unique_id="URL")
        message = _StoredMessage(
            chat_id=chat_id,
            message_id=self._next_message_id(chat_id),
            from_bot=True,
            date=int(time.time()),
            kind="document",
            text=raw,
            rendered=rendered,
            inline_keyboard=keyboard,
            media={"document": document},
        )
        self._messages[(chat_id, message.message_id)] = message
        self._record(call.method, message, params, document=content)
        return self._message_json(message)

    async def _edit_message_text(self, call: _Call) -> dict[str, Any]:
        params = call.params
        message = self._find_for_edit(params)
        if message.kind != "text":
            raise _bad("there is no text in the message to edit")
        raw = _get_str(params, "text")
        if raw is None:
            raise _bad("message text is empty")
        rendered = _render(raw, _get_str(params, "parse_mode"))
        if not rendered.strip():
            raise _bad("message text is empty")
        if _utf16_len(rendered) > TEXT_LIMIT:
            raise _bad("MESSAGE_TOO_LONG")
        keyboard = _parse_reply_markup(params.get("reply_markup"), inline_only=True)
        if raw == message.text and keyboard == message.inline_keyboard:
            raise _ApiError(400, _NOT_MODIFIED)
        message.text, message.rendered, message.inline_keyboard = raw, rendered, keyboard
        message.edit_date = int(time.time())
        self._record(call.method, message, params)
        return self._message_json(message)

    async def _edit_message_caption(self, call: _Call) -> dict[str, Any]:
        params = call.params
        message = self._find_for_edit(params)
        if message.kind == "text":
            raise _bad("there is no caption in the message to edit")
        raw, rendered = self._caption(params)
        keyboard = _parse_reply_markup(params.get("reply_markup"), inline_only=True)
        if (raw or None) == (message.text or None) and keyboard == message.inline_keyboard:
            raise _ApiError(400, _NOT_MODIFIED)
        message.text, message.rendered, message.inline_keyboard = raw, rendered, keyboard
        message.edit_date = int(time.time())
        self._record(call.method, message, params)
        return self._message_json(message)

    async def _edit_message_reply_markup(self, call: _Call) -> dict[str, Any]:
        params = call.params
        message = self._find_for_edit(params)
        keyboard = _parse_reply_markup(params.get("reply_markup"), inline_only=True)
        if keyboard == message.inline_keyboard:
            raise _ApiError(400, _NOT_MODIFIED)
        message.inline_keyboard = keyboard
        message.edit_date = int(time.time())
        self._record(call.method, message, params)
        return self._message_json(message)

    async def _delete_message(self, call: _Call) -> bool:
        chat_id = _chat_id(call.params)
        message_id = _get_int(call.params, "message_id")
        message = self._messages.get((chat_id, message_id or 0))
        if message is None or message.deleted:
            raise _bad("message to delete not found")
        message.deleted = True
        return True

    async def _answer_callback_query(self, call: _Call) -> bool:
        query_id = _get_str(call.params, "callback_query_id")
        if query_id is None or query_id not in self._open_callbacks:
            raise _ApiError(400, _QUERY_TOO_OLD)
        text = _get_str(call.params, "text")
        if text is not None and len(text) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        self._open_callbacks.discard(query_id)
        self.answered_callbacks.append(call.params)
        return True

    async def _send_chat_action(self, call: _Call) -> bool:
        _chat_id(call.params)
        if _get_str(call.params, "action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    async def _get_updates(self, call: _Call) -> list[dict[str, Any]]:
        params = call.params
        if self.webhook is not None:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _get_int(params, "offset")
        limit = min(max(_get_int(params, "limit") or 100, 1), 100)
        timeout = max(_get_float(params, "timeout") or 0.0, 0.0)
        allowed = params.get("allowed_updates")
        if allowed is not None and not isinstance(allowed, list):
            raise _bad("can't parse allowed_updates JSON array")
        if offset is not None:
            if offset < 0:
                self._pending_updates = self._pending_updates[offset:]
            else:
                self._pending_updates = [
                    u for u in self._pending_updates if u["update_id"] >= offset
                ]
        # A newer getUpdates terminates an older one still waiting, like the real API.
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake_pollers()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )
            batch = [
                u
                for u in self._pending_updates
                if not allowed or any(kind in u for kind in allowed)
            ][:limit]
            remaining = deadline - loop.time()
            if batch or self._closing or remaining <= 0:
                return batch
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._updates_event.wait(), remaining)

    async def _set_webhook(self, call: _Call) -> bool:
        params = call.params
        url = _get_str(params, "url")
        if url is None:
            raise _bad('parameter "url" is required')
        secret = _get_str(params, "secret_token")
        if secret is not None and not _SECRET_TOKEN_RE.fullmatch(secret):
            raise _bad("secret token contains unallowed characters")
        if _get_bool(params, "drop_pending_updates"):
            self._pending_updates.clear()
        if not url:
            self.webhook = None
            return True
        self.webhook = {k: v for k, v in params.items() if not isinstance(v, bytes)}
        self._wake_pollers()  # a waiting getUpdates now conflicts
        return True

    async def _delete_webhook(self, call: _Call) -> bool:
        if _get_bool(call.params, "drop_pending_updates"):
            self._pending_updates.clear()
        self.webhook = None
        return True

    async def _get_webhook_info(self, call: _Call) -> dict[str, Any]:
        webhook = self.webhook or {}
        info: dict[str, Any] = {
            "url": webhook.get("url", ""),
            "has_custom_certificate": "certificate" in webhook,
            "pending_update_count": len(self._pending_updates),
        }
        if webhook:
            info["max_connections"] = webhook.get("max_connections", 40)
            if webhook.get("ip_address"):
                info["ip_address"] = webhook["ip_address"]
            if webhook.get("allowed_updates"):
                info["allowed_updates"] = webhook["allowed_updates"]
        return info

    def _commands_key(self, params: dict[str, Any]) -> str:
        scope = params.get("scope")
        if scope is not None and not (
            isinstance(scope, dict) and isinstance(scope.get("type"), str)
        ):
            raise _bad("can't parse BotCommandScope JSON object")
        return self.scope_key(scope, _get_str(params, "language_code") or "")

    async def _set_my_commands(self, call: _Call) -> bool:
        commands = call.params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad("can't parse commands JSON array")
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand JSON object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _COMMAND_NAME_RE.fullmatch(name):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise _bad("command description must be non-empty")
        key = self._commands_key(call.params)
        if commands:
            self.commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        else:
            self.commands.pop(key, None)
        return True

    async def _delete_my_commands(self, call: _Call) -> bool:
        self.commands.pop(self._commands_key(call.params), None)
        return True

    async def _get_my_commands(self, call: _Call) -> list[dict[str, Any]]:
        return list(self.commands.get(self._commands_key(call.params), []))

    async def _get_file(self, call: _Call) -> dict[str, Any]:
        file_id = _get_str(call.params, "file_id")
        stored = self._files.get(file_id or "")
        if stored is None:
            raise _bad("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }


# --------------------------------------------------------------------------------------------
# Running a PTB Application against the fake
# --------------------------------------------------------------------------------------------

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


@contextlib.asynccontextmanager
async def polling(
    application: AnyApplication,
    *,
    poll_timeout: int = 1,
    fail_on_handler_error: bool = True,
    updater: Any = None,
) -> AsyncIterator[list[BaseException]]:
    """Run ``application`` with long polling for the duration of the block.

    Initialises the application, starts the updater (``poll_interval=0``) and the application,
    and on exit stops both cleanly. ``updater`` replaces PTB's Updater with the caller's own
    poller: anything with async ``start()`` and ``stop()`` that feeds the application's update
    queue. Yields the list of exceptions raised by handlers; with
    ``fail_on_handler_error`` (the default) an error handler collects them and the block fails
    with an AssertionError if any occurred (so a crashing handler cannot pass silently).
    """
    errors: list[BaseException] = []

    async def collect(update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
        if context.error is not None:
            errors.append(context.error)

    if fail_on_handler_error:
        application.add_error_handler(collect)
    try:
        async with application:
            if updater is not None:
                await updater.start()
            elif application.updater is not None:
                await application.updater.start_polling(poll_interval=0, timeout=poll_timeout)
            else:
                raise RuntimeError("the application was built without an Updater")
            running: Any = updater or application.updater
            await application.start()
            try:
                yield errors
            finally:
                await running.stop()
                await application.stop()
    finally:
        if fail_on_handler_error:
            application.remove_error_handler(collect)
    if errors and fail_on_handler_error:
        raise AssertionError(f"handlers raised {len(errors)} error(s): {errors!r}") from errors[0]


# --------------------------------------------------------------------------------------------
# Request decoding
# --------------------------------------------------------------------------------------------


async def _read_params(
    request: Request,
) -> tuple[dict[str, Any], dict[str, tuple[str, str]]]:
    params: dict[str, Any] = {}
    filenames: dict[str, tuple[str, str]] = {}
    for key, value in request.query_params.multi_items():
        params[key] = _decode_field(key, value)
    body = await request.body()
    if not body:
        return params, filenames
    content_type = request.headers.get("content-type", "")
    mime = content_type.split(";", 1)[0].strip().lower()
    try:
        if mime == "application/json":
            decoded = json.loads(body)
            if not isinstance(decoded, dict):
                raise _bad("request body must be a JSON object")
            params.update(decoded)
        elif mime == "multipart/form-data":
            fields, files = _parse_multipart(body, content_type)
            for key, value in fields.items():
                params[key] = _decode_field(key, value)
            for key, (content, filename, part_type) in files.items():
                params[key] = content
                filenames[key] = (filename, part_type)
            for key, value in list(params.items()):
                if isinstance(value, str) and value.startswith("attach://"):
                    attached = value.removeprefix("attach://")
                    if attached in files:
                        params[key] = params.pop(attached)
                        filenames[key] = filenames.pop(attached)
        elif mime in ("application/x-www-form-urlencoded", ""):
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
            for key, value in pairs:
                params[key] = _decode_field(key, value)
        else:
            raise _bad(f"unsupported Content-Type {mime!r}")
    except _ApiError:
        raise
    except (ValueError, UnicodeDecodeError) as exc:
        raise _bad(f"can't parse request body: {exc}") from exc
    return params, filenames


def _decode_field(name: str, raw: str) -> Any:
    if name in _STRING_FIELDS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


_DISPOSITION_PARAM_RE: Final = re.compile(r'\b(name|filename)="((?:[^"\\]|\\.)*)"', re.IGNORECASE)


def _parse_multipart(
    body: bytes, content_type: str
) -> tuple[dict[str, str], dict[str, tuple[bytes, str, str]]]:
    """Split a multipart/form-data body exactly (binary-safe), without python-multipart."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if match is None:
        raise _bad("multipart body without boundary")
    delimiter = b"\r\n--" + match.group(1).encode("latin-1")
    chunks = (b"\r\n" + body).split(delimiter)
    if len(chunks) < 3:
        raise _bad("malformed multipart body")
    fields: dict[str, str] = {}
    files: dict[str, tuple[bytes, str, str]] = {}
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep:
            raise _bad("malformed multipart part")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8").split("\r\n"):
            key, colon, value = line.partition(":")
            if colon:
                headers[key.strip().lower()] = value.strip()
        disposition = dict(
            (k.lower(), v)
            for k, v in _DISPOSITION_PARAM_RE.findall(headers.get("content-disposition", ""))
        )
        name = disposition.get("name")
        if not name:
            raise _bad("multipart part without a name")
        if "filename" in disposition:
            part_type = headers.get("content-type", "application/octet-stream")
            files[name] = (content, disposition["filename"], part_type)
        else:
            fields[name] = content.decode("utf-8")
    return fields, files


def _get_int(params: dict[str, Any], name: str) -> int | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return int(value)
    raise _bad(f"wrong parameter {name}: expected an integer")


def _get_float(params: dict[str, Any], name: str) -> float | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return float(value)
    raise _bad(f"wrong parameter {name}: expected a number")


def _get_str(params: dict[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return json.dumps(value)
    raise _bad(f"wrong parameter {name}: expected a string")


def _get_bool(params: dict[str, Any], name: str) -> bool:
    value = params.get(name)
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if value in (0, 1, "True", "False"):
        return value in (1, "True")
    raise _bad(f"wrong parameter {name}: expected a boolean")


def _chat_id(params: dict[str, Any]) -> int:
    value = params.get("chat_id")
    if value is None or value == "":
        raise _bad("chat_id is empty")
    try:
        chat_id = _get_int(params, "chat_id")
    except _ApiError:
        chat_id = None
    if chat_id is None or chat_id <= 0:  # only private chats exist in the fake
        raise _bad("chat not found")
    return chat_id


def _parse_reply_markup(
    value: Any, *, inline_only: bool = False
) -> list[list[dict[str, Any]]] | None:
    """Validate reply_markup; return the inline keyboard (None for no / non-inline markup)."""
    if value is None or value == "":
        return None
    if not isinstance(value, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in value:
        if inline_only:
            raise _bad("inline keyboard expected")
        if not any(k in value for k in ("keyboard", "remove_keyboard", "force_reply")):
            raise _bad("can't parse reply keyboard markup JSON object")
        return None
    rows = value["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad('can\'t parse inline keyboard: field "inline_keyboard" must be an Array')
    keyboard: list[list[dict[str, Any]]] = []
    for row in rows:
        parsed_row: list[dict[str, Any]] = []
        for button in row:
            if not isinstance(button, dict):
                raise _bad(
                    "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                )
            text = button.get("text")
            if not isinstance(text, str) or not text:
                raise _bad("can't parse inline keyboard button: Text must be non-empty")
            actions = [k for k in button if k != "text"]
            if not actions:
                raise _bad(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline "
                    "keyboard"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                if (
                    not isinstance(data, str)
                    or not data
                    or len(data.encode("utf-8")) > CALLBACK_DATA_LIMIT
                ):
                    raise _bad("BUTTON_DATA_INVALID")
            if "url" in button and (not isinstance(button["url"], str) or not button["url"]):
                raise _bad("BUTTON_URL_INVALID")
            parsed_row.append(dict(button))
        if parsed_row:
            keyboard.append(parsed_row)
    return keyboard or None


def _buttons(keyboard: list[list[dict[str, Any]]] | None) -> list[list[tuple[str, str]]]:
    return [
        [(str(b["text"]), str(b.get("callback_data") or b.get("url") or "")) for b in row]
        for row in keyboard or []
    ]


def _summarise(params: dict[str, Any]) -> str:
    shown = {k: f"<{len(v)} bytes>" if isinstance(v, bytes) else v for k, v in params.items()}
    text = repr(shown)
    return text if len(text) <= 300 else text[:297] + "..."


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# --------------------------------------------------------------------------------------------
# Formatting: validate and render the way Telegram does (approximately, errors included)
# --------------------------------------------------------------------------------------------


def _entity_error(message: str) -> _ApiError:
    return _bad(f"can't parse entities: {message}")


def _render(text: str, parse_mode: str | None) -> str:
    if not parse_mode:
        return text
    mode = parse_mode.lower()
    if mode == "html":
        return _render_html(text)
    if mode == "markdownv2":
        return _render_markdown_v2(text)
    if mode == "markdown":
        return _render_markdown(text)
    raise _bad(f"unsupported parse_mode {parse_mode!r}")


_HTML_TAGS: Final = frozenset(
    {
        "a",
        "b",
        "blockquote",
        "code",
        "del",
        "em",
        "i",
        "ins",
        "pre",
        "s",
        "span",
        "strike",
        "strong",
        "tg-emoji",
        "tg-spoiler",
        "u",
    }
)
_HTML_TAG_RE: Final = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^<>]*)?)>")
_HTML_ENTITY_RE: Final = re.compile(r"&(?:#[0-9]+|#x[0-9A-Fa-f]+|[A-Za-z]+);")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _render_html(text: str) -> str:
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "<":
            match = _HTML_TAG_RE.match(text, i)
            offset = _byte_offset(text, i)
            if match is None:
                name_match = re.match(r"</?([^\s<>]*)", text[i:])
                name = name_match.group(1) if name_match else ""
                raise _entity_error(f'Unsupported start tag "{name}" at byte offset {offset}')
            closing, name = match.group(1) == "/", match.group(2).lower()
            if name not in _HTML_TAGS:
                kind = "end" if closing else "start"
                raise _entity_error(f'Unsupported {kind} tag "{name}" at byte offset {offset}')
            if closing:
                if not stack:
                    raise _entity_error(f"Unexpected end tag at byte offset {offset}")
                if stack[-1] != name:
                    raise _entity_error(
                        f'Unmatched end tag at byte offset {offset}, expected "</{stack[-1]}>", '
                        f'found "</{name}>"'
                    )
                stack.pop()
            else:
                stack.append(name)
            i = match.end()
            continue
        if char == "&":
            entity = _HTML_ENTITY_RE.match(text, i)
            if entity is not None:
                out.append(html.unescape(entity.group(0)))
                i = entity.end()
                continue
        out.append(char)
        i += 1
    if stack:
        raise _entity_error(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


_MD2_RESERVED: Final = frozenset("_*[]()~`>#+-=|{}.!")
_MD2_ENTITY_NAMES: Final = {
    "*": "Bold",
    "_": "Italic",
    "__": "Underline",
    "~": "Strikethrough",
    "||": "Spoiler",
    "[": "TextUrl",
}


def _find_unescaped(text: str, needle: str, start: int) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(needle, i):
            return i
        i += 1
    return -1


def _unescape_md2(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL)


def _render_markdown_v2(text: str) -> str:
    out: list[str] = []
    open_entities: dict[str, int] = {}  # marker -> byte offset where it was opened
    i = 0
    line_start = True
    while i < len(text):
        char = text[i]
        offset = _byte_offset(text, i)
        if char == "\\":
            if i + 1 >= len(text):
                raise _entity_error(
                    "Character '\\' is reserved and must be escaped with the preceding '\\'"
                )
            out.append(text[i + 1])
            i += 2
            line_start = False
            continue
        if text.startswith("```", i):
            end = _find_unescaped(text, "```", i + 3)
            if end == -1:
                raise _entity_error(f"Can't find end of PreCode entity at byte offset {offset}")
            body = text[i + 3 : end]
            first, newline, rest = body.partition("\n")
            if newline and re.fullmatch(r"[\w+#.-]*", first):
                body = rest
            out.append(_unescape_md2(body))
            i = end + 3
            continue
        if char == "`":
            end = _find_unescaped(text, "`", i + 1)
            if end == -1:
                raise _entity_error(f"Can't find end of Code entity at byte offset {offset}")
            out.append(_unescape_md2(text[i + 1 : end]))
            i = end + 1
            line_start = False
            continue
        marker = next((m for m in ("||", "__", "*", "_", "~") if text.startswith(m, i)), None)
        if marker is not None:
            if marker in open_entities:
                del open_entities[marker]
            else:
                open_entities[marker] = offset
            i += len(marker)
            continue
        if char == "[":
            if "[" in open_entities:
                raise _entity_error(
                    "Character '[' is reserved and must be escaped with the preceding '\\'"
                )
            open_entities["["] = offset
            i += 1
            continue
        if char == "]" and "[" in open_entities:
            if not text.startswith("(", i + 1):
                raise _entity_error(
                    "Character ']' is reserved and must be escaped with the preceding '\\'"
                )
            end = _find_unescaped(text, ")", i + 2)
            if end == -1:
                raise _entity_error(f"Can't find end of a URL at byte offset {offset}")
            del open_entities["["]
            i = end + 1
            continue
        if char == ">" and line_start:
            i += 1
            line_start = False
            continue
        if char in _MD2_RESERVED:
            raise _entity_error(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        out.append(char)
        line_start = char == "\n"
        i += 1
    if open_entities:
        marker, offset = min(open_entities.items(), key=lambda item: item[1])
        raise _entity_error(
            f"Can't find end of {_MD2_ENTITY_NAMES[marker]} entity at byte offset {offset}"
        )
    return "".join(out)


def _render_markdown(text: str) -> str:
    """Legacy Markdown: *bold*, _italic_, `code`, ```pre```, [text](url); no nesting."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            i += 2
            continue
        delimiter = "```" if text.startswith("```", i) else char if char in "*_`" else None
        if delimiter is not None:
            end = text.find(delimiter, i + len(delimiter))
            if end == -1:
                raise _entity_error(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            out.append(text[i + len(delimiter) : end])
            i = end + len(delimiter)
            continue
        if char == "[":
            link = re.compile(r"\[([^\]]*)\]\(([^)]*)\)").match(text, i)
            if link is not None:
                out.append(link.group(1))
                i = link.end()
                continue
        out.append(char)
        i += 1
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------------

_PNG: Final = b"\x89PNG\r\n\x1a\n"


def _image_kind(content: bytes) -> str | None:
    if content.startswith(_PNG):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "webp"
    if content.startswith(b"BM"):
        return "bmp"
    return None


def _image_size(content: bytes) -> tuple[int, int]:
    if content.startswith(_PNG) and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    return 640, 480


def make_png(width: int = 1, height: int = 1) -> bytes:
    """A valid (black, greyscale) PNG of the given size, for photo uploads in tests."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\x00" * width for _ in range(height))
    return _PNG + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
