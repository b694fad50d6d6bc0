"""The outbox sender: delivers queued messages within Telegram's limits and never drops one.

- Lanes: rows are taken and sent lowest lane first (``storage.models.Lane``): a risk page
  or an answer to a person goes before notices, notices before group cards, cards before
  bulk. Rows to one chat go out in order of lane, then of queueing.
- No chat holds up another: rows are taken a few per chat and the taking goes on while
  they are sent. A chat whose own limit makes it wait (a group gets 20 messages a minute)
  hands its rows back and rests; other chats' rows are taken meanwhile.
- 429: the row waits ``retry_after`` and is tried again (not counted as a failure).
- 5xx and network errors: tried again with exponential backoff, capped at an hour.
- 403 (blocked, never started) and "chat not found": undeliverable, with a visible
  consequence (the person is marked unreachable; staff are told when it mattered).
- Any other 400 (a message Telegram will never accept): failed, kept with the error.
- A text over Telegram's limit goes out in parts (``bot.splitting``); when a part fails,
  what is left is kept for the retry, so no part goes twice.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup

from bot import cards, council_notices, meeting_notices, reporting, round_report, splitting
from bot.direct_sends import BY_THE_SENDER
from bot.limits import Limits
from bot.messenger import Messenger
from bot.metrics import Tally
from bot.shared_limits import SharedLimits
from storage import outbox, people
from storage.models import OutboxKind, OutboxMessage, OutboxState

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=1)
SETTLE_EVERY = 20
# A chat that must wait longer than this for its own limit hands its rows back and rests.
REST_AFTER = 1.5
T = TypeVar("T")
Consequence = Callable[[Messenger, OutboxMessage], Awaitable[None]]


class LaneGate:
    """At most ``size`` sends at a time; whoever waits for one goes in lane order, then in
    the order they came."""

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()

    @asynccontextmanager
    async def turn(self, lane: int) -> AsyncIterator[None]:
        if self._free and not self._waiting:
            self._free -= 1
        else:
            turn = asyncio.get_running_loop().create_future()
            heapq.heappush(self._waiting, (lane, next(self._arrivals), turn))
            try:
                await turn
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():
                    self._pass_on()  # it was handed a turn it will not use
                raise
        try:
            yield
        finally:
            self._pass_on()

    def _pass_on(self) -> None:
        while self._waiting:
            turn = heapq.heappop(self._waiting)[2]
            if not turn.done():
                turn.set_result(None)
                return
        self._free += 1


@dataclass
class Progress:
    """How far a long text got: ``left`` is what is still to send once a part went out."""

    left: str | None = None

    def kept(self, result: outbox.Result) -> outbox.Result:
        """A row tried again later keeps only the parts not sent yet."""
        if self.left is not None:
            result["text"] = self.left
        return result


class Sender:
    def __init__(self, messenger: Messenger, *, limits: Limits | None = None, batch: int = 200,
                 per_chat: int = 5, concurrency: int = 16,
                 on_undeliverable: Consequence | None = None) -> None:
        self.messenger = messenger
        self.limits = limits or Limits()
        # With several instances, Telegram's limits are kept in Redis for all (bot.app).
        self.shared: SharedLimits | None = None
        self.tally = Tally()  # 429s counted for /metrics (bot.metrics)
        self.batch = batch
        self.per_chat = per_chat
        self.gate = LaneGate(concurrency)
        self.on_undeliverable = on_undeliverable
        self._stopping = asyncio.Event()
        self._woken = asyncio.Event()
        self._results: list[outbox.Result] = []
        self._sending: dict[int, asyncio.Task[None]] = {}  # chat → its rows being sent
        self._in_flight = 0  # rows taken and not yet done with
        self._resting: dict[int, float] = {}  # chat → when (limits' clock) it may send again
        self._leased: set[int] = set()  # ids of the rows taken and not yet done with
        self._renewed: datetime | None = None  # when their leases were last renewed

    @property
    def db(self):
        return self.messenger.db

    async def take(self) -> int:
        """Take due rows of chats free to send now and start sending them; how many."""
        await self._renew_leases()
        room = self.batch - self._in_flight
        if room <= 0:
            return 0
        await self._settle()
        async with self.db.transaction():  # the lease, and the cards as they are now
            rows = await outbox.claim_due(self.db, now=self.messenger.clock.now(), limit=room,
                                          per_chat=self.per_chat, busy=self._busy_chats())
            cards_now = await cards.standings(self.messenger, [
                (row.wish_id or 0, row.chat_id) for row in rows if row.kind == OutboxKind.CARD])
        by_chat: dict[int, list[OutboxMessage]] = defaultdict(list)
        for row in rows:
            by_chat[row.chat_id].append(row)
        for chat_id, chat_rows in by_chat.items():
            self._in_flight += len(chat_rows)
            self._leased.update(row.id for row in chat_rows if row.id is not None)
            task = asyncio.create_task(self._send_to_chat(chat_id, chat_rows, cards_now))
            self._sending[chat_id] = task
            task.add_done_callback(lambda _, chat_id=chat_id: self._chat_done(chat_id))
        return len(rows)

    async def _renew_leases(self) -> None:
        """A row held longer than its lease (a chat waiting for its window, Telegram slow to
        answer) must not be taken by another instance meanwhile."""
        now = self.messenger.clock.now()
        if not self._leased or (self._renewed and now - self._renewed < outbox.RENEW_EVERY):
            return
        await outbox.renew(self.db, self._leased, now=now)
        self._renewed = now

    def _busy_chats(self) -> list[int]:
        now = self.limits.clock()
        for chat_id in [c for c, until in self._resting.items() if until <= now]:
            del self._resting[chat_id]
        return [*self._sending, *self._resting]

    def _chat_done(self, chat_id: int) -> None:
        del self._sending[chat_id]
        if self._in_flight <= self.batch // 2:  # room to take more: one look, not one a chat
            self._woken.set()

    async def drain(self) -> None:
        """Deliver until nothing is due (tests and benchmarks)."""
        try:
            while True:
                taken = await self.take()
                if taken and self._in_flight <= self.batch // 2:
                    continue  # more may be due
                if self._sending:
                    await self._fewer_in_flight()
                elif not self._busy_chats():
                    return
                else:  # only resting chats have rows left
                    await asyncio.sleep(self._rest_left())
        finally:
            await self._settle()

    async def _fewer_in_flight(self) -> None:
        """Until a chat is done and at most half a batch is being sent."""
        while True:
            await asyncio.wait(list(self._sending.values()), return_when=asyncio.FIRST_COMPLETED)
            if not self._sending or self._in_flight <= self.batch // 2:
                return

    async def run_forever(self, idle: float = 0.5) -> None:
        """Deliver rows as they fall due: at once when this process queued them (``wake``) or
        a chat is free again, else at the next look, every ``idle`` seconds (rows postponed,
        or queued elsewhere)."""
        try:
            while not self._stopping.is_set():
                self._woken.clear()
                try:
                    taken = await self.take()
                except Exception:  # the sender must outlive a bad moment of the database
                    log.exception("taking outbox rows failed")
                    taken = 0
                if not taken:
                    with suppress(TimeoutError):
                        await asyncio.wait_for(self._woken.wait(),
                                               timeout=min(idle, self._rest_left() or idle))
        finally:
            await asyncio.gather(*self._sending.values(), return_exceptions=True)
            await self._settle()

    def _rest_left(self) -> float:
        """Seconds until the first resting chat may send again (0 when none rests)."""
        if not self._resting:
            return 0.0
        return max(0.01, min(self._resting.values()) - self.limits.clock())

    def wake(self) -> None:
        """Rows were queued and committed: look now."""
        self._woken.set()

    def stop(self) -> None:
        self._stopping.set()
        self._woken.set()

    async def _send_to_chat(self, chat_id: int, rows: list[OutboxMessage],
                            cards_now: cards.Standings) -> None:
        BY_THE_SENDER.set(True)  # this task's sends are counted here (bot.direct_sends)
        try:
            for index, row in enumerate(rows):
                rest = await self._chat_rest(chat_id)
                if rest > REST_AFTER:
                    self._rest(chat_id, rest, rows[index:])
                    return
                if rest > 0:
                    await asyncio.sleep(rest)
                async with self.gate.turn(row.lane):
                    await self.window(chat_id)
                    held_until = await self._deliver(row, cards_now)
                if held_until is not None:  # later rows of the chat wait behind this one
                    await self._hand_back(rows[index + 1:], held_until)
                    return
        finally:
            self._in_flight -= len(rows)
            self._leased.difference_update(row.id for row in rows)

    def _rest(self, chat_id: int, seconds: float, rows: list[OutboxMessage]) -> None:
        self._resting[chat_id] = self.limits.clock() + seconds
        now = self.messenger.clock.now()
        self._results.extend(outbox.handed_back(row, until=now) for row in rows)

    async def _hand_back(self, rows: list[OutboxMessage], until: datetime) -> None:
        for row in rows:
            await self._record(outbox.handed_back(row, until=until))

    async def _send_text(self, row: OutboxMessage, progress: Progress) -> int | None:
        """Send a message row, in parts when it is long (the buttons go with the last);
        ``progress`` keeps what is left to send once a part went out."""
        markup = InlineKeyboardMarkup.model_validate(row.markup) if row.markup else None
        part, rest = splitting.first_part(row.text)
        while True:
            message = await self.counted(row.chat_id, self.messenger.bot.send_message(
                row.chat_id, part, reply_markup=None if rest else markup))
            if not rest:
                return message.message_id
            progress.left = rest
            part, rest = splitting.first_part(rest)
            await self.window(row.chat_id)

    async def _chat_rest(self, chat_id: int) -> float:
        """Seconds the chat must wait for its own limits, whatever other chats do."""
        if self.shared is not None:
            return await self.shared.chat_wait(chat_id)
        return self.limits.chat_wait(chat_id)

    async def window(self, chat_id: int) -> None:
        """Until one more send to the chat fits Telegram's limits. Shared limits count the
        send here, in the same step as the check (another instance may be checking too)."""
        if self.shared is not None:
            while (pause := await self.shared.reserve(chat_id)) > 0:  # noqa: ASYNC110
                await asyncio.sleep(pause)
            return
        while (pause := self.limits.wait(chat_id)) > 0:  # noqa: ASYNC110
            await asyncio.sleep(pause)

    async def counted(self, chat_id: int, sending: Awaitable[T]) -> T:
        """Send, counted against this instance's own limits (shared ones counted it in
        ``window``)."""
        if self.shared is not None:
            try:
                return await sending
            finally:
                await self.shared.done(chat_id)
        slot = self.limits.take(chat_id)
        try:
            return await sending
        finally:
            self.limits.done(slot)

    async def _send(self, row: OutboxMessage, cards_now: cards.Standings,
                    progress: Progress) -> int | None:
        if row.kind == OutboxKind.CARD:
            return await self.counted(row.chat_id, cards.sync(
                self.messenger, cards_now.get((row.wish_id or 0, row.chat_id)), row.chat_id))
        if row.kind == OutboxKind.REPORT and "round" in (row.markup or {}):
            return await self.counted(row.chat_id, round_report.send_row(self.messenger, row))
        if row.kind == OutboxKind.REPORT:
            return await self.counted(row.chat_id, reporting.send_row(self.messenger, row))
        if row.kind == OutboxKind.MEETING_NOTICE:
            return await self.counted(row.chat_id, meeting_notices.sync(
                self.messenger, row.meeting_id or 0, row.chat_id))
        if row.kind == OutboxKind.MATTER:
            return await self.counted(row.chat_id, council_notices.sync(self.messenger, row))
        return await self._send_text(row, progress)

    async def _deliver(self, row: OutboxMessage, cards_now: cards.Standings) -> datetime | None:
        """Send one row and record what became of it; when it must be tried again later,
        the time it waits until (the chat's later rows wait behind it)."""
        now = self.messenger.clock.now()
        progress = Progress()
        try:
            telegram_id = await self._send(row, cards_now, progress)
        except TelegramRetryAfter as error:  # the chat rests; others go on
            self.tally.refused += 1
            until = now + timedelta(seconds=error.retry_after)
            self._resting[row.chat_id] = self.limits.clock() + error.retry_after
            await self._record(progress.kept(outbox.postponed(
                row, until=until, error=error.message, count_attempt=False)))
            return until
        except (TelegramServerError, TelegramNetworkError) as error:
            until = now + min(timedelta(seconds=2 ** min(row.attempts, 12)), MAX_BACKOFF)
            await self._record(progress.kept(outbox.postponed(
                row, until=until, error=str(error))))
            return until
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
        return None

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
