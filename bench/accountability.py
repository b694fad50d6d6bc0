"""Accountability: a street's monthly report and a full year's export, on a street of 200 grids
and 100,000 wishes.

    .venv/bin/python -m bench.accountability [--database sqlite|postgresql]

The street (10 communities of 20 grids, 50,000 people, a year of wishes with their claims,
ratings, hours, audit rows and meetings: bench.district_data's filler at this scale) is filled
once and kept, as bench.district keeps its district. A run measures:

1. `monthly_report_s`: the street's report of the last whole month as /report and the
   scheduled report compose it (the month's figures, the month before, and the trend of twelve
   months), median of three.
2. The export of its micro-wishes with their claims and ratings, as /export builds it (the
   workbook with contact details, headers and words in Chinese): first of about a tenth of the
   year (`export_10k_s`, some 10,000 wishes), then of the whole year (`export_year_s`, all
   100,000), with the rows written and the file's size.
   `export_year_csv_s`: the year's wishes alone as CSV. `export_other_p99_ms`: meanwhile,
   every 50 ms, someone else's short transaction; the 99th percentile of how long it took
   (the export must not hold up the bot's other work).
3. `export_rss_growth_mb_10k` and `export_rss_growth_mb_100k`: how far the process's resident
   memory rose above what it was before each export, sampled every 10 ms by a thread; and
   `export_rss_growth_mb`, the second less the first. Rows are streamed (read a chunk at a time,
   written to the sheet's file as they come), so the goal is that memory does not grow with the
   number of rows: `export_rss_growth_mb` near 0.
"""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench import district_data as data
from bench.common import figure, heading, parser

STREET = data.Scale("street200", 1, 10, 20, persons=50_000, volunteers=2_000, wishes=100_000,
                    years=1, updates_kept=0)
TENTH_OF_A_YEAR = 36  # days: about 10,000 of the year's 100,000 wishes
REPORT_RUNS = 3
SAMPLE_EVERY = 0.01  # seconds between two looks at the resident memory
PROBE_EVERY = 0.05  # seconds between two of someone else's transactions during an export
PAGE = os.sysconf("SC_PAGE_SIZE")


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


class PeakMemory:
    """The highest resident memory seen by a thread that looks every ``SAMPLE_EVERY`` s."""

    def __init__(self) -> None:
        self.before = resident_bytes()
        self.peak = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY):
            self.peak = max(self.peak, resident_bytes())

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, resident_bytes())

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.before) / 2**20


@dataclass(frozen=True)
class Exported:
    seconds: float
    rows: int
    wishes: int
    size_mb: float
    growth_mb: float
    other_ms: list[float]  # how long someone else's short transaction took meanwhile


class OtherWork:
    """Someone else's update while an export is built: every ``PROBE_EVERY`` s a transaction
    that reads one row, timed from when it was due (a loop held up, or the one SQLite
    connection held, shows here)."""

    def __init__(self, db: object) -> None:
        self.db = db
        self.took: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _probe(self) -> None:
        from sqlalchemy import text

        while True:
            due = time.perf_counter() + PROBE_EVERY
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            async with self.db.transaction() as session:  # type: ignore[attr-defined]
                await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
            self.took.append((time.perf_counter() - due) * 1000)

    def __enter__(self) -> OtherWork:
        self._task = asyncio.create_task(self._probe())
        return self

    def __exit__(self, *_exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def monthly_report(db: object, place_id: int, now: datetime) -> float:
    from storage import places, reports
    from storage.db import Database
    from usecases.reports import compose

    assert isinstance(db, Database)
    times = []
    for _ in range(REPORT_RUNS):
        started = time.perf_counter()
        async with db.transaction() as session:
            place = await places.get(session, place_id)
            assert place is not None
            this_month = reports.bounds(now, reports.Span.MONTH, place.timezone)
            report = await compose(session, place,
                                   reports.previous(this_month, place.timezone))
        times.append(time.perf_counter() - started)
    print(f"  the report of {report.period.first:%Y-%m}: {report.figures.submitted:,} wishes "
          f"submitted, {len(report.trend)} months of trend", flush=True)
    return statistics.median(times)


async def export(db: object, place_id: int, first_day: date, last_day: date, *,
                 as_csv: bool = False) -> Exported:
    """The export of the place's micro-wishes (a CSV: the wishes' table alone)."""
    from aiogram.utils.i18n import I18n

    from bot.i18n import make_i18n, speaking
    from bot.workbooks import write_csv, write_xlsx
    from handlers.exports import tables_of
    from storage import exports, places
    from storage.db import Database
    from usecases.exports import What

    assert isinstance(db, Database)
    place = await places.by_id(db, place_id)
    assert place is not None
    scope = await exports.scope(db, place, first_day, last_day, contacts=True)
    i18n: I18n = make_i18n("zh_Hans")
    gc.collect()
    with speaking(i18n, "zh_Hans"), PeakMemory() as memory, OtherWork(db) as other:
        started = time.perf_counter()
        tables, counted = tables_of(db, What.WISHES, scope)
        path = await (write_csv(tables[0], timezone=place.timezone) if as_csv
                      else write_xlsx(tables, timezone=place.timezone))
        seconds = time.perf_counter() - started
    size = _size_then_removed(path)
    wishes = await _wishes_in(db, scope)
    return Exported(seconds, counted[0], wishes, size / 2**20, memory.growth_mb, other.took)


def _size_then_removed(path: Path) -> int:
    from bot.workbooks import remove

    size = path.stat().st_size
    remove(path)
    return size


async def _wishes_in(db: object, scope: object) -> int:
    from sqlalchemy import func
    from sqlmodel import col, select

    from storage.db import Database
    from storage.exports import Scope
    from storage.models import Wish

    assert isinstance(db, Database) and isinstance(scope, Scope)
    async with db.transaction() as session:
        return int((await session.exec(select(func.count()).select_from(Wish).where(
            col(Wish.grid_id).in_(scope.grid_ids), col(Wish.created_at) >= scope.start,
            col(Wish.created_at) < scope.end))).one())


async def run(kind: str) -> None:
    from storage.db import Database

    heading(f"accountability on {kind}: a street of {STREET.grids} grids and "
            f"{STREET.wishes:,} wishes")
    url = await data.cached(kind, STREET)
    db = Database(url)
    await db.gather_statistics()  # as the bot does when it starts, and every hour
    try:
        now = datetime.now(UTC)
        street_id = 1  # the filler's first place
        report_s = await monthly_report(db, street_id, now)
        today = now.astimezone(ZoneInfo("Asia/Shanghai")).date()
        tenth = await export(db, street_id, today - timedelta(days=TENTH_OF_A_YEAR), today)
        year = await export(db, street_id, today - timedelta(days=366), today)
        year_csv = await export(db, street_id, today - timedelta(days=366), today, as_csv=True)
    finally:
        await db.dispose()
    for label, done in (("10k", tenth), ("year", year)):
        print(f"  export {label}: {done.wishes:,} wishes, {done.rows:,} rows (with claims and "
              f"ratings), {done.size_mb:.1f} MB, {done.rows / done.seconds:,.0f} rows/s",
              flush=True)
    print(figure("monthly_report_s", report_s, 3))
    print(figure("export_10k_s", tenth.seconds))
    print(figure("export_year_s", year.seconds))
    print(figure("export_year_csv_s", year_csv.seconds))
    others = sorted(year.other_ms)
    print(f"  meanwhile {len(others)} transactions of someone else: median "
          f"{statistics.median(others):.0f} ms, slowest {others[-1]:.0f} ms", flush=True)
    print(figure("export_other_p99_ms", others[int(len(others) * 0.99)], 0))
    print(figure("export_rss_growth_mb_10k", tenth.growth_mb, 1))
    print(figure("export_rss_growth_mb_100k", year.growth_mb, 1))
    print(figure("export_rss_growth_mb", year.growth_mb - tenth.growth_mb, 1), flush=True)


def main() -> None:
    options = parser(__doc__.splitlines()[0]).parse_args()
    asyncio.run(run(options.database))


if __name__ == "__main__":
    main()
