"""Dates and numbers, formatted with Babel in a place's time zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_time


def when(moment: datetime, timezone: str, locale: str) -> str:
    """E.g. "11月25日周三 14:00", "11月25日 週三 下午2:00", "Wed, Nov 25 2:00 PM"."""
    local = moment.astimezone(ZoneInfo(timezone))
    day = format_skeleton("MMMEd", local, locale=locale)
    return f"{day} {format_time(local, 'short', locale=locale)}"
