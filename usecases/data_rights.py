"""People's rights over their data (PIPL): being forgotten, by their own wish or on request
through an admin of one of their grids. Seeing what the bot holds (``/mydata``) reads
``storage.personal_data``.

Forgetting is one transaction: the person's wishes still waiting (submitted, open, claimed)
are withdrawn and the wishes they hold as claimer are given back, so nobody is left waiting
for them; then ``storage.erasure`` erases them; an audit row without the erased details; and
the staff of their grids are told privately that someone asked to be forgotten, without a
name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from html import escape

from aiogram.utils.i18n import gettext as _
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.messenger import Messenger, Render, Rendered
from storage import audit, erasure, members, outbox, people
from storage.models import Lane, Person, Place, Role, Wish, WishState
from storage.people import Actor
from storage.wishes import WITHDRAWABLE
from usecases import wishes as wish_usecases
from usecases.authority import Act, may_in


class Result(StrEnum):
    OK = "ok"
    NOT_FOUND = "not_found"  # nobody by that id, or erased already
    NOT_ALLOWED = "not_allowed"


@dataclass(frozen=True)
class Forgotten:
    result: Result
    withdrawn: int = 0  # their waiting wishes, withdrawn
    released: int = 0  # wishes they had claimed, given back
    told: int = 0  # staff told


def first_seen(moment: datetime) -> int:
    """When a person was first seen, in microseconds: what tells them from someone new."""
    return round(moment.timestamp() * 1_000_000)


def is_erased(person: Person | None) -> bool:
    """Nobody to erase: not there, a pseudonym, or only a placeholder (named by id, never
    seen: an admin's /forget of an erased person's old id makes one)."""
    return (person is None or person.id >= erasure.PSEUDONYMS
            or person.full_name == people.placeholder_name(person.id))


async def may_forget_in(session: AsyncSession, actor: Actor, person_id: int) -> bool:
    """The person themself, or an admin of one of their grids (a person of no grid: only a
    bootstrap admin)."""
    if actor.id == person_id:
        return True
    grids = [grid.id for grid in await members.grids_of(session, person_id) if grid.id]
    if not grids:
        return actor.superadmin
    return await may_in(session, actor, Act.ADMINISTER, grids)


async def may_forget(messenger: Messenger, actor: Actor, person_id: int) -> Result:
    async with messenger.db.transaction() as session:
        if is_erased(await session.get(Person, person_id)):
            return Result.NOT_FOUND
        return Result.OK if await may_forget_in(session, actor, person_id) \
            else Result.NOT_ALLOWED


async def forget(messenger: Messenger, actor: Actor, person_id: int, *, since: int | None,
                 now: datetime) -> Forgotten:
    """Erase the person. ``since`` is when (``first_seen``) the person the confirmation was shown
    for was first seen: someone who comes back after being erased is someone new, whom an
    old button does not erase."""
    async with messenger.db.transaction() as session:
        person = await session.get(Person, person_id)
        if person is None or is_erased(person) or (
                since is not None and first_seen(person.created_at) != since):
            return Forgotten(Result.NOT_FOUND)
        if not await may_forget_in(session, actor, person_id):
            return Forgotten(Result.NOT_ALLOWED)
        waiting, holding = await _loose_ends(session, person_id)
        done = await erasure.erase(session, person_id)
        anonymous = Actor(Person(id=done.pseudonym, full_name=""))
        for wish_id in waiting:
            await wish_usecases.withdraw(messenger, anonymous, wish_id, now=now)
        for wish_id in holding:
            await wish_usecases.release(messenger, anonymous, wish_id, now=now)
        by_self = actor.id == person_id
        await audit.record(session, entity="person", entity_id=done.pseudonym,
                           actor_id=done.pseudonym if by_self else actor.id, action="erase",
                           at=now, detail="own request" if by_self else "on request")
        told = await _tell_staff(messenger, session, done, skip=actor.id)
    return Forgotten(Result.OK, len(waiting), len(holding), told)


async def _loose_ends(session: AsyncSession, person_id: int) -> tuple[list[int], list[int]]:
    """Their wishes still waiting, and the wishes they hold as claimer."""
    waiting = (await session.exec(select(Wish.id).where(
        Wish.resident_id == person_id, col(Wish.state).in_(WITHDRAWABLE)))).all()
    holding = (await session.exec(select(Wish.id).where(
        Wish.claimer_id == person_id, Wish.state == WishState.CLAIMED))).all()
    return [i for i in waiting if i], [i for i in holding if i and i not in waiting]


async def _tell_staff(messenger: Messenger, session: AsyncSession, done: erasure.Erased, *,
                      skip: int) -> int:
    """The social workers of their grids (or, where a grid has none, its admins)."""
    told: set[int] = set()
    rows = []
    for grid_id in done.grid_ids:
        grid = await session.get(Place, grid_id)
        staff = (await people.holders(messenger.db, grid_id, Role.SOCIAL_WORKER)
                 or await people.holders(messenger.db, grid_id, Role.ADMIN))
        for member in staff:
            if member.id in told or member.id == skip or grid is None:
                continue
            told.add(member.id)
            rows.append(await messenger.for_person(
                session, member.id, f"forgotten:{done.pseudonym}", _left_notice(grid.name),
                lane=Lane.PERSON))
    await outbox.add(session, rows)
    return len(told)


def _left_notice(grid: str) -> Render:
    def render() -> Rendered:
        return _("A person of grid “{grid}” asked to be forgotten, and has been: their name, "
                 "contact details and words are erased from everything I keep, and their "
                 "waiting wishes were withdrawn and their claims given back. The counts in "
                 "reports stay as they were.").format(grid=escape(grid)), None
    return render
