"""Middlewares: each update is taken in once, with who is acting and where; Bot API answers
are read with models built once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, TelegramObject, Update, User

from bot.clock import Clock
from storage import people, places, updates
from storage.db import Database


class IntakeMiddleware(BaseMiddleware):
    """Drops an update that was already taken in (same update_id), so it is handled once;
    remembers the person behind it and finds the place bound to the chat. The update's
    record and the person are written in one transaction."""

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
        now = self.clock.now()
        async with self.db.transaction() as session:
            if isinstance(event, Update) and not await updates.first_time_in(
                    session, event.update_id, now=now):
                return None
            person = None
            if user is not None and not user.is_bot:
                person = await people.remember_in(
                    session, user_id=user.id, full_name=user.full_name,
                    username=user.username, language_code=user.language_code,
                    in_private_chat=chat is not None and chat.type == "private", now=now)
        data["actor"] = (people.Actor(person, superadmin=person.id in self.admin_ids)
                         if person else None)
        data["place"] = (await places.by_chat(self.db, chat.id)
                         if chat is not None and chat.type != "private" else None)
        return await handler(event, data)


class KeepResponseTypes(BaseRequestMiddleware):
    """Keeps alive the ``Response[...]`` model that aiogram reads each Bot API answer with.

    Pydantic remembers a parametrized generic model only while something refers to it, and
    aiogram builds ``Response[Message]`` afresh for every call: whenever the garbage collector
    has run in between, the model class and its validator are built again (milliseconds, most
    of the cost of a send in a busy bot). Holding each one here makes it built once."""

    def __init__(self) -> None:
        self._kept: dict[Any, type[Response[Any]]] = {}

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in self._kept:
            self._kept[returning] = Response[returning]  # type: ignore[valid-type]
        return await make_request(bot, method)
