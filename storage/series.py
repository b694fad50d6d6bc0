"""Runs of a recurring series (the morning duty reminder, the monthly honour roll), one row
per place and series: whoever moves the mark first runs it, here or in another instance."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import DailyMark


async def claim_run(session: AsyncSession, place_id: int, series: str, day: date) -> bool:
    """Claim the series' run for ``day``; False when it already ran for that day or later.
    A second instance inserting the first mark at the same time fails on the unique key."""
    moved = await session.exec(update(DailyMark).where(
        col(DailyMark.place_id) == place_id, col(DailyMark.series) == series,
        col(DailyMark.last_day) < day).values(last_day=day))
    if moved.rowcount == 1:
        return True
    if (await session.exec(select(DailyMark).where(
            DailyMark.place_id == place_id, DailyMark.series == series))).first():
        return False
    session.add(DailyMark(place_id=place_id, series=series, last_day=day))
    await session.flush()
    return True
