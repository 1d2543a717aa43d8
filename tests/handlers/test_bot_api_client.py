"""The bot's HTTP client to the Bot API (bot/delivery/aiohttp_request.py, docs/decisions.md):
what a person or an operator would notice if it did worse than PTB's own. Real PTB over the
real client against the fake Bot API: answers arrive, pictures and files arrive byte for byte,
a slow or absent Telegram is a failure the outbox sends again, connections are kept alive, and
a proxy is used when one is set.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from ipaddress import IPv4Address
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.error import NetworkError
from telegram.request import BaseRequest

from bot.delivery.aiohttp_request import AiohttpRequest
from bot.delivery.telegram import TelegramSender
from bot.handlers.telegram import build_application
from bot.messages import Document, Reply
from bot.reports.pictures import draw
from bot.reports.plan_card import CardGoal, PlanCard
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.quiet import QuietHours
from bot.service import MentorService
from bot.storage import outbox
from bot.storage.models import OutboxMessage, OutboxStatus, Person
from bot.storage.outbox import Queued
from tests.conftest import LONDON, FakeClock
from tests.fakes.telegram_api import AnyApplication, FakeTelegramAPI
from tests.handlers.channels import kept_polling
from tests.handlers.test_replies_outbox import questions, reply_rows
from tests.reliability.mentees import seed_mentees

T = TypeVar("T")
QUIET = QuietHours(time(21), time(8), LONDON)
LOCAL = IPv4Address("127.0.0.1")


def application(
    fake: FakeTelegramAPI,
    service: MentorService,
    requests: Callable[[bool], BaseRequest] | None = None,
) -> AnyApplication:
    return build_application(
        token=fake.token,
        base_url=fake.base_url,
        service=service,
        send_rate_per_second=1000,
        concurrent_updates=8,
        quiet=QUIET,
        requests=requests,
    )


def dispatcher(bot: Bot, service: MentorService) -> Dispatcher:
    return Dispatcher(
        session_factory=service.session_factory,
        senders=[TelegramSender(bot)],
        clock=service.clock,
        quiet=QUIET,
        rate_per_second=None,
        per_chat_gap=0,
    )


async def until(probe: Callable[[], Awaitable[T | None]], *, seconds: float) -> T:
    """What `probe` gives, asked every 50 ms until it gives something."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        found = await probe()
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"nothing within {seconds} s")


async def test_a_checkin_goes_through_aiohttp_on_a_few_kept_connections(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    [chat] = await seed_mentees(session_factory, 1)
    async with FakeTelegramAPI() as fake:
        bot_app = application(fake, service)
        assert isinstance(bot_app.bot.request, AiohttpRequest)
        async with kept_polling(bot_app, service):
            fake.user_message(chat, "/checkin")
            for number in range(1, 6):
                await fake.wait_until(
                    lambda n=number: n in questions(fake, chat),  # type: ignore[misc]
                    what=f"question {number}",
                )
                fake.user_message(chat, "1")
            await fake.wait_until(lambda: 6 in questions(fake, chat), what="question 6")
    assert questions(fake, chat) == [1, 2, 3, 4, 5, 6]
    # Dozens of calls on one kept-alive connection for getUpdates and one or two for the rest.
    assert len(fake.calls) >= 15
    assert len(fake.connections) <= 3, f"{len(fake.connections)} connections"


def plan_card() -> PlanCard:
    return PlanCard(
        title="Your plan",
        priorities_heading="What matters",
        priorities=("Housing", "Sleep"),
        goals_heading="Goals",
        goals=(CardGoal("Call the council", 1, 3, ("Next step: ring on Monday",)),),
        no_goals="",
        meeting="Wed 4 Mar",
    )


async def test_a_picture_and_a_file_arrive_byte_for_byte(service: MentorService) -> None:
    chat = 4242
    content = json.dumps({"answers": list(range(20_000)), "note": "Zoë's\r\n--x"}).encode()
    async with FakeTelegramAPI() as fake, application(fake, service) as bot_app:
        sender = TelegramSender(bot_app.bot)
        await sender.send_to(chat, Reply("Your plan", card=plan_card()))
        await sender.send_to(chat, Reply("Your data", document=Document("my data.json", content)))
    png = await draw(plan_card())
    assert len(content) > 64 * 1024  # more than one write on the socket
    picture, text, file = fake.messages_to(chat)
    assert (picture.method, picture.text, picture.photo) == ("sendPhoto", "Your plan", png)
    assert (text.text, file.method, file.document) == ("Your data", "sendDocument", content)
    [upload] = fake.calls_of("sendDocument")
    assert upload["chat_id"] == chat


async def pending_replies(
    session_factory: async_sessionmaker[AsyncSession],
) -> list[OutboxMessage] | None:
    rows = await reply_rows(session_factory)
    return rows if rows and all(row.status == OutboxStatus.PENDING for row in rows) else None


async def test_a_slow_telegram_times_out_and_the_outbox_sends_the_reply_again(
    service: MentorService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    [chat] = await seed_mentees(session_factory, 1)

    def impatient(get_updates: bool) -> BaseRequest:
        return AiohttpRequest(connection_pool_size=1 if get_updates else 8, read_timeout=2.0)

    async with FakeTelegramAPI() as fake:
        bot_app = application(fake, service, impatient)
        async with kept_polling(bot_app, service):
            release = fake.hold("sendMessage", chat)  # Telegram answers nothing for now
            fake.user_message(chat, "/checkin")
            rows = await until(lambda: pending_replies(session_factory), seconds=20)
            assert [row.last_error for row in rows] == ["Telegram failed: TimedOut"] * 2
            release.set()  # the late one gets through after all, as Telegram's may
            await dispatcher(bot_app.bot, service).run_once()
    assert questions(fake, chat) == [1]
    assert {row.status for row in await reply_rows(session_factory)} == {OutboxStatus.SENT}


async def test_telegram_out_of_reach_is_a_network_error_and_tried_again_when_back(
    service: MentorService,
    session_factory: async_sessionmaker[AsyncSession],
    clock: FakeClock,
) -> None:
    [chat] = await seed_mentees(session_factory, 1)
    async with session_factory() as session, session.begin():
        query = select(Person.id).where(Person.telegram_user_id == chat)
        person_id = (await session.execute(query)).scalar_one()
        await outbox.enqueue(
            session,
            Queued(person_id, "meeting:1", "reminder", "See you tomorrow at 10.", clock.now),
            now=clock.now,
        )
    async with FakeTelegramAPI() as fake, application(fake, service) as bot_app:
        port = fake.port
        await fake.stop()  # nothing listens there now: the connection is refused
        await dispatcher(bot_app.bot, service).run_once()
        [row] = await reminders(session_factory)
        assert (row.status, row.last_error) == (
            OutboxStatus.PENDING,
            "Telegram failed: NetworkError",
        )
        await fake.start(port=port)
        clock.advance(hours=1)
        await dispatcher(bot_app.bot, service).run_once()
    assert [m.text for m in fake.messages_to(chat)] == ["See you tomorrow at 10."]
    assert [row.status for row in await reminders(session_factory)] == [OutboxStatus.SENT]


async def reminders(session_factory: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with session_factory() as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == "reminder")
        return list((await session.execute(query)).scalars())


@dataclass
class ForwardProxy:
    """A plain HTTP proxy on 127.0.0.1 that notes each request it forwards."""

    url: str = ""
    forwarded: list[str] = field(default_factory=list)
    credentials: list[str] = field(default_factory=list)  # each Proxy-Authorization given


@contextlib.asynccontextmanager
async def forward_proxy() -> AsyncIterator[ForwardProxy]:
    proxy = ForwardProxy()
    # Never through a proxy itself, whatever the test puts in the environment.
    client = httpx.AsyncClient(trust_env=False)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:  # one kept-alive connection carries many requests
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                method, target, _ = head[0].split(" ", 2)
                headers = dict(line.split(":", 1) for line in head[1:] if line)
                headers = {k.strip().lower(): v.strip() for k, v in headers.items()}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                proxy.forwarded.append(target)
                if "proxy-authorization" in headers:
                    proxy.credentials.append(headers["proxy-authorization"])
                kept = {k: v for k, v in headers.items() if k in ("content-type", "user-agent")}
                answer = await client.request(method, target, content=body, headers=kept)
                writer.write(
                    f"HTTP/1.1 {answer.status_code} X\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(answer.content)}\r\n\r\n".encode()
                    + answer.content
                )
                await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    proxy.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        async with server:
            yield proxy
    finally:
        await client.aclose()


async def test_the_proxy_in_the_environment_is_used_unless_the_host_is_exempt(
    service: MentorService, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with forward_proxy() as proxy, FakeTelegramAPI() as fake:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with application(fake, service) as bot_app:
            await bot_app.bot.send_message(4242, "Through the proxy")
        assert [m.text for m in fake.messages_to(4242)] == ["Through the proxy"]
        calls = ("getMe", "sendMessage")
        assert proxy.forwarded == [f"{fake.base_url}{fake.token}/{call}" for call in calls]
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        async with application(fake, service) as bot_app:
            await bot_app.bot.send_message(4242, "Straight there")
        assert len(proxy.forwarded) == 2
        assert [m.text for m in fake.messages_to(4242)][-1] == "Straight there"


async def test_a_proxy_given_to_the_client_is_used_with_its_credentials() -> None:
    async with forward_proxy() as proxy, FakeTelegramAPI() as fake:
        with_login = proxy.url.replace("http://", "http://bot:s3cret@")
        request = AiohttpRequest(proxy=with_login, trust_env=False)
        async with Bot(fake.token, base_url=fake.base_url, request=request) as bot:
            await bot.send_message(4242, "Through the proxy")
    assert [m.text for m in fake.messages_to(4242)] == ["Through the proxy"]
    assert proxy.forwarded[-1] == f"{fake.base_url}{fake.token}/sendMessage"
    assert proxy.credentials[-1] == "Basic " + base64.b64encode(b"bot:s3cret").decode()
    with pytest.raises(ValueError, match="http:// or https:// proxy"):
        AiohttpRequest(proxy="socks5://127.0.0.1:1080")


def self_signed(directory: Path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 that no public authority signed, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake Bot API")])
    now = datetime.now(UTC)
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(LOCAL)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_file), str(key_file)


async def test_telegram_over_https_is_verified_against_the_certificates_httpx_trusts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert_file, key_file = self_signed(tmp_path)
    async with FakeTelegramAPI(tls=(cert_file, key_file)) as fake:
        assert fake.base_url.startswith("https://")
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
        monkeypatch.delenv("SSL_CERT_DIR", raising=False)
        with pytest.raises(NetworkError, match="Certificate"):  # not one certifi knows
            async with Bot(fake.token, base_url=fake.base_url, request=AiohttpRequest()):
                pass
        monkeypatch.setenv("SSL_CERT_FILE", cert_file)  # the operator's own authority
        async with Bot(fake.token, base_url=fake.base_url, request=AiohttpRequest()) as bot:
            await bot.send_message(4242, "Over TLS")
    assert [m.text for m in fake.messages_to(4242)] == ["Over TLS"]


async def test_a_long_poll_longer_than_the_read_timeout_is_no_timeout() -> None:
    """getUpdates holds the request open while nothing is new: PTB adds that time to the read
    timeout (bot/handlers/polling.py polls for 10 s with a 5 s read timeout)."""
    async with FakeTelegramAPI() as fake:
        request = AiohttpRequest(connection_pool_size=1, read_timeout=0.5)
        async with Bot(fake.token, base_url=fake.base_url, get_updates_request=request) as bot:
            began = asyncio.get_running_loop().time()
            assert await bot.get_updates(timeout=2) == ()
            assert asyncio.get_running_loop().time() - began >= 1.9


async def test_a_proxy_in_the_environment_without_scheme_is_http_and_socks_is_not_used(
    service: MentorService, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    async with forward_proxy() as proxy, FakeTelegramAPI() as fake:
        monkeypatch.setenv("ALL_PROXY", proxy.url.removeprefix("http://"))
        async with application(fake, service) as bot_app:
            await bot_app.bot.send_message(4242, "Through the proxy")
        assert proxy.forwarded[-1] == f"{fake.base_url}{fake.token}/sendMessage"
        monkeypatch.setenv("ALL_PROXY", "socks5://127.0.0.1:1080")
        async with application(fake, service) as bot_app:
            await bot_app.bot.send_message(4242, "Straight there")
        assert len(proxy.forwarded) == 2
    assert [m.text for m in fake.messages_to(4242)] == ["Through the proxy", "Straight there"]
    assert "not HTTP(S)" in caplog.text
