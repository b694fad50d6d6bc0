"""What people type into the round and proposal forms, and the rules of a round's dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from storage.ventures import (
    Result,
    RoundDraft,
    amount_fen,
    budget_line,
    check_round,
    due_at,
)


@pytest.mark.parametrize(("typed", "fen"), [
    ("50000", 5_000_000), ("5万", 5_000_000), ("5万元", 5_000_000), ("¥50,000", 5_000_000),
    ("１２００.５元", 120_050), ("0.5万", 500_000), (" 800 块 ", 80_000),
    ("很多", None), ("0", None), ("场地 800", None), ("-5", None), ("1.234", None),
])
def test_amounts_are_read_in_fen(typed: str, fen: int | None) -> None:
    assert amount_fen(typed) == fen


@pytest.mark.parametrize(("typed", "line"), [
    ("场地租金 800", ("场地租金", 80_000)), ("材料费 1,200元", ("材料费", 120_000)),
    ("场地800元", ("场地", 80_000)), ("printing: 50.5", ("printing", 5_050)),
    ("交通费", None), ("800", None), ("x" * 61 + " 5", None),
])
def test_budget_lines_are_an_item_and_its_amount(typed: str,
                                                 line: tuple[str, int] | None) -> None:
    assert budget_line(typed) == line


def test_proposals_are_taken_to_the_end_of_the_last_day_in_the_streets_time() -> None:
    assert due_at(date(2026, 12, 10), "Asia/Shanghai") == datetime(2026, 12, 10, 16, tzinfo=UTC)


def _draft(**change: object) -> RoundDraft:
    values: dict[str, object] = {
        "street_id": 1, "theme": "关爱独居老人", "wish_ids": [1], "budget_fen": 5_000_000,
        "cap_fen": 1_000_000, "due_on": date(2026, 12, 10), "selection_on": date(2026, 12, 15)}
    return RoundDraft(**{**values, **change})  # type: ignore[arg-type]


@pytest.mark.parametrize(("change", "result"), [
    ({}, Result.OK), ({"theme": " "}, Result.EMPTY), ({"wish_ids": []}, Result.NO_NEEDS),
    ({"wish_ids": list(range(1, 22))}, Result.TOO_LONG),
    ({"cap_fen": 6_000_000}, Result.CAP_OVER_BUDGET),
    ({"due_on": date(2026, 11, 25)}, Result.PAST),
    ({"selection_on": date(2026, 12, 10)}, Result.ORDER),
])
def test_a_round_needs_a_theme_needs_a_cap_within_budget_and_dates_in_order(
        change: dict[str, object], result: Result) -> None:
    assert check_round(_draft(**change), date(2026, 11, 25)) is result
