"""The audit log: one row for every state change, written in the same transaction."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, insert, inspect, update
from sqlmodel import SQLModel, col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Prepared
from storage.models import AuditEntry

_RECORD = Prepared(lambda _dialect: insert(AuditEntry).returning(col(AuditEntry.id)))


async def record(
    session: AsyncSession,
    *,
    entity: str,
    entity_id: int,
    actor_id: int | None,
    action: str,
    at: datetime,
    from_state: str | None = None,
    to_state: str | None = None,
    detail: str | None = None,
) -> int:
    """Write the audit row in the caller's transaction, at once; its id, which names the event
    (e.g. in the keys of the messages it sends). A plain INSERT rather than an ORM object: one
    is written for every change, and the object and its flush cost more than the row."""
    return (await _RECORD.run(session, {
        "entity": entity, "entity_id": entity_id, "actor_id": actor_id, "action": action,
        "from_state": from_state, "to_state": to_state, "detail": detail, "at": at,
    })).scalar_one()


async def move(
    session: AsyncSession,
    row: SQLModel,
    *,
    entity: str,
    expected: Iterable[str],
    to: str,
    actor_id: int | None,
    action: str,
    at: datetime,
    column: str = "state",
    conditions: Iterable[ColumnElement[bool]] = (),
    values: dict[str, Any] | None = None,
    detail: str | None = None,
) -> int | None:
    """Move ``row`` (read in this session) from one of the ``expected`` states to ``to``, with
    its audit row: the id of that row, or None when it was no longer in such a state.

    The change is one conditional UPDATE, so of two people pressing at once, one wins. ``row``
    is read again either way, so the caller sees what the winner made of it."""
    table = type(row)
    (key,) = inspect(table).primary_key
    row_id = getattr(row, key.key)
    from_state = getattr(row, column)
    moved = (await session.exec(
        update(table)
        .where(key == row_id, getattr(table, column).in_([str(state) for state in expected]),
               *conditions)
        .values({column: to, **(values or {})})
        .returning(table)  # refreshes ``row`` in the same statement
        .execution_options(synchronize_session=False, populate_existing=True)
    )).first()
    if moved is None:
        await session.refresh(row)
        return None
    return await record(session, entity=entity, entity_id=row_id, actor_id=actor_id,
                        action=action, at=at, from_state=from_state, to_state=to, detail=detail)
