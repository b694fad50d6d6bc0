"""Joint meetings: the host sets up a series in the place's chat, members answer the notice.

/meeting_new weekly <weekday 1-7> <HH:MM> <minutes> <title>
/meeting_new monthly <1-4|last> <weekday 1-7> <HH:MM> <minutes> <title>
/meetings — the series here and their next occurrences
/meeting <number> where <text> | notice <hours> | pause | resume | end
/meeting <number> skip <YYYY-MM-DD> | move <YYYY-MM-DD> <YYYY-MM-DD> <HH:MM>
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from html import escape
from zoneinfo import ZoneInfo

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import CallbackQuery, ForceReply, Message
from aiogram.utils.i18n import gettext as _

from bot import keyboards, labels, links, meeting_notices
from bot.callbacks import ActionCb, RsvpCb, SubstituteCb
from bot.clock import Clock
from bot.filters import in_group, in_private, not_a_command, typed
from bot.formatting import when
from bot.i18n import current_locale
from bot.links import Opens, Purpose
from bot.messenger import Messenger
from bot.states import AbsenceReason, SubstituteName, TopicText
from handlers.admin import find_person, not_bound, not_met
from handlers.wish_form import not_text
from storage import meetings, minutes, places
from storage.db import Database
from storage.meetings import Outcome, Result, Rule
from storage.models import (
    Meeting,
    MeetingRule,
    MeetingSeries,
    MeetingState,
    Person,
    Place,
    Role,
    TopicState,
)
from storage.people import Actor
from storage.words import plain
from usecases import meetings as usecase
from usecases.authority import Act, may

HOSTS = (Role.CADRE, Role.ADMIN)
SHOWN = 3  # next occurrences /meetings lists per series
TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _usage() -> str:
    return escape(_(
        "Usage: /meeting_new weekly <weekday 1–7> <HH:MM> <minutes> <title>, or /meeting_new "
        "monthly <1–4|last> <weekday 1–7> <HH:MM> <minutes> <title>. Example: /meeting_new "
        "weekly 3 19:00 90 Joint meeting"))


def _parse_rule(words: list[str]) -> tuple[Rule, int, str] | None:
    """The rule, the duration and the title from the command's words."""
    kind = plain(words[0]).lower() if words else ""
    coded = {"weekly": 4, "monthly": 5}.get(kind, 0)  # the words before the title
    words = [plain(word) for word in words[:coded]] + words[coded:]
    if kind == "weekly" and len(words) >= 5:
        nth, rest = None, words[1:]
    elif kind == "monthly" and len(words) >= 6:
        nth = -1 if words[1].lower() in {"last", "末", "最后", "最後"} else (
            int(words[1]) if words[1] in {"1", "2", "3", "4"} else 0)
        rest = words[2:]
    else:
        return None
    weekday, at, minutes = rest[0], TIME.match(rest[1]), rest[2]
    if nth == 0 or weekday not in {str(d) for d in range(1, 8)} or at is None \
            or not minutes.isdecimal() or not 15 <= int(minutes) <= 480:
        return None
    rule = Rule(MeetingRule(kind), int(weekday) - 1, time(int(at.group(1)), int(at.group(2))),
                nth)
    return rule, int(minutes), " ".join(rest[3:])


async def new_series(message: Message, command: CommandObject, db: Database, actor: Actor,
                     place: Place | None, clock: Clock, messenger: Messenger) -> None:
    if place is None:
        await message.reply(not_bound())
        return
    refused = _("Only a cadre or an admin of this place can set up meetings.")
    if not await may(db, actor, Act.HOST_MEETINGS, place.id):  # before explaining the usage
        await message.reply(refused)
        return
    parsed = _parse_rule((command.args or "").split())
    if parsed is None:
        await message.reply(_usage())
        return
    rule, minutes, title = parsed
    outcome = await usecase.set_up(messenger, actor, place, title=title, rule=rule,
                                   minutes=minutes, now=clock.now())
    if outcome.result is Result.NOT_ALLOWED:
        await message.reply(refused)
        return
    if not outcome.ok or outcome.series is None:
        await message.reply(_usage() if outcome.result is Result.EMPTY else _(
            "The title is too long: please keep it under {limit} characters.").format(
            limit=meetings.MAX_TITLE))
        return
    await message.reply("\n".join([
        _("Meeting series #{number} is set up. You host it; cadres and social workers of "
          "this place are its members.").format(number=outcome.series.id),
        await _describe(db, outcome.series, place, clock),
        escape(_("/meeting {number} where <place or link> sets where it is held.").format(
            number=outcome.series.id)),
    ]))


def _rule_text(series: MeetingSeries) -> str:
    day = labels.weekday(series.weekday)
    if series.rule == MeetingRule.WEEKLY:
        return _("every {weekday} at {time}").format(weekday=day, time=series.start_time)
    if series.nth == -1:
        return _("the last {weekday} of each month at {time}").format(weekday=day,
                                                                      time=series.start_time)
    nth = (_("first"), _("second"), _("third"), _("fourth"))[(series.nth or 1) - 1]
    return _("the {nth} {weekday} of each month at {time}").format(
        nth=nth, weekday=day, time=series.start_time)


async def _describe(db: Database, series: MeetingSeries, place: Place, clock: Clock) -> str:
    """One series: its rule, where, and its next occurrences."""
    lines = [_("<b>#{number} {title}</b>: {rule}, {minutes} minutes").format(
        number=series.id, title=escape(series.title), rule=_rule_text(series),
        minutes=series.duration_minutes)]
    if series.location:
        lines.append(_("Where: {location}").format(location=escape(series.location)))
    if series.paused:
        lines.append(_("Paused: no notices until it is resumed."))
    for meeting in await _next(db, series, place, clock):
        moment = when(meeting.starts_at, place.timezone, current_locale())
        if meeting.state == MeetingState.SKIPPED:
            lines.append(_("• {when}: will not take place").format(when=moment))
        elif meeting.starts_at != meeting.planned_at:
            lines.append(_("• {when} (moved)").format(when=moment))
        else:
            lines.append(f"• {moment}")
    return "\n".join(lines)


async def _next(db: Database, series: MeetingSeries, place: Place,
                clock: Clock) -> list[Meeting]:
    """The next occurrences: the ones already planned, then the rule's."""
    now = clock.now()
    known = await meetings.upcoming(db, series.id or 0, now=now)
    shown = list(known)
    after = max([m.planned_at for m in known], default=now)
    while len(shown) < SHOWN:
        after = meetings.rule_of(series).next_after(after, place.timezone)
        shown.append(Meeting(series_id=series.id or 0, planned_at=after, starts_at=after))
    return sorted(shown, key=lambda m: m.starts_at)[:SHOWN]


async def list_series(message: Message, db: Database, place: Place | None,
                      clock: Clock) -> None:
    if place is None:
        await message.reply(not_bound())
        return
    found = await meetings.series_of(db, [place.id or 0])
    if not found:
        await message.reply(escape(_("No meetings are set up here. A cadre can start a series "
                                     "with /meeting_new.")))
        return
    await message.reply("\n\n".join([await _describe(db, s, place, clock) for s in found]))


# --- the host changes a series ----------------------------------------------------------------

def _change_usage() -> str:
    return escape(_("Usage: /meeting <number> where <place or link> | add|remove @username|id "
                    "| roles <role,role…> | topics <days before> | cutoff <hours before> | "
                    "notice <hours before> | reminder <hours before> | pause | resume | end | "
                    "skip <YYYY-MM-DD> | move <YYYY-MM-DD> <YYYY-MM-DD> <HH:MM>"))


async def change(message: Message, command: CommandObject, db: Database, actor: Actor,
                 place: Place | None, clock: Clock, messenger: Messenger) -> None:
    words = (command.args or "").split(maxsplit=2)
    series = (await meetings.get_series(db, int(words[0].lstrip("#")))
              if words and words[0].lstrip("#").isdecimal() else None)
    if len(words) < 2 or series is None or place is None or series.place_id != place.id:
        await message.reply(_change_usage() if series is None or place is None else _(
            "Meeting series #{number} belongs to another place.").format(number=series.id))
        return
    if not (await usecase.run(messenger, actor, series.id or 0)).ok:
        await message.reply(_not_the_host())
        return
    action, rest = words[1].lower(), words[2] if len(words) > 2 else ""
    if action in {"skip", "move"}:
        await _reschedule(message, series, place, action, rest, db, actor, clock, messenger)
        return
    if action in {"add", "remove"}:
        values = await _members_change(message, action, rest, series, db, clock)
    elif (values := _series_values(action, rest, clock)) is None:
        await message.reply(_change_usage())
    if values is None:
        return
    outcome = await usecase.change(messenger, actor, series.id or 0, now=clock.now(), **values)
    if not outcome.ok or outcome.series is None:
        await message.reply(_refusal(outcome))
        return
    await message.reply("\n".join([_("Done."), await _describe(db, outcome.series, place,
                                                                clock)])
                        if action != "end" else _("Meeting series #{number} has ended.").format(
        number=series.id))


async def _members_change(message: Message, action: str, rest: str, series: MeetingSeries,
                          db: Database, clock: Clock) -> dict[str, object] | None:
    """Name someone a member, or no longer; members by role stay members by their role."""
    person, asked = await find_person(message, rest.strip() or None, db, clock)
    if person is None:
        await message.reply(not_met(asked) if asked else _change_usage())
        return None
    named = [p for p in series.member_ids if p != person.id]
    return {"member_ids": [*named, person.id] if action == "add" else named}


LEAD_TIMES = {  # word: (column, most allowed)
    "topics": ("topic_days", 14),
    "cutoff": ("cutoff_hours", 24 * 14),
    "notice": ("notice_hours", 24 * 14),
    "reminder": ("reminder_hours", 24 * 7),
}


def _series_values(action: str, rest: str, clock: Clock) -> dict[str, object] | None:
    if action in LEAD_TIMES:
        column, most = LEAD_TIMES[action]
        value = rest.strip()
        return {column: int(value)} if value.isdecimal() and 1 <= int(value) <= most else None
    match action:
        case "where" if rest.strip():
            return {"location": rest.strip()}
        case "roles":
            roles = [labels.ROLE_WORDS.get(w.lower()) for w in re.split(r"[,，、\s]+", rest)
                     if w]
            return {"member_roles": list(dict.fromkeys(str(r) for r in roles))} \
                if roles and None not in roles else None
        case "pause":
            return {"paused": True}
        case "resume":
            return {"paused": False}
        case "end":
            return {"ended_at": clock.now()}
    return None


async def _reschedule(message: Message, series: MeetingSeries, place: Place, action: str,
                      rest: str, db: Database, actor: Actor, clock: Clock,
                      messenger: Messenger) -> None:
    words = plain(rest).split()
    try:
        day = date.fromisoformat(words[0]) if words else None
        to = (datetime.combine(date.fromisoformat(words[1]), time.fromisoformat(words[2]),
                               ZoneInfo(place.timezone))
              if action == "move" and len(words) == 3 else None)
    except ValueError:
        day = to = None
    if day is None or (action == "move" and to is None):
        await message.reply(_change_usage())
        return
    outcome = await usecase.reschedule(messenger, actor, series.id or 0, place, day, to=to,
                                       now=clock.now())
    if not outcome.ok or outcome.meeting is None:
        await message.reply(_refusal(outcome))
        return
    await message.reply(_("Done; every member is told."))


def _refusal(outcome: Outcome) -> str:
    match outcome.result:
        case Result.STARTED:
            return _("That meeting has already started.")
        case Result.SKIPPED:
            return _("That meeting will not take place anyway.")
        case Result.BAD_TIME:
            return _("The series does not meet on that day, or the new time has passed.")
        case Result.ENDED:
            return _("This meeting series has ended.")
        case Result.TOO_LONG:
            return _("That is too long: please keep it under {limit} characters.").format(
                limit=meetings.MAX_LOCATION)
        case Result.NOT_A_MEMBER:
            return _("Only members of this meeting can answer.")
        case _:
            return _("This meeting no longer exists.")


# --- topics and the agenda --------------------------------------------------------------------

async def topic(message: Message, command: CommandObject, db: Database, actor: Actor,
                place: Place | None, clock: Clock, messenger: Messenger) -> None:
    if place is None:
        await message.reply(not_bound())
        return
    text = (command.args or "").strip()
    if not text:
        await message.reply(escape(_("Usage: /topic <your topic for the next meeting>")))
        return
    open_meeting = await meetings.taking_topics(db, place.id or 0, now=clock.now())
    if open_meeting is None:
        await message.reply(_("No meeting here is taking topics now."))
        return
    await _propose(message, *open_meeting, place, text, actor, clock, messenger)


async def _propose(message: Message, meeting: Meeting, series: MeetingSeries, place: Place,
                   text: str, actor: Actor, clock: Clock, messenger: Messenger) -> None:
    outcome = await usecase.propose(messenger, actor, meeting, series, place, text,
                                    now=clock.now())
    if not outcome.ok:
        await message.reply(_("Please keep it under {limit} characters.").format(
            limit=meetings.MAX_TOPIC) if outcome.result is Result.TOO_LONG else _(
            "Topics for this meeting are closed.") if outcome.result is Result.STARTED
            else _refusal(outcome))
        return
    await message.reply(_("Thank you: your topic is in for {title} on {when}. The host decides "
                          "the agenda.").format(title=escape(series.title),
                                                when=meeting_notices.starts(meeting, place)))


async def topic_link(message: Message, thing_id: int, db: Database,
                     state: FSMContext) -> None:
    """The call's button opens a private chat that asks for the topic."""
    meeting_id = thing_id
    found = await meetings.get(db, meeting_id)
    if found is None:
        await message.answer(_refusal(Outcome(Result.NOT_FOUND)))
        return
    meeting, series, place = found
    await state.set_state(TopicText.text)
    await state.update_data(meeting_id=meeting_id)
    await message.answer(_("{heading}\nWhat topic would you like to propose? Send it in one "
                           "message (at most {limit} characters).").format(
        heading=meeting_notices.heading(series, meeting, place), limit=meetings.MAX_TOPIC))


async def wrote_topic(message: Message, db: Database, actor: Actor, clock: Clock,
                      messenger: Messenger, state: FSMContext) -> None:
    found = await meetings.get(db, int((await state.get_data()).get("meeting_id", 0)))
    await state.clear()
    if found is None:
        await message.answer(_refusal(Outcome(Result.NOT_FOUND)))
        return
    await _propose(message, *found, message.text or "", actor, clock, messenger)


def _agenda_usage() -> str:
    return escape(_("Usage: /agenda <number> [order <topic numbers in order> | decline <topic> "
                    "<reason> | merge <topic> <into topic> | confirm]"))


async def _hosted(message: Message, number: str, db: Database, actor: Actor,
                  messenger: Messenger, usage: str) -> tuple[MeetingSeries, Place] | None:
    """The series a host-only command names, when the actor hosts it or is an admin there;
    otherwise they are told why and None is returned."""
    ran = (await usecase.run(messenger, actor, int(number.lstrip("#")))
           if number.lstrip("#").isdecimal() else None)
    if ran is None or ran.series is None:
        await message.reply(usage)
        return None
    place = await places.by_id(db, ran.series.place_id)
    if place is None or not ran.ok:
        await message.reply(_not_the_host())
        return None
    return ran.series, place


def _not_the_host() -> str:
    return _("Only the host or an admin can change this meeting series.")


async def agenda(message: Message, command: CommandObject, db: Database, actor: Actor,
                 clock: Clock, messenger: Messenger) -> None:
    words = (command.args or "").split(maxsplit=1)
    hosted = await _hosted(message, words[0] if words else "", db, actor, messenger,
                           _agenda_usage())
    if hosted is None:
        return
    series, place = hosted
    upcoming = [m for m in await meetings.upcoming(db, series.id or 0, now=clock.now())
                if m.state == MeetingState.SCHEDULED]
    if not upcoming:
        await message.reply(_refusal(Outcome(Result.NOT_FOUND)))
        return
    meeting = upcoming[0]
    if len(words) > 1 and not await _arrange(message, words[1], meeting, series, place, db,
                                             actor, clock, messenger):
        return
    await message.reply(await _agenda_text(db, meeting.id or 0))


async def _arrange(message: Message, request: str, meeting: Meeting, series: MeetingSeries,
                   place: Place, db: Database, actor: Actor, clock: Clock,
                   messenger: Messenger) -> bool:
    action, _space, rest = request.partition(" ")
    words = rest.split(maxsplit=1) if action == "decline" else rest.split()
    numbers = [int(w) for w in (words[:1] if action == "decline" else words) if w.isdecimal()]
    note = words[1] if action == "decline" and len(words) > 1 else None
    if action not in {"order", "decline", "merge", "confirm"}:
        await message.reply(_agenda_usage())
        return False
    change = await usecase.arrange(messenger, actor, meeting, series, place, now=clock.now(),
                                   action=action, numbers=numbers, note=note)
    if change.result is Result.NOT_ALLOWED:
        await message.reply(_not_the_host())
        return False
    if change.result is not Result.OK:
        await message.reply(_agenda_usage() if change.result is Result.BAD_TIME
                            else _("The agenda is already confirmed."))
        return False
    return True


async def _agenda_text(db: Database, meeting_id: int) -> str:
    found = await meetings.get(db, meeting_id)
    async with db.transaction() as session:
        listed = await meetings.topics(session, meeting_id)
        names = await meetings.names(session, [t.proposer_id for t in listed if t.proposer_id])
    if found is None:
        return _refusal(Outcome(Result.NOT_FOUND))
    meeting, series, place = found
    lines = [meeting_notices.heading(series, meeting, place)]
    if not listed:
        lines.append(_("No topics yet."))
    states = {TopicState.PROPOSED: _("proposed"), TopicState.ACCEPTED: _("on the agenda"),
              TopicState.DECLINED: _("declined"), TopicState.MERGED: _("merged")}
    for number, listed_topic in enumerate(listed, start=1):
        who = (names.get(listed_topic.proposer_id, "") if listed_topic.proposer_id
               else _("offered from the grids"))
        lines.append(_("{line} — {who} ({state})").format(
            line=meeting_notices.topic_line(number, listed_topic), who=escape(who),
            state=states[TopicState(listed_topic.state)]))
    lines += meeting_notices.agenda_lines(meeting, listed)
    lines += ["", _agenda_usage()]
    return "\n".join(lines)


# --- minutes and action items -----------------------------------------------------------------

def _minutes_usage() -> str:
    return escape(_("Usage: /minutes <number> [present|absent @username|id | note <text> | "
                    "decide <text> | action @username|id <YYYY-MM-DD> <text> | send]"))


async def minutes_command(message: Message, command: CommandObject, db: Database,
                          actor: Actor, clock: Clock, messenger: Messenger) -> None:
    words = (command.args or "").split(maxsplit=1)
    hosted = await _hosted(message, words[0] if words else "", db, actor, messenger,
                           _minutes_usage())
    if hosted is None:
        return
    series, place = hosted
    meeting = await minutes.last_held(db, series.id or 0, now=clock.now())
    if meeting is None:
        await message.reply(_("No meeting of this series has taken place yet."))
        return
    # The draft is shown again after each change, except when the change said enough.
    if len(words) > 1 and not await _write_minutes(message, words[1], meeting, series, place,
                                                   db, actor, clock, messenger):
        return
    await message.reply("\n\n".join([await _minutes_of(db, messenger, meeting, series, place),
                                       _minutes_usage()]))


async def _write_minutes(message: Message, request: str, meeting: Meeting,
                         series: MeetingSeries, place: Place, db: Database, actor: Actor,
                         clock: Clock, messenger: Messenger) -> bool:
    action, _space, rest = request.partition(" ")
    now = clock.now()
    if action in {"present", "absent"}:
        person, asked = await find_person(message, rest.strip() or None, db, clock)
        if person is None:
            await message.reply(not_met(asked) if asked else _minutes_usage())
            return False
        await minutes.set_present(db, meeting.id or 0, person.id, action == "present", by=actor.id,
                                  now=now)
        return True
    if action in {"note", "decide"}:
        result = await minutes.add_text(db, meeting.id or 0,
                                        "minutes" if action == "note" else "decisions", rest,
                                        by=actor.id, now=now)
        if result is not minutes.Result.OK:
            await message.reply(_minutes_usage() if result is minutes.Result.EMPTY else _(
                "Please keep it under {limit} characters.").format(limit=minutes.MAX_TEXT))
        return result is minutes.Result.OK
    if action == "action":
        return await _add_action(message, rest, meeting, series, place, db, actor, clock,
                                 messenger)
    if action == "send":
        return await _send_minutes(message, meeting, series, place, db, actor, now, messenger)
    await message.reply(_minutes_usage())
    return False


async def _add_action(message: Message, rest: str, meeting: Meeting, series: MeetingSeries,
                      place: Place, db: Database, actor: Actor, clock: Clock,
                      messenger: Messenger) -> bool:
    parts = rest.split(maxsplit=2)
    try:
        due_on = date.fromisoformat(plain(parts[1])) if len(parts) == 3 else None
    except ValueError:
        due_on = None
    person, asked = (await find_person(message, parts[0], db, clock) if len(parts) == 3
                     else (None, None))
    if person is None or due_on is None:
        await message.reply(not_met(asked) if asked and due_on else _minutes_usage())
        return False
    today = clock.now().astimezone(ZoneInfo(place.timezone)).date()
    outcome = await usecase.add_action(messenger, actor, meeting, series, owner_id=person.id,
                                       due_on=due_on, text=parts[2], today=today,
                                       now=clock.now())
    if not outcome.ok or outcome.item is None:
        await message.reply(_("The due day has passed already.") if
                            outcome.result is minutes.Result.BAD_DAY else _minutes_usage())
        return False
    return True


async def _send_minutes(message: Message, meeting: Meeting, series: MeetingSeries,
                        place: Place, db: Database, actor: Actor, now: datetime,
                        messenger: Messenger) -> bool:
    count = await usecase.send_minutes(messenger, actor, meeting, series, place, now=now)
    if count is None:
        await message.reply(_("The minutes of this meeting were sent already."))
        return False
    await message.reply(_("The minutes went to {count} members.").format(count=count))
    return False  # said: no need to show the draft again


async def _minutes_of(db: Database, messenger: Messenger, meeting: Meeting,
                      series: MeetingSeries, place: Place) -> str:
    fresh = await meetings.get(db, meeting.id or 0)  # with what was just written
    present, away, actions = await usecase.minutes_parts(messenger, meeting, series)
    return meeting_notices.minutes_text(fresh[0] if fresh else meeting, series, place, present,
                                        away, actions)


async def action_done(query: CallbackQuery, callback_data: ActionCb, actor: Actor,
                      clock: Clock, messenger: Messenger) -> None:
    outcome = await usecase.action_done(messenger, actor, callback_data.item_id,
                                        now=clock.now())
    if not outcome.ok or outcome.item is None:
        await query.answer({
            minutes.Result.NOT_YOURS: _("Only the owner of this action item can mark it done."),
            minutes.Result.DONE_ALREADY: _("This action item is done already."),
        }.get(outcome.result, _("This button is no longer valid.")), show_alert=True)
        return
    await query.answer(_("Marked done. Thank you!"))
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)


# --- members answer -------------------------------------------------------------------------

async def rsvp(query: CallbackQuery, callback_data: RsvpCb, bot: Bot, db: Database,
               actor: Actor, clock: Clock, messenger: Messenger, state: FSMContext) -> None:
    if callback_data.attend:
        outcome = await usecase.attend(messenger, actor, callback_data.meeting_id,
                                       now=clock.now())
        await query.answer(_("Thank you, you are on the list. See you there!") if outcome.ok
                           else _refusal(outcome), show_alert=not outcome.ok)
        return
    async with db.transaction() as session:  # one read: the meeting and who is asked
        found = await meetings.get(db, callback_data.meeting_id)
        is_member = found is not None and actor.id in await meetings.members(session, found[1])
    if found is None:
        await query.answer(_refusal(Outcome(Result.NOT_FOUND)), show_alert=True)
        return
    meeting, series, place = found
    if not is_member or meeting.starts_at <= clock.now():
        await query.answer(_refusal(Outcome(Result.NOT_A_MEMBER if not is_member
                                            else Result.STARTED)), show_alert=True)
        return
    private = FSMContext(storage=state.storage, key=StorageKey(
        bot_id=bot.id, chat_id=actor.id, user_id=actor.id))
    if await _ask_reason(messenger, private, actor.person, meeting, series, place):
        await query.answer(_("I have written to you privately: please tell me why."))
        return
    await query.answer(url=await links.link(bot, Purpose.ABSENT, meeting.id or 0, actor.id))


async def _ask_reason(messenger: Messenger, state: FSMContext, person: Person,
                      meeting: Meeting, series: MeetingSeries, place: Place) -> bool:
    """Ask privately why they cannot attend; False when they never opened a private chat."""
    sent = await messenger.to_person(person, lambda: (
        _("{heading}\nWhy can you not attend? Reply with the reason; the host will see it. "
          "Your answer counts once you have given it.").format(
            heading=meeting_notices.heading(series, meeting, place)),
        ForceReply()))
    if sent is None:
        return False
    await state.set_state(AbsenceReason.reason)
    await state.update_data(meeting_id=meeting.id)
    return True


async def absent_link(message: Message, thing_id: int, db: Database, actor: Actor,
                      messenger: Messenger, state: FSMContext) -> None:
    found = await meetings.get(db, thing_id)
    if found is None:
        await message.answer(_refusal(Outcome(Result.NOT_FOUND)))
        return
    await _ask_reason(messenger, state, actor.person, *found)


async def wrote_reason(message: Message, db: Database, actor: Actor, clock: Clock,
                       messenger: Messenger, state: FSMContext) -> None:
    meeting_id = int(await state.get_value("meeting_id", 0))
    outcome = await usecase.excuse(messenger, actor, meeting_id, message.text or "",
                                   now=clock.now())
    if outcome.result is Result.TOO_LONG:
        await message.answer(_("Please keep it under {limit} characters.").format(
            limit=meetings.MAX_REASON))
        return
    await state.clear()
    if not outcome.ok or outcome.series is None or outcome.meeting is None:
        await message.answer(_refusal(outcome))
        return
    await message.answer(_("Noted: you cannot attend, and the host has your reason. You can "
                           "still change your answer on the notice until the meeting starts. "
                           "If someone of your role comes in your place, name them."),
                         reply_markup=keyboards.name_substitute(meeting_id))


async def substitute_pressed(query: CallbackQuery, callback_data: SubstituteCb,
                             state: FSMContext) -> None:
    await state.set_state(SubstituteName.name)
    await state.update_data(meeting_id=callback_data.meeting_id)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(_("Who comes in your place? Send their @username (someone "
                                     "who holds the same role as you)."))


async def wrote_substitute(message: Message, db: Database, actor: Actor, clock: Clock,
                           messenger: Messenger, state: FSMContext) -> None:
    person, asked = await find_person(message, (message.text or "").strip(), db, clock)
    if person is None:
        await message.answer(not_met(asked or "?"))
        return
    meeting_id = int(await state.get_value("meeting_id", 0))
    outcome = await usecase.substitute(messenger, actor, meeting_id, person, now=clock.now())
    if outcome.result is Result.BAD_TIME:
        await message.answer(_("{name} does not hold your role here; please name someone "
                               "who does.").format(name=escape(person.full_name)))
        return
    await state.clear()
    if not outcome.ok or outcome.series is None or outcome.meeting is None:
        await message.answer(_refusal(outcome))
        return
    await message.answer(_("Thank you: {name} comes in your place; the host and they are "
                           "told.").format(name=escape(person.full_name)))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(new_series, Command("meeting_new"), in_group)
    router.message.register(list_series, Command("meetings"), in_group)
    router.message.register(change, Command("meeting"), in_group)
    router.message.register(topic, Command("topic"), in_group)
    router.message.register(agenda, Command("agenda"))
    router.message.register(minutes_command, Command("minutes"))
    router.callback_query.register(action_done, ActionCb.filter())
    router.callback_query.register(rsvp, RsvpCb.filter())
    router.message.register(absent_link, CommandStart(deep_link=True), Opens(Purpose.ABSENT),
                            in_private)
    router.message.register(topic_link, CommandStart(deep_link=True), Opens(Purpose.TOPIC),
                            in_private)
    router.message.register(wrote_topic, StateFilter(TopicText.text), typed)
    router.message.register(wrote_reason, StateFilter(AbsenceReason.reason), typed)
    router.callback_query.register(substitute_pressed, SubstituteCb.filter())
    router.message.register(wrote_substitute, StateFilter(SubstituteName.name), typed)
    router.message.register(not_text, StateFilter(AbsenceReason.reason, TopicText.text,
                                                  SubstituteName.name),
                            not_a_command)
    return router
