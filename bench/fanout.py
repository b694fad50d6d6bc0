"""Fan-out: 3,000 queued messages to 3,000 private chats through the outbox sender.

The app's Sender runs with Telegram's limits scaled up tenfold (300 messages a second overall,
1 a second per chat, 20 a minute per group) against the fake Bot API, which runs in a process
of its own, enforces the same limits and answers 429 with retry_after beyond them. The rate is
wall-clock time (perf_counter) from the sender's start until no row is due; the app keeps its
real SystemClock. Goals: the achieved rate is at least 0.9 of the limit, no 429, nothing lost,
nothing sent twice.

    .venv/bin/python -m bench.fanout [--database sqlite|postgresql]
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from dataclasses import dataclass

from bench.common import FakeServerProcess, app_beside_fake, figure, heading, parser
from bot.app import App
from bot.limits import Limits
from storage import outbox
from storage.models import OutboxMessage, OutboxState

MESSAGES = 3_000
PER_SECOND = 300
PER_CHAT_PER_SECOND = 1
PER_GROUP_PER_MINUTE = 20
FIRST_CHAT = 900_000_000
ENQUEUE_CHUNK = 500  # rows per INSERT: SQLite allows 32,766 bound values in one statement
GIVE_UP_AFTER = 120.0  # seconds of draining before the rest counts as lost


@dataclass
class Result:
    database: str
    enqueue_seconds: float
    send_seconds: float
    delivered: int
    refused: int
    lost: int
    duplicated: int
    states: dict[str, int]

    @property
    def rate(self) -> float:
        return self.delivered / self.send_seconds if self.send_seconds else 0.0


def text_of(n: int) -> str:
    return f"fan-out message {n:05d}"


async def run(database: str) -> Result:
    limits = ("--per-second", str(PER_SECOND), "--per-chat-per-second",
              str(PER_CHAT_PER_SECOND), "--per-group-per-minute", str(PER_GROUP_PER_MINUTE))
    async with app_beside_fake(database, "fanout", *limits) as (app, fake):
        return await _measure(app, fake, database)


async def _measure(app: App, fake: FakeServerProcess, database: str) -> Result:
    now = app.messenger.clock.now()
    messages = [OutboxMessage(key=f"fanout:{n}", chat_id=FIRST_CHAT + n, text=text_of(n),
                              not_before=now, created_at=now) for n in range(MESSAGES)]
    started = time.perf_counter()
    for first in range(0, MESSAGES, ENQUEUE_CHUNK):
        await outbox.enqueue(app.db, messages[first:first + ENQUEUE_CHUNK])
    enqueue_seconds = time.perf_counter() - started

    app.sender.limits = Limits(per_second=PER_SECOND, per_chat_per_second=PER_CHAT_PER_SECOND,
                               per_group_per_minute=PER_GROUP_PER_MINUTE)
    started = time.perf_counter()
    finished = started
    while time.perf_counter() - started < GIVE_UP_AFTER:
        await app.sender.drain()
        finished = time.perf_counter()
        states = await outbox.counts(app.db)
        if not states.get(OutboxState.PENDING) and not states.get(OutboxState.SENDING):
            break
        await asyncio.sleep(0.05)  # rows postponed by a 429 wait for their retry_after
    send_seconds = finished - started

    states = await outbox.counts(app.db)
    seen = await fake.command("stats")
    received = Counter({str(text): int(n) for text, n in seen["sent_texts"].items()})
    expected = {text_of(n) for n in range(MESSAGES)}
    never_received = len(expected - set(received))
    not_sent = MESSAGES - states.get(OutboxState.SENT, 0)
    return Result(
        database=database,
        enqueue_seconds=enqueue_seconds,
        send_seconds=send_seconds,
        delivered=sum(received.values()),
        refused=int(seen["refused_429"]),
        lost=max(never_received, not_sent),
        duplicated=sum(count - 1 for count in received.values() if count > 1),
        states=dict(states),
    )


def main() -> None:
    args = parser(__doc__ or "").parse_args()
    logging.basicConfig(level=logging.WARNING)
    heading(f"fan-out of {MESSAGES:,} messages to {MESSAGES:,} private chats "
            f"({args.database}), limit {PER_SECOND}/s")
    result = asyncio.run(run(args.database))
    print(f"queued in {result.enqueue_seconds:.2f} s; sent in {result.send_seconds:.2f} s")
    print(f"achieved {result.rate:.1f} messages/s of the {PER_SECOND}/s limit")
    print(f"outbox rows by state: {result.states}")
    print(f"sendMessage accepted {result.delivered}, refused with 429: {result.refused}")
    print(figure("fanout_rate_ratio", result.rate / PER_SECOND))
    print(figure("fanout_429s", result.refused))
    print(figure("fanout_lost", result.lost))
    print(figure("fanout_duplicated", result.duplicated))


if __name__ == "__main__":
    main()
