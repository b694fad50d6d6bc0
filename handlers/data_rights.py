"""People's data rights: /mydata (what the bot holds about me), /forgetme (erase me, with a
confirmation) and /forget (an admin erases a person on their request)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from html import escape
from typing import Any

from aiogram import Bot, Router
from aiogram.enums import ChatAction
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.types import (
    CallbackQuery,
    FSInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import gettext as _

from bot import labels
from bot.callbacks import PersonId
from bot.clock import Clock
from bot.commands import take_back
from bot.filters import in_group, in_private
from bot.messenger import Messenger
from bot.settings import Settings
from bot.workbooks import Column, Kind, Table, remove, write_xlsx
from handlers.admin import find_person, not_met
from storage import members, menus, people, personal_data
from storage.db import Database
from storage.models import ActionState, MediaKind, ServiceState, TopicState
from storage.people import Actor
from storage.personal_data import Holdings
from usecases import data_rights
from usecases.data_rights import Forgotten, Result


class ForgetCb(CallbackData, prefix="fg"):
    """Yes or no to erasing ``person_id``, asked by ``asker_id`` about the person first seen
    at ``since`` (microseconds): someone who comes back after being erased is someone new,
    whom this button does not erase."""

    go: bool
    person_id: PersonId
    asker_id: PersonId
    since: int


def _confirmation(person_id: int, asker_id: int, since: datetime, *,
                  yes: str, no: str) -> InlineKeyboardMarkup:
    def button(text: str, go: bool) -> InlineKeyboardButton:
        return InlineKeyboardButton(text=text, callback_data=ForgetCb(
            go=go, person_id=person_id, asker_id=asker_id,
            since=data_rights.first_seen(since)).pack())
    return InlineKeyboardMarkup(inline_keyboard=[[button(yes, True)], [button(no, False)]])


async def forget_me(message: Message, actor: Actor) -> None:
    await message.answer(_(
        "<b>Forget me?</b> I will erase your name, username, contact details and everything "
        "you wrote (wishes, questions, comments, descriptions of service) from everything I "
        "keep. Your wishes still waiting are withdrawn and wishes you claimed are given back, "
        "so nobody waits for you. Counts in reports stay, without your name. This cannot be "
        "undone: /mydata sends you first what I hold about you."),
        reply_markup=_confirmation(actor.id, actor.id, actor.person.created_at,
                                   yes=_("Erase my data"), no=_("Keep my data")))


async def forget_me_in_group(message: Message) -> None:
    await message.reply(_("Your data is private: please send me /forgetme or /mydata in a "
                          "private chat."))


def _forget_usage() -> str:
    return _("Usage: /forget @username or id, or reply to the person's message with /forget: "
             "erases what I keep about a person who asked for it.")


async def forget_person(message: Message, command: CommandObject, db: Database, actor: Actor,
                        clock: Clock, messenger: Messenger) -> None:
    words = (command.args or "").split()
    person, asked = await find_person(message, words[0] if words else None, db, clock)
    if person is None:
        await message.reply(_forget_usage() if asked is None else not_met(asked))
        return
    allowed = await data_rights.may_forget(messenger, actor, person.id)
    if allowed is not Result.OK:
        await message.reply(_refusal(allowed))
        return
    name = escape(await people.name_of(db, person.id))

    def confirmation() -> tuple[str, InlineKeyboardMarkup]:
        return _("<b>Erase what I keep about {name}?</b> Do this only when they asked for it. "
                 "Their name, contact details and words go from everything I keep; their "
                 "waiting wishes are withdrawn and their claims given back; counts in reports "
                 "stay. This cannot be undone.").format(name=name), _confirmation(
            person.id, actor.id, person.created_at, yes=_("Erase their data"),
            no=_("Do not erase"))

    if message.chat.type == "private":
        text, markup = confirmation()
        await message.answer(text, reply_markup=markup)
    elif await messenger.to_person(actor.person, confirmation) is not None:
        # Who asked to be forgotten is nobody else's business: asked in a group, the group
        # hears only that the admin was written to.
        await message.reply(_("I sent you the confirmation privately."))
    else:
        await message.reply(_("Please open a private chat with me first: I ask you to confirm "
                              "there."))


def _refusal(result: Result) -> str:
    if result is Result.NOT_ALLOWED:
        return _("Only an admin of one of their grids can erase a person's data.")
    return _("There is nothing to erase: I keep nothing about them, or it was erased already.")


async def decide(query: CallbackQuery, callback_data: ForgetCb, bot: Bot, db: Database,
                 actor: Actor, clock: Clock, messenger: Messenger,
                 fsm_storage: BaseStorage) -> None:
    if callback_data.asker_id != actor.id:
        await query.answer(_("This button is for the person who asked."), show_alert=True)
        return
    if not callback_data.go:
        await _close(query, _("Nothing was erased."))
        return
    own = callback_data.person_id == actor.id
    chats = await menus.set_of(db, callback_data.person_id)
    done = await data_rights.forget(messenger, actor, callback_data.person_id,
                                    since=callback_data.since, now=clock.now())
    if done.result is not Result.OK:
        await query.answer(_refusal(done.result), show_alert=True)
        if isinstance(query.message, Message):
            with suppress(TelegramBadRequest):  # its buttons may be gone already
                await query.message.edit_reply_markup(reply_markup=None)
        return
    await take_back(bot, callback_data.person_id, chats)
    # A form they were filling in privately is forgotten in memory too (its row is gone).
    await FSMContext(fsm_storage, StorageKey(bot_id=bot.id, chat_id=callback_data.person_id,
                                             user_id=callback_data.person_id)).clear()
    await _close(query, _said(done, own))


def _said(done: Forgotten, own: bool) -> str:
    text = (_("Done: I have erased what I kept about you. Goodbye, and thank you.") if own
            else _("Done: what I kept about them is erased, and the staff of their grids are "
                   "told that a person left."))
    return text + "\n" + _("Wishes withdrawn: {withdrawn}; claims given back: {released}.").format(
        withdrawn=done.withdrawn, released=done.released)


async def _close(query: CallbackQuery, text: str) -> None:
    """Answer the press, and the message says ``text`` instead, without its buttons."""
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=None)


def _person_table(found: Holdings) -> Table:
    return Table(_("About me"), [
        Column(_("Telegram id")), Column(_("Name")), Column(_("Username")),
        Column(_("Language of my Telegram")), Column(_("Language I chose")),
        Column(_("First seen"), Kind.DATETIME)], [found.person] if found.person else [])


def _word(value: Any) -> Any:
    """A state kept as a code, in the reader's words (one table for every sheet: the codes
    of claims, hours, topics, action items and media do not clash)."""
    words = {
        "fulfilled": _("fulfilled"), "released": _("gave it up"),
        "withdrawn": _("withdrawn by the resident"), "expired": _("released for lack of progress"),
        ServiceState.PENDING: _("waiting for confirmation"),
        ServiceState.CONFIRMED: _("confirmed"), ServiceState.REJECTED: _("not confirmed"),
        TopicState.PROPOSED: _("proposed"), TopicState.ACCEPTED: _("on the agenda"),
        TopicState.DECLINED: _("declined"), TopicState.MERGED: _("merged"),
        ActionState.OPEN: _("not done yet"), ActionState.DONE: _("done"),
        MediaKind.PHOTO: _("photo"), MediaKind.VOICE: _("voice message"),
    }
    return words.get(value, value)


def _worded(rows: list[tuple[Any, ...]], *columns: int) -> list[tuple[Any, ...]]:
    return [tuple(_word(v) if i in columns else v for i, v in enumerate(row)) for row in rows]


def _tables(found: Holdings) -> list[Table]:
    """One sheet per kind of row, headed in the reader's language."""
    def state(show: Callable[[str], str]) -> Callable[[Any], Any]:
        return lambda value: None if value is None else show(value)

    text, when, day, number = Kind.LONG_TEXT, Kind.DATETIME, Kind.DATE, Kind.NUMBER
    return [_person_table(found), *[Table(name, [Column(h, k) for h, k in columns], rows)
                                    for name, columns, rows in [
        (_("My roles"), [(_("Place"), Kind.TEXT), (_("Role"), Kind.TEXT), (_("Since"), when)],
         [(place, labels.role(role), at) for place, role, at in found.roles]),
        (_("Volunteer"), [(_("Real name"), Kind.TEXT), (_("Contact phone"), Kind.TEXT),
                          (_("Skills"), text), (_("State"), Kind.TEXT), (_("Signed up"), when)],
         [(*row[:3], state(labels.volunteer_status)(row[3]), row[4])
          for row in found.volunteer]),
        (_("My micro-wishes"), [(_("No."), Kind.TEXT), (_("Grid"), Kind.TEXT),
                                (_("Micro-wish"), text), (_("Category"), Kind.TEXT),
                                (_("Contact phone"), Kind.TEXT), (_("Address"), text),
                                (_("State"), Kind.TEXT), (_("Submitted"), when)],
         [(*row[:3], state(labels.category)(row[3]), row[4], row[5],
           state(labels.wish_state)(row[6]), row[7]) for row in found.wishes]),
        (_("My claims"), [(_("Micro-wish No."), Kind.TEXT), (_("Claimed"), when),
                          (_("Ended"), when), (_("Outcome"), Kind.TEXT)],
         [(wish, claimed, ended, _word(outcome) if outcome else _("still holds it"))
          for wish, claimed, ended, outcome in found.claims]),
        (_("My ratings"), [(_("Micro-wish No."), Kind.TEXT), (_("Stars"), number),
                           (_("Comment"), text), (_("Rated"), when)], found.ratings),
        (_("My questions"), [(_("Question"), text), (_("Answer"), text), (_("Asked"), when),
                             (_("Answered"), when)], found.questions),
        (_("My service hours"), [(_("Day served"), day), (_("Minutes"), number),
                                 (_("Service"), text), (_("State"), Kind.TEXT)],
         _worded(found.hours, 3)),
        (_("Grids I was seen in"), [(_("Grid"), Kind.TEXT), (_("Since"), when)], found.grids),
        (_("Joint meetings"), [(_("Starts"), when), (_("Present"), Kind.TEXT),
                               (_("Reason"), text)],
         [(at, _("yes") if present else _("no"), reason)
          for at, present, reason in found.meetings]),
        (_("Topics I proposed"), [(_("Topic"), text), (_("State"), Kind.TEXT),
                                  (_("Proposed"), when)], _worded(found.topics, 1)),
        (_("My action items"), [(_("Action item"), text), (_("Due"), day),
                                (_("State"), Kind.TEXT)], _worded(found.actions, 2)),
        (_("Photos and voice"), [(_("Micro-wish No."), Kind.TEXT), (_("Kind"), Kind.TEXT),
                                 (_("Added"), when)], _worded(found.media, 1)),
        (_("My evaluation comments"), [(_("Month"), Kind.TEXT), (_("Comment"), text)],
         found.comments),
    ]]]


def _summary(tables: list[Table]) -> str:
    lines = [f"• {escape(table.name)}: {len(table.rows)}" for table in tables[1:]
             if isinstance(table.rows, list) and table.rows]
    return "\n".join([_("<b>What I keep about you</b>, in the workbook below (one sheet for "
                        "each kind):"), *lines, _("Only you see this. /forgetme erases it.")])


async def my_data(message: Message, db: Database, actor: Actor, bot: Bot,
                  settings: Settings) -> None:
    found = await personal_data.holdings(db, actor.id)
    tables = _tables(found)
    await bot.send_chat_action(actor.id, ChatAction.UPLOAD_DOCUMENT)
    async with db.transaction() as session:
        grid = await members.home_grid(session, actor.id)
    path = await write_xlsx(tables, timezone=grid.timezone if grid else settings.timezone)
    try:
        await message.answer_document(FSInputFile(path, filename=_mydata_file_name()),
                                      caption=_summary(tables))
    finally:
        remove(path)


def _mydata_file_name() -> str:
    return _("my-data") + ".xlsx"


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(forget_me, Command("forgetme"), in_private)
    router.message.register(my_data, Command("mydata"), in_private)
    router.message.register(forget_me_in_group, Command("forgetme", "mydata"), in_group)
    router.message.register(forget_person, Command("forget"))
    router.callback_query.register(decide, ForgetCb.filter())
    return router

