"""Whose grid is whose: the grids a person belongs to, as far as the bot can tell.

A person belongs to a grid when they were seen in its group (they joined it, sent a command or
pressed a button there: ``GridMember``), posted a micro-wish there, serve it as a volunteer or
hold a role at it. That is what lets a resident post and ask from a private chat, and what
gives a private chat the language of the resident's grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Subquery, cast, func, null, union_all, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database, Prepared, insert_for
from storage.models import GridMember, Place, PlaceKind, RoleGrant, VolunteerGrid, Wish
from storage.types import UTCDateTime

_SEEN = Prepared(lambda dialect: insert_for(dialect)(GridMember)
                 .on_conflict_do_nothing(index_elements=["person_id", "grid_id"]))


async def seen_in(session: AsyncSession, person_ids: Sequence[int], grid_id: int, *,
                  now: datetime) -> None:
    """Remember that these people are in the grid's group (nothing changes for those known)."""
    if person_ids:
        await _SEEN.run(session, [{"person_id": person_id, "grid_id": grid_id, "since": now}
                                  for person_id in person_ids])


async def first_greetings(db: Database, person_ids: Sequence[int], grid_id: int, *,
                          now: datetime) -> list[int]:
    """Of the people who just joined the grid's group, those never greeted there before, now
    marked greeted: each person is greeted once per grid, however often they come back."""
    async with db.transaction() as session:
        await seen_in(session, person_ids, grid_id, now=now)
        greeted = await session.exec(
            update(GridMember)
            .where(col(GridMember.grid_id) == grid_id,
                   col(GridMember.person_id).in_(list(person_ids)),
                   col(GridMember.greeted_at).is_(None))
            .values(greeted_at=now).returning(col(GridMember.person_id)))
        return sorted(greeted.scalars())


def _ties(person_id: int) -> Subquery:
    """(grid or place id, since) for every tie of the person to a place."""
    return union_all(
        select(GridMember.grid_id, GridMember.since).where(GridMember.person_id == person_id),
        select(Wish.grid_id, Wish.created_at).where(Wish.resident_id == person_id),
        select(VolunteerGrid.grid_id, cast(null(), UTCDateTime))
        .where(VolunteerGrid.person_id == person_id),
        select(RoleGrant.place_id, RoleGrant.granted_at).where(RoleGrant.person_id == person_id),
    ).subquery()


async def grids_of(session: AsyncSession, person_id: int) -> list[Place]:
    """The grids the person belongs to, the one they were last seen in first."""
    ties = _ties(person_id)
    place_id, since = ties.c[0], ties.c[1]
    latest = func.max(since).label("latest")
    statement = (select(Place, latest).join(ties, place_id == col(Place.id))
                 .where(Place.kind == PlaceKind.GRID)
                 .group_by(col(Place.id))
                 .order_by(latest.desc().nulls_last(), col(Place.id)))
    return [place for place, _latest in (await session.exec(statement)).all()]


async def roles_held(session: AsyncSession, person_id: int) -> set[str]:
    """Every role the person holds, at any place."""
    statement = select(RoleGrant.role).where(RoleGrant.person_id == person_id).distinct()
    return set((await session.exec(statement)).all())


async def home_grid(session: AsyncSession, person_id: int) -> Place | None:
    """The grid a person was last seen in, whose language their private chat speaks."""
    grids = await grids_of(session, person_id)
    return grids[0] if grids else None
