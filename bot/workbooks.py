"""Tables written to a file on disk, a row at a time: an .xlsx workbook or a CSV file.

An export can hold a street's year of wishes, so nothing here keeps the rows: they come from an
iterator (storage reads them in chunks), each chunk is written in a worker thread so that the
event loop goes on serving everyone else, and the workbook is written in XlsxWriter's
constant-memory mode (each row goes to the sheet's temporary file once the next one starts).
Memory does not grow with the number of rows (bench.accountability measures it).

- Dates and times are real dates in the spreadsheet: an aware ``datetime`` is shown in the
  table's time zone, a ``date`` as a day.
- Phone numbers and ids are text: a leading zero stays, and a long number is not rounded.
- A CSV is UTF-8 with a byte order mark (so Excel reads Chinese as Chinese), written by the
  csv module, so commas, quotes and newlines inside a cell come back as they were.
- A column that holds contact details is marked as confidential in its header (the caller
  says so with ``Column.confidential`` and gives the marked header, in the reader's language).
"""

from __future__ import annotations

import asyncio
import csv
import os
import re
import tempfile
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

CHUNK = 500  # rows handed to the worker thread at once
MAX_CELL = 32_767  # characters Excel keeps in one cell
MAX_SHEET_ROWS = 1_048_576
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# A spreadsheet reads a CSV cell that starts with one of these as a formula. A phone number
# ("+86 138…", "-") is left as it is; any other such text gets an apostrophe, as Excel itself
# writes text that would otherwise be taken for a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_LIKE = re.compile(r"^[+\-]?[\d\s\-().]*$")


class Kind(StrEnum):
    """How a column's values are written."""

    TEXT = "text"  # words; phone numbers and ids too, so that leading zeros stay
    LONG_TEXT = "long_text"  # free text people typed: wrapped in a wide column
    NUMBER = "number"
    DATE = "date"  # a ``date``: the day
    DATETIME = "datetime"  # an aware ``datetime``: the local date and time


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT
    confidential: bool = False  # contact details: the header already says so


Rows = Iterable[Sequence[Any]] | AsyncIterable[Sequence[Any]]


@dataclass
class Table:
    """One sheet of a workbook, or one CSV file."""

    name: str
    columns: Sequence[Column]
    rows: Rows


_WIDTHS = {Kind.TEXT: 16, Kind.LONG_TEXT: 48, Kind.NUMBER: 10, Kind.DATE: 12,
           Kind.DATETIME: 17}


async def _chunks(rows: Rows) -> AsyncIterator[list[Sequence[Any]]]:
    chunk: list[Sequence[Any]] = []
    if isinstance(rows, AsyncIterable):
        async for row in rows:
            chunk.append(row)
            if len(chunk) >= CHUNK:
                yield chunk
                chunk = []
    else:
        for row in rows:
            chunk.append(row)
            if len(chunk) >= CHUNK:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """A moment as the clock on the wall showed it, without a zone (spreadsheets have none)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(zone).replace(tzinfo=None)


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else str(value)
    return text[:MAX_CELL]


def sheet_name(name: str, taken: set[str]) -> str:
    """A name Excel accepts for a sheet (31 characters, none of []:*?/\\), unique."""
    base = _SHEET_NAME_FORBIDDEN.sub(" ", name).strip()[:28] or "Sheet"
    candidate, n = base, 2
    while candidate.casefold() in taken:
        candidate, n = f"{base} {n}", n + 1
    taken.add(candidate.casefold())
    return candidate


def new_file(suffix: str, directory: str | None = None) -> Path:
    """An empty temporary file, kept until ``remove``."""
    handle, name = tempfile.mkstemp(suffix=suffix, dir=directory)
    os.close(handle)
    return Path(name)


def remove(path: Path) -> None:
    path.unlink(missing_ok=True)


# --- .xlsx -----------------------------------------------------------------------------------

class _Formats:
    def __init__(self, book: Workbook) -> None:
        self.header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        self.confidential = book.add_format({"bold": True, "bg_color": "#F8CBAD", "border": 1,
                                             "font_color": "#9C0006"})
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.text = book.add_format({"num_format": "@"})
        self.wrapped = book.add_format({"num_format": "@", "text_wrap": True,
                                        "valign": "top"})


def _start_sheet(book: Workbook, formats: _Formats, table: Table, name: str) -> Worksheet:
    sheet = book.add_worksheet(name)
    for index, column in enumerate(table.columns):
        width = max(_WIDTHS[column.kind], min(40, len(column.header) * 2 + 2))
        sheet.set_column(index, index, width)
    for index, column in enumerate(table.columns):
        sheet.write_string(0, index, column.header,
                           formats.confidential if column.confidential else formats.header)
    sheet.freeze_panes(1, 0)
    # Ids and phone numbers are text on purpose: no green triangle on each of them.
    sheet.ignore_errors({"number_stored_as_text": "A1:XFD1048576"})
    return sheet


def _write_cell(sheet: Worksheet, formats: _Formats, row: int, col: int, kind: Kind,
                value: Any, zone: ZoneInfo) -> None:
    if value is None or value == "":
        return
    if kind is Kind.NUMBER and isinstance(value, int | float) and not isinstance(value, bool):
        sheet.write_number(row, col, value)
    elif kind is Kind.DATETIME and isinstance(value, datetime):
        sheet.write_datetime(row, col, local(value, zone), formats.datetime)
    elif kind is Kind.DATE and isinstance(value, date):
        day = value.date() if isinstance(value, datetime) else value
        sheet.write_datetime(row, col, datetime(day.year, day.month, day.day), formats.date)
    elif kind is Kind.LONG_TEXT:
        sheet.write_string(row, col, _text(value), formats.wrapped)
    else:
        sheet.write_string(row, col, _text(value), formats.text)


def _write_rows(sheet: Worksheet, formats: _Formats, table: Table, first: int,
                rows: list[Sequence[Any]], zone: ZoneInfo) -> int:
    kinds = [column.kind for column in table.columns]
    for offset, values in enumerate(rows):
        for col, (kind, value) in enumerate(zip(kinds, values, strict=True)):
            _write_cell(sheet, formats, first + offset, col, kind, value, zone)
    return first + len(rows)


async def write_xlsx(tables: Sequence[Table], *, timezone: str,
                     directory: str | None = None) -> Path:
    """A workbook with one sheet per table, in a temporary file the caller deletes."""
    zone = ZoneInfo(timezone)
    path = new_file(".xlsx", directory)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": directory,
                                           "strings_to_numbers": False,
                                           "strings_to_formulas": False,
                                           "strings_to_urls": False})
    try:
        formats = _Formats(book)
        taken: set[str] = set()
        for table in tables:
            sheet = _start_sheet(book, formats, table, sheet_name(table.name, taken))
            row = 1
            async for chunk in _chunks(table.rows):
                chunk = chunk[:MAX_SHEET_ROWS - row]
                row = await asyncio.to_thread(_write_rows, sheet, formats, table, row, chunk,
                                              zone)
        await asyncio.to_thread(book.close)
    except BaseException:
        remove(path)
        raise
    return path


# --- CSV -------------------------------------------------------------------------------------

def _csv_cell(kind: Kind, value: Any, zone: ZoneInfo) -> str:
    if value is None:
        return ""
    if kind is Kind.DATETIME and isinstance(value, datetime):
        return local(value, zone).strftime("%Y-%m-%d %H:%M")
    if kind is Kind.DATE and isinstance(value, date):
        return value.isoformat()[:10]
    if kind is Kind.NUMBER:
        return str(value)
    text = _text(value)
    if text.startswith(_FORMULA_START) and not _NUMBER_LIKE.match(text):
        return "'" + text
    return text


def _open_csv(path: Path, table: Table) -> IO[str]:
    out = path.open("w", encoding="utf-8-sig", newline="")
    csv.writer(out).writerow([column.header for column in table.columns])
    return out


def _write_csv_rows(out: IO[str], table: Table, rows: list[Sequence[Any]],
                    zone: ZoneInfo) -> None:
    writer = csv.writer(out)
    kinds = [column.kind for column in table.columns]
    writer.writerows([[_csv_cell(kind, value, zone)
                       for kind, value in zip(kinds, values, strict=True)] for values in rows])


async def write_csv(table: Table, *, timezone: str, directory: str | None = None) -> Path:
    """One table as CSV (UTF-8 with a byte order mark) in a temporary file the caller
    deletes."""
    zone = ZoneInfo(timezone)
    path = new_file(".csv", directory)
    try:
        out = await asyncio.to_thread(_open_csv, path, table)
        try:
            async for chunk in _chunks(table.rows):
                await asyncio.to_thread(_write_csv_rows, out, table, chunk, zone)
        finally:
            await asyncio.to_thread(out.close)
    except BaseException:
        remove(path)
        raise
    return path
