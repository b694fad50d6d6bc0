"""The host's minutes (/minutes) and the action items' Done button."""

from __future__ import annotations

import re
from datetime import datetime
from html import escape

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import formatting, meeting_notices, paging, words_zh
from bot.callbacks import ActionCb, ListKind, ListPageCb
from bot.clock import Clock
from bot.i18n import current_locale
from bot.messenger import Messenger
from handlers.admin import find_person, not_met
from handlers.meetings.common import hosted_for_button, not_the_host, series_hosted
from storage import meetings, minutes
from storage.calendar import local_day
from storage.db import Database
from storage.models import Meeting, MeetingSeries, Person, Place
from storage.people import Actor
from usecases import meetings as usecase


def _minutes_usage() -> str:
    return escape(_("Usage: /minutes <number> [present|absent @user… | excused @user <reason> | "
                    "note <text> | decide <text> | action @user <due day> <text> | send]"))


async def minutes_command(message: Message, command: CommandObject, db: Database,
                          actor: Actor, clock: Clock, messenger: Messenger) -> None:
    """/minutes <number> shows the draft; each change answers with what it changed alone."""
    words = (command.args or "").split(maxsplit=1)
    hosted = await series_hosted(message, words[0] if words else "", db, actor, messenger,
                                 _minutes_usage())
    if hosted is None:
        return
    series, place = hosted
    meeting = await minutes.last_held(db, series.id or 0, now=clock.now())
    if meeting is None:
        await message.reply(_no_meeting_yet())
        return
    if len(words) > 1:
        await _write_minutes(message, words[1], meeting, series, place, db, actor, clock,
                             messenger)
        return
    await paging.send(message, await _minutes_of(db, messenger, meeting, series, place),
                      ListKind.MINUTES, about=series.id or 0)


async def minutes_page(query: CallbackQuery, callback_data: ListPageCb, db: Database,
                       actor: Actor, clock: Clock, messenger: Messenger) -> None:
    """The pages of the draft: for the host or an admin, as /minutes is."""
    hosted = await hosted_for_button(query, callback_data.about, db, actor, messenger)
    if hosted is None:
        return
    series, place = hosted
    meeting = await minutes.last_held(db, series.id or 0, now=clock.now())
    if meeting is None:
        await query.answer(_no_meeting_yet(), show_alert=True)
        return
    await paging.turn(query, callback_data,
                      await _minutes_of(db, messenger, meeting, series, place))


def _no_meeting_yet() -> str:
    return _("No meeting of this series has taken place yet.")


async def _write_minutes(message: Message, request: str, meeting: Meeting,
                         series: MeetingSeries, place: Place, db: Database, actor: Actor,
                         clock: Clock, messenger: Messenger) -> None:
    typed, _space, rest = request.strip().partition(" ")
    action = words_zh.keyword(typed, words_zh.MINUTES)
    now = clock.now()
    said: str | None
    if action in {"present", "absent", "excused"}:
        said = await _mark(message, action, rest, meeting, series, db, actor, clock, messenger)
    elif action in {"note", "decide"}:
        said = await _write(message, action, rest, meeting, series, actor, now, messenger)
    elif action == "action":
        said = await _add_action(message, rest, meeting, series, place, db, actor, clock,
                                 messenger)
    elif action == "send":
        await _send_minutes(message, meeting, series, place, actor, now, messenger)
        return
    else:
        await message.reply(_minutes_usage())
        return
    if said is not None:
        await message.reply("\n".join([said, escape(_(
            "/minutes {number} shows the whole draft; /minutes {number} send sends it to the "
            "members.").format(number=series.id))]))


async def _mark(message: Message, action: str, rest: str, meeting: Meeting,
                series: MeetingSeries, db: Database, actor: Actor, clock: Clock,
                messenger: Messenger) -> str | None:
    """Present or absent: one person or several; excused: one person and the reason."""
    if action == "excused":
        who, _space, reason = rest.strip().partition(" ")
        typed = [who] if who else []
        if not reason.strip() and message.reply_to_message is None:
            await message.reply(_minutes_usage())
            return None
        reason = reason if who.startswith(("@", "＠")) or who.isdecimal() else rest
    else:
        typed, reason = re.split(r"[\s,，、]+", rest.strip()) if rest.strip() else [], ""
    found = await _people(message, typed, db, clock)
    if found is None:
        return None
    result = await usecase.mark(messenger, actor, meeting, series, [p.id for p in found],
                                present=action == "present",
                                reason=reason.strip() if action == "excused" else None,
                                now=clock.now())
    if result is not minutes.Result.OK:
        await message.reply(_refusal(result))
        return None
    names = meeting_notices.names_text([p.full_name for p in found])
    if action == "present":
        return _("Marked present: {names}.").format(names=names)
    if action == "absent":
        return _("Marked absent: {names}.").format(names=names)
    return _("Marked excused: {names} ({reason}).").format(names=names,
                                                         reason=escape(reason.strip()))


async def _people(message: Message, typed: list[str], db: Database,
                  clock: Clock) -> list[Person] | None:
    """The people named (or the author of the message replied to); when one is not known,
    the host is told and None is returned."""
    found: dict[int, Person] = {}
    for who in typed or [None]:
        person, asked = await find_person(message, who, db, clock)
        if person is None:
            await message.reply(not_met(asked) if asked else _minutes_usage())
            return None
        found[person.id] = person
    return list(found.values())


def _refusal(result: minutes.Result) -> str:
    match result:
        case minutes.Result.NOT_ALLOWED:
            return not_the_host()
        case minutes.Result.TOO_LONG:
            return _("Please keep it under {limit} characters.").format(
                limit=minutes.MAX_TEXT)
        case minutes.Result.BAD_DAY:
            return _("The due day has passed already.")
        case _:
            return _minutes_usage()


async def _write(message: Message, action: str, rest: str, meeting: Meeting,
                 series: MeetingSeries, actor: Actor, now: datetime,
                 messenger: Messenger) -> str | None:
    field = "minutes" if action == "note" else "decisions"
    result = await usecase.write(messenger, actor, meeting, series, field, rest, now=now)
    if result is not minutes.Result.OK:
        await message.reply(_refusal(result))
        return None
    return _("Added to the notes.") if action == "note" else _("Added to the decisions.")


async def _add_action(message: Message, rest: str, meeting: Meeting, series: MeetingSeries,
                      place: Place, db: Database, actor: Actor, clock: Clock,
                      messenger: Messenger) -> str | None:
    parts = rest.split(maxsplit=2)
    today = local_day(clock.now(), place.timezone)
    due_on = words_zh.day(parts[1], today) if len(parts) == 3 else None
    person, asked = (await find_person(message, parts[0], db, clock) if len(parts) == 3
                     else (None, None))
    if person is None or due_on is None:
        await message.reply(not_met(asked) if asked and due_on else _minutes_usage())
        return None
    if due_on < today:
        await message.reply(_refusal(minutes.Result.BAD_DAY))
        return None
    outcome = await usecase.add_action(messenger, actor, meeting, series, owner_id=person.id,
                                       due_on=due_on, text=parts[2], today=today,
                                       now=clock.now())
    if not outcome.ok or outcome.item is None:
        await message.reply(_refusal(outcome.result))
        return None
    return _("Action item for {owner}, due {day}: “{text}”. They are told.").format(
        owner=escape(person.full_name), day=formatting.day(due_on, current_locale()),
        text=escape(outcome.item.text))


async def _send_minutes(message: Message, meeting: Meeting, series: MeetingSeries,
                        place: Place, actor: Actor, now: datetime,
                        messenger: Messenger) -> None:
    count = await usecase.send_minutes(messenger, actor, meeting, series, place, now=now)
    await message.reply(_("The minutes of this meeting were sent already.") if count is None
                        else _("The minutes went to {count} members.").format(count=count))


async def _minutes_of(db: Database, messenger: Messenger, meeting: Meeting,
                      series: MeetingSeries, place: Place) -> paging.Listing:
    """The draft of the minutes, with how to write them."""
    fresh = await meetings.get(db, meeting.id or 0)  # with what was just written
    attendees, actions = await usecase.minutes_parts(messenger, meeting, series)
    heading, *parts = meeting_notices.minutes_parts(fresh[0] if fresh else meeting, series,
                                                    place, attendees, actions)
    return paging.Listing(heading, parts, footer="\n" + _minutes_usage())


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


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(minutes_command, Command("minutes"))
    router.callback_query.register(action_done, ActionCb.filter())
    router.callback_query.register(minutes_page, ListPageCb.filter(F.kind == ListKind.MINUTES))
    return router
