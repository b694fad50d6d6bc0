"""/matter (a community's matters, one matter's minutes, a new one), /comment, a reply to a
matter's post in the community's chat, the vote's buttons, and the opener's Close now and To
the joint meeting."""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot import council_notices as notices
from bot import links, words_zh
from bot.callbacks import MatterAction, MatterCb, MatterVoteCb, MatterWishCb
from bot.clock import Clock
from bot.filters import in_group, typed
from bot.links import Purpose
from bot.messenger import Messenger
from handlers.council.form import proposal_refusal, refusal, start, wish_refusal
from storage import council, words
from storage.council import Record, Result
from storage.db import Database
from storage.models import MatterState, Place, PlaceKind
from storage.people import Actor
from usecases import council as usecase


def usage() -> str:
    return escape(_("Usage: /matter (the community's matters), /matter <number> (its "
                    "minutes), /matter new (in the community's chat), /matter wish <number>, "
                    "/matter proposal <number>"))


async def _link_button(bot: Bot, purpose: Purpose, thing_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
        text=_("Open the form"), url=await links.link(bot, purpose, thing_id))]])


async def matter(message: Message, command: CommandObject, bot: Bot, db: Database,
                 actor: Actor, place: Place | None, clock: Clock, state: FSMContext) -> None:
    parts = (command.args or "").split()
    first = parts[0] if parts else ""
    keyword = words_zh.keyword(first, words_zh.MATTER) if first else None
    private = message.chat.type == "private"
    if not parts:
        await _list(message, db, place)
    elif keyword == "new":
        await _new(message, bot, db, actor, place)
    elif keyword == "wish" and len(parts) == 2 and (number := words.row_number(parts[1])):
        result, _wish, community = await usecase.wish_source(db, actor, number)
        if result is not Result.OK or community is None:
            await message.reply(wish_refusal(result))
        elif private:
            await start(message, state, clock, community.id or 0, number)
        else:
            await message.reply(_("Open the form privately:"), reply_markup=await _link_button(
                bot, Purpose.MATTER_WISH, number))
    elif keyword == "proposal" and len(parts) == 2 and (
            number := words.row_number(parts[1])):
        await _from_proposal(message, bot, db, actor, state, clock, number)
    elif len(parts) == 1 and (number := words.row_number(first)):
        await _show(message, db, actor, number, buttons=private)
    else:
        await message.reply(usage())


async def _from_proposal(message: Message, bot: Bot, db: Database, actor: Actor,
                         state: FSMContext, clock: Clock, proposal_id: int) -> None:
    result, community = await usecase.proposal_source(db, actor, proposal_id)
    if result is not Result.OK or community is None:
        await message.reply(proposal_refusal(result))
    elif message.chat.type == "private":
        await start(message, state, clock, community.id or 0, proposal_id=proposal_id)
    else:
        await message.reply(_("Open the form privately:"), reply_markup=await _link_button(
            bot, Purpose.MATTER_PROPOSAL, proposal_id))


async def _list(message: Message, db: Database, place: Place | None) -> None:
    if place is None or place.kind != PlaceKind.COMMUNITY:
        await message.reply(usage())
        return
    found = await usecase.listed(db, place.id or 0)
    states = {MatterState.DISCUSSION: _("under discussion"), MatterState.VOTING: _("voting"),
              MatterState.CLOSED: _("closed")}
    lines = [_("<b>Residents' council of {community}</b>").format(
        community=escape(place.name))]
    lines += [_("#{id} {kind}: {title} ({state})").format(
        id=m.id, kind=notices.kind_name(m.kind), title=escape(m.title),
        state=states[MatterState(m.state)]) for m in found] or [_("No matters yet.")]
    await message.reply("\n".join([*lines, "", usage()]))


async def _new(message: Message, bot: Bot, db: Database, actor: Actor,
               place: Place | None) -> None:
    if place is None or place.kind != PlaceKind.COMMUNITY:
        await message.reply(_("Send /matter new in the community's chat."))
        return
    if not await usecase.may_open(db, actor, place.id or 0):
        await message.reply(refusal(Result.NOT_ALLOWED))
        return
    await message.reply(_("Open the form privately:"), reply_markup=await _link_button(
        bot, Purpose.MATTER, place.id or 0))


async def _show(message: Message, db: Database, actor: Actor, matter_id: int, *,
                buttons: bool) -> None:
    shown = await usecase.show(db, actor, matter_id)
    if shown is None:
        await message.reply(refusal(Result.NOT_FOUND))
        return
    record = Record.of(shown.matter.result) if shown.matter.result else None
    await message.reply(
        notices.minutes(shown.matter, shown.community, shown.counts, shown.remarks),
        reply_markup=notices.opener_buttons(shown.matter, record)
        if buttons and shown.runs_it else None)


def _comment_usage() -> str:
    return escape(_("Usage: /comment <matter number> <your comment>"))


async def comment(message: Message, command: CommandObject, actor: Actor, clock: Clock,
                  messenger: Messenger) -> None:
    number, _space, text = (command.args or "").strip().partition(" ")
    matter_id = words.row_number(number) if number else None
    if not matter_id or not text.strip():
        await message.reply(_comment_usage())
        return
    await _comment(message, matter_id, text, actor, clock, messenger, in_chat=None)


async def _comment(message: Message, matter_id: int, text: str, actor: Actor, clock: Clock,
                   messenger: Messenger, *, in_chat: int | None) -> None:
    outcome = await usecase.comment(messenger, actor, matter_id, text, in_chat=in_chat,
                                    now=clock.now())
    if not outcome.ok:
        await message.reply(refusal(outcome.result))
        return
    await message.reply(_("Thank you: your comment on matter #{id} is in its minutes.").format(
        id=matter_id))


async def replying_to_a_matter(message: Message, db: Database) -> bool | dict[str, Any]:
    """A reply in a chat to a matter's post or vote: a comment on it."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or not replied.from_user.is_bot:
        return False
    async with db.transaction() as session:
        found = await council.by_message(session, message.chat.id, replied.message_id)
    return False if found is None else {"matter_id": found.id}


async def replied(message: Message, matter_id: int, actor: Actor, clock: Clock,
                  messenger: Messenger) -> None:
    await _comment(message, matter_id, message.text or "", actor, clock, messenger,
                   in_chat=message.chat.id)


async def voted(query: CallbackQuery, callback_data: MatterVoteCb, actor: Actor, clock: Clock,
                messenger: Messenger) -> None:
    chat_id = query.message.chat.id if query.message else 0
    outcome = await usecase.vote(messenger, actor, callback_data.matter_id,
                                 callback_data.choice, chat_id=chat_id, now=clock.now())
    if not outcome.ok or outcome.matter is None:
        await query.answer(refusal(outcome.result), show_alert=True)
        return
    chosen = notices.option_labels(outcome.matter)[callback_data.choice]
    if outcome.previous is not None and outcome.previous != callback_data.choice:
        text = _("Your vote is changed to: {option}. Only you see this.")
    else:
        text = _("Your vote: {option}. You can change it until the vote closes. Only you see "
                 "this.")
    await query.answer(text.format(option=chosen), show_alert=True)


async def act(query: CallbackQuery, callback_data: MatterCb, actor: Actor, clock: Clock,
              messenger: Messenger) -> None:
    matter_id = callback_data.matter_id
    if callback_data.action is MatterAction.CLOSE:
        shown = await usecase.show(messenger.db, actor, matter_id)
        if shown is None or not shown.runs_it:
            await query.answer(refusal(Result.NOT_ALLOWED if shown else Result.NOT_FOUND),
                               show_alert=True)
            return
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.answer(
                _("Close the vote on matter #{id} now, before its time? The outcome is "
                  "posted at once.").format(id=matter_id),
                reply_markup=InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
                    text=_("Yes, close it"), callback_data=MatterCb(
                        action=MatterAction.CLOSE_SURE, matter_id=matter_id).pack())]]))
        return
    if callback_data.action is MatterAction.CLOSE_SURE:
        outcome = await usecase.close(messenger, actor, matter_id, now=clock.now())
        done = _("Matter #{id} is closed; its outcome is posted in the community's chat.")
    else:
        outcome = await usecase.to_agenda(messenger, actor, matter_id, now=clock.now())
        done = _("Matter #{id} is proposed as a topic of the next joint meeting; its host "
                 "decides the agenda.")
    if not outcome.ok:
        await query.answer(refusal(outcome.result), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(done.format(id=matter_id))


async def wish_button(query: CallbackQuery, callback_data: MatterWishCb, bot: Bot,
                      db: Database, actor: Actor, messenger: Messenger) -> None:
    """A community card's button: the form is offered privately to whoever may open it."""
    wish_id = callback_data.wish_id
    result, _wish, _community = await usecase.wish_source(db, actor, wish_id)
    if result is not Result.OK:
        await query.answer(wish_refusal(result), show_alert=True)
        return
    markup = await _link_button(bot, Purpose.MATTER_WISH, wish_id)
    sent = await messenger.to_person(actor.person, lambda: (_(
        "Put micro-wish #{id} to the residents' council:").format(id=wish_id), markup))
    await query.answer(_("I sent you the form privately.") if sent else _(
        "Please start a private chat with me first, then tap again."), show_alert=sent is None)


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(matter, Command("matter"))
    router.message.register(comment, Command("comment"))
    router.message.register(replied, in_group, typed, replying_to_a_matter)
    router.callback_query.register(voted, MatterVoteCb.filter())
    router.callback_query.register(act, MatterCb.filter())
    router.callback_query.register(wish_button, MatterWishCb.filter())
    return router
