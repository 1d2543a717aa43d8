"""PTB's requests to the Bot API made with aiohttp instead of httpx (issue 19, point 4).

python-telegram-bot sends every Bot API call through a `telegram.request.BaseRequest`; its
default, `HTTPXRequest`, goes through httpx, httpcore and anyio, about a third of the bot's main
thread under load (docs/benchmarks.md, "The HTTP client"). This is the same contract on aiohttp,
whose HTTP parser is compiled: it returns the status and the body, PTB reads the JSON and turns
the status into its errors, exactly as with httpx.

What it keeps of HTTPXRequest, so that nothing above it can tell:

- the timeouts, each overridable per call (PTB's `DEFAULT_NONE` means "this request's own"):
  `read_timeout` from the moment the request has gone until the answer, `connect_timeout` to
  open a connection, `pool_timeout` to wait for a free one, and `write_timeout` (the media one for
  an upload). aiohttp has no write timeout of its own, so the write is bounded by the total of
  all four; getUpdates' long poll gets its read timeout from PTB (ours plus the poll's);
- the errors: a timeout of any kind is `TimedOut`, anything else from aiohttp `NetworkError`
  (never naming the URL: it holds the token); PTB turns 4xx and 5xx answers into its errors
  above this class;
- a pool of `connection_pool_size` kept-alive connections, shared by every call;
- a proxy: one given here (HTTP or HTTPS), else HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and
  NO_PROXY from the environment, as httpx reads them;
- the certificates httpx trusts (certifi's, or SSL_CERT_FILE / SSL_CERT_DIR), verified;
- the body as httpx sends it: form-encoded fields, or multipart/form-data with the files.
"""

from __future__ import annotations

import logging
import re
import urllib.request
from typing import TYPE_CHECKING, Final
from urllib.parse import urlencode, urlsplit

import aiohttp
import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

if TYPE_CHECKING:
    from telegram._utils.types import ODVInput

logger = logging.getLogger(__name__)

FORM: Final = {"Content-Type": "application/x-www-form-urlencoded"}
PROXY_SCHEMES: Final = ("http", "https")
BOT_PATH: Final = re.compile(r"/(?:file/)?bot[^/\s]*/")


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` over one aiohttp session, opened by `initialize` and closed by
    `shutdown` (PTB calls both as the Application starts and stops)."""

    __slots__ = (
        "_connect_timeout",
        "_env_proxies",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_proxy",
        "_read_timeout",
        "_session",
        "_timeouts",
        "_trust_env",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        proxy: str | None = None,
        media_write_timeout: float | None = 20.0,
        *,
        trust_env: bool = True,
    ) -> None:
        if proxy is not None and urlsplit(proxy).scheme not in PROXY_SCHEMES:
            raise ValueError("AiohttpRequest takes an http:// or https:// proxy only")
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._proxy = proxy
        self._trust_env = trust_env
        self._session: aiohttp.ClientSession | None = None
        # The proxy for each (scheme, host) from the environment, read once: aiohttp's own
        # trust_env reads the whole environment again on every request.
        self._env_proxies: dict[tuple[str, str], str | None] = {}
        # One ClientTimeout per combination in use (nearly always the defaults).
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}

    @property
    def read_timeout(self) -> float | None:
        """The read timeout of a call that does not give its own (PTB adds getUpdates' poll)."""
        return self._read_timeout

    @property
    def proxy(self) -> str | None:
        return self._proxy

    async def initialize(self) -> None:
        if self._session is not None and not self._session.closed:
            return
        connector = aiohttp.TCPConnector(
            limit=self._pool_size,
            limit_per_host=0,
            # An idle connection is given up after 5 s, as httpx does: servers close theirs
            # sooner or later, and one closed under a request in flight is a failed send.
            keepalive_timeout=5.0,
            # The certificates httpx trusts: certifi's, or SSL_CERT_FILE / SSL_CERT_DIR.
            ssl=httpx.create_ssl_context(trust_env=self._trust_env),
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": self.USER_AGENT},
            # No session-wide limit: each request gets its own (`_timeout`).
            timeout=aiohttp.ClientTimeout(total=None),
        )

    async def shutdown(self) -> None:
        if self._session is None or self._session.closed:
            return
        await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        uploads = request_data is not None and request_data.contains_files
        timeout = self._timeout(
            read_timeout, write_timeout, connect_timeout, pool_timeout, uploads=uploads
        )
        body, headers = _body(request_data)
        try:
            async with session.request(
                method,
                url,
                data=body,
                headers=headers,
                timeout=timeout,
                proxy=self._proxy_for(url),
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:  # aiohttp's own timeouts are TimeoutErrors too
            raise TimedOut(f"Timed out: {_described(exc)}") from None
        except aiohttp.ClientError as exc:
            raise NetworkError(_described(exc)) from None

    def _timeout(
        self,
        read: ODVInput[float],
        write: ODVInput[float],
        connect: ODVInput[float],
        pool: ODVInput[float],
        *,
        uploads: bool,
    ) -> aiohttp.ClientTimeout:
        """A call's timeouts as aiohttp's: `connect` covers waiting for a free connection and
        opening one, `sock_connect` the opening alone, `sock_read` the wait for the answer once
        the request has gone, and `total` all four together (the only bound on the write)."""
        write_default = self._media_write_timeout if uploads else self._write_timeout
        key = (
            _chosen(read, self._read_timeout),
            _chosen(write, write_default),
            _chosen(connect, self._connect_timeout),
            _chosen(pool, self._pool_timeout),
        )
        found = self._timeouts.get(key)
        if found is None:
            read_s, _, connect_s, pool_s = key
            total = None if None in key else sum(p for p in key if p is not None)
            acquire = None if connect_s is None or pool_s is None else connect_s + pool_s
            found = aiohttp.ClientTimeout(
                total=total, connect=acquire, sock_connect=connect_s, sock_read=read_s
            )
            if len(self._timeouts) < 64:  # callers giving ever-new timeouts are not cached
                self._timeouts[key] = found
        return found

    def _proxy_for(self, url: str) -> str | None:
        if self._proxy is not None or not self._trust_env:
            return self._proxy
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._env_proxies:
            self._env_proxies[key] = _environment_proxy(*key)
        return self._env_proxies[key]


def _described(exc: BaseException) -> str:
    """aiohttp's error without the URL, which holds the bot's token (httpx's never name it).
    The error itself is not chained for the same reason: a logged traceback would show it."""
    what = f"{type(exc).__module__.partition('.')[0]}.{type(exc).__name__}"
    said = BOT_PATH.sub("/bot<token>/", str(exc))
    return f"{what}: {said}" if said else what


def _chosen(given: ODVInput[float], default: float | None) -> float | None:
    """A call's own timeout, or this request's when PTB passes DEFAULT_NONE (as httpx's)."""
    return given if given is None or isinstance(given, int | float) else default


def _body(
    request_data: RequestData | None,
) -> tuple[bytes | aiohttp.FormData | None, dict[str, str] | None]:
    """The fields form-encoded, or multipart/form-data with the files (as HTTPXRequest)."""
    if request_data is None:
        return None, None
    fields = request_data.json_parameters
    if not request_data.contains_files:
        return (urlencode(fields).encode(), FORM) if fields else (None, None)
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form, None


def _environment_proxy(scheme: str, host: str) -> str | None:
    """HTTPS_PROXY (or HTTP_PROXY, by the URL's scheme), else ALL_PROXY, "host:port" read as
    http:// as httpx reads it; none for a NO_PROXY host. A SOCKS proxy there is not used and
    said so (aiohttp cannot speak it; httpx without its socks extra refused to start)."""
    proxies = urllib.request.getproxies_environment()
    if urllib.request.proxy_bypass_environment(host, proxies):  # type: ignore[attr-defined]
        return None
    proxy = proxies.get(scheme) or proxies.get("all")
    if proxy is None:
        return None
    if "://" not in proxy:
        proxy = f"http://{proxy}"
    if urlsplit(proxy).scheme not in PROXY_SCHEMES:
        logger.warning("The proxy in the environment is not HTTP(S): Telegram is reached without")
        return None
    return proxy


def bot_api_request(get_updates: bool) -> AiohttpRequest:
    """The bot's client for one of its two requests, as PTB's ApplicationBuilder sizes them: one
    connection for getUpdates (a single long poll at a time), 256 for every other call."""
    return AiohttpRequest(connection_pool_size=1 if get_updates else 256)
