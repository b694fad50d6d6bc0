"""/start, /lang and /cancel; what is left of /start links; numbers typed in groups."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot import guide, keyboards
from bot.callbacks import LangCb
from bot.clock import Clock
from bot.commands import refresh, set_chat_commands
from bot.filters import in_private
from storage import people
from storage.db import Database
from storage.models import Place
from storage.people import Actor
from storage.privacy import has_number
from usecases import places as places_usecase


async def start(message: Message, db: Database, actor: Actor | None) -> None:
    await message.answer(_(
        "Hello! I am GridLink, the helper of your community.\n\n"
        "• Residents: post a micro-wish from your grid group with /wish, "
        "and follow it with /mywishes.\n"
        "• Volunteers: sign up with /volunteer; see the wishes you claimed with /mytasks.\n"
        "• /lang changes the language, /help lists everything I can do."
    ), reply_markup=await guide.menu_for(db, actor))


async def cancel(message: Message, state: FSMContext) -> None:
    if await state.get_state() is None:
        await message.answer(_("There is nothing to cancel."))
        return
    await state.clear()
    await message.answer(_("Cancelled. Nothing was saved."))


async def choose_language(message: Message) -> None:
    await message.answer(_("Choose a language:"), reply_markup=keyboards.languages())


async def set_language(query: CallbackQuery, callback_data: LangCb, bot: Bot, db: Database,
                       i18n: I18n, actor: Actor | None, place: Place | None,
                       clock: Clock) -> None:
    chat = query.message.chat if query.message else None
    if actor is None or chat is None or callback_data.locale not in keyboards.LANGUAGE_NAMES:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    if chat.type == "private":
        await people.set_locale(db, actor.id, callback_data.locale)
        actor.person.locale = callback_data.locale
    elif place is None:
        await query.answer(_("This group is not set up yet, so it has no language of its own. "
                             "Each of you sees my private messages in your own language."),
                           show_alert=True)
        return
    elif not await places_usecase.set_group_locale(db, actor, place, callback_data.locale,
                                                   now=clock.now()):
        await query.answer(_("Only an admin of this place can change the group's language."),
                           show_alert=True)
        return
    with i18n.use_locale(callback_data.locale):
        if chat.type == "private":
            await refresh(bot, db, actor.person, superadmin=actor.superadmin,
                          default=i18n.default_locale)
        else:
            await set_chat_commands(bot, chat.id)
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.edit_text(_("From now on I will write in English here."))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(cancel, Command("cancel"))
    router.message.register(choose_language, Command("lang"))
    router.callback_query.register(set_language, LangCb.filter())
    return router


async def take_down_numbers(message: Message, text: str, hint: str) -> None:
    """Someone typed a phone or ID number in a group: what the bot posts masks it; their own
    message is taken down too (or they are asked to), and ``hint`` says what happened."""
    if not has_number(text):
        return
    try:
        await message.delete()
        removed = True
    except (TelegramBadRequest, TelegramForbiddenError):
        removed = False
    if not removed:
        hint += "\n" + _("Please delete your message yourself; I am not allowed to.")
    await message.answer(hint)


async def link_refused(message: Message) -> None:
    await message.answer(_("This link does not work: it was changed, or it was made for "
                           "someone else. Please use the buttons I sent you, or send the "
                           "command in your group again."))


def welcome_router() -> Router:
    """/start with a payload is taken by the flows first, whose links are checked there
    (bot.links); a payload left over is forged or someone else's. Plain /start: the welcome."""
    router = Router(name=f"{__name__}.welcome")
    router.message.register(link_refused, CommandStart(deep_link=True), in_private)
    router.message.register(start, CommandStart(), in_private)
    return router
