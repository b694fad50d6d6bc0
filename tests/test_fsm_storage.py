"""Form state in the database: read together after a start, never older than what was written."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import event, update
from sqlmodel import col

from bot.fsm_storage import DatabaseStorage, KeyLocks
from storage.db import Database
from storage.models import FsmRecord

BOT_ID = 42


def key(user_id: int) -> StorageKey:
    return StorageKey(bot_id=BOT_ID, chat_id=user_id, user_id=user_id)


@contextmanager
def transactions_counted(db: Database) -> Iterator[list[int]]:
    begun = [0]

    def count(_connection: object) -> None:
        begun[0] += 1

    event.listen(db.engine.sync_engine, "begin", count)
    try:
        yield begun
    finally:
        event.remove(db.engine.sync_engine, "begin", count)


async def test_after_a_start_the_states_of_a_batch_are_read_in_one_transaction(
        db: Database) -> None:
    before = DatabaseStorage(db)
    await before.set_state(key(1), "WishForm:text")
    await before.set_data(key(1), {"text": "买米"})
    await before.set_state(key(2), "Volunteer:phone")
    after = DatabaseStorage(db)  # a restarted bot: nothing in memory
    with transactions_counted(db) as begun:
        states = await asyncio.gather(after.get_state(key(1)), after.get_state(key(2)),
                                      after.get_state(key(3)), after.get_data(key(1)))
    assert states == ["WishForm:text", "Volunteer:phone", None, {"text": "买米"}]
    assert begun == [1]
    with transactions_counted(db) as begun:  # known now, "no state" included
        assert await after.get_state(key(3)) is None
        assert await after.get_data(key(1)) == {"text": "买米"}
    assert begun == [0]


async def test_a_state_written_while_it_was_being_read_is_kept(db: Database) -> None:
    """A read of several keys may have run its SELECT before a write to one of them committed
    and come back after it: what the write kept in memory wins over what the read found."""
    storage = DatabaseStorage(db)
    name = storage.keys.build(key(5))
    await storage.set_state(key(5), "WishForm:phone")
    async with db.transaction() as session:  # the table as the earlier SELECT saw it
        await session.exec(update(FsmRecord).where(col(FsmRecord.key) == name)
                           .values(state="WishForm:text"))
    assert await storage._read_all([name]) == [("WishForm:phone", {})]
    assert await storage.get_state(key(5)) == "WishForm:phone"


async def test_updates_of_one_person_wait_their_turn_and_leave_no_lock_behind() -> None:
    locks = KeyLocks()
    order: list[str] = []

    async def handle(name: str, user_id: int, pause: float) -> None:
        async with locks.lock(key(user_id)):
            order.append(f"{name} in")
            await asyncio.sleep(pause)
            order.append(f"{name} out")

    await asyncio.gather(handle("first", 1, 0.05), handle("second", 1, 0),
                         handle("other", 2, 0))
    assert order.index("first out") < order.index("second in")  # same person: in turn
    assert order.index("other in") < order.index("first out")  # someone else: side by side
    assert locks.held() == 0
