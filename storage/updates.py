"""Telegram updates taken in, so that one delivered twice is handled once, and one whose
instance was killed while handling it is handled by another.

An update is recorded with its body and a hold (``held_until``) when it is taken in; the
instance handling it renews the hold while it runs and clears body and hold when it is done
(``tend``). Telegram was answered at once (webhook) or has moved its offset past the update
(polling), so it will not send it again: an update whose hold ran out is taken over by
whichever instance looks first (``take_over``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database, Prepared, insert_for
from storage.models import ProcessedUpdate

KEEP = timedelta(days=2)  # Telegram keeps an undelivered update for 24 hours
HOLD = timedelta(seconds=30)  # renewed every few seconds while the update is handled
TAKE_OVER_AT_ONCE = 50

Body = dict[str, Any]

_RECORD = Prepared(lambda dialect: insert_for(dialect)(ProcessedUpdate)
                   .on_conflict_do_nothing(index_elements=["update_id"])
                   .returning(col(ProcessedUpdate.update_id)))
_DONE = (update(ProcessedUpdate)
         .where(col(ProcessedUpdate.update_id).in_(bindparam("ids", expanding=True)))
         .values(body=None, held_until=None))
_HOLD = (update(ProcessedUpdate)
         .where(col(ProcessedUpdate.update_id).in_(bindparam("ids", expanding=True)),
                col(ProcessedUpdate.held_until).is_not(None))
         .values(held_until=bindparam("until")))


async def first_times_in(session: AsyncSession, bodies: Mapping[int, Body | None], *,
                         now: datetime) -> set[int]:
    """Record the updates (id → body) in the caller's transaction, held by the caller; the ids
    that were not recorded before."""
    if not bodies:
        return set()
    recorded = await _RECORD.run(session, [
        {"update_id": update_id, "received_at": now, "body": body, "held_until": now + HOLD}
        for update_id, body in bodies.items()])
    return set(recorded.scalars())


async def tend(db: Database, *, done: Collection[int], holding: Collection[int],
               now: datetime) -> None:
    """Mark ``done`` as handled and renew the hold on those still ``holding``."""
    if not done and not holding:
        return
    async with db.transaction() as session:
        connection = await session.connection()
        if done:
            await connection.execute(_DONE, {"ids": list(done)})
        if holding:
            await connection.execute(_HOLD, {"ids": list(holding), "until": now + HOLD})


async def take_over(db: Database, *, now: datetime,
                    limit: int = TAKE_OVER_AT_ONCE) -> list[tuple[int, Body]]:
    """Updates whose hold ran out before they were handled, now held by the caller, oldest
    first. On PostgreSQL two instances looking at once take different ones."""
    async with db.transaction() as session:
        statement = (select(ProcessedUpdate.update_id, ProcessedUpdate.body)
                     .where(col(ProcessedUpdate.held_until) <= now,
                            col(ProcessedUpdate.body).is_not(None))
                     .order_by(col(ProcessedUpdate.update_id)).limit(limit))
        if session.bind.dialect.name != "sqlite":
            statement = statement.with_for_update(skip_locked=True)
        found = [(update_id, body) for update_id, body in (await session.exec(statement)).all()
                 if body is not None]
        if found:
            await (await session.connection()).execute(
                _HOLD, {"ids": [update_id for update_id, _ in found], "until": now + HOLD})
    return found


async def release(db: Database, update_ids: Collection[int], *, now: datetime) -> None:
    """Give up the hold on updates stopped before they were handled: the next look by any
    instance (this one, started again, included) takes them over."""
    async with db.transaction() as session:
        await (await session.connection()).execute(
            _HOLD, {"ids": list(update_ids), "until": now})


async def forget_old(db: Database, *, now: datetime) -> int:
    async with db.transaction() as session:
        removed = await session.exec(delete(ProcessedUpdate).where(
            col(ProcessedUpdate.received_at) < now - KEEP))
        return removed.rowcount
