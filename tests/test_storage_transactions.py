"""Transactions: one inside another of the same task joins it."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import col, select

from storage.db import Database
from storage.models import Person, ProcessedUpdate
from tests.harness import START


async def _kept(db: Database) -> list[int]:
    async with db.transaction() as session:
        return list((await session.exec(select(ProcessedUpdate.update_id)
                                        .order_by(col(ProcessedUpdate.update_id)))).all())


def _row(update_id: int) -> ProcessedUpdate:
    return ProcessedUpdate(update_id=update_id, received_at=START)


async def test_an_inner_transaction_commits_with_the_outer(db: Database) -> None:
    async with db.transaction() as outer:
        outer.add(_row(1))
        async with db.transaction() as inner:
            assert inner is outer
            inner.add(_row(2))
    assert await _kept(db) == [1, 2]


async def _store_then_fail(db: Database, update_id: int) -> None:
    async with db.transaction() as session:
        session.add(_row(update_id))
        await session.flush()
        raise RuntimeError("this step failed")


async def test_an_outer_failure_takes_the_inner_work_with_it(db: Database) -> None:
    async def outer_step() -> None:
        async with db.transaction() as outer:
            async with db.transaction() as inner:
                inner.add(_row(1))
            outer.add(_row(2))
            await _store_then_fail(db, 3)

    with pytest.raises(RuntimeError):
        await outer_step()
    assert await _kept(db) == []


async def test_a_failed_statement_never_shows_what_it_carried(db: Database) -> None:
    """Error messages and logs name the statement, not a resident's words or phone."""
    secret = "13812345678 幸福路5号楼"
    async with db.transaction() as session:
        session.add(Person(id=42, full_name=secret, created_at=START))
    with pytest.raises((IntegrityError, DBAPIError)) as failed:
        async with db.transaction() as session:
            session.add(Person(id=42, full_name=secret, created_at=START))
    assert secret not in str(failed.value)
    assert "hidden due to hide_parameters" in str(failed.value)
