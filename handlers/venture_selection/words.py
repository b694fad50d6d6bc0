"""The selection's words and small pieces shared by its routers: refusals in the reader's
words, the round's number as typed, a form's own message."""

from __future__ import annotations

import re
from html import escape

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot import words_zh
from bot.callbacks import ScoreCb, ScoreStep, SelectCb, SelectStep
from storage import venture_selection as selection
from storage.models import VentureRound
from storage.venture_selection import Board, Ranked, Result
from usecases.venture_selection import criterion_label, money, points

_NUMBER = re.compile(r"^#?(\d{1,9})$")


def refusal(result: Result) -> str:
    match result:
        case Result.NOT_FOUND:
            return _("There is no such round.")
        case Result.NOT_REVIEWER:
            return _("You are not a reviewer of this round: only its street's admins and "
                     "those they named score its proposals.")
        case Result.NOT_ALLOWED:
            return _("Only an admin of the round's street office may do that.")
        case Result.NOT_IN_ROUND:
            return _("That proposal is not one of this round's.")
        case Result.EARLY:
            return _("Proposals are still being taken: the selection comes after the "
                     "deadline.")
        case Result.ALREADY:
            return _("This round's projects have been selected already: nothing was changed.")
        case Result.WRONG_STATE:
            return _("This round is not being reviewed: nothing was changed.")
        case Result.OUT_OF_RANGE:
            return _("This button is no longer valid.")
        case Result.NOTHING_CHOSEN:
            return _("Choose at least one project first.")
        case Result.EMPTY:
            return _("The text is empty. Please write a few words.")
        case Result.TOO_LONG:
            return _("Please keep it under {limit} characters.").format(
                limit=selection.MAX_REASON)
        case _:
            return _("That did not work: nothing was changed.")


def round_number(args: str | None) -> int | None:
    found = _NUMBER.match(words_zh.plain((args or "").split()[0] if args else ""))
    return int(found.group(1)) if found else None


async def cancelled(query: CallbackQuery, state: FSMContext) -> None:
    """Cancel of either form: nothing of it is kept."""
    await state.clear()
    await query.answer()
    await edit(query, _("Cancelled. Nothing was saved."), None)


def cancel_button(factory: type[ScoreCb] | type[SelectCb]) -> InlineKeyboardButton:
    step = ScoreStep.CANCEL if factory is ScoreCb else SelectStep.CANCEL
    return InlineKeyboardButton(text=_("Cancel"), callback_data=factory(step=step).pack())


async def edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=markup)


async def own_form(query: CallbackQuery, state: FSMContext, round_id: int) -> bool:
    if query.message is None or query.message.message_id != await state.get_value(
            "message_id") or round_id != await state.get_value("round"):
        await query.answer(_("This button belongs to another form."), show_alert=True)
        return False
    return True


async def private_only(message: Message) -> None:
    await message.reply(_("Scores and the selection are private: please send me this command "
                          "in a private chat."))


def scores_line(found: VentureRound, scores: dict[str, int]) -> str:
    return " · ".join(f"{criterion_label(c)} {scores[c]}" for c in found.criteria
                      if c in scores)


def ranked_line(board: Board, ranked: Ranked) -> str:
    means = " · ".join(f"{criterion_label(c)} {points(m)}" for c, m in ranked.means.items())
    return _("<b>{title}</b> ({organisation}), {budget}: mean {mean} ({means}; reviewers who "
             "scored it: {count})").format(
        title=escape(ranked.proposal.title), organisation=escape(ranked.proposal.organisation),
        budget=money(ranked.proposal.budget_fen), mean=points(ranked.mean),
        means=means or "—", count=ranked.reviewers)
