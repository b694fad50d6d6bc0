"""Requests made in the same turn of the event loop, answered by one call.

Updates that arrive together (a polling batch, webhook requests at the same moment) each ask
the database something small: whether the update is new, who sent it, what form they are
filling in. Asked one by one, that is a transaction each; asked together, it is one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Asked = TypeVar("Asked")
Answer = TypeVar("Answer")


class Together(Generic[Asked, Answer]):
    """``await together(x)`` waits for the requests made in the same turn of the event loop;
    the first schedules ``answer_all`` with all of them, which returns one answer for each, in
    order. When it fails, every request fails with its error; when it is cancelled (the bot
    shuts down), so is every request."""

    def __init__(self, answer_all: Callable[[list[Asked]], Awaitable[Sequence[Answer]]]) -> None:
        self._answer_all = answer_all
        self._waiting: list[tuple[Asked, asyncio.Future[Answer]]] = []
        self._running: set[asyncio.Task[None]] = set()

    def __call__(self, asked: Asked) -> asyncio.Future[Answer]:
        loop = asyncio.get_running_loop()
        if not self._waiting:
            task = loop.create_task(self._answer_waiting())
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        future: asyncio.Future[Answer] = loop.create_future()
        self._waiting.append((asked, future))
        return future

    async def _answer_waiting(self) -> None:
        waiting, self._waiting = self._waiting, []
        futures = [future for _, future in waiting]
        try:
            answers = await self._answer_all([asked for asked, _ in waiting])
        except Exception as error:
            for future in futures:
                if not future.done():  # done: its request was cancelled meanwhile
                    future.set_exception(error)
            return
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        for future, answer in zip(futures, answers, strict=True):
            if not future.done():
                future.set_result(answer)
