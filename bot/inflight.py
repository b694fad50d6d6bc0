"""Updates in flight: only so many are handled at once, and those being handled are finished
before the bot stops.

When more updates arrive than the bot can handle, they wait where Telegram keeps them instead
of piling up inside the bot as tasks that all want a database connection at once (which failed
them after the pool's timeout, with an apology to each person): polling takes no more updates
while ``limit`` are in flight (aiogram's ``tasks_concurrency_limit``), and a webhook request is
answered only once one of the ``limit`` turns is free. Overload makes answers slower; it loses
none.

At shutdown the updates in flight are finished before what they need (the person's lock, the
form's storage, the Bot API session) is closed: each was taken in (its id stored, so a repeat
is dropped), and dropping it half-way would lose it. One still running after ``grace``
seconds (a database or Telegram that stopped answering) is cancelled, its transaction rolled
back, and it is forgotten as taken in, so that Telegram's next delivery of it is handled.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update

from storage import updates
from storage.db import Database

log = logging.getLogger(__name__)
GRACE = 8.0  # seconds, within the 10 a container manager gives before it kills the process


class InFlight:
    """The updates being handled now, and turns for those that must wait for one."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.stopping = False
        self._turns = asyncio.Semaphore(limit)
        self._handling: dict[asyncio.Task[Any], int] = {}  # task → the update it handles

    @property
    def count(self) -> int:
        return len(self._handling)

    async def take_turn(self) -> bool:
        """Wait until fewer than ``limit`` updates hold a turn (webhook requests); False, and
        no turn, when the bot is stopping."""
        await self._turns.acquire()
        if self.stopping:
            self._turns.release()
            return False
        return True

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

    async def finish(self, db: Database, grace: float | None = None) -> list[int]:
        """Wait for the updates in flight, at most ``grace`` seconds (``GRACE``); the ids of
        those that did not finish, cancelled and forgotten as taken in."""
        self.stopping = True
        grace = GRACE if grace is None else grace
        running = [task for task in self._handling if task is not asyncio.current_task()]
        if not running:
            return []
        log.info("finishing %d updates in flight before stopping", len(running))
        _done, late = await asyncio.wait(running, timeout=grace)
        stopped = [self._handling[task] for task in late if task in self._handling]
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late, timeout=1)
        if stopped:
            log.warning("updates %s did not finish in %s s: cancelled, to be handled when "
                        "Telegram delivers them again", stopped, grace)
            await updates.forget(db, stopped)
        return stopped


class GridLinkDispatcher(Dispatcher):
    """aiogram's Dispatcher that knows which updates it is handling, and finishes them when it
    shuts down before anything they use is closed."""

    def __init__(self, *, in_flight: InFlight, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.in_flight = in_flight

    async def feed_update(self, bot: Bot, update: Update, **kwargs: Any) -> Any:
        with self.in_flight.handling(update.update_id):
            try:
                return await super().feed_update(bot, update, **kwargs)
            finally:
                if (tally := self.workflow_data.get("tally")) is not None:
                    tally.updates += 1

    async def emit_shutdown(self, *args: Any, **kwargs: Any) -> None:
        await self.in_flight.finish(self["db"])
        await super().emit_shutdown(*args, **kwargs)
