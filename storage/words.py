"""Words someone typed for the record: none, too many, or fine. Each flow has its own
Result, with the same values, so it can take the answer as its own (``Result(check(...))``)."""

from __future__ import annotations

import unicodedata
from enum import StrEnum


class Words(StrEnum):
    OK = "ok"
    EMPTY = "empty"
    TOO_LONG = "too_long"


def check(text: str | None, limit: int) -> Words:
    """Spaces around the words do not count, and words must have something to see: invisible
    characters (zero-width spaces, direction marks, soft hyphens…) alone are empty."""
    stripped = (text or "").strip()
    if not visible(stripped):
        return Words.EMPTY
    return Words.TOO_LONG if len(stripped) > limit else Words.OK


def visible(text: str) -> str:
    """``text`` without its format characters (Unicode category Cf) and spaces."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf" and not c.isspace())


def plain(typed: str) -> str:
    """Digits, Latin letters and punctuation typed full-width, as a Chinese keyboard often
    types them ("２０２６－１１－２６", "１９：００", "Ａ"), as their plain forms. Only for the
    numbers, dates, times and codes of a command: free text keeps what was typed."""
    return unicodedata.normalize("NFKC", typed)


# Row numbers are PostgreSQL `integer`s; Telegram's user and chat ids are 64-bit. A number
# beyond these would fail in the database instead of naming nothing.
MAX_ROW_NUMBER = 2**31 - 1
MAX_TELEGRAM_ID = 2**63 - 1
NO_ROW = 0  # names no row: looked up, it is simply not there


def row_number(word: str) -> int | None:
    """The number of a wish, entry, series… typed in a command ("12", "#12", "１２"): None when
    it is not a number; ``NO_ROW`` when it is too large to be any row's."""
    digits = plain(word).strip().lstrip("#")
    if not (digits.isascii() and digits.isdecimal()):
        return None
    number = int(digits)
    return number if 1 <= number <= MAX_ROW_NUMBER else NO_ROW


def telegram_id(word: str) -> int | None:
    """A Telegram user id typed in a command, or None when it cannot be one."""
    digits = plain(word).strip()
    if not (digits.isascii() and digits.isdecimal()):
        return None
    number = int(digits)
    return number if 1 <= number <= MAX_TELEGRAM_ID else None
