"""Stand in for Telegram when rehearsing a deployment on one machine (docs/deploy.md).

Runs the test suite's fake Bot API (tests/fakes/telegram_api.py) on a fixed port, for
`MENTORBOT_TELEGRAM_API_URL`, plus a small control port through which a person at the shell
plays the users. Each user action is delivered the way Telegram delivers it: an HTTPS POST
to the webhook `mentorbot serve` registered (through nginx, with the secret header). The
answer is the bot's new messages as plain text.

    PYTHONPATH=. .venv/bin/python scripts/fake_telegram_server.py --ca-cert CERT.pem
    curl -s localhost:8082/say -d user=2001 -d text='/start CODE'
    curl -s localhost:8082/tap -d user=2001 -d label='Yes, I agree'
    curl -s localhost:8082/chat/1001            # everything the bot sent to user 1001
    curl -s localhost:8082/webhook              # what setWebhook registered

Synthetic users only; nothing here talks to the real Telegram.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tests.fakes.telegram_api import FakeTelegramAPI, SentMessage

SETTLE_SECONDS = 0.7  # the bot has finished answering once it has been quiet this long


def show(messages: list[SentMessage]) -> str:
    lines = []
    for message in messages:
        text = message.rendered_text or message.text or ""
        lines.append(f"[bot -> {message.chat_id}] {text}")
        if message.buttons:
            lines.append("    buttons: " + " | ".join(message.button_labels))
    return "\n".join(lines) + "\n"


class Control:
    def __init__(self, fake: FakeTelegramAPI, ca_cert: str | None) -> None:
        self.fake = fake
        self.verify: str | bool = ca_cert or True

    async def deliver(self, user: int, update: dict[str, Any]) -> str:
        webhook = self.fake.webhook
        if not webhook or not webhook.get("url"):
            return "no webhook is set: is `mentorbot serve` running in webhook mode?\n"
        before = len(self.fake.messages_to(user))
        headers = {"X-Telegram-Bot-Api-Secret-Token": str(webhook.get("secret_token", ""))}
        async with httpx.AsyncClient(verify=self.verify) as client:
            response = await client.post(str(webhook["url"]), json=update, headers=headers)
        status = f"(webhook {webhook['url']} answered {response.status_code})\n"
        if response.status_code != 200:
            return status
        await self.settle(user, before)
        return status + show(self.fake.messages_to(user)[before:])

    async def settle(self, user: int, before: int) -> None:
        try:
            await self.fake.wait_for_sent(before + 1, chat_id=user, timeout=15)
        except AssertionError:
            return
        while True:
            count = len(self.fake.sent)
            await asyncio.sleep(SETTLE_SECONDS)
            if len(self.fake.sent) == count:
                return

    async def say(self, request: Request) -> Response:
        form = await request.form()
        user = int(str(form["user"]))
        name = str(form.get("name") or "") or None
        update = self.fake.user_message(user, str(form["text"]), first_name=name)
        return PlainTextResponse(await self.deliver(user, update))

    async def tap(self, request: Request) -> Response:
        form = await request.form()
        user, label = int(str(form["user"])), str(form["label"])
        for message in reversed(self.fake.messages_to(user)):
            if label in message.button_labels:
                update = self.fake.user_presses(user, message.message_id, message.data_for(label))
                return PlainTextResponse(await self.deliver(user, update))
        return PlainTextResponse(f"no message to {user} has a button {label!r}\n", 404)

    async def chat(self, request: Request) -> Response:
        return PlainTextResponse(show(self.fake.messages_to(int(request.path_params["user"]))))

    async def webhook(self, _request: Request) -> Response:
        info = dict(self.fake.webhook or {})
        if info.get("secret_token"):
            info["secret_token"] = "(set)"
        return PlainTextResponse(f"{info}\n")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8081, help="the Bot API port")
    parser.add_argument("--control-port", type=int, default=8082)
    parser.add_argument("--token", default=os.environ.get("FAKE_TELEGRAM_TOKEN", "123456:TEST"))
    parser.add_argument("--ca-cert", help="trust this certificate for the HTTPS webhook")
    args = parser.parse_args()

    fake = FakeTelegramAPI(token=args.token)
    await fake.start(port=args.port)
    control = Control(fake, args.ca_cert)
    app = Starlette(
        routes=[
            Route("/say", control.say, methods=["POST"]),
            Route("/tap", control.tap, methods=["POST"]),
            Route("/chat/{user:int}", control.chat),
            Route("/webhook", control.webhook),
        ]
    )
    print(f"fake Bot API on {fake.base_url}, control on 127.0.0.1:{args.control_port}", flush=True)
    config = uvicorn.Config(app, host="127.0.0.1", port=args.control_port, log_level="warning")
    try:
        await uvicorn.Server(config).serve()
    finally:
        await fake.stop()


if __name__ == "__main__":
    asyncio.run(main())
