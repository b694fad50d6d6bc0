"""Exports (/export): who may take which records of a place out of the bot, and which rows.

An export covers a place and every place below it. Wishes (with their claims and ratings),
volunteer hours, meetings with their attendance and action items may be exported by the
place's staff (``Act.EXPORT_RECORDS``); the audit log by its admins (``Act.ADMINISTER``), the
monthly evaluations by those who may see them (``Act.SEE_EVALUATIONS``).
Contact details are in an export only when the person may see them at the place
(``Act.SEE_CONTACTS``, which holds at every place below it too). Every export is written to
the audit log: who took what, of which days, and whether with contact details.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlmodel import col, select

from storage import audit, exports, places, venture_progress
from storage.db import Database
from storage.exports import Scope
from storage.models import Place, RoleGrant
from storage.people import Actor
from usecases.authority import ROLES_FOR, Act, may_in


class What(StrEnum):
    WISHES = "wishes"
    HOURS = "hours"
    MEETINGS = "meetings"
    ACTIONS = "actions"
    AUDIT = "audit"
    EVALUATION = "evaluation"
    PROJECTS = "projects"  # a street's micro-venture projects and their milestones


NEEDS: dict[What, Act] = {What.AUDIT: Act.ADMINISTER, What.EVALUATION: Act.SEE_EVALUATIONS}
WITH_CONTACTS = frozenset({What.WISHES, What.HOURS})


class Result(StrEnum):
    OK = "ok"
    NOT_ALLOWED = "not_allowed"


@dataclass(frozen=True)
class Part:
    """One table of an export: its name, the names of its fields in order, and its rows."""

    table: str
    fields: tuple[str, ...]
    rows: AsyncIterator[Sequence[Any]]


@dataclass(frozen=True)
class Prepared:
    result: Result
    scope: Scope | None = None

    @property
    def ok(self) -> bool:
        return self.result is Result.OK


def act_for(what: What) -> Act:
    return NEEDS.get(what, Act.EXPORT_RECORDS)


async def allowed(db: Database, actor: Actor, what: What, place: Place) -> bool:
    async with db.transaction() as session:
        return await may_in(session, actor, act_for(what), place.id or 0)


async def prepare(db: Database, actor: Actor, what: What, place: Place, first_day: date,
                  last_day: date, *, now: datetime) -> Prepared:
    """Whether ``actor`` may export ``what`` of ``place`` and the days given, and its scope;
    the export is written to the audit log."""
    async with db.transaction() as session:
        if not await may_in(session, actor, act_for(what), place.id or 0):
            return Prepared(Result.NOT_ALLOWED)
        contacts = what in WITH_CONTACTS and await may_in(session, actor, Act.SEE_CONTACTS,
                                                          place.id or 0)
        await audit.record(session, entity="place", entity_id=place.id or 0, actor_id=actor.id,
                           action="export", at=now,
                           detail=f"{what} {first_day.isoformat()}..{last_day.isoformat()}"
                                  + (" contacts" if contacts else ""))
    return Prepared(Result.OK, await exports.scope(db, place, first_day, last_day,
                                                   contacts=contacts))


def parts(db: Database, what: What, scope: Scope) -> list[Part]:
    """The tables of an export, each read a chunk at a time as it is written."""
    tables: dict[What, list[tuple[str, tuple[str, ...], Callable[..., Any]]]] = {
        What.WISHES: [("wishes", exports.wish_fields(scope), exports.wishes),
                      ("claims", exports.CLAIM_FIELDS, exports.claims),
                      ("ratings", exports.RATING_FIELDS, exports.ratings)],
        What.HOURS: [("hours", exports.hours_fields(scope), exports.hours)],
        What.MEETINGS: [("meetings", exports.MEETING_FIELDS, exports.meetings),
                        ("attendance", exports.ATTENDANCE_FIELDS, exports.attendance)],
        What.ACTIONS: [("actions", exports.ACTION_FIELDS, exports.actions)],
        What.AUDIT: [("audit", exports.AUDIT_FIELDS, exports.audit)],
        What.EVALUATION: [("evaluation", exports.EVALUATION_FIELDS, exports.evaluations)],
        What.PROJECTS: [("projects", venture_progress.EXPORT_FIELDS, lambda db, scope: (
            venture_progress.export(db, scope.place_ids, scope.start, scope.end,
                                    scope.last_day)))],
    }
    return [Part(table, fields, rows(db, scope)) for table, fields, rows in tables[what]]


async def places_of(db: Database, actor: Actor) -> list[Place]:
    """The highest places where ``actor`` holds a role that may export (none below another
    of them): where a private /export without a place looks."""
    roles = [str(role) for role in ROLES_FOR[Act.EXPORT_RECORDS]]
    async with db.transaction() as session:
        found = list((await session.exec(
            select(Place).join(RoleGrant, col(RoleGrant.place_id) == col(Place.id))
            .where(RoleGrant.person_id == actor.id, col(RoleGrant.role).in_(roles))
            .order_by(col(Place.id)))).all())
        ids = {place.id for place in found}
        roots = {}
        for place in found:
            above = [p.id for p in await places.chain(session, place) if p.id != place.id]
            if not ids.intersection(above):
                roots[place.id] = place
    return list(roots.values())
