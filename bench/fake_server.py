"""The tests' fake Bot API server in a process of its own, so that the bot being measured does
not share its CPU with the server (real Telegram does not run inside the bot either).

    python -m bench.fake_server [--per-second N --per-chat-per-second N --per-group-per-minute N]

It prints one JSON line `{"base_url": ...}`, then answers commands read from stdin, one a line,
each with one JSON line on stdout: `stats` (what it received), `clear` (forget the calls).
It stops at the end of stdin.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from typing import Any

from tests.fake_telegram import FakeTelegram, RateLimits


def stats(fake: FakeTelegram) -> dict[str, Any]:
    accepted = [c for c in fake.calls if not _refused(c.result)]
    return {
        "methods": dict(Counter(c.method for c in fake.calls)),
        "accepted": dict(Counter(c.method for c in accepted)),
        "sent_texts": dict(Counter(c.text for c in accepted if c.method == "sendMessage")),
        "refused_429": fake.limits.refused if fake.limits else 0,
    }


def _refused(result: object) -> bool:
    return result is None or (not isinstance(result, dict | list | bool)
                              and hasattr(result, "code"))


async def serve(limits: RateLimits | None) -> None:
    fake = FakeTelegram(limits=limits)
    base_url = await fake.start()
    print(json.dumps({"base_url": base_url}), flush=True)
    try:
        while line := await asyncio.to_thread(sys.stdin.readline):
            command = line.strip()
            if command == "stats":
                print(json.dumps(stats(fake)), flush=True)
            elif command == "clear":
                fake.clear()
                fake.messages.clear()
                print(json.dumps({"cleared": True}), flush=True)
            else:
                print(json.dumps({"error": f"unknown command {command!r}"}), flush=True)
    finally:
        await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-second", type=int)
    parser.add_argument("--per-chat-per-second", type=int, default=1)
    parser.add_argument("--per-group-per-minute", type=int, default=20)
    args = parser.parse_args()
    limits = None if args.per_second is None else RateLimits(
        per_second=args.per_second, per_chat_per_second=args.per_chat_per_second,
        per_group_per_minute=args.per_group_per_minute)
    asyncio.run(serve(limits))


if __name__ == "__main__":
    main()
