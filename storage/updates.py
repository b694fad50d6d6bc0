"""Telegram updates taken in, so that one delivered twice is handled once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from storage.db import Database
from storage.models import ProcessedUpdate

KEEP = timedelta(days=2)  # Telegram keeps an undelivered update for 24 hours


async def first_time(db: Database, update_id: int, *, now: datetime) -> bool:
    """Record the update; False when it was recorded before."""
    async with db.transaction() as session:
        dialect = postgresql if not db.is_sqlite else sqlite
        inserted = await session.exec(
            dialect.insert(ProcessedUpdate).values(update_id=update_id, received_at=now)
            .on_conflict_do_nothing(index_elements=["update_id"]))
        return inserted.rowcount == 1


async def forget_old(db: Database, *, now: datetime) -> int:
    async with db.transaction() as session:
        removed = await session.exec(delete(ProcessedUpdate).where(
            col(ProcessedUpdate.received_at) < now - KEEP))
        return removed.rowcount
