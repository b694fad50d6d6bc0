"""FSM storage in the database, so a half-filled form survives a restart."""

from __future__ import annotations

import asyncio
import copy
from collections import OrderedDict
from collections.abc import AsyncGenerator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseEventIsolation,
    BaseStorage,
    DefaultKeyBuilder,
    StateType,
    StorageKey,
)
from sqlalchemy import bindparam
from sqlmodel import col, select

from bot.together import Together
from storage.db import Database
from storage.models import FsmRecord

KEPT_AT_MOST = 10_000
_RECORDS = select(FsmRecord).where(col(FsmRecord.key).in_(bindparam("keys", expanding=True)))


class DatabaseStorage(BaseStorage):
    """Writes go to the database at once; reads are answered from memory once a key has
    been read or written. This storage is paired with KeyLocks, which (like aiogram's own
    in-memory isolation) already assumes one bot process (with several, GRIDLINK_REDIS_URL
    selects Redis), so memory cannot go stale. Most updates are chatter whose sender fills no
    form: "no state" is remembered too, which spares a database read per update. Keys not in
    memory yet (after a start, most of them) are read together with the others of the same
    moment: one transaction for a polling batch rather than one per update."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.keys = DefaultKeyBuilder(with_bot_id=True, with_destiny=True)
        self._kept: OrderedDict[str, tuple[str | None, dict[str, Any]]] = OrderedDict()
        self._read = Together(self._read_all)

    async def _record(self, key: StorageKey) -> tuple[str | None, dict[str, Any]]:
        name = self.keys.build(key)
        if name in self._kept:
            self._kept.move_to_end(name)
            return self._kept[name]
        return await self._read(name)

    async def _read_all(self, names: list[str]) -> list[tuple[str | None, dict[str, Any]]]:
        async with self.db.transaction() as session:
            found = {record.key: record for record in (await session.exec(
                _RECORDS, params={"keys": list(set(names))})).all()}
        read: list[tuple[str | None, dict[str, Any]]] = []
        for name in names:
            if name in self._kept:  # written while this was read: what was written is newer
                read.append(self._kept[name])
                continue
            record = found.get(name)
            read.append(self._keep(name, record.state if record else None,
                                   dict(record.data) if record and record.data else {}))
        return read

    def _keep(self, name: str, state: str | None,
              data: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
        self._kept[name] = (state, data)
        self._kept.move_to_end(name)
        if len(self._kept) > KEPT_AT_MOST:
            self._kept.popitem(last=False)
        return state, data

    async def _write(self, key: StorageKey, **values: Any) -> None:
        name = self.keys.build(key)
        self._kept.pop(name, None)  # a failed write must not leave memory ahead of the table
        async with self.db.transaction() as session:
            stored = await session.get(FsmRecord, name)
            record = stored or FsmRecord(key=name)
            for field, value in values.items():
                setattr(record, field, value)
            state, data = record.state, copy.deepcopy(dict(record.data or {}))
            if state is None and not data:
                if stored is not None:
                    await session.delete(stored)
            elif stored is None:
                session.add(record)
        self._keep(name, state, data)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        name = state.state if isinstance(state, State) else state
        await self._write(key, state=name)

    async def get_state(self, key: StorageKey) -> str | None:
        state, _data = await self._record(key)
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        _state, data = await self._record(key)
        return copy.deepcopy(data)

    async def close(self) -> None:
        """The database belongs to the application, which closes it."""


class KeyLocks(BaseEventIsolation):
    """Updates of one chat and person are handled one at a time, as with aiogram's
    SimpleEventIsolation, which keeps a lock for every chat and person it has ever seen; here
    a lock is dropped once nobody holds it or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[StorageKey, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            self._leave(key)

    def _leave(self, key: StorageKey) -> None:
        held = self._locks.get(key)
        if held is None:  # closed meanwhile: nobody waits any more
            return
        lock, users = held
        if users == 1:
            del self._locks[key]
        else:
            self._locks[key] = (lock, users - 1)

    def held(self) -> int:
        """How many keys are locked or awaited now."""
        return len(self._locks)

    async def close(self) -> None:
        self._locks.clear()
