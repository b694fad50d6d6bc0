"""FSM storage in the database, so a half-filled form survives a restart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey

from storage.db import Database
from storage.models import FsmRecord


class DatabaseStorage(BaseStorage):
    def __init__(self, db: Database) -> None:
        self.db = db
        self.keys = DefaultKeyBuilder(with_bot_id=True, with_destiny=True)

    async def _record(self, key: StorageKey) -> FsmRecord | None:
        async with self.db.transaction() as session:
            return await session.get(FsmRecord, self.keys.build(key))

    async def _write(self, key: StorageKey, **values: Any) -> None:
        async with self.db.transaction() as session:
            stored = await session.get(FsmRecord, self.keys.build(key))
            record = stored or FsmRecord(key=self.keys.build(key))
            for name, value in values.items():
                setattr(record, name, value)
            if record.state is None and not record.data:
                if stored is not None:
                    await session.delete(stored)
            elif stored is None:
                session.add(record)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        name = state.state if isinstance(state, State) else state
        await self._write(key, state=name)

    async def get_state(self, key: StorageKey) -> str | None:
        record = await self._record(key)
        return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        record = await self._record(key)
        return dict(record.data) if record else {}

    async def close(self) -> None:
        """The database belongs to the application, which closes it."""
