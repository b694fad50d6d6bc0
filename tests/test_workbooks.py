"""The streaming writers: what a spreadsheet shows when it opens the file."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

import openpyxl

from bot.workbooks import Column, Kind, Table, sheet_name, write_csv, write_xlsx

COLUMNS = [Column("编号"), Column("内容", Kind.LONG_TEXT),
           Column("电话（保密）", confidential=True), Column("提交时间", Kind.DATETIME),
           Column("服务日期", Kind.DATE), Column("时长", Kind.NUMBER)]
ROW = ("007", "帮忙买菜, 送到3楼\n谢谢“阿姨”", "01012345678",
       datetime(2026, 11, 30, 16, 30, tzinfo=UTC), date(2026, 12, 1), 1.5)
FORMULA = ("8", "=1+2", "+86 138 0000 0000", None, None, None)


async def _rows(count: int) -> AsyncIterator[Sequence[Any]]:
    for n in range(count):
        yield (f"{n:05d}", f"第{n}条", None, None, None, n)


async def test_a_workbook_keeps_text_dates_and_leading_zeros() -> None:
    tables = [Table("心愿", COLUMNS, [ROW, FORMULA]), Table("多行", COLUMNS, _rows(1_201))]
    path = await write_xlsx(tables, timezone="Asia/Shanghai")
    try:
        book = openpyxl.load_workbook(path, read_only=True)
        assert book.sheetnames == ["心愿", "多行"]
        first = list(book["心愿"].iter_rows(values_only=True))
        assert first[0] == tuple(c.header for c in COLUMNS)
        assert first[1] == ("007", "帮忙买菜, 送到3楼\n谢谢“阿姨”", "01012345678",
                            datetime(2026, 12, 1, 0, 30), datetime(2026, 12, 1), 1.5)
        assert first[2][:3] == ("8", "=1+2", "+86 138 0000 0000")
        many = list(book["多行"].iter_rows(values_only=True))
        assert len(many) == 1 + 1_201
        assert many[-1][:2] == ("01200", "第1200条")
        assert many[-1][5] == 1200
        book.close()
    finally:
        path.unlink()


async def test_a_csv_reads_back_as_written() -> None:
    path = await write_csv(Table("心愿", COLUMNS, [ROW, FORMULA]), timezone="Asia/Shanghai")
    try:
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        assert rows[0] == [c.header for c in COLUMNS]
        assert rows[1] == ["007", "帮忙买菜, 送到3楼\n谢谢“阿姨”", "01012345678",
                           "2026-12-01 00:30", "2026-12-01", "1.5"]
        # A formula typed into a wish stays text in a spreadsheet; a phone number is kept.
        assert rows[2][:3] == ["8", "'=1+2", "+86 138 0000 0000"]
    finally:
        path.unlink()


def test_sheet_names_are_what_excel_accepts() -> None:
    taken: set[str] = set()
    assert sheet_name("会议/出席", taken) == "会议 出席"
    assert sheet_name("会议 出席", taken) == "会议 出席 2"
    assert len(sheet_name("x" * 40, taken)) <= 31
