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
    """Spaces around the words do not count."""
    stripped = (text or "").strip()
    if not stripped:
        return Words.EMPTY
    return Words.TOO_LONG if len(stripped) > limit else Words.OK


def plain(typed: str) -> str:
    """Digits, Latin letters and punctuation typed full-width, as a Chinese keyboard often
    types them ("２０２６－１１－２６", "１９：００", "Ａ"), as their plain forms. Only for the
    numbers, dates, times and codes of a command: free text keeps what was typed."""
    return unicodedata.normalize("NFKC", typed)
