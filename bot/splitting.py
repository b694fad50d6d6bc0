"""Long texts in parts Telegram accepts: at most 4,096 characters a message, cut where a reader
would pause (a blank line, a line, a sentence, a space) and never inside HTML markup."""

from __future__ import annotations

import re

from bot.paging import size

MAX_TEXT = 4096
# Where a cut reads best, in order of preference; each must leave a part at least this full.
_PAUSES = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"(?<=[。！？；.!?;])\s*"),
           re.compile(r"\s+"))
_FULL_ENOUGH = 0.5
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z0-9-]+)")


def parts(text: str, limit: int = MAX_TEXT) -> list[str]:
    """``text`` as messages of at most ``limit`` units each (the whole text when it fits)."""
    result = []
    rest = text
    while True:
        part, rest = first_part(rest, limit)
        result.append(part)
        if not rest:
            return result


def first_part(text: str, limit: int = MAX_TEXT) -> tuple[str, str]:
    """The first message of ``text`` and what is left after it ("" when it all fits)."""
    if size(text) <= limit:
        return text, ""
    cut = _cut(text, limit)
    return text[:cut].rstrip(), text[cut:].lstrip()


def _cut(text: str, limit: int) -> int:
    """Where to end the first part: the last good pause within ``limit`` units, outside any
    tag, entity or element."""
    end = _fits(text, limit)
    safe = _outside_markup(text[:end])
    for pause in _PAUSES:
        cuts = [m.end() for m in pause.finditer(text, 0, end)
                if m.start() > 0 and m.end() <= end and safe[m.start()]]
        if cuts and cuts[-1] >= end * _FULL_ENOUGH:
            return cuts[-1]
    return max((i for i in range(1, end + 1) if safe[i]), default=end)


def _fits(text: str, limit: int) -> int:
    """How many characters from the start measure at most ``limit`` (see ``size``)."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def _outside_markup(text: str) -> list[bool]:
    """For each position 0..len(text): may a part end there (not inside a tag, an entity
    such as ``&amp;`` or an element such as ``<b>…</b>``)?"""
    safe = [True] * (len(text) + 1)
    depth = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char == "<":
            close = text.find(">", index)
            close = len(text) - 1 if close < 0 else close
            tag = text[index:close + 1]
            if _TAG_NAME.match(tag) and not tag.endswith("/>"):
                depth += -1 if tag.startswith("</") else 1
            for inside in range(index + 1, close + 1):
                safe[inside] = False
            index = close + 1
            safe[index] = depth <= 0
            continue
        if char == "&" and (semicolon := text.find(";", index, index + 10)) > 0:
            for inside in range(index + 1, semicolon + 1):
                safe[inside] = False
            index = semicolon + 1
            safe[index] = depth <= 0
            continue
        index += 1
        safe[index] = depth <= 0
    return safe
