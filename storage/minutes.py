"""After a meeting: attendance, minutes, decisions and action items (督办事项) with their
reminders, in the place's time zone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, outbox, places, words
from storage.db import Database
from storage.meetings import MAX_REASON, members, notice_update
from storage.models import (
    ActionItem,
    ActionState,
    Attendance,
    Meeting,
    MeetingSeries,
    MeetingState,
    OutboxMessage,
    Place,
    Rsvp,
    RsvpAnswer,
)

MAX_TEXT = 1000


class Result(StrEnum):
    OK = "ok"
    NOT_FOUND = "not_found"
    NOT_YOURS = "not_yours"
    DONE_ALREADY = "done_already"
    SENT_ALREADY = "sent_already"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    BAD_DAY = "bad_day"
    NOT_ALLOWED = "not_allowed"  # answered by the use cases (usecases.meetings)


@dataclass(frozen=True)
class Outcome:
    result: Result
    item: ActionItem | None = None
    event_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.result is Result.OK


async def last_held(db: Database, series_id: int, *, now: datetime) -> Meeting | None:
    """The series' latest meeting that has begun."""
    async with db.transaction() as session:
        return (await session.exec(
            select(Meeting).where(Meeting.series_id == series_id,
                                  Meeting.state == MeetingState.SCHEDULED,
                                  col(Meeting.starts_at) <= now)
            .order_by(col(Meeting.starts_at).desc()))).first()


@dataclass(frozen=True)
class Presence:
    """Whether someone was at a meeting: present, excused with a reason (请假), or absent
    without one (缺席)."""

    person_id: int
    present: bool
    reason: str | None = None

    @property
    def excused(self) -> bool:
        return not self.present and bool(self.reason)


async def attendance(db: Database, meeting: Meeting, series: MeetingSeries) -> list[Presence]:
    """Who was there; filled in from the answers the first time it is asked for."""
    async with db.transaction() as session:
        return [Presence(r.person_id, r.present, r.reason)
                for r in await _filled(session, meeting, series)]


async def _filled(session: AsyncSession, meeting: Meeting,
                  series: MeetingSeries) -> list[Attendance]:
    """The meeting's attendance, first taken from the answers: who said they would come and
    who came in someone's place are present, and so is the host unless they said they could
    not come; whoever said they could not come is excused with their reason; whoever did not
    answer is absent until the host says otherwise."""
    rows = list((await session.exec(select(Attendance).where(
        Attendance.meeting_id == meeting.id))).all())
    if rows:
        return rows
    answers = {r.person_id: r for r in (await session.exec(select(Rsvp).where(
        Rsvp.meeting_id == meeting.id))).all()}
    instead = [r.substitute_id for r in answers.values() if r.substitute_id]
    everyone = list(dict.fromkeys([*await members(session, series), *instead]))
    for person_id in everyone:
        answer = answers.get(person_id)
        excused = answer is not None and answer.answer == RsvpAnswer.ABSENT
        present = not excused and (person_id in instead or person_id == series.host_id or (
            answer is not None and answer.answer == RsvpAnswer.ATTEND))
        rows.append(Attendance(meeting_id=meeting.id or 0, person_id=person_id,
                               present=present, reason=answer.reason if excused and answer
                               else None))
    session.add_all(rows)
    await session.flush()
    return rows


async def set_presence(session: AsyncSession, meeting: Meeting, series: MeetingSeries,
                       person_id: int, *, present: bool, reason: str | None, by: int,
                       now: datetime) -> Result:
    """The host records someone present, absent, or excused with a reason."""
    if reason is not None and (checked := Result(words.check(reason, MAX_REASON))) \
            is not Result.OK:
        return checked
    rows = await _filled(session, meeting, series)
    row = next((r for r in rows if r.person_id == person_id), None)
    if row is None:
        row = Attendance(meeting_id=meeting.id or 0, person_id=person_id, present=present)
        session.add(row)
    row.present = present
    row.reason = None if present or reason is None else reason.strip()
    action = "present" if present else "excused" if row.reason else "absent"
    await audit.record(session, entity="meeting", entity_id=meeting.id or 0, actor_id=by,
                       action=action, at=now, detail=str(person_id))
    return Result.OK


async def add_text(session: AsyncSession, meeting_id: int, field: str, text: str, *, by: int,
                   now: datetime) -> Result:
    """A line of the minutes or a decision, added to what is written."""
    if not text.strip():
        return Result.EMPTY
    meeting = await session.get(Meeting, meeting_id, with_for_update=True)
    if meeting is None:
        return Result.NOT_FOUND
    written = "\n".join(filter(None, [getattr(meeting, field), text.strip()]))
    if len(written) > MAX_TEXT:
        return Result.TOO_LONG
    setattr(meeting, field, written)
    await audit.record(session, entity="meeting", entity_id=meeting_id, actor_id=by,
                       action=field, at=now, detail=text.strip())
    return Result.OK


async def add_action(session: AsyncSession, meeting_id: int, *, owner_id: int, due_on: date,
                     text: str, today: date, by: int, now: datetime) -> Outcome:
    if (checked := Result(words.check(text, MAX_TEXT))) is not Result.OK:
        return Outcome(checked)
    if due_on < today:
        return Outcome(Result.BAD_DAY)
    item = ActionItem(meeting_id=meeting_id, owner_id=owner_id, text=text.strip(),
                      due_on=due_on, created_at=now)
    session.add(item)
    await session.flush()
    event = await audit.record(session, entity="action", entity_id=item.id or 0, actor_id=by,
                               action="create", at=now, detail=text.strip())
    return Outcome(Result.OK, item, event)


async def actions_of(session: AsyncSession, meeting_id: int) -> list[ActionItem]:
    return list((await session.exec(select(ActionItem).where(
        ActionItem.meeting_id == meeting_id).order_by(col(ActionItem.id)))).all())


async def open_actions(session: AsyncSession, series_id: int,
                       before: datetime) -> list[ActionItem]:
    """Open items from the series' meetings that began before ``before``."""
    return list((await session.exec(
        select(ActionItem).join(Meeting, col(Meeting.id) == col(ActionItem.meeting_id))
        .where(Meeting.series_id == series_id, ActionItem.state == ActionState.OPEN,
               col(Meeting.starts_at) < before)
        .order_by(col(ActionItem.due_on), col(ActionItem.id)))).all())


async def mark_sent(session: AsyncSession, meeting_id: int, *, by: int, now: datetime) -> Result:
    """The minutes go out once."""
    sent = await session.exec(update(Meeting).where(
        col(Meeting.id) == meeting_id, col(Meeting.minutes_sent_at).is_(None)).values(
        minutes_sent_at=now))
    if sent.rowcount != 1:
        return Result.SENT_ALREADY
    await audit.record(session, entity="meeting", entity_id=meeting_id, actor_id=by,
                       action="minutes_sent", at=now)
    return Result.OK


async def host_of(session: AsyncSession, item_id: int) -> int | None:
    item = await session.get(ActionItem, item_id)
    meeting = await session.get(Meeting, item.meeting_id) if item else None
    series = await session.get(MeetingSeries, meeting.series_id) if meeting else None
    return series.host_id if series else None


async def mark_done(session: AsyncSession, item_id: int, *, person_id: int, host_id: int | None,
                    now: datetime) -> Outcome:
    """The owner (or the host) marks an item done; pressing twice does nothing more."""
    item = await session.get(ActionItem, item_id)
    if item is None:
        return Outcome(Result.NOT_FOUND)
    if person_id not in (item.owner_id, host_id):
        return Outcome(Result.NOT_YOURS, item)
    event = await audit.move(session, item, entity="action", expected=[ActionState.OPEN],
                             to=ActionState.DONE, actor_id=person_id, action="done", at=now,
                             values={"done_at": now})
    if event is None:
        return Outcome(Result.DONE_ALREADY, item)
    await outbox.add(session, await _notices_listing(session, item, f"audit:{event}", now))
    return Outcome(Result.OK, item, event)


async def _notices_listing(session: AsyncSession, item: ActionItem, key: str,
                           now: datetime) -> list[OutboxMessage]:
    """Updates of the posted notices that list the item as open: those of the series'
    meetings still to come."""
    held = await session.get(Meeting, item.meeting_id)
    if held is None:
        return []
    coming = (await session.exec(select(Meeting).where(
        Meeting.series_id == held.series_id, col(Meeting.starts_at) > now,
        col(Meeting.notice_chat_id).is_not(None)))).all()
    return [row for meeting in coming for row in notice_update(meeting, key, now)]


class ActionStep(StrEnum):
    REMIND = "remind"  # the day before it is due
    OVERDUE = "overdue"  # the day after it was due


ActionNotify = Callable[[AsyncSession, ActionStep, ActionItem, MeetingSeries, Place],
                        Awaitable[list[OutboxMessage]]]


async def sweep(db: Database, *, now: datetime, notify: ActionNotify) -> int:
    """Reminders before the due day and word when it has passed, each once."""
    async with db.transaction() as session:
        rows = (await session.exec(
            select(ActionItem, Place.timezone)
            .join(Meeting, col(Meeting.id) == col(ActionItem.meeting_id))
            .join(MeetingSeries, col(MeetingSeries.id) == col(Meeting.series_id))
            .join(Place, col(Place.id) == col(MeetingSeries.place_id))
            .where(ActionItem.state == ActionState.OPEN,
                   col(ActionItem.overdue_at).is_(None),
                   col(ActionItem.due_on) <= (now + timedelta(days=2)).date()))).all()
    done = 0
    for item, timezone in rows:
        today = now.astimezone(ZoneInfo(timezone)).date()
        for step in ActionStep:
            if _due(step, item, today):  # only then a transaction, which decides for sure
                done += await _take(db, item.id or 0, step, today, now, notify)
    return done


def _due(step: ActionStep, item: ActionItem, today: date) -> bool:
    if step is ActionStep.REMIND:
        return item.reminded_at is None and item.due_on - timedelta(days=1) <= today <= (
            item.due_on)
    return item.overdue_at is None and today > item.due_on


async def _take(db: Database, item_id: int, step: ActionStep, today: date, now: datetime,
                notify: ActionNotify) -> int:
    column = ActionItem.reminded_at if step is ActionStep.REMIND else ActionItem.overdue_at
    async with db.transaction() as session:
        item = await session.get(ActionItem, item_id)
        if item is None or item.state != ActionState.OPEN or not _due(step, item, today):
            return 0
        taken = await session.exec(update(ActionItem).where(
            col(ActionItem.id) == item_id, col(column).is_(None)).values(
            {column.key: now}).execution_options(synchronize_session=False))
        if taken.rowcount != 1:
            return 0
        meeting = await session.get(Meeting, item.meeting_id)
        series = await session.get(MeetingSeries, meeting.series_id) if meeting else None
        place = await places.get(session, series.place_id) if series else None
        if series is None or place is None:
            return 0
        await outbox.add(session, await notify(session, step, item, series, place))
        return 1
