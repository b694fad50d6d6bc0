"""Dates and numbers, formatted with Babel in a place's time zone."""

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_time
from babel.numbers import format_decimal


@lru_cache(maxsize=512)  # a card shows the same moment each time it is redrawn
def when(moment: datetime, timezone: str, locale: str) -> str:
    """E.g. "11月25日周三 14:00", "11月25日 週三 下午2:00", "Wed, Nov 25 2:00 PM"."""
    local = moment.astimezone(ZoneInfo(timezone))
    day = format_skeleton("MMMEd", local, locale=locale)
    return f"{day} {format_time(local, 'short', locale=locale)}"


def hours(minutes: int, locale: str) -> str:
    """Minutes as hours with at most two decimals: "1.5", "12", "0.25"."""
    return format_decimal(round(minutes / 60, 2), format="#,##0.##", locale=locale)


def day(value: date, locale: str) -> str:
    """E.g. "11月24日周二", "Tue, Nov 24"."""
    return format_skeleton("MMMEd", value, locale=locale)


def month(value: date, locale: str) -> str:
    """E.g. "2026年11月", "November 2026"."""
    return format_skeleton("yMMMM", value, locale=locale)
