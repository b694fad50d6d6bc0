"""Report figures against a seeded database whose numbers are counted here by hand.

The seeded week is Monday 30 November to Sunday 6 December 2026 in Shanghai (UTC+8): it
crosses from November into December. Times below are Shanghai's unless said otherwise.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from matplotlib import font_manager
from matplotlib.image import imread
from sqlmodel import col, select

from bot import charts, reporting
from bot.i18n import make_i18n, speaking
from storage import audit, places, reports, wishes
from storage.db import Database
from storage.models import (
    ActionItem,
    ActionState,
    Attendance,
    Meeting,
    MeetingSeries,
    MeetingState,
    Page,
    PageKind,
    Place,
    PlaceKind,
    Question,
    ServiceLog,
    ServiceState,
)
from storage.reports import Span
from storage.wishes import Draft
from tests.test_query_plans import NOW, captured, district, scans
from usecases import reports as usecase

__all__ = ["district"]  # the fixture, filled like a small street office

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = "America/New_York"
RESIDENT, VOLUNTEER, OTHER_VOLUNTEER, WORKER = 3001, 3002, 3003, 3004
WEEK_FIRST = date(2026, 11, 30)
HOUR = 3600.0


def sh(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in Shanghai, in UTC."""
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


@dataclass
class Seeded:
    street: int
    community: int
    grid_1: int
    grid_2: int
    far_grid: int  # in New York


async def _place(db: Database, chat_id: int, kind: PlaceKind, name: str, parent: int | None,
                 timezone: str = "Asia/Shanghai") -> int:
    outcome = await places.bind(db, chat_id=chat_id, kind=kind, name=name, parent_id=parent,
                                timezone=timezone, actor_id=1, now=sh(11, 1, 9))
    assert outcome.place is not None and outcome.place.id is not None
    return outcome.place.id


async def _wish(db: Database, grid: int, at: datetime, text: str = "买菜") -> int:
    async with db.transaction() as session:
        outcome = await wishes.submit(session, grid_id=grid, resident_id=RESIDENT,
                                      draft=Draft(text=text), now=at)
    assert outcome.ok and outcome.wish.id is not None
    return outcome.wish.id


async def _claimed_and_fulfilled(db: Database, wish_id: int, claimed: datetime,
                                 fulfilled: datetime, score: int, rated: datetime) -> None:
    async with db.transaction() as session:
        assert (await wishes.claim(session, wish_id, volunteer_id=VOLUNTEER, now=claimed)).ok
    async with db.transaction() as session:
        assert (await wishes.mark_fulfilled(session, wish_id, volunteer_id=VOLUNTEER,
                                            now=fulfilled)).ok
    async with db.transaction() as session:
        assert (await wishes.confirm(session, wish_id, resident_id=RESIDENT, score=score,
                                     now=rated)).ok


async def _seed_wishes(db: Database, seeded: Seeded) -> int:
    """The wishes; the first one's id."""
    w1 = await _wish(db, seeded.grid_1, sh(11, 30, 10))
    await _claimed_and_fulfilled(db, w1, sh(11, 30, 12), sh(12, 1, 12), 5, sh(12, 2, 9))
    w2 = await _wish(db, seeded.grid_2, sh(12, 1, 9))
    await _claimed_and_fulfilled(db, w2, sh(12, 1, 13), sh(12, 1, 15), 3, sh(12, 2, 10))
    w3 = await _wish(db, seeded.grid_1, sh(12, 2, 8))
    async with db.transaction() as session:
        assert (await wishes.withdraw(session, w3, resident_id=RESIDENT, now=sh(12, 2, 9))).ok
    w4 = await _wish(db, seeded.grid_1, sh(11, 29, 20))  # the Sunday before
    async with db.transaction() as session:
        assert (await wishes.reject(session, w4, actor_id=WORKER, reason="重复",
                                    now=sh(11, 30, 8))).ok
    w5 = await _wish(db, seeded.grid_1, sh(12, 3, 10))
    # Rated "not solved": reopened, so not confirmed.
    await _claimed_and_fulfilled(db, w5, sh(12, 3, 20), sh(12, 4, 10), 1, sh(12, 4, 12))
    await _wish(db, seeded.grid_1, sh(12, 7, 1))  # the Monday after
    w7 = await _wish(db, seeded.grid_1, sh(11, 30, 9))
    async with db.transaction() as session:  # as the sweep records it
        await audit.record(session, entity="wish", entity_id=w7, actor_id=None,
                           action="to_community", at=sh(12, 2, 9), from_state="open",
                           to_state="open")
    return w1


async def _seed_the_rest(db: Database, seeded: Seeded, first_wish: int) -> None:
    community = seeded.community
    async with db.transaction() as session:
        session.add_all([
            Page(community_id=community, kind=PageKind.RISK, level="A", wish_id=first_wish,
                 created_at=sh(12, 1, 10), acknowledged_at=sh(12, 1, 10, 6)),
            Page(community_id=community, kind=PageKind.ESCALATION, level="A",
                 created_at=sh(12, 2, 9), acknowledged_at=sh(12, 2, 9, 30)),
            Page(community_id=community, kind=PageKind.RISK, level="chat",
                 created_at=sh(12, 3, 9)),
            Page(community_id=community, kind=PageKind.QUESTION, level="A",
                 created_at=sh(12, 1, 10), acknowledged_at=sh(12, 1, 10, 20)),
            Question(community_id=community, resident_id=RESIDENT, text="?",
                     created_at=sh(12, 1, 10), answered_at=sh(12, 1, 10, 20), answer="!"),
            Question(community_id=community, resident_id=RESIDENT, text="?",
                     created_at=sh(12, 5, 10)),
        ])
        for person, grid, day, minutes, state in [
            (VOLUNTEER, seeded.grid_1, date(2026, 12, 1), 90, ServiceState.CONFIRMED),
            (OTHER_VOLUNTEER, seeded.grid_2, date(2026, 11, 30), 60, ServiceState.CONFIRMED),
            (VOLUNTEER, seeded.grid_1, date(2026, 12, 2), 30, ServiceState.PENDING),
            (VOLUNTEER, seeded.grid_1, date(2026, 12, 2), 45, ServiceState.REJECTED),
            (VOLUNTEER, seeded.grid_1, date(2026, 12, 7), 120, ServiceState.CONFIRMED),
        ]:
            session.add(ServiceLog(person_id=person, grid_id=grid, served_on=day,
                                   minutes=minutes, description="服务", state=state,
                                   logged_at=sh(12, 7, 9)))
        series = MeetingSeries(place_id=community, title="联席会议", rule="weekly", weekday=3,
                               start_time="19:00", host_id=WORKER, created_at=sh(11, 1, 9))
        session.add(series)
        await session.flush()
        held = Meeting(series_id=series.id or 0, planned_at=sh(12, 3, 19),
                       starts_at=sh(12, 3, 19))
        skipped = Meeting(series_id=series.id or 0, planned_at=sh(12, 4, 19),
                          starts_at=sh(12, 4, 19), state=MeetingState.SKIPPED)
        session.add_all([held, skipped])
        await session.flush()
        marks = [(1, True, None), (2, True, None), (3, True, None), (4, False, "出差"),
                 (5, False, None)]
        session.add_all([Attendance(meeting_id=held.id or 0, person_id=person, present=present,
                                    reason=reason) for person, present, reason in marks])
        session.add(Attendance(meeting_id=skipped.id or 0, person_id=1, present=False))
        for due, done_at in [(date(2026, 12, 2), sh(12, 1, 9)), (date(2026, 12, 4), None),
                             (date(2026, 12, 6), None), (date(2026, 12, 10), None),
                             (date(2026, 12, 3), sh(12, 8, 9))]:
            session.add(ActionItem(meeting_id=held.id or 0, owner_id=WORKER, text="办",
                                   due_on=due, created_at=sh(11, 20, 9),
                                   state=ActionState.DONE if done_at else ActionState.OPEN,
                                   done_at=done_at))


async def seed(db: Database) -> Seeded:
    street = await _place(db, -21, PlaceKind.STREET, "街道", None)
    community = await _place(db, -22, PlaceKind.COMMUNITY, "社区", street)
    far_community = await _place(db, -25, PlaceKind.COMMUNITY, "Queens", street, NEW_YORK)
    seeded = Seeded(street, community, await _place(db, -23, PlaceKind.GRID, "一网格", community),
                    await _place(db, -24, PlaceKind.GRID, "二网格", community),
                    await _place(db, -26, PlaceKind.GRID, "Astoria", far_community, NEW_YORK))
    await _seed_the_rest(db, seeded, await _seed_wishes(db, seeded))
    return seeded


async def _figures(db: Database, place: int, period: reports.Period,
                   timezone: str = "Asia/Shanghai") -> reports.Figures:
    async with db.transaction() as session:
        below = await reports.places_below(session, place)
        return await reports.figures(session, below, period.start, period.end,
                                     timezone=timezone)


def test_a_week_and_a_month_are_bounded_in_the_places_own_time_zone() -> None:
    week = reports.bounds(sh(12, 6, 23, 59), Span.WEEK, "Asia/Shanghai")
    assert (week.first, week.last) == (WEEK_FIRST, date(2026, 12, 6))
    assert (week.start, week.end) == (datetime(2026, 11, 29, 16, tzinfo=UTC),
                                      datetime(2026, 12, 6, 16, tzinfo=UTC))
    # Sunday 22:00 in New York is Monday 03:00 UTC: still New York's week of 30 November.
    sunday_night = datetime(2026, 12, 7, 3, tzinfo=UTC)
    assert reports.bounds(sunday_night, Span.WEEK, NEW_YORK).first == WEEK_FIRST
    assert reports.bounds(sunday_night, Span.WEEK, "Asia/Shanghai").first == date(2026, 12, 7)
    # November in New York begins in summer time and ends in winter time.
    november = reports.bounds(datetime(2026, 11, 15, tzinfo=UTC), Span.MONTH, NEW_YORK)
    assert (november.start, november.end) == (datetime(2026, 11, 1, 4, tzinfo=UTC),
                                              datetime(2026, 12, 1, 5, tzinfo=UTC))
    assert reports.previous(november, NEW_YORK).first == date(2026, 10, 1)
    january = reports.bounds(datetime(2027, 1, 20, tzinfo=UTC), Span.MONTH, "Asia/Shanghai")
    assert reports.previous(january, "Asia/Shanghai").first == date(2026, 12, 1)
    months = reports.trend_periods(january, "Asia/Shanghai")
    assert [p.first for p in months][:2] == [date(2026, 2, 1), date(2026, 3, 1)]
    assert len(months) == 12 and months[-1] == january
    weeks = reports.trend_periods(week, "Asia/Shanghai")
    assert len(weeks) == 8 and weeks[0].first == WEEK_FIRST - timedelta(weeks=7)


async def test_the_figures_of_a_week_that_crosses_a_month(db: Database) -> None:
    seeded = await seed(db)
    week = reports.period_from(WEEK_FIRST, Span.WEEK, "Asia/Shanghai")
    got = await _figures(db, seeded.street, week)
    counts = (got.submitted, got.posted, got.claimed, got.fulfilled, got.confirmed,
              got.withdrawn, got.rejected, got.to_community, got.to_street)
    assert counts == (5, 5, 3, 3, 2, 1, 1, 1, 0)
    assert got.share_to_community == pytest.approx(0.2)
    assert got.share_to_street == 0
    # Claimed after 2 h, 4 h and 10 h; fulfilled after 24 h, 2 h and 14 h.
    assert got.to_claim == reports.Durations(3, 4 * HOUR, 8 * HOUR + 48 * 60)
    assert got.to_fulfil == reports.Durations(3, 14 * HOUR, 22 * HOUR)
    # Pages acknowledged after 6 and 30 minutes (the question's page is not counted here).
    assert got.to_acknowledge == reports.Durations(2, 18 * 60.0, 27 * 60.0 + 36)
    assert (got.risk_alerts, got.risk_acknowledged) == (2, 1)
    assert got.to_acknowledge_risk == reports.Durations(1, 6 * 60.0, 6 * 60.0)
    assert got.to_answer == reports.Durations(1, 20 * 60.0, 20 * 60.0)
    assert got.satisfaction == reports.Satisfaction(count=3, solved=1, partly=1, not_solved=1,
                                                    mean=3.0)
    assert (got.volunteer_minutes, got.active_volunteers) == (150, 2)
    assert (got.meetings, got.present, got.excused, got.absent) == (1, 3, 1, 1)
    assert got.attendance == pytest.approx(0.6)
    assert (got.actions_done, got.actions_overdue) == (1, 3)

    grid = await _figures(db, seeded.grid_1, week)
    assert (grid.submitted, grid.claimed, grid.withdrawn, grid.rejected) == (4, 2, 1, 1)
    assert (grid.volunteer_minutes, grid.meetings) == (90, 0)
    # A grid has the pages about its wishes (a page belongs to the community).
    assert (grid.risk_alerts, grid.risk_acknowledged, grid.to_acknowledge.count) == (1, 1, 1)
    assert (grid.to_answer.count, grid.satisfaction.count) == (0, 2)
    other = await _figures(db, seeded.grid_2, week)
    assert (other.risk_alerts, other.to_acknowledge.count, other.satisfaction.mean) == (0, 0, 3)

    november = reports.period_from(date(2026, 11, 1), Span.MONTH, "Asia/Shanghai")
    month = await _figures(db, seeded.street, november)
    assert (month.submitted, month.claimed, month.rejected, month.fulfilled) == (3, 1, 1, 0)
    assert (month.volunteer_minutes, month.active_volunteers) == (60, 1)


async def test_an_empty_week_and_the_week_before(db: Database) -> None:
    seeded = await seed(db)
    week = reports.period_from(WEEK_FIRST, Span.WEEK, "Asia/Shanghai")
    before = await _figures(db, seeded.street, reports.previous(week, "Asia/Shanghai"))
    assert (before.submitted, before.posted, before.rejected) == (1, 1, 0)
    empty = await _figures(db, seeded.street,
                           reports.period_from(date(2026, 11, 16), Span.WEEK, "Asia/Shanghai"))
    assert empty == reports.Figures(start=empty.start, end=empty.end)
    assert empty.to_claim.median is None and empty.share_to_community is None
    assert empty.attendance is None and empty.satisfaction.share(0) is None
    async with db.transaction() as session:
        below = await reports.places_below(session, seeded.street)
        points = await reports.trend(session, below, reports.trend_periods(week, "Asia/Shanghai"))
    assert [p.submitted for p in points] == [0, 0, 0, 0, 0, 0, 1, 5]
    assert [(p.claimed, p.fulfilled, p.confirmed) for p in points[-2:]] == [(0, 0, 0), (3, 3, 2)]


async def test_a_place_in_another_time_zone_counts_its_own_week(db: Database) -> None:
    seeded = await seed(db)
    sunday_night = datetime(2026, 12, 7, 3, tzinfo=UTC)  # 22:00 on Sunday in New York
    await _wish(db, seeded.far_grid, sunday_night)
    far_week = reports.bounds(sunday_night, Span.WEEK, NEW_YORK)
    far = await _figures(db, seeded.far_grid, far_week, NEW_YORK)
    assert far.submitted == 1
    following = reports.period_from(date(2026, 12, 7), Span.WEEK, NEW_YORK)
    assert (await _figures(db, seeded.far_grid, following, NEW_YORK)).submitted == 0
    # In Shanghai that moment is already Monday 7 December: the next week.
    week = reports.period_from(WEEK_FIRST, Span.WEEK, "Asia/Shanghai")
    assert (await _figures(db, seeded.street, week)).submitted == 5


async def test_a_months_report_reads_the_month_by_index(district: Database) -> None:
    async with district.transaction() as session:
        street, grid = [(await session.exec(select(Place).where(
            Place.kind == kind).order_by(col(Place.id)))).first()
            for kind in (PlaceKind.STREET, PlaceKind.GRID)]
    for place in (street, grid):
        assert place is not None

        async def report(session: Any, place: Place = place) -> None:
            below = await reports.places_below(session, place.id or 0)
            period = reports.bounds(NOW, Span.MONTH, place.timezone)
            await reports.figures(session, below, period.start, period.end,
                                  timezone=place.timezone)
            await reports.trend(session, below, reports.trend_periods(period, place.timezone))

        statements = await captured(district, report)
        assert len(statements) >= 15
        assert await scans(district, statements) == [], place.kind


async def test_the_chart_is_drawn_from_the_trend_or_not_at_all(
        db: Database, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    seeded = await seed(db)
    async with db.transaction() as session:
        street = await places.get(session, seeded.street)
        assert street is not None
        week = reports.period_from(WEEK_FIRST, Span.WEEK, "Asia/Shanghai")
        report = await usecase.compose(session, street, week)
    with speaking(make_i18n("zh_Hans"), "zh_Hans"):
        chart = reporting.chart(report)
        assert [list(s.values) for s in chart.series] == [
            [0, 0, 0, 0, 0, 0, 1, 5], [0] * 7 + [3], [0] * 7 + [3], [0] * 7 + [2]]
        assert (chart.labels[0], chart.labels[-1]) == ("10月12日", "11月30日")
        png = charts.draw(chart, "zh_Hans")
        assert png is not None and png.startswith(b"\x89PNG")
        assert imread(io.BytesIO(png), format="png").shape[:2] == (495, 880)

        # No font with Chinese characters: no chart (never boxes), a sentence instead, and
        # the log says so once.
        monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
        monkeypatch.setattr(font_manager, "findSystemFonts", lambda *_args, **_kw: [])
        charts.cjk_families.cache_clear()
        try:
            assert charts.draw(chart, "zh_Hans") is None
            assert charts.draw(chart, "zh_Hant") is None
            assert "图表无法生成" in reporting.text(report, chart_drawn=False)
            latin = charts.Chart("Weekly", ["Nov 30"], [charts.Series("submitted", [5])])
            assert charts.draw(latin, "en") is not None
        finally:
            charts.cjk_families.cache_clear()
    warned = [r for r in caplog.records if "no font with Chinese characters" in r.message]
    assert len(warned) == 1
