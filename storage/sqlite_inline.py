"""aiosqlite without its worker thread: every SQLite call runs in the event loop's thread.

aiosqlite hands each call (execute, fetch, commit…) to a thread of its own and wakes the event
loop when it is done: about 0.1 ms of round trip for a call that takes SQLite a few
microseconds, a dozen times per transaction. GridLink uses one SQLite connection in one
process (SQLite is the small-deployment choice; PostgreSQL serves anything bigger), so there is
nobody to wait for inside the process and the calls can simply run where they are awaited:
a transaction then costs about a third. The price is that a statement blocks the loop while
it runs, and that another process holding the write lock blocks it for up to
``BUSY_TIMEOUT`` seconds.

SQLAlchemy's aiosqlite dialect is kept as it is; it gets these connections through
``async_creator``. The class leans on aiosqlite's private ``_execute``/``_tx``/``_connect``,
which is why aiosqlite is pinned.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Generator
from typing import Any

import aiosqlite

BUSY_TIMEOUT = 5.0  # seconds: how long another process may hold the write lock
CHUNK = 64  # rows per fetch when a cursor is iterated (aiosqlite's default)


class _RunAtOnce:
    """Stands in for aiosqlite's queue to its thread: runs what is put in it right away.

    SQLAlchemy's dialect puts work in the queue itself (to set the isolation level), with a
    future to resolve, so the future is kept."""

    @staticmethod
    def put_nowait(item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except Exception as error:  # handed to whoever awaits the future
            if future is not None and not future.done():
                future.set_exception(error)
            return
        if future is not None and not future.done():
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, CHUNK)
        self._tx = _RunAtOnce()  # type: ignore[assignment]

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        return self._connect().__await__()  # no thread to start

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)


def connector(path: str | None) -> Callable[[], InlineConnection]:
    """What ``create_async_engine(..., async_creator=...)`` calls for each new connection;
    no path is a database in memory."""

    def connect() -> InlineConnection:
        return InlineConnection(lambda: sqlite3.connect(path or ":memory:",
                                                        timeout=BUSY_TIMEOUT))

    return connect
