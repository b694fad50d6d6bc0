"""Middlewares: each update is taken in once, with who is acting and where; Bot API answers
are read with models built once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, TelegramObject, Update, User

from bot import audience
from bot.clock import Clock
from bot.together import Together
from storage import people, places, updates
from storage.db import Database
from storage.models import Person


@dataclass(frozen=True)
class _Arrival:
    update_id: int | None
    visitor: people.Visitor | None
    body: updates.Body | None = None
    taken_over: bool = False  # from an instance that did not finish it (bot.inflight)


@dataclass(frozen=True)
class _TakenIn:
    first_time: bool
    person: Person | None


class IntakeMiddleware(BaseMiddleware):
    """Drops an update that was already taken in (same update_id), so it is handled once;
    remembers the person behind it and finds the place bound to the chat. The update is
    recorded with its body and held by this instance until it is handled (bot.inflight), so
    that another instance handles it if this one is killed half-way.

    Updates that arrive together are taken in with one transaction (``Together``), which
    writes their records and their people: one commit instead of one per update."""

    def __init__(self, db: Database, clock: Clock, admin_ids: frozenset[int]) -> None:
        self.db = db
        self.clock = clock
        self.admin_ids = admin_ids
        self._take_in = Together(self._store)

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        visitor = people.Visitor(
            user.id, user.full_name, user.username, user.language_code,
            in_private_chat=chat is not None and chat.type == "private",
        ) if user is not None and not user.is_bot else None
        update_id = event.update_id if isinstance(event, Update) else None
        taken_over = bool(data.get("taken_over"))
        body = (event.model_dump(mode="json", by_alias=True, exclude_unset=True)
                if update_id is not None and not taken_over else None)
        taken = await self._take_in(_Arrival(update_id, visitor, body, taken_over))
        if not taken.first_time:
            return None
        if update_id is not None:
            data["dispatcher"].in_flight.took(update_id)
        person = taken.person
        data["actor"] = (people.Actor(person, superadmin=person.id in self.admin_ids)
                         if person else None)
        data["place"] = (await places.by_chat(self.db, chat.id)
                         if chat is not None and chat.type != "private" else None)
        with audience.addressing(chat.id if chat is not None else None):
            return await handler(event, data)

    async def _store(self, arrivals: list[_Arrival]) -> list[_TakenIn]:
        now = self.clock.now()
        async with self.db.transaction() as session:
            new = await updates.first_times_in(
                session, {a.update_id: a.body for a in arrivals
                          if a.update_id is not None and not a.taken_over}, now=now)
            fresh = _first_times(arrivals, new)
            known = await people.remember_all_in(session, [
                a.visitor for a, first_time in zip(arrivals, fresh, strict=True)
                if a.visitor is not None and first_time], now=now)
        return [_TakenIn(first_time, known.get(a.visitor.user_id) if a.visitor else None)
                for a, first_time in zip(arrivals, fresh, strict=True)]


def _first_times(arrivals: list[_Arrival], new: set[int]) -> list[bool]:
    """Whether each arrival is handled: not recorded before (the same update twice in one
    batch: the first), taken over, or not an update."""
    unseen = set(new)
    fresh: list[bool] = []
    for arrival in arrivals:
        if arrival.update_id is None or arrival.taken_over:
            fresh.append(True)
        else:
            fresh.append(arrival.update_id in unseen)
            unseen.discard(arrival.update_id)
    return fresh


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
