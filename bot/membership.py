"""Remembering who is in which grid's group, from what they do there (storage.members)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

from bot.clock import Clock
from storage import members
from storage.db import Database
from storage.models import Place, PlaceKind
from storage.people import Actor

KEPT_IN_MIND = 100_000  # pairs this process knows are stored; forgotten all at once beyond


def acts(update: TelegramObject) -> bool:
    """A command or a button press: talk among residents is not looked at."""
    if not isinstance(update, Update):
        return False
    if update.callback_query is not None:
        return True
    message = update.message
    words = (message.text or message.caption or "") if message is not None else ""
    return words.startswith("/")


class GridMembership(BaseMiddleware):
    """Whoever sends a command or presses a button in a grid's group belongs to that grid;
    each person and grid is written once (and once per process, not per update)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._known: set[tuple[int, int]] = set()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        place: Place | None = data.get("place")
        actor: Actor | None = data.get("actor")
        if place is not None and place.kind == PlaceKind.GRID and actor is not None \
                and place.id is not None and acts(event):
            await self._remember(actor.id, place.id)
        return await handler(event, data)

    async def _remember(self, person_id: int, grid_id: int) -> None:
        if (person_id, grid_id) in self._known:
            return
        async with self.db.transaction() as session:
            await members.seen_in(session, [person_id], grid_id, now=self.clock.now())
        if len(self._known) >= KEPT_IN_MIND:
            self._known.clear()
        self._known.add((person_id, grid_id))
