"""Joint meetings (三工联席会议): setting up a series, changing it, skipping or moving one
meeting. Each asks authority at the series' place inside its transaction; members hear of a
skipped or moved meeting in the same transaction.

The minutes are written here too: attendance (present, excused, absent), notes, decisions
and action items, each after the host check of ``run``."""

from __future__ import annotations

from datetime import date, datetime

from bot import meeting_notices
from bot.messenger import Messenger
from storage import meetings, minutes, outbox
from storage.meetings import Outcome, Result, Rule
from storage.models import ActionItem, Lane, Meeting, MeetingSeries, Person, Place, RsvpAnswer
from storage.people import Actor
from usecases.authority import Act, may_in


async def set_up(messenger: Messenger, actor: Actor, place: Place, *, title: str, rule: Rule,
                 minutes: int, now: datetime) -> Outcome:
    """A new series at the place, hosted by the actor (a cadre or an admin there)."""
    async with messenger.db.transaction() as session:
        if not await may_in(session, actor, Act.HOST_MEETINGS, place.id or 0):
            return Outcome(Result.NOT_ALLOWED)
        return await meetings.create_series(session, place=place, title=title, rule=rule,
                                            duration_minutes=minutes, host_id=actor.id,
                                            now=now)


async def run(messenger: Messenger, actor: Actor, series_id: int) -> Outcome:
    """The series, when the actor may run it (its host, or an admin of its place)."""
    async with messenger.db.transaction() as session:
        series = await session.get(MeetingSeries, series_id)
        if series is None:
            return Outcome(Result.NOT_FOUND)
        if not await may_in(session, actor, Act.RUN_SERIES, series.place_id,
                            owner_id=series.host_id):
            return Outcome(Result.NOT_ALLOWED, series)
        return Outcome(Result.OK, series)


async def change(messenger: Messenger, actor: Actor, series_id: int, *, now: datetime,
                 **values: object) -> Outcome:
    """Where, members, lead times, pausing, ending: one audited change."""
    async with messenger.db.transaction() as session:
        allowed = await run(messenger, actor, series_id)
        if not allowed.ok:
            return allowed
        return await meetings.change_series(session, series_id, by=actor.id, now=now, **values)


async def reschedule(messenger: Messenger, actor: Actor, series_id: int, place: Place,
                     day: date, *, to: datetime | None, now: datetime) -> Outcome:
    """Skip the meeting of a local day (``to`` None) or move it; every member is told."""
    async with messenger.db.transaction() as session:
        allowed = await run(messenger, actor, series_id)
        if not allowed.ok or allowed.series is None:
            return allowed
        series = allowed.series
        outcome = await meetings.reschedule(session, series_id, day, by=actor.id, now=now,
                                            to=to)
        if outcome.ok and outcome.meeting is not None:
            meeting = outcome.meeting
            await outbox.add(session, [
                await messenger.for_person(session, person_id,
                                           f"audit:{outcome.event_id}:meeting-changed",
                                           meeting_notices.changed(meeting, series, place))
                for person_id in await meetings.members(session, series)])
        return outcome


async def propose(messenger: Messenger, actor: Actor, meeting: Meeting, series: MeetingSeries,
                  place: Place, text: str, *, now: datetime) -> Outcome:
    """Anyone of the place proposes a topic until the cut-off; the host is told with it."""
    async with messenger.db.transaction() as session:
        outcome = await meetings.propose(session, meeting.id or 0, actor.id, text, now=now)
        if outcome.ok:
            await outbox.add(session, [await messenger.for_person(
                session, series.host_id, f"audit:{outcome.event_id}:topic",
                meeting_notices.new_topic(series, actor.person.full_name, text))])
        return outcome


async def arrange(messenger: Messenger, actor: Actor, meeting: Meeting, series: MeetingSeries,
                  place: Place, *, now: datetime, action: str, numbers: list[int],
                  note: str | None = None) -> meetings.AgendaChange:
    """The host orders, declines, merges or confirms the agenda; proposers whose topic it
    changed are told in the same transaction."""
    async with messenger.db.transaction() as session:
        allowed = await run(messenger, actor, series.id or 0)
        if not allowed.ok:
            return meetings.AgendaChange(allowed.result, [])
        change = await meetings.arrange(session, meeting.id or 0, by=actor.id, now=now,
                                        action=action, numbers=numbers, note=note)
        await outbox.add(session, [
            await messenger.for_person(session, changed.proposer_id,
                                       f"audit:{change.event_id}:topic:{changed.id}",
                                       meeting_notices.topic_news(changed, series, meeting,
                                                                  place))
            for changed in change.changed if changed.proposer_id is not None])
        return change


async def minutes_parts(messenger: Messenger, meeting: Meeting, series: MeetingSeries
                        ) -> tuple[meeting_notices.Attendees, list[tuple[ActionItem, str]]]:
    """Who was there, who was excused and why, who was absent; the action items with their
    owners' names."""
    rows = await minutes.attendance(messenger.db, meeting, series)
    async with messenger.db.transaction() as session:
        items = await minutes.actions_of(session, meeting.id or 0)
        names = await meetings.names(session, [r.person_id for r in rows]
                                     + [i.owner_id for i in items])

    def name(person_id: int) -> str:
        return names.get(person_id, f"#{person_id}")

    attendees = meeting_notices.Attendees(
        present=[name(r.person_id) for r in rows if r.present],
        excused=[(name(r.person_id), r.reason or "") for r in rows if r.excused],
        absent=[name(r.person_id) for r in rows if not r.present and not r.excused])
    return attendees, [(i, name(i.owner_id)) for i in items]


async def mark(messenger: Messenger, actor: Actor, meeting: Meeting, series: MeetingSeries,
               person_ids: list[int], *, present: bool, reason: str | None,
               now: datetime) -> minutes.Result:
    """The host records people present, absent, or excused with a reason, in the minutes."""
    async with messenger.db.transaction() as session:
        if not (await run(messenger, actor, series.id or 0)).ok:
            return minutes.Result.NOT_ALLOWED
        result = minutes.Result.OK
        for person_id in person_ids:  # one reason for all: refused for the first, or for none
            result = await minutes.set_presence(session, meeting, series, person_id,
                                                present=present, reason=reason, by=actor.id,
                                                now=now)
            if result is not minutes.Result.OK:
                break
        return result


async def write(messenger: Messenger, actor: Actor, meeting: Meeting, series: MeetingSeries,
                field: str, text: str, *, now: datetime) -> minutes.Result:
    """The host adds a line to the minutes' notes (``minutes``) or decisions."""
    async with messenger.db.transaction() as session:
        if not (await run(messenger, actor, series.id or 0)).ok:
            return minutes.Result.NOT_ALLOWED
        return await minutes.add_text(session, meeting.id or 0, field, text, by=actor.id,
                                      now=now)


async def add_action(messenger: Messenger, actor: Actor, meeting: Meeting,
                     series: MeetingSeries, *, owner_id: int, due_on: date, text: str,
                     today: date, now: datetime) -> minutes.Outcome:
    """The host gives someone an action item; its owner is told with a Done button."""
    async with messenger.db.transaction() as session:
        if not (await run(messenger, actor, series.id or 0)).ok:
            return minutes.Outcome(minutes.Result.NOT_ALLOWED)
        outcome = await minutes.add_action(session, meeting.id or 0, owner_id=owner_id,
                                           due_on=due_on, text=text, today=today, by=actor.id,
                                           now=now)
        if outcome.ok and outcome.item is not None:
            await outbox.add(session, [await messenger.for_person(
                session, owner_id, f"audit:{outcome.event_id}:action",
                meeting_notices.new_action(series, outcome.item))])
        return outcome


async def send_minutes(messenger: Messenger, actor: Actor, meeting: Meeting,
                       series: MeetingSeries, place: Place, *, now: datetime) -> int | None:
    """The minutes go to every member, once, in the transaction that marks them sent: how
    many members, or None when they were sent already or it is not the actor's to do."""
    attendees, actions = await minutes_parts(messenger, meeting, series)
    async with messenger.db.transaction() as session:
        if not (await run(messenger, actor, series.id or 0)).ok:
            return None
        if await minutes.mark_sent(session, meeting.id or 0, by=actor.id,
                                   now=now) is not minutes.Result.OK:
            return None
        everyone = await meetings.members(session, series)
        await outbox.add(session, [await messenger.for_person(
            session, person_id, f"minutes:{meeting.id}", lambda: (
                meeting_notices.minutes_text(meeting, series, place, attendees, actions),
                None), lane=Lane.BULK) for person_id in everyone])
        return len(everyone)


async def action_done(messenger: Messenger, actor: Actor, item_id: int, *,
                      now: datetime) -> minutes.Outcome:
    """The owner (or the host) marks an action item done; the host hears of it."""
    async with messenger.db.transaction() as session:
        host = await minutes.host_of(session, item_id)
        outcome = await minutes.mark_done(session, item_id, person_id=actor.id, host_id=host,
                                          now=now)
        if outcome.ok and outcome.item is not None and host is not None and host != actor.id:
            await outbox.add(session, [await messenger.for_person(
                session, host, f"audit:{outcome.event_id}:action-done",
                meeting_notices.action_done(actor.person.full_name, outcome.item))])
        return outcome


async def attend(messenger: Messenger, actor: Actor, meeting_id: int, *,
                 now: datetime) -> Outcome:
    """A member will attend; answers can change until the start (members only: storage)."""
    async with messenger.db.transaction() as session:
        return await meetings.answer(session, meeting_id, actor.id, RsvpAnswer.ATTEND,
                                     reason=None, now=now)


async def excuse(messenger: Messenger, actor: Actor, meeting_id: int, reason: str, *,
                 now: datetime) -> Outcome:
    """A member cannot attend, with the reason (no reason, no absence); the host has it."""
    async with messenger.db.transaction() as session:
        outcome = await meetings.answer(session, meeting_id, actor.id, RsvpAnswer.ABSENT,
                                        reason=reason, now=now)
        found = await meetings.context(session, meeting_id) if outcome.ok else None
        if found is not None:
            meeting, series, place = found
            await outbox.add(session, [await messenger.for_person(
                session, series.host_id, f"audit:{outcome.event_id}:absence",
                meeting_notices.absence(actor.person.full_name, reason, meeting, series,
                                        place))])
        return outcome


async def substitute(messenger: Messenger, actor: Actor, meeting_id: int, person: Person, *,
                     now: datetime) -> Outcome:
    """Who comes in the actor's place (someone of their role); the host and they are told."""
    async with messenger.db.transaction() as session:
        outcome = await meetings.name_substitute(session, meeting_id, actor.id, person.id,
                                                 now=now)
        found = await meetings.context(session, meeting_id) if outcome.ok else None
        if found is not None:
            meeting, series, place = found
            news = meeting_notices.substitute(person.full_name, actor.person.full_name, meeting,
                                              series, place)
            await outbox.add(session, [
                await messenger.for_person(session, told,
                                           f"audit:{outcome.event_id}:substitute", news)
                for told in dict.fromkeys([series.host_id, person.id])])
        return outcome
