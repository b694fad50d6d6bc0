"""The audit log: one row for every state change, written in the same transaction."""

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import AuditEntry


def record(
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
) -> AuditEntry:
    entry = AuditEntry(
            entity=entity,
            entity_id=entity_id,
            actor_id=actor_id,
            action=action,
            from_state=from_state,
            to_state=to_state,
            detail=detail,
            at=at,
    )
    session.add(entry)
    return entry
