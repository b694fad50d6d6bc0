"""People, their language, and the roles they hold at places."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import bindparam, delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, menus, places
from storage.db import Database
from storage.models import Person, Role, RoleGrant, Volunteer
from storage.places import chain


@dataclass(frozen=True)
class Actor:
    """The person behind an update, and whether they are a bootstrap admin."""

    person: Person
    superadmin: bool = False

    @property
    def id(self) -> int:
        return self.person.id


@dataclass(frozen=True)
class Visitor:
    """Who Telegram says is behind an update."""

    user_id: int
    full_name: str
    username: str | None
    language_code: str | None
    in_private_chat: bool


async def remember(
    db: Database,
    *,
    user_id: int,
    full_name: str,
    username: str | None,
    language_code: str | None,
    in_private_chat: bool,
    now: datetime,
) -> Person:
    """Create or refresh the person; writes only when something changed."""
    visitor = Visitor(user_id, full_name, username, language_code, in_private_chat)
    async with db.transaction() as session:
        return (await remember_all_in(session, [visitor], now=now))[user_id]


_PEOPLE = select(Person).where(col(Person.id).in_(bindparam("ids", expanding=True)))


async def remember_all_in(session: AsyncSession, visitors: Sequence[Visitor], *,
                          now: datetime) -> dict[int, Person]:
    """``remember`` several people at once in the caller's transaction, by id (the last
    visit of a person wins)."""
    ids = list({visitor.user_id for visitor in visitors})
    people = {person.id: person for person in
              (await session.exec(_PEOPLE, params={"ids": ids})).all()}
    taken: dict[str, int] = {}
    named: list[int] = []
    for visitor in visitors:
        person = people.get(visitor.user_id)
        username = _username(visitor)
        if username is not None and (person is None or person.username != username):
            taken[username] = visitor.user_id
        if person is None:
            person = people[visitor.user_id] = Person(
                id=visitor.user_id, full_name=visitor.full_name,
                username=username, language_code=visitor.language_code,
                reachable=visitor.in_private_chat, created_at=now)
            session.add(person)
        else:
            if person.full_name == placeholder_name(person.id) != visitor.full_name:
                named.append(person.id)
            _refresh(person, visitor)
    for username, holder in taken.items():
        await _take_username(session, username, holder)
    for person_id in named:
        await _name_volunteer(session, person_id, people[person_id].full_name)
    return people


def placeholder_name(person_id: int) -> str:
    """The name of someone named by id before the bot saw them, until it does."""
    return f"#{person_id}"


async def _name_volunteer(session: AsyncSession, person_id: int, name: str) -> None:
    """A volunteer enlisted by id before the bot saw them takes their name once it does."""
    await session.exec(update(Volunteer).where(
        col(Volunteer.person_id) == person_id,
        col(Volunteer.real_name) == placeholder_name(person_id)).values(real_name=name))


async def _take_username(session: AsyncSession, username: str, holder: int) -> None:
    """Telegram lets one account hold a username at a time, and a username given up may be
    taken by someone else: whoever showed it last holds it here, so "@name" in a command never
    names its former holder."""
    await session.exec(update(Person).where(
        col(Person.username) == username, col(Person.id) != holder).values(username=None))


def _username(visitor: Visitor) -> str | None:
    return (visitor.username or "").lower() or None


def _refresh(person: Person, visitor: Visitor) -> None:
    """Take the names Telegram gives now; assigning only what changed keeps the row unwritten
    when nothing did."""
    names = (visitor.full_name, _username(visitor), visitor.language_code)
    if (person.full_name, person.username, person.language_code) != names:
        person.full_name, person.username, person.language_code = names
    if visitor.in_private_chat and not person.reachable:
        person.reachable = True


async def get(db: Database, person_id: int) -> Person | None:
    async with db.transaction() as session:
        return await session.get(Person, person_id)


async def name_in(session: AsyncSession, person_id: int) -> str:
    """One name per person, on cards and in staff views alike: the name they signed up with
    as a volunteer, else the name Telegram gives."""
    return (await names_in(session, [person_id]))[person_id]


async def name_of(db: Database, person_id: int) -> str:
    """``name_in`` in a transaction of its own."""
    async with db.transaction() as session:
        return await name_in(session, person_id)


async def names_of(db: Database, ids: Sequence[int]) -> dict[int, str]:
    """``names_in`` in a transaction of its own."""
    async with db.transaction() as session:
        return await names_in(session, ids)


async def names_in(session: AsyncSession, ids: Sequence[int]) -> dict[int, str]:
    """``name_in`` for several people at once."""
    wanted = list(dict.fromkeys(ids))
    signed_up = {v.person_id: v.real_name for v in (await session.exec(select(Volunteer).where(
        col(Volunteer.person_id).in_(wanted)))).all()}
    seen = {p.id: p.full_name for p in (await session.exec(select(Person).where(
        col(Person.id).in_(wanted)))).all()}
    return {person_id: signed_up.get(person_id) or seen.get(person_id)
            or placeholder_name(person_id) for person_id in wanted}


async def by_username(db: Database, username: str) -> Person | None:
    async with db.transaction() as session:
        statement = select(Person).where(Person.username == username.lstrip("@").lower())
        return (await session.exec(statement)).first()


async def set_locale(db: Database, person_id: int, locale: str) -> None:
    async with db.transaction() as session:
        await session.exec(
            update(Person).where(col(Person.id) == person_id).values(locale=locale)
        )


async def set_menu_locale(db: Database, person_id: int, locale: str | None) -> None:
    async with db.transaction() as session:
        await session.exec(
            update(Person).where(col(Person.id) == person_id).values(menu_locale=locale)
        )


async def mark_unreachable(db: Database, person_id: int) -> None:
    async with db.transaction() as session:
        await session.exec(
            update(Person).where(col(Person.id) == person_id).values(reachable=False)
        )


class GrantResult(StrEnum):
    GRANTED = "granted"
    ALREADY = "already"
    REVOKED = "revoked"
    NOT_HELD = "not_held"
    NOT_ALLOWED = "not_allowed"  # answered by the use case (usecases.roles)


async def grant(db: Database, *, person_id: int, place_id: int, role: Role, by: int,
                now: datetime) -> GrantResult:
    async with db.transaction() as session:
        existing = (await session.exec(select(RoleGrant).where(
            RoleGrant.person_id == person_id, RoleGrant.place_id == place_id,
            RoleGrant.role == role))).first()
        if existing is not None:
            return GrantResult.ALREADY
        session.add(RoleGrant(person_id=person_id, place_id=place_id, role=role,
                              granted_by=by, granted_at=now))
        menus.roles_changed(person_id)
        await audit.record(session, entity="role", entity_id=person_id, actor_id=by, action="grant",
                           at=now, detail=f"{role}@{place_id}")
        return GrantResult.GRANTED


async def revoke(db: Database, *, person_id: int, place_id: int, role: Role, by: int,
                 now: datetime) -> GrantResult:
    async with db.transaction() as session:
        removed = await session.exec(delete(RoleGrant).where(
            col(RoleGrant.person_id) == person_id, col(RoleGrant.place_id) == place_id,
            col(RoleGrant.role) == role))
        if not removed.rowcount:
            return GrantResult.NOT_HELD
        menus.roles_changed(person_id)
        await audit.record(session, entity="role", entity_id=person_id, actor_id=by,
                           action="revoke", at=now, detail=f"{role}@{place_id}")
        return GrantResult.REVOKED


async def _ancestor_ids(session: AsyncSession, place_id: int) -> list[int]:
    place = await places.get(session, place_id)
    return [] if place is None else [p.id for p in await chain(session, place) if p.id]


async def holders(db: Database, place_id: int, *roles: Role) -> list[Person]:
    """People who hold one of ``roles`` at the place or above it, nearest first."""
    async with db.transaction() as session:
        ids = await _ancestor_ids(session, place_id)
        statement = (
            select(Person, RoleGrant.place_id)
            .join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
            .where(col(RoleGrant.place_id).in_(ids),
                   col(RoleGrant.role).in_([str(r) for r in roles]))
        )
        rows = (await session.exec(statement)).all()
    order = {place: index for index, place in enumerate(ids)}
    seen: dict[int, tuple[int, Person]] = {}
    for person, grant_place in rows:
        rank = order[grant_place]
        if person.id not in seen or rank < seen[person.id][0]:
            seen[person.id] = (rank, person)
    return [person for _, person in sorted(seen.values(), key=lambda item: item[0])]


async def admin_roots(db: Database, actor: Actor) -> list[int] | None:
    """The places an actor administers (None: everything)."""
    if actor.superadmin:
        return None
    async with db.transaction() as session:
        statement = select(RoleGrant.place_id).where(
            RoleGrant.person_id == actor.id, RoleGrant.role == Role.ADMIN)
        return list((await session.exec(statement)).all())


async def grants_under(db: Database, place_ids: list[int]) -> list[tuple[Person, RoleGrant]]:
    async with db.transaction() as session:
        statement = (
            select(Person, RoleGrant)
            .join(RoleGrant, col(RoleGrant.person_id) == col(Person.id))
            .where(col(RoleGrant.place_id).in_(place_ids))
            .order_by(col(RoleGrant.place_id), col(RoleGrant.role), col(Person.full_name))
        )
        return list((await session.exec(statement)).all())
