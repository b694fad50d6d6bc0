"""Quiet hours and working-day deadlines in a place's own time zone."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest

from storage.calendar import add_hours, after_quiet_hours, is_working_day

SHANGHAI = "Asia/Shanghai"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(("day", "working"), [
    (date(2026, 10, 1), False),   # National Day
    (date(2026, 10, 10), True),   # a Saturday worked to make up for it (调休)
    (date(2026, 2, 14), True),    # a Saturday before the Spring Festival, worked
    (date(2026, 11, 28), False),  # an ordinary Saturday
    (date(2026, 11, 25), True),   # an ordinary Wednesday
])
def test_the_statutory_calendar_with_make_up_days(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_a_year_the_calendar_does_not_know_falls_back_to_weekends(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert is_working_day(date(2031, 1, 1)) is True   # a Wednesday
        assert is_working_day(date(2031, 1, 4)) is False  # a Saturday
    assert "2031" in caplog.text


def test_working_hours_skip_the_national_day_week() -> None:
    # Wednesday 30 September 10:00 in Shanghai + 48 working hours: 14 that day, then
    # 1–7 October are off, 24 on the 8th, 10 on the 9th.
    start = utc(2026, 9, 30, 2)
    assert add_hours(start, 48, SHANGHAI, working_days=True) == utc(2026, 10, 9, 2)
    assert add_hours(start, 48, SHANGHAI, working_days=False) == utc(2026, 10, 2, 2)


@pytest.mark.parametrize(("now", "quiet", "released"), [
    (utc(2026, 11, 25, 15), "22:00-07:00", utc(2026, 11, 25, 23)),  # 23:00 → 07:00
    (utc(2026, 11, 25, 20), "22:00-07:00", utc(2026, 11, 25, 23)),  # 04:00 → 07:00
    (utc(2026, 11, 25, 5), "22:00-07:00", utc(2026, 11, 25, 5)),    # 13:00: not quiet
    (utc(2026, 11, 25, 5), "12:00-14:00", utc(2026, 11, 25, 6)),    # a midday rest
    (utc(2026, 11, 25, 15), "off", utc(2026, 11, 25, 15)),
])
def test_quiet_hours_end_in_local_time(now: datetime, quiet: str, released: datetime) -> None:
    assert after_quiet_hours(now, quiet, SHANGHAI) == released


def test_quiet_hours_follow_a_zone_with_daylight_saving() -> None:
    # Berlin moves from UTC+2 to UTC+1 on 25 October 2026; 07:00 local is 06:00 UTC after it.
    assert after_quiet_hours(utc(2026, 10, 25, 22), "22:00-07:00", "Europe/Berlin") == \
        utc(2026, 10, 26, 6)
