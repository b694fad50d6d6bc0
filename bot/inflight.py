"""Updates in flight: only so many are handled at once.

When more updates arrive than the bot can handle, they wait where Telegram keeps them instead
of piling up inside the bot as tasks that all want a database connection at once (which failed
them after the pool's timeout, with an apology to each person): polling takes no more updates
while ``limit`` are in flight (aiogram's ``tasks_concurrency_limit``), and a webhook request is
answered only once one of the ``limit`` turns is free. Overload makes answers slower; it loses
none.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update


class InFlight:
    """The updates being handled now, and turns for those that must wait for one."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._turns = asyncio.Semaphore(limit)
        self._handling: dict[asyncio.Task[Any], int] = {}  # task → the update it handles

    @property
    def count(self) -> int:
        return len(self._handling)

    async def take_turn(self) -> None:
        """Wait until fewer than ``limit`` updates hold a turn (webhook requests)."""
        await self._turns.acquire()

    def give_back_turn(self) -> None:
        self._turns.release()

    @contextmanager
    def handling(self, update_id: int) -> Iterator[None]:
        task = asyncio.current_task()
        if task is None:  # not in a task: nothing could wait for it
            yield
            return
        self._handling[task] = update_id
        try:
            yield
        finally:
            self._handling.pop(task, None)


class GridLinkDispatcher(Dispatcher):
    """aiogram's Dispatcher that knows which updates it is handling."""

    def __init__(self, *, in_flight: InFlight, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.in_flight = in_flight

    async def feed_update(self, bot: Bot, update: Update, **kwargs: Any) -> Any:
        with self.in_flight.handling(update.update_id):
            return await super().feed_update(bot, update, **kwargs)
