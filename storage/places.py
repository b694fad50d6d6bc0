"""The place tree (street → community → grid) and the chats bound to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit
from storage.db import PLACES_CHANGED, Database, Remembered
from storage.models import PARENT_KIND, Place, PlaceKind
from storage.settings import PlaceSettings, effective


class BindResult(StrEnum):
    BOUND = "bound"
    RENAMED = "renamed"
    NO_PARENT = "no_parent"
    WRONG_PARENT_KIND = "wrong_parent_kind"
    CHAT_HAS_OTHER_KIND = "chat_has_other_kind"
    ALREADY_BOUND = "already_bound"
    NOT_ALLOWED = "not_allowed"  # answered by the use cases (usecases.places)


@dataclass(frozen=True)
class BindOutcome:
    result: BindResult
    place: Place | None = None


async def by_chat(db: Database, chat_id: int) -> Place | None:
    """The place bound to the chat. Nearly every update asks and bindings rarely change, so
    the answer is remembered for a short while (``Database.chat_places``)."""
    found, place = db.chat_places.get(chat_id)
    if not found:
        async with db.transaction() as session:
            place = await _by_chat(session, chat_id)
        db.chat_places.put(chat_id, place)
    return place


async def by_id(db: Database, place_id: int) -> Place | None:
    async with db.transaction() as session:
        return await get(session, place_id)


async def get(session: AsyncSession, place_id: int | None) -> Place | None:
    """A place to read (not to change): a wish's grid and its ancestors are looked up many
    times per update, so places are remembered like ``by_chat``. What is remembered is a copy
    that belongs to no session, so no other transaction's rollback can expire it."""
    if place_id is None:
        return None
    remembered: Remembered = session.info["places"]
    found, place = remembered.get(place_id)
    if not found:
        loaded = await session.get(Place, place_id)
        place = None if loaded is None else Place(**loaded.model_dump())
        remembered.put(place_id, place)
    return place


@asynccontextmanager
async def _changing(db: Database) -> AsyncIterator[AsyncSession]:
    """A transaction that changes places; what ``by_chat`` and ``get`` remember is forgotten
    once it has ended, committed or not, and by the other instances once it has committed
    (``Database.when_places_changed``)."""
    try:
        async with db.transaction() as session:
            session.info[PLACES_CHANGED] = True
            yield session
    finally:
        db.forget_places()


async def by_ids(db: Database, place_ids: list[int]) -> list[Place]:
    """The places, by name."""
    async with db.transaction() as session:
        return list((await session.exec(select(Place).where(col(Place.id).in_(place_ids))
                                        .order_by(col(Place.name)))).all())


async def _by_chat(session: AsyncSession, chat_id: int) -> Place | None:
    return (await session.exec(select(Place).where(Place.chat_id == chat_id))).first()


async def chain(session: AsyncSession, place: Place) -> list[Place]:
    """The place and its ancestors, the place first."""
    places = [place]
    while places[-1].parent_id is not None:
        parent = await get(session, places[-1].parent_id)
        if parent is None:
            break
        places.append(parent)
    return places


async def chain_of(db: Database, place_id: int) -> list[Place]:
    async with db.transaction() as session:
        place = await get(session, place_id)
        return [] if place is None else await chain(session, place)


async def settings_of(db: Database, place_id: int) -> PlaceSettings:
    return effective(await chain_of(db, place_id))


async def bind(
    db: Database,
    *,
    chat_id: int,
    kind: PlaceKind,
    name: str,
    parent_id: int | None,
    timezone: str,
    actor_id: int,
    now: datetime,
) -> BindOutcome:
    """Bind a chat as a place; binding it again renames it."""
    async with _changing(db) as session:
        parent = None
        if PARENT_KIND[kind] is not None:
            parent = await session.get(Place, parent_id) if parent_id is not None else None
            if parent is None:
                return BindOutcome(BindResult.NO_PARENT)
            if parent.kind != PARENT_KIND[kind]:
                return BindOutcome(BindResult.WRONG_PARENT_KIND, parent)
        existing = await _by_chat(session, chat_id)
        if existing is not None:
            if existing.kind != kind:
                return BindOutcome(BindResult.CHAT_HAS_OTHER_KIND, existing)
            detail = name if parent is None or parent.id == existing.parent_id else (
                f"{name} (under {parent.id}, was {existing.parent_id})")
            existing.name = name
            if parent is not None:
                existing.parent_id = parent.id
            await audit.record(session, entity="place", entity_id=existing.id or 0,
                               actor_id=actor_id, action="rename", at=now, detail=detail)
            return BindOutcome(BindResult.RENAMED, existing)
        place = Place(kind=kind, name=name, parent_id=parent.id if parent else None,
                      chat_id=chat_id, timezone=parent.timezone if parent else timezone,
                      created_at=now)
        session.add(place)
        await session.flush()
        await audit.record(session, entity="place", entity_id=place.id or 0, actor_id=actor_id,
                           action="bind", at=now, detail=f"{kind}:{chat_id}")
        return BindOutcome(BindResult.BOUND, place)


async def attach(db: Database, *, chat_id: int, place_id: int, actor_id: int,
                 now: datetime) -> BindOutcome:
    """Give an existing place that lost its chat a new one."""
    async with _changing(db) as session:
        if await _by_chat(session, chat_id) is not None:
            return BindOutcome(BindResult.CHAT_HAS_OTHER_KIND, await _by_chat(session, chat_id))
        place = await session.get(Place, place_id)
        if place is None:
            return BindOutcome(BindResult.NO_PARENT)
        if place.chat_id is not None:
            return BindOutcome(BindResult.ALREADY_BOUND, place)
        place.chat_id = chat_id
        await audit.record(session, entity="place", entity_id=place_id, actor_id=actor_id,
                           action="bind", at=now, detail=f"{place.kind}:{chat_id}")
        return BindOutcome(BindResult.BOUND, place)


async def unbind_chat(db: Database, chat_id: int, *, actor_id: int | None,
                      now: datetime) -> Place | None:
    """Detach the chat from its place; the place, its people and wishes stay."""
    async with _changing(db) as session:
        place = await _by_chat(session, chat_id)
        if place is None:
            return None
        place.chat_id = None
        await audit.record(session, entity="place", entity_id=place.id or 0, actor_id=actor_id,
                           action="unbind", at=now, detail=str(chat_id))
        return place


async def move_chat(db: Database, old_chat_id: int, new_chat_id: int, *, now: datetime) -> bool:
    """A group became a supergroup and got a new id: the place follows it."""
    async with _changing(db) as session:
        moved = await session.exec(
            update(Place).where(col(Place.chat_id) == old_chat_id).values(chat_id=new_chat_id)
        )
        if moved.rowcount:
            place = await _by_chat(session, new_chat_id)
            await audit.record(session, entity="place",
                               entity_id=place.id if place and place.id else 0, actor_id=None,
                               action="migrate_chat", at=now,
                               detail=f"{old_chat_id}->{new_chat_id}")
        return bool(moved.rowcount)


async def set_locale(db: Database, place_id: int, locale: str, *, actor_id: int,
                     now: datetime) -> None:
    async with _changing(db) as session:
        await session.exec(update(Place).where(col(Place.id) == place_id).values(locale=locale))
        await audit.record(session, entity="place", entity_id=place_id, actor_id=actor_id,
                           action="locale", at=now, detail=locale)


async def change_setting(db: Database, place_id: int, name: str, value: Any, *,
                         actor_id: int, now: datetime) -> None:
    async with _changing(db) as session:
        place = await session.get(Place, place_id, with_for_update=True)
        if place is None:
            return
        place.settings = {**(place.settings or {}), name: value}
        await audit.record(session, entity="place", entity_id=place_id, actor_id=actor_id,
                           action="setting", at=now, detail=f"{name}={value}")


def _has_ancestor_in(place: Place, ids: set[int], by_id: dict[int | None, Place]) -> bool:
    parent = by_id.get(place.parent_id)
    while parent is not None:
        if parent.id in ids:
            return True
        parent = by_id.get(parent.parent_id)
    return False


async def subtree(db: Database, root_ids: list[int] | None) -> list[tuple[Place, int]]:
    """Places under the given roots (all places when None), depth-first with their depth."""
    async with db.transaction() as session:
        places = list((await session.exec(select(Place).order_by(col(Place.id)))).all())
    children: dict[int | None, list[Place]] = {}
    for place in places:
        children.setdefault(place.parent_id, []).append(place)
    if root_ids is None:
        roots = children.get(None, [])
    else:
        by_id = {p.id: p for p in places}
        # A root inside another root's subtree would be listed twice.
        roots = [p for p in places if p.id in set(root_ids)
                 and not _has_ancestor_in(p, set(root_ids), by_id)]
    ordered: list[tuple[Place, int]] = []

    def walk(place: Place, depth: int) -> None:
        ordered.append((place, depth))
        for child in children.get(place.id, []):
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    return ordered


async def grids(db: Database, *, parent_id: int | None = None, limit: int = 24) -> list[Place]:
    """Grids by name: those of one community, or all of them."""
    async with db.transaction() as session:
        statement = select(Place).where(Place.kind == PlaceKind.GRID)
        if parent_id is not None:
            statement = statement.where(Place.parent_id == parent_id)
        return list((await session.exec(
            statement.order_by(col(Place.name), col(Place.id)).limit(limit))).all())


async def grids_under(db: Database, place: Place) -> list[Place]:
    """The place itself when it is a grid, else every grid below it."""
    if place.kind == PlaceKind.GRID:
        return [place]
    return [p for p, _depth in await subtree(db, [place.id or 0]) if p.kind == PlaceKind.GRID]
