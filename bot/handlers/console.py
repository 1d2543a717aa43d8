"""Console channel: the same flows in a terminal, choices as numbered lines.

It is how people try mentorbot without a bot token, and, with a script of inputs, how CI and
evaluators replay a whole conversation. Pictures are saved as PNG files and their paths printed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import TextIO

from bot.delivery.console import INDENT, ConsolePrinter, Saver, console_lines
from bot.messages import Choice, InboundMessage, Reply, Sender
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.quiet import QuietHours
from bot.service import MentorService


class ConsoleChat:
    """One person chatting with the bot in a terminal."""

    def __init__(
        self,
        *,
        service: MentorService,
        sender: Sender,
        out: TextIO,
        picture_dir: Path,
        quiet: QuietHours,
    ) -> None:
        self.service = service
        self.sender = sender
        self.dispatcher = Dispatcher(
            session_factory=service.session_factory,
            senders=[ConsolePrinter(self._print)],
            clock=service.clock,
            quiet=quiet,
            rate_per_second=None,
            per_chat_gap=0,
        )
        self.out = out
        self.saver = Saver(picture_dir)
        self._choices: tuple[Choice, ...] = ()
        self._token: str | None = None

    def _inbound(self, line: str) -> InboundMessage:
        """A number picks one of the options just shown, as a tap would on Telegram."""
        text = line.strip()
        if text.isdigit() and 1 <= int(text) <= len(self._choices):
            choice = self._choices[int(text) - 1]
            return InboundMessage(sender=self.sender, choice=choice.value, token=self._token)
        return InboundMessage(sender=self.sender, text=line)

    async def say(self, line: str) -> None:
        """Sends one line as the person and prints what the bot answers."""
        handled = await self.service.handle(self._inbound(line), external_id=None)
        if handled is None:
            return
        if handled.outcome.stale_tap:
            self._print("(That question has been answered already.)")
        for reply in handled.outcome.replies:
            await self._show(reply)
        await self.dispatcher.deliver(handled.notices)

    async def _show(self, reply: Reply) -> None:
        first, *rest = console_lines(reply)
        self._print(f"Bot: {first}")
        for line in [*rest, *await self.saver.save(reply)]:
            self._print(f"{INDENT}{line}")
        if reply.choices:
            self._choices, self._token = reply.choices, reply.token

    def _print(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    async def run(self, lines: AsyncIterator[str] | Iterable[str], *, echo: bool) -> None:
        """Feeds lines until they end or the person types 'quit'."""
        if isinstance(lines, Iterable):
            lines = _aiter(lines)
        async for line in lines:
            if line.strip().lower() in {"quit", "exit"}:
                break
            if echo:
                self._print(f"You: {line}")
            await self.say(line)


async def _aiter(lines: Iterable[str]) -> AsyncIterator[str]:
    for line in lines:
        yield line


async def terminal_lines(prompt: str = "You: ") -> AsyncIterator[str]:
    """Reads the terminal without blocking the event loop; ends on Ctrl-D."""
    while True:
        try:
            line = await asyncio.to_thread(input, prompt)
        except EOFError:
            return
        yield line
