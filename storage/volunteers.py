"""Volunteers (志愿者): applications, decisions, standing, and who is told about a new wish."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, menus, places, words
from storage.db import Database
from storage.models import (
    Category,
    Period,
    Person,
    Place,
    PlaceKind,
    Role,
    RoleGrant,
    Skill,
    Volunteer,
    VolunteerGrid,
    VolunteerPing,
    VolunteerStatus,
    Wish,
)

MAX_NAME = 40
MAX_OTHER_SKILL = 100
MAX_REASON = 300
MAX_ANSWER = 500
# Which skills a wish of each category calls for; "other" wishes go to everyone who is free.
SKILLS_FOR: dict[Category, frozenset[Skill]] = {
    Category.ELDERLY: frozenset({Skill.ELDER_CARE, Skill.MEDICAL, Skill.PSYCHOLOGICAL,
                                 Skill.ERRANDS}),
    Category.CHILDREN: frozenset({Skill.TUTORING, Skill.PSYCHOLOGICAL}),
    Category.DISABILITY: frozenset({Skill.ELDER_CARE, Skill.MEDICAL, Skill.ERRANDS,
                                    Skill.REPAIRS}),
    Category.DAILY_LIFE: frozenset({Skill.ERRANDS, Skill.REPAIRS}),
    Category.LEARNING: frozenset({Skill.TUTORING}),
    Category.OTHER: frozenset(Skill),
}
PERIOD_HOURS: dict[Period, tuple[time, time]] = {
    Period.MORNING: (time(6), time(12)),
    Period.AFTERNOON: (time(12), time(18)),
    Period.EVENING: (time(18), time(22)),
}
# Standing in which a volunteer may claim and be told about wishes.
ACTIVE = (VolunteerStatus.APPROVED,)
SERVING = (VolunteerStatus.APPROVED, VolunteerStatus.PAUSED, VolunteerStatus.SUSPENDED)


class Result(StrEnum):
    OK = "ok"
    NOT_FOUND = "not_found"
    WRONG_STATE = "wrong_state"
    ALREADY_SERVING = "already_serving"
    TOO_LONG = "too_long"
    EMPTY = "empty"
    NOT_ALLOWED = "not_allowed"  # answered by the use cases (usecases.volunteers)


@dataclass(frozen=True)
class Application:
    real_name: str
    phone: str | None
    skills: list[str]
    other_skill: str | None
    grid_ids: list[int]
    days: list[int]
    periods: list[str]


@dataclass(frozen=True)
class Outcome:
    result: Result
    volunteer: Volunteer | None = None
    grid_ids: list[int] = field(default_factory=list)
    event_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.result is Result.OK


def check_words(text: str, limit: int) -> Result:
    return Result(words.check(text, limit))


async def get(db: Database, person_id: int) -> Volunteer | None:
    async with db.transaction() as session:
        return await session.get(Volunteer, person_id)


async def grids_of(session: AsyncSession, person_id: int) -> list[int]:
    return list((await session.exec(select(VolunteerGrid.grid_id).where(
        VolunteerGrid.person_id == person_id).order_by(col(VolunteerGrid.grid_id)))).all())


async def with_grids(db: Database, person_id: int) -> tuple[Volunteer | None, list[Place]]:
    async with db.transaction() as session:
        volunteer = await session.get(Volunteer, person_id)
        if volunteer is None:
            return None, []
        ids = await grids_of(session, person_id)
        grids = (await session.exec(select(Place).where(col(Place.id).in_(ids)))).all()
        return volunteer, list(grids)


async def apply(session: AsyncSession, person_id: int, application: Application, *,
                now: datetime) -> Outcome:
    """Store an application (or replace one still waiting or declined) for the social workers
    of its grids to decide."""
    existing = await session.get(Volunteer, person_id, with_for_update=True)
    if existing is not None and existing.status in SERVING:
        return Outcome(Result.ALREADY_SERVING, existing)
    values: dict[str, Any] = {
        "real_name": application.real_name, "phone": application.phone,
        "skills": list(application.skills), "other_skill": application.other_skill,
        "days": sorted(application.days), "periods": list(application.periods),
        "status": VolunteerStatus.APPLIED, "reason": None, "answer": None,
        "applied_at": now, "consented_at": now, "decided_at": None, "decided_by": None,
    }
    if existing is None:
        existing = Volunteer(person_id=person_id, **values)
        session.add(existing)
    else:
        for name, value in values.items():
            setattr(existing, name, value)
    await session.exec(delete(VolunteerGrid).where(col(VolunteerGrid.person_id) == person_id))
    for grid_id in dict.fromkeys(application.grid_ids):
        session.add(VolunteerGrid(person_id=person_id, grid_id=grid_id))
    event = await audit.record(session, entity="volunteer", entity_id=person_id,
                               actor_id=person_id, action="apply", at=now,
                               to_state=VolunteerStatus.APPLIED,
                               detail=",".join(str(g) for g in application.grid_ids))
    await session.flush()
    return Outcome(Result.OK, existing, list(dict.fromkeys(application.grid_ids)),
                   event_id=event)


async def _change_in(session: AsyncSession, person_id: int, *, expected: Iterable[str], to: str,
                  actor_id: int | None, action: str, now: datetime,
                  values: dict[str, Any] | None = None, detail: str | None = None) -> Outcome:
    """A change of standing, as ``audit.move`` makes it: of two staff members deciding at
    once, one wins."""
    before = await session.get(Volunteer, person_id)
    if before is None:
        return Outcome(Result.NOT_FOUND)
    event = await audit.move(session, before, entity="volunteer", column="status",
                             expected=expected, to=to, actor_id=actor_id, action=action, at=now,
                             values=values, detail=detail)
    grid_ids = await grids_of(session, person_id)
    if event is None:
        return Outcome(Result.WRONG_STATE, before, grid_ids)
    menus.roles_changed(person_id)
    return Outcome(Result.OK, before, grid_ids, event_id=event)


async def approve(session: AsyncSession, person_id: int, *, by: int, now: datetime) -> Outcome:
    """Approved volunteers hold the volunteer role in each grid they serve, so they can claim."""
    outcome = await _change_in(
        session, person_id, expected=[VolunteerStatus.APPLIED, VolunteerStatus.NEEDS_INFO],
        to=VolunteerStatus.APPROVED, actor_id=by, action="approve", now=now,
        values={"decided_at": now, "decided_by": by, "reason": None})
    if outcome.ok:
        await _grant_volunteer(session, person_id, outcome.grid_ids, by=by, now=now)
    return outcome


async def _grant_volunteer(session: AsyncSession, person_id: int, grid_ids: list[int], *,
                           by: int, now: datetime) -> None:
    held = set((await session.exec(select(RoleGrant.place_id).where(
        RoleGrant.person_id == person_id, RoleGrant.role == Role.VOLUNTEER))).all())
    for grid_id in grid_ids:
        if grid_id not in held:
            session.add(RoleGrant(person_id=person_id, place_id=grid_id, role=Role.VOLUNTEER,
                                  granted_by=by, granted_at=now))


async def _change(session: AsyncSession, person_id: int, *, said: str | None = None,
                  limit: int = MAX_REASON, **change: Any) -> Outcome:
    """A change of standing; words it carries (a reason, a question, an answer) are checked
    first and kept, trimmed, in the audit row."""
    if said is not None:
        checked = check_words(said, limit)
        if checked is not Result.OK:
            return Outcome(checked)
        change["detail"] = said.strip()
    return await _change_in(session, person_id, **change)


async def decline(session: AsyncSession, person_id: int, *, by: int, reason: str,
                  now: datetime) -> Outcome:
    return await _change(
        session, person_id, said=reason,
        expected=[VolunteerStatus.APPLIED, VolunteerStatus.NEEDS_INFO],
        to=VolunteerStatus.DECLINED, actor_id=by, action="decline", now=now,
        values={"decided_at": now, "decided_by": by, "reason": reason.strip()})


async def ask_more(session: AsyncSession, person_id: int, *, by: int, question: str,
                   now: datetime) -> Outcome:
    return await _change(
        session, person_id, said=question, expected=[VolunteerStatus.APPLIED],
        to=VolunteerStatus.NEEDS_INFO, actor_id=by, action="ask_more", now=now,
        values={"decided_by": by, "reason": question.strip()})


async def answer(session: AsyncSession, person_id: int, *, text: str, now: datetime) -> Outcome:
    """The applicant's answer puts the application back before the social workers."""
    return await _change(
        session, person_id, said=text, limit=MAX_ANSWER, expected=[VolunteerStatus.NEEDS_INFO],
        to=VolunteerStatus.APPLIED, actor_id=person_id, action="answer", now=now,
        values={"answer": text.strip()})


async def pause(session: AsyncSession, person_id: int, *, now: datetime) -> Outcome:
    return await _change(session, person_id, expected=[VolunteerStatus.APPROVED],
                         to=VolunteerStatus.PAUSED, actor_id=person_id, action="pause", now=now)


async def resume(session: AsyncSession, person_id: int, *, now: datetime) -> Outcome:
    return await _change(session, person_id, expected=[VolunteerStatus.PAUSED],
                         to=VolunteerStatus.APPROVED, actor_id=person_id, action="resume",
                         now=now)


async def suspend(session: AsyncSession, person_id: int, *, by: int, reason: str,
                  now: datetime) -> Outcome:
    return await _change(
        session, person_id, said=reason,
        expected=[VolunteerStatus.APPROVED, VolunteerStatus.PAUSED],
        to=VolunteerStatus.SUSPENDED, actor_id=by, action="suspend", now=now,
        values={"reason": reason.strip(), "decided_by": by, "decided_at": now})


async def reinstate(session: AsyncSession, person_id: int, *, by: int, now: datetime) -> Outcome:
    return await _change(session, person_id, expected=[VolunteerStatus.SUSPENDED],
                         to=VolunteerStatus.APPROVED, actor_id=by, action="reinstate", now=now,
                         values={"reason": None, "decided_by": by, "decided_at": now})


async def set_choice(session: AsyncSession, person_id: int, *, pings: bool | None = None,
                     public: bool | None = None) -> bool:
    """Turn matching pings or being named on the honour roll on or off; False when the person
    is not a volunteer."""
    values = {name: value for name, value in (("pings", pings), ("public", public))
              if value is not None}
    changed = await session.exec(update(Volunteer).where(
        col(Volunteer.person_id) == person_id).values(**values))
    return bool(changed.rowcount)


async def of_grids(db: Database, grid_ids: list[int]) -> list[tuple[Volunteer, list[int]]]:
    """Volunteers who applied to or serve any of the grids, with the grids they serve."""
    async with db.transaction() as session:
        rows = (await session.exec(
            select(Volunteer, VolunteerGrid.grid_id)
            .join(VolunteerGrid, col(VolunteerGrid.person_id) == col(Volunteer.person_id))
            .where(col(VolunteerGrid.grid_id).in_(grid_ids))
            .order_by(col(Volunteer.real_name), col(Volunteer.person_id)))).all()
    found: dict[int, tuple[Volunteer, list[int]]] = {}
    for volunteer, grid_id in rows:
        found.setdefault(volunteer.person_id, (volunteer, []))[1].append(grid_id)
    return list(found.values())


def available(volunteer: Volunteer, local: datetime) -> bool:
    """Whether the volunteer said they are free at this local time."""
    if local.weekday() not in volunteer.days:
        return False
    return any(start <= local.time() < end for period, (start, end) in PERIOD_HOURS.items()
               if period in volunteer.periods)


def matches(volunteer: Volunteer, category: str) -> bool:
    wanted = SKILLS_FOR.get(Category(category), frozenset(Skill))
    return any(skill in wanted for skill in volunteer.skills)


_PINGABLE = (
    select(Volunteer)
    .join(VolunteerGrid, col(VolunteerGrid.person_id) == col(Volunteer.person_id))
    .where(col(VolunteerGrid.grid_id) == bindparam("grid_id"), col(Volunteer.status).in_(ACTIVE),
           col(Volunteer.pings).is_(True), col(Volunteer.person_id) != bindparam("resident_id"))
    .order_by(col(Volunteer.person_id)))
_PINGED = select(VolunteerPing.person_id).where(col(VolunteerPing.wish_id) == bindparam("wish_id"))
_PINGS_ON = (select(VolunteerPing.person_id, func.count())
             .where(col(VolunteerPing.person_id).in_(bindparam("ids", expanding=True)),
                    col(VolunteerPing.day) == bindparam("day"))
             .group_by(col(VolunteerPing.person_id)))


async def to_tell(session: AsyncSession, wish: Wish, *, now: datetime, timezone: str,
                  per_day: int) -> list[Volunteer]:
    """Volunteers of the wish's grid to tell about it privately, now: active, willing to be
    told, with a matching skill, free at this hour, not yet told about it, and told about
    fewer than ``per_day`` wishes today. Their pings are recorded here."""
    grid = await places.get(session, wish.grid_id)
    if grid is None or grid.kind != PlaceKind.GRID or per_day <= 0:
        return []
    local = now.astimezone(ZoneInfo(timezone))
    candidates = (await session.exec(_PINGABLE, params={
        "grid_id": wish.grid_id, "resident_id": wish.resident_id})).all()
    chosen = [v for v in candidates if matches(v, wish.category) and available(v, local)]
    if not chosen:
        return []
    today = local.date()
    told = await _pings_today(session, [v.person_id for v in chosen], today)
    already = set((await session.exec(_PINGED, params={"wish_id": wish.id})).all())
    chosen = [v for v in chosen
              if v.person_id not in already and told.get(v.person_id, 0) < per_day]
    for volunteer in chosen:
        session.add(VolunteerPing(person_id=volunteer.person_id, wish_id=wish.id or 0,
                                  day=today, sent_at=now))
    return chosen


async def _pings_today(session: AsyncSession, person_ids: list[int], day: date) -> dict[int, int]:
    rows = (await session.exec(_PINGS_ON, params={"ids": person_ids, "day": day})).all()
    return {person_id: count for person_id, count in rows}


async def enlist(session: AsyncSession, person: Person, place: Place, *, by: int,
                 now: datetime) -> None:
    """``/grant volunteer`` gives the standing an approved application gives: a volunteer row
    (which pause, pings, hours and suspension act on) and, in a grid, that grid served. A
    waiting or declined application is approved by it; a paused or suspended standing stays."""
    volunteer = await session.get(Volunteer, person.id)
    if volunteer is None:
        session.add(Volunteer(person_id=person.id, real_name=person.full_name,
                              status=VolunteerStatus.APPROVED, applied_at=now,
                              consented_at=now, decided_at=now, decided_by=by))
    elif volunteer.status not in SERVING:
        volunteer.status, volunteer.decided_at, volunteer.decided_by = (
            VolunteerStatus.APPROVED, now, by)
    if place.kind == PlaceKind.GRID and place.id not in await grids_of(session, person.id):
        session.add(VolunteerGrid(person_id=person.id, grid_id=place.id))
