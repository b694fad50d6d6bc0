"""Memory over a long run: does the bot's resident memory level off once its caches are full?

    .venv/bin/python -m bench.memory [--database sqlite|postgresql] [--updates 200000]

The mix of bench.throughput, in the ten grids of bench.district's small database (no limits
on people: at this pace a grid would otherwise reach its wishes for the hour), fed in batches
of ten with the outbox drained after each, for `--updates` updates, the freed memory given
back every 5 minutes as the bot's scheduler does (bot.free_memory). Every 5,000 the bot's
resident memory (VmRSS) is printed, with the objects Python holds; at the end
`rss_growth_mib_per_100k` (the growth over the second half of the run, per 100,000 updates)
and `rss_last_mib`. Goal: the growth levels off (a few MiB per 100,000 at most).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import sys
import time
from collections import Counter
from typing import Any

from bench import district_data as data
from bench.common import DATABASES, PROJECT, figure, heading
from bench.district import MixRunner
from bench.throughput import BATCH
from bench.throughput import Workload as MixWorkload
from bot import free_memory

EVERY = 5_000


def sqlite_kb() -> int | None:
    """What SQLite's own allocator holds (its page cache, statements), where it can be asked."""
    import ctypes
    import ctypes.util

    try:
        used = ctypes.CDLL(ctypes.util.find_library("sqlite3")).sqlite3_memory_used
    except (OSError, AttributeError, TypeError):
        return None
    used.restype = ctypes.c_int64
    return int(used()) // 1024


def rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def without_limits(db: Any) -> None:
    from sqlmodel import select

    from storage.models import Place, PlaceKind

    async with db.transaction() as session:
        for street in (await session.exec(select(Place).where(
                Place.kind == PlaceKind.STREET))).all():
            street.settings = {"person_wishes_per_hour": 0, "group_wishes_per_hour": 0}
            session.add(street)
    db.places.clear()
    db.chat_places.clear()


async def run(runner: MixRunner, updates: int) -> None:
    await runner.start()
    await without_limits(runner.app.db)
    workload = MixWorkload()
    objects: Counter[str] = Counter()
    given_back = time.perf_counter()
    started = time.perf_counter()
    try:
        for done in range(0, updates, BATCH):
            batch = [runner.make(kind, workload) for kind in workload.batch(BATCH)]
            await asyncio.gather(*(runner.feed(update) for update in batch))
            await runner.after_batch()
            await runner.between_batches()
            if (done + BATCH) % EVERY == 0:
                counted = Counter(type(o).__name__ for o in gc.get_objects())
                grown = (counted - objects).most_common(4)
                objects = counted
                if time.perf_counter() - given_back >= free_memory.EVERY_MINUTES * 60:
                    free_memory.give_back()  # as the bot's scheduler does
                    given_back = time.perf_counter()
                print(json.dumps({"updates": done + BATCH, "rss_kb": rss_kb(),
                                  "sqlite_kb": sqlite_kb(),
                                  "seconds": time.perf_counter() - started,
                                  "objects": sum(counted.values()), "grown": grown,
                                  "blocks": sys.getallocatedblocks()}),
                      flush=True)
    finally:
        await runner.close()


def child(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(run(MixRunner(args.api, args.token, args.database_url), args.updates))


async def measure(kind: str, updates: int) -> list[dict[str, Any]]:
    from tests.fake_telegram import FakeTelegram

    kept = await data.cached(kind, data.SMALL)
    url = await data.copy_of(kind, kept, "memory")
    fake = FakeTelegram()
    api = await fake.start()
    points: list[dict[str, Any]] = []
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.memory", "--role", "child", "--api", api,
            "--token", fake.token, "--database-url", url, "--updates", str(updates),
            stdout=asyncio.subprocess.PIPE, cwd=PROJECT)
        assert process.stdout is not None
        while line := await process.stdout.readline():
            point = json.loads(line)
            points.append(point)
            print(f"{point['updates']:>7,} updates, {point['seconds']:6.0f} s: RSS "
                  f"{point['rss_kb'] / 1024:6.1f} MiB (SQLite holds {point['sqlite_kb']} KiB), "
                  f"{point['objects']:,} objects in the "
                  f"collector's care, {point['blocks']:,} blocks allocated (grown most: "
                  f"{point['grown']})", flush=True)
            fake.clear()
            fake.messages.clear()
            fake.history.clear()
        if await process.wait() != 0:
            raise SystemExit("the run failed")
    finally:
        await fake.stop()
        await data.drop(kind, url)
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=DATABASES, default="sqlite")
    parser.add_argument("--updates", type=int, default=200_000)
    parser.add_argument("--role", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role:
        child(args)
        return
    logging.basicConfig(level=logging.WARNING)
    heading(f"resident memory over {args.updates:,} updates of the mix ({args.database})")
    points = asyncio.run(measure(args.database, args.updates))
    middle = points[len(points) // 2]
    last = points[-1]
    growth = (last["rss_kb"] - middle["rss_kb"]) / 1024
    print(figure("rss_growth_mib_per_100k",
                 growth * 100_000 / max(last["updates"] - middle["updates"], 1)))
    print(figure("rss_last_mib", last["rss_kb"] / 1024, 1))


if __name__ == "__main__":
    main()
