"""Volunteer and service-hour storage on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import date, timedelta
from typing import Any

from sqlmodel import col

from storage import hours, people, volunteers, wishes
from storage.db import Database
from storage.hours import Result
from storage.models import AuditEntry, Place, ServiceLog, ServiceState, VolunteerStatus
from tests.harness import START
from tests.test_storage_wishes import BIG_USER, VOLUNTEER, count, make_grid, open_wish, step

TODAY = date(2026, 11, 25)


def application(grid_id: int, **changes: object) -> volunteers.Application:
    values: dict[str, object] = {
        "real_name": "孙丽", "phone": None, "skills": ["elder_care"], "other_skill": None,
        "grid_ids": [grid_id], "days": [2], "periods": ["afternoon"], **changes}
    return volunteers.Application(**values)  # type: ignore[arg-type]


async def test_a_declined_applicant_may_apply_again_but_a_volunteer_may_not(
        db: Database) -> None:
    grid_id = await make_grid(db)
    await step(db, volunteers.apply, BIG_USER, application(grid_id), now=START)
    assert (await step(db, volunteers.decline, BIG_USER, by=1, reason="名额已满", now=START)).ok
    again = await step(db, volunteers.apply, BIG_USER, application(grid_id, real_name="孙丽丽"),
                                   now=START)
    assert again.ok and again.volunteer.status == VolunteerStatus.APPLIED
    assert again.volunteer.reason is None and again.volunteer.real_name == "孙丽丽"
    assert (await step(db, volunteers.approve, BIG_USER, by=1, now=START)).ok
    refused = await step(db, volunteers.apply, BIG_USER, application(grid_id), now=START)
    assert refused.result is volunteers.Result.ALREADY_SERVING
    assert [v.person_id for v, _grids in await volunteers.of_grids(db, [grid_id])] == [BIG_USER]


async def test_two_decisions_at_once_make_one(db: Database) -> None:
    grid_id = await make_grid(db)
    await step(db, volunteers.apply, BIG_USER, application(grid_id), now=START)
    approved, declined = await asyncio.gather(
        step(db, volunteers.approve, BIG_USER, by=1, now=START),
        step(db, volunteers.decline, BIG_USER, by=2, reason="不合适", now=START))
    assert [approved.ok, declined.ok].count(True) == 1
    assert await count(db, AuditEntry, AuditEntry.entity == "volunteer",
                       col(AuditEntry.action).in_(["approve", "decline"])) == 1

    helper = BIG_USER + 1
    await step(db, volunteers.apply, helper, application(grid_id), now=START)
    assert (await step(db, volunteers.approve, helper, by=1, now=START)).ok
    entry = await step(db, hours.log, helper, grid_id=grid_id, served_on=TODAY, minutes=60,
                            description="陪伴", today=TODAY, now=START)
    confirmed, rejected = await asyncio.gather(
        step(db, hours.decide, entry.entry.id, by=1, confirm=True, now=START),
        step(db, hours.decide, entry.entry.id, by=2, confirm=False, now=START))
    assert [confirmed.ok, rejected.ok].count(True) == 1


async def test_service_logs_are_checked_before_they_are_kept(db: Database) -> None:
    grid_id = await make_grid(db)
    def log(*args: Any, **kwargs: Any) -> Awaitable[hours.Outcome]:
        return step(args[0], hours.log, *args[1:], **kwargs)

    assert (await log(db, BIG_USER, grid_id=grid_id, served_on=TODAY, minutes=60,
                      description="x", today=TODAY, now=START)).result is Result.NOT_A_VOLUNTEER
    await step(db, volunteers.apply, BIG_USER, application(grid_id), now=START)
    await step(db, volunteers.approve, BIG_USER, by=1, now=START)
    cases = [(TODAY + timedelta(days=1), 60, "x", Result.BAD_DAY),
             (TODAY - timedelta(days=61), 60, "x", Result.BAD_DAY),
             (TODAY, 10, "x", Result.BAD_HOURS), (TODAY, 13 * 60, "x", Result.BAD_HOURS),
             (TODAY, 60, "  ", Result.EMPTY), (TODAY, 60, "x" * 201, Result.TOO_LONG)]
    for served_on, minutes, description, expected in cases:
        outcome = await log(db, BIG_USER, grid_id=grid_id, served_on=served_on,
                            minutes=minutes, description=description, today=TODAY, now=START)
        assert outcome.result is expected
    assert (await hours.totals(db, BIG_USER, today=TODAY)).total == (0, 0)


async def test_the_honour_roll_counts_confirmed_hours_of_the_grid_and_month(
        db: Database) -> None:
    grid_id = await make_grid(db)
    for person in (BIG_USER, BIG_USER + 1):
        await step(db, volunteers.apply, person, application(grid_id), now=START)
        await step(db, volunteers.approve, person, by=1, now=START)

    async def logged(person: int, day: date, minutes: int, confirm: bool | None) -> None:
        entry = await step(db, hours.log, person, grid_id=grid_id, served_on=day,
                           minutes=minutes, description="服务", today=TODAY, now=START)
        if confirm is not None:
            await step(db, hours.decide, entry.entry.id, by=1, confirm=confirm, now=START)

    await logged(BIG_USER, date(2026, 11, 1), 60, True)
    await logged(BIG_USER, date(2026, 11, 25), 30, True)
    await logged(BIG_USER, date(2026, 11, 2), 60, None)  # pending: not counted
    await logged(BIG_USER, date(2026, 10, 31), 600, True)  # last month
    await logged(BIG_USER + 1, date(2026, 11, 20), 120, True)
    await logged(BIG_USER + 1, date(2026, 11, 3), 300, False)  # rejected
    for claimer in (BIG_USER, VOLUNTEER):  # VOLUNTEER holds the role but never signed up
        wish = await open_wish(db, grid_id)
        assert (await step(db, wishes.claim, wish.id, volunteer_id=claimer, now=START)).ok
        assert (await step(db, wishes.mark_fulfilled, wish.id, volunteer_id=claimer, now=START)).ok
    await people.remember(db, user_id=VOLUNTEER, full_name="陈志愿", username=None,
                          language_code=None, in_private_chat=True, now=START)
    async with db.transaction() as session:
        grid = await session.get(Place, grid_id)
        standings = await hours.honour_roll(session, grid, first=date(2026, 11, 1),
                                            last=date(2026, 11, 30))
    assert [(s.name, s.minutes, s.wishes) for s in standings] == [
        ("孙丽", 120, 0), ("孙丽", 90, 1), ("陈志愿", 0, 1)]
    assert (await hours.totals(db, BIG_USER, today=TODAY)).wishes == 1
    assert await count(db, ServiceLog, ServiceLog.state == ServiceState.PENDING) == 1
