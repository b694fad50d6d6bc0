"""The rows of each export, read a chunk at a time.

Each reader is an async iterator of tuples in a fixed order (the ``*_FIELDS`` names say which;
the handler gives each its header in the reader's language). Rows are read by their id in
chunks of ``CHUNK``, each chunk in a short transaction of its own: an export of a street's year
holds no connection while the file is written, and the rows of one chunk are all that is in
memory at once.

Contact fields (a wish's phone and address, a volunteer's phone) are read only when the scope
says the person exporting may see them; otherwise they are not selected at all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, text
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import evaluation, people
from storage.db import Database
from storage.models import (
    ActionItem,
    Attendance,
    AuditEntry,
    Claim,
    Meeting,
    MeetingSeries,
    Person,
    Place,
    PlaceKind,
    Rating,
    ServiceLog,
    Volunteer,
    VolunteerGrid,
    Wish,
)

CHUNK = 1_000


@dataclass(frozen=True)
class Scope:
    """What an export covers: a place and every place below it, local days from ``first_day``
    to ``last_day`` (both included) in the place's time zone, and whether contact details may
    be shown."""

    place_ids: tuple[int, ...]
    grid_ids: tuple[int, ...]
    first_day: date
    last_day: date
    timezone: str
    contacts: bool

    @property
    def start(self) -> datetime:
        return _midnight(self.first_day, self.timezone)

    @property
    def end(self) -> datetime:
        return _midnight(self.last_day + timedelta(days=1), self.timezone)


def _midnight(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


async def scope(db: Database, place: Place, first_day: date, last_day: date, *,
                contacts: bool) -> Scope:
    """The scope of an export of ``place`` and everything below it."""
    async with db.transaction() as session:
        rows = (await session.exec(select(Place.id, Place.parent_id, Place.kind))).all()
    children: dict[int | None, list[tuple[int, str]]] = {}
    for place_id, parent_id, kind in rows:
        children.setdefault(parent_id, []).append((place_id, kind))
    found, grids, frontier = [place.id or 0], [], [place.id]
    if place.kind == PlaceKind.GRID:
        grids.append(place.id or 0)
    while frontier:
        below = [child for parent in frontier for child in children.get(parent, [])]
        found += [place_id for place_id, _kind in below]
        grids += [place_id for place_id, kind in below if kind == PlaceKind.GRID]
        frontier = [place_id for place_id, _kind in below]
    return Scope(tuple(found), tuple(grids), first_day, last_day, place.timezone, contacts)


async def places_named(db: Database, name: str) -> list[Place]:
    """The places called ``name`` exactly."""
    async with db.transaction() as session:
        return list((await session.exec(select(Place).where(Place.name == name)
                                        .order_by(col(Place.id)))).all())


Kept = Callable[[AsyncSession, Sequence[Any]], Awaitable[Sequence[Any]]]


async def _by_id(db: Database, statement: Any, key: Any, bounds: Any, kept: Kept | None = None
                 ) -> AsyncIterator[Sequence[Any]]:
    """Every row of ``statement`` (whose first column is ``key``, the id its rows go by), a
    chunk at a time. ``bounds`` selects the first and last id of those rows, in a form an
    index answers; each chunk then walks the ids between them in order, so a chunk costs the
    same at the end of a year as at its start (SQLite holds every other update while a
    statement runs). ``kept`` picks the rows of a chunk to yield, in the chunk's transaction."""
    async with db.transaction() as session:
        low, high = (await session.exec(bounds)).one()
    if low is None:
        return
    after = low - 1
    while after < high:
        async with db.transaction() as session:
            if not db.is_sqlite:
                # A chunk's ids change each time: PostgreSQL's plan for the statement kept by
                # the driver would otherwise be made without them, and sort the whole range.
                await session.exec(text("SET LOCAL plan_cache_mode = force_custom_plan"))
            rows = (await session.exec(statement.where(key > after, key <= high)
                                       .order_by(key).limit(CHUNK))).all()
            shown = rows if kept is None else await kept(session, rows)
        for row in shown:
            yield tuple(row)
        if len(rows) < CHUNK:
            return
        after = rows[-1][0]


def _ids(key: Any) -> Any:
    return select(func.min(key), func.max(key))


def _walked(column: Any) -> Any:
    """``column`` as a chunk's condition reads it: as an expression, so that the planner walks
    the ids in order rather than an index of the column."""
    return func.coalesce(column, column)


def _name(person: Any) -> Any:
    return person.full_name


# --- wishes, with their claims and ratings ----------------------------------------------------

WISH_FIELDS = ("id", "grid", "category", "state", "tier", "urgent", "risk", "taken_on", "text",
               "resident", "created_at", "claimed_at", "fulfilled_at", "closed_at", "claimer",
               "reject_reason")
WISH_CONTACT_FIELDS = ("phone", "address")  # after "resident", when contacts may be shown


def wish_fields(scope: Scope) -> tuple[str, ...]:
    if not scope.contacts:
        return WISH_FIELDS
    at = WISH_FIELDS.index("resident") + 1
    return WISH_FIELDS[:at] + WISH_CONTACT_FIELDS + WISH_FIELDS[at:]


def _wishes_of(scope: Scope, *, walked: bool = True) -> ColumnElement[bool]:
    grid = _walked(col(Wish.grid_id)) if walked else col(Wish.grid_id)
    return and_(grid.in_(scope.grid_ids), col(Wish.created_at) >= scope.start,
                col(Wish.created_at) < scope.end)


def wishes(db: Database, scope: Scope) -> AsyncIterator[Sequence[Any]]:
    resident, claimer = aliased(Person), aliased(Person)
    contact = [Wish.contact_phone, Wish.contact_address] if scope.contacts else []
    columns = [Wish.id, Place.name, Wish.category, Wish.state, Wish.tier, Wish.urgent, Wish.risk,
               Wish.taken_on, Wish.text, _name(resident), *contact, Wish.created_at,
               Wish.claimed_at, Wish.fulfilled_at, Wish.closed_at, _name(claimer),
               Wish.reject_reason]
    statement = (
        select(*columns)
        .join(Place, col(Place.id) == col(Wish.grid_id))
        .outerjoin(resident, col(resident.id) == col(Wish.resident_id))
        .outerjoin(claimer, col(claimer.id) == col(Wish.claimer_id))
        .where(_wishes_of(scope)))
    return _by_id(db, statement, col(Wish.id),
                  _ids(col(Wish.id)).where(_wishes_of(scope, walked=False)))


CLAIM_FIELDS = ("id", "wish", "grid", "claimer", "taken_on", "claimed_at", "ended_at", "outcome",
                "from_claimer", "from_resident")


def claims(db: Database, scope: Scope) -> AsyncIterator[Sequence[Any]]:
    """The claims of the scope's wishes (those submitted in its days)."""
    claimer = aliased(Person)
    statement = (
        select(Claim.id, Claim.wish_id, Place.name, _name(claimer), Wish.taken_on,
               Claim.claimed_at, Claim.ended_at, Claim.outcome, Claim.from_claimer,
               Claim.from_resident)
        .join(Wish, col(Wish.id) == col(Claim.wish_id))
        .join(Place, col(Place.id) == col(Wish.grid_id))
        .outerjoin(claimer, col(claimer.id) == col(Claim.volunteer_id))
        .where(_wishes_of(scope)))
    return _by_id(db, statement, col(Claim.id), _ids(col(Claim.id)).join(
        Wish, col(Wish.id) == col(Claim.wish_id)).where(_wishes_of(scope, walked=False)))


RATING_FIELDS = ("id", "wish", "grid", "claimer", "score", "solved", "comment", "created_at")


def ratings(db: Database, scope: Scope) -> AsyncIterator[Sequence[Any]]:
    """The residents' ratings of the scope's wishes (下评上)."""
    claimer = aliased(Person)
    statement = (
        select(Rating.id, Rating.wish_id, Place.name, _name(claimer), Rating.score,
               Rating.score, Rating.comment, Rating.created_at)
        .join(Wish, col(Wish.id) == col(Rating.wish_id))
        .join(Place, col(Place.id) == col(Wish.grid_id))
        .outerjoin(claimer, col(claimer.id) == col(Rating.volunteer_id))
        .where(_wishes_of(scope)))
    return _by_id(db, statement, col(Rating.id), _ids(col(Rating.id)).join(
        Wish, col(Wish.id) == col(Rating.wish_id)).where(_wishes_of(scope, walked=False)))


# --- volunteer hours ----------------------------------------------------------------------------

HOURS_FIELDS = ("id", "volunteer", "grid", "served_on", "hours", "description", "state", "wish",
                "logged_at", "decided_by", "decided_at")


def hours_fields(scope: Scope) -> tuple[str, ...]:
    return (*HOURS_FIELDS[:2], "phone", *HOURS_FIELDS[2:]) if scope.contacts else HOURS_FIELDS


def hours(db: Database, scope: Scope) -> AsyncIterator[Sequence[Any]]:
    """Service hours served in the scope's grids on its days; hours as a number."""
    volunteer, decider = aliased(Person), aliased(Person)
    phone = [Volunteer.phone] if scope.contacts else []
    statement = (
        select(ServiceLog.id, _name(volunteer), *phone, Place.name, ServiceLog.served_on,
               ServiceLog.minutes / 60.0, ServiceLog.description, ServiceLog.state,
               ServiceLog.wish_id, ServiceLog.logged_at, _name(decider), ServiceLog.decided_at)
        .join(Place, col(Place.id) == col(ServiceLog.grid_id))
        .outerjoin(volunteer, col(volunteer.id) == col(ServiceLog.person_id))
        .outerjoin(decider, col(decider.id) == col(ServiceLog.decided_by)))
    if scope.contacts:
        statement = statement.outerjoin(Volunteer,
                                        col(Volunteer.person_id) == col(ServiceLog.person_id))
    def served(grid: Any) -> ColumnElement[bool]:
        return and_(grid.in_(scope.grid_ids), col(ServiceLog.served_on) >= scope.first_day,
                    col(ServiceLog.served_on) <= scope.last_day)

    return _by_id(db, statement.where(served(_walked(col(ServiceLog.grid_id)))),
                  col(ServiceLog.id),
                  _ids(col(ServiceLog.id)).where(served(col(ServiceLog.grid_id))))


# --- meetings and attendance --------------------------------------------------------------------

MEETING_FIELDS = ("id", "title", "place", "starts_at", "state", "present", "excused", "absent",
                  "minutes", "decisions")


def _meetings_of(scope: Scope) -> ColumnElement[bool]:
    return and_(col(MeetingSeries.place_id).in_(scope.place_ids),
                col(Meeting.starts_at) >= scope.start, col(Meeting.starts_at) < scope.end)


def _attendance_count(*condition: ColumnElement[bool]) -> Any:
    return (select(func.count()).select_from(Attendance)
            .where(col(Attendance.meeting_id) == col(Meeting.id), *condition)
            .scalar_subquery())


def meetings(db: Database, scope: Scope) -> AsyncIterator[Sequence[Any]]:
    """The joint meetings of the scope's places that started on its days, with how many were
    present, excused (请假) and absent (缺席)."""
    present = _attendance_count(col(Attendance.present).is_(True))
    excused = _attendance_count(col(Attendance.present).is_(False),
                                col(Attendance.reason).is_not(None))
    absent = _attendance_count(col(Attendance.present).is_(False),
                               col(Attendance.reason).is_(None))
    statement = (
        select(Meeting.id, MeetingSeries.title, Place.name, Meeting.starts_at, Meeting.state,
               present, excused, absent, Meeting.minutes, Meeting.decisions)
        .join(MeetingSeries, col(MeetingSeries.id) == col(Meeting.series_id))
        .join(Place, col(Place.id) == col(MeetingSeries.place_id))
        .where(_meetings_of(scope)))
    return _by_id(db, statement, col(Meeting.id), _ids(col(Meeting.id)).join(
        MeetingSeries, col(MeetingSeries.id) == col(Meeting.series_id)).where(
        _meetings_of(scope)))


ATTENDANCE_FIELDS = ("id", "meeting", "title", "starts_at", "person", "present", "reason")


def attendance(db: Database, scope: Scope) -> AsyncIterator[Sequence[Any]]:
    """Who was at those meetings, as their hosts recorded it: present, or not with the reason
    given (excused) or none (absent)."""
    person = aliased(Person)
    statement = (
        select(Attendance.id, Attendance.meeting_id, MeetingSeries.title, Meeting.starts_at,
               _name(person), Attendance.present, Attendance.reason)
        .join(Meeting, col(Meeting.id) == col(Attendance.meeting_id))
        .join(MeetingSeries, col(MeetingSeries.id) == col(Meeting.series_id))
        .outerjoin(person, col(person.id) == col(Attendance.person_id))
        .where(_meetings_of(scope)))
    return _by_id(db, statement, col(Attendance.id), _ids(col(Attendance.id)).join(
        Meeting, col(Meeting.id) == col(Attendance.meeting_id)).join(
        MeetingSeries, col(MeetingSeries.id) == col(Meeting.series_id)).where(
        _meetings_of(scope)))


# --- action items -------------------------------------------------------------------------------

ACTION_FIELDS = ("id", "meeting", "title", "place", "owner", "text", "due_on", "state",
                 "overdue", "done_at", "created_at")


def actions(db: Database, scope: Scope) -> AsyncIterator[Sequence[Any]]:
    """The action items (督办事项) of the scope's meetings due on its days; overdue when the
    reminder of a missed due day went out."""
    owner = aliased(Person)
    due = and_(col(MeetingSeries.place_id).in_(scope.place_ids),
               col(ActionItem.due_on) >= scope.first_day, col(ActionItem.due_on) <= scope.last_day)
    statement = (
        select(ActionItem.id, ActionItem.meeting_id, MeetingSeries.title, Place.name,
               _name(owner), ActionItem.text, ActionItem.due_on, ActionItem.state,
               col(ActionItem.overdue_at).is_not(None), ActionItem.done_at,
               ActionItem.created_at)
        .join(Meeting, col(Meeting.id) == col(ActionItem.meeting_id))
        .join(MeetingSeries, col(MeetingSeries.id) == col(Meeting.series_id))
        .join(Place, col(Place.id) == col(MeetingSeries.place_id))
        .outerjoin(owner, col(owner.id) == col(ActionItem.owner_id))
        .where(due))
    return _by_id(db, statement, col(ActionItem.id), _ids(col(ActionItem.id)).join(
        Meeting, col(Meeting.id) == col(ActionItem.meeting_id)).join(
        MeetingSeries, col(MeetingSeries.id) == col(Meeting.series_id)).where(due))


# --- the audit log ------------------------------------------------------------------------------

AUDIT_FIELDS = ("id", "at", "actor", "entity", "entity_id", "action", "from_state", "to_state",
                "detail")


async def _audited_here(session: AsyncSession, scope: Scope, rows: Sequence[Any]
                        ) -> Sequence[Any]:
    """The audit rows of a chunk of the scope's days that are about a thing of its places: a
    wish, service hours, a meeting, a series, an action item, a place, a volunteer serving one
    of its grids.
    Each kind is asked once for the chunk's ids of it, looked up by id (a chunk's question is
    as small at the end of a year as at its start)."""
    rows = [row for row in rows if scope.start <= row[1] < scope.end]
    wanted: dict[str, list[int]] = {}
    for row in rows:
        wanted.setdefault(row[3], []).append(row[4])
    places, grids = scope.place_ids, scope.grid_ids
    series_here = select(MeetingSeries.id).where(col(MeetingSeries.place_id).in_(places))
    meetings_here = select(Meeting.id).where(col(Meeting.series_id).in_(series_here))
    questions: dict[str, Callable[[list[int]], Any]] = {
        "wish": lambda ids: select(Wish.id).where(col(Wish.id).in_(ids),
                                                 _walked(col(Wish.grid_id)).in_(grids)),
        "hours": lambda ids: select(ServiceLog.id).where(
            col(ServiceLog.id).in_(ids), _walked(col(ServiceLog.grid_id)).in_(grids)),
        "meeting": lambda ids: select(Meeting.id).where(col(Meeting.id).in_(ids),
                                                       col(Meeting.id).in_(meetings_here)),
        "meeting_series": lambda ids: select(MeetingSeries.id).where(
            col(MeetingSeries.id).in_(ids), col(MeetingSeries.place_id).in_(places)),
        "action": lambda ids: select(ActionItem.id).where(
            col(ActionItem.id).in_(ids), col(ActionItem.meeting_id).in_(meetings_here)),
        "volunteer": lambda ids: select(VolunteerGrid.person_id).where(
            col(VolunteerGrid.person_id).in_(ids), col(VolunteerGrid.grid_id).in_(grids)),
    }
    here: set[tuple[str, int]] = {("place", p) for p in wanted.get("place", [])
                                  if p in set(places)}
    for entity, question in questions.items():
        if wanted.get(entity):
            found = (await session.exec(question(sorted(set(wanted[entity]))))).all()
            here.update((entity, thing) for thing in found)
    return [row for row in rows if (row[3], row[4]) in here]


def audit(db: Database, scope: Scope) -> AsyncIterator[Sequence[Any]]:
    actor = aliased(Person)

    # Rows are written as they happen, so the ids between the first and last of the days are
    # (nearly) all of those days': a chunk reads them by id alone, and the few others are
    # left out with the rows of other places.
    statement = (
        select(AuditEntry.id, AuditEntry.at, _name(actor), AuditEntry.entity,
               AuditEntry.entity_id, AuditEntry.action, AuditEntry.from_state,
               AuditEntry.to_state, AuditEntry.detail)
        .outerjoin(actor, col(actor.id) == col(AuditEntry.actor_id)))
    return _by_id(db, statement, col(AuditEntry.id), _ids(col(AuditEntry.id)).where(
        col(AuditEntry.at) >= scope.start, col(AuditEntry.at) < scope.end),
        lambda session, rows: _audited_here(session, scope, rows))


# --- the monthly evaluation ---------------------------------------------------------------------

EVALUATION_FIELDS = ("month", "kind", "name", "residents", "organisation", "partners", "total",
                     "ratings", "solved_count", "partly_count", "not_solved_count",
                     "staff_reviews", "partner_reviews", "comment", "closed")


def _months(first_day: date, last_day: date) -> list[str]:
    months, day = [], first_day.replace(day=1)
    while day <= last_day:
        months.append(f"{day.year:04d}-{day.month:02d}")
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def _evaluation_row(month: str, kind: str, name: str, parts: evaluation.Parts,
                    comment: str | None, closed: bool) -> tuple[Any, ...]:
    def points(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return (month, kind, name, points(parts.residents), points(parts.organisation),
            points(parts.partners), points(parts.total), parts.ratings, parts.solved,
            parts.partly, parts.not_solved,
            parts.staff_reviews, parts.partner_reviews, comment, closed)


async def evaluations(db: Database, scope: Scope) -> AsyncIterator[Sequence[Any]]:
    """The monthly evaluation (考评) of each month the scope's days touch: every social worker
    who serves one of its grids, then each of its grids, as shown (a closed month as kept)."""
    for month in _months(scope.first_day, scope.last_day):
        async with db.transaction() as session:
            street = await evaluation.street_of(session, scope.place_ids[0])
            if street is None:
                return
            found = await evaluation.results(session, street, month)
            grids = set(scope.grid_ids)
            workers = [w for w, served in found.grids_of.items() if grids.intersection(served)
                       and w in found.people]
            names = await people.names_in(session, workers)
            comments = {w: await evaluation.comment_of(session, street.id or 0, month, w)
                        for w in workers}
            grid_names = {g.id: g.name for g in await places_by_ids(session, [
                g for g in found.grids if g in grids])}
        closed = found.closed_at is not None
        for worker in sorted(workers, key=lambda w: names[w]):
            comment = comments[worker]
            yield _evaluation_row(month, "social_worker", names[worker], found.people[worker],
                                  comment.text if comment else None, closed)
        for grid_id, name in sorted(grid_names.items(), key=lambda item: item[1]):
            yield _evaluation_row(month, "grid", name, found.grids[grid_id], None, closed)


async def places_by_ids(session: AsyncSession, place_ids: Sequence[int]) -> list[Place]:
    if not place_ids:
        return []
    return list((await session.exec(select(Place).where(col(Place.id).in_(place_ids)))).all())
