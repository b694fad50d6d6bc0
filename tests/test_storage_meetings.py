"""Meeting storage on SQLite and PostgreSQL: rules, answers, and steps taken once."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable
from datetime import UTC, date, datetime, time
from typing import Any

from sqlmodel import select

from storage import meetings, people, places
from storage.db import Database
from storage.meetings import Result, Rule
from storage.models import Meeting, MeetingRule, OutboxMessage, Role, RsvpAnswer
from tests.harness import START
from tests.test_storage_wishes import count, make_grid, step

HOST, MEMBER, STRANGER = 3001, 3002, 3003


def test_monthly_rules_find_the_nth_and_the_last_weekday_across_the_year() -> None:
    first_monday = Rule(MeetingRule.MONTHLY, 0, time(9, 30), nth=1)
    after = datetime(2026, 12, 10, tzinfo=UTC)
    assert first_monday.next_after(after, "Asia/Shanghai") == datetime(2027, 1, 4, 1, 30,
                                                                         tzinfo=UTC)
    last_friday = Rule(MeetingRule.MONTHLY, 4, time(9, 30), nth=-1)
    assert last_friday.day_in_month(2027, 1) == date(2027, 1, 29)
    assert last_friday.day_in_month(2026, 10) == date(2026, 10, 30)


async def series_with_a_member(db: Database) -> meetings.MeetingSeries:
    grid_id = await make_grid(db)
    community = (await places.chain_of(db, grid_id))[1]
    for person in (HOST, MEMBER, STRANGER):
        await people.remember(db, user_id=person, full_name=f"P{person}", username=None,
                              language_code=None, in_private_chat=True, now=START)
    await people.grant(db, person_id=MEMBER, place_id=grid_id, role=Role.SOCIAL_WORKER, by=1,
                       now=START)
    outcome = await step(
        db, meetings.create_series, place=community, title="三工联席会议",
        rule=Rule(MeetingRule.WEEKLY, 4, time(19)), duration_minutes=90, host_id=HOST, now=START)
    assert outcome.ok and outcome.series is not None
    return outcome.series


async def the_meeting(db: Database) -> Meeting:
    async with db.transaction() as session:
        return (await session.exec(select(Meeting))).one()


async def test_absence_needs_a_reason_and_only_members_answer(db: Database) -> None:
    await series_with_a_member(db)
    meeting = await the_meeting(db)

    def answer(db: Database, *args: Any, **kwargs: Any) -> Awaitable[meetings.Outcome]:
        return step(db, meetings.answer, *args, **kwargs)

    assert (await answer(db, meeting.id, MEMBER, RsvpAnswer.ABSENT, reason="  ",
                         now=START)).result is Result.EMPTY
    assert (await answer(db, meeting.id, STRANGER, RsvpAnswer.ATTEND, reason=None,
                         now=START)).result is Result.NOT_A_MEMBER
    assert (await answer(db, meeting.id, MEMBER, RsvpAnswer.ABSENT, reason="出差",
                         now=START)).ok
    assert (await answer(db, meeting.id, MEMBER, RsvpAnswer.ATTEND, reason=None,
                         now=START)).ok  # changed their mind
    assert (await answer(db, meeting.id, MEMBER, RsvpAnswer.ATTEND, reason=None,
                         now=meeting.starts_at)).result is Result.STARTED


async def test_two_sweeps_at_once_take_each_step_once(db: Database) -> None:
    await series_with_a_member(db)
    meeting = await the_meeting(db)

    calls = itertools.count()

    async def queue(_session: object, step: meetings.Step, meeting: Meeting, _series: object,
                    _place: object, now: datetime) -> list[OutboxMessage]:
        # A key of its own per call, so that a step taken twice would show as two rows.
        return [OutboxMessage(key=f"{step}:{meeting.id}:{next(calls)}", chat_id=1,
                              text=str(step), not_before=now, created_at=now)]

    at = meeting.starts_at - meetings.START_REMINDER
    done = await asyncio.gather(meetings.sweep(db, now=at, notify=queue),
                                meetings.sweep(db, now=at, notify=queue))
    assert sum(done) == len(meetings.Step)
    assert await count(db, OutboxMessage) == len(meetings.Step)
