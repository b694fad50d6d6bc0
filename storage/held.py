"""Messages held back: private messages that could not be delivered because the person had
never started the bot or had blocked it (outbox rows left undeliverable), found again when
they start it (usecases.held)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import QUEUED
from storage.models import Lane, OutboxKind, OutboxMessage, OutboxState


async def held_for(session: AsyncSession, person_id: int, *,
                   since: datetime) -> list[OutboxMessage]:
    """The person's undeliverable private messages queued from ``since`` on whose words are
    still kept (retention empties them), oldest first."""
    return list((await session.exec(
        select(OutboxMessage)
        .where(col(OutboxMessage.chat_id) == person_id,
               col(OutboxMessage.state) == OutboxState.UNDELIVERABLE,
               col(OutboxMessage.kind) == OutboxKind.MESSAGE,
               col(OutboxMessage.created_at) >= since,
               col(OutboxMessage.text) != "")
        .order_by(col(OutboxMessage.id)))).all())


async def send_again(session: AsyncSession, row_ids: Sequence[int], now: datetime) -> int:
    """Queue these rows again, all in the person lane so that they go out in the order they
    were first queued; only rows still undeliverable, so two starts at once send them once.
    How many were queued."""
    if not row_ids:
        return 0
    done = await session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(list(row_ids)),
               col(OutboxMessage.state) == OutboxState.UNDELIVERABLE)
        .values(state=OutboxState.PENDING, lane=Lane.PERSON, not_before=now, error=None))
    if done.rowcount:
        session.info[QUEUED] = True  # the sender looks at once when this commits
    return done.rowcount or 0
