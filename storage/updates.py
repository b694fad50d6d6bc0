"""Telegram updates taken in, so that one delivered twice is handled once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database, upsert
from storage.models import ProcessedUpdate

KEEP = timedelta(days=2)  # Telegram keeps an undelivered update for 24 hours


async def first_time(db: Database, update_id: int, *, now: datetime) -> bool:
    """Record the update; False when it was recorded before."""
    async with db.transaction() as session:
        return await first_time_in(session, update_id, now=now)


async def first_time_in(session: AsyncSession, update_id: int, *, now: datetime) -> bool:
    """``first_time`` inside the caller's transaction."""
    inserted = await session.exec(
        upsert(session, ProcessedUpdate).values(update_id=update_id, received_at=now)
        .on_conflict_do_nothing(index_elements=["update_id"]))
    return inserted.rowcount == 1


async def forget_old(db: Database, *, now: datetime) -> int:
    async with db.transaction() as session:
        removed = await session.exec(delete(ProcessedUpdate).where(
            col(ProcessedUpdate.received_at) < now - KEEP))
        return removed.rowcount
