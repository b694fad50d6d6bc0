"""Dates and numbers, formatted with Babel in a place's time zone.

Babel gets its locale data from ``locales/<language>/formats.pickle``, which `make` writes from
Babel's own data with scripts/locale_formats.py: only what formatting dates, times, weekdays
and numbers needs (``FORMAT_KEYS``). Babel would otherwise load all of a language's CLDR data
the first time it formats anything: 6 MiB in every bot process for the three languages. A key
missing from the file (a formatting function not used before) is read from Babel's whole data,
with a warning.
"""

import logging
import pickle
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, localedata
from babel.dates import format_skeleton, format_time, get_day_names
from babel.numbers import format_decimal, format_percent

log = logging.getLogger(__name__)
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
FORMAT_KEYS = ("date_formats", "datetime_formats", "datetime_skeletons", "day_period_rules",
               "day_periods", "days", "eras", "months", "quarters", "time_formats",
               "decimal_formats", "default_numbering_system", "number_symbols")


class _FormatData(dict[Any, Any]):
    """The trimmed data; a key it lacks is taken from Babel's whole data for the language."""

    def __init__(self, language: str, data: dict[Any, Any]) -> None:
        super().__init__(data)
        self.language = language

    def __missing__(self, key: Any) -> Any:
        log.warning("%s formats.pickle lacks %r: loading Babel's whole data", self.language, key)
        whole = localedata.load(self.language)
        if key not in whole:
            raise KeyError(key)
        self[key] = whole[key]
        return self[key]


class _TrimmedLocale(Locale):
    def __init__(self, language: str, data: dict[Any, Any]) -> None:
        parsed = Locale.parse(language)
        super().__init__(parsed.language, parsed.territory, parsed.script, parsed.variant)
        self._trimmed = localedata.LocaleDataDict(_FormatData(language, data))

    @property
    def _data(self) -> localedata.LocaleDataDict:
        return self._trimmed


@cache
def babel_locale(language: str) -> Locale:
    """The Babel locale to format in; Babel's own when `make` has not written the file."""
    path = LOCALES_DIR / language / "formats.pickle"
    if not path.exists():
        log.warning("%s is missing (run make): Babel loads its whole data", path)
        return Locale.parse(language)
    return _TrimmedLocale(language, pickle.loads(path.read_bytes()))


@lru_cache(maxsize=512)  # a card shows the same moment each time it is redrawn
def when(moment: datetime, timezone: str, locale: str) -> str:
    """E.g. "11月25日周三 14:00", "11月25日 週三 下午2:00", "Wed, Nov 25 2:00 PM"."""
    local = moment.astimezone(ZoneInfo(timezone))
    day = format_skeleton("MMMEd", local, locale=babel_locale(locale))
    return f"{day} {format_time(local, 'short', locale=babel_locale(locale))}"


def time_from(moment: datetime, now: datetime, timezone: str, locale: str) -> str:
    """The time alone when ``moment`` falls on the local day of ``now`` ("15:20", "下午3:20",
    "3:20 PM"), else with its day as ``when`` gives it."""
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    if local.date() != now.astimezone(zone).date():
        return when(moment, timezone, locale)
    return format_time(local, "short", locale=babel_locale(locale))


def hours(minutes: int, locale: str) -> str:
    """Minutes as hours with at most two decimals: "1.5", "12", "0.25"."""
    return format_decimal(round(minutes / 60, 2), format="#,##0.##",
                          locale=babel_locale(locale))


def day(value: date, locale: str) -> str:
    """E.g. "11月24日周二", "Tue, Nov 24"."""
    return format_skeleton("MMMEd", value, locale=babel_locale(locale))


def month(value: date, locale: str) -> str:
    """E.g. "2026年11月", "November 2026"."""
    return format_skeleton("yMMMM", value, locale=babel_locale(locale))


def weekday_names(locale: str) -> dict[int, str]:
    """Monday (0) to Sunday (6), in full: "星期一", "星期一", "Monday"."""
    return dict(get_day_names("wide", locale=babel_locale(locale)))


def number(value: int, locale: str) -> str:
    """A count as the language writes it: "1,234"."""
    return format_decimal(value, locale=babel_locale(locale))


def decimal(value: float, locale: str) -> str:
    """A figure with at most one decimal: "1,234.5", "3"."""
    return format_decimal(value, format="#,##0.#", locale=babel_locale(locale))


def share(value: float, locale: str) -> str:
    """A share as a whole percentage: "33%"."""
    return format_percent(value, format="#,##0%", locale=babel_locale(locale))


def yuan(fen: int, locale: str) -> str:
    """Money kept in fen, as yuan: "¥50,000", "¥1,200.5"."""
    return "¥" + format_decimal(fen / 100, format="#,##0.##", locale=babel_locale(locale))


def month_day(value: date, locale: str) -> str:
    """E.g. "11月30日", "Nov 30"."""
    return format_skeleton("MMMd", value, locale=babel_locale(locale))


def month_short(value: date, locale: str) -> str:
    """E.g. "11月", "Nov"."""
    return format_skeleton("MMM", value, locale=babel_locale(locale))
