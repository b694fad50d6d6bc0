"""Retention: what people said, and what the bot told them, is not kept for ever.

After its retention has run out, an outbox row in a final state (sent, failed, undeliverable)
loses its rendered text and buttons; the row itself stays, so that its unique key still stops
the same notice from being sent again. A failed update loses the update's body, the user's
words, who sent it and where, and its error's message; its id, time and the kind of error
stay. Each batch is a short transaction of its own, so a sweep never holds a long one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, null, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database
from storage.models import FailedUpdate, OutboxMessage, OutboxState

DEFAULT_DAYS = 30
FINAL_STATES = (OutboxState.SENT, OutboxState.FAILED, OutboxState.UNDELIVERABLE)
BATCH = 500  # rows per transaction
BATCHES_PER_PASS = 40  # a pass stops here; the next sweep goes on
EVERY = timedelta(hours=1)  # a pass that found the end waits this long before the next
OVERLAP = timedelta(days=1)  # the next pass looks this far back before where one ended


async def erase_outbox(db: Database, *, before: datetime, since: datetime | None = None,
                       batch: int = BATCH, batches: int = BATCHES_PER_PASS) -> tuple[int, bool]:
    """Empty the text and buttons of final outbox rows made and last handled before
    ``before`` (and, when given, last handled from ``since`` on); how many, and whether none
    is left.

    ``not_before`` is when a row was last due or leased, so about when it was sent or given
    up. Each state's rows are walked in the order of the (state, not_before) index, every
    batch going on from where the one before stopped, so no row is read twice in a pass."""
    erased, left = 0, batches
    for state in FINAL_STATES:
        lower = since
        while True:
            if not left:
                return erased, False
            left -= 1
            async with db.transaction() as session:
                found = (await session.exec(_skip_locked(session, _final_rows(
                    state, lower, before, batch)))).all()
                if found:
                    await session.exec(update(OutboxMessage)
                                       .where(col(OutboxMessage.id).in_([i for i, _ in found]))
                                       .values(text="", markup=null()))
            erased += len(found)
            if len(found) < batch:
                break
            lower = found[-1][1]
    return erased, True


def _final_rows(state: OutboxState, lower: datetime | None, before: datetime,
                batch: int) -> Select[Any]:
    handled = col(OutboxMessage.not_before)
    conditions = [col(OutboxMessage.state) == state, handled < before,
                  col(OutboxMessage.created_at) < before, col(OutboxMessage.text) != ""]
    if lower is not None:
        conditions.append(handled >= lower)
    return (select(OutboxMessage.id, OutboxMessage.not_before).where(*conditions)
            .order_by(handled).limit(batch))


async def erase_failed_updates(db: Database, *, before: datetime, batch: int = BATCH,
                               batches: int = BATCHES_PER_PASS) -> tuple[int, bool]:
    """Erase what failed updates made before ``before`` carried; how many, and whether none is
    left. (Few updates fail: the table is small and read whole.)"""
    erased = 0
    for _ in range(batches):
        async with db.transaction() as session:
            found = (await session.exec(_skip_locked(session, select(
                FailedUpdate.id, FailedUpdate.error).where(
                col(FailedUpdate.created_at) < before, col(FailedUpdate.payload) != "")
                .limit(batch)))).all()
            if found:
                connection = await session.connection()
                await connection.execute(_ERASE_FAILED, [
                    {"row_id": row_id, "kind": error_kind(error)} for row_id, error in found])
        erased += len(found)
        if len(found) < batch:
            return erased, True
    return erased, False


_ERASE_FAILED = (update(FailedUpdate).where(col(FailedUpdate.id) == bindparam("row_id"))
                 .values(payload="", text=None, chat_id=None, person_id=None,
                         error=bindparam("kind")))


def error_kind(error: str) -> str:
    """``ValueError('…')`` as ``ValueError``: the message may quote what someone typed."""
    return error.split("(", 1)[0].split(":", 1)[0].strip()[:100]


Chosen = TypeVar("Chosen", bound=Select[Any])


def _skip_locked(session: AsyncSession, statement: Chosen) -> Chosen:
    """On PostgreSQL another instance's pass takes other rows instead of waiting for these."""
    if session.bind.dialect.name == "sqlite":
        return statement
    return statement.with_for_update(skip_locked=True)


@dataclass
class Retention:
    """How long the outbox's texts and failed updates are kept. Erasing is not urgent: a pass
    that reached the end waits ``EVERY`` for the next, which walks the outbox only from a day
    before where that one stopped (a process that starts walks it all once)."""

    outbox: timedelta = timedelta(days=DEFAULT_DAYS)
    failed_updates: timedelta = timedelta(days=DEFAULT_DAYS)
    next_pass_at: datetime | None = field(default=None, compare=False)
    outbox_since: datetime | None = field(default=None, compare=False)

    async def sweep(self, db: Database, *, now: datetime) -> dict[str, int]:
        if self.next_pass_at is not None and now < self.next_pass_at:
            return {}
        cutoff = now - self.outbox
        texts, texts_done = await erase_outbox(db, before=cutoff, since=self.outbox_since)
        failures, failures_done = await erase_failed_updates(db, before=now - self.failed_updates)
        if texts_done:
            self.outbox_since = cutoff - OVERLAP
        self.next_pass_at = now + EVERY if texts_done and failures_done else None
        return {"outbox_texts_erased": texts, "failed_updates_erased": failures}
