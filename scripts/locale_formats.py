"""Write the part of Babel's locale data that GridLink formats with, for one language.

Usage: python scripts/locale_formats.py zh_Hans locales/zh_Hans/formats.pickle

Babel loads a language's whole CLDR data (the names of every language, territory, currency
and time zone) the first time it formats anything in it: 4 MiB for Chinese, and 2 MiB more
of data shared by all languages. GridLink formats dates, times, weekdays and numbers, which
need a few KiB of it. `make` writes that part with this script, from the Babel it installed,
and ``bot.formatting`` hands it to Babel; aliases are resolved here, so the file stands alone.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from babel import Locale

from bot.formatting import FORMAT_KEYS


def resolved(value: Any) -> Any:
    """Babel's data with its aliases followed: plain dicts all the way down."""
    if isinstance(value, Mapping):
        return {key: resolved(value[key]) for key in value}
    return value


def main(language: str, target: str) -> None:
    data = Locale.parse(language)._data  # Babel offers no public way to it
    trimmed = {key: resolved(data[key]) for key in FORMAT_KEYS if key in data}
    Path(target).write_bytes(pickle.dumps(trimmed, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    main(*sys.argv[1:3])
