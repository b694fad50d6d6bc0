"""The figures of a report: what happened at a set of places in one period, and the trend.

A period is half-open, ``start <= t < end``, in UTC; ``bounds`` gives a place's weeks (from
Monday 00:00) and months (from the 1st 00:00) in its own time zone. Counts of what happened to
wishes come from the audit log (one row per move, found by its time index), so a wish that was
claimed, released and claimed again counts twice as claimed. Durations are computed in Python
from the period's rows (a grid has tens a month, a street of 200 grids some thousands; sorting
them takes milliseconds): medians and 90th percentiles need every value, and SQLite has no
percentile function. The trend's counts are read from the tables of wishes, claims and
ratings, which hold the same events in narrower rows.
"""

from __future__ import annotations

import statistics
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, distinct, exists, func, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import outbox, places
from storage.db import Database
from storage.models import (
    ActionItem,
    ActionState,
    Attendance,
    AuditEntry,
    Claim,
    DailyMark,
    Meeting,
    MeetingSeries,
    MeetingState,
    OutboxMessage,
    Page,
    PageKind,
    Place,
    PlaceKind,
    Question,
    Rating,
    ServiceLog,
    ServiceState,
    Wish,
)
from storage.series import claim_run
from storage.settings import PlaceSettings, effective
from storage.wishes import CLAIM_FULFILLED, NOT_SOLVED_BELOW, SOLVED_FROM


class Span(StrEnum):
    WEEK = "week"
    MONTH = "month"


TREND_LENGTH: dict[Span, int] = {Span.WEEK: 8, Span.MONTH: 12}

# The audit log's actions on a wish, by the figure they count.
WISH_ACTIONS: dict[str, tuple[str, ...]] = {
    "claimed": ("claim", "take_on", "adopt"),
    "fulfilled": ("fulfil",),
    "confirmed": ("confirm",),
    "withdrawn": ("withdraw",),
    "rejected": ("reject",),
    "to_community": ("to_community",),
    "to_street": ("to_street",),
    "approved": ("approve",),
}
_COUNTED_ACTIONS = ("submit", *(a for actions in WISH_ACTIONS.values() for a in actions))


# -- periods -------------------------------------------------------------------------------


def _start_of(day: date, span: Span) -> date:
    return day - timedelta(days=day.weekday()) if span is Span.WEEK else day.replace(day=1)


def _next_start(first: date, span: Span) -> date:
    if span is Span.WEEK:
        return first + timedelta(days=7)
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def _previous_start(first: date, span: Span) -> date:
    if span is Span.WEEK:
        return first - timedelta(days=7)
    return (first - timedelta(days=1)).replace(day=1)


def _utc(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone).astimezone(ZoneInfo("UTC"))


@dataclass(frozen=True)
class Period:
    """One week or month of a place: its first local day, and its UTC bounds."""

    span: Span
    first: date  # the local Monday or the 1st
    start: datetime
    end: datetime

    @property
    def last(self) -> date:
        """The period's last local day."""
        return _next_start(self.first, self.span) - timedelta(days=1)


def period_from(first: date, span: Span, timezone: str) -> Period:
    zone = ZoneInfo(timezone)
    first = _start_of(first, span)
    return Period(span, first, _utc(first, zone), _utc(_next_start(first, span), zone))


def bounds(moment: datetime, span: Span, timezone: str) -> Period:
    """The week or month of the place's time zone that ``moment`` falls in."""
    return period_from(moment.astimezone(ZoneInfo(timezone)).date(), span, timezone)


def previous(period: Period, timezone: str) -> Period:
    return period_from(_previous_start(period.first, period.span), period.span, timezone)


def trend_periods(period: Period, timezone: str, count: int | None = None) -> list[Period]:
    """The last ``count`` periods up to and including ``period``, oldest first (8 weeks or
    12 months by default)."""
    periods = [period]
    for _ in range((count or TREND_LENGTH[period.span]) - 1):
        periods.append(previous(periods[-1], timezone))
    return periods[::-1]


# -- places --------------------------------------------------------------------------------


async def places_below(session: AsyncSession, place_id: int) -> list[int]:
    """The place and every place below it (a street has communities, which have grids)."""
    found, frontier = [place_id], [place_id]
    while frontier:
        frontier = list((await session.exec(
            select(Place.id).where(col(Place.parent_id).in_(frontier)))).all())
        found += [p for p in frontier if p is not None]
    return found


# -- figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Durations:
    """How long something took, in seconds, over the period's cases."""

    count: int = 0
    median: float | None = None
    p90: float | None = None

    @classmethod
    def of(cls, seconds: Iterable[float]) -> Durations:
        values = sorted(s for s in seconds if s >= 0)
        if not values:
            return cls()
        return cls(len(values), statistics.median(values), percentile(values, 0.9))


def percentile(ordered: Sequence[float], share: float) -> float:
    """The value below which ``share`` of the values fall, interpolated between the two
    nearest ranks (as PostgreSQL's percentile_cont does)."""
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Satisfaction:
    """The residents' ratings given in the period (1–2 not solved, 3 partly, 4–5 solved)."""

    count: int = 0
    solved: int = 0
    partly: int = 0
    not_solved: int = 0
    mean: float | None = None

    def share(self, part: int) -> float | None:
        return part / self.count if self.count else None


@dataclass(frozen=True)
class Figures:
    """What happened at the places in the period. Counts are events in the period."""

    start: datetime
    end: datetime
    submitted: int = 0
    posted: int = 0  # opened at once or approved
    claimed: int = 0  # claimed by a volunteer, taken on by staff, adopted by the street
    fulfilled: int = 0
    confirmed: int = 0  # the resident said solved or partly solved
    withdrawn: int = 0
    rejected: int = 0
    to_community: int = 0  # passed up from the grid, unclaimed in time
    to_street: int = 0
    to_claim: Durations = field(default_factory=Durations)  # submitted to first claimed
    to_fulfil: Durations = field(default_factory=Durations)  # claimed to fulfilled
    to_acknowledge: Durations = field(default_factory=Durations)  # a page, to its answer
    to_answer: Durations = field(default_factory=Durations)  # an /ask, to its answer
    satisfaction: Satisfaction = field(default_factory=Satisfaction)
    risk_alerts: int = 0
    risk_acknowledged: int = 0
    to_acknowledge_risk: Durations = field(default_factory=Durations)
    volunteer_minutes: int = 0  # confirmed service hours, on the period's local days
    active_volunteers: int = 0
    meetings: int = 0  # held (not skipped), started in the period
    present: int = 0
    excused: int = 0  # not present, with a reason (请假)
    absent: int = 0  # not present, without one (缺席)
    actions_done: int = 0
    actions_overdue: int = 0  # due before the period's end and not done by then

    @property
    def share_to_community(self) -> float | None:
        """The sieve: the share of the wishes posted that the grid passed up."""
        return self.to_community / self.posted if self.posted else None

    @property
    def share_to_street(self) -> float | None:
        return self.to_street / self.posted if self.posted else None

    @property
    def attendance(self) -> float | None:
        expected = self.present + self.excused + self.absent
        return self.present / expected if expected else None


@dataclass(frozen=True)
class TrendPoint:
    """The main counts of one period of the trend."""

    first: date
    submitted: int
    claimed: int
    fulfilled: int
    confirmed: int


def _in(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


async def _wish_counts(session: AsyncSession, place_ids: Sequence[int], start: datetime,
                       end: datetime) -> dict[str, int]:
    """How many of each move the wishes of the places made in the period."""
    posted_at_once = and_(col(AuditEntry.action) == "submit", col(AuditEntry.to_state) == "open")
    rows = (await session.exec(
        select(AuditEntry.action, posted_at_once, func.count())
        .join(Wish, col(Wish.id) == col(AuditEntry.entity_id))
        .where(col(AuditEntry.entity) == "wish", _in(col(AuditEntry.at), start, end),
               col(AuditEntry.action).in_(_COUNTED_ACTIONS), col(Wish.grid_id).in_(place_ids))
        .group_by(col(AuditEntry.action), posted_at_once))).all()
    by_action: dict[str, int] = {}
    at_once = 0
    for action, opened, count in rows:
        by_action[action] = by_action.get(action, 0) + count
        at_once += count if opened else 0
    counts = {name: sum(by_action.get(a, 0) for a in actions)
              for name, actions in WISH_ACTIONS.items()}
    counts["submitted"] = by_action.get("submit", 0)
    counts["posted"] = at_once + counts.pop("approved")
    return counts


async def _to_claim(session: AsyncSession, place_ids: Sequence[int], start: datetime,
                    end: datetime) -> Durations:
    """From submission to the first claim, for the wishes first claimed in the period."""
    earlier = aliased(Claim)
    rows = (await session.exec(
        select(Claim.claimed_at, Wish.created_at)
        .join(Wish, col(Wish.id) == col(Claim.wish_id))
        .where(_in(col(Claim.claimed_at), start, end), col(Wish.grid_id).in_(place_ids),
               ~exists().where(earlier.wish_id == Claim.wish_id,
                               earlier.claimed_at < Claim.claimed_at)))).all()
    return Durations.of((claimed - created).total_seconds() for claimed, created in rows)


async def _to_fulfil(session: AsyncSession, place_ids: Sequence[int], start: datetime,
                     end: datetime) -> Durations:
    """From the claim to its fulfilment, for the claims fulfilled in the period."""
    rows = (await session.exec(
        select(Claim.claimed_at, Claim.ended_at)
        .join(Wish, col(Wish.id) == col(Claim.wish_id))
        .where(_in(col(Claim.ended_at), start, end), col(Claim.outcome) == CLAIM_FULFILLED,
               col(Wish.grid_id).in_(place_ids)))).all()
    return Durations.of((ended - claimed).total_seconds() for claimed, ended in rows if ended)


async def _pages(session: AsyncSession, place_ids: Sequence[int], start: datetime,
                 end: datetime) -> list[tuple[str, datetime, datetime | None]]:
    """The pages of the period (not a question's) of a community among the places, or about
    a wish of a grid among them: a page belongs to a community, its wish to a grid."""
    parents = (await session.exec(select(Place.parent_id).where(
        col(Place.id).in_(place_ids)))).all()
    communities = {*place_ids, *(p for p in parents if p is not None)}
    rows = (await session.exec(
        select(Page.kind, Page.created_at, Page.acknowledged_at, Page.community_id,
               Wish.grid_id)
        .outerjoin(Wish, col(Wish.id) == col(Page.wish_id))
        .where(col(Page.community_id).in_(communities), _in(col(Page.created_at), start, end),
               col(Page.kind) != PageKind.QUESTION))).all()
    wanted = set(place_ids)
    return [(kind, created, acked) for kind, created, acked, community, grid in rows
            if community in wanted or grid in wanted]


async def _to_answer(session: AsyncSession, place_ids: Sequence[int], start: datetime,
                     end: datetime) -> Durations:
    rows = (await session.exec(
        select(Question.created_at, Question.answered_at)
        .where(col(Question.community_id).in_(place_ids),
               _in(col(Question.created_at), start, end)))).all()
    return Durations.of((answered - asked).total_seconds() for asked, answered in rows
                        if answered is not None)


async def _satisfaction(session: AsyncSession, place_ids: Sequence[int], start: datetime,
                        end: datetime) -> Satisfaction:
    scores = list((await session.exec(
        select(Rating.score).join(Wish, col(Wish.id) == col(Rating.wish_id))
        .where(col(Wish.grid_id).in_(place_ids), _in(col(Rating.created_at), start, end)))).all())
    if not scores:
        return Satisfaction()
    return Satisfaction(count=len(scores), solved=sum(s >= SOLVED_FROM for s in scores),
                        partly=sum(NOT_SOLVED_BELOW <= s < SOLVED_FROM for s in scores),
                        not_solved=sum(s < NOT_SOLVED_BELOW for s in scores),
                        mean=sum(scores) / len(scores))


async def _service(session: AsyncSession, place_ids: Sequence[int], first: date,
                   last: date) -> tuple[int, int]:
    """Confirmed minutes served on the local days ``first`` to ``last``, and by how many."""
    minutes, people = (await session.exec(
        select(func.coalesce(func.sum(ServiceLog.minutes), 0),
               func.count(distinct(ServiceLog.person_id)))
        .where(col(ServiceLog.grid_id).in_(place_ids), col(ServiceLog.served_on) >= first,
               col(ServiceLog.served_on) <= last,
               col(ServiceLog.state) == ServiceState.CONFIRMED))).one()
    return int(minutes), int(people)


def _meetings_of(place_ids: Sequence[int]) -> Any:
    return (select(Meeting.id).join(MeetingSeries,
                                    col(MeetingSeries.id) == col(Meeting.series_id))
            .where(col(MeetingSeries.place_id).in_(place_ids)))


async def _attendance(session: AsyncSession, place_ids: Sequence[int], start: datetime,
                      end: datetime) -> tuple[int, int, int, int]:
    """Meetings held in the period, and how many were present, excused and absent."""
    held = _meetings_of(place_ids).where(_in(col(Meeting.starts_at), start, end),
                                         col(Meeting.state) == MeetingState.SCHEDULED)
    meeting_ids = list((await session.exec(held)).all())
    if not meeting_ids:
        return 0, 0, 0, 0
    rows = (await session.exec(
        select(Attendance.present, col(Attendance.reason).is_not(None), func.count())
        .where(col(Attendance.meeting_id).in_(meeting_ids))
        .group_by(col(Attendance.present), col(Attendance.reason).is_not(None)))).all()
    present = sum(n for was, _reason, n in rows if was)
    excused = sum(n for was, reason, n in rows if not was and reason)
    absent = sum(n for was, reason, n in rows if not was and not reason)
    return len(meeting_ids), present, excused, absent


async def _actions(session: AsyncSession, place_ids: Sequence[int], start: datetime,
                   end: datetime, last: date) -> tuple[int, int]:
    """Action items done in the period; those due by its last day and not done by its end."""
    of_places = col(ActionItem.meeting_id).in_(_meetings_of(place_ids))
    done = (await session.exec(select(func.count()).select_from(ActionItem).where(
        of_places, col(ActionItem.state) == ActionState.DONE,
        _in(col(ActionItem.done_at), start, end)))).one()
    # An item due on the period's last day is late once the period is over.
    overdue = (await session.exec(select(func.count()).select_from(ActionItem).where(
        of_places, col(ActionItem.due_on) <= last, col(ActionItem.created_at) < end,
        or_(col(ActionItem.done_at).is_(None), col(ActionItem.done_at) >= end)))).one()
    return int(done), int(overdue)


async def figures(session: AsyncSession, place_ids: Sequence[int], start: datetime,
                  end: datetime, *, timezone: str = "UTC") -> Figures:
    """Every figure of a report for the places (a place and every place below it) in
    ``[start, end)``. Service hours are kept by local day: the days of ``timezone`` that
    start within the bounds count."""
    ids = list(place_ids)
    counts = await _wish_counts(session, ids, start, end)
    pages = await _pages(session, ids, start, end)
    risk = [(created, acked) for kind, created, acked in pages if kind == PageKind.RISK]
    zone = ZoneInfo(timezone)
    first_day = start.astimezone(zone).date()
    last_day = (end - timedelta(microseconds=1)).astimezone(zone).date()
    minutes, volunteers = await _service(session, ids, first_day, last_day)
    meetings, present, excused, absent = await _attendance(session, ids, start, end)
    done, overdue = await _actions(session, ids, start, end, last_day)
    return Figures(
        start=start, end=end, **counts,
        to_claim=await _to_claim(session, ids, start, end),
        to_fulfil=await _to_fulfil(session, ids, start, end),
        to_acknowledge=Durations.of((acked - created).total_seconds()
                                    for _kind, created, acked in pages if acked is not None),
        to_answer=await _to_answer(session, ids, start, end),
        satisfaction=await _satisfaction(session, ids, start, end),
        risk_alerts=len(risk), risk_acknowledged=sum(acked is not None for _c, acked in risk),
        to_acknowledge_risk=Durations.of((acked - created).total_seconds()
                                         for created, acked in risk if acked is not None),
        volunteer_minutes=minutes, active_volunteers=volunteers,
        meetings=meetings, present=present, excused=excused, absent=absent,
        actions_done=done, actions_overdue=overdue,
    )


def _bucket(column: Any, periods: Sequence[Period]) -> Any:
    """Which of the periods (0, 1, …) the time in ``column`` falls in."""
    return case(*((column < period.end, index) for index, period in enumerate(periods)),
                else_=len(periods))


async def _by_period(session: AsyncSession, column: Any, periods: Sequence[Period],
                     statement: Any) -> list[int]:
    """How many rows of ``statement`` (a select from one table, joined and filtered) fall in
    each period by ``column``: one read of the whole range, counted per period."""
    bucket = _bucket(column, periods)
    rows = (await session.exec(
        statement.add_columns(bucket.label("period"), func.count())
        .where(_in(column, periods[0].start, periods[-1].end)).group_by(bucket))).all()
    counts = [0] * len(periods)
    for *_columns, index, count in rows:
        if 0 <= index < len(periods):
            counts[index] = count
    return counts


async def trend(session: AsyncSession, place_ids: Sequence[int],
                periods: Sequence[Period]) -> list[TrendPoint]:
    """Wishes submitted, claimed, fulfilled and confirmed in each period (consecutive, oldest
    first), for the report's chart. Each count is read from its own table by its time index,
    the whole range at once: the same events the audit log holds, from narrower rows (a claim
    row is a claim, a take-on or an adoption; a rating of 3 or more confirms)."""
    of_places = col(Wish.grid_id).in_(place_ids)
    claims = select().select_from(Claim).join(Wish, col(Wish.id) == col(Claim.wish_id)).where(
        of_places)
    submitted = await _by_period(session, col(Wish.created_at), periods,
                                 select().select_from(Wish).where(of_places))
    claimed = await _by_period(session, col(Claim.claimed_at), periods, claims)
    fulfilled = await _by_period(session, col(Claim.ended_at), periods,
                                 claims.where(col(Claim.outcome) == CLAIM_FULFILLED))
    confirmed = await _by_period(
        session, col(Rating.created_at), periods,
        select().select_from(Rating).join(Wish, col(Wish.id) == col(Rating.wish_id))
        .where(of_places, col(Rating.score) >= NOT_SOLVED_BELOW))
    return [TrendPoint(period.first, *counts) for period, counts in
            zip(periods, zip(submitted, claimed, fulfilled, confirmed, strict=True), strict=True)]


# -- scheduled reports ---------------------------------------------------------------------

SCHEDULED: dict[Span, tuple[PlaceKind, str]] = {
    Span.WEEK: (PlaceKind.COMMUNITY, "report_week"),  # to each community's chat
    Span.MONTH: (PlaceKind.STREET, "report_month"),  # to each street's chat
}
ReportNotify = Callable[[AsyncSession, Place, Span, date], Awaitable[list[OutboxMessage]]]


# How many local days after its scheduled day a report that could not go out (the bot was
# down) is still posted; after that it is skipped, as news that late is no news.
LATE_DAYS: dict[Span, int] = {Span.WEEK: 0, Span.MONTH: 2}


def due_period(local: datetime, span: Span, settings: PlaceSettings) -> date | None:
    """The first day of the period whose report is due at the local time ``local``: the week
    before, on the week's report day from the report time on; the month before, on the 1st
    from the report time on (or by the 3rd, late). None when reports are off or it is not
    the time."""
    if settings.report_time == "off":
        return None
    at = time.fromisoformat(settings.report_time)
    this = _start_of(local.date(), span)
    scheduled = this + timedelta(days=settings.weekly_report_day - 1) \
        if span is Span.WEEK else this
    late = (local.date() - scheduled).days
    if late < 0 or late > LATE_DAYS[span] or (late == 0 and local.time() < at):
        return None
    return _previous_start(this, span)


async def post_scheduled(db: Database, *, now: datetime, notify: ReportNotify) -> int:
    """Queue each report that is due, once per place and period (a mark per place and series,
    like the honour roll's). What is due is found in one transaction; a place whose report
    went out already is passed over without one of its own."""
    async with db.transaction() as session:
        bound = list((await session.exec(select(Place).where(
            col(Place.chat_id).is_not(None),
            col(Place.kind).in_([kind for kind, _series in SCHEDULED.values()])))).all())
        marks = {(place_id, series): day for place_id, series, day in (await session.exec(
            select(DailyMark.place_id, DailyMark.series, DailyMark.last_day).where(
                col(DailyMark.series).in_([s for _kind, s in SCHEDULED.values()])))).all()}
        due: list[tuple[int, Span, str, date]] = []
        for place in bound:
            span = next(span for span, (kind, _s) in SCHEDULED.items() if kind == place.kind)
            series = SCHEDULED[span][1]
            settings = effective(await places.chain(session, place))
            first = due_period(now.astimezone(ZoneInfo(place.timezone)), span, settings)
            done = marks.get((place.id or 0, series))
            if first is not None and (done is None or done < first):
                due.append((place.id or 0, span, series, first))
    posted = 0
    for place_id, span, series, first in due:
        with suppress(IntegrityError):  # another instance marked it first
            posted += await _post_one(db, place_id, span, series, first, notify)
    return posted


async def _post_one(db: Database, place_id: int, span: Span, series: str, first: date,
                    notify: ReportNotify) -> int:
    async with db.transaction() as session:
        place = await places.get(session, place_id)
        if place is None or not await claim_run(session, place_id, series, first):
            return 0
        await outbox.add(session, await notify(session, place, span, first))
        return 1
