"""Telegram updates taken in, so that one delivered twice is handled once."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database, Prepared, insert_for
from storage.models import ProcessedUpdate

KEEP = timedelta(days=2)  # Telegram keeps an undelivered update for 24 hours


_RECORD = Prepared(lambda dialect: insert_for(dialect)(ProcessedUpdate)
                   .on_conflict_do_nothing(index_elements=["update_id"])
                   .returning(col(ProcessedUpdate.update_id)))


async def first_times_in(session: AsyncSession, update_ids: Collection[int], *,
                         now: datetime) -> set[int]:
    """Record the updates in the caller's transaction; the ids that were not recorded before."""
    if not update_ids:
        return set()
    recorded = await _RECORD.run(session, [{"update_id": update_id, "received_at": now}
                                           for update_id in update_ids])
    return set(recorded.scalars())


async def forget_old(db: Database, *, now: datetime) -> int:
    async with db.transaction() as session:
        removed = await session.exec(delete(ProcessedUpdate).where(
            col(ProcessedUpdate.received_at) < now - KEEP))
        return removed.rowcount


async def forget(db: Database, update_ids: Collection[int]) -> None:
    """Forget that these updates were taken in (they were stopped before they were handled),
    so that Telegram's next delivery of them is handled."""
    async with db.transaction() as session:
        await session.exec(delete(ProcessedUpdate).where(
            col(ProcessedUpdate.update_id).in_(list(update_ids))))
