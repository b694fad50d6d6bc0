"""The statements on the busiest paths read an index range, not a table, on either database.

A database like a small street office (bench.district_data: 120 grids, 6,000 volunteers,
6,000 wishes with their claims and pings) is filled and its statistics gathered as the bot
gathers them; then the statements that a new wish, the limits on people and the honour roll
run are captured as the bot sends them and explained. None may scan a table (or a whole
index) of wishes, claims, pings or volunteers, nor walk the index of the volunteers' standing
(most are approved: SQLite without statistics took it to find one grid's). PostgreSQL is
asked with sequential scans made dear, so that at this size it shows the index it would take
at a district's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlmodel import select

from bench import district_data
from storage import hours, quotas, volunteers
from storage.db import Database
from storage.migrate import migrate
from storage.models import Place, PlaceKind, Wish
from storage.places import get as get_place

SCALE = district_data.Scale("plans", 1, 4, 30, persons=10_000, volunteers=6_000, wishes=6_000,
                            updates_kept=100)
NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
BIG_TABLES = ("wish", "claim", "volunteer_ping", "volunteer", "volunteer_grid")
# Indexes whose every range holds most of their table: most volunteers are approved.
WIDE_INDEXES = ("ix_volunteer_status",)


@pytest.fixture
async def district(database_url: str) -> AsyncIterator[Database]:
    await migrate(database_url)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        sink: Any = district_data.SqliteSink(url.database or "")
    else:
        sink = await district_data.PostgresSink.open(
            url.set(drivername="postgresql").render_as_string(hide_password=False))
    await district_data.fill(sink, SCALE, NOW, say=lambda _line: None)
    database = Database(database_url)
    await database.gather_statistics()
    yield database
    await database.dispose()


async def captured(db: Database, work: Callable[[Any], Awaitable[object]]) -> list[
        tuple[str, Any]]:
    """The SELECT statements ``work`` sent, with their parameters."""
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, sql: str, parameters: Any, _context: Any,
                many: bool) -> None:
        if not many and sql.lstrip().upper().startswith("SELECT"):
            seen.append((sql, parameters))

    event.listen(db.engine.sync_engine, "before_cursor_execute", capture)
    try:
        async with db.transaction() as session:
            await work(session)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", capture)
    return seen


async def scans(db: Database, statements: list[tuple[str, Any]]) -> list[str]:
    """The plan lines that read a big table (or a whole index of one) from end to end."""
    found: list[str] = []
    async with db.engine.connect() as connection:
        if db.is_sqlite:
            explain = "EXPLAIN QUERY PLAN "
        else:
            explain = "EXPLAIN "
            await connection.exec_driver_sql("SET enable_seqscan = off")
        for sql, parameters in statements:
            plan = [str(row[-1]) for row in
                    (await connection.exec_driver_sql(explain + sql, parameters)).all()]
            found += [f"{line}  ←  {' '.join(sql.split())[:120]}" for line in plan
                      if _reads_whole(line, db.is_sqlite)]
    return found


def _reads_whole(line: str, sqlite: bool) -> bool:
    if any(index in line for index in WIDE_INDEXES):
        return True
    if sqlite:
        return any(line.startswith(f"SCAN {table}") and line.split()[1] == table
                   for table in BIG_TABLES)
    return "Seq Scan" in line and any(f" on {table}" in line for table in BIG_TABLES)


async def a_grid_and_a_wish(db: Database) -> tuple[Place, Wish]:
    async with db.transaction() as session:
        grid = (await session.exec(select(Place).where(
            Place.kind == PlaceKind.GRID).order_by(Place.id).offset(7))).first()
        assert grid is not None
        wish = (await session.exec(select(Wish).where(Wish.grid_id == grid.id)
                                   .order_by(Wish.id.desc()))).first()  # type: ignore[union-attr]
        assert wish is not None
        return grid, wish


async def test_a_new_wish_reads_only_its_grid_and_its_pings(district: Database) -> None:
    grid, wish = await a_grid_and_a_wish(district)

    async def post(session: Any) -> None:
        await get_place(session, grid.id)
        await quotas.wish_hold(session, grid, wish.resident_id, "想请人帮忙修水龙头", NOW)
        await volunteers.to_tell(session, wish, now=NOW + timedelta(hours=3),
                                 timezone=grid.timezone, per_day=3)

    statements = await captured(district, post)
    assert len(statements) >= 5
    assert await scans(district, statements) == []


async def test_the_honour_roll_reads_one_month(district: Database) -> None:
    grid, _wish = await a_grid_and_a_wish(district)
    first, last = date(2026, 10, 1), date(2026, 10, 31)

    async def roll(session: Any) -> None:
        fulfilled = await hours.fulfilled_between(session, first=first, last=last,
                                                  timezone=grid.timezone)
        await hours.honour_roll(session, grid, first=first, last=last,
                                fulfilled=fulfilled.get(grid.id or 0, {}))

    statements = await captured(district, roll)
    assert len(statements) >= 2
    assert await scans(district, statements) == []
