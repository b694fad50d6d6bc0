"""/score: a reviewer's board of a round (their own scores; everyone's once all have scored)
and the scoring form of one proposal: its details, 1 to 5 per criterion by buttons, a note,
Save."""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot import formatting
from bot.callbacks import ScoreCb, ScoreStep
from bot.clock import Clock
from bot.filters import in_private, typed
from bot.i18n import current_locale
from bot.messenger import Messenger
from bot.states import ScoreForm
from handlers.venture_selection.words import (
    cancel_button,
    cancelled,
    edit,
    own_form,
    ranked_line,
    refusal,
    round_number,
    scores_line,
)
from storage import venture_selection as selection
from storage import words
from storage.db import Database
from storage.models import VentureRound
from storage.people import Actor
from storage.venture_selection import Board, Details, Result
from usecases import venture_selection as usecase
from usecases.venture_selection import criterion_label, money, round_title

MAX_DETAILS = 3800


def board_text(board: Board, names: dict[int, str], reviewer_id: int) -> str:
    found = board.round
    own = board.own(reviewer_id)
    lines = [_("<b>{round}</b>: scoring").format(round=round_title(found))]
    if not board.proposals:
        lines.append(_("There are no proposals to score."))
    for n, proposal in enumerate(board.proposals, 1):
        mine = own.get(proposal.id or 0)
        lines.append(_("{n}. {title} ({organisation}), {budget}").format(
            n=n, title=escape(proposal.title), organisation=escape(proposal.organisation),
            budget=money(proposal.budget_fen)))
        lines.append(_("  Your scores: {scores}").format(
            scores=scores_line(found, mine.scores)) if mine else _("  Not scored by you yet"))
    if board.complete:
        lines.append(_("<b>Everyone has scored. All reviewers' scores:</b>"))
        for ranked in board.ranking():
            lines.append(ranked_line(board, ranked))
            for person_id in board.panel:
                given = board.scores.get((ranked.proposal.id or 0, person_id))
                if given is not None:
                    lines.append(f"  {escape(names.get(person_id, ''))}: "
                                 f"{scores_line(found, given.scores)}"
                                 + (f" · {escape(given.note)}" if given.note else ""))
    else:
        waiting = len(board.missing)
        lines.append(_("Other reviewers' scores are shown here once every reviewer has scored "
                       "every proposal ({count} still scoring). You may change your scores "
                       "until the selection.").format(count=waiting))
    return "\n".join(lines)


def board_buttons(board: Board) -> InlineKeyboardMarkup | None:
    rows = [[InlineKeyboardButton(text=_("✏️ {n}. {title}").format(n=n, title=p.title[:40]),
                                  callback_data=ScoreCb(step=ScoreStep.OPEN,
                                                        round=board.round.id or 0,
                                                        proposal=p.id or 0).pack())]
            for n, p in enumerate(board.proposals, 1)]
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


async def _send_board(message: Message, db: Database, actor: Actor, round_id: int) -> None:
    shown = await usecase.review_board(db, actor, round_id)
    if shown.board is None:
        await message.answer(refusal(shown.result))
        return
    await message.answer(board_text(shown.board, shown.names, actor.id),
                         reply_markup=board_buttons(shown.board))


async def begin_score(message: Message, command: CommandObject, db: Database, actor: Actor,
                      state: FSMContext) -> None:
    await state.clear()
    round_id = round_number(command.args)
    if round_id is not None:
        await _send_board(message, db, actor, round_id)
        return
    rounds = await usecase.rounds_to_review(db, actor)
    if not rounds:
        await message.answer(_("There is no round for you to score now."))
    for found in rounds[:5]:
        await _send_board(message, db, actor, found.id or 0)


async def list_pressed(query: CallbackQuery, callback_data: ScoreCb, db: Database,
                       actor: Actor) -> None:
    shown = await usecase.review_board(db, actor, callback_data.round)
    if shown.board is None:
        await query.answer(refusal(shown.result), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(board_text(shown.board, shown.names, actor.id),
                                   reply_markup=board_buttons(shown.board))


def details_text(found: VentureRound, shown: Details) -> str:
    proposal, locale = shown.proposal, current_locale()
    lines = [_("<b>{title}</b> · {round}").format(title=escape(proposal.title),
                                                   round=round_title(found)),
             _("Organisation: {name}").format(name=escape(proposal.organisation)),
             _("Needs it answers:")]
    lines += [f"• {escape(text[:120])}" for text in shown.needs]
    lines.append(_("Plan: {plan}").format(plan=escape(proposal.plan)))
    lines.append(_("Budget:"))
    lines += [f"• {escape(line.item)}: {money(line.amount_fen)}" for line in shown.lines]
    lines.append(_("Total: {total}").format(total=money(proposal.budget_fen)))
    lines.append(_("Milestones:"))
    lines += [f"• {formatting.day(m.due_on, locale)}: {escape(m.title)}"
              for m in shown.milestones]
    lines.append(_("Team: {team}").format(team=escape(proposal.team)))
    text = "\n".join(lines)
    return text if len(text) <= MAX_DETAILS else text[:MAX_DETAILS - 1] + "…"


def _question(data: dict[str, Any]) -> str:
    criteria, index = list(data["criteria"]), int(data["index"])
    lines = [_("<b>Scoring {title}</b>").format(title=escape(str(data["title"])))]
    lines += [f"{criterion_label(c)}: {data['scores'][c]}" for c in criteria
              if c in data["scores"]]
    lines.append(_("Step {step} of {steps}: {criterion}, from 1 (poor) to 5 (excellent)?")
                 .format(step=index + 1, steps=len(criteria) + 2,
                         criterion=criterion_label(criteria[index])))
    return "\n".join(lines)


def _score_buttons(data: dict[str, Any]) -> InlineKeyboardMarkup:
    index = int(data["index"])
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
        text=str(score), callback_data=ScoreCb(
            step=ScoreStep.SCORE, round=int(data["round"]), proposal=int(data["proposal"]),
            value=f"{index}.{score}").pack()) for score in range(1, selection.SCALE + 1)],
        [cancel_button(ScoreCb)]])


async def open_pressed(query: CallbackQuery, callback_data: ScoreCb, db: Database,
                       actor: Actor, state: FSMContext) -> None:
    result, found, shown = await usecase.may_score(db, actor, callback_data.round,
                                                   callback_data.proposal)
    if result is not Result.OK or found is None or shown is None:
        await query.answer(refusal(result), show_alert=True)
        return
    await query.answer()
    if not isinstance(query.message, Message):
        return
    await query.message.answer(details_text(found, shown))
    data: dict[str, Any] = {"round": found.id, "proposal": shown.proposal.id,
                            "title": shown.proposal.title, "criteria": list(found.criteria),
                            "scores": {}, "index": 0, "note": None}
    form = await query.message.answer(_question(data), reply_markup=_score_buttons(data))
    await state.clear()
    await state.set_state(ScoreForm.score)
    await state.set_data({**data, "message_id": form.message_id})


async def _still_allowed(query: CallbackQuery, db: Database, actor: Actor,
                         callback_data: ScoreCb, data: dict[str, Any]) -> bool:
    if callback_data.proposal != data.get("proposal"):
        await query.answer(refusal(Result.NOT_IN_ROUND), show_alert=True)
        return False
    result, _found, _shown = await usecase.may_score(db, actor, callback_data.round,
                                                     callback_data.proposal)
    if result is not Result.OK:
        await query.answer(refusal(result), show_alert=True)
        return False
    return True


async def scored(query: CallbackQuery, callback_data: ScoreCb, db: Database, actor: Actor,
                 state: FSMContext) -> None:
    if not await own_form(query, state, callback_data.round):
        return
    data = await state.get_data()
    if not await _still_allowed(query, db, actor, callback_data, data):
        return
    index, _dot, value = callback_data.value.partition(".")
    if index != str(data["index"]) or not value.isdecimal() \
            or not 1 <= int(value) <= selection.SCALE:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await query.answer()
    criteria = list(data["criteria"])
    data = await state.update_data(scores={**data["scores"], criteria[int(index)]: int(value)},
                                   index=int(index) + 1)
    if int(index) + 1 < len(criteria):
        await edit(query, _question(data), _score_buttons(data))
        return
    await state.set_state(ScoreForm.note)
    await edit(query, _note_question(data), InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=_("Skip"), callback_data=ScoreCb(
            step=ScoreStep.SKIP_NOTE, round=int(data["round"]),
            proposal=int(data["proposal"])).pack())], [cancel_button(ScoreCb)]]))


def _summary(data: dict[str, Any]) -> list[str]:
    lines = [_("<b>Scoring {title}</b>").format(title=escape(str(data["title"]))),
             " · ".join(f"{criterion_label(c)} {data['scores'][c]}" for c in data["criteria"])]
    if data.get("note"):
        lines.append(_("Note: {note}").format(note=escape(str(data["note"]))))
    return lines


def _note_question(data: dict[str, Any]) -> str:
    return "\n".join([*_summary(data), _(
        "A short note for the other reviewers (up to {limit} characters), or Skip.").format(
        limit=selection.MAX_NOTE)])


def _confirm_markup(data: dict[str, Any]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
        text=_("✅ Save"), callback_data=ScoreCb(step=ScoreStep.SAVE, round=int(data["round"]),
                                                proposal=int(data["proposal"])).pack()),
        cancel_button(ScoreCb)]])


async def skipped_note(query: CallbackQuery, callback_data: ScoreCb, state: FSMContext) -> None:
    if not await own_form(query, state, callback_data.round):
        return
    await query.answer()
    data = await state.update_data(note=None)
    await state.set_state(ScoreForm.confirm)
    await edit(query, "\n".join([*_summary(data), _("Save these scores?")]),
                _confirm_markup(data))


async def typed_note(message: Message, state: FSMContext) -> None:
    checked = words.check(message.text, selection.MAX_NOTE)
    if checked is not words.Words.OK:
        await message.answer(_("Please keep it under {limit} characters.").format(
            limit=selection.MAX_NOTE) if checked is words.Words.TOO_LONG
            else refusal(Result.EMPTY))
        return
    data = await state.update_data(note=(message.text or "").strip())
    await state.set_state(ScoreForm.confirm)
    if message.bot is not None:
        await message.bot.edit_message_reply_markup(chat_id=message.chat.id,
                                                    message_id=int(data["message_id"]),
                                                    reply_markup=None)
    form = await message.answer("\n".join([*_summary(data), _("Save these scores?")]),
                                reply_markup=_confirm_markup(data))
    await state.update_data(message_id=form.message_id)


async def save_pressed(query: CallbackQuery, callback_data: ScoreCb, messenger: Messenger,
                       actor: Actor, clock: Clock, state: FSMContext) -> None:
    if not await own_form(query, state, callback_data.round):
        return
    data = await state.get_data()
    if callback_data.proposal != data.get("proposal"):
        await query.answer(refusal(Result.NOT_IN_ROUND), show_alert=True)
        return
    done = await usecase.score(messenger, actor, int(data["round"]), int(data["proposal"]),
                               scores=dict(data["scores"]), note=data.get("note"),
                               now=clock.now())
    await state.clear()
    if done is not Result.OK:
        await query.answer(refusal(done), show_alert=True)
        await edit(query, refusal(done), None)
        return
    await query.answer(_("Saved."))
    await edit(query, "\n".join([*_summary(data), _("Saved.")]), None)
    if isinstance(query.message, Message):
        await _send_board(query.message, messenger.db, actor, int(data["round"]))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(begin_score, Command("score"), in_private)
    router.callback_query.register(list_pressed, ScoreCb.filter(F.step == ScoreStep.LIST))
    router.callback_query.register(open_pressed, ScoreCb.filter(F.step == ScoreStep.OPEN))
    router.callback_query.register(scored, StateFilter(ScoreForm.score),
                                   ScoreCb.filter(F.step == ScoreStep.SCORE))
    router.callback_query.register(skipped_note, StateFilter(ScoreForm.note),
                                   ScoreCb.filter(F.step == ScoreStep.SKIP_NOTE))
    router.message.register(typed_note, StateFilter(ScoreForm.note), typed, in_private)
    router.callback_query.register(save_pressed, StateFilter(ScoreForm.confirm),
                                   ScoreCb.filter(F.step == ScoreStep.SAVE))
    router.callback_query.register(cancelled, ScoreCb.filter(F.step == ScoreStep.CANCEL))
    return router
