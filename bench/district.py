"""District: the throughput mix on a small database and on a district's, in one run.

    .venv/bin/python -m bench.district [--database sqlite|postgresql]

The district (2,010 places, 500,000 people, a million wishes and what three years of them
leave behind: see bench.district_data) is filled once and kept (SQLite: under the system's
temporary folder, `gridlink-district/`; PostgreSQL: a database `gridlink_district_v<N>` on the
bench's server). Each run works on a copy of it, and of a small database filled by the same
code, and measures:

1. The mix of bench.throughput (chatter 40 %, /wish 25 %, Claim 15 %, /mywishes 20 %) in ten
   grids of each database, fed in batches as fast as the bot takes them, twice on each,
   alternately: `district_cost_ratio` = district ÷ small median updates per second (goal
   ≥ 0.8).
2. The same mix on the district at a steady 20 updates a second, through polling as in
   production (`python -m bot`'s own serve): the 99th percentile, from the moment an update is
   handed to the fake Bot API to the moment the bot's answer to it arrives there, of a claim's
   answer and of a new wish's card (`district_p99_ms_claim_answer` ≤ 300,
   `district_p99_ms_card` ≤ 1,500).
3. 100 updates a second for 60 seconds, then as long as the bot needs to catch up:
   `overload_failed_updates` (an update that failed or was never taken in) and
   `overload_lost_cards` (a /wish with no card in its group), both goal 0.
4. Two passes of the sweep that read much: the honour rolls of all 1,900 grids on the first
   of a month (`district_honour_rolls_s`), and the retention's first walk of a million sent
   messages after a start (`district_retention_pass_s`). The bot's loop waits for neither on
   PostgreSQL, but on SQLite each statement holds it.

Telegram's own limits are off here (as in bench.throughput): measured is the bot's work, not
Telegram's pace (bench.fanout measures that).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import re
import resource
import signal
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench import district_data as data
from bench.common import DATABASES, LIFTED_LIMITS, PROJECT, figure, heading
from bench.throughput import BATCH, CHATTER, KINDS, WEIGHTS, WISHES, GridLinkRunner, Updates
from bench.throughput import Workload as MixWorkload
from bench.throughput import drive as drive_mix

MIX_GRIDS = 10
MIX_ROUNDS = 2  # small and district alternately; the medians are compared
RESIDENTS_PER_GRID = 40
STEADY_RATE, STEADY_WARMUP_S, STEADY_S = 20, 10, 60
OVERLOAD_RATE, OVERLOAD_S = 100, 60
CATCH_UP_S = 300  # at most, after the feeding stops, for the bot to finish what it was given
# Update and message ids of each phase, far from each other and from the filled data's.
FIRST_IDS = {"steady": 1_000_000, "overload": 2_000_000}
GOALS = {"district_cost_ratio": 0.8, "claim_answer": 300, "card": 1_500}
STATEMENTS = "GRIDLINK_BENCH_STATEMENTS"  # set: the mix reports where its statements spend time


def peak_rss_kb() -> int:
    """This process's own peak memory (getrusage would count the parent's before the exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# --- who takes part in the mix -----------------------------------------------------------

@dataclass
class Population:
    grids: list[tuple[int, int]]  # (place id, chat id) of the mix's grids
    volunteers: dict[int, list[int]]  # grid index → approved volunteers serving it
    persons: int  # people in the database

    def resident(self, grid: int, n: int) -> int:
        """Residents of the mix, the same in both databases: people of the second half of
        the people filled (staff and volunteers come first)."""
        return data.person_id(self.persons // 2 + grid * RESIDENTS_PER_GRID + n)


async def population(db: Any) -> Population:
    from sqlmodel import col, func, select

    from storage.models import Person, Place, PlaceKind, Volunteer, VolunteerGrid

    async with db.transaction() as session:
        grids = (await session.exec(select(Place.id, Place.chat_id).where(
            Place.kind == PlaceKind.GRID).order_by(col(Place.id)))).all()
        chosen = [grids[i * len(grids) // MIX_GRIDS] for i in range(MIX_GRIDS)]
        volunteers: dict[int, list[int]] = {}
        for index, (place_id, _chat) in enumerate(chosen):
            volunteers[index] = list((await session.exec(
                select(Volunteer.person_id)
                .join(VolunteerGrid, col(VolunteerGrid.person_id) == col(Volunteer.person_id))
                .where(VolunteerGrid.grid_id == place_id, Volunteer.status == "approved")
                .order_by(col(Volunteer.person_id)))).all())
        persons = (await session.exec(select(func.count()).select_from(Person))).one()
    empty = [i for i, found in volunteers.items() if not found]
    if empty:
        raise SystemExit(f"grids {empty} of the mix have no approved volunteer")
    return Population([(p or 0, c or 0) for p, c in chosen], volunteers, persons)


class Choices:
    """The mix's random choices of who, where and what."""

    def __init__(self, workload: MixWorkload, people: Population) -> None:
        self.rng = workload.rng
        self.people = people

    def grid(self) -> int:
        return self.rng.randrange(MIX_GRIDS)

    def resident(self, grid: int) -> int:
        return self.people.resident(grid, self.rng.randrange(RESIDENTS_PER_GRID))

    def volunteer(self, grid: int) -> int:
        return self.rng.choice(self.people.volunteers[grid])

    def text(self, choices: tuple[str, ...]) -> str:
        return f"{self.rng.choice(choices)} ({self.rng.randrange(10_000)})"


def message_for(kind: str, choices: Choices, updates: Updates) -> dict[str, Any]:
    """A chatter, /wish or /mywishes update of the mix."""
    grid = choices.grid()
    chat = choices.people.grids[grid][1]
    who = choices.resident(grid)
    match kind:
        case "wish":
            return updates.message(who, "/wish " + choices.text(WISHES), chat)
        case "mywishes":
            return updates.message(who, "/mywishes")
        case _:
            return updates.message(who, choices.text(CHATTER), chat)


# --- 1. the mix as fast as it goes (bench.throughput's driver) ---------------------------

class Statements:
    """Time spent in each statement (the same SQL with any number of values in a list counts
    as one), and the plan of the slowest run of each."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.engine = engine
        self.spent: dict[str, list[float]] = {}
        self.slowest: dict[str, tuple[float, str, Any]] = {}
        event.listen(engine.sync_engine, "before_cursor_execute", self._before)
        event.listen(engine.sync_engine, "after_cursor_execute", self._after)

    @staticmethod
    def _before(conn: Any, _cursor: Any, _sql: str, _params: Any, _context: Any,
                _many: bool) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, conn: Any, _cursor: Any, sql: str, params: Any, _context: Any,
               many: bool) -> None:
        took = time.perf_counter() - conn.info["bench_started"].pop()
        key = re.sub(r"(\?|\$\d+)(, (\?|\$\d+))+", "…", " ".join(sql.split()))
        spent = self.spent.setdefault(key, [0, 0.0])
        spent[0] += 1
        spent[1] += took
        if not many and took > self.slowest.get(key, (0.0, "", None))[0]:
            self.slowest[key] = (took, sql, params)

    async def top(self, count: int) -> list[dict[str, Any]]:
        explain = ("EXPLAIN QUERY PLAN " if self.engine.dialect.name == "sqlite"
                   else "EXPLAIN (ANALYZE, COSTS OFF) ")
        found = []
        ranked = sorted(self.spent.items(), key=lambda item: -item[1][1])[:count]
        for key, (calls, total) in ranked:
            plan: list[str] = []
            _took, sql, params = self.slowest.get(key, (0.0, "", None))
            if sql.lstrip().upper().startswith("SELECT"):
                async with self.engine.connect() as connection:
                    rows = (await connection.exec_driver_sql(explain + sql, params)).all()
                    plan = [str(row[-1]) for row in rows]
            found.append({"sql": key[:300], "calls": calls, "total_ms": total * 1000,
                          "plan": plan})
        return found


class MixRunner(GridLinkRunner):
    """bench.throughput's GridLink runner in the grids of a filled database: no set-up, the
    people who are already there, and only this run's rows counted at the end."""

    statements: Statements | None = None

    async def start(self) -> None:
        from bench.common import settings
        from bot.app import build, set_aside_startup_objects

        self.app = await build(settings(self.api, self.database_url, token=self.token))
        self.app.sender.limits = unlimited()
        if os.environ.get(STATEMENTS):
            self.statements = Statements(self.app.db.engine)
        self.people = await population(self.app.db)
        self.grid_of_place = {place: i for i, (place, _chat) in enumerate(self.people.grids)}
        self.seen_wish = self.first_wish = await last_wish(self.app.db)
        self.choices: Choices | None = None
        set_aside_startup_objects()

    def make(self, kind: str, workload: MixWorkload) -> dict[str, Any]:
        from bot.callbacks import WishAction, WishCb

        if self.choices is None:
            self.choices = Choices(workload, self.people)
        if kind == "claim" and not self.claimable:
            self.anomalies += 1
            kind = "chatter"
        if kind != "claim":
            return message_for(kind, self.choices, self.updates)
        wish_id, grid = self.claimable.pop(0)
        data_ = WishCb(action=WishAction.CLAIM, wish_id=wish_id).pack()
        return self.updates.press(self.choices.volunteer(grid), self.people.grids[grid][1],
                                  100_000 + wish_id, data_)

    async def finish(self) -> dict[str, Any]:
        from sqlmodel import col, func, select

        from storage.models import Claim, FailedUpdate, OutboxMessage, OutboxState, Wish

        async with self.app.db.transaction() as session:
            wishes = (await session.exec(select(func.count()).select_from(Wish).where(
                col(Wish.id) > self.first_wish))).one()
            claims = (await session.exec(select(func.count()).select_from(Claim).where(
                col(Claim.wish_id) > self.first_wish))).one()
            failed = (await session.exec(select(func.count()).select_from(FailedUpdate))).one()
            unsent = (await session.exec(select(func.count()).select_from(OutboxMessage).where(
                col(OutboxMessage.state).in_([OutboxState.PENDING, OutboxState.SENDING])))).one()
        top = await self.statements.top(12) if self.statements else []
        return {"wishes": wishes, "claims": claims, "failed_updates": failed,
                "outbox_unsent": unsent, "anomalies": self.anomalies, "statements": top,
                "peak_rss_kb": peak_rss_kb()}


def unlimited() -> Any:
    from bot.limits import Limits

    return Limits(**LIFTED_LIMITS)


async def last_wish(db: Any) -> int:
    from sqlmodel import func, select

    from storage.models import Wish

    async with db.transaction() as session:
        return int((await session.exec(select(func.max(Wish.id)))).one() or 0)


# --- 2 and 3. the bot as it runs, fed at a steady rate -----------------------------------

async def serve_until_stopped(args: argparse.Namespace) -> None:
    """The bot as `python -m bot` runs it (polling, the sender, the scheduler), until SIGTERM;
    then its peak memory on stdout."""
    from bench.common import settings
    from bot.app import build, serve

    app = await build(settings(args.api, args.database_url, token=args.token)
                      .model_copy(update={"sweep_seconds": 3600}))
    app.sender.limits = unlimited()
    try:
        await serve(app)
    finally:
        await app.close()
    print(json.dumps({"peak_rss_kb": peak_rss_kb()}), flush=True)


async def sweep_parts(args: argparse.Namespace) -> None:
    """Time the honour rolls of every grid on the first of next month, and the retention's
    first pass; print the seconds as JSON."""
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from bench.common import settings
    from bot.app import build
    from bot.jobs import _honour_notices
    from storage import hours
    from storage.retention import Retention

    app = await build(settings(args.api, args.database_url, token=args.token))
    try:
        local = datetime.now(ZoneInfo("Asia/Shanghai"))
        first = (local.replace(day=1) + timedelta(days=32)).replace(day=1, hour=9, minute=30)
        started = time.perf_counter()
        posted = await hours.honour_rolls(
            app.db, now=first.astimezone(UTC),
            notify=lambda *values: _honour_notices(app.messenger, *values))
        honour = time.perf_counter() - started
        started = time.perf_counter()
        erased = await Retention().sweep(app.db, now=datetime.now(UTC))
        retention = time.perf_counter() - started
    finally:
        await app.close()
    print(json.dumps({"honour_s": honour, "honour_posted": posted, "retention_s": retention,
                      "retention": erased}), flush=True)


def timed_telegram() -> Any:
    from tests.fake_telegram import FakeTelegram, _ok

    class Stamped(list):  # type: ignore[type-arg]
        """The fake's calls, each with the moment it arrived."""

        def __init__(self) -> None:
            super().__init__()
            self.at: dict[int, float] = {}

        def append(self, call: Any) -> None:
            self.at[id(call)] = time.monotonic()
            super().append(call)

    class TimedTelegram(FakeTelegram):
        """The tests' fake Bot API that stamps each call and, as Telegram does, hands out at
        most ``limit`` (100) updates to each getUpdates."""

        def __init__(self) -> None:
            super().__init__()
            self.calls = Stamped()
            self.polled = asyncio.Event()

        async def _m_getUpdates(self, params: dict[str, Any]) -> Any:
            self.polled.set()
            limit = int(params.get("limit") or 100)
            deadline = time.monotonic() + min(float(params.get("timeout", 0) or 0), 1.0)
            updates: list[dict[str, Any]] = []
            while not updates:
                while not self._updates.empty() and len(updates) < limit:
                    updates.append(self._updates.get_nowait())
                if updates or time.monotonic() >= deadline:
                    break
                await asyncio.sleep(0.005)
            return _ok(updates)

    return TimedTelegram()


@dataclass
class Fed:
    """What the bench handed to the fake Bot API, and when (monotonic seconds)."""

    kinds: Counter[str] = field(default_factory=Counter)
    claims: dict[str, float] = field(default_factory=dict)  # callback query id → when
    wishes: dict[tuple[int, int], float] = field(default_factory=dict)  # (chat, message) → when
    counted_after: float = 0.0  # only what was handed over after this counts for latency
    update_ids: list[int] = field(default_factory=list)


class Feeder:
    """Hands updates of the mix to the fake Bot API at a steady rate; claims press the cards
    the bot has posted for this phase's wishes."""

    def __init__(self, fake: Any, people: Population, phase: str) -> None:
        self.fake = fake
        self.people = people
        # Not the throughput mix's own sequence, which the first part of the run used: the
        # same person with the same words within ten minutes would be told to wait.
        self.workload = MixWorkload(rng=random.Random(f"{phase}"))
        self.choices = Choices(self.workload, people)
        self.updates = Updates(bot_id=int(fake.token.split(":")[0]))
        self.updates.next_update = self.updates.next_message = FIRST_IDS[phase]
        self.fed = Fed()
        self.pressed: set[int] = set()
        self.read = 0  # the fake's calls already looked at for new cards
        self.cards: list[tuple[int, int, int]] = []  # (wish id, grid, card message id)
        self.chat_grid = {chat: i for i, (_place, chat) in enumerate(people.grids)}
        self.wish_of_message: dict[tuple[int, int], int] = {}

    def _new_cards(self) -> None:
        calls = self.fake.calls
        while self.read < len(calls):
            call = calls[self.read]
            self.read += 1
            grid = self.chat_grid.get(call.chat_id or 0)
            if call.method != "sendMessage" or grid is None or not isinstance(call.result, dict):
                continue
            for button in call.buttons():
                data_ = str(button.get("callback_data", ""))
                if data_.startswith("w:c:"):
                    wish_id = int(data_.split(":")[2])
                    if wish_id not in self.pressed:
                        self.pressed.add(wish_id)
                        self.cards.append((wish_id, grid, call.message_id))

    def next_update(self) -> tuple[str, dict[str, Any]]:
        self._new_cards()
        kind = self.workload.rng.choices(KINDS, WEIGHTS)[0]
        if kind == "claim" and not self.cards:
            kind = "chatter"
        if kind != "claim":
            return kind, message_for(kind, self.choices, self.updates)
        wish_id, grid, card = self.cards.pop(0)
        chat = self.people.grids[grid][1]
        update = self.updates.press(self.choices.volunteer(grid), chat, card,
                                    f"w:c:{wish_id}")
        message = self.fake.messages.get((chat, card))
        if message is not None:
            update["callback_query"]["message"] = message
        return kind, update

    async def feed(self, rate: float, seconds: float, *, counted_after: float = 0.0) -> None:
        started = time.monotonic()
        self.fed.counted_after = started + counted_after
        total = int(rate * seconds)
        for n in range(total):
            due = started + n / rate
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            kind, update = self.next_update()
            now = time.monotonic()
            self.fake.queue_update(update)
            self.fed.kinds[kind] += 1
            self.fed.update_ids.append(update["update_id"])
            if kind == "claim":
                self.fed.claims[update["callback_query"]["id"]] = now
            elif kind == "wish":
                message = update["message"]
                self.fed.wishes[(message["chat"]["id"], message["message_id"])] = now


@dataclass
class Answered:
    claim_ms: list[float]
    card_ms: list[float]
    claims_unanswered: int
    wishes_without_card: int


def answers(fake: Any, fed: Fed, wish_source: dict[tuple[int, int], int]) -> Answered:
    """How long each claim waited for its answer and each wish for its card."""
    at = fake.calls.at
    answered: dict[str, float] = {}
    card_at: dict[int, float] = {}
    for call in list(fake.calls):
        if call.method == "answerCallbackQuery":
            answered.setdefault(str(call.params.get("callback_query_id")), at[id(call)])
        elif call.method == "sendMessage" and isinstance(call.result, dict):
            for button in call.buttons():
                data_ = str(button.get("callback_data", ""))
                if data_.startswith("w:c:"):
                    card_at.setdefault(int(data_.split(":")[2]), at[id(call)])
    claim_ms = [(answered[q] - t) * 1000 for q, t in fed.claims.items()
                if q in answered and t >= fed.counted_after]
    card_ms: list[float] = []
    missing = 0
    for source, t in fed.wishes.items():
        wish_id = wish_source.get(source)
        if wish_id is None or wish_id not in card_at:
            missing += 1
        elif t >= fed.counted_after:
            card_ms.append((card_at[wish_id] - t) * 1000)
    return Answered(claim_ms, card_ms, sum(q not in answered for q in fed.claims), missing)


async def wishes_of(db: Any, fed: Fed) -> dict[tuple[int, int], int]:
    """The wish each fed /wish became (by the message it came from)."""
    from sqlmodel import col, select

    from storage.models import Wish

    keys = {f"msg:{chat}:{message}": (chat, message) for chat, message in fed.wishes}
    found: dict[tuple[int, int], int] = {}
    async with db.transaction() as session:
        for first in range(0, len(keys), 500):
            batch = list(keys)[first:first + 500]
            for wish_id, key in (await session.exec(select(Wish.id, Wish.source_key).where(
                    col(Wish.source_key).in_(batch)))).all():
                found[keys[key or ""]] = wish_id or 0
    return found


async def failed_updates(db: Any, fed: Fed) -> tuple[int, int]:
    """Fed updates kept as failed, and fed updates never taken in."""
    from sqlmodel import col, func, select

    from storage.models import FailedUpdate, ProcessedUpdate

    first, last = min(fed.update_ids), max(fed.update_ids)
    async with db.transaction() as session:
        failed = (await session.exec(select(func.count()).select_from(FailedUpdate).where(
            col(FailedUpdate.update_id).between(first, last)))).one()
        taken = (await session.exec(select(func.count()).select_from(ProcessedUpdate).where(
            col(ProcessedUpdate.update_id).between(first, last)))).one()
    return failed, len(fed.update_ids) - taken


class ServingBot:
    """`bench.district --role serve` in a process of its own."""

    def __init__(self, api: str, token: str, database_url: str) -> None:
        self.args = ("--role", "serve", "--api", api, "--token", token,
                     "--database-url", database_url)
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, fake: Any) -> None:
        fake.polled.clear()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.district", *self.args,
            stdout=asyncio.subprocess.PIPE, cwd=PROJECT)
        waiting = asyncio.create_task(fake.polled.wait())
        exited = asyncio.create_task(self.process.wait())
        await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
        if exited.done():
            raise SystemExit("the bot stopped before it polled")
        exited.cancel()

    async def stop(self) -> dict[str, Any]:
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        stdout, _ = await self.process.communicate()
        lines = stdout.decode().strip().splitlines()
        result = dict(json.loads(lines[-1])) if lines else {}
        result["exit_code"] = self.process.returncode
        result["stop_s"] = time.monotonic() - started
        return result


async def until_answered(fake: Any, fed: Fed, db_url: str, limit: float) -> float:
    """Wait until the fake has no update left to hand out and every claim is answered and
    every /wish has its card, at most ``limit`` seconds; how long it took."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if fake._updates.empty():
            answered = {str(c.params.get("callback_query_id")) for c in list(fake.calls)
                        if c.method == "answerCallbackQuery"}
            cards = sum(1 for c in list(fake.calls) if c.method == "sendMessage"
                        and any(str(b.get("callback_data", "")).startswith("w:c:")
                                for b in c.buttons()))
            if all(q in answered for q in fed.claims) and cards >= len(fed.wishes):
                break
        await asyncio.sleep(0.5)
    return time.monotonic() - started


@dataclass
class Phase:
    name: str
    fed: Fed
    answered: Answered
    failed: int
    never_taken: int
    catch_up_s: float
    bot: dict[str, Any]


async def run_phase(name: str, fake: Any, api: str, url: str, people: Population, rate: float,
                    seconds: float, warmup: float) -> Phase:
    from storage.db import Database

    fake.clear()
    bot = ServingBot(api, fake.token, url)
    await bot.start(fake)
    feeder = Feeder(fake, people, name)
    await feeder.feed(rate, warmup + seconds, counted_after=warmup)
    catch_up = await until_answered(fake, feeder.fed, url, CATCH_UP_S)
    stopped = await bot.stop()
    db = Database(url)
    try:
        wish_source = await wishes_of(db, feeder.fed)
        failed, never = await failed_updates(db, feeder.fed)
    finally:
        await db.dispose()
    return Phase(name, feeder.fed, answers(fake, feeder.fed, wish_source), failed, never,
                 catch_up, stopped)


# --- the parent ---------------------------------------------------------------------------

async def run_child(role: str, api: str, token: str, url: str) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.district", "--role", role, "--api", api, "--token", token,
        "--database-url", url, stdout=asyncio.subprocess.PIPE, cwd=PROJECT)
    stdout, _ = await process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"the {role} run failed (exit {process.returncode})")
    return dict(json.loads(stdout.decode().strip().splitlines()[-1]))


def p99(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def show_mix(label: str, result: dict[str, Any]) -> None:
    print(f"{label}: {result['updates']} updates in {result['seconds']:.2f} s = "
          f"{result['rate']:.1f}/s; peak RSS {result['peak_rss_kb'] / 1024:.0f} MiB; "
          f"wishes {result['wishes']}, claims {result['claims']}, failed updates "
          f"{result['failed_updates']}, outbox unsent {result['outbox_unsent']}", flush=True)
    for statement in result.get("statements", []):
        print(f"    {statement['total_ms']:8.0f} ms in {statement['calls']:5} × "
              f"{statement['sql']}")
        for line in statement["plan"]:
            print(f"        {line}")


def show_phase(phase: Phase) -> None:
    a = phase.answered
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(phase.fed.kinds.items()))
    print(f"{phase.name}: fed {kinds}; caught up {phase.catch_up_s:.1f} s after the feeding; "
          f"stopped in {phase.bot.get('stop_s', 0):.1f} s (exit {phase.bot.get('exit_code')}), "
          f"peak RSS {phase.bot.get('peak_rss_kb', 0) / 1024:.0f} MiB", flush=True)
    for label, values in (("claim answer", a.claim_ms), ("card", a.card_ms)):
        if values:
            print(f"    {label}: {len(values)} timed, median {statistics.median(values):.0f} ms,"
                  f" p99 {p99(values):.0f} ms, max {max(values):.0f} ms")
    print(f"    failed updates {phase.failed}, never taken in {phase.never_taken}, claims not "
          f"answered {a.claims_unanswered}, wishes without a card {a.wishes_without_card}",
          flush=True)


async def mix_on_copy(kind: str, api: str, token: str, kept: str, round_: int,
                      which: str) -> float:
    """The mix on a fresh copy of a kept database (a second run on the same copy would find
    its updates handled already and its wishes posted); the rate."""
    copy = await data.copy_of(kind, kept, f"{which}{round_}")
    try:
        result = await run_child("mix", api, token, copy)
    finally:
        await data.drop(kind, copy)
    show_mix(f"round {round_}, {which}", result)
    return float(result["rate"])


async def mix_rates(kind: str, api: str, token: str, small_kept: str, district_kept: str,
                    district: str) -> tuple[float, float]:
    """The mix on copies of the small database and of the district's, alternately
    ``MIX_ROUNDS`` times (the machine's other work then weighs on both alike); the median
    rates. The first round's district is ``district``, which the later parts go on with."""
    small_rates: list[float] = []
    district_rates: list[float] = []
    for round_ in range(1, MIX_ROUNDS + 1):
        small_rates.append(await mix_on_copy(kind, api, token, small_kept, round_, "small"))
        if round_ == 1:
            result = await run_child("mix", api, token, district)
            show_mix("round 1, district", result)
            district_rates.append(result["rate"])
        else:
            district_rates.append(await mix_on_copy(kind, api, token, district_kept, round_,
                                                    "district"))
    return statistics.median(small_rates), statistics.median(district_rates)


async def measure(kind: str) -> None:
    say = print
    small_kept = await data.cached(kind, data.SMALL, say)
    district_kept = await data.cached(kind, data.DISTRICT, say)
    fake = timed_telegram()
    api = await fake.start()
    try:
        started = time.perf_counter()
        district = await data.copy_of(kind, district_kept, "district")
        print(f"(the district copied in {time.perf_counter() - started:.0f} s)", flush=True)
        try:
            small_rate, district_rate = await mix_rates(kind, api, fake.token, small_kept,
                                                        district_kept, district)
            print(f"median rates: small {small_rate:.1f}/s, district {district_rate:.1f}/s")
            if os.environ.get(STATEMENTS):
                print(figure("district_cost_ratio", district_rate / small_rate))
                return
            from storage.db import Database

            db = Database(district)
            try:
                people = await population(db)
            finally:
                await db.dispose()
            fake.clear()
            steady = await run_phase("steady", fake, api, district, people, STEADY_RATE,
                                     STEADY_S, STEADY_WARMUP_S)
            show_phase(steady)
            overload = await run_phase("overload", fake, api, district, people, OVERLOAD_RATE,
                                       OVERLOAD_S, 0)
            show_phase(overload)
            sweep = await run_child("sweep", api, fake.token, district)
            print(f"sweep: honour rolls of {sweep['honour_posted']} grids in "
                  f"{sweep['honour_s']:.2f} s; retention's first pass {sweep['retention_s']:.2f}"
                  f" s ({sweep['retention']})", flush=True)
        finally:
            await data.drop(kind, district)
    finally:
        await fake.stop()
    print(figure("district_cost_ratio", district_rate / small_rate))
    print(figure("district_p99_ms_claim_answer", p99(steady.answered.claim_ms), 0))
    print(figure("district_p99_ms_card", p99(steady.answered.card_ms), 0))
    print(figure("overload_failed_updates", overload.failed + overload.never_taken))
    print(figure("overload_lost_cards", overload.answered.wishes_without_card))
    print(figure("district_honour_rolls_s", sweep["honour_s"]))
    print(figure("district_retention_pass_s", sweep["retention_s"]))


def child(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if args.role == "serve":
        asyncio.run(serve_until_stopped(args))
        return
    if args.role == "sweep":
        asyncio.run(sweep_parts(args))
        return
    runner = MixRunner(args.api, args.token, args.database_url)
    print(json.dumps(asyncio.run(drive_mix(runner))), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=DATABASES, default="sqlite")
    parser.add_argument("--statements", action="store_true",
                        help="only the first part, with the twelve statements that cost the mix "
                             "most and their plans")
    parser.add_argument("--role", choices=("mix", "serve", "sweep"), help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role:
        child(args)
        return
    logging.basicConfig(level=logging.WARNING)
    if args.statements:
        os.environ[STATEMENTS] = "1"
    heading(f"the throughput mix on a small and on a district database ({args.database}); "
            f"batches of {BATCH}, then {STEADY_RATE}/s and {OVERLOAD_RATE}/s through polling")
    asyncio.run(measure(args.database))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONPATH", str(PROJECT))
    main()
