"""Several people's updates at once, each person's strictly in the order they were sent.

PTB's default handles one update at a time, so one mentee's database round trips and result
picture hold up everyone else (docs/benchmarks.md, Load). Its plain `concurrent_updates`
would let a fast second tap overtake the first in the same chat, and a conversation must see
its answers in order. So: one FIFO lock per chat, then a bound on how many run at once.

The chat's place is taken before the bound is waited for. PTB starts update tasks in arrival
order and our own semaphore may wake waiters in any order, so taking the lock first is what
keeps one chat's updates in order.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable
from typing import Any, Final

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# PTB's own bound sits in front of ours: it must never make an update wait, or its waiters
# could be woken out of arrival order before they reach their chat's lock.
UNBOUNDED: Final = 2**30


def chat_key(update: object) -> int | None:
    """The chat whose order an update belongs to; None for updates that belong to none."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:  # a tap on a message too old to be sent back
        return update.effective_user.id
    return None


class PerChatOrder(BaseUpdateProcessor):
    """At most `workers` updates in hand, never two of one chat."""

    def __init__(self, workers: int) -> None:
        super().__init__(max_concurrent_updates=UNBOUNDED)
        self.workers = workers
        self._bound: asyncio.Semaphore | None = None
        self._chats: dict[int, asyncio.Lock] = {}
        self._holders: Counter[int] = Counter()

    async def initialize(self) -> None:
        self._bound = asyncio.Semaphore(self.workers)  # made in the loop that will use it

    async def shutdown(self) -> None:
        self._bound = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        assert self._bound is not None, "the Application initialises its update processor"
        key = chat_key(update)
        if key is None:
            async with self._bound:
                await coroutine
            return
        lock = self._chats.setdefault(key, asyncio.Lock())
        self._holders[key] += 1
        try:
            async with lock, self._bound:
                await coroutine
        finally:
            self._holders[key] -= 1
            if not self._holders[key]:  # the last of this chat's updates: forget the chat
                del self._holders[key], self._chats[key]
