"""Local time rules of a place: quiet hours, and deadlines counted in working days.

Working days follow the Chinese statutory calendar from the ``chinesecalendar`` package,
make-up working days (调休) included. For a year the package does not know yet, weekends
are the only days off, and the log says so.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)
_warned_years: set[int] = set()


def is_working_day(day: date) -> bool:
    import chinese_calendar  # loaded by the first place that counts working days

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning("the holiday calendar does not know %s yet: only weekends are days "
                        "off in that year", day.year)
        return day.weekday() < 5


def add_hours(start: datetime, hours: int, timezone: str, *, working_days: bool) -> datetime:
    """``start`` plus ``hours``; with ``working_days`` the hours of days off do not count."""
    if not working_days:
        return start + timedelta(hours=hours)
    zone = ZoneInfo(timezone)
    cursor = start.astimezone(zone)
    remaining = timedelta(hours=hours)
    while True:
        midnight = datetime.combine(cursor.date() + timedelta(days=1), time(), zone)
        if is_working_day(cursor.date()):
            if cursor + remaining <= midnight:
                return (cursor + remaining).astimezone(start.tzinfo)
            remaining -= midnight - cursor
        cursor = midnight


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def after_quiet_hours(now: datetime, quiet: str, timezone: str) -> datetime:
    """``now``, or the end of the quiet hours (e.g. "22:00-07:00") that ``now`` falls in."""
    if quiet == "off":
        return now
    start, end = (_clock(part) for part in quiet.split("-"))
    local = now.astimezone(ZoneInfo(timezone))
    clock = local.time()
    inside = start <= clock < end if start < end else clock >= start or clock < end
    if not inside:
        return now
    end_day = local.date() if clock < end else local.date() + timedelta(days=1)
    return datetime.combine(end_day, end, ZoneInfo(timezone)).astimezone(now.tzinfo)


def local_day(now: datetime, timezone: str) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()
