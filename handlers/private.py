"""A private chat never ends in silence.

/wish and /ask work here for a person whose grid the bot knows (storage.members: they were
seen in its group, posted there, serve it or hold a role there; with several grids they
choose one with buttons). Commands that belong in a group say where to send them, and
anything else (a greeting, a sticker, a voice message, an unknown command) is answered with
the menu of what the person can do.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from html import escape

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import guide, keyboards, notices
from bot.clock import Clock
from bot.filters import in_private, typed
from bot.guide import GridCb, GridFor, MenuAction, MenuCb, PrivatePosting
from bot.links import Opens, Purpose
from bot.messenger import Messenger
from bot.refusals import question_held, refusal, wish_held
from handlers import wish_form
from handlers import wishes as wish_lists
from handlers.volunteers import form as volunteer_form
from storage import members, places, wishes
from storage.db import Database
from storage.models import Place, PlaceKind, WishState
from storage.people import Actor
from storage.wishes import MAX_TEXT, Draft, Result, check_text
from usecases import duty as duty_usecase
from usecases import wishes as wish_usecase

# --- whose grid ------------------------------------------------------------------------

async def _grids(db: Database, actor: Actor) -> list[Place]:
    """The person's grids that have a group, where a card or a page can go."""
    async with db.transaction() as session:
        return [grid for grid in await members.grids_of(session, actor.id)
                if grid.chat_id is not None]


def _grid_unknown() -> str:
    return _("I do not know your grid yet. Please send /wish or /ask once in your grid's "
             "group (or tap a button of mine there); after that you can also do it here.")


# --- /wish ------------------------------------------------------------------------------

async def wish_privately(message: Message, command: CommandObject, db: Database,
                         actor: Actor, state: FSMContext, clock: Clock,
                         messenger: Messenger) -> None:
    await _wish(message, (command.args or "").strip(), db, actor, state, clock, messenger,
                source_key=f"msg:{message.chat.id}:{message.message_id}")


async def _wish(message: Message, text: str, db: Database, actor: Actor, state: FSMContext,
                clock: Clock, messenger: Messenger, *, source_key: str | None) -> None:
    grids = await _grids(db, actor)
    if not grids:
        await message.answer(_grid_unknown(), reply_markup=await guide.menu_for(db, actor))
    elif len(grids) > 1:
        await _choose(message, state, grids, GridFor.WISH, text, source_key)
    else:
        await _wish_in(message, grids[0], text, db, actor, state, clock, messenger,
                       source_key=source_key)


async def _wish_in(message: Message, grid: Place, text: str, db: Database, actor: Actor,
                   state: FSMContext, clock: Clock, messenger: Messenger, *,
                   source_key: str | None) -> None:
    """The form for the grid when there are no words yet; else the words posted at once."""
    if not text:
        await wish_form.begin(message, grid.id or 0, db, state)
        return
    outcome = await wish_usecase.post(messenger, actor, grid_id=grid.id or 0,
                                      draft=Draft(text=text), now=clock.now(),
                                      source_key=source_key)
    if outcome.hold is not None:
        await message.answer(wish_held(outcome.hold, clock.now(), kept=False))
    elif not outcome.ok or outcome.wish is None:
        await message.answer(refusal(outcome))
    elif outcome.wish.state == WishState.OPEN:
        await message.answer(_("Thank you! Your micro-wish #{id} is posted in your grid group. "
                               "/mywishes shows how it is going.").format(id=outcome.wish.id))
    else:
        await message.answer(notices.waiting_for_verification(outcome.wish))


# --- /ask -------------------------------------------------------------------------------

async def ask_privately(message: Message, command: CommandObject, db: Database, actor: Actor,
                        state: FSMContext, clock: Clock, messenger: Messenger) -> None:
    text = (command.args or "").strip()
    if not text:
        await _ask_for_question(message, db, actor, state, grid_id=None)
        return
    await _ask(message, text, db, actor, state, clock, messenger)


async def ask_link(message: Message, thing_id: int, db: Database, actor: Actor,
                   state: FSMContext, clock: Clock) -> None:
    """The grid group's "ask a social worker" button: the question is for that grid."""
    grid = await places.by_id(db, thing_id)
    if grid is None or grid.kind != PlaceKind.GRID:
        await message.answer(_("This link is no longer valid. Please send /ask in your grid "
                               "group."), reply_markup=await guide.menu_for(db, actor))
        return
    async with db.transaction() as session:
        await members.seen_in(session, [actor.id], thing_id, now=clock.now())
    await _ask_for_question(message, db, actor, state, grid_id=thing_id)


async def _ask_for_question(message: Message, db: Database, actor: Actor, state: FSMContext,
                            *, grid_id: int | None) -> None:
    if grid_id is None and not await _grids(db, actor):
        await message.answer(_grid_unknown(), reply_markup=await guide.menu_for(db, actor))
        return
    await state.clear()
    await state.set_state(PrivatePosting.question)
    await state.update_data(grid_id=grid_id)
    await message.answer(_("What would you like to ask the social worker on duty? Please write "
                           "it in one message (at most {limit} characters). The answer will "
                           "come here.").format(limit=MAX_TEXT),
                         reply_markup=guide.cancel_button())


async def wrote_question(message: Message, db: Database, actor: Actor, state: FSMContext,
                         clock: Clock, messenger: Messenger) -> None:
    grid_id = await state.get_value("grid_id")
    text = (message.text or "").strip()
    if check_text(text, MAX_TEXT) is not Result.OK:
        await message.answer(refusal(wishes.Outcome(check_text(text, MAX_TEXT))),
                             reply_markup=guide.cancel_button())
        return
    await state.clear()
    grid = await places.by_id(db, grid_id) if isinstance(grid_id, int) else None
    if grid is not None:
        await _ask_in(message, grid, text, actor, clock, messenger)
    else:
        await _ask(message, text, db, actor, state, clock, messenger)


async def _ask(message: Message, text: str, db: Database, actor: Actor, state: FSMContext,
               clock: Clock, messenger: Messenger) -> None:
    if check_text(text, MAX_TEXT) is not Result.OK:
        await message.answer(escape(_("Usage: /ask <your question>, in at most {limit} "
                                      "characters. The social worker on duty will answer you "
                                      "privately.").format(limit=MAX_TEXT)))
        return
    grids = await _grids(db, actor)
    if not grids:
        await message.answer(_grid_unknown(), reply_markup=await guide.menu_for(db, actor))
    elif len(grids) > 1:
        await _choose(message, state, grids, GridFor.ASK, text, None)
    else:
        await _ask_in(message, grids[0], text, actor, clock, messenger)


async def _ask_in(message: Message, grid: Place, text: str, actor: Actor, clock: Clock,
                  messenger: Messenger) -> None:
    asked = await duty_usecase.ask(messenger, actor, grid, text, now=clock.now())
    if asked.hold is not None:
        await message.answer(question_held(asked.hold, clock.now()))
    elif asked.question is None:
        await message.answer(_("Your grid belongs to no community yet, so nobody is on duty "
                               "for it. Please ask your grid worker in the group."))
    else:
        await message.answer(_("Your question is with the social worker on duty. I will send "
                               "you the answer here."))


# --- several grids: choose one ----------------------------------------------------------

async def _choose(message: Message, state: FSMContext, grids: list[Place], purpose: GridFor,
                  text: str, source_key: str | None) -> None:
    await state.clear()
    await state.set_state(PrivatePosting.grid)
    await state.update_data(text=text, source_key=source_key)
    question = (_("Which grid is your micro-wish for?") if purpose is GridFor.WISH
                else _("Which grid's social worker on duty should answer?"))
    await message.answer(question, reply_markup=guide.grid_choice(grids, purpose))


async def grid_chosen(query: CallbackQuery, callback_data: GridCb, db: Database, actor: Actor,
                      state: FSMContext, clock: Clock, messenger: Messenger) -> None:
    grid = next((g for g in await _grids(db, actor) if g.id == callback_data.grid_id), None)
    if grid is None or not isinstance(query.message, Message):
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    text = str(await state.get_value("text", ""))
    source_key = await state.get_value("source_key")
    await state.clear()
    await query.answer()
    with suppress(TelegramBadRequest):
        await query.message.edit_text(_("Grid: {name}").format(name=escape(grid.name)))
    if callback_data.purpose is GridFor.WISH:
        await _wish_in(query.message, grid, text, db, actor, state, clock, messenger,
                       source_key=source_key if isinstance(source_key, str) else None)
    else:
        await _ask_in(query.message, grid, text, actor, clock, messenger)


# --- the menu's buttons -----------------------------------------------------------------

async def menu_pressed(query: CallbackQuery, callback_data: MenuCb, db: Database,
                       actor: Actor, state: FSMContext, clock: Clock,
                       messenger: Messenger) -> None:
    message = query.message
    if not isinstance(message, Message):
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await query.answer()
    match callback_data.action:
        case MenuAction.POST:
            await _wish(message, "", db, actor, state, clock, messenger, source_key=None)
        case MenuAction.MINE:
            await wish_lists.my_wishes(message, db, actor, messenger)
        case MenuAction.ASK:
            await _ask_for_question(message, db, actor, state, grid_id=None)
        case MenuAction.VOLUNTEER:
            await volunteer_form.volunteer_in_private(message, db, actor, state)
        case MenuAction.TASKS:
            await wish_lists.my_tasks(message, db, actor)
        case MenuAction.LANGUAGE:
            await message.answer(_("Choose a language:"), reply_markup=keyboards.languages())
        case MenuAction.CANCEL:
            await _cancel(message, state)


async def _cancel(message: Message, state: FSMContext) -> None:
    if await state.get_state() is None:
        await message.answer(_("There is nothing to cancel."))
        return
    await state.clear()
    with suppress(TelegramBadRequest):
        await message.edit_reply_markup(reply_markup=None)
    await message.answer(_("Cancelled. Nothing was saved."))


# --- everything else --------------------------------------------------------------------

def _where(command: str) -> str | None:
    """Where a command that works only in a group chat is sent, or None for the others."""
    places_of: dict[str, Callable[[], str]] = {
        "duty": lambda: _("your grid group or your community's chat"),
        "topic": lambda: _("the chat of the place whose joint meeting it is"),
        "meetings": lambda: _("the chat of the place whose joint meetings they are"),
        "meeting": lambda: _("the chat of the place whose joint meetings they are"),
        "meeting_new": lambda: _("the chat of the place whose joint meetings they are"),
        "volunteers": lambda: _("the grid group or the community's chat"),
        "hours": lambda: _("the grid group or the community's chat"),
        "fixhours": lambda: _("the grid group or the community's chat"),
        "suspend": lambda: _("the grid group or the community's chat"),
        "reinstate": lambda: _("the grid group or the community's chat"),
        "duty_set": lambda: _("the community's chat"),
        "swap": lambda: _("the community's chat"),
        "riskwords": lambda: _("the community's chat"),
    }
    where = places_of.get(command)
    return where() if where is not None else None


def _command_of(text: str, bot_username: str | None) -> str:
    """"/Duty@gridlink_bot args" → "duty"."""
    word = text.split(maxsplit=1)[0][1:]
    name, _at, addressed = word.partition("@")
    if addressed and bot_username and addressed.lower() != bot_username.lower():
        return ""
    return name.lower()


async def anything_else(message: Message, bot: Bot, db: Database, actor: Actor | None,
                        raw_state: str | None) -> None:
    """Whatever no flow took: a helpful answer, and the buttons of what the person can do."""
    text = message.text or ""
    if raw_state is not None and not text.startswith("/"):
        with suppress(TelegramForbiddenError):
            await message.answer(_("Please answer the question above, or tap Cancel to stop."),
                                 reply_markup=guide.cancel_button())
        return
    menu = await guide.menu_for(db, actor)
    if text.startswith("/"):
        command = _command_of(text, (await bot.me()).username)
        where = _where(command)
        if where is not None:
            answer = _("/{command} works in a group chat: please send it in {where}.").format(
                command=command, where=where)
        else:
            answer = _("I do not know the command {command}. Here is what I can do; /help "
                       "lists all my commands.").format(command=escape(text.split()[0]))
    elif message.voice is not None or message.audio is not None:
        answer = _("I cannot listen to voice messages here. What would you like to do? To "
                   "post a micro-wish, tap “Post a wish”.")
    else:
        answer = _("Hello! I am GridLink, the helper of your community. What would you like to "
                   "do? /help lists all my commands.")
    with suppress(TelegramForbiddenError):  # they blocked the bot right after writing
        await message.answer(answer, reply_markup=menu)


def router() -> Router:
    """/wish and /ask privately, the menu and the grid choice; before the flows' routers."""
    router = Router(name=__name__)
    router.message.register(wish_privately, Command("wish"), in_private)
    router.message.register(ask_privately, Command("ask"), in_private)
    router.message.register(ask_link, CommandStart(deep_link=True), Opens(Purpose.ASK),
                            in_private)
    router.message.register(wrote_question, StateFilter(PrivatePosting.question), typed,
                            in_private)
    router.callback_query.register(grid_chosen, StateFilter(PrivatePosting.grid),
                                   GridCb.filter())
    router.callback_query.register(menu_pressed, MenuCb.filter())
    return router


def fallback_router() -> Router:
    """Last of all (before the stale buttons): a private message no flow took."""
    router = Router(name=f"{__name__}.fallback")
    router.message.register(anything_else, in_private)
    return router
