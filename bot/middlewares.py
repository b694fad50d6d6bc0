"""Update middlewares: who is acting, and in which place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, Update, User

from bot.clock import Clock
from storage import people, places, updates
from storage.db import Database


class OnceMiddleware(BaseMiddleware):
    """Drops an update that was already taken in (same update_id): it is handled once."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Update) and not await updates.first_time(
                self.db, event.update_id, now=self.clock.now()):
            return None
        return await handler(event, data)


class ActorMiddleware(BaseMiddleware):
    """Remembers the person behind the update and finds the place bound to the chat."""

    def __init__(self, db: Database, clock: Clock, admin_ids: frozenset[int]) -> None:
        self.db = db
        self.clock = clock
        self.admin_ids = admin_ids

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        data["place"] = None
        data["actor"] = None
        if chat is not None and chat.type != "private":
            data["place"] = await places.by_chat(self.db, chat.id)
        if user is not None and not user.is_bot:
            person = await people.remember(
                self.db, user_id=user.id, full_name=user.full_name, username=user.username,
                language_code=user.language_code,
                in_private_chat=chat is not None and chat.type == "private",
                now=self.clock.now(),
            )
            data["actor"] = people.Actor(person, superadmin=user.id in self.admin_ids)
        return await handler(event, data)
