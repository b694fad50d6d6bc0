"""The command menus set for people (bot.commands), and whose roles changed in this update.

Roles change in a few storage steps (a grant, a revocation, a volunteer approved, a change of
standing); each notes the person here with ``roles_changed``. The update's middleware watches
(``watching``) and, once the handler is done, refreshes the menus of whoever was noted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import delete, insert
from sqlmodel import col, select

from storage.db import Database
from storage.models import CommandMenu

_changed: ContextVar[set[int] | None] = ContextVar("gridlink_roles_changed", default=None)


def roles_changed(person_id: int) -> None:
    """Note that what ``person_id`` may use may have changed (nothing when nobody watches)."""
    noted = _changed.get()
    if noted is not None:
        noted.add(person_id)


@contextmanager
def watching() -> Iterator[set[int]]:
    """Collect the people whose roles change inside the block."""
    noted: set[int] = set()
    token = _changed.set(noted)
    try:
        yield noted
    finally:
        _changed.reset(token)


async def set_of(db: Database, person_id: int) -> dict[int, str]:
    """The menus set for a person: the digest of each, by chat."""
    async with db.transaction() as session:
        rows = (await session.exec(select(CommandMenu.chat_id, CommandMenu.digest).where(
            CommandMenu.person_id == person_id))).all()
    return dict(rows)


async def remember(db: Database, person_id: int, chat_id: int, digest: str | None) -> None:
    """Keep the digest of the menu now set in the chat (None: none of their own there)."""
    async with db.transaction() as session:
        await session.exec(delete(CommandMenu).where(
            col(CommandMenu.person_id) == person_id, col(CommandMenu.chat_id) == chat_id))
        if digest is not None:
            await session.exec(insert(CommandMenu).values(
                person_id=person_id, chat_id=chat_id, digest=digest))


async def forget(db: Database, person_id: int) -> None:
    async with db.transaction() as session:
        await session.exec(delete(CommandMenu).where(col(CommandMenu.person_id) == person_id))
