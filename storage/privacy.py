"""Keeping residents' phone, ID and bank-card numbers out of group chats.

Residents spell numbers every which way: split by spaces, dots or dashes, full-width, circled,
in Chinese numerals, with invisible characters inside, or split around a word. Detection therefore
runs on a normalised copy of the text in which every character remembers the index of the typed
character it came from, so that masking replaces exactly what was typed and keeps the rest as is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum, auto
from functools import lru_cache


class Kind(StrEnum):
    MOBILE = auto()
    LANDLINE = auto()
    ID_NUMBER = auto()
    BANK_CARD = auto()
    NUMBER = auto()


@dataclass(frozen=True, slots=True)
class Found:
    """A number in a text: its kind, its plain digits and its span in the original text."""

    kind: Kind
    digits: str
    start: int
    end: int


KEEP = 3  # digits left readable at the start of a masked number
MIN_DIGITS = 7  # shorter runs are floors, rooms, prices, counts and years
MIN_SHAPED_DIGITS = 10  # the shortest known shape, a landline with its area code
MAX_SHAPED_DIGITS = 19  # the longest known shape, a bank card
MAX_JOIN_GAP = 6  # characters of a short word between two parts of one number
MAX_SEPARATORS = 3  # separator characters between two digits of one number
STRONG = frozenset({Kind.MOBILE, Kind.LANDLINE, Kind.ID_NUMBER})
KNOWN = STRONG | {Kind.BANK_CARD}

_DIGITS = frozenset("0123456789")
# As they look after NFKC, which has already turned full-width forms (，－～) into ASCII.
_SEPARATOR_CHARS = " .,/\\_-+()[]·・、。‐‑‒–—―−~〜"
_SEPARATORS = frozenset(_SEPARATOR_CHARS)
# Every Unicode line break: a number is never looked for across lines.
_LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
_BARRIER = "\n"
_ID_CHECK_LETTERS = frozenset("x×")  # × stands in for X on some keyboards
_INVISIBLE = frozenset({"Cf", "Mn", "Me"})  # format characters, combining and keycap marks
_OPENING = {"(": ")", "[": "]"}
_COUNTING_CHARS = "()., "  # what NFKC puts around a digit in ⑴ ⒈ 🄂: only the digit matters

_CHINESE_DIGITS = {
    **dict.fromkeys("〇零○", "0"),
    **dict.fromkeys("一幺壹", "1"),
    **dict.fromkeys("二两兩贰貳", "2"),
    **dict.fromkeys("三叁叄參", "3"),
    **dict.fromkeys("四肆", "4"),
    **dict.fromkeys("五伍", "5"),
    **dict.fromkeys("六陆陸", "6"),
    **dict.fromkeys("七柒", "7"),
    **dict.fromkeys("八捌", "8"),
    **dict.fromkeys("九玖", "9"),
}

_SEP_CLASS = "[" + re.escape(_SEPARATOR_CHARS) + "]"
_RUN = re.compile(rf"[0-9](?:{_SEP_CLASS}{{0,{MAX_SEPARATORS}}}[0-9])*")
_GROUP = re.compile(r"[0-9]+")

_YEAR = r"(?:19|20)[0-9]{2}"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])"
# 2026-12-02, 2026/12/2, 2026.12.02~2026.12.05, 2026.12.2-12.5
_DATE = re.compile(
    rf"(?<![0-9]){_YEAR}([-./]){_MONTH}\1{_DAY}"
    rf"(?: ?[-~〜‐–—−至到] ?(?:{_YEAR}([-./]){_MONTH}\2{_DAY}|{_MONTH}\1{_DAY}|{_DAY}))?"
    r"(?![0-9])")
_TIME = re.compile(r"(?<![0-9])(?:[01]?[0-9]|2[0-4]):[0-5][0-9](?::[0-5][0-9])?(?![0-9])")
# 1,000,000 and 12345.50 are sums of money, not numbers to hide
_AMOUNT = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]{1,2})?|[0-9]+\.[0-9]{1,2}")

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0[1-9][0-9]{8,10}")
_MOBILE_PREFIXES = ("0086", "86")
_ID_18 = re.compile(
    r"[1-8][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9X]")
_ID_15 = re.compile(r"[1-8][0-9]{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}")


@dataclass(frozen=True, slots=True)
class _Shape:
    kind: Kind
    digits: str  # as reported: a stripped +86, an ID's final X


@dataclass(frozen=True, slots=True)
class _Run:
    """Digits joined by separators (or, once joined, by a short word), in normalised positions."""

    groups: tuple[tuple[int, int], ...]  # (start, end) of each unbroken stretch of digits
    digits: str

    @property
    def start(self) -> int:
        return self.groups[0][0]

    @property
    def end(self) -> int:
        return self.groups[-1][1]


@dataclass(frozen=True, slots=True)
class _Piece:
    """A stretch of a run's groups, and what it is (None: too short to hide)."""

    first: int
    last: int  # exclusive
    shape: _Shape | None


# --- normalisation ---------------------------------------------------------------------------

def _read_char(char: str) -> str:
    """One character after NFKC: a digit, a plain space, a line barrier, or itself lower-cased."""
    if char in _CHINESE_DIGITS:
        return _CHINESE_DIGITS[char]
    if char in _LINE_BREAKS:
        return _BARRIER
    if char.isspace():
        return " "
    value = unicodedata.decimal(char, None)
    if value is None:
        value = unicodedata.digit(char, None)  # ❶ ➀: no NFKC form, but a digit value
    return str(value) if value is not None else char.lower()


@lru_cache(maxsize=4096)
def _normalise_char(char: str) -> str:
    """What one typed character stands for when looking for numbers ('' if invisible)."""
    if char.isascii():
        return _read_char(char)
    if unicodedata.category(char) in _INVISIBLE:
        return ""
    out = "".join(_read_char(c) for c in unicodedata.normalize("NFKC", char))
    if len(out) > 1 and not _DIGITS.isdisjoint(out):
        out = "".join(c for c in out if c not in _COUNTING_CHARS)
    return out


def _normalise(text: str) -> tuple[str, list[int]]:
    """The normalised text, and for each of its characters the index it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for normal in _normalise_char(char):
            chars.append(normal)
            origin.append(index)
    return "".join(chars), origin


# --- dates and times -------------------------------------------------------------------------

def _is_digit_at(text: str, index: int) -> bool:
    return 0 <= index < len(text) and text[index] in _DIGITS


def _is_separator_at(text: str, index: int) -> bool:
    return 0 <= index < len(text) and text[index] in _SEPARATORS


def _inside_a_number(text: str, start: int, end: int) -> bool:
    """Digits on both sides (110105 1949-12-31 002X): part of a longer number, not a date."""
    return (_is_separator_at(text, start - 1) and _is_digit_at(text, start - 2)
            and _is_separator_at(text, end) and _is_digit_at(text, end + 1))


def _blank_out(pattern: re.Pattern[str], text: str) -> str:
    """The text with each match of the pattern turned into barriers, unless inside a number.

    A neighbour that is itself a match (2026-12-02 2026-12-05) does not make a number.
    """
    spans = [match.span() for match in pattern.finditer(text)]
    chars = list(text)
    for index, (start, end) in enumerate(spans):
        follows_one = index > 0 and spans[index - 1][1] == start - 1
        precedes_one = index + 1 < len(spans) and spans[index + 1][0] == end + 1
        if _inside_a_number(text, start, end) and not (follows_one or precedes_one):
            continue
        chars[start:end] = _BARRIER * (end - start)
    return "".join(chars)


def _without_dates_and_times(normal: str) -> str:
    """The normalised text with dates and clock times turned into barriers, length unchanged."""
    return _blank_out(_TIME, _blank_out(_DATE, normal))


# --- shapes ----------------------------------------------------------------------------------

def _is_id(number: str) -> bool:
    """A resident ID: a region, a plausible birth date, a sequence (and a check character)."""
    return bool(_ID_18.fullmatch(number) or _ID_15.fullmatch(number))


def _mobile_without_prefix(digits: str) -> str | None:
    for prefix in _MOBILE_PREFIXES:
        rest = digits.removeprefix(prefix)
        if rest != digits and _MOBILE.fullmatch(rest):
            return rest
    return None


def _shape(digits: str, check_letter_follows: bool = False) -> _Shape | None:
    """What a run of digits is, or None if it is too short to be anyone's number."""
    if check_letter_follows and len(digits) == 17 and _is_id(digits + "X"):
        return _Shape(Kind.ID_NUMBER, digits + "X")
    if (mobile := _mobile_without_prefix(digits)) or _MOBILE.fullmatch(digits):
        return _Shape(Kind.MOBILE, mobile or digits)
    if _LANDLINE.fullmatch(digits):
        return _Shape(Kind.LANDLINE, digits)
    if len(digits) in (15, 18) and _is_id(digits):
        return _Shape(Kind.ID_NUMBER, digits)
    if 16 <= len(digits) <= MAX_SHAPED_DIGITS:
        return _Shape(Kind.BANK_CARD, digits)
    if len(digits) >= MIN_DIGITS:
        return _Shape(Kind.NUMBER, digits)
    return None


def _known(shape: _Shape | None) -> bool:
    return shape is not None and shape.kind in KNOWN


# --- runs ------------------------------------------------------------------------------------

def _runs(scan: str) -> list[_Run]:
    runs = []
    for match in _RUN.finditer(scan):
        groups = tuple(g.span() for g in _GROUP.finditer(scan, match.start(), match.end()))
        runs.append(_Run(groups, "".join(scan[s:e] for s, e in groups)))
    return runs


def _check_letter_after(scan: str, end: int) -> int | None:
    """Where an ID's final X stands, directly or after a separator, if it follows `end`."""
    index = end
    while index < len(scan) and index - end < MAX_SEPARATORS and scan[index] in _SEPARATORS:
        index += 1
    return index if index < len(scan) and scan[index] in _ID_CHECK_LETTERS else None


def _holds_a_known_number(scan: str, run: _Run) -> bool:
    return any(_known(piece.shape) for piece in _pieces(scan, run))


def _is_short_word(gap: str) -> bool:
    return 0 < len(gap) <= MAX_JOIN_GAP and all(c.isalpha() or c in _SEPARATORS for c in gap)


def _joined(scan: str, left: _Run, right: _Run) -> _Run | None:
    """One number split around a short word ("138 转 1234 5678"), or None."""
    if len(left.digits) < KEEP or len(right.digits) < KEEP:
        return None
    if len(left.digits) >= MIN_DIGITS and len(right.digits) >= MIN_DIGITS:
        return None  # each is hidden anyway; joined, the word between them would be lost
    if _holds_a_known_number(scan, left) or _holds_a_known_number(scan, right):
        return None  # two numbers side by side, each complete
    if not _is_short_word(scan[left.end:right.start]):
        return None
    run = _Run(left.groups + right.groups, left.digits + right.digits)
    x_follows = _check_letter_after(scan, run.end) is not None
    return run if _known(_shape(run.digits, x_follows)) else None


def _joined_runs(scan: str, runs: list[_Run]) -> list[_Run]:
    result: list[_Run] = []
    index = 0
    while index < len(runs):
        pair = _joined(scan, runs[index], runs[index + 1]) if index + 1 < len(runs) else None
        result.append(pair or runs[index])
        index += 2 if pair else 1
    return result


# --- splitting a run that holds several numbers ----------------------------------------------

def _piece_weight(shape: _Shape | None) -> int:
    if shape is None or shape.kind not in KNOWN:
        return 0
    return len(shape.digits) * (2 if shape.kind in STRONG else 1)


def _best_split(groups: list[str], x_follows: bool) -> list[_Piece]:
    """The run's groups cut into known shapes, covering as many digits as possible.

    Groups that fit no shape become single-group pieces without a shape. Pieces are bounded
    by the longest shape, so this stays linear in the number of groups.
    """
    count = len(groups)
    score = [0] * (count + 1)
    last_piece = [_Piece(0, 0, None)] * (count + 1)  # the best split of groups[:end] ends so
    for end in range(1, count + 1):
        score[end], last_piece[end] = score[end - 1], _Piece(end - 1, end, None)
        digits = ""
        for first in range(end - 1, -1, -1):
            digits = groups[first] + digits
            if len(digits) > MAX_SHAPED_DIGITS:
                break
            if len(digits) < MIN_SHAPED_DIGITS:
                continue
            shape = _shape(digits, x_follows and end == count)
            candidate = score[first] + _piece_weight(shape)
            if _known(shape) and candidate > score[end]:
                score[end], last_piece[end] = candidate, _Piece(first, end, shape)
    pieces: list[_Piece] = []
    end = count
    while end > 0:
        pieces.append(last_piece[end])
        end = last_piece[end].first
    return pieces[::-1]


def _merge_leftovers(pieces: list[_Piece], groups: list[str]) -> list[_Piece]:
    """Neighbouring groups outside any shape are one number if long enough."""
    merged: list[_Piece] = []
    for piece in pieces:
        previous = merged[-1] if merged else None
        if piece.shape is None and previous is not None and not _known(previous.shape):
            merged[-1] = _Piece(previous.first, piece.last, None)
        else:
            merged.append(piece)
    return [piece if piece.shape else
            _Piece(piece.first, piece.last, _shape("".join(groups[piece.first:piece.last])))
            for piece in merged]


def _pieces(scan: str, run: _Run) -> list[_Piece]:
    """The numbers in one run: usually the whole run, sometimes several numbers side by side."""
    x_follows = _check_letter_after(scan, run.end) is not None
    whole = _shape(run.digits, x_follows)
    everything = [_Piece(0, len(run.groups), whole)]
    if whole is None or whole.kind in STRONG:
        return everything
    groups = [scan[s:e] for s, e in run.groups]
    split = _merge_leftovers(_best_split(groups, x_follows), groups)
    if not any(_known(piece.shape) for piece in split):
        if whole.kind is Kind.NUMBER and _AMOUNT.fullmatch(scan, run.start, run.end):
            return []
        return everything
    if whole.kind is Kind.BANK_CARD and not (
            all(piece.shape for piece in split)
            and any(piece.shape and piece.shape.kind in STRONG for piece in split)):
        return everything  # a card number can hide a phone-like stretch; keep it whole
    return split


# --- spans -----------------------------------------------------------------------------------

def _normal_span(scan: str, run: _Run, piece: _Piece) -> tuple[int, int]:
    assert piece.shape is not None
    start = run.groups[piece.first][0]
    end = run.groups[piece.last - 1][1]
    if piece.shape.digits.endswith("X"):
        x_at = _check_letter_after(scan, end)
        end = x_at + 1 if x_at is not None else end
    digits = "".join(scan[s:e] for s, e in run.groups[piece.first:piece.last])
    if len(digits) > len(piece.shape.digits) and start > 0 and scan[start - 1] == "+":
        start -= 1  # the + of a stripped +86
    if start > 0 and _OPENING.get(scan[start - 1], "\0") in scan[start:end]:
        start -= 1  # the ( of "(021) 6234 5678"
    return start, end


def _original_span(text: str, origin: list[int], start: int, end: int) -> tuple[int, int]:
    first, after = origin[start], origin[end - 1] + 1
    while after < len(text) and unicodedata.category(text[after]) in ("Mn", "Me"):
        after += 1  # the keycap marks of 1️⃣
    return first, after


def find_numbers(text: str) -> list[Found]:
    """Phone, ID, bank-card and other long numbers in the text, in order and not overlapping."""
    normal, origin = _normalise(text)
    scan = _without_dates_and_times(normal)
    found: list[Found] = []
    for run in _joined_runs(scan, _runs(scan)):
        for piece in _pieces(scan, run):
            if piece.shape is None:
                continue
            start, end = _original_span(text, origin, *_normal_span(scan, run, piece))
            start = max(start, found[-1].end) if found else start
            found.append(Found(piece.shape.kind, piece.shape.digits, start, end))
    return found


def _masked(digits: str) -> str:
    return digits[:KEEP] + "*" * (len(digits) - KEEP)


def mask_numbers(text: str) -> tuple[str, bool]:
    """The text with every number found masked after its first digits, and whether any was."""
    found = find_numbers(text)
    parts: list[str] = []
    done = 0
    for number in found:
        parts += [text[done:number.start], _masked(number.digits)]
        done = number.end
    parts.append(text[done:])
    return "".join(parts), bool(found)


def first_phone(text: str) -> str | None:
    """The digits of the first mobile or landline number in the text, to keep privately."""
    return next((number.digits for number in find_numbers(text)
                 if number.kind in (Kind.MOBILE, Kind.LANDLINE)), None)


def has_number(text: str) -> bool:
    return bool(find_numbers(text))
