"""Service hours (志愿服务记录): from fulfilled wishes and from logs a social worker confirms."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import distinct, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, outbox, places, words
from storage.db import Database
from storage.models import (
    CLAIM_FULFILLED,
    Claim,
    DailyMark,
    OutboxMessage,
    Person,
    Place,
    PlaceKind,
    ServiceLog,
    ServiceState,
    Volunteer,
    VolunteerStatus,
    Wish,
)
from storage.people import placeholder_name
from storage.series import claim_run

MIN_MINUTES = 15
MAX_MINUTES = 12 * 60  # one entry, one day
MAX_DESCRIPTION = 200
DAYS_BACK = 60  # how old a service may be when it is logged
HOURS = re.compile(r"^\s*(\d{1,2}(?:[.,]\d{1,2})?)\s*"
                   r"(?:h|hr|hrs|hours?|小时|小時|个小时|個小時)?\s*$", re.IGNORECASE)
MAY_LOG = (VolunteerStatus.APPROVED, VolunteerStatus.PAUSED)
HONOUR = "honour_roll"
HONOUR_TIME = time(9)  # on the first of the month, local time
HONOUR_LATE = 7  # a roll the bot could not post by this day of the month is skipped


class Result(StrEnum):
    OK = "ok"
    NOT_FOUND = "not_found"
    NOT_YOURS = "not_yours"
    WRONG_STATE = "wrong_state"
    BAD_HOURS = "bad_hours"
    BAD_DAY = "bad_day"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NOT_A_VOLUNTEER = "not_a_volunteer"
    NOT_ALLOWED = "not_allowed"  # answered by the use cases (usecases.hours)


@dataclass(frozen=True)
class Outcome:
    result: Result
    entry: ServiceLog | None = None
    event_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.result is Result.OK


@dataclass(frozen=True)
class Totals:
    """Minutes and wishes fulfilled, confirmed and pending, over three spans."""

    month: tuple[int, int]  # (confirmed minutes, pending minutes)
    year: tuple[int, int]
    total: tuple[int, int]
    wishes: int


def parse_minutes(raw: str) -> int | None:
    """"1.5", "1,5 h", "2小时" → minutes; None when it is not a sensible length."""
    found = HOURS.match(raw)
    if found is None:
        return None
    minutes = round(float(found.group(1).replace(",", ".")) * 60)
    return minutes if MIN_MINUTES <= minutes <= MAX_MINUTES else None


def local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


async def fulfilled_claim(session: AsyncSession, wish_id: int, volunteer_id: int) -> Claim | None:
    """The volunteer's latest claim of the wish that ended fulfilled, locked: the claim their
    stated hours belong to. A wish reopened as "not solved" keeps it; whoever fulfils the wish
    next has a claim of their own."""
    return (await session.exec(
        select(Claim).where(Claim.wish_id == wish_id, Claim.volunteer_id == volunteer_id,
                            Claim.outcome == CLAIM_FULFILLED)
        .order_by(col(Claim.id).desc()).with_for_update())).first()


async def for_wish(session: AsyncSession, wish_id: int, *, volunteer_id: int, minutes: int,
                   now: datetime) -> Outcome:
    """A volunteer states how long their fulfilled claim of a wish took; stating it again
    corrects that claim's entry, never another volunteer's."""
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        return Outcome(Result.BAD_HOURS)
    wish = await session.get(Wish, wish_id)
    if wish is None:
        return Outcome(Result.NOT_FOUND)
    claim = await fulfilled_claim(session, wish_id, volunteer_id)
    if claim is None or claim.id is None:
        return Outcome(Result.WRONG_STATE if wish.claimer_id == volunteer_id
                       else Result.NOT_YOURS)
    entry = (await session.exec(select(ServiceLog).where(
        ServiceLog.claim_id == claim.id))).first()
    if entry is None:
        grid = await places.get(session, wish.grid_id)
        entry = ServiceLog(person_id=volunteer_id, grid_id=wish.grid_id, wish_id=wish_id,
                           claim_id=claim.id,
                           served_on=local_day(claim.ended_at or now, grid.timezone if grid
                                               else "Asia/Shanghai"),
                           minutes=minutes, description=wish.text[:MAX_DESCRIPTION],
                           state=ServiceState.CONFIRMED, logged_at=now)
        session.add(entry)
    else:
        entry.minutes = minutes
    await session.flush()
    event = await audit.record(session, entity="hours", entity_id=entry.id or 0,
                               actor_id=volunteer_id, action="wish_hours", at=now,
                               detail=f"wish {wish_id}, claim {claim.id}: {minutes} min")
    return Outcome(Result.OK, entry, event)


async def log(session: AsyncSession, person_id: int, *, grid_id: int, served_on: date, minutes: int,
              description: str, today: date, now: datetime) -> Outcome:
    """Other service, logged by the volunteer; it waits for a social worker."""
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        return Outcome(Result.BAD_HOURS)
    if served_on > today or served_on < today - timedelta(days=DAYS_BACK):
        return Outcome(Result.BAD_DAY)
    if (checked := Result(words.check(description, MAX_DESCRIPTION))) is not Result.OK:
        return Outcome(checked)
    volunteer = await session.get(Volunteer, person_id)
    if volunteer is None or volunteer.status not in MAY_LOG:
        return Outcome(Result.NOT_A_VOLUNTEER)
    entry = ServiceLog(person_id=person_id, grid_id=grid_id, served_on=served_on,
                       minutes=minutes, description=description.strip(),
                       state=ServiceState.PENDING, logged_at=now)
    session.add(entry)
    await session.flush()
    event = await audit.record(session, entity="hours", entity_id=entry.id or 0,
                               actor_id=person_id, action="log", at=now,
                               to_state=ServiceState.PENDING, detail=f"{minutes} min")
    return Outcome(Result.OK, entry, event)


async def decide(session: AsyncSession, entry_id: int, *, by: int, confirm: bool,
                 now: datetime) -> Outcome:
    """Confirm or reject a pending log; of two social workers at once, one decides."""
    to = ServiceState.CONFIRMED if confirm else ServiceState.REJECTED
    entry = await session.get(ServiceLog, entry_id)
    if entry is None:
        return Outcome(Result.NOT_FOUND)
    event = await audit.move(session, entry, entity="hours",
                             expected=[ServiceState.PENDING], to=to, actor_id=by,
                             action="confirm" if confirm else "reject", at=now,
                             values={"decided_by": by, "decided_at": now})
    if event is None:
        return Outcome(Result.WRONG_STATE, entry)
    return Outcome(Result.OK, entry, event)


async def correct(session: AsyncSession, entry_id: int, *, by: int, minutes: int,
                  now: datetime) -> Outcome:
    """Staff put the length right; the audit log keeps what it was."""
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        return Outcome(Result.BAD_HOURS)
    entry = await session.get(ServiceLog, entry_id, with_for_update=True)
    if entry is None:
        return Outcome(Result.NOT_FOUND)
    before, entry.minutes = entry.minutes, minutes
    event = await audit.record(session, entity="hours", entity_id=entry_id, actor_id=by,
                               action="correct", at=now, detail=f"{before} -> {minutes} min")
    await session.flush()
    return Outcome(Result.OK, entry, event)


async def get(db: Database, entry_id: int) -> ServiceLog | None:
    async with db.transaction() as session:
        return await session.get(ServiceLog, entry_id)


async def name_of(db: Database, person_id: int) -> str:
    """What staff call a volunteer: the name they signed up with, else their Telegram name."""
    async with db.transaction() as session:
        volunteer = await session.get(Volunteer, person_id)
        if volunteer is not None:
            return volunteer.real_name
        person = await session.get(Person, person_id)
        return person.full_name if person is not None else placeholder_name(person_id)


async def recent(db: Database, person_id: int, *, limit: int) -> list[ServiceLog]:
    async with db.transaction() as session:
        return list((await session.exec(
            select(ServiceLog).where(ServiceLog.person_id == person_id)
            .order_by(col(ServiceLog.served_on).desc(), col(ServiceLog.id).desc())
            .limit(limit))).all())


async def totals(db: Database, person_id: int, *, today: date) -> Totals:
    """A volunteer's minutes this month, this year and ever, by the local ``today``."""
    async with db.transaction() as session:
        rows = (await session.exec(
            select(ServiceLog.state, ServiceLog.served_on, ServiceLog.minutes)
            .where(ServiceLog.person_id == person_id,
                   col(ServiceLog.state) != ServiceState.REJECTED))).all()
        wishes = (await session.exec(select(func.count(distinct(Claim.wish_id))).where(
            Claim.volunteer_id == person_id, Claim.outcome == CLAIM_FULFILLED))).one()
    month, year, total = [0, 0], [0, 0], [0, 0]
    for state, served_on, minutes in rows:
        slot = 0 if state == ServiceState.CONFIRMED else 1
        total[slot] += minutes
        if served_on.year == today.year:
            year[slot] += minutes
            if served_on.month == today.month:
                month[slot] += minutes
    return Totals(tuple(month), tuple(year), tuple(total), wishes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Standing:
    """One volunteer's line on a grid's honour roll."""

    person_id: int
    name: str
    public: bool
    minutes: int
    wishes: int


Fulfilled = dict[int, dict[int, int]]  # grid → volunteer → wishes fulfilled


async def fulfilled_between(session: AsyncSession, *, first: date, last: date, timezone: str,
                            grid_id: int | None = None) -> Fulfilled:
    """The wishes each volunteer fulfilled between the local days (both included), by grid
    (or of one grid): counted from the claims that ended then, a range of an index, rather
    than from every wish a grid ever had."""
    zone = ZoneInfo(timezone)
    statement = (
        select(Wish.grid_id, Claim.volunteer_id, func.count(distinct(Claim.wish_id)))
        .join(Wish, col(Wish.id) == col(Claim.wish_id))
        .where(Claim.outcome == CLAIM_FULFILLED,
               col(Claim.ended_at) >= datetime.combine(first, time(), zone),
               col(Claim.ended_at) < datetime.combine(last + timedelta(days=1), time(), zone))
        .group_by(col(Wish.grid_id), col(Claim.volunteer_id)))
    if grid_id is not None:
        statement = statement.where(Wish.grid_id == grid_id)
    found: Fulfilled = {}
    for grid, volunteer, count in (await session.exec(statement)).all():
        found.setdefault(grid, {})[volunteer] = count
    return found


async def honour_roll(session: AsyncSession, grid: Place, *, first: date, last: date,
                      fulfilled: dict[int, int] | None = None) -> list[Standing]:
    """Volunteers by confirmed minutes served in the grid between the local days (both
    included), then by the grid's wishes they fulfilled then (``fulfilled``, when the caller
    counted them for many grids at once); the caller decides how many to name."""
    minutes = dict((await session.exec(
        select(ServiceLog.person_id, func.sum(ServiceLog.minutes))
        .where(ServiceLog.grid_id == grid.id, ServiceLog.state == ServiceState.CONFIRMED,
               col(ServiceLog.served_on) >= first, col(ServiceLog.served_on) <= last)
        .group_by(col(ServiceLog.person_id)))).all())
    wishes = fulfilled if fulfilled is not None else (await fulfilled_between(
        session, first=first, last=last, timezone=grid.timezone, grid_id=grid.id)).get(
        grid.id or 0, {})
    ids = [person_id for person_id in {**minutes, **wishes} if person_id is not None]
    signed_up = {v.person_id: v for v in (await session.exec(select(Volunteer).where(
        col(Volunteer.person_id).in_(ids)))).all()}
    # Volunteers given the role with /grant never filled in the form: their Telegram name.
    named = {p.id: p.full_name for p in (await session.exec(select(Person).where(
        col(Person.id).in_(ids)))).all()}
    standings = [Standing(person_id,
                          signed_up[person_id].real_name if person_id in signed_up
                          else named.get(person_id, f"#{person_id}"),
                          signed_up[person_id].public if person_id in signed_up else True,
                          int(minutes.get(person_id) or 0), int(wishes.get(person_id) or 0))
                 for person_id in ids]
    return sorted(standings, key=lambda s: (-s.minutes, -s.wishes, s.name))


HonourNotify = Callable[[AsyncSession, Place, list[Standing], date],
                        Awaitable[list[OutboxMessage]]]


async def honour_rolls(db: Database, *, now: datetime, notify: HonourNotify) -> int:
    """Once a month, from 09:00 on the first, each grid group gets last month's honour roll
    (光荣榜). A bot that was down posts it late, within the first week; a grid whose
    volunteers logged no confirmed hours gets nothing. The wishes fulfilled last month are
    counted once for all grids of a time zone."""
    async with db.transaction() as session:
        grids = (await session.exec(select(Place.id, Place.timezone).where(
            Place.kind == PlaceKind.GRID, col(Place.chat_id).is_not(None)))).all()
        # Grids whose roll went out this month are passed over without a transaction each.
        done = dict((await session.exec(select(DailyMark.place_id, DailyMark.last_day).where(
            DailyMark.series == HONOUR))).all())
        due = [(grid_id or 0, timezone) for grid_id, timezone in grids
               if _honour_due(now.astimezone(ZoneInfo(timezone)), done.get(grid_id))]
        fulfilled: dict[str, Fulfilled] = {}
        for timezone in {timezone for _grid, timezone in due}:
            first, last = _last_month(now.astimezone(ZoneInfo(timezone)).date())
            fulfilled[timezone] = await fulfilled_between(session, first=first, last=last,
                                                          timezone=timezone)
    posted = 0
    for grid_id, timezone in due:
        with suppress(IntegrityError):  # another instance marked the month first
            posted += await _honour_one(db, grid_id, now.astimezone(ZoneInfo(timezone)).date(),
                                        notify, fulfilled[timezone].get(grid_id, {}))
    return posted


def _honour_due(local: datetime, done_for: date | None) -> bool:
    if local.day > HONOUR_LATE or (local.day == 1 and local.time() < HONOUR_TIME):
        return False
    return done_for != local.date().replace(day=1)


def _last_month(today: date) -> tuple[date, date]:
    """The first and the last day of the month before ``today``'s."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


async def _honour_one(db: Database, grid_id: int, today: date, notify: HonourNotify,
                      fulfilled: dict[int, int]) -> int:
    async with db.transaction() as session:
        grid = await places.get(session, grid_id)
        if grid is None or not await claim_run(session, grid_id, HONOUR, today.replace(day=1)):
            return 0
        first, last = _last_month(today)
        standings = await honour_roll(session, grid, first=first, last=last,
                                      fulfilled=fulfilled)
        if not standings:
            return 0
        await outbox.add(session, await notify(session, grid, standings, first))
        return 1
