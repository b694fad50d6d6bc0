"""Three GridLink instances behind one webhook address, one of them killed mid-run.

    .venv/bin/python -m bench.instances

Starts what a district runs: PostgreSQL and Redis (the project's scripts, as `make test` does),
the fake Bot API, and `python -m bot` in webhook mode as separate processes, behind a
round-robin front (a small proxy here, as a load balancer would be) that passes a request to
the next instance when one does not answer. A Telegram of this bench delivers the updates to
the front as Telegram does: up to 40 requests at once, and a request that failed is delivered
again a moment later. The people and places are those of bench.district's small database.

1. Throughput: 1,500 updates of the throughput mix (chatter, /wish, Claim, /mywishes) as fast
   as the front takes them, to one instance and then to three (each time on a fresh copy of
   the database, Telegram's limits off as in bench.throughput): `instances_throughput_ratio`
   = three ÷ one, in updates handled per second (goal ≥ 1.5).
2. A steady run with Telegram's limits enforced by the fake Bot API: the mix at
   STEADY_RATE updates a second for STEADY_S seconds to three instances; one is killed with
   SIGKILL a third of the way in and started again 10 seconds later. Printed:
   `instances_lost` (updates never taken in, /wish without a card, Claim never answered),
   `instances_duplicated` (a card posted twice to a chat, a Claim answered twice),
   `instances_redelivered` (counted apart: a Claim the killed instance had answered just
   before it was killed, answered again by the instance that took the update over, the
   at-least-once README describes), `instances_429s` (sends the fake Bot API refused),
   `instances_taken_over` (updates the killed instance was handling, handled by another:
   bot.inflight) and `instances_p99_ms` (from an update handed to the front to the claim's
   answer or the wish's card).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench import district_data as data
from bench.common import PROJECT, figure, heading, postgres_server_url
from bench.district import (
    Feeder,
    Population,
    answers,
    failed_updates,
    p99,
    population,
    timed_telegram,
    wishes_of,
)

SECRET = "bench-instances-secret"
DELIVERING_AT_ONCE = 40  # Telegram's default max_connections for a webhook
REDELIVER_S = 0.5
THROUGHPUT_UPDATES = 1_500
WARM_UP_UPDATES = 500  # untimed, before them
STEADY_RATE, STEADY_S = 8, 60  # 10 grids' groups stay within 20 messages a minute each
KILL_AT_S, DOWN_S = 20, 10
TAKEN_OVER = re.compile(rb"update (\d+) was not finished where it was taken in")  # bot.inflight
CATCH_UP_S = 300
READY_S = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def started(script: str) -> str:
    """Start the throwaway server of ``scripts/<script>`` (as `make test` does); its URL."""
    line = subprocess.run([f"scripts/{script}"], cwd=PROJECT, check=True,
                          capture_output=True, text=True).stdout.strip()
    return line.split("=", 1)[1].strip("'")


class Instance:
    """`python -m bot` in webhook mode on a port of its own."""

    def __init__(self, number: int, env: dict[str, str], *, limits: bool = True) -> None:
        self.number = number
        self.module = "bot" if limits else "bench.unlimited_bot"
        self.port = free_port()
        self.env = {**env, "GRIDLINK_PORT": str(self.port)}
        self.log = os.path.join(tempfile.gettempdir(), f"gridlink-instance-{number}.log")
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, session: Any) -> None:
        with open(self.log, "ab") as log:  # noqa: ASYNC230 (a moment; the child keeps a copy)
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", self.module, cwd=PROJECT, env=self.env,
                stdout=asyncio.subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + READY_S
        while time.monotonic() < deadline:
            if self.process.returncode is not None:
                raise SystemExit(f"instance {self.number} stopped; its log: {self.log}")
            try:
                async with session.get(f"{self.url}/healthz") as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            await asyncio.sleep(0.2)
        raise SystemExit(f"instance {self.number} did not answer /healthz")

    async def handled(self, session: Any) -> float:
        async with session.get(f"{self.url}/metrics") as response:
            for line in (await response.text()).splitlines():
                if line.startswith("gridlink_updates_handled_total "):
                    return float(line.split()[1])
        return 0.0

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()

    def log_size(self) -> int:
        return os.path.getsize(self.log) if os.path.exists(self.log) else 0

    def taken_over_since(self, size: int) -> set[int]:
        """Updates this instance took over from another since its log had ``size`` bytes."""
        with open(self.log, "rb") as log:
            log.seek(size)
            return {int(found) for found in TAKEN_OVER.findall(log.read())}

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


class Front:
    """Round robin over the instances; the next one when one cannot be reached."""

    def __init__(self, instances: list[Instance], session: Any) -> None:
        self.instances = instances
        self.session = session
        self.turn = itertools.count()
        self.port = free_port()
        self.runner: Any = None

    async def start(self) -> str:
        from aiohttp import web

        app = web.Application()
        app.router.add_post("/telegram", self.forward)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return f"http://127.0.0.1:{self.port}"

    async def forward(self, request: Any) -> Any:
        from aiohttp import ClientError, web

        body = await request.read()
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() in ("content-type", "x-telegram-bot-api-secret-token")}
        for _ in range(len(self.instances)):
            instance = self.instances[next(self.turn) % len(self.instances)]
            try:
                async with self.session.post(f"{instance.url}/telegram", data=body,
                                             headers=headers) as answer:
                    return web.Response(status=answer.status, body=await answer.read())
            except (ClientError, OSError):
                continue  # that one is down: the next
        return web.Response(status=502, text="no instance answers")

    async def stop(self) -> None:
        await self.runner.cleanup()


@dataclass
class Telegram:
    """Delivers updates to the webhook address as Telegram does, again after a failure."""

    front: str
    session: Any
    queue: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    handed: dict[int, float] = field(default_factory=dict)  # update id → first delivery
    redelivered: int = 0

    async def run(self) -> None:
        await asyncio.gather(*(self._worker() for _ in range(DELIVERING_AT_ONCE)))

    async def _worker(self) -> None:
        while True:
            update = await self.queue.get()
            try:
                if not await self._deliver(update):
                    self.redelivered += 1
                    await asyncio.sleep(REDELIVER_S)
                    self.queue.put_nowait(update)
            finally:
                self.queue.task_done()

    async def _deliver(self, update: dict[str, Any]) -> bool:
        self.handed.setdefault(update["update_id"], time.monotonic())
        try:
            async with self.session.post(
                    f"{self.front}/telegram", json=update,
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
                return response.status == 200
        except OSError:
            return False


class WebhookFeeder(Feeder):
    """bench.district's steady feeder, delivering through this bench's Telegram."""

    def __init__(self, fake: Any, people: Population, phase: str, telegram: Telegram) -> None:
        super().__init__(fake, people, phase)
        self.telegram = telegram
        fake.queue_update = telegram.queue.put_nowait  # what the feeder hands over goes out
        self.update_of_press: dict[str, int] = {}  # callback query id → its update's id

    def next_update(self) -> tuple[str, dict[str, Any]]:
        kind, update = super().next_update()
        if kind == "claim":
            self.update_of_press[update["callback_query"]["id"]] = update["update_id"]
        return kind, update


def cpu_seconds() -> Counter[str]:
    """CPU seconds used so far by the instances, PostgreSQL, Redis and this harness (Linux's
    /proc; the others on the machine are left out)."""
    used: Counter[str] = Counter()
    tick = os.sysconf("SC_CLK_TCK")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        program = os.path.basename(command.split(" ", 1)[0])
        if int(pid) == os.getpid():
            part = "harness"
        elif " -m bot" in command or "bench.unlimited_bot" in command:
            part = "instances"
        elif program.startswith("postgres"):  # the server and its backends ("postgres: …")
            part = "PostgreSQL"
        elif program.startswith("redis"):
            part = "Redis"
        else:
            continue
        used[part] += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return used


def cores_busy(before: Counter[str], after: Counter[str], seconds: float) -> str:
    parts = {part: (after[part] - before[part]) / seconds
             for part in ("instances", "PostgreSQL", "Redis", "harness")}
    busy = ", ".join(f"{part} {cores:.2f}" for part, cores in parts.items())
    return f"cores busy: {busy}; together {sum(parts.values()):.2f} of {os.cpu_count()}"


async def handled_by_all(instances: list[Instance], session: Any) -> float:
    counts = await asyncio.gather(*(i.handled(session) for i in instances),
                                  return_exceptions=True)
    return sum(c for c in counts if isinstance(c, float))


async def environment(api: str, token: str, url: str, redis: str, front: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("GRIDLINK_")}
    return {**keep, "GRIDLINK_BOT_TOKEN": token, "GRIDLINK_TELEGRAM_API_URL": api,
            "GRIDLINK_DATABASE_URL": url, "GRIDLINK_REDIS_URL": redis,
            "GRIDLINK_MODE": "webhook", "GRIDLINK_WEBHOOK_URL": front,
            "GRIDLINK_WEBHOOK_SECRET": SECRET, "GRIDLINK_HOST": "127.0.0.1",
            "GRIDLINK_SWEEP_SECONDS": "3600"}


@dataclass
class Run:
    fake: Any
    instances: list[Instance]
    telegram: Telegram
    front: Front
    url: str


async def start_run(session: Any, count: int, redis: str, *, limits: bool) -> Run:
    from redis.asyncio import Redis

    from tests.fake_telegram import RateLimits

    async with Redis.from_url(redis) as fresh:  # no windows or forms left by the run before
        await fresh.flushdb()
    kept = await data.cached("postgresql", data.SMALL)
    url = await data.copy_of("postgresql", kept, f"instances{count}")
    fake = timed_telegram()
    fake.limits = RateLimits() if limits else None
    api = await fake.start()
    instances: list[Instance] = []
    front = Front(instances, session)
    address = await front.start()
    env = await environment(api, fake.token, url, redis, address)
    instances.extend(Instance(n, env, limits=limits) for n in range(count))
    for instance in instances:  # one after another: the first migrates nothing (a copy)
        await instance.start(session)
    telegram = Telegram(address, session)
    return Run(fake, instances, telegram, front, url)


async def end_run(run: Run) -> None:
    await asyncio.gather(*(i.stop() for i in run.instances))
    await run.front.stop()
    await run.fake.stop()
    await data.drop("postgresql", run.url)


async def feed_and_wait(run: Run, feeder: WebhookFeeder, session: Any, updates: int) -> None:
    """Hand ``updates`` of the mix to Telegram as fast as it delivers them, and wait until the
    instances have handled them all."""
    before = await handled_by_all(run.instances, session)
    for _ in range(updates):
        kind, update = feeder.next_update()
        run.telegram.queue.put_nowait(update)
        feeder.fed.kinds[kind] += 1
        if run.telegram.queue.qsize() > 4 * DELIVERING_AT_ONCE:
            await asyncio.sleep(0.01)  # claims need cards the instances posted meanwhile
    while await handled_by_all(run.instances, session) - before < updates:  # noqa: ASYNC110
        await asyncio.sleep(0.1)


async def throughput(session: Any, count: int, redis: str) -> float:
    """Updates handled per second by ``count`` instances, fed as fast as they take them, once
    each has warmed up as a running instance has (its connections opened, their statements
    prepared, its caches filled)."""
    from storage.db import Database

    run = await start_run(session, count, redis, limits=False)
    delivering = asyncio.create_task(run.telegram.run())
    try:
        db = Database(run.url)
        try:
            people = await population(db)
        finally:
            await db.dispose()
        feeder = WebhookFeeder(run.fake, people, "steady", run.telegram)
        await feed_and_wait(run, feeder, session, WARM_UP_UPDATES)
        started, cpu_before = time.monotonic(), cpu_seconds()
        await feed_and_wait(run, feeder, session, THROUGHPUT_UPDATES)
        took = time.monotonic() - started
        rate, busy = THROUGHPUT_UPDATES / took, cores_busy(cpu_before, cpu_seconds(), took)
    finally:
        delivering.cancel()
        await end_run(run)
    print(f"throughput, {count} instance{'s' if count > 1 else ''}: {rate:.1f} updates/s "
          f"(fed {dict(feeder.fed.kinds)}); {busy}", flush=True)
    return rate


@dataclass
class Twice:
    cards: int  # a wish's card posted twice to one chat
    answers: int  # a Claim answered twice
    taken_over: int  # of those answers, the Claims a killed instance had answered (README)


def duplicates(fake: Any, feeder: WebhookFeeder, taken_over: set[int]) -> Twice:
    """Cards posted twice for one wish to one chat (its grid's group, or a volunteer it was
    matched with), and Claims answered twice: those the killed instance had answered just
    before and another answered again once it took the update over are counted apart."""
    cards: Counter[tuple[int, str]] = Counter()
    answered: Counter[str] = Counter()
    for call in list(fake.calls):
        if call.method == "answerCallbackQuery":
            answered[str(call.params.get("callback_query_id"))] += 1
        elif call.method == "sendMessage" and isinstance(call.result, dict):
            for button in call.buttons():
                data_ = str(button.get("callback_data", ""))
                if data_.startswith("w:c:"):
                    cards[int(data_.split(":")[2]), str(call.params.get("chat_id"))] += 1
    again = {press: n - 1 for press, n in answered.items() if n > 1}
    return Twice(cards=sum(n - 1 for n in cards.values() if n > 1),
                 answers=sum(again.values()),
                 taken_over=sum(n for press, n in again.items()
                                if feeder.update_of_press.get(press) in taken_over))


async def steady_with_a_kill(session: Any, redis: str) -> dict[str, Any]:
    from storage.db import Database

    run = await start_run(session, 3, redis, limits=True)
    delivering = asyncio.create_task(run.telegram.run())
    try:
        db = Database(run.url)
        try:
            people = await population(db)
            feeder = WebhookFeeder(run.fake, people, "steady", run.telegram)
            victim = run.instances[1]
            log_sizes = [instance.log_size() for instance in run.instances]

            async def kill_and_restart() -> None:
                await asyncio.sleep(KILL_AT_S)
                victim.kill()
                print(f"instance 1 killed at {KILL_AT_S} s", flush=True)
                await asyncio.sleep(DOWN_S)
                await victim.start(session)
                print("instance 1 started again", flush=True)

            chaos = asyncio.create_task(kill_and_restart())
            await feeder.feed(STEADY_RATE, STEADY_S)
            await chaos
            started = time.monotonic()
            await run.telegram.queue.join()
            while time.monotonic() - started < CATCH_UP_S:
                answered = answers(run.fake, feeder.fed, await wishes_of(db, feeder.fed))
                if not answered.claims_unanswered and not answered.wishes_without_card:
                    break
                await asyncio.sleep(1)
            answered = answers(run.fake, feeder.fed, await wishes_of(db, feeder.fed))
            failed, never = await failed_updates(db, feeder.fed)
            taken_over = set().union(*(
                instance.taken_over_since(size)
                for instance, size in zip(run.instances, log_sizes, strict=True)))
        finally:
            await db.dispose()
        twice = duplicates(run.fake, feeder, taken_over)
        refused = run.fake.limits.refused
    finally:
        delivering.cancel()
        await end_run(run)
    latencies = answered.claim_ms + answered.card_ms
    print(f"steady: fed {dict(feeder.fed.kinds)}; delivered again {run.telegram.redelivered}; "
          f"failed {failed}, never taken in {never}, claims unanswered "
          f"{answered.claims_unanswered}, wishes without a card {answered.wishes_without_card}, "
          f"cards twice {twice.cards}, claims answered twice {twice.answers} (of them "
          f"{twice.taken_over} taken over); taken over from the killed instance "
          f"{len(taken_over)}; "
          f"median {statistics.median(latencies):.0f} ms", flush=True)
    return {"lost": never + answered.claims_unanswered + answered.wishes_without_card,
            "failed": failed, "duplicated": twice.cards + twice.answers - twice.taken_over,
            "redelivered": twice.taken_over, "429s": refused,
            "taken_over": len(taken_over), "p99_ms": p99(latencies)}


async def measure() -> None:
    import aiohttp

    os.environ["GRIDLINK_TEST_POSTGRES_URL"] = started("test-postgres.sh")
    redis = started("test-redis.sh")
    print(f"PostgreSQL {postgres_server_url()}, Redis {redis}", flush=True)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        one = await throughput(session, 1, redis)
        three = await throughput(session, 3, redis)
        steady = await steady_with_a_kill(session, redis)
    print(figure("instances_throughput_ratio", three / one))
    print(figure("instances_lost", steady["lost"]))
    print(figure("instances_failed_updates", steady["failed"]))
    print(figure("instances_duplicated", steady["duplicated"]))
    print(figure("instances_429s", steady["429s"]))
    print(figure("instances_redelivered", steady["redelivered"]))
    print(figure("instances_taken_over", steady["taken_over"]))
    print(figure("instances_p99_ms", steady["p99_ms"], 0))


def main() -> None:
    heading("three webhook instances on PostgreSQL and Redis, one killed mid-run")
    asyncio.run(measure())


if __name__ == "__main__":
    main()
