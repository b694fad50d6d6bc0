"""/round_reviewers: a street admin names a round's reviewers, lists them, and takes a named
one off with its ✖ button before the selection."""

from __future__ import annotations

from html import escape

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import ReviewerCb
from bot.clock import Clock
from bot.messenger import Messenger
from handlers.venture_selection.words import (
    edit,
    refusal,
    round_number,
)
from storage import people
from storage import venture_selection as selection
from storage.db import Database
from storage.people import Actor
from storage.venture_selection import Result
from usecases import venture_selection as usecase
from usecases.venture_selection import round_title


async def _reviewers_text(db: Database, actor: Actor,
                          round_id: int) -> tuple[str, InlineKeyboardMarkup | None]:
    result, found, admins, named, names = await usecase.reviewers(db, actor, round_id)
    if result is not Result.OK or found is None:
        return refusal(result), None
    lines = [_("<b>Reviewers of {round}</b>").format(round=round_title(found)),
             _("The street's admins, always: {names}").format(
                 names=escape("、".join(names[p] for p in admins)) or "—"),
             _("Named: {names}").format(names=escape("、".join(names[p] for p in named)) or "—"),
             escape(_("Name more with /round_reviewers {number} @username …").format(
                 number=found.id))]
    rows = [[InlineKeyboardButton(text=_("✖ {name}").format(name=names[p]),
                                  callback_data=ReviewerCb(round=round_id, person=p).pack())]
            for p in named] if found.state in selection.NAMING_STATES else []
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


async def round_reviewers(message: Message, command: CommandObject, messenger: Messenger,
                          actor: Actor, clock: Clock) -> None:
    parts = (command.args or "").split()
    round_id = round_number(command.args)
    if round_id is None:
        await message.reply(escape(_("Give the round's number, and the people to name: "
                                     "/round_reviewers 3 @username …")))
        return
    wanted, unknown = [], []
    for word in parts[1:]:
        if word.isdecimal():
            wanted.append(int(word))
        elif (person := await people.by_username(messenger.db, word)) is not None:
            wanted.append(person.id)
        else:
            unknown.append(word)
    lines = []
    if wanted:
        done = await usecase.name_reviewers(messenger, actor, round_id, wanted, now=clock.now())
        refused = set(done.values()) & {Result.NOT_ALLOWED, Result.NOT_FOUND}
        if refused:
            await message.reply(refusal(refused.pop()))
            return
        names = await people.names_of(messenger.db, wanted)
        for person_id, result in done.items():
            name = escape(names[person_id])
            lines.append({
                Result.OK: _("Named: {name}.").format(name=name),
                Result.ALREADY: _("{name} is a reviewer already.").format(name=name),
                Result.ADMIN: _("{name} is an admin of the street and reviews always.").format(
                    name=name),
                Result.TOO_MANY: _("{name} was not named: a round has at most {count} named "
                                   "reviewers.").format(name=name, count=selection.MAX_NAMED),
            }.get(result, refusal(result)))
    lines += [_("I do not know {name}: they need to write to me once first.").format(
        name=escape(word)) for word in unknown]
    text, markup = await _reviewers_text(messenger.db, actor, round_id)
    await message.reply("\n".join([*lines, text]), reply_markup=markup)


async def remove_pressed(query: CallbackQuery, callback_data: ReviewerCb, messenger: Messenger,
                         actor: Actor, clock: Clock) -> None:
    done = await usecase.remove_reviewer(messenger, actor, callback_data.round,
                                         callback_data.person, now=clock.now())
    if done is not Result.OK:
        await query.answer(_("{name} is not a named reviewer of this round.").format(
            name=await people.name_of(messenger.db, callback_data.person))
            if done is Result.NOT_FOUND else refusal(done), show_alert=True)
        return
    await query.answer(_("Removed."))
    text, markup = await _reviewers_text(messenger.db, actor, callback_data.round)
    await edit(query, text, markup)


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(round_reviewers, Command("round_reviewers"))
    router.callback_query.register(remove_pressed, ReviewerCb.filter())
    return router
