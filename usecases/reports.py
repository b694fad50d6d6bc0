"""Reports: the figures of a place and everything below it, for a week or a month.

Staff at or above a place may see its reports (``Act.SEE_REPORTS``). A report holds counts and
times, never a person: it may go to a group. Where an answer goes is the handler's choice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from storage import places, reports, venture_progress
from storage.db import Database
from storage.models import Place
from storage.people import Actor
from storage.reports import Figures, Period, Span, TrendPoint
from storage.venture_progress import PeriodFigures
from usecases.authority import Act, may_in


@dataclass(frozen=True)
class Report:
    place: Place
    period: Period
    figures: Figures
    before: Figures  # the period before
    trend: list[TrendPoint]  # the last 8 weeks or 12 months, oldest first, this one last
    # Micro-venture rounds of a street in the period (storage.venture_progress).
    projects: PeriodFigures = field(default_factory=PeriodFigures)


class Result(StrEnum):
    OK = "ok"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"


@dataclass(frozen=True)
class Outcome:
    result: Result
    report: Report | None = None

    @property
    def ok(self) -> bool:
        return self.result is Result.OK


async def compose(session: AsyncSession, place: Place, period: Period) -> Report:
    """The report of ``place`` and every place below it for ``period``."""
    below = await reports.places_below(session, place.id or 0)
    before = reports.previous(period, place.timezone)
    return Report(
        place=place, period=period,
        figures=await reports.figures(session, below, period.start, period.end,
                                      timezone=place.timezone),
        before=await reports.figures(session, below, before.start, before.end,
                                     timezone=place.timezone),
        trend=await reports.trend(session, below,
                                  reports.trend_periods(period, place.timezone)),
        projects=await venture_progress.figures(session, below, period.start, period.end))


async def composed(db: Database, place: Place, period: Period) -> Report:
    """``compose`` in short transactions: the figures of the period, of the one before, and
    the trend each in one of their own, so that other people's updates go in between (SQLite
    runs one transaction at a time; a street's month reads a second's worth or more)."""
    async with db.transaction() as session:
        below = await reports.places_below(session, place.id or 0)
    before = reports.previous(period, place.timezone)
    figures = []
    for this in (period, before):
        async with db.transaction() as session:
            figures.append(await reports.figures(session, below, this.start, this.end,
                                                 timezone=place.timezone))
    # The trend reads its whole range at once, but SQLite runs one transaction at a time:
    # there, a period at a time.
    periods = reports.trend_periods(period, place.timezone)
    at_once = 1 if db.is_sqlite else len(periods)
    trend: list[TrendPoint] = []
    for first in range(0, len(periods), at_once):
        async with db.transaction() as session:
            trend += await reports.trend(session, below, periods[first:first + at_once])
    async with db.transaction() as session:
        projects = await venture_progress.figures(session, below, period.start, period.end)
    return Report(place=place, period=period, figures=figures[0], before=figures[1],
                  trend=trend, projects=projects)


async def ask(db: Database, actor: Actor, place_id: int, span: Span, *, now: datetime,
              periods_back: int = 0) -> Outcome:
    """The report of the week or month ``now`` falls in (``periods_back`` = 1: the one
    before), for someone who may see the place's reports."""
    async with db.transaction() as session:
        place = await places.get(session, place_id)
        if place is None or place.id is None:
            return Outcome(Result.NOT_FOUND)
        if not await may_in(session, actor, Act.SEE_REPORTS, place.id):
            return Outcome(Result.NOT_ALLOWED)
    period = reports.bounds(now, span, place.timezone)
    for _ in range(periods_back):
        period = reports.previous(period, place.timezone)
    return Outcome(Result.OK, await composed(db, place, period))


async def of_period(db: Database, place_id: int, span: Span, first: date) -> Report | None:
    """A scheduled report, as its outbox row names it (the sweep decided it is due)."""
    place = await places.by_id(db, place_id)
    if place is None:
        return None
    return await composed(db, place, reports.period_from(first, span, place.timezone))
