"""What the routers of micro-venture projects share: their refusals in words, a number typed
after a command, and the form's own message."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from storage import words
from storage.venture_progress import MAX_PHOTOS, MAX_TEXT, Result


def refusal(result: Result) -> str:
    return {
        Result.NOT_FOUND: _("There is no such micro-venture project."),
        Result.NOT_YOURS: _("Only the project's organisation representative can do this."),
        Result.NOT_ALLOWED: _("Only the street office's admins and the round's reviewers can "
                              "do this."),
        Result.WRONG_STATE: _("The project or its round is not at that step."),
        Result.ALREADY: _("This is done already."),
        Result.EMPTY: _("The text is empty. Please write a few words."),
        Result.TOO_LONG: _("Please keep it under {limit} characters.").format(limit=MAX_TEXT),
        Result.TOO_MANY: _("A report takes at most {limit} photos.").format(limit=MAX_PHOTOS),
        Result.OUT_OF_RANGE: _("This button is no longer valid."),
    }.get(result, _("This button is no longer valid."))


def round_refusal(result: Result) -> str:
    return {
        Result.NOT_FOUND: _("There is no such micro-venture round."),
        Result.NOT_ALLOWED: _("Only an admin of the round's street office can do this."),
        Result.WRONG_STATE: _("The round is not at that step."),
        Result.ALREADY: _("This is done already."),
    }.get(result, _("This button is no longer valid."))


def number(args: str | None) -> int | None:
    typed_words = (args or "").strip().lstrip("#")
    return int(typed_words) if typed_words.isdecimal() and 0 < int(typed_words) <= \
        words.MAX_ROW_NUMBER else None


async def private_only(message: Message) -> None:
    await message.answer(_("Micro-venture projects are followed privately: please send me "
                           "this command in a private chat."))


async def edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=markup)


async def own_form(query: CallbackQuery, state: FSMContext) -> bool:
    if query.message is None or query.message.message_id != await state.get_value(
            "message_id"):
        await query.answer(_("This button belongs to another form."), show_alert=True)
        return False
    return True
