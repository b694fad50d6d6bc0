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
back, and its hold given up, so that the next instance to look (this one started again, or
another) handles it.

An instance killed outright cannot do that: the updates it had taken in keep their bodies in
the database (storage.updates), and their holds, which the instance renewed every few
seconds, run out. ``tend`` marks what this instance finished, renews what it still handles
and takes over, from any instance, the updates whose holds ran out. What the killed instance
had half done (a wish stored, its card not yet queued) is done again with them: handlers that
store something are idempotent by the update's words (``source_key``), so that is repeated at
most once more, and what reaches people is at least once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update

from bot.clock import Clock
from storage import updates
from storage.db import Database

log = logging.getLogger(__name__)
GRACE = 8.0  # seconds, within the 10 a container manager gives before it kills the process
TEND_EVERY = 5.0  # seconds; well within storage.updates.HOLD


class InFlight:
    """The updates being handled now, and turns for those that must wait for one."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.stopping = False
        self._turns = asyncio.Semaphore(limit)
        self._handling: dict[asyncio.Task[Any], int] = {}  # task → the update it handles
        self._held: set[int] = set()  # taken in here and not finished: their holds are renewed
        self._done: set[int] = set()  # finished here since the last ``tend``
        self._feeding: set[asyncio.Task[Any]] = set()  # taken over, waiting for a turn

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
            if update_id in self._held:
                self._held.discard(update_id)
                self._done.add(update_id)

    def took(self, update_id: int) -> None:
        """This process took the update in (or over): it holds it until it is handled."""
        self._held.add(update_id)

    async def tend(self, db: Database, clock: Clock) -> list[tuple[int, updates.Body]]:
        """Mark what was finished, renew the holds on what is still handled, and take over
        updates that another instance, or this one before a restart, did not finish."""
        done, self._done = self._done, set()
        now = clock.now()
        try:
            await updates.tend(db, done=done, holding=set(self._held), now=now)
        except BaseException:
            self._done |= done
            raise
        return await updates.take_over(db, now=now) if not self.stopping else []

    async def tend_forever(self, dispatcher: Dispatcher, bot: Bot, db: Database,
                           clock: Clock) -> None:
        """``take_over`` every few seconds while the bot runs."""
        while not self.stopping:
            try:
                await self.take_over(dispatcher, bot, db, clock)
            except Exception:  # the database is away: the next turn tries again
                log.exception("could not tend the updates in flight")
            await asyncio.sleep(TEND_EVERY)

    async def take_over(self, dispatcher: Dispatcher, bot: Bot, db: Database,
                        clock: Clock) -> list[asyncio.Task[Any]]:
        """``tend``, and handle what it took over like any other update (each waits for a
        turn); the tasks handling them."""
        handling: list[asyncio.Task[Any]] = []
        for update_id, body in await self.tend(db, clock):
            log.warning("update %s was not finished where it was taken in: handling it here",
                        update_id)
            self.took(update_id)  # its hold is renewed while it waits for a turn
            task = asyncio.create_task(self._feed_again(dispatcher, bot, update_id, body))
            self._feeding.add(task)
            task.add_done_callback(self._feeding.discard)
            handling.append(task)
        return handling

    async def _feed_again(self, dispatcher: Dispatcher, bot: Bot, update_id: int,
                          body: updates.Body) -> None:
        if not await self.take_turn():  # stopping: its hold runs out, for another instance
            self._held.discard(update_id)
            return
        try:
            await dispatcher.feed_update(bot, Update.model_validate(body, context={"bot": bot}),
                                         taken_over=True)
        finally:
            self.give_back_turn()

    async def finish(self, db: Database, clock: Clock, grace: float | None = None) -> list[int]:
        """Wait for the updates in flight, at most ``grace`` seconds (``GRACE``), and mark
        those finished; the ids of those that did not finish, cancelled and given up."""
        self.stopping = True
        grace = GRACE if grace is None else grace
        running = [task for task in self._handling if task is not asyncio.current_task()]
        stopped: list[int] = []
        if running:
            log.info("finishing %d updates in flight before stopping", len(running))
            _done, late = await asyncio.wait(running, timeout=grace)
            stopped = [self._handling[task] for task in late if task in self._handling]
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=1)
        self._done.difference_update(stopped)
        await updates.tend(db, done=self._done, holding=(), now=clock.now())
        self._done.clear()
        if stopped:
            log.warning("updates %s did not finish in %s s: cancelled, to be handled by the "
                        "next instance to look", stopped, grace)
            await updates.release(db, stopped, now=clock.now())
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
        await self.in_flight.finish(self["db"], self["clock"])
        await super().emit_shutdown(*args, **kwargs)
