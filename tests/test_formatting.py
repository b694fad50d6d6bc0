"""Dates and numbers read as Babel writes them, from the part of its data that `make` kept."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from babel.dates import format_skeleton, format_time, get_day_names
from babel.numbers import format_decimal

from bot import formatting
from bot.settings import LOCALES

PROJECT = Path(__file__).resolve().parent.parent
MOMENTS = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=d * 37, hours=d * 5, minutes=d)
           for d in range(12)]


@pytest.mark.parametrize("language", LOCALES)
def test_trimmed_data_formats_as_babel_does(language: str) -> None:
    for moment in MOMENTS:
        local = moment.astimezone(formatting.ZoneInfo("Asia/Shanghai"))
        assert formatting.when(moment, "Asia/Shanghai", language) == (
            f"{format_skeleton('MMMEd', local, locale=language)} "
            f"{format_time(local, 'short', locale=language)}")
        assert formatting.day(moment.date(), language) == format_skeleton(
            "MMMEd", moment.date(), locale=language)
        assert formatting.month(moment.date(), language) == format_skeleton(
            "yMMMM", moment.date(), locale=language)
    for minutes in (0, 15, 90, 100, 123_456):
        assert formatting.hours(minutes, language) == format_decimal(
            round(minutes / 60, 2), format="#,##0.##", locale=language)
    assert formatting.weekday_names(language) == dict(get_day_names("wide", locale=language))


def test_the_examples_in_the_docstrings() -> None:
    moment = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
    assert formatting.when(moment, "Asia/Shanghai", "zh_Hans") == "11月25日周三 14:00"
    assert formatting.when(moment, "Asia/Shanghai", "zh_Hant") == "11月25日 週三 下午2:00"
    assert formatting.when(moment, "Asia/Shanghai", "en") == "Wed, Nov 25 2:00\u202fPM"
    assert formatting.month(date(2026, 11, 1), "zh_Hans") == "2026年11月"
    assert formatting.hours(90, "en") == "1.5"


def test_formatting_never_loads_babels_whole_data() -> None:
    """What every language formats fits in the trimmed files: Babel's own data (6 MiB for the
    three languages, in every bot process) is never loaded, and nothing is warned about."""
    script = (
        "import logging, sys\n"
        "from datetime import date, datetime, UTC\n"
        "import babel.core, babel.localedata\n"
        "from bot import formatting\n"
        "from bot.settings import LOCALES\n"
        "logging.basicConfig(level=logging.WARNING)\n"
        "for language in LOCALES:\n"
        "    formatting.when(datetime(2026, 11, 25, 6, tzinfo=UTC), 'Asia/Shanghai', language)\n"
        "    formatting.day(date(2026, 11, 25), language)\n"
        "    formatting.month(date(2026, 11, 25), language)\n"
        "    formatting.hours(90, language)\n"
        "    formatting.weekday_names(language)\n"
        "print(sorted(babel.localedata._cache), babel.core._global_data is not None)\n")
    ran = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True,
                         text=True, check=True)
    assert ran.stdout.strip() == "[] False"
    assert ran.stderr == ""
