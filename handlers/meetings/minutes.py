"""The host's minutes (/minutes) and the action items' Done button."""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import meeting_notices, paging
from bot.callbacks import ActionCb, ListKind, ListPageCb
from bot.clock import Clock
from bot.messenger import Messenger
from handlers.admin import find_person, not_met
from handlers.meetings.common import hosted_for_button, series_hosted
from storage import meetings, minutes
from storage.db import Database
from storage.models import Meeting, MeetingSeries, Place
from storage.people import Actor
from storage.words import plain
from usecases import meetings as usecase


def _minutes_usage() -> str:
    return escape(_("Usage: /minutes <number> [present|absent @username|id | note <text> | "
                    "decide <text> | action @username|id <YYYY-MM-DD> <text> | send]"))


async def minutes_command(message: Message, command: CommandObject, db: Database,
                          actor: Actor, clock: Clock, messenger: Messenger) -> None:
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
    # The draft is shown again after each change, except when the change said enough.
    if len(words) > 1 and not await _write_minutes(message, words[1], meeting, series, place,
                                                   db, actor, clock, messenger):
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
                      series: MeetingSeries, place: Place) -> paging.Listing:
    """The draft of the minutes, with how to write them."""
    fresh = await meetings.get(db, meeting.id or 0)  # with what was just written
    present, away, actions = await usecase.minutes_parts(messenger, meeting, series)
    heading, *parts = meeting_notices.minutes_parts(fresh[0] if fresh else meeting, series,
                                                    place, present, away, actions)
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
