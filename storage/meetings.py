"""Joint meetings (联席会议): series, their occurrences, and answers (RSVP).

Occurrences are rows, created a step ahead by the sweep from the series' rule in the place's
time zone; every step of an occurrence (notice, reminders) records when it happened, in the
same transaction as the messages it queues, so a restart or a second instance never repeats
or loses one.
"""

from __future__ import annotations

import calendar
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, outbox, places, words
from storage.db import Database, upsert
from storage.models import (
    AuditEntry,
    Lane,
    Meeting,
    MeetingRule,
    MeetingSeries,
    MeetingState,
    MeetingTopic,
    OutboxKind,
    OutboxMessage,
    Person,
    Place,
    Role,
    RoleGrant,
    Rsvp,
    RsvpAnswer,
    TopicState,
    Wish,
)

MAX_TITLE = 100
MAX_REASON = 200
MAX_LOCATION = 300
# The joint meeting of the three workers (三工联席会议): cadres, social workers and the
# volunteers' representatives.
DEFAULT_ROLES = [Role.CADRE, Role.SOCIAL_WORKER, Role.VOLUNTEER_REP]
START_REMINDER = timedelta(minutes=30)  # attendees are reminded this long before the start
LATE_NOTICE = timedelta(hours=1)  # a notice this much past its time says it comes late


class Result(StrEnum):
    OK = "ok"
    NOT_FOUND = "not_found"
    NOT_A_MEMBER = "not_a_member"
    STARTED = "started"
    SKIPPED = "skipped"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    BAD_TIME = "bad_time"
    ENDED = "ended"
    NOT_ALLOWED = "not_allowed"  # answered by the use cases (usecases.meetings)


@dataclass(frozen=True)
class Rule:
    """When a series meets, in its place's local time."""

    kind: MeetingRule
    weekday: int  # 0 = Monday
    at: time
    nth: int | None = None  # monthly: 1-4, or -1 for the last such weekday

    def day_in_month(self, year: int, month: int) -> date:
        days = [week[self.weekday] for week in calendar.monthcalendar(year, month)
                if week[self.weekday]]
        return date(year, month, days[-1] if self.nth == -1 else days[(self.nth or 1) - 1])

    def next_after(self, moment: datetime, timezone: str) -> datetime:
        """The first meeting time strictly after ``moment``, as an aware UTC datetime. The wall
        clock time stays the same across a daylight saving change."""
        zone = ZoneInfo(timezone)
        local = moment.astimezone(zone)
        for candidate in self._days_from(local.date()):
            start = datetime.combine(candidate, self.at, zone)
            if start > local:
                return start.astimezone(ZoneInfo("UTC"))
        raise AssertionError("a rule always meets again")  # pragma: no cover

    def _days_from(self, day: date):
        if self.kind is MeetingRule.WEEKLY:
            first = day + timedelta(days=(self.weekday - day.weekday()) % 7)
            for week in range(3):
                yield first + timedelta(weeks=week)
            return
        year, month = day.year, day.month
        for _ in range(3):
            candidate = self.day_in_month(year, month)
            if candidate >= day:
                yield candidate
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def rule_of(series: MeetingSeries) -> Rule:
    return Rule(MeetingRule(series.rule), series.weekday, time.fromisoformat(series.start_time),
                series.nth)


@dataclass(frozen=True)
class Outcome:
    result: Result
    series: MeetingSeries | None = None
    meeting: Meeting | None = None
    event_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.result is Result.OK


async def create_series(session: AsyncSession, *, place: Place, title: str, rule: Rule,
                        duration_minutes: int, host_id: int, now: datetime) -> Outcome:
    if (checked := Result(words.check(title, MAX_TITLE))) is not Result.OK:
        return Outcome(checked)
    series = MeetingSeries(
        place_id=place.id or 0, title=title.strip(), rule=rule.kind, weekday=rule.weekday,
        nth=rule.nth, start_time=rule.at.strftime("%H:%M"),
        duration_minutes=duration_minutes, host_id=host_id,
        member_roles=[str(r) for r in DEFAULT_ROLES], member_ids=[], created_at=now)
    session.add(series)
    await session.flush()
    event = await audit.record(session, entity="meeting_series", entity_id=series.id or 0,
                               actor_id=host_id, action="create", at=now, detail=title.strip())
    await _ensure_next(session, series, place.timezone, now)
    return Outcome(Result.OK, series, event_id=event)


async def _ensure_next(session: AsyncSession, series: MeetingSeries, timezone: str,
                       now: datetime) -> None:
    """The rule's next meeting after ``now`` has its row (one skipped or moved further ahead
    may exist already). A meeting missed while the bot was down is not created after the
    fact."""
    planned = rule_of(series).next_after(now, timezone)
    await session.exec(upsert(session, Meeting).values(
        series_id=series.id, planned_at=planned, starts_at=planned,
        state=MeetingState.SCHEDULED).on_conflict_do_nothing(
        index_elements=["series_id", "planned_at"]))


async def series_of(db: Database, place_ids: list[int]) -> list[MeetingSeries]:
    async with db.transaction() as session:
        return list((await session.exec(
            select(MeetingSeries).where(col(MeetingSeries.place_id).in_(place_ids),
                                        col(MeetingSeries.ended_at).is_(None))
            .order_by(col(MeetingSeries.id)))).all())


async def upcoming(db: Database, series_id: int, *, now: datetime) -> list[Meeting]:
    async with db.transaction() as session:
        return list((await session.exec(
            select(Meeting).where(Meeting.series_id == series_id,
                                  col(Meeting.starts_at) > now)
            .order_by(col(Meeting.starts_at)))).all())


async def get_series(db: Database, series_id: int) -> MeetingSeries | None:
    async with db.transaction() as session:
        return await session.get(MeetingSeries, series_id)


async def get(db: Database, meeting_id: int) -> tuple[Meeting, MeetingSeries, Place] | None:
    async with db.transaction() as session:
        return await context(session, meeting_id)


async def context(session: AsyncSession,
                   meeting_id: int) -> tuple[Meeting, MeetingSeries, Place] | None:
    meeting = await session.get(Meeting, meeting_id)
    series = await session.get(MeetingSeries, meeting.series_id) if meeting else None
    place = await places.get(session, series.place_id) if series else None
    if meeting is None or series is None or place is None:
        return None
    return meeting, series, place


async def members(session: AsyncSession, series: MeetingSeries) -> list[int]:
    """The host, the people named, and whoever holds a member role at the place or below."""
    places = await _places_under(session, series.place_id)
    held = (await session.exec(select(RoleGrant.person_id).where(
        col(RoleGrant.place_id).in_(places),
        col(RoleGrant.role).in_(series.member_roles)))).all()
    return list(dict.fromkeys([series.host_id, *series.member_ids, *held]))


async def answer(session: AsyncSession, meeting_id: int, person_id: int, answer: RsvpAnswer, *,
                 reason: str | None, now: datetime) -> Outcome:
    """Attend, or cannot attend with a reason; changeable until the meeting starts."""
    if answer is RsvpAnswer.ABSENT and \
            (checked := Result(words.check(reason, MAX_REASON))) is not Result.OK:
        return Outcome(checked)
    found = await context(session, meeting_id)
    if found is None:
        return Outcome(Result.NOT_FOUND)
    meeting, series, _place = found
    if meeting.state == MeetingState.SKIPPED:
        return Outcome(Result.SKIPPED, series, meeting)
    if meeting.starts_at <= now:
        return Outcome(Result.STARTED, series, meeting)
    if person_id not in await members(session, series):
        return Outcome(Result.NOT_A_MEMBER, series, meeting)
    values = {"answer": answer, "reason": (reason or "").strip() or None,
              "answered_at": now}
    await session.exec(upsert(session, Rsvp).values(
        meeting_id=meeting_id, person_id=person_id, **values).on_conflict_do_update(
        index_elements=["meeting_id", "person_id"], set_=values))
    event = await audit.record(session, entity="meeting", entity_id=meeting_id,
                               actor_id=person_id, action=f"rsvp_{answer}", at=now,
                               detail=(reason or "").strip() or None)
    await outbox.add(session, notice_update(meeting, f"audit:{event}", now))
    return Outcome(Result.OK, series, meeting, event_id=event)


def notice_update(meeting: Meeting, key: str, now: datetime) -> list[OutboxMessage]:
    """Brings the posted notice up to date: its counts are rendered when it is sent. Before
    the notice is posted there is nothing to update."""
    if meeting.notice_chat_id is None:
        return []
    return [notice_row(meeting, meeting.notice_chat_id, key, now)]


def notice_row(meeting: Meeting, chat_id: int, key: str, now: datetime) -> OutboxMessage:
    return OutboxMessage(key=f"notice:{meeting.id}:{key}", kind=OutboxKind.MEETING_NOTICE,
                         lane=Lane.PERSON if chat_id > 0 else Lane.GROUP, chat_id=chat_id,
                         meeting_id=meeting.id, not_before=now, created_at=now)


async def name_substitute(session: AsyncSession, meeting_id: int, person_id: int,
                          substitute_id: int, *, now: datetime) -> Outcome:
    """Someone who cannot attend names who comes instead: a person holding one of their roles
    at the place (or below it)."""
    found = await context(session, meeting_id)
    if found is None:
        return Outcome(Result.NOT_FOUND)
    meeting, series, _place = found
    if meeting.starts_at <= now:
        return Outcome(Result.STARTED, series, meeting)
    answered = (await session.exec(select(Rsvp).where(
        Rsvp.meeting_id == meeting_id, Rsvp.person_id == person_id))).first()
    if answered is None or answered.answer != RsvpAnswer.ABSENT:
        return Outcome(Result.NOT_A_MEMBER, series, meeting)
    places = await _places_under(session, series.place_id)
    mine = await _roles_at(session, person_id, places)
    if substitute_id == person_id or not mine & await _roles_at(session, substitute_id,
                                                                places):
        return Outcome(Result.BAD_TIME, series, meeting)
    answered.substitute_id = substitute_id
    event = await audit.record(session, entity="meeting", entity_id=meeting_id,
                               actor_id=person_id, action="substitute", at=now,
                               detail=str(substitute_id))
    await session.flush()
    await outbox.add(session, notice_update(meeting, f"audit:{event}", now))
    return Outcome(Result.OK, series, meeting, event_id=event)


async def _roles_at(session: AsyncSession, person_id: int, places: list[int]) -> set[str]:
    return set((await session.exec(select(RoleGrant.role).where(
        RoleGrant.person_id == person_id, col(RoleGrant.place_id).in_(places)))).all())


@dataclass(frozen=True)
class Counts:
    attend: list[int]
    absent: list[tuple[int, str]]
    silent: list[int]
    substitutes: list[int]


async def counts(session: AsyncSession, meeting: Meeting, series: MeetingSeries) -> Counts:
    answers = {r.person_id: r for r in (await session.exec(select(Rsvp).where(
        Rsvp.meeting_id == meeting.id))).all()}
    everyone = await members(session, series)
    return Counts(
        attend=[p for p, r in answers.items() if r.answer == RsvpAnswer.ATTEND],
        absent=[(p, r.reason or "") for p, r in answers.items() if r.answer == RsvpAnswer.ABSENT],
        silent=[p for p in everyone if p not in answers],
        substitutes=[r.substitute_id for r in answers.values() if r.substitute_id])


async def names(session: AsyncSession, person_ids: list[int]) -> dict[int, str]:
    people = (await session.exec(select(Person).where(col(Person.id).in_(person_ids)))).all()
    return {p.id: p.full_name for p in people}


async def record_notice(db: Database, meeting_id: int, *, chat_id: int, message_id: int) -> None:
    async with db.transaction() as session:
        await session.exec(update(Meeting).where(col(Meeting.id) == meeting_id).values(
            notice_chat_id=chat_id, notice_message_id=message_id))


# --- the sweep ---------------------------------------------------------------------------------

class Step(StrEnum):
    CALL = "call"  # for topics, in the place's chat
    NOTICE = "notice"
    REMINDER = "reminder"  # members who have not answered
    START = "start"  # attendees, shortly before the start


StepNotify = Callable[[AsyncSession, Step, Meeting, MeetingSeries, Place, datetime],
                      Awaitable[list[OutboxMessage]]]
STEP_COLUMN = {Step.CALL: "called_at", Step.NOTICE: "noticed_at", Step.REMINDER: "reminded_at",
               Step.START: "start_reminded_at"}


def due_at(step: Step, meeting: Meeting, series: MeetingSeries) -> datetime:
    lead = {Step.CALL: timedelta(days=series.topic_days),
            Step.NOTICE: timedelta(hours=series.notice_hours),
            Step.REMINDER: timedelta(hours=series.reminder_hours),
            Step.START: START_REMINDER}[step]
    return meeting.starts_at - lead


def late(meeting: Meeting, series: MeetingSeries) -> bool:
    """Whether the notice went out well after its time (not merely because the series, or the
    move, came after it)."""
    if meeting.noticed_at is None:
        return False
    due = max(due_at(Step.NOTICE, meeting, series), series.created_at)
    return meeting.noticed_at - due > LATE_NOTICE


async def sweep(db: Database, *, now: datetime, notify: StepNotify) -> int:
    """Create the next occurrence of every running series, and take each due step of every
    scheduled meeting, each in its own transaction."""
    async with db.transaction() as session:
        running = (await session.exec(
            select(MeetingSeries, Place.timezone)
            .join(Place, col(Place.id) == col(MeetingSeries.place_id))
            .where(col(MeetingSeries.ended_at).is_(None),
                   col(MeetingSeries.paused).is_(False)))).all()
        for series, timezone in running:
            await _ensure_next(session, series, timezone, now)
        soon = (await session.exec(
            select(Meeting, MeetingSeries)
            .join(MeetingSeries, col(MeetingSeries.id) == col(Meeting.series_id))
            .where(Meeting.state == MeetingState.SCHEDULED, col(Meeting.starts_at) > now,
                   col(Meeting.starts_at) <= now + timedelta(days=40))
            .order_by(col(Meeting.starts_at)))).all()
    done = 0
    for meeting, series in soon:
        for step in Step:
            # Only a step that looks due costs a transaction; that one decides for sure.
            if getattr(meeting, STEP_COLUMN[step]) is None and now >= due_at(step, meeting,
                                                                           series):
                done += await _take_step(db, meeting.id or 0, step, now, notify)
    return done


async def _take_step(db: Database, meeting_id: int, step: Step, now: datetime,
                     notify: StepNotify) -> int:
    async with db.transaction() as session:
        found = await context(session, meeting_id)
        if found is None:
            return 0
        meeting, series, place = found
        column = getattr(Meeting, STEP_COLUMN[step])
        if getattr(meeting, STEP_COLUMN[step]) is not None or now < due_at(step, meeting,
                                                                          series):
            return 0
        if series.paused or series.ended_at is not None:
            return 0
        claimed = await session.exec(update(Meeting).where(
            col(Meeting.id) == meeting_id, col(column).is_(None)).values(
            {STEP_COLUMN[step]: now}).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            return 0  # another sweep took it
        if step is Step.CALL:
            await offer_wishes(session, meeting, series)
        await outbox.add(session, await notify(session, step, meeting, series, place, now))
        return 1


# --- the host changes the series --------------------------------------------------------------

async def change_series(session: AsyncSession, series_id: int, *, by: int, now: datetime,
                        **values: object) -> Outcome:
    """Location, pausing, notice time, ending: one audited UPDATE."""
    location = values.get("location")
    if isinstance(location, str) and len(location) > MAX_LOCATION:
        return Outcome(Result.TOO_LONG)
    series = await session.get(MeetingSeries, series_id, with_for_update=True)
    if series is None:
        return Outcome(Result.NOT_FOUND)
    if series.ended_at is not None:
        return Outcome(Result.ENDED, series)
    for name, value in values.items():
        setattr(series, name, value)
    event = await audit.record(session, entity="meeting_series", entity_id=series_id,
                               actor_id=by, action="change", at=now,
                               detail=", ".join(f"{k}={v}" for k, v in values.items()))
    await session.flush()
    return Outcome(Result.OK, series, event_id=event)


async def occurrence(session: AsyncSession, series: MeetingSeries, timezone: str,
                     day: date) -> Meeting | None:
    """The occurrence the rule puts on a local day (created if it is not yet); None when the
    series does not meet that day."""
    zone = ZoneInfo(timezone)
    planned = rule_of(series).next_after(
        datetime.combine(day, time(), zone) - timedelta(microseconds=1), timezone)
    if planned.astimezone(zone).date() != day:
        return None
    await session.exec(upsert(session, Meeting).values(
        series_id=series.id, planned_at=planned, starts_at=planned,
        state=MeetingState.SCHEDULED).on_conflict_do_nothing(
        index_elements=["series_id", "planned_at"]))
    return (await session.exec(select(Meeting).where(
        Meeting.series_id == series.id, Meeting.planned_at == planned))).first()


async def reschedule(session: AsyncSession, series_id: int, day: date, *, by: int, now: datetime,
                     to: datetime | None) -> Outcome:
    """Skip the occurrence of a local day (``to`` None) or move it to ``to``."""
    series = await session.get(MeetingSeries, series_id)
    place = await places.get(session, series.place_id) if series else None
    if series is None or place is None:
        return Outcome(Result.NOT_FOUND)
    if series.ended_at is not None:
        return Outcome(Result.ENDED, series)
    meeting = await occurrence(session, series, place.timezone, day)
    if meeting is None:
        return Outcome(Result.BAD_TIME, series)
    if meeting.starts_at <= now or meeting.state == MeetingState.SKIPPED:
        return Outcome(Result.STARTED if meeting.starts_at <= now else Result.SKIPPED,
                       series, meeting)
    if to is not None and to <= now:
        return Outcome(Result.BAD_TIME, series, meeting)
    if to is None:
        meeting.state = MeetingState.SKIPPED
    else:
        meeting.starts_at = to
        # The notice and reminders follow the new time; the notice is edited in place.
        meeting.reminded_at = meeting.start_reminded_at = None
    event = await audit.record(session, entity="meeting", entity_id=meeting.id or 0,
                               actor_id=by, action="skip" if to is None else "move", at=now,
                               detail=None if to is None else to.isoformat())
    await session.flush()
    await outbox.add(session, notice_update(meeting, f"audit:{event}", now))
    return Outcome(Result.OK, series, meeting, event_id=event)


# --- topics and the agenda --------------------------------------------------------------------

MAX_TOPIC = 200
# What happened to a wish that the grid could not solve: passed up, or rated "not solved".
UNSOLVED_ACTIONS = ("to_community", "to_street", "reopen")


def cutoff(meeting: Meeting, series: MeetingSeries) -> datetime:
    return meeting.starts_at - timedelta(hours=series.cutoff_hours)


async def _places_under(session: AsyncSession, place_id: int) -> list[int]:
    ids, frontier = [place_id], [place_id]
    while frontier:
        frontier = list((await session.exec(select(Place.id).where(
            col(Place.parent_id).in_(frontier)))).all())
        ids += [i for i in frontier if i is not None]
    return ids


async def offer_wishes(session: AsyncSession, meeting: Meeting, series: MeetingSeries) -> int:
    """Wishes of the place that went up to the community or street, or were rated not solved,
    since the series last met, become proposed topics for the host to take or leave."""
    previous = (await session.exec(select(Meeting.starts_at).where(
        Meeting.series_id == series.id, col(Meeting.starts_at) < meeting.starts_at,
        Meeting.state == MeetingState.SCHEDULED).order_by(col(Meeting.starts_at).desc()))).first()
    since = previous or series.created_at - timedelta(days=31)
    grids = await _places_under(session, series.place_id)
    rows = (await session.exec(
        select(Wish.id, Wish.text).join(AuditEntry, col(AuditEntry.entity_id) == col(Wish.id))
        .where(AuditEntry.entity == "wish", col(AuditEntry.action).in_(UNSOLVED_ACTIONS),
               col(AuditEntry.at) >= since, col(Wish.grid_id).in_(grids))
        .distinct().order_by(col(Wish.id)))).all()
    for wish_id, text in rows:
        await session.exec(upsert(session, MeetingTopic).values(
            meeting_id=meeting.id, wish_id=wish_id, text=text[:MAX_TOPIC],
            state=TopicState.PROPOSED, created_at=meeting.called_at or series.created_at)
            .on_conflict_do_nothing(index_elements=["meeting_id", "wish_id"]))
    return len(rows)


async def taking_topics(db: Database, place_id: int, *, now: datetime
                        ) -> tuple[Meeting, MeetingSeries] | None:
    """The place's soonest meeting whose topic cut-off has not passed."""
    async with db.transaction() as session:
        rows = (await session.exec(
            select(Meeting, MeetingSeries)
            .join(MeetingSeries, col(MeetingSeries.id) == col(Meeting.series_id))
            .where(MeetingSeries.place_id == place_id, Meeting.state == MeetingState.SCHEDULED,
                   col(MeetingSeries.ended_at).is_(None), col(Meeting.starts_at) > now)
            .order_by(col(Meeting.starts_at)))).all()
    for meeting, series in rows:
        if cutoff(meeting, series) > now and meeting.agenda_confirmed_at is None:
            return meeting, series
    return None


async def propose(session: AsyncSession, meeting_id: int, person_id: int, text: str, *,
                  now: datetime) -> Outcome:
    if (checked := Result(words.check(text, MAX_TOPIC))) is not Result.OK:
        return Outcome(checked)
    found = await context(session, meeting_id)
    if found is None:
        return Outcome(Result.NOT_FOUND)
    meeting, series, _place = found
    if cutoff(meeting, series) <= now or meeting.agenda_confirmed_at is not None:
        return Outcome(Result.STARTED, series, meeting)
    topic = MeetingTopic(meeting_id=meeting_id, proposer_id=person_id, text=text.strip(),
                         created_at=now)
    session.add(topic)
    await session.flush()
    event = await audit.record(session, entity="meeting", entity_id=meeting_id,
                               actor_id=person_id, action="topic", at=now, detail=text.strip())
    return Outcome(Result.OK, series, meeting, event_id=event)


async def topics(session: AsyncSession, meeting_id: int) -> list[MeetingTopic]:
    """A meeting's topics in the order they came; their number is their place here, from 1."""
    return list((await session.exec(select(MeetingTopic).where(
        MeetingTopic.meeting_id == meeting_id).order_by(col(MeetingTopic.id)))).all())


def agenda(found: list[MeetingTopic]) -> list[MeetingTopic]:
    """The accepted topics, in the host's order."""
    return sorted((t for t in found if t.state == TopicState.ACCEPTED),
                  key=lambda t: (t.position or 0, t.id or 0))


@dataclass(frozen=True)
class AgendaChange:
    result: Result
    changed: list[MeetingTopic]  # the topics whose proposers should hear of it
    event_id: int | None = None


async def arrange(session: AsyncSession, meeting_id: int, *, by: int, now: datetime, action: str,
                  numbers: list[int], note: str | None = None) -> AgendaChange:
    """The host's work on the agenda: ``order`` (these topics, in this order), ``decline``
    one (with a reason), ``merge`` one into another, ``confirm`` the agenda."""
    meeting = await session.get(Meeting, meeting_id, with_for_update=True)
    if meeting is None:
        return AgendaChange(Result.NOT_FOUND, [])
    if meeting.agenda_confirmed_at is not None and action != "confirm":
        return AgendaChange(Result.STARTED, [])
    found = await topics(session, meeting_id)
    if any(not 1 <= n <= len(found) for n in numbers):
        return AgendaChange(Result.BAD_TIME, [])
    chosen = [found[n - 1] for n in numbers]
    changed = _apply(action, found, chosen, note)
    if changed is None:
        return AgendaChange(Result.BAD_TIME, [])
    if action == "confirm":
        meeting.agenda_confirmed_at = now
    event = await audit.record(session, entity="meeting", entity_id=meeting_id, actor_id=by,
                               action=f"agenda_{action}", at=now,
                               detail=" ".join(str(n) for n in numbers) or note)
    await session.flush()
    await outbox.add(session, notice_update(meeting, f"audit:{event}", now))
    return AgendaChange(Result.OK, changed, event)


def _apply(action: str, found: list[MeetingTopic], chosen: list[MeetingTopic],
           note: str | None) -> list[MeetingTopic] | None:
    """Change the topics in memory; the ones whose proposers are to be told, or None when the
    action does not fit."""
    if action == "order" and chosen:
        for topic in found:
            if topic.state == TopicState.ACCEPTED and topic not in chosen:
                topic.state, topic.position = TopicState.PROPOSED, None
        for position, topic in enumerate(chosen, start=1):
            topic.state, topic.position = TopicState.ACCEPTED, position
        return []
    if action == "decline" and len(chosen) == 1 and (note or "").strip():
        chosen[0].state, chosen[0].note, chosen[0].position = TopicState.DECLINED, note, None
        return chosen
    if action == "merge" and len(chosen) == 2 and chosen[0] is not chosen[1]:
        chosen[0].state, chosen[0].position = TopicState.MERGED, None
        chosen[0].note = chosen[1].text
        return chosen[:1]
    if action == "confirm" and not chosen:
        if not agenda(found):
            waiting = [t for t in found if t.state == TopicState.PROPOSED]
            for position, topic in enumerate(waiting, start=1):
                topic.state, topic.position = TopicState.ACCEPTED, position
        return [t for t in found if t.state == TopicState.PROPOSED]
    return None
