"""A series: set up with /meeting_new, listed with /meetings, changed with /meeting."""

from __future__ import annotations

import re
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import labels, paging, words_zh
from bot.callbacks import ListKind, ListPageCb
from bot.clock import Clock
from bot.filters import in_group
from bot.formatting import when
from bot.i18n import current_locale
from bot.messenger import Messenger
from handlers.admin import find_person, not_bound, not_met
from handlers.meetings.common import not_the_host, refusal
from storage import meetings
from storage.calendar import local_day
from storage.db import Database
from storage.meetings import Result, Rule
from storage.models import Meeting, MeetingRule, MeetingSeries, MeetingState, Place
from storage.people import Actor
from storage.words import row_number
from usecases import meetings as usecase
from usecases.authority import Act, may

SHOWN = 3  # next occurrences /meetings lists per series


def _usage() -> str:
    return escape(_(
        "Usage: /meeting_new weekly <weekday 1–7> <HH:MM> <minutes> <title>, or /meeting_new "
        "monthly <1–4|last> <weekday 1–7> <HH:MM> <minutes> <title>. Example: /meeting_new "
        "weekly Fri 19:00 90 Joint meeting. /meeting_new alone opens a form with buttons."))


MIN_MINUTES, MAX_MINUTES = 15, 480


def _parse_rule(words: list[str]) -> tuple[Rule, int, str] | None:
    """The rule, the duration and the title from the command's words, in English or Chinese:
    "weekly 5 19:00 90 …", "每周 周五 晚上7点 一个半小时 …", "每月 最后一个 周五 19:00 90 …"."""
    kind = words_zh.keyword(words[0], words_zh.MEETING_RULES) if words else None
    if kind == "weekly" and len(words) >= 5:
        nth, rest = None, words[1:]
    elif kind == "monthly" and len(words) >= 6:
        nth, rest = words_zh.nth_in_month(words[1]), words[2:]
    else:
        return None
    weekday, at, minutes = (words_zh.weekday(rest[0]), words_zh.clock(rest[1]),
                            words_zh.length_minutes(rest[2]))
    if (kind == "monthly" and nth is None) or weekday is None or at is None \
            or minutes is None or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        return None
    return Rule(MeetingRule(kind), weekday, at, nth), minutes, " ".join(rest[3:])


async def new_series(message: Message, command: CommandObject, db: Database, actor: Actor,
                     place: Place | None, clock: Clock, messenger: Messenger) -> None:
    if place is None:
        await message.reply(not_bound())
        return
    if not await may(db, actor, Act.HOST_MEETINGS, place.id):  # before explaining the usage
        await message.reply(not_a_host())
        return
    parsed = _parse_rule((command.args or "").split())
    if parsed is None:
        await message.reply(_usage())
        return
    rule, minutes, title = parsed
    await set_up(message, rule, minutes, title, db, actor, place, clock, messenger)


def not_a_host() -> str:
    return _("Only a cadre or an admin of this place can set up meetings.")


async def set_up(message: Message, rule: Rule, minutes: int, title: str, db: Database,
                 actor: Actor, place: Place, clock: Clock, messenger: Messenger) -> bool:
    """Set up the series and say so (by command or by the form); False when refused."""
    outcome = await usecase.set_up(messenger, actor, place, title=title, rule=rule,
                                   minutes=minutes, now=clock.now())
    if outcome.result is Result.NOT_ALLOWED:
        await message.reply(not_a_host())
        return False
    if not outcome.ok or outcome.series is None:
        await message.reply(_usage() if outcome.result is Result.EMPTY else too_long_title())
        return False
    await message.reply("\n".join([
        _("Meeting series #{number} is set up. You host it; cadres, social workers and "
          "volunteers' representatives of this place are its members.").format(
            number=outcome.series.id),
        await _describe(db, outcome.series, place, clock),
        escape(_("/meeting {number} where <place or link> sets where it is held.").format(
            number=outcome.series.id)),
    ]))
    return True


def too_long_title() -> str:
    return _("The title is too long: please keep it under {limit} characters.").format(
        limit=meetings.MAX_TITLE)


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
    await paging.send(message, await _series_here(db, place, clock), ListKind.MEETINGS)


async def series_page(query: CallbackQuery, callback_data: ListPageCb, db: Database,
                      place: Place | None, clock: Clock) -> None:
    if place is None:
        await query.answer(not_bound(), show_alert=True)
        return
    await paging.turn(query, callback_data, await _series_here(db, place, clock))


async def _series_here(db: Database, place: Place, clock: Clock) -> paging.Listing:
    found = await meetings.series_of(db, [place.id or 0])
    if not found:
        return paging.Listing(escape(_("No meetings are set up here. A cadre can start a "
                                       "series with /meeting_new.")))
    descriptions = [await _describe(db, s, place, clock) for s in found]
    return paging.Listing("", descriptions, separator="\n\n")


def _change_usage() -> str:
    return escape(_("Usage: /meeting <number> where <place or link> | add|remove @username|id "
                    "| roles <role,role…> | topics <days before> | cutoff <hours before> | "
                    "notice <hours before> | reminder <hours before> | pause | resume | end | "
                    "skip <YYYY-MM-DD> | move <YYYY-MM-DD> <YYYY-MM-DD> <HH:MM>"))


async def change(message: Message, command: CommandObject, db: Database, actor: Actor,
                 place: Place | None, clock: Clock, messenger: Messenger) -> None:
    words = (command.args or "").split(maxsplit=2)
    series_id = row_number(words[0]) if words else None
    series = await meetings.get_series(db, series_id) if series_id is not None else None
    if len(words) < 2 or series is None or place is None or series.place_id != place.id:
        await message.reply(_change_usage() if series is None or place is None else _(
            "Meeting series #{number} belongs to another place.").format(number=series.id))
        return
    if not (await usecase.run(messenger, actor, series.id or 0)).ok:
        await message.reply(not_the_host())
        return
    action = words_zh.keyword(words[1], words_zh.SERIES_CHANGES) or ""
    rest = words[2] if len(words) > 2 else ""
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
        await message.reply(refusal(outcome))
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
        value = words_zh.count(rest, "days" if column == "topic_days" else "hours")
        return {column: value} if value is not None and 1 <= value <= most else None
    match action:
        case "where" if rest.strip():
            return {"location": rest.strip()}
        case "roles":
            roles = [words_zh.role(w) for w in re.split(r"[,，、\s]+", rest) if w]
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
    """skip <day>, or move <day> <new day> <time>: days as 2026-12-04, 12月4日, 下周五."""
    words = rest.split()
    today = local_day(clock.now(), place.timezone)
    day = words_zh.day(words[0], today) if words else None
    to_day = words_zh.day(words[1], today) if action == "move" and len(words) == 3 else None
    at = words_zh.clock(words[2]) if to_day is not None else None
    to = datetime.combine(to_day, at, ZoneInfo(place.timezone)) if to_day and at else None
    if day is None or (action == "move" and to is None):
        await message.reply(_change_usage())
        return
    outcome = await usecase.reschedule(messenger, actor, series.id or 0, place, day, to=to,
                                       now=clock.now())
    if not outcome.ok or outcome.meeting is None:
        await message.reply(refusal(outcome))
        return
    await message.reply(_("Done; every member is told."))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(new_series, Command("meeting_new"), in_group)
    router.message.register(list_series, Command("meetings"), in_group)
    router.callback_query.register(series_page, ListPageCb.filter(F.kind == ListKind.MEETINGS))
    router.message.register(change, Command("meeting"), in_group)
    return router
