"""/start, /help, /lang and /cancel; what is left of /start links; numbers typed in groups."""

from __future__ import annotations

from html import escape

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot import keyboards, volunteering
from bot.callbacks import LangCb
from bot.clock import Clock
from bot.commands import set_chat_commands
from bot.filters import in_private
from storage import people
from storage.db import Database
from storage.models import Place, PlaceKind
from storage.people import Actor
from storage.privacy import has_number
from usecases import places as places_usecase


async def start(message: Message) -> None:
    await message.answer(_(
        "Hello! I am GridLink, the helper of your community.\n\n"
        "• Residents: post a micro-wish from your grid group with /wish, "
        "and follow it with /mywishes.\n"
        "• Volunteers: sign up with /volunteer; see the wishes you claimed with /mytasks.\n"
        "• /lang changes the language, /help lists everything I can do."
    ))


async def help_(message: Message, bot: Bot, place: Place | None) -> None:
    """In a grid group the help carries the volunteer sign-up button, so pinning it there
    leaves the way in one tap away."""
    markup = None
    if place is not None and place.kind == PlaceKind.GRID:
        markup = keyboards.link(_("Sign up as a volunteer"),
                                await volunteering.sign_up_link(bot, place))
    await message.answer("\n".join([
        _("<b>For everyone</b>"),
        escape(_("/wish <text> — post a micro-wish in your grid group "
                 "(/wish alone opens the form)")),
        escape(_("/mywishes — your micro-wishes, to withdraw or rate them")),
        escape(_("/ask <question> — ask the social worker on duty (in your grid group); "
                 "the answer comes privately")),
        escape(_("/duty — who is on duty today")),
        escape(_("/meetings — the joint meetings here; /topic <text> — propose a topic")),
        escape(_("/lang — choose the language")),
        escape(_("/cancel — stop filling in a form")),
        "",
        _("<b>For volunteers</b>"),
        escape(_("/volunteer — sign up as a volunteer (in a private chat)")),
        escape(_("/mytasks — the wishes you claimed")),
        escape(_("/pause, /resume — stop and start volunteering for a while")),
        escape(_("/pings on|off — whether I tell you about new wishes that suit you")),
        escape(_("/myhours — your service hours; /logservice — log other service")),
        escape(_("/honour on|off — whether your name may appear on the honour roll")),
        "",
        _("<b>For social workers</b>"),
        escape(_("/reject <number> <reason> — reject a micro-wish; the resident sees the reason")),
        escape(_("Reply to a question you were paged about to answer the resident.")),
        escape(_("/volunteers — the volunteers of this place")),
        escape(_("/hours @username|id — a volunteer's service hours; /fixhours <number> "
                 "<hours> corrects one")),
        escape(_("/suspend @username|id <reason>, /reinstate @username|id — a volunteer's "
                 "service")),
        "",
        _("<b>For cadres (meeting hosts)</b>"),
        escape(_("/meeting_new weekly|monthly … — set up a meeting series; /meeting <number> "
                 "… — change it, skip or move one meeting")),
        escape(_("/agenda <number> — review the topics and confirm the agenda; /minutes "
                 "<number> — attendance, minutes, decisions and action items")),
        "",
        _("<b>For admins</b>"),
        escape(_("/bind street|community|grid [parent number] <name> — bind this chat as a place")),
        escape(_("/unbind — detach this chat from its place")),
        escape(_("/places — the places you manage")),
        escape(_("/grant <role> @username|id (or in reply) — give a role at this place")),
        escape(_("/revoke <role> @username|id (or in reply) — take a role back")),
        escape(_("/people — who holds which role here")),
        escape(_("/settings — this place's settings; /set <name> <value> changes one")),
        escape(_("/duty_set <weekday 1–7> <A|B> @user, /swap <YYYY-MM-DD> <A|B> @user — "
                 "the duty roster (in the community chat)")),
        escape(_("/riskwords [add|remove <word>] — the words that raise a risk alert")),
    ]), reply_markup=markup)


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
        await set_chat_commands(bot, chat.id, private=chat.type == "private")
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.edit_text(_("From now on I will write in English here."))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(help_, Command("help"))
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
