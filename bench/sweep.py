"""Sweep: one pass of storage.sweeps.sweep over 1,000 wishes and over 100,000 wishes.

Both databases hold a realistic mix (years of closed and withdrawn wishes, open wishes at each
tier, claimed and fulfilled ones with their timers) in which the same 20 wishes are due, four
for each step of the sweep. A pass notifies through the real SweepNotices, as the scheduled
job does. Each pass is timed five times (after one warm-up pass; the 20 wishes are put back as
they were between passes) and the median kept. Goal: the 100k pass takes at most 3× the 1k
pass, i.e. finding what is due reads an index range of the due rows, not the table.

    .venv/bin/python -m bench.sweep [--database sqlite|postgresql]

It also shows, for each step, the query plan of its "what is due" query and how many rows the
index range it reads holds (all of which the query has to look at) against the rows due.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, func, update
from sqlalchemy.engine import Connection
from sqlmodel import col, select

from bench.common import figure, fresh_database, heading, median, parser, settings
from bot.app import App, build
from bot.clock import FrozenClock
from bot.jobs import SweepNotices
from storage import sweeps
from storage.db import Database
from storage.models import (
    Category,
    Claim,
    Person,
    Place,
    PlaceKind,
    Tier,
    Wish,
    WishPost,
    WishState,
)
from storage.sweeps import RULES, Step

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
DUE_PER_STEP = 4
RUNS = 5
CHUNK = 2_000  # rows per executemany
UNUSED_API = "http://127.0.0.1:9"  # a sweep only queues messages; nothing calls Telegram
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

# (share, state, tier) of the wishes that are not due; the shares add up to 1.
MIX: list[tuple[float, WishState, Tier]] = [
    (0.50, WishState.CLOSED, Tier.GRID),
    (0.08, WishState.CLOSED, Tier.COMMUNITY),
    (0.02, WishState.CLOSED, Tier.STREET),
    (0.06, WishState.CANCELLED, Tier.GRID),
    (0.02, WishState.REJECTED, Tier.GRID),
    (0.03, WishState.SUBMITTED, Tier.GRID),
    (0.07, WishState.OPEN, Tier.GRID),        # posted in the last 48 hours
    (0.05, WishState.OPEN, Tier.COMMUNITY),   # passed up in the last week
    (0.02, WishState.OPEN, Tier.STREET),      # micro-venture candidates, waiting
    (0.10, WishState.CLAIMED, Tier.GRID),
    (0.05, WishState.FULFILLED, Tier.GRID),
]


@dataclass(frozen=True)
class Scale:
    label: str
    wishes: int
    streets: int
    communities_per_street: int
    grids_per_community: int


SMALL = Scale("1k", 1_000, 1, 2, 5)
LARGE = Scale("100k", 100_000, 5, 10, 10)


@dataclass
class Population:
    grids: list[tuple[int, int]] = field(default_factory=list)  # (place id, chat id)
    residents: list[int] = field(default_factory=list)
    volunteers: list[int] = field(default_factory=list)
    due: dict[int, dict[str, Any]] = field(default_factory=dict)  # wish id -> its columns
    due_claimed: list[int] = field(default_factory=list)  # wishes whose claim is ended


# --- making the data ------------------------------------------------------------------------

def _places(scale: Scale) -> tuple[list[dict[str, Any]], list[tuple[int, int]]]:
    rows: list[dict[str, Any]] = []
    grids: list[tuple[int, int]] = []
    ids = iter(range(1, 1_000_000))
    chats = iter(range(-1_000_000_001, -2_000_000_000, -1))

    def place(kind: PlaceKind, name: str, parent: int | None) -> int:
        place_id, chat_id = next(ids), next(chats)
        rows.append({"id": place_id, "kind": kind, "name": name, "parent_id": parent,
                     "chat_id": chat_id, "timezone": "Asia/Shanghai", "locale": None,
                     "settings": {}, "created_at": NOW - 400 * DAY})
        if kind == PlaceKind.GRID:
            grids.append((place_id, chat_id))
        return place_id

    for s in range(scale.streets):
        street = place(PlaceKind.STREET, f"街道 {s}", None)
        for c in range(scale.communities_per_street):
            community = place(PlaceKind.COMMUNITY, f"社区 {s}-{c}", street)
            for g in range(scale.grids_per_community):
                place(PlaceKind.GRID, f"网格 {s}-{c}-{g}", community)
    return rows, grids


def _wish(rng: random.Random, wish_id: int, state: WishState, tier: Tier,
          population: Population, due: Step | None) -> dict[str, Any]:
    """One wish's columns, its timestamps consistent with its state, tier and ``due`` step."""
    grid_id, _chat = rng.choice(population.grids)
    if state == WishState.OPEN and tier == Tier.STREET:
        age = rng.uniform(10, 120) * DAY  # past both deadlines, waiting for the street office
    elif state in (WishState.OPEN, WishState.CLAIMED, WishState.FULFILLED, WishState.SUBMITTED):
        age = rng.uniform(0.5, 9) * DAY
    else:
        age = rng.uniform(2, 720) * DAY
    created = NOW - age
    row: dict[str, Any] = {
        "id": wish_id, "grid_id": grid_id, "resident_id": rng.choice(population.residents),
        "text": f"帮忙的心愿 {wish_id}: 买米、送药、陪老人去医院", "category":
        rng.choice(list(Category)), "urgent": rng.random() < 0.05, "contact_phone": None,
        "contact_address": f"{rng.randint(1, 30)} 号楼", "state": state, "tier": tier,
        "follow_up": False, "claimer_id": None, "reject_reason": None,
        "source_key": f"bench:{wish_id}", "created_at": created, "opened_at": None,
        "claimed_at": None, "fulfilled_at": None, "closed_at": None, "grid_deadline_at": None,
        "community_deadline_at": None, "confirm_deadline_at": None, "claim_remind_at": None,
        "claim_release_at": None, "unconfirmed": False, "adopted_note": None,
    }
    if state == WishState.SUBMITTED:
        return row
    opened = created
    row["opened_at"] = opened
    row["grid_deadline_at"] = opened + 48 * HOUR
    if tier in (Tier.COMMUNITY, Tier.STREET):
        row["community_deadline_at"] = row["grid_deadline_at"] + 168 * HOUR
    if state == WishState.OPEN:
        # Open wishes sit at their tier with the deadline of that tier still ahead: a grid
        # wish opened less than 48 hours ago, a community one passed up less than a week ago.
        if tier == Tier.GRID:
            row["opened_at"] = NOW - rng.uniform(1, 47) * HOUR
            row["grid_deadline_at"] = row["opened_at"] + 48 * HOUR
            if due is Step.TO_COMMUNITY:
                row["grid_deadline_at"] = NOW - rng.uniform(1, 50) * timedelta(minutes=1)
        elif tier == Tier.COMMUNITY:
            row["community_deadline_at"] = NOW + rng.uniform(1, 167) * HOUR
            row["grid_deadline_at"] = row["community_deadline_at"] - 168 * HOUR
            if due is Step.TO_STREET:
                row["community_deadline_at"] = NOW - rng.uniform(1, 50) * timedelta(minutes=1)
        row["created_at"] = min(row["created_at"], row["grid_deadline_at"] - 48 * HOUR)
        return row
    row["claimer_id"] = rng.choice(population.volunteers)
    if state == WishState.CLAIMED:
        row["claimed_at"] = NOW - rng.uniform(1, 70) * HOUR
    elif state == WishState.FULFILLED:
        row["fulfilled_at"] = NOW - rng.uniform(1, 70) * HOUR
        row["claimed_at"] = row["fulfilled_at"] - rng.uniform(2, 48) * HOUR
    else:
        row["claimed_at"] = opened + rng.uniform(1, 40) * HOUR
    if state in (WishState.CLAIMED, WishState.FULFILLED):  # opened, then claimed in time
        row["opened_at"] = row["claimed_at"] - rng.uniform(1, 40) * HOUR
        row["created_at"] = row["opened_at"]
        row["grid_deadline_at"] = row["opened_at"] + 48 * HOUR
    if state in (WishState.CANCELLED, WishState.REJECTED):
        row["claimer_id"] = row["claimed_at"] = None
    if state == WishState.CLAIMED:
        reminded = row["claimed_at"] + 24 * HOUR <= NOW
        row["claim_remind_at"] = None if reminded else row["claimed_at"] + 24 * HOUR
        row["claim_release_at"] = row["claimed_at"] + 72 * HOUR
        if due is Step.REMIND_CLAIMER:
            row["claim_remind_at"] = NOW - rng.uniform(1, 50) * timedelta(minutes=1)
        elif due is Step.RELEASE_CLAIM:
            row["claim_remind_at"] = None
            row["claim_release_at"] = NOW - rng.uniform(1, 50) * timedelta(minutes=1)
    elif state == WishState.FULFILLED:
        row["confirm_deadline_at"] = row["fulfilled_at"] + 72 * HOUR
        if due is Step.CLOSE_UNCONFIRMED:
            row["confirm_deadline_at"] = NOW - rng.uniform(1, 50) * timedelta(minutes=1)
    elif state == WishState.CLOSED:
        row["fulfilled_at"] = row["claimed_at"] + rng.uniform(2, 72) * HOUR
        row["closed_at"] = row["fulfilled_at"] + rng.uniform(1, 72) * HOUR
        row["unconfirmed"] = rng.random() < 0.1
    elif state in (WishState.CANCELLED, WishState.REJECTED):
        row["closed_at"] = opened + rng.uniform(1, 100) * HOUR
        if state == WishState.REJECTED:
            row["reject_reason"] = "不在服务范围"
    return row


DUE_SHAPES: dict[Step, tuple[WishState, Tier]] = {
    Step.TO_COMMUNITY: (WishState.OPEN, Tier.GRID),
    Step.TO_STREET: (WishState.OPEN, Tier.COMMUNITY),
    Step.RELEASE_CLAIM: (WishState.CLAIMED, Tier.GRID),
    Step.REMIND_CLAIMER: (WishState.CLAIMED, Tier.GRID),
    Step.CLOSE_UNCONFIRMED: (WishState.FULFILLED, Tier.GRID),
}


def _plan(rng: random.Random, total: int) -> Iterator[tuple[WishState, Tier, Step | None]]:
    """What each wish id is: the due ones at random places among the rest."""
    due_steps = [step for step in DUE_SHAPES for _ in range(DUE_PER_STEP)]
    due_at = dict(zip(rng.sample(range(total), len(due_steps)), due_steps, strict=True))
    weights = [share for share, _state, _tier in MIX]
    for n in range(total):
        if n in due_at:
            state, tier = DUE_SHAPES[due_at[n]]
            yield state, tier, due_at[n]
        else:
            _share, state, tier = rng.choices(MIX, weights)[0]
            yield state, tier, None


async def _insert(db: Database, table: Any, rows: list[dict[str, Any]]) -> None:
    for first in range(0, len(rows), CHUNK):
        async with db.transaction() as session:
            connection = await session.connection()
            await connection.execute(table.insert(), rows[first:first + CHUNK])


async def populate(db: Database, scale: Scale, seed: int = 20261125) -> Population:
    rng = random.Random(seed)
    population = Population()
    place_rows, population.grids = _places(scale)
    await _insert(db, Place.__table__, place_rows)
    people = scale.wishes // 4 + scale.wishes // 50
    person_rows = [{"id": 10_000_000 + n, "full_name": f"居民 {n}", "username": None,
                    "language_code": "zh-hans", "locale": None, "reachable": n % 5 != 0,
                    "created_at": NOW - 500 * DAY} for n in range(people)]
    population.residents = [row["id"] for row in person_rows[: scale.wishes // 4]]
    population.volunteers = [row["id"] for row in person_rows[scale.wishes // 4:]]
    await _insert(db, Person.__table__, person_rows)

    wish_rows: list[dict[str, Any]] = []
    claim_rows: list[dict[str, Any]] = []
    post_rows: list[dict[str, Any]] = []
    chat_of_grid = dict(population.grids)
    for n, (state, tier, due) in enumerate(_plan(rng, scale.wishes)):
        row = _wish(rng, n + 1, state, tier, population, due)
        wish_rows.append(row)
        if due is not None:
            population.due[row["id"]] = dict(row)
            if due is Step.RELEASE_CLAIM:
                population.due_claimed.append(row["id"])
        if row["claimer_id"] is not None:
            ended = None if state == WishState.CLAIMED else row["fulfilled_at"]
            claim_rows.append({"wish_id": row["id"], "volunteer_id": row["claimer_id"],
                               "claimed_at": row["claimed_at"], "ended_at": ended,
                               "outcome": None if ended is None else "fulfilled"})
        if row["opened_at"] is not None:
            post_rows.append({"wish_id": row["id"], "chat_id": chat_of_grid[row["grid_id"]],
                              "message_id": n + 1})
    await _insert(db, Wish.__table__, wish_rows)
    await _insert(db, Claim.__table__, claim_rows)
    await _insert(db, WishPost.__table__, post_rows)
    if not db.is_sqlite:
        async with db.engine.begin() as connection:
            for table in ("place", "wish"):
                await connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))")
        # What autovacuum does on its own soon after a bulk load.
        async with db.engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.exec_driver_sql("ANALYZE")
    return population


async def restore_due(db: Database, population: Population) -> None:
    """Put the due wishes back as they were before a pass moved them."""
    async with db.transaction() as session:
        for wish_id, row in population.due.items():
            values = {k: v for k, v in row.items() if k != "id"}
            await session.exec(update(Wish).where(col(Wish.id) == wish_id).values(**values))
        if population.due_claimed:
            await session.exec(update(Claim).where(col(Claim.wish_id).in_(population.due_claimed))
                               .values(ended_at=None, outcome=None))


# --- measuring ------------------------------------------------------------------------------

@dataclass
class Measured:
    scale: Scale
    times_ms: list[float]
    moved: dict[Step, int]
    diagnosis: list[str]

    @property
    def median_ms(self) -> float:
        return median(self.times_ms)


async def one_pass(app: App) -> tuple[float, dict[Step, int]]:
    notify = SweepNotices(app.messenger)
    started = time.perf_counter()
    done = await sweeps.sweep(app.db, now=NOW, notify=notify)
    return (time.perf_counter() - started) * 1000, done


async def diagnose(db: Database) -> list[str]:
    """Each step's due query: its plan and the rows of the index range it reads."""
    lines: list[str] = []
    for rule in RULES:
        statement = select(Wish).where(rule.due(NOW)).order_by(rule.deadline).limit(1)
        if not db.is_sqlite:
            statement = statement.with_for_update(skip_locked=True)
        sql, parameters = await _captured(db, statement)
        explain = "EXPLAIN QUERY PLAN " if db.is_sqlite else "EXPLAIN (ANALYZE, COSTS OFF) "
        async with db.transaction() as session:
            connection = await session.connection()
            plan = (await connection.exec_driver_sql(explain + sql, parameters)).all()
            in_range = (await session.exec(select(func.count()).select_from(Wish).where(
                col(Wish.state) == rule.state, rule.deadline <= NOW))).one()
            due = (await session.exec(select(func.count()).select_from(Wish)
                                      .where(rule.due(NOW)))).one()
        lines.append(f"{rule.step}: index range (state, {rule.deadline.key} <= now) holds "
                     f"{in_range} rows for {due} due")
        for row in plan:
            lines.append("    " + str(row[-1]))
    return lines


async def _captured(db: Database, statement: Any) -> tuple[str, Any]:
    """The SQL and parameters the driver receives for ``statement``."""
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Connection, _cursor: Any, sql: str, parameters: Any, _context: Any,
                _many: bool) -> None:
        seen.append((sql, parameters))

    event.listen(db.engine.sync_engine, "before_cursor_execute", capture)
    try:
        async with db.transaction() as session:
            await session.exec(statement)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", capture)
    sql, parameters = seen[-1]
    return sql, parameters


async def measure(database: str, scale: Scale) -> Measured:
    async with fresh_database(database, f"sweep{scale.label}") as url:
        app = await build(settings(UNUSED_API, url), FrozenClock(NOW))
        try:
            started = time.perf_counter()
            population = await populate(app.db, scale)
            print(f"{scale.label}: {scale.wishes:,} wishes in {len(population.grids)} grids "
                  f"loaded in {time.perf_counter() - started:.1f} s", flush=True)
            diagnosis = await diagnose(app.db)
            times: list[float] = []
            moved: dict[Step, int] = {}
            for run in range(RUNS + 1):  # the first pass warms the caches and is not counted
                await restore_due(app.db, population)
                elapsed, moved = await one_pass(app)
                if sum(moved.values()) != len(population.due):
                    raise SystemExit(f"the sweep moved {moved}, expected {DUE_PER_STEP} a step")
                if run:
                    times.append(elapsed)
            return Measured(scale, times, moved, diagnosis)
        finally:
            await app.close()


def main() -> None:
    args = parser(__doc__ or "").parse_args()
    logging.basicConfig(level=logging.WARNING)
    heading(f"one sweep pass, {DUE_PER_STEP * len(RULES)} wishes due ({args.database})")
    results: list[Measured] = []
    for scale in (SMALL, LARGE):
        result = asyncio.run(measure(args.database, scale))
        results.append(result)
        moved = ", ".join(f"{step.value} {n}" for step, n in result.moved.items())
        print(f"{scale.label}: moved {moved}; passes "
              f"{', '.join(f'{t:.1f}' for t in result.times_ms)} ms, "
              f"median {result.median_ms:.1f} ms")
        for line in result.diagnosis:
            print("  " + line)
    small, large = results
    print(figure("sweep_ms_1k", small.median_ms, 1))
    print(figure("sweep_ms_100k", large.median_ms, 1))
    print(figure("sweep_ratio", large.median_ms / small.median_ms))


if __name__ == "__main__":
    main()
