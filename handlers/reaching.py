"""Reaching the resident: the relay between a wish's claimer and its resident, a wish's photos
and voice messages shown privately, the claimer's photo of the help given (服务影像), and the
messages held back for someone who had not started the bot, delivered when they do."""

from __future__ import annotations

from datetime import timedelta
from html import escape

from aiogram import Bot, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import keyboards, links, reaching
from bot.callbacks import MediaCb, ProofCb, RelayCb
from bot.clock import Clock
from bot.filters import in_private, not_a_command, typed
from bot.messenger import Messenger
from bot.settings import Settings
from bot.states import ProofPhoto, RelayMessage
from storage import media, people, relay
from storage.models import MediaKind, MediaPurpose, WishMedia
from storage.people import Actor
from usecases import held
from usecases import media as media_usecase
from usecases import relay as usecase
from usecases.media import Proof, Seen
from usecases.relay import Relay, Relayed

# --- the relay ---------------------------------------------------------------------------------

def _refusal(refused: Relay) -> str:
    match refused.result:
        case Relayed.NOT_YOURS:
            return _("Only the resident and the volunteer who claimed this micro-wish can write "
                     "to each other here.")
        case Relayed.CLOSED:
            return _("Messages through me about micro-wish #{id} have ended: it was closed, "
                     "withdrawn, given back or opened again. /mywishes and /mytasks show what "
                     "is going on.").format(id=refused.wish_id)
        case Relayed.EMPTY | Relayed.TOO_LONG:
            return _("Please write your message as text, in at most {limit} characters.").format(
                limit=relay.MAX_TEXT)
        case _:
            return _("This button is no longer valid.")


async def write_pressed(query: CallbackQuery, callback_data: RelayCb, actor: Actor,
                        state: FSMContext, messenger: Messenger) -> None:
    allowed = await usecase.may_write(messenger, actor, callback_data.claim_id)
    if not allowed.ok or allowed.side is None:
        await query.answer(_refusal(allowed), show_alert=True)
        return
    await state.set_state(RelayMessage.text)
    await state.update_data(claim_id=callback_data.claim_id)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(reaching.prompt(allowed.side, allowed.wish_id or 0,
                                                   allowed.other_name))


async def wrote(message: Message, actor: Actor, state: FSMContext, clock: Clock,
                messenger: Messenger) -> None:
    claim_id = int(await state.get_value("claim_id", 0))
    sent = await usecase.send(messenger, actor, claim_id, message.text or "", now=clock.now())
    if sent.result in (Relayed.EMPTY, Relayed.TOO_LONG):  # the words may be written again
        await message.answer(_refusal(sent))
        return
    await state.clear()
    if not sent.ok:
        await message.answer(_refusal(sent))
        return
    await message.answer(reaching.passed_on(sent.other_name),
                         reply_markup=keyboards.relay(claim_id, _("💬 Write again")))


async def not_written(message: Message) -> None:
    await message.answer(_("I can pass on written messages only. Please write it, or /cancel "
                           "to stop."))


# --- photos and voice messages, privately ----------------------------------------------------

async def open_private_chat(query: CallbackQuery, bot: Bot, actor: Actor) -> None:
    """Someone pressed a button whose answer goes privately, and the bot cannot write to them:
    the alert says so, and in a group a message brings the button that opens the chat."""
    await query.answer(_("Please open a private chat with me and press Start first, so that I "
                         "can write to you; then tap the button again."), show_alert=True)
    if isinstance(query.message, Message) and query.message.chat.type != "private":
        await query.message.answer(
            _("{name}, please open a private chat with me first: what you asked for goes "
              "there.").format(name=escape(actor.person.full_name)),
            reply_markup=keyboards.link(_("Open private chat"), await links.private_chat(bot)))


def _caption(item: WishMedia) -> str:
    if item.purpose == MediaPurpose.PROOF:
        return _("Micro-wish #{id}: a photo of the help given").format(id=item.wish_id)
    return _("Micro-wish #{id}: from the resident").format(id=item.wish_id)


async def _send_privately(bot: Bot, actor: Actor, items: list[WishMedia]) -> bool:
    try:
        for item in items:
            if item.kind == MediaKind.VOICE:
                await bot.send_voice(actor.id, item.file_id, caption=_caption(item))
            else:
                await bot.send_photo(actor.id, item.file_id, caption=_caption(item))
    except TelegramForbiddenError:
        return False
    except TelegramBadRequest as error:
        if "chat not found" not in error.message.lower():
            raise
        return False
    return True


async def show_media(query: CallbackQuery, callback_data: MediaCb, bot: Bot, actor: Actor,
                     clock: Clock, messenger: Messenger) -> None:
    shown = await media_usecase.show(messenger, actor, callback_data.wish_id, now=clock.now())
    if shown.result is not Seen.OK:
        await query.answer({
            Seen.NOT_FOUND: _("This micro-wish no longer exists."),
            Seen.NOT_ALLOWED: _("Only the resident, the volunteer who claimed it and the "
                                "social workers of its grid can see its photos and voice "
                                "messages."),
            Seen.NONE: _("This micro-wish has no photos or voice messages."),
        }[shown.result], show_alert=True)
        return
    if not actor.person.reachable or not await _send_privately(bot, actor, shown.items):
        await people.mark_unreachable(messenger.db, actor.id)
        await open_private_chat(query, bot, actor)
        return
    await query.answer()


# --- a photo of the help given ------------------------------------------------------------------

def _proof_refusal(result: Proof) -> str:
    return {
        Proof.NOT_FOUND: _("This micro-wish no longer exists."),
        Proof.NOT_YOURS: _("Only the volunteer who fulfilled it can add a photo of the help."),
        Proof.WRONG_STATE: _("A photo of the help can be added once the micro-wish is marked "
                             "fulfilled."),
        Proof.TOO_MANY: _("This micro-wish has as many photos of the help as it takes "
                          "({limit}).").format(limit=media.MAX_PROOF),
    }[result]


async def proof_pressed(query: CallbackQuery, callback_data: ProofCb, actor: Actor,
                        state: FSMContext, messenger: Messenger) -> None:
    allowed = await media_usecase.may_add_proof(messenger, actor, callback_data.wish_id)
    if allowed is not Proof.OK:
        await query.answer(_proof_refusal(allowed), show_alert=True)
        return
    await state.set_state(ProofPhoto.photo)
    await state.update_data(wish_id=callback_data.wish_id)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(_("Send me the photo of the help given with micro-wish #{id} "
                                     "now, or /cancel. The resident and the staff will see it; "
                                     "the group never does.").format(id=callback_data.wish_id))


async def proof_sent(message: Message, actor: Actor, state: FSMContext, clock: Clock,
                     messenger: Messenger) -> None:
    wish_id = int(await state.get_value("wish_id", 0))
    photo = message.photo[-1] if message.photo else None
    if photo is None:
        await message.answer(_("Please send a photo, or /cancel to stop."))
        return
    await state.clear()
    added = await media_usecase.add_proof(messenger, actor, wish_id, photo.file_id,
                                          now=clock.now())
    if added is not Proof.OK:
        await message.answer(_proof_refusal(added))
        return
    await message.answer(_("Thank you! The photo is kept with micro-wish #{id}; the resident "
                           "has been told.").format(id=wish_id))


# --- messages held back, delivered at /start ---------------------------------------------------

async def deliver_held(message: Message, actor: Actor, clock: Clock, messenger: Messenger,
                       settings: Settings) -> None:
    """Any /start (a link's too): what could not reach the person before goes out now, after
    the answer to their /start, which the flow it belongs to gives (SkipHandler)."""
    now = clock.now()
    count = await held.deliver(messenger, actor, now=now,
                               since=now - timedelta(days=settings.outbox_retention_days))
    if count:
        await message.answer(_("While I could not write to you, {count} messages waited for "
                               "you. Here they are, in the order they were written.").format(
            count=count))
    raise SkipHandler


def held_router() -> Router:
    router = Router(name=f"{__name__}.held")
    router.message.register(deliver_held, CommandStart(), in_private)
    return router


def router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(write_pressed, RelayCb.filter())
    router.message.register(wrote, StateFilter(RelayMessage.text), typed)
    router.message.register(not_written, StateFilter(RelayMessage.text), not_a_command)
    router.callback_query.register(show_media, MediaCb.filter())
    router.callback_query.register(proof_pressed, ProofCb.filter())
    router.message.register(proof_sent, StateFilter(ProofPhoto.photo), not_a_command,
                            in_private)
    return router
