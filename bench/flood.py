"""Flood: 500 cards queued for one grid group, then risk pages for another chat.

Telegram lets a bot send 20 messages a minute to one group; the fake Bot API (a process of its
own) enforces Telegram's real limits (30 a second, 1 a second per chat, 20 a minute per group)
and answers 429 beyond them. The app's sender runs as in production (``run_forever``, woken
when a transaction queues rows) with the real clock. 500 rows in the group lane are queued for
one group; then a risk page (urgent lane) for a social worker's private chat is queued at three
moments: at once, once the group has used its minute, and while the group waits for its next
minute. Each page's delay is from the commit that queued it until the fake Bot API accepted it.

The run lasts until the group's second minute has begun; cards not yet sent then are still
queued, as they must be (500 cards take 25 minutes of that group's traffic).

Figures: ``risk_page_delay_s`` (the slowest of the three; goal ≤ 2), ``lost`` (rows neither
delivered nor still queued, or delivered and not recorded; goal 0) and ``duplicated`` (texts
the fake Bot API accepted more than once; goal 0).

    .venv/bin/python -m bench.flood [--database sqlite|postgresql]
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from bench.common import FakeServerProcess, app_beside_fake, figure, heading, parser
from bot.app import App
from bot.limits import Limits
from storage import outbox
from storage.models import Lane, OutboxMessage, OutboxState

CARDS = 500
GROUP = -1_001_000_000_001
WORKER = 700_000_001
PER_GROUP_PER_MINUTE = 20
SECOND_MINUTE = 64.0  # seconds after the first card: the group's next minute has begun
POLL = 0.02


@dataclass
class Result:
    database: str
    page_delays: list[float]
    cards_delivered: int
    states: dict[str, int]
    refused: int
    lost: int
    duplicated: int


def card_text(n: int) -> str:
    return f"card {n:03d}"


async def run(database: str) -> Result:
    limits = ("--per-second", "30", "--per-chat-per-second", "1",  # Telegram's own
              "--per-group-per-minute", str(PER_GROUP_PER_MINUTE))
    async with app_beside_fake(database, "flood", *limits) as (app, fake):
        return await _measure(app, fake, database)


def _rows(app: App, keys_texts: list[tuple[str, int, str]], lane: Lane) -> list[OutboxMessage]:
    now = app.messenger.clock.now()
    return [OutboxMessage(key=key, chat_id=chat_id, text=text, lane=lane, not_before=now,
                          created_at=now) for key, chat_id, text in keys_texts]


async def _accepted(fake: FakeServerProcess) -> Counter[str]:
    seen = await fake.command("stats")
    return Counter({str(text): int(n) for text, n in seen["sent_texts"].items()})


async def _until(fake: FakeServerProcess, seen: Callable[[Counter[str]], bool]) -> float:
    """Poll the fake Bot API until ``seen``; when that was (perf_counter)."""
    while not seen(await _accepted(fake)):  # noqa: ASYNC110 - it is another process
        await asyncio.sleep(POLL)
    return time.perf_counter()


async def _page_delay(app: App, fake: FakeServerProcess, n: int) -> float:
    text = f"risk page {n}"
    queued = time.perf_counter()
    await outbox.enqueue(app.db, _rows(app, [(f"page:{n}", WORKER, text)], Lane.URGENT))
    return await _until(fake, lambda texts: texts[text] > 0) - queued


def _cards_seen(texts: Counter[str]) -> int:
    return sum(1 for text in texts if text.startswith("card "))


async def _measure(app: App, fake: FakeServerProcess, database: str) -> Result:
    app.sender.limits = Limits()  # Telegram's real limits, as in production
    sending = asyncio.create_task(app.sender.run_forever())
    try:
        await outbox.enqueue(app.db, _rows(
            app, [(f"card:{n}", GROUP, card_text(n)) for n in range(CARDS)], Lane.GROUP))
        started = time.perf_counter()
        delays = [await _page_delay(app, fake, 1)]
        await _until(fake, lambda texts: _cards_seen(texts) >= PER_GROUP_PER_MINUTE)
        delays.append(await _page_delay(app, fake, 2))
        await asyncio.sleep(max(0.0, SECOND_MINUTE / 2 - (time.perf_counter() - started)))
        delays.append(await _page_delay(app, fake, 3))
        await asyncio.sleep(max(0.0, SECOND_MINUTE - (time.perf_counter() - started)))
    finally:
        app.sender.stop()
        await sending

    texts = await _accepted(fake)
    rows = await outbox.rows(app.db)
    states = Counter(row.state for row in rows)
    delivered = {row.text for row in rows if row.state == OutboxState.SENT}
    still_queued = {row.text for row in rows if row.state == OutboxState.PENDING}
    expected = {card_text(n) for n in range(CARDS)} | {f"risk page {n}" for n in (1, 2, 3)}
    lost = len(expected - delivered - still_queued) + len(set(texts) - delivered)
    return Result(
        database=database, page_delays=delays, cards_delivered=_cards_seen(texts),
        states=dict(states), refused=int((await fake.command("stats"))["refused_429"]),
        lost=lost, duplicated=sum(count - 1 for count in texts.values() if count > 1))


def main() -> None:
    args = parser(__doc__ or "").parse_args()
    logging.basicConfig(level=logging.WARNING)
    heading(f"flood: {CARDS} cards for one group, then risk pages ({args.database})")
    result = asyncio.run(run(args.database))
    print("risk page delays: " + ", ".join(f"{d:.3f} s" for d in result.page_delays)
          + " (at once; the group at its limit; the group waiting)")
    print(f"cards accepted by Telegram in the first {SECOND_MINUTE:.0f} s: "
          f"{result.cards_delivered} (limit {PER_GROUP_PER_MINUTE} a minute)")
    print(f"outbox rows by state: {result.states}; 429s: {result.refused}")
    print(figure("risk_page_delay_s", max(result.page_delays), digits=3))
    print(figure("lost", result.lost))
    print(figure("duplicated", result.duplicated))


if __name__ == "__main__":
    main()
