"""The monthly evaluation (考评): reviews by admins and partners, the comment of the person
evaluated, seeing evaluations, and closing a street's month. Each asks authority inside its
transaction about the social worker's own places (storage.evaluation has the figures)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import evaluation, people, places
from storage.db import Database
from storage.evaluation import EvaluationSettings, Result, Results
from storage.models import Place, PlaceKind, Role, RoleGrant
from storage.people import Actor
from usecases.authority import Act, holds, may, may_in

OFFERED = 40  # social workers offered as buttons in a form


@dataclass(frozen=True)
class Candidate:
    """A social worker someone may review, in one street."""

    person_id: int
    name: str
    street_id: int


@dataclass(frozen=True)
class Shown:
    """A street's month as someone may see it: everything, or only what is theirs."""

    street: Place
    month: str
    results: Results
    settings: EvaluationSettings
    comments: dict[int, str]
    names: dict[int, str]  # the social workers' and grids' names
    grid_names: dict[int, str]


async def _grant_places(session: AsyncSession, person_id: int, *roles: Role) -> list[int]:
    return list((await session.exec(select(RoleGrant.place_id).where(
        RoleGrant.person_id == person_id,
        col(RoleGrant.role).in_([str(r) for r in roles])))).all())


async def _streets_of(session: AsyncSession, place_ids: Sequence[int]) -> list[Place]:
    found: dict[int, Place] = {}
    for place_id in place_ids:
        street = await evaluation.street_of(session, place_id)
        if street is not None and street.id is not None:
            found[street.id] = street
    return sorted(found.values(), key=lambda p: (p.name, p.id or 0))


async def _all_streets(session: AsyncSession) -> list[Place]:
    return list((await session.exec(select(Place).where(Place.kind == PlaceKind.STREET)
                                    .order_by(col(Place.name), col(Place.id)))).all())


async def _worker_places(session: AsyncSession, street_id: int, worker_id: int) -> list[int]:
    """Where the person is a social worker in the street."""
    found = []
    for place_id in await _grant_places(session, worker_id, Role.SOCIAL_WORKER):
        street = await evaluation.street_of(session, place_id)
        if street is not None and street.id == street_id:
            found.append(place_id)
    return found


async def _communities(session: AsyncSession, place_ids: Sequence[int]) -> list[int]:
    """A grid's community, or the place itself: an admin of a grid reviews nobody."""
    found = []
    for place_id in place_ids:
        place = await places.get(session, place_id)
        if place is not None:
            found.append(place.parent_id if place.kind == PlaceKind.GRID and place.parent_id
                         else place_id)
    return found


async def _where(session: AsyncSession, act: Act, street_id: int, worker_id: int,
                 served: dict[int, list[int]] | None = None) -> list[int]:
    """The places authority is asked about for ``act`` on a social worker: their communities
    for a review by admins, their grids for a partner's (``served``: the street's workers'
    grids, when already read), their places to see them."""
    if act is Act.REVIEW_AS_PARTNER:
        if served is None:
            served, _grids = await evaluation.workers_and_grids(session, street_id)
        return served.get(worker_id, [])
    own = await _worker_places(session, street_id, worker_id)
    return await _communities(session, own) if act is Act.REVIEW_STAFF else own


async def _may_on(session: AsyncSession, actor: Actor, act: Act, street_id: int,
                  worker_id: int, served: dict[int, list[int]] | None = None) -> bool:
    at = await _where(session, act, street_id, worker_id, served)
    return bool(at) and await may_in(session, actor, act, at)


async def candidates(db: Database, actor: Actor, act: Act) -> list[Candidate]:
    """The social workers ``actor`` may review (``act``: by admins, or as a partner), in the
    streets where they hold a role for it."""
    async with db.transaction() as session:
        if actor.superadmin and act is Act.REVIEW_STAFF:
            streets = await _all_streets(session)
        else:
            roles = [Role.ADMIN] if act is Act.REVIEW_STAFF else [Role.ORG_REP,
                                                                   Role.VOLUNTEER_REP]
            streets = await _streets_of(session, await _grant_places(session, actor.id, *roles))
        found: list[Candidate] = []
        for street in streets:
            served, _grids = await evaluation.workers_and_grids(session, street.id or 0)
            names = await people.names_in(session, list(served))
            for worker_id in sorted(served, key=lambda w: (names.get(w, ""), w)):
                if worker_id != actor.id and await _may_on(session, actor, act,
                                                           street.id or 0, worker_id, served):
                    found.append(Candidate(worker_id, names.get(worker_id, str(worker_id)),
                                           street.id or 0))
        return found[:OFFERED]


def default_month(street: Place, now: datetime) -> str:
    """The month evaluated by default: the one that ended last, in the street's time zone."""
    return evaluation.previous_month(evaluation.month_of(now, street.timezone))


def _too_late_or_early(street: Place, month: str, now: datetime) -> Result | None:
    return Result.FUTURE if month > evaluation.month_of(now, street.timezone) else None


async def _street(session: AsyncSession, street_id: int) -> Place | None:
    street = await places.get(session, street_id)
    return street if street is not None and street.kind == PlaceKind.STREET else None


async def settings_for(db: Database, street_id: int) -> EvaluationSettings | None:
    async with db.transaction() as session:
        street = await _street(session, street_id)
        return None if street is None else evaluation.settings_of(street)


async def may_review(db: Database, actor: Actor, act: Act, street_id: int, worker_id: int,
                     month: str, *, now: datetime) -> Result:
    """Before a form asks for scores: OK, or why the review cannot be given."""
    async with db.transaction() as session:
        street = await _street(session, street_id)
        if street is None or worker_id == actor.id or not await _may_on(
                session, actor, act, street_id, worker_id):
            return Result.NOT_ALLOWED
        if (late := _too_late_or_early(street, month, now)) is not None:
            return late
        if await evaluation.closed(session, street_id, month) is not None:
            return Result.CLOSED
        return Result.OK


async def review_staff(db: Database, actor: Actor, *, street_id: int, worker_id: int,
                       month: str, scores: dict[str, int], note: str | None,
                       now: datetime) -> Result:
    async with db.transaction() as session:
        street = await _street(session, street_id)
        if street is None or worker_id == actor.id or not await _may_on(
                session, actor, Act.REVIEW_STAFF, street_id, worker_id):
            return Result.NOT_ALLOWED
        if (late := _too_late_or_early(street, month, now)) is not None:
            return late
        return await evaluation.review_staff(session, street=street, month=month,
                                             worker_id=worker_id, reviewer_id=actor.id,
                                             scores=scores, note=note, now=now)


async def review_as_partner(db: Database, actor: Actor, *, street_id: int, worker_id: int,
                            month: str, score: int, note: str | None,
                            now: datetime) -> Result:
    async with db.transaction() as session:
        street = await _street(session, street_id)
        at = await _where(session, Act.REVIEW_AS_PARTNER, street_id, worker_id) if street \
            else []
        if street is None or worker_id == actor.id or not at or not await may_in(
                session, actor, Act.REVIEW_AS_PARTNER, at):
            return Result.NOT_ALLOWED
        if (late := _too_late_or_early(street, month, now)) is not None:
            return late
        # Someone who is both speaks for the organisation.
        role = Role.ORG_REP if await _holds_role(session, actor.id, Role.ORG_REP, at) \
            else Role.VOLUNTEER_REP
        return await evaluation.review_as_partner(
            session, street=street, month=month, worker_id=worker_id, reviewer_id=actor.id,
            role=role, score=score, note=note, now=now)


async def _holds_role(session: AsyncSession, person_id: int, role: Role,
                      at: Sequence[int]) -> bool:
    own = set(await _grant_places(session, person_id, role))
    for place_id in at:
        place = await places.get(session, place_id)
        if place is not None and own & {p.id for p in await places.chain(session, place)}:
            return True
    return False


async def comment(db: Database, actor: Actor, *, street_id: int, month: str, text: str,
                  now: datetime) -> Result:
    """The person evaluated says what they think of their month's evaluation."""
    async with db.transaction() as session:
        street = await _street(session, street_id)
        if street is None or not await _worker_places(session, street_id, actor.id):
            return Result.NOT_YOURS
        if (late := _too_late_or_early(street, month, now)) is not None:
            return late
        return await evaluation.set_comment(session, street=street, month=month,
                                            person_id=actor.id, text=text, now=now)


async def _shown(session: AsyncSession, street: Place, month: str, people_ids: Sequence[int],
                 grid_ids: Sequence[int], *, figures: bool = False) -> Shown:
    results = await evaluation.results(session, street, month,
                                       people_ids if figures else ())
    kept_people = {p: results.people[p] for p in people_ids if p in results.people}
    kept_grids = {g: results.grids[g] for g in grid_ids if g in results.grids}
    comments = {}
    for person_id in kept_people:
        row = await evaluation.comment_of(session, street.id or 0, month, person_id)
        if row is not None:
            comments[person_id] = row.text
    grid_places = [await places.get(session, g) for g in kept_grids]
    return Shown(street, month,
                 Results(results.street_id, month, results.weights, kept_people, kept_grids,
                         {p: results.grids_of.get(p, []) for p in kept_people},
                         {p: results.figures[p] for p in kept_people
                          if figures and p in results.figures},
                         results.closed_at, results.closed_by),
                 evaluation.settings_of(street), comments,
                 await people.names_in(session, list(kept_people)),
                 {g.id: g.name for g in grid_places if g is not None and g.id is not None})


async def own(db: Database, actor: Actor, month: str | None, *,
              now: datetime) -> list[Shown]:
    """The person's own evaluation, in each street where they are a social worker."""
    async with db.transaction() as session:
        shown = []
        grants = await _grant_places(session, actor.id, Role.SOCIAL_WORKER)
        for street in await _streets_of(session, grants):
            wanted = month or default_month(street, now)
            if _too_late_or_early(street, wanted, now) is None:
                shown.append(await _shown(session, street, wanted, [actor.id], [],
                                          figures=True))
        return shown


async def overview(db: Database, actor: Actor, month: str | None, *,
                   now: datetime) -> list[Shown]:
    """Every social worker's and grid's evaluation at the places ``actor`` administers."""
    async with db.transaction() as session:
        roots = None if actor.superadmin else await _grant_places(session, actor.id, Role.ADMIN)
        streets = await _all_streets(session) if roots is None else await _streets_of(
            session, roots)
        shown = []
        for street in streets:
            wanted = month or default_month(street, now)
            if _too_late_or_early(street, wanted, now) is not None:
                continue
            served, grids = await evaluation.workers_and_grids(session, street.id or 0)
            workers = [w for w in served if await _may_on(session, actor, Act.SEE_EVALUATIONS,
                                                          street.id or 0, w)]
            grid_ids = [g.id for g in grids if g.id is not None
                        and await may_in(session, actor, Act.SEE_EVALUATIONS, g.id)]
            if workers or grid_ids:
                shown.append(await _shown(session, street, wanted, workers, grid_ids))
        return shown


async def streets_to_close(db: Database, actor: Actor) -> list[Place]:
    async with db.transaction() as session:
        if actor.superadmin:
            return await _all_streets(session)
        return [s for s in await _streets_of(
                    session, await _grant_places(session, actor.id, Role.ADMIN))
                if await holds(session, actor.id, Act.CLOSE_EVALUATIONS, s.id or 0)]


async def close(db: Database, actor: Actor, *, street_id: int, month: str,
                now: datetime) -> Result:
    async with db.transaction() as session:
        street = await _street(session, street_id)
        if street is None or not await may_in(session, actor, Act.CLOSE_EVALUATIONS,
                                              street_id):
            return Result.NOT_ALLOWED
        if month >= evaluation.month_of(now, street.timezone):
            return Result.FUTURE  # a month is closed once it has ended
        return await evaluation.close(session, street=street, month=month, by=actor.id,
                                      now=now)


async def street_name(db: Database, street_id: int) -> str:
    async with db.transaction() as session:
        street = await _street(session, street_id)
        return street.name if street else ""


async def street(db: Database, street_id: int) -> Place | None:
    async with db.transaction() as session:
        return await _street(session, street_id)


async def may_comment(db: Database, actor: Actor, *, street_id: int, month: str,
                      now: datetime) -> Result:
    """Before the comment is asked for: OK, or why it cannot be given."""
    async with db.transaction() as session:
        found = await _street(session, street_id)
        if found is None or not await _worker_places(session, street_id, actor.id):
            return Result.NOT_YOURS
        if (late := _too_late_or_early(found, month, now)) is not None:
            return late
        if await evaluation.closed(session, street_id, month) is not None:
            return Result.CLOSED
        return Result.OK


async def change_settings(db: Database, actor: Actor, street: Place,
                          settings: EvaluationSettings, *, now: datetime) -> bool:
    """A street's criteria, scale and weights, set by its admins."""
    if street.kind != PlaceKind.STREET or not await may(db, actor, Act.ADMINISTER, street.id):
        return False
    await places.change_setting(db, street.id or 0, evaluation.SETTING, settings.model_dump(),
                                actor_id=actor.id, now=now)
    return True
