"""Places (street office → community → grid) and their chats: binding, detaching, settings,
the group's language. Each asks authority inside the transaction that makes the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage import places
from storage.db import Database
from storage.models import Place, PlaceKind
from storage.people import Actor
from storage.places import BindOutcome, BindResult
from usecases.authority import Act, may


async def bind(db: Database, actor: Actor, *, chat_id: int, kind: PlaceKind, name: str,
               parent_id: int | None, timezone: str, now: datetime) -> BindOutcome:
    """Bind the chat as a new place, or rename or move the place it already is. A new place
    needs an admin of the place above (a street: a bootstrap admin); renaming or moving a
    bound one also needs an admin of the place itself, so nobody can pull another's place
    under theirs."""
    async with db.transaction():
        current = await places.by_chat(db, chat_id)
        if current is not None and not await may(db, actor, Act.ADMINISTER, current.id):
            return BindOutcome(BindResult.NOT_ALLOWED, current)
        moving = current is None or parent_id != current.parent_id
        if moving and not await may(db, actor, Act.ADMINISTER, parent_id):
            return BindOutcome(BindResult.NOT_ALLOWED, current)
        return await places.bind(db, chat_id=chat_id, kind=kind, name=name,
                                 parent_id=parent_id, timezone=timezone, actor_id=actor.id,
                                 now=now)


async def attach(db: Database, actor: Actor, *, chat_id: int, place_id: int,
                 now: datetime) -> BindOutcome:
    """Give an existing place (that lost its chat) this chat: its admins only."""
    async with db.transaction():
        if not await may(db, actor, Act.ADMINISTER, place_id):
            return BindOutcome(BindResult.NOT_ALLOWED)
        return await places.attach(db, chat_id=chat_id, place_id=place_id, actor_id=actor.id,
                                   now=now)


async def unbind(db: Database, actor: Actor, place: Place, *, chat_id: int,
                 now: datetime) -> bool:
    """Detach the chat; the place, its people and wishes stay. False: not the actor's to do."""
    async with db.transaction():
        if not await may(db, actor, Act.ADMINISTER, place.id):
            return False
        await places.unbind_chat(db, chat_id, actor_id=actor.id, now=now)
        return True


async def change_setting(db: Database, actor: Actor, place: Place, name: str, value: Any, *,
                         now: datetime) -> bool:
    """A setting for the place and the places below it."""
    async with db.transaction():
        if not await may(db, actor, Act.ADMINISTER, place.id):
            return False
        await places.change_setting(db, place.id or 0, name, value, actor_id=actor.id, now=now)
        return True


async def set_group_locale(db: Database, actor: Actor, place: Place, locale: str, *,
                           now: datetime) -> bool:
    """The language the place's group is spoken to in."""
    async with db.transaction():
        if not await may(db, actor, Act.ADMINISTER, place.id):
            return False
        await places.set_locale(db, place.id or 0, locale, actor_id=actor.id, now=now)
        return True
