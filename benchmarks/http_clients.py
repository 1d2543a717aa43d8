"""HTTP clients for PTB (docs/benchmarks.md, "The HTTP client"): the same Bot API calls through
each `BaseRequest`, and the requests `benchmarks/load.py --http-client` builds the bot with.

Run from the repository root (not part of the test run):

    .venv/bin/python -m benchmarks.http_clients [--calls N] [--rounds K] [--concurrency C]

Each round sends N `sendMessage` calls (the load benchmark's question: a text with six buttons),
C at a time, through a bare `telegram.Bot` with each client in turn, the order reversed every
other round (ABBA). The fake Bot API (tests/fakes/telegram_api.py) runs in a child process, so
this process's CPU is the client's alone: reported as CPU ms per call, with calls per second.

Clients:

httpx        PTB's default `HTTPXRequest`, as `ApplicationBuilder` makes it (pool of 256).
httpx-tuned  `HTTPXRequest` with its pool fitted to the work: as many kept-alive connections as
             it may open (httpx keeps 20 by default), kept 30 s instead of 5, HTTP/1.1 only,
             and no look at the environment for proxies or certificates.
aiohttp      `bot.delivery.aiohttp_request.AiohttpRequest`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Final

os.environ.setdefault("PTB_TIMEDELTA", "true")

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.request import BaseRequest, HTTPXRequest

CLIENT_NAMES: Final = ("httpx", "httpx-tuned", "aiohttp")
RequestFactory = Callable[[bool], BaseRequest]
"""Makes a client for a bot: True for its getUpdates request, False for every other call."""


def request_factory(name: str) -> RequestFactory:
    """The client `name` as build_application takes it."""
    if name == "httpx":
        return default_httpx
    if name == "httpx-tuned":
        return tuned_httpx
    if name == "aiohttp":
        from bot.delivery.aiohttp_request import AiohttpRequest

        return lambda get_updates: AiohttpRequest(connection_pool_size=1 if get_updates else 256)
    raise ValueError(f"unknown HTTP client {name!r}")


def tuned_httpx(get_updates: bool) -> BaseRequest:
    import httpx

    size = 1 if get_updates else 32
    return HTTPXRequest(
        connection_pool_size=size,
        http_version="1.1",
        httpx_kwargs={
            "limits": httpx.Limits(
                max_connections=size, max_keepalive_connections=size, keepalive_expiry=30.0
            ),
            "trust_env": False,
        },
    )


def default_httpx(get_updates: bool) -> BaseRequest:
    """What ApplicationBuilder builds when given no request."""
    return HTTPXRequest(connection_pool_size=1 if get_updates else 256)


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def question_markup() -> InlineKeyboardMarkup:
    labels = ("Strongly disagree", "Disagree", "Slightly disagree", "Slightly agree", "Agree")
    rows = [
        [InlineKeyboardButton(label, callback_data=f"a1b2c3:{i}")]
        for i, label in enumerate(labels)
    ]
    return InlineKeyboardMarkup(
        [*rows, [InlineKeyboardButton("Strongly agree", callback_data="a1b2c3:6")]]
    )


async def one_round(
    token: str, base_url: str, factory: RequestFactory, *, calls: int, concurrency: int
) -> tuple[float, float]:
    """Calls per second and CPU ms per call of this process."""
    markup = question_markup()
    async with Bot(token, base_url=base_url, request=factory(False)) as bot:
        await bot.send_message(7_200_000_000, "warm up", reply_markup=markup)
        gate = asyncio.Semaphore(concurrency)

        async def one(index: int) -> None:
            async with gate:
                await bot.send_message(
                    7_200_000_000 + index % 200, f"{index} of 10: a question.", reply_markup=markup
                )

        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(calls)))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return calls / wall, 1000 * cpu / calls


async def run(args: argparse.Namespace) -> None:
    from benchmarks.dispatch import fake_bot_api

    factories: dict[str, RequestFactory] = {name: request_factory(name) for name in args.clients}
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in factories}
    say(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    async with fake_bot_api("process") as endpoint:
        for number in range(args.rounds):
            names = list(factories) if number % 2 == 0 else list(reversed(factories))
            for name in names:
                rate, cpu = await one_round(
                    endpoint.token,
                    endpoint.base_url,
                    factories[name],
                    calls=args.calls,
                    concurrency=args.concurrency,
                )
                results[name].append((rate, cpu))
                say(f"  round {number + 1} {name:>11}: {rate:7.0f} calls/s, {cpu:.3f} ms CPU/call")
    print(
        f"{args.calls} sendMessage calls, {args.concurrency} at a time, {args.rounds} rounds "
        f"(ABBA); load average at end {' '.join(f'{v:.2f}' for v in os.getloadavg())}"
    )
    baseline = statistics.median(cpu for _, cpu in results[next(iter(results))])
    for name, runs in results.items():
        cpu = statistics.median(c for _, c in runs)
        print(
            f"| {name} | {statistics.median(r for r, _ in runs):.0f} calls/s | "
            f"{cpu:.3f} ms CPU/call ({', '.join(f'{c:.3f}' for _, c in runs)}) | "
            f"x{cpu / baseline:.2f} |"
        )


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.http_clients")
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--clients", nargs="+", choices=CLIENT_NAMES, default=list(CLIENT_NAMES))
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(parse(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
