"""The guided micro-wish form in a private chat, reached by a deep link from the grid group.

Answers live in FSM storage (the database by default), so a form survives a restart.
"""

from __future__ import annotations

import re
import uuid
from contextlib import suppress
from html import escape

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import keyboards, labels, notices
from bot.callbacks import FormCb, FormStep
from bot.clock import Clock
from bot.filters import Magic, in_private, not_a_command, typed
from bot.links import Opens, Purpose
from bot.messenger import Messenger
from bot.refusals import refusal, wish_held
from bot.states import WishForm
from storage import media, places, wishes
from storage.db import Database
from storage.models import Category, MediaKind, PlaceKind, WishState
from storage.people import Actor
from storage.privacy import has_number
from storage.wishes import Draft, Outcome, Result
from storage.words import plain
from usecases import wishes as usecase

PHONE = re.compile(r"^\+?[\d\s-]{5,20}$")
MAX_ADDRESS = 200


def typed_phone(text: str | None) -> str | None:
    """The phone number someone typed, full-width digits made plain ("１３８…" as a Chinese
    keyboard may type them, which a phone could not dial); None when it is not one."""
    phone = plain(text or "").strip()
    return phone if PHONE.match(phone) else None


async def begin(message: Message, thing_id: int, db: Database, state: FSMContext) -> None:
    grid = await places.by_id(db, thing_id)
    if grid is None or grid.kind != PlaceKind.GRID:
        await message.answer(_("This link is no longer valid. Please send /wish in your grid "
                               "group again."))
        return
    await state.clear()
    await state.set_state(WishForm.category)
    await state.update_data(grid_id=grid.id, draft_id=uuid.uuid4().hex)
    await message.answer(
        _("Let's write your micro-wish for “{grid}”. You can stop at any time with /cancel.\n\n"
          "First, what kind of help do you need?").format(grid=escape(grid.name)),
        reply_markup=keyboards.categories())


async def chose_category(query: CallbackQuery, callback_data: FormCb,
                         state: FSMContext) -> None:
    if callback_data.value not in set(Category):
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await state.update_data(category=callback_data.value)
    await state.set_state(WishForm.text)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(_("Kind of help: {category}").format(
            category=labels.category(callback_data.value)))
        await query.message.answer("\n".join([_(
            "Please describe what you need in a few sentences (at most {limit} characters). "
            "Leave out your phone number: I will ask for it privately next.").format(
            limit=wishes.MAX_TEXT), _(
            "You may also send a voice message, or photos (e.g. of what is broken): only the "
            "staff and the volunteer who claims it will see them, never the group.")]))


async def wrote_text(message: Message, state: FSMContext) -> None:
    await _take_text(message, state, message.text or "")


async def _take_text(message: Message, state: FSMContext, text: str) -> None:
    checked = wishes.check_text(text)
    if checked is not Result.OK:
        await message.answer(refusal(Outcome(checked)))
        return
    await state.update_data(text=text.strip())
    await state.set_state(WishForm.urgency)
    if has_number(text):
        await message.answer(_("Your text contains a number that looks like a phone or ID "
                               "number. It will be hidden on the public card; only the volunteer "
                               "who claims your micro-wish and the social workers will see it."))
    await message.answer(_("Is it urgent?"), reply_markup=keyboards.urgency())


def _voice_words(duration: int) -> str:
    """The words of a wish told by voice alone, the same in every language: 🎤 and its length."""
    return f"🎤 {duration // 60}:{duration % 60:02d}"


async def sent_media(message: Message, state: FSMContext) -> None:
    """A photo or voice message at any step before Submit is kept with the wish (by its
    Telegram file id); at the description step, a photo's caption or a voice message alone
    may be the description."""
    kept = list((await state.get_data()).get("media", []))
    if len(kept) >= media.MAX_IN_FORM:
        await message.answer(_("You have added as many photos and voice messages as one "
                               "micro-wish takes ({limit}).").format(limit=media.MAX_IN_FORM))
        return
    item = (media.Item(MediaKind.VOICE, message.voice.file_id) if message.voice
            else media.Item(MediaKind.PHOTO, message.photo[-1].file_id) if message.photo
            else None)
    if item is None:
        return
    kept.append([item.kind, item.file_id])
    await state.update_data(media=kept)
    await message.answer(_("Kept ({count} of {limit}): only the staff and the volunteer who "
                           "claims it will see it.").format(count=len(kept),
                                                            limit=media.MAX_IN_FORM))
    if await state.get_state() != WishForm.text:
        return
    if message.caption and message.caption.strip():
        await _take_text(message, state, message.caption)
    elif message.voice is not None:
        await _take_text(message, state, _voice_words(message.voice.duration))
    else:
        await message.answer(_("Now please describe what you need in words, or send a voice "
                               "message."))


def _attached(data: dict[str, object]) -> list[media.Item]:
    kept = data.get("media")
    return [media.Item(MediaKind(kind), str(file_id))
            for kind, file_id in (kept if isinstance(kept, list) else [])]


async def chose_urgency(query: CallbackQuery, callback_data: FormCb, state: FSMContext) -> None:
    urgent = callback_data.value == "1"
    await state.update_data(urgent=urgent)
    await state.set_state(WishForm.phone)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(_("Urgent") if urgent else _("Not urgent"))
        await query.message.answer(_(
            "Your contact phone, so the volunteer can reach you. Only the volunteer who takes "
            "your wish and the staff will see it. Send it, or tap Skip."),
            reply_markup=keyboards.skip())


async def wrote_phone(message: Message, state: FSMContext) -> None:
    phone = typed_phone(message.text)
    if phone is None:
        await message.answer(_("That does not look like a phone number. Please send digits "
                               "only, e.g. 13812345678, or tap Skip."),
                             reply_markup=keyboards.skip())
        return
    await state.update_data(phone=phone)
    await _ask_address(message, state)


async def _ask_address(message: Message, state: FSMContext) -> None:
    await state.set_state(WishForm.address)
    await message.answer(_("Your address (building and room), seen only by the volunteer and "
                           "the staff. Send it, or tap Skip."), reply_markup=keyboards.skip())


async def wrote_address(message: Message, state: FSMContext) -> None:
    address = (message.text or "").strip()
    if len(address) > MAX_ADDRESS:
        await message.answer(_("That is too long: please keep it under {limit} characters.")
                             .format(limit=MAX_ADDRESS))
        return
    await state.update_data(address=address)
    await _ask_confirmation(message, state)


async def skipped_phone(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await _ask_address(query.message, state)


async def skipped_address(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await _ask_confirmation(query.message, state)


def _draft(data: dict[str, object]) -> Draft:
    return Draft(text=str(data.get("text", "")),
                 category=Category(str(data.get("category", Category.OTHER))),
                 urgent=bool(data.get("urgent")),
                 phone=str(data["phone"]) if data.get("phone") else None,
                 address=str(data["address"]) if data.get("address") else None)


async def _ask_confirmation(message: Message, state: FSMContext) -> None:
    await state.set_state(WishForm.confirm)
    draft = _draft(await state.get_data())
    not_given = _("not given")
    lines = [
        _("<b>Please check your micro-wish</b>"),
        _("Kind of help: {category}").format(category=labels.category(draft.category)),
        escape(draft.text),
        _("Urgent") if draft.urgent else _("Not urgent"),
        _("Contact phone: {phone}").format(phone=escape(draft.phone or not_given)),
        _("Address: {address}").format(address=escape(draft.address or not_given)),
    ]
    if attached := _attached(await state.get_data()):
        lines.append(_("Photos and voice messages: {count} (only the staff and the volunteer "
                       "who claims it will see them)").format(count=len(attached)))
    await message.answer("\n".join(lines), reply_markup=keyboards.confirm_form())


async def submitted(query: CallbackQuery, state: FSMContext, actor: Actor, clock: Clock,
                    messenger: Messenger) -> None:
    data = await state.get_data()
    outcome = await usecase.post(
        messenger, actor, grid_id=int(str(data.get("grid_id", 0))), draft=_draft(data),
        now=clock.now(), source_key=f"form:{data.get('draft_id')}", attached=_attached(data))
    if outcome.hold is not None:  # the form stays at Submit, with its words, for later
        await query.answer()
        if isinstance(query.message, Message):  # Submit and Cancel move under the reason
            with suppress(TelegramBadRequest):
                await query.message.edit_reply_markup(reply_markup=None)
            await query.message.answer(wish_held(outcome.hold, clock.now(), kept=True),
                                       reply_markup=keyboards.confirm_form())
        return
    await state.clear()
    if not outcome.ok or outcome.wish is None:
        await query.answer(refusal(outcome), show_alert=True)
        return
    wish = outcome.wish
    if wish.state == WishState.OPEN:
        note = _("Thank you! Your micro-wish #{id} is posted in your grid group. "
                 "/mywishes shows how it is going.").format(id=wish.id)
    else:
        note = notices.waiting_for_verification(wish)
    if outcome.alerted is not None:
        note = "\n\n".join([notices.alerted(outcome.alerted), note])
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(note)


async def cancelled(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(_("Cancelled. Nothing was saved."))


async def not_text(message: Message) -> None:
    await message.answer(_("Please answer with a text message, or /cancel to stop."))


async def use_buttons(message: Message) -> None:
    await message.answer(_("Please tap one of the buttons above, or /cancel to stop."))


def router() -> Router:
    router = Router(name=__name__)
    router.message.filter(in_private)
    router.message.register(begin, CommandStart(deep_link=True), Opens(Purpose.WISH_FORM))
    router.callback_query.register(
        chose_category, StateFilter(WishForm.category), FormCb.filter(F.step == FormStep.CATEGORY)
    )
    router.message.register(wrote_text, StateFilter(WishForm.text), typed)
    router.callback_query.register(
        chose_urgency, StateFilter(WishForm.urgency), FormCb.filter(F.step == FormStep.URGENT)
    )
    router.message.register(wrote_phone, StateFilter(WishForm.phone), typed)
    router.message.register(wrote_address, StateFilter(WishForm.address), typed)
    router.callback_query.register(
        skipped_phone, StateFilter(WishForm.phone), FormCb.filter(F.step == FormStep.SKIP)
    )
    router.callback_query.register(
        skipped_address, StateFilter(WishForm.address), FormCb.filter(F.step == FormStep.SKIP)
    )
    router.callback_query.register(
        submitted, StateFilter(WishForm.confirm), FormCb.filter(F.step == FormStep.SUBMIT)
    )
    router.callback_query.register(cancelled, FormCb.filter(F.step == FormStep.CANCEL))
    router.message.register(sent_media, StateFilter(WishForm), Magic(F.photo | F.voice))
    typing_steps = StateFilter(WishForm.text, WishForm.phone, WishForm.address)
    button_steps = StateFilter(WishForm.category, WishForm.urgency, WishForm.confirm)
    router.message.register(not_text, typing_steps, not_a_command)
    router.message.register(use_buttons, button_steps, not_a_command)
    return router
