"""The outbox: what the bot must say, kept until Telegram has taken it.

Rows are claimed with a lease: a sender takes due rows by moving their ``not_before`` past
the lease, so a sender that died mid-batch leaves them due again once the lease runs out, and
on PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets several senders take disjoint batches.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, update
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from storage.db import QUEUED, Database, Prepared, insert_for
from storage.models import OutboxMessage, OutboxState

LEASE = timedelta(seconds=30)  # renewed while held: a killed sender holds rows no longer
RENEW_EVERY = LEASE / 3  # a sender renews the leases of the rows it holds this often
DUE_STATES = (OutboxState.PENDING, OutboxState.SENDING)


_QUEUE = Prepared(lambda dialect: insert_for(dialect)(OutboxMessage).on_conflict_do_nothing(
    index_elements=["key"]))


async def add(session: AsyncSession, messages: Iterable[OutboxMessage]) -> None:
    """Queue messages in the caller's transaction; a key already queued is left alone."""
    rows = [m.model_dump(exclude={"id"}) for m in messages]
    if rows:
        await _QUEUE.run(session, rows)
        session.info[QUEUED] = True


async def enqueue(db: Database, messages: Iterable[OutboxMessage]) -> None:
    async with db.transaction() as session:
        await add(session, messages)


def _due(dialect: str) -> Select[tuple[OutboxMessage]]:
    statement = (
        select(OutboxMessage)
        .where(col(OutboxMessage.state).in_(DUE_STATES),
               col(OutboxMessage.not_before) <= bindparam("now"),
               col(OutboxMessage.chat_id).not_in(bindparam("busy", expanding=True)))
        .order_by(col(OutboxMessage.lane), col(OutboxMessage.id))
        .limit(bindparam("limit"))
    )
    return statement if dialect == "sqlite" else statement.with_for_update(skip_locked=True)


_DUE = Prepared(_due)
_LEASE = (update(OutboxMessage)
          .where(col(OutboxMessage.id).in_(bindparam("ids", expanding=True)))
          .values(state=OutboxState.SENDING, not_before=bindparam("until")))


async def claim_due(db: Database, *, now: datetime, limit: int, per_chat: int | None = None,
                    busy: Collection[int] = ()) -> list[OutboxMessage]:
    """Take up to ``limit`` due rows for sending: the lowest lane first, then the oldest; at
    most ``per_chat`` rows of one chat, none of the chats in ``busy``."""
    async with db.transaction() as session:
        found = (await session.exec(_DUE.on(session), params={
            "now": now, "limit": limit, "busy": list(busy)})).all()
        rows = _at_most_per_chat(found, per_chat) if per_chat else list(found)
        if rows:
            await session.exec(_LEASE, params={"ids": [r.id for r in rows],
                                               "until": now + LEASE})
        return rows


_RENEW = (update(OutboxMessage)
          .where(col(OutboxMessage.id).in_(bindparam("ids", expanding=True)),
                 col(OutboxMessage.state) == OutboxState.SENDING)
          .values(not_before=bindparam("until")))


async def renew(db: Database, ids: Collection[int], *, now: datetime) -> None:
    """Extend the lease of rows a sender still holds (waiting for a window of Telegram's
    limits, or for a slow answer), so that no other sender takes them meanwhile."""
    async with db.transaction() as session:
        await session.exec(_RENEW, params={"ids": list(ids), "until": now + LEASE})


def _at_most_per_chat(rows: Iterable[OutboxMessage], per_chat: int) -> list[OutboxMessage]:
    taken: Counter[int] = Counter()
    kept = []
    for row in rows:
        if taken[row.chat_id] < per_chat:
            taken[row.chat_id] += 1
            kept.append(row)
    return kept


Result = dict[str, object]  # what became of one row: its id and the columns to change


def sent(row: OutboxMessage, *, telegram_id: int | None, now: datetime) -> Result:
    return {"id": row.id, "state": OutboxState.SENT, "sent_at": now, "message_id": telegram_id,
            "attempts": row.attempts + 1, "error": None}


def postponed(row: OutboxMessage, *, until: datetime, error: str,
              count_attempt: bool = True) -> Result:
    return {"id": row.id, "state": OutboxState.PENDING, "not_before": until, "error": error,
            "attempts": row.attempts + (1 if count_attempt else 0)}


def handed_back(row: OutboxMessage, *, until: datetime) -> Result:
    """Not sent now, and not for any fault: due again at ``until``."""
    return {"id": row.id, "state": OutboxState.PENDING, "not_before": until}


def given_up(row: OutboxMessage, *, state: OutboxState, error: str) -> Result:
    return {"id": row.id, "state": state, "error": error, "attempts": row.attempts + 1}


async def settle(db: Database, results: Sequence[Result]) -> None:
    """Record what became of several rows in one transaction."""
    if not results:
        return
    alike: dict[tuple[str, ...], list[dict[str, object]]] = defaultdict(list)
    for result in results:  # one executemany per kind of result (same columns)
        columns = tuple(sorted(k for k in result if k != "id"))
        alike[columns].append({"row_id": result["id"], **{c: result[c] for c in columns}})
    table = OutboxMessage.__table__
    async with db.transaction() as session:
        connection = await session.connection()
        for params in alike.values():
            # SET takes the columns named in the parameters
            await connection.execute(update(table).where(table.c.id == bindparam("row_id")),
                                     params)


async def mark_sent(db: Database, row: OutboxMessage, *, telegram_id: int | None,
                    now: datetime) -> None:
    await settle(db, [sent(row, telegram_id=telegram_id, now=now)])


async def counts(db: Database) -> dict[str, int]:
    async with db.transaction() as session:
        rows = (await session.exec(select(OutboxMessage.state))).all()
    result: dict[str, int] = {}
    for state in rows:
        result[state] = result.get(state, 0) + 1
    return result


async def rows(db: Database, keys: Sequence[str] | None = None) -> list[OutboxMessage]:
    async with db.transaction() as session:
        statement = select(OutboxMessage).order_by(col(OutboxMessage.id))
        if keys is not None:
            statement = statement.where(col(OutboxMessage.key).in_(list(keys)))
        return list((await session.exec(statement)).all())


async def waiting(db: Database, *, now: datetime) -> tuple[dict[int, int], float]:
    """What waits to be sent: the number of rows by lane (due now or later), and the age in
    seconds of the oldest that is due now (0 when none is)."""
    async with db.transaction() as session:
        rows = (await session.exec(
            select(OutboxMessage.lane, func.count(), func.min(OutboxMessage.not_before))
            .where(col(OutboxMessage.state).in_(DUE_STATES))
            .group_by(col(OutboxMessage.lane)))).all()
    oldest = min((first for _lane, _count, first in rows if first is not None and first <= now),
                 default=None)
    return ({int(lane): int(count) for lane, count, _first in rows},
            0.0 if oldest is None else (now - oldest).total_seconds())
