"""Throughput: GridLink against a bare aiogram echo bot, the same number of updates each.

GridLink handles a realistic mix through its real Dispatcher and Bot, as tests/harness.py does:
plain chatter in the grid groups that it must ignore (40 %), /wish submissions in the grid
groups (25 %), volunteers pressing Claim on the cards of wishes posted earlier (15 %) and
/mywishes in private chats (20 %). Updates go in batches of ten handled side by side (as
polling does), and the outbox sender is drained after each batch, which is part of the work.
The echo bot (one Dispatcher, one message handler answering the text) gets as many text
messages in the same chats, in the same batches.

Each bot runs in a subprocess of its own (`--role gridlink|echo`), which reports its rate and
its own peak RSS (getrusage) as JSON; both talk to the same fake Bot API server, which runs in
this parent process. Floors, not targets: GridLink ÷ echo updates per second at least 0.27 on
SQLite and 0.20 on PostgreSQL, and GridLink's peak RSS at most 1.25 × echo's.

    .venv/bin/python -m bench.throughput [--database sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.common import (
    DATABASES,
    LIFTED_LIMITS,
    PROJECT,
    figure,
    fresh_database,
    heading,
    median,
)

UPDATES = 1_500  # timed, for each bot
WARMUP = 150  # untimed, before the timed updates, for each bot
BATCH = 10
ROUNDS = 2  # echo and GridLink alternate this many times; the medians are kept
SEED = 20261125
GRIDS = 5
RESIDENTS_PER_GRID = 40
VOLUNTEERS_PER_GRID = 5
ADMIN_ID = 1001
STREET_CHAT, COMMUNITY_CHAT = -1001000000001, -1001000000002
KINDS = ("chatter", "wish", "claim", "mywishes")
WEIGHTS = (0.40, 0.25, 0.15, 0.20)
GOALS = {"sqlite": 0.27, "postgresql": 0.20}  # what landed: no change may go below
RSS_GOAL = 1.25

CHATTER = ("今天楼下有人卖菜吗？", "谁家的快递放错了？", "明天停水，大家注意", "早上好！",
           "电梯又坏了，物业说下午修", "周末社区有义诊，欢迎参加")
WISHES = ("帮我去超市买米和油", "想找人陪老人去医院复查", "孩子的数学作业需要辅导",
          "家里水龙头坏了，想请人帮忙修", "腿脚不便，想请人代取药品", "想学用手机挂号")


def grid_chat(grid: int) -> int:
    return -1002000000000 - grid


def resident_id(grid: int, n: int) -> int:
    return 20_000_000 + grid * 1_000 + n


def volunteer_id(grid: int, n: int) -> int:
    return 30_000_000 + grid * 1_000 + n


# --- updates as Telegram sends them ------------------------------------------------------------

@dataclass
class Updates:
    """Builds update dicts with increasing update and message ids."""

    bot_id: int
    next_update: int = 1
    next_message: int = 1_000

    def _ids(self) -> tuple[int, int]:
        self.next_update += 1
        self.next_message += 1
        return self.next_update, self.next_message

    @staticmethod
    def user(user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"User {user_id}",
                "language_code": "zh-hans"}

    @staticmethod
    def chat(chat_id: int) -> dict[str, Any]:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
        return {"id": chat_id, "type": "supergroup", "title": f"Group {chat_id}"}

    def message(self, who: int, text: str, chat_id: int | None = None) -> dict[str, Any]:
        update_id, message_id = self._ids()
        message: dict[str, Any] = {"message_id": message_id, "date": int(time.time()),
                                   "chat": self.chat(chat_id or who), "from": self.user(who),
                                   "text": text}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(text.split()[0])}]
        return {"update_id": update_id, "message": message}

    def press(self, who: int, chat_id: int, card_id: int, data: str) -> dict[str, Any]:
        update_id, _message_id = self._ids()
        card = {"message_id": card_id, "date": int(time.time()), "chat": self.chat(chat_id),
                "from": {"id": self.bot_id, "is_bot": True, "first_name": "GridLink",
                         "username": "gridlink_test_bot"}, "text": "card"}
        return {"update_id": update_id, "callback_query": {
            "id": str(update_id), "from": self.user(who), "chat_instance": "ci",
            "message": card, "data": data}}


# --- the workload ----------------------------------------------------------------------------

@dataclass
class Workload:
    """The same sequence of kinds for both bots. A claim needs a wish posted in an earlier
    batch that nobody claimed yet; when there is none, that update is chatter instead."""

    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    claimable: int = 0
    posted_now: int = 0
    done: Counter[str] = field(default_factory=Counter)

    def batch(self, size: int) -> list[str]:
        self.claimable += self.posted_now
        self.posted_now = 0
        kinds: list[str] = []
        for _ in range(size):
            kind = self.rng.choices(KINDS, WEIGHTS)[0]
            if kind == "claim":
                if self.claimable:
                    self.claimable -= 1
                else:
                    kind = "chatter"
            if kind == "wish":
                self.posted_now += 1
            kinds.append(kind)
        self.done.update(kinds)
        return kinds

    def someone(self) -> tuple[int, int]:
        """A resident: (grid, user id)."""
        grid = self.rng.randrange(GRIDS)
        return grid, resident_id(grid, self.rng.randrange(RESIDENTS_PER_GRID))

    def volunteer(self, grid: int) -> int:
        return volunteer_id(grid, self.rng.randrange(VOLUNTEERS_PER_GRID))

    def text(self, choices: tuple[str, ...]) -> str:
        return f"{self.rng.choice(choices)} ({self.rng.randrange(10_000)})"


class Runner:
    """One bot under load: it turns kinds into updates and feeds them."""

    updates: Updates

    async def start(self) -> None: ...

    def make(self, kind: str, workload: Workload) -> dict[str, Any]:
        raise NotImplementedError

    async def feed(self, update: dict[str, Any]) -> None:
        raise NotImplementedError

    async def after_batch(self) -> None:
        """Work that belongs to the batch (timed)."""

    async def between_batches(self) -> None:
        """Bookkeeping of the benchmark itself (not timed)."""

    async def finish(self) -> dict[str, Any]:
        return {}

    async def close(self) -> None: ...


class EchoRunner(Runner):
    def __init__(self, api: str, token: str) -> None:
        from aiogram import Bot, Dispatcher
        from aiogram.client.session.aiohttp import AiohttpSession
        from aiogram.client.telegram import TelegramAPIServer
        from aiogram.types import Message

        self.bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api)))
        self.dispatcher = Dispatcher()

        @self.dispatcher.message()
        async def echo(message: Message) -> None:
            await message.answer(message.text or "…")

        self.updates = Updates(bot_id=int(token.split(":")[0]))

    def make(self, kind: str, workload: Workload) -> dict[str, Any]:
        grid, who = workload.someone()
        match kind:
            case "chatter":
                return self.updates.message(who, workload.text(CHATTER), grid_chat(grid))
            case "wish":
                return self.updates.message(who, "/wish " + workload.text(WISHES),
                                            grid_chat(grid))
            case "claim":
                return self.updates.message(workload.volunteer(grid), "🙋 我来认领",
                                            grid_chat(grid))
            case _:
                return self.updates.message(who, "/mywishes")

    async def feed(self, update: dict[str, Any]) -> None:
        from aiogram.types import Update

        await self.dispatcher.feed_update(
            self.bot, Update.model_validate(update, context={"bot": self.bot}))

    async def close(self) -> None:
        await self.bot.session.close()


class GridLinkRunner(Runner):
    def __init__(self, api: str, token: str, database_url: str) -> None:
        self.api, self.token, self.database_url = api, token, database_url
        self.updates = Updates(bot_id=int(token.split(":")[0]))
        self.claimable: list[tuple[int, int]] = []  # (wish id, grid) not claimed yet
        self.seen_wish = 0
        self.anomalies = 0

    async def start(self) -> None:
        from bench.common import settings
        from bot.app import build, set_aside_startup_objects
        from bot.limits import Limits

        self.app = await build(settings(self.api, self.database_url,
                                        admin_ids=frozenset({ADMIN_ID}), token=self.token))
        # Measured here is the work, not Telegram's pace (bench.fanout measures the pace).
        self.app.sender.limits = Limits(**LIFTED_LIMITS)
        message = self.updates.message
        setup = [message(ADMIN_ID, "/bind street 阳光街道", STREET_CHAT),
                 message(ADMIN_ID, "/bind community 1 幸福社区", COMMUNITY_CHAT)]
        setup += [message(ADMIN_ID, f"/bind grid 2 第{g}网格", grid_chat(g))
                  for g in range(GRIDS)]
        # The mix posts more wishes an hour than the limits on people let through; limits this
        # high still count every wish, as a real grid's do.
        setup += [message(ADMIN_ID, f"/set {name} 1000", STREET_CHAT)
                  for name in ("person_wishes_per_hour", "group_wishes_per_hour")]
        for g in range(GRIDS):
            setup += [message(resident_id(g, n), "/start") for n in range(RESIDENTS_PER_GRID)]
            setup += [message(volunteer_id(g, n), "/start") for n in range(VOLUNTEERS_PER_GRID)]
            setup += [message(ADMIN_ID, f"/grant volunteer {volunteer_id(g, n)}", grid_chat(g))
                      for n in range(VOLUNTEERS_PER_GRID)]
        for update in setup:
            await self.feed(update)
        await self.app.sender.drain()
        self.grid_of_place = await self._grids()
        if len(self.grid_of_place) != GRIDS:
            raise SystemExit(f"set-up bound {len(self.grid_of_place)} grids, not {GRIDS}")
        set_aside_startup_objects()  # as serve() does once the bot is ready

    async def _grids(self) -> dict[int, int]:
        from sqlmodel import select

        from storage.models import Place, PlaceKind

        async with self.app.db.transaction() as session:
            rows = (await session.exec(select(Place.id, Place.chat_id)
                                       .where(Place.kind == PlaceKind.GRID))).all()
        chat_to_grid = {grid_chat(g): g for g in range(GRIDS)}
        return {place_id: chat_to_grid[chat_id] for place_id, chat_id in rows
                if place_id is not None and chat_id in chat_to_grid}

    def make(self, kind: str, workload: Workload) -> dict[str, Any]:
        from bot.callbacks import WishAction, WishCb

        grid, who = workload.someone()
        if kind == "claim" and not self.claimable:
            self.anomalies += 1  # a wish that should have been posted was not
            kind = "chatter"
        match kind:
            case "chatter":
                return self.updates.message(who, workload.text(CHATTER), grid_chat(grid))
            case "wish":
                return self.updates.message(who, "/wish " + workload.text(WISHES),
                                            grid_chat(grid))
            case "claim":
                wish_id, grid = self.claimable.pop(0)
                data = WishCb(action=WishAction.CLAIM, wish_id=wish_id).pack()
                return self.updates.press(workload.volunteer(grid), grid_chat(grid),
                                          100_000 + wish_id, data)
            case _:
                return self.updates.message(who, "/mywishes")

    async def feed(self, update: dict[str, Any]) -> None:
        from aiogram.types import Update

        await self.app.dispatcher.feed_update(
            self.app.bot, Update.model_validate(update, context={"bot": self.app.bot}))

    async def after_batch(self) -> None:
        await self.app.sender.drain()

    async def between_batches(self) -> None:
        from sqlmodel import col, select

        from storage.models import Wish

        async with self.app.db.transaction() as session:
            rows = (await session.exec(select(Wish.id, Wish.grid_id)
                                       .where(col(Wish.id) > self.seen_wish)
                                       .order_by(col(Wish.id)))).all()
        for wish_id, place_id in rows:
            self.claimable.append((wish_id or 0, self.grid_of_place[place_id]))
            self.seen_wish = max(self.seen_wish, wish_id or 0)

    async def finish(self) -> dict[str, Any]:
        from sqlmodel import func, select

        from storage import outbox
        from storage.models import Claim, FailedUpdate, OutboxState, Wish

        async with self.app.db.transaction() as session:
            wishes = (await session.exec(select(func.count()).select_from(Wish))).one()
            claims = (await session.exec(select(func.count()).select_from(Claim))).one()
            failed = (await session.exec(select(func.count()).select_from(FailedUpdate))).one()
        states = await outbox.counts(self.app.db)
        return {"wishes": wishes, "claims": claims, "failed_updates": failed,
                "outbox_unsent": sum(n for s, n in states.items() if s != OutboxState.SENT),
                "outbox_sent": states.get(OutboxState.SENT, 0), "anomalies": self.anomalies}

    async def close(self) -> None:
        await self.app.close()


async def drive(runner: Runner) -> dict[str, Any]:
    await runner.start()
    workload = Workload()
    busy = 0.0
    try:
        for first in range(0, WARMUP + UPDATES, BATCH):
            updates = [runner.make(kind, workload) for kind in workload.batch(BATCH)]
            started = time.perf_counter()
            await asyncio.gather(*(runner.feed(update) for update in updates))
            await runner.after_batch()
            if first >= WARMUP:
                busy += time.perf_counter() - started
            await runner.between_batches()
        report = await runner.finish()
    finally:
        await runner.close()
    return {"updates": UPDATES, "seconds": busy, "rate": UPDATES / busy,
            "kinds": dict(workload.done), "peak_rss_kb":
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, **report}


def child(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    runner: Runner = (EchoRunner(args.api, args.token) if args.role == "echo"
                      else GridLinkRunner(args.api, args.token, args.database_url))
    result = asyncio.run(drive(runner))
    print(json.dumps(result), flush=True)


# --- the parent: the fake server, the two children, the figures ------------------------------

async def run_child(role: str, api: str, token: str, database_url: str = "") -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.throughput", "--role", role, "--api", api,
        "--token", token, "--database-url", database_url,
        stdout=asyncio.subprocess.PIPE, cwd=PROJECT)
    stdout, _ = await process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"the {role} run failed (exit {process.returncode})")
    return dict(json.loads(stdout.decode().strip().splitlines()[-1]))


async def compare(database: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    from tests.fake_telegram import GOOD_TOKEN, FakeTelegram

    fake = FakeTelegram()
    api = await fake.start()
    echoes: list[dict[str, Any]] = []
    gridlinks: list[dict[str, Any]] = []
    try:
        for round_ in range(1, ROUNDS + 1):
            fake.clear()
            fake.messages.clear()
            echo = await run_child("echo", api, GOOD_TOKEN)
            echo["fake_calls"] = dict(Counter(c.method for c in fake.calls))
            echoes.append(echo)
            _show(f"round {round_}, echo", echo)
            fake.clear()
            fake.messages.clear()
            async with fresh_database(database, "throughput") as url:
                gridlink = await run_child("gridlink", api, GOOD_TOKEN, url)
            gridlink["fake_calls"] = dict(Counter(c.method for c in fake.calls))
            gridlinks.append(gridlink)
            _show(f"round {round_}, gridlink", gridlink)
    finally:
        await fake.stop()
    return echoes, gridlinks


def _show(label: str, result: dict[str, Any]) -> None:
    print(f"{label}: {result['updates']} updates in {result['seconds']:.2f} s = "
          f"{result['rate']:.1f}/s, peak RSS {result['peak_rss_kb'] / 1024:.1f} MiB", flush=True)
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(result["kinds"].items()))
    calls = ", ".join(f"{k} {v}" for k, v in sorted(result["fake_calls"].items()))
    print(f"    updates by kind (with the warm-up): {kinds}; Bot API calls: {calls}")
    checks = {k: result[k] for k in ("wishes", "claims", "outbox_sent", "outbox_unsent",
                                      "failed_updates", "anomalies") if k in result}
    if checks:
        print("    " + ", ".join(f"{k} {v}" for k, v in checks.items()), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=DATABASES, default="sqlite")
    parser.add_argument("--role", choices=("gridlink", "echo"), help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role:
        child(args)
        return
    heading(f"GridLink against an echo bot, {UPDATES:,} updates each after {WARMUP} to warm up, "
            f"batches of {BATCH} ({args.database})")
    echoes, gridlinks = asyncio.run(compare(args.database))
    problems = [f"{k}={g[k]}" for g in gridlinks
                for k in ("failed_updates", "outbox_unsent", "anomalies") if g.get(k)]
    problems += [f"{g[k]} {k} for {g['kinds'].get(kind, 0)} {kind} updates" for g in gridlinks
                 for k, kind in (("wishes", "wish"), ("claims", "claim"))
                 if g[k] != g["kinds"].get(kind, 0)]
    if problems:
        print("GridLink did not do all its work: " + ", ".join(problems))
    echo_rate = median([e["rate"] for e in echoes])
    gridlink_rate = median([g["rate"] for g in gridlinks])
    echo_rss = median([e["peak_rss_kb"] for e in echoes])
    gridlink_rss = median([g["peak_rss_kb"] for g in gridlinks])
    print(f"median rate: GridLink {gridlink_rate:.1f}/s, echo {echo_rate:.1f}/s "
          f"(floor {GOALS[args.database]})")
    print(f"median peak RSS: GridLink {gridlink_rss / 1024:.1f} MiB, echo "
          f"{echo_rss / 1024:.1f} MiB (at most {RSS_GOAL})")
    print(figure("throughput_ratio", gridlink_rate / echo_rate))
    print(figure("rss_ratio", gridlink_rss / echo_rss))


if __name__ == "__main__":
    main()
