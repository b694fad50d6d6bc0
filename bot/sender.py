"""The outbox sender: delivers queued messages within Telegram's limits and never drops one.

- 429: the row waits ``retry_after`` and is tried again (not counted as a failure).
- 5xx and network errors: tried again with exponential backoff, capped at an hour.
- 403 (blocked, never started) and "chat not found": undeliverable, with a visible
  consequence (the person is marked unreachable; staff are told when it mattered).
- Any other 400 (a message Telegram will never accept): failed, kept with the error.
Rows to one chat go out in order; different chats go out side by side.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import timedelta

from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup

from bot import cards, meeting_notices
from bot.limits import Limits
from bot.messenger import Messenger
from storage import outbox, people
from storage.models import OutboxKind, OutboxMessage, OutboxState

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=1)
SETTLE_EVERY = 20
Consequence = Callable[[Messenger, OutboxMessage], Awaitable[None]]


class Sender:
    def __init__(self, messenger: Messenger, *, limits: Limits | None = None, batch: int = 200,
                 concurrency: int = 16, on_undeliverable: Consequence | None = None) -> None:
        self.messenger = messenger
        self.limits = limits or Limits()
        self.batch = batch
        self.concurrency = asyncio.Semaphore(concurrency)
        self.on_undeliverable = on_undeliverable
        self._stopping = asyncio.Event()
        self._woken = asyncio.Event()
        self._results: list[outbox.Result] = []

    @property
    def db(self):
        return self.messenger.db

    async def run_once(self) -> int:
        """Deliver one batch of due rows; how many were taken."""
        async with self.db.transaction():  # the lease, and the cards as they are now
            rows = await outbox.claim_due(self.db, now=self.messenger.clock.now(),
                                          limit=self.batch)
            cards_now = await cards.standings(self.messenger, [
                (row.wish_id or 0, row.chat_id) for row in rows if row.kind == OutboxKind.CARD])
        by_chat: dict[int, list[OutboxMessage]] = defaultdict(list)
        for row in rows:
            by_chat[row.chat_id].append(row)
        try:
            await asyncio.gather(*(self._deliver_in_order(chat_rows, cards_now)
                                   for chat_rows in by_chat.values()))
        finally:
            await self._settle()
        return len(rows)

    async def drain(self) -> None:
        """Deliver until nothing is due (tests and benchmarks)."""
        while await self.run_once():
            pass

    async def run_forever(self, idle: float = 0.5) -> None:
        """Deliver rows as they fall due: at once when this process queued them (``wake``),
        else at the next look, every ``idle`` seconds (rows postponed, or queued elsewhere)."""
        while not self._stopping.is_set():
            self._woken.clear()
            try:
                taken = await self.run_once()
            except Exception:  # the sender must outlive a bad moment of the database
                log.exception("outbox batch failed")
                taken = 0
            if not taken:
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._woken.wait(), timeout=idle)

    def wake(self) -> None:
        """Rows were queued and committed: look now."""
        self._woken.set()

    def stop(self) -> None:
        self._stopping.set()
        self._woken.set()

    async def _deliver_in_order(self, rows: list[OutboxMessage],
                                cards_now: cards.Standings) -> None:
        async with self.concurrency:
            for row in rows:
                await self._deliver(row, cards_now)

    async def _send(self, row: OutboxMessage, cards_now: cards.Standings) -> int | None:
        if row.kind == OutboxKind.CARD:
            return await cards.sync(self.messenger, cards_now.get((row.wish_id or 0, row.chat_id)),
                                    row.chat_id)
        if row.kind == OutboxKind.MEETING_NOTICE:
            return await meeting_notices.sync(self.messenger, row.meeting_id or 0, row.chat_id)
        markup = InlineKeyboardMarkup.model_validate(row.markup) if row.markup else None
        message = await self.messenger.bot.send_message(row.chat_id, row.text,
                                                        reply_markup=markup)
        return message.message_id

    async def _send_counted(self, row: OutboxMessage, cards_now: cards.Standings) -> int | None:
        slot = self.limits.take(row.chat_id)
        try:
            return await self._send(row, cards_now)
        finally:
            self.limits.done(slot)

    async def _deliver(self, row: OutboxMessage, cards_now: cards.Standings) -> None:
        while (pause := self.limits.wait(row.chat_id)) > 0:  # noqa: ASYNC110 - a timed wait
            await asyncio.sleep(pause)
        now = self.messenger.clock.now()
        try:
            telegram_id = await self._send_counted(row, cards_now)
        except TelegramRetryAfter as error:
            await self._record(outbox.postponed(
                row, until=now + timedelta(seconds=error.retry_after), error=error.message,
                count_attempt=False))
        except (TelegramServerError, TelegramNetworkError) as error:
            backoff = min(timedelta(seconds=2 ** min(row.attempts, 12)), MAX_BACKOFF)
            await self._record(outbox.postponed(row, until=now + backoff, error=str(error)))
        except TelegramForbiddenError as error:
            await self._undeliverable(row, error.message)
        except TelegramBadRequest as error:
            if "chat not found" in error.message.lower():
                await self._undeliverable(row, error.message)
            else:
                log.error("outbox row %s refused by Telegram: %s", row.id, error.message)
                await self._record(outbox.given_up(row, state=OutboxState.FAILED,
                                                   error=error.message))
        else:
            await self._record(outbox.sent(row, telegram_id=telegram_id, now=now))

    async def _record(self, result: outbox.Result) -> None:
        """Results are written together (one transaction rather than one per message). A row
        whose result was not written yet when the process died is sent again after its lease:
        at least once, never lost; SETTLE_EVERY bounds how many that can be."""
        self._results.append(result)
        if len(self._results) >= SETTLE_EVERY:
            await self._settle()

    async def _settle(self) -> None:
        results, self._results = self._results, []
        await outbox.settle(self.db, results)

    async def _undeliverable(self, row: OutboxMessage, error: str) -> None:
        await self._record(outbox.given_up(row, state=OutboxState.UNDELIVERABLE, error=error))
        if row.chat_id > 0:
            await people.mark_unreachable(self.db, row.chat_id)
        if self.on_undeliverable is not None:
            await self.on_undeliverable(self.messenger, row)
