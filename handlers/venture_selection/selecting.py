"""/select: a street admin ranks, chooses within the budget, gives reasons and confirms; the
use case announces the result."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import SelectCb, SelectStep
from bot.clock import Clock
from bot.filters import in_private, typed
from bot.messenger import Messenger
from bot.states import SelectForm
from handlers.venture_selection.words import (
    cancel_button,
    cancelled,
    edit,
    own_form,
    ranked_line,
    refusal,
    round_number,
)
from storage import venture_selection as selection
from storage import words
from storage.db import Database
from storage.people import Actor
from storage.venture_selection import Board, Result
from usecases import venture_selection as usecase
from usecases.venture_selection import money, round_title


def _chosen_total(board: Board, chosen: Sequence[int]) -> int:
    return sum(p.budget_fen for p in board.proposals if p.id in chosen)


def choose_text(board: Board, chosen: Sequence[int]) -> str:
    found = board.round
    lines = [_("<b>Selection of {round}</b>").format(round=round_title(found)),
             _("Ranked by the mean of the reviewers' scores:")]
    for n, ranked in enumerate(board.ranking(), 1):
        mark = "☑" if ranked.proposal.id in chosen else "☐"
        lines.append(f"{mark} {n}. " + ranked_line(board, ranked))
    total = _chosen_total(board, chosen)
    lines.append(_("Chosen: {total} of the budget of {budget} ({left} left).").format(
        total=money(total), budget=money(found.budget_fen),
        left=money(found.budget_fen - total)))
    return "\n".join(lines)


def _choose_buttons(board: Board, chosen: Sequence[int]) -> InlineKeyboardMarkup:
    round_id = board.round.id or 0
    rows = [[InlineKeyboardButton(
        text=("☑ " if r.proposal.id in chosen else "☐ ") + f"{n}. {r.proposal.title[:40]}",
        callback_data=SelectCb(step=SelectStep.TOGGLE, round=round_id,
                               proposal=r.proposal.id or 0).pack())]
        for n, r in enumerate(board.ranking(), 1)]
    rows.append([InlineKeyboardButton(text=_("Next ›"), callback_data=SelectCb(
        step=SelectStep.NEXT, round=round_id).pack()), cancel_button(SelectCb)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _warning(shown: usecase.Shown) -> tuple[str, InlineKeyboardMarkup]:
    assert shown.board is not None
    board = shown.board
    waiting = "、".join(_("{name} ({count} left)").format(
        name=escape(shown.names.get(p, str(p))), count=n) for p, n in board.missing.items())
    text = _("<b>{round}</b>: not every reviewer has scored every proposal. Still to score: "
             "{names}. Select anyway?").format(round=round_title(board.round), names=waiting)
    return text, InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
        text=_("Select anyway"), callback_data=SelectCb(
            step=SelectStep.BEGIN, round=board.round.id or 0).pack()), cancel_button(SelectCb)]])


async def begin_select(message: Message, command: CommandObject, db: Database, actor: Actor,
                       clock: Clock, state: FSMContext) -> None:
    await state.clear()
    round_id = round_number(command.args)
    if round_id is None:
        rounds = await usecase.rounds_to_select(db, actor)
        if len(rounds) != 1:
            await message.answer("\n".join([_("Which round? Send /select with its number:"),
                                            *(f"/select {r.id} · {escape(r.theme)}"
                                              for r in rounds)]) if rounds else
                                 _("There is no round for you to select projects in."))
            return
        round_id = rounds[0].id or 0
    shown = await usecase.selection_view(db, actor, round_id, now=clock.now())
    if shown.board is None:
        await message.answer(refusal(shown.result))
        return
    if not shown.board.complete:
        text, markup = _warning(shown)
        await message.answer(text, reply_markup=markup)
        return
    form = await message.answer(choose_text(shown.board, []),
                                reply_markup=_choose_buttons(shown.board, []))
    await _start_choosing(state, round_id, form.message_id)


async def _start_choosing(state: FSMContext, round_id: int, message_id: int) -> None:
    await state.set_state(SelectForm.choose)
    await state.set_data({"round": round_id, "chosen": [], "reasons": {}, "others": {},
                          "queue": [], "message_id": message_id})


async def _view(query: CallbackQuery, db: Database, actor: Actor, clock: Clock,
                round_id: int) -> usecase.Shown | None:
    shown = await usecase.selection_view(db, actor, round_id, now=clock.now())
    if shown.board is None:
        await query.answer(refusal(shown.result), show_alert=True)
        return None
    return shown


async def anyway_pressed(query: CallbackQuery, callback_data: SelectCb, db: Database,
                         actor: Actor, clock: Clock, state: FSMContext) -> None:
    if query.message is not None and await state.get_value(
            "message_id") == query.message.message_id:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    shown = await _view(query, db, actor, clock, callback_data.round)
    if shown is None or shown.board is None or not isinstance(query.message, Message):
        return
    await query.answer()
    await edit(query, choose_text(shown.board, []), _choose_buttons(shown.board, []))
    await _start_choosing(state, callback_data.round, query.message.message_id)


async def toggled(query: CallbackQuery, callback_data: SelectCb, db: Database, actor: Actor,
                  clock: Clock, state: FSMContext) -> None:
    if not await own_form(query, state, callback_data.round):
        return
    shown = await _view(query, db, actor, clock, callback_data.round)
    if shown is None or shown.board is None:
        return
    board, chosen = shown.board, list(await state.get_value("chosen") or [])
    proposal = next((p for p in board.proposals if p.id == callback_data.proposal), None)
    if proposal is None:
        await query.answer(refusal(Result.NOT_IN_ROUND), show_alert=True)
        return
    if proposal.id in chosen:
        chosen.remove(proposal.id)
    else:
        total = _chosen_total(board, chosen)
        if total + proposal.budget_fen > board.round.budget_fen:
            await query.answer(_(
                "Over the budget: {chosen} chosen and {this} for this project make {sum}, "
                "more than the round's {budget}. Nothing was changed.").format(
                chosen=money(total), this=money(proposal.budget_fen),
                sum=money(total + proposal.budget_fen), budget=money(board.round.budget_fen)),
                show_alert=True)
            return
        chosen.append(proposal.id or 0)
    await query.answer()
    await state.update_data(chosen=chosen)
    await edit(query, choose_text(board, chosen), _choose_buttons(board, chosen))


async def _titles(db: Database, actor: Actor, clock: Clock,
                  round_id: int) -> dict[int, str]:
    shown = await usecase.selection_view(db, actor, round_id, now=clock.now())
    return {p.id or 0: p.title for p in shown.board.proposals} if shown.board else {}


def _reason_question(title: str, chosen: bool) -> str:
    return (_("Why is <b>{title}</b> selected? Write the reason (it is announced).") if chosen
            else _("Why is <b>{title}</b> not selected? Write the reason, or Skip.")).format(
        title=escape(title))


def _skip_one(round_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
        text=_("Skip"), callback_data=SelectCb(step=SelectStep.SKIP, round=round_id).pack()),
        cancel_button(SelectCb)]])


async def next_pressed(query: CallbackQuery, callback_data: SelectCb, db: Database,
                       actor: Actor, clock: Clock, state: FSMContext) -> None:
    if not await own_form(query, state, callback_data.round):
        return
    chosen = list(await state.get_value("chosen") or [])
    if not chosen:
        await query.answer(refusal(Result.NOTHING_CHOSEN), show_alert=True)
        return
    await query.answer()
    titles = await _titles(db, actor, clock, callback_data.round)
    await state.update_data(queue=chosen[1:], asking=chosen[0], titles={
        str(k): v for k, v in titles.items()})
    await state.set_state(SelectForm.reason)
    await edit(query, choose_text_done(titles, chosen), None)
    if isinstance(query.message, Message):
        await query.message.answer(_reason_question(titles.get(chosen[0], ""), True))


def choose_text_done(titles: dict[int, str], chosen: Sequence[int]) -> str:
    return _("Chosen: {titles}").format(titles=escape("、".join(titles.get(p, "")
                                                                for p in chosen)))


async def typed_reason(message: Message, state: FSMContext) -> None:
    checked = words.check(message.text, selection.MAX_REASON)
    if checked is not words.Words.OK:
        await message.answer(refusal(Result(checked)))
        return
    data = await state.get_data()
    current = await state.get_state()
    bucket = "reasons" if current == SelectForm.reason.state else "others"
    reasons = {**data[bucket], str(data["asking"]): (message.text or "").strip()}
    await state.update_data(**{bucket: reasons})
    await _ask_next(message, state)


async def _ask_next(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    titles = {int(k): v for k, v in data["titles"].items()}
    current = await state.get_state()
    if data["queue"]:
        asking, *rest = data["queue"]
        await state.update_data(asking=asking, queue=rest)
        chosen = current == SelectForm.reason.state
        asked = await message.answer(_reason_question(titles.get(asking, ""), chosen),
                                     reply_markup=None if chosen
                                     else _skip_one(int(data["round"])))
        await state.update_data(message_id=asked.message_id)
        return
    others = [p for p in titles if p not in data["chosen"]]
    if current == SelectForm.reason.state and others:
        await state.set_state(SelectForm.others)
        await state.update_data(asking=0)
        round_id = int(data["round"])
        asked = await message.answer(
            _("A reason for the proposals not selected? Write one reason for all of them, tap "
              "One by one, or Skip."), reply_markup=InlineKeyboardMarkup(inline_keyboard=[[
                InlineKeyboardButton(text=_("One by one"), callback_data=SelectCb(
                    step=SelectStep.EACH, round=round_id).pack()),
                InlineKeyboardButton(text=_("Skip"), callback_data=SelectCb(
                    step=SelectStep.SKIP, round=round_id).pack())]]))
        await state.update_data(message_id=asked.message_id)
        return
    await state.set_state(SelectForm.confirm)
    form = await message.answer(_confirm_text(data, titles), reply_markup=InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=_("✅ Confirm and announce"),
                                               callback_data=SelectCb(
                                                   step=SelectStep.CONFIRM,
                                                   round=int(data["round"])).pack()),
                          cancel_button(SelectCb)]]))
    await state.update_data(message_id=form.message_id)


def _confirm_text(data: dict[str, Any], titles: dict[int, str]) -> str:
    lines = [_("<b>Select these projects?</b> The result is announced to the street's and "
               "the communities' chats, and every proposer is told.")]
    for proposal_id, title in titles.items():
        chosen = proposal_id in data["chosen"]
        reason = (data["reasons"] if chosen else data["others"]).get(str(proposal_id))
        lines.append(("☑ " if chosen else "☐ ") + escape(title)
                     + (f": {escape(reason)}" if reason else ""))
    return "\n".join(lines)


async def others_pressed(query: CallbackQuery, callback_data: SelectCb,
                         state: FSMContext) -> None:
    if not await own_form(query, state, callback_data.round):
        return
    data = await state.get_data()
    if callback_data.step is SelectStep.EACH and data.get("asking") != 0:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await query.answer()
    if not isinstance(query.message, Message):
        return
    await query.message.edit_reply_markup(reply_markup=None)
    titles = {int(k): v for k, v in data["titles"].items()}
    if callback_data.step is SelectStep.EACH:
        await state.update_data(queue=[p for p in titles if p not in data["chosen"]])
    elif data.get("asking") == 0:
        await state.update_data(queue=[])
    await _ask_next(query.message, state)


async def confirmed(query: CallbackQuery, callback_data: SelectCb, messenger: Messenger,
                    actor: Actor, clock: Clock, state: FSMContext) -> None:
    if not await own_form(query, state, callback_data.round):
        return
    data = await state.get_data()
    others = {int(k): v for k, v in data["others"].items()}
    done = await usecase.select_projects(messenger, actor, int(data["round"]),
                                chosen={p: data["reasons"].get(str(p), "")
                                        for p in data["chosen"]},
                                others=others, now=clock.now())
    await state.clear()
    if not done.ok:
        text = refusal(done.result)
        if done.result is Result.OVER_BUDGET and done.round is not None:
            text = _("Over the budget: the projects chosen cost {sum}, more than the round's "
                     "{budget}. Nothing was changed.").format(
                sum=money(done.total_fen), budget=money(done.round.budget_fen))
        await query.answer(text, show_alert=True)
        await edit(query, text, None)
        return
    await query.answer()
    await edit(query, _("Projects selected: {count}, {total} of {budget}. The result is "
                         "announced, and the proposers are told.").format(
        count=len(done.selected), total=money(done.total_fen),
        budget=money(done.round.budget_fen if done.round else 0)), None)


async def typed_all_others(message: Message, state: FSMContext) -> None:
    """One reason typed for every proposal not selected."""
    if await state.get_value("asking") != 0:
        await typed_reason(message, state)
        return
    checked = words.check(message.text, selection.MAX_REASON)
    if checked is not words.Words.OK:
        await message.answer(refusal(Result(checked)))
        return
    data = await state.get_data()
    reason = (message.text or "").strip()
    await state.update_data(queue=[], others={k: reason for k in data["titles"]
                                              if int(k) not in data["chosen"]})
    await _ask_next(message, state)


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(begin_select, Command("select"), in_private)
    router.callback_query.register(anyway_pressed, SelectCb.filter(F.step == SelectStep.BEGIN))
    router.callback_query.register(toggled, StateFilter(SelectForm.choose),
                                   SelectCb.filter(F.step == SelectStep.TOGGLE))
    router.callback_query.register(next_pressed, StateFilter(SelectForm.choose),
                                   SelectCb.filter(F.step == SelectStep.NEXT))
    router.message.register(typed_reason, StateFilter(SelectForm.reason), typed, in_private)
    router.message.register(typed_all_others, StateFilter(SelectForm.others), typed,
                            in_private)
    router.callback_query.register(others_pressed, StateFilter(SelectForm.others),
                                   SelectCb.filter(F.step.in_({SelectStep.EACH,
                                                               SelectStep.SKIP})))
    router.callback_query.register(confirmed, StateFilter(SelectForm.confirm),
                                   SelectCb.filter(F.step == SelectStep.CONFIRM))
    router.callback_query.register(cancelled,
                                   SelectCb.filter(F.step == SelectStep.CANCEL))
    return router
