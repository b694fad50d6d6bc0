"""A micro-venture round's selection (评审立项), privately: /round_reviewers (a street admin
names reviewers and removes them), /score (a reviewer scores each proposal, 1 to 5 per
criterion, with a note), /select (a street admin chooses the projects within the budget, with
a reason for each, and confirms: the result is announced).

Every button carries the round (and the proposal) it is about, and is asked of the use case
again when pressed: a button of another round, of a proposal of another round, or pressed by
someone who does not review the round changes nothing and says why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot import formatting, words_zh
from bot.callbacks import ReviewerCb, ScoreCb, ScoreStep, SelectCb, SelectStep
from bot.clock import Clock
from bot.filters import in_group, in_private, typed
from bot.i18n import current_locale
from bot.messenger import Messenger
from bot.states import ScoreForm, SelectForm
from storage import people, words
from storage import venture_selection as selection
from storage.db import Database
from storage.models import VentureRound
from storage.people import Actor
from storage.venture_selection import Board, Details, Ranked, Result
from usecases import venture_selection as usecase
from usecases.venture_selection import criterion_label, money, points, round_title

COMMANDS = ("score", "select")
MAX_DETAILS = 3800
_NUMBER = re.compile(r"^#?(\d{1,9})$")


# -- words -----------------------------------------------------------------------------------


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


def _round_number(args: str | None) -> int | None:
    found = _NUMBER.match(words_zh.plain((args or "").split()[0] if args else ""))
    return int(found.group(1)) if found else None


def _cancel(factory: type[ScoreCb] | type[SelectCb]) -> InlineKeyboardButton:
    step = ScoreStep.CANCEL if factory is ScoreCb else SelectStep.CANCEL
    return InlineKeyboardButton(text=_("Cancel"), callback_data=factory(step=step).pack())


async def _edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=markup)


async def _own_form(query: CallbackQuery, state: FSMContext, round_id: int) -> bool:
    if query.message is None or query.message.message_id != await state.get_value(
            "message_id") or round_id != await state.get_value("round"):
        await query.answer(_("This button belongs to another form."), show_alert=True)
        return False
    return True


async def private_only(message: Message) -> None:
    await message.reply(_("Scores and the selection are private: please send me this command "
                          "in a private chat."))


# -- reviewers -------------------------------------------------------------------------------


async def _reviewers_text(db: Database, actor: Actor,
                          round_id: int) -> tuple[str, InlineKeyboardMarkup | None]:
    result, found, admins, named, names = await usecase.reviewers(db, actor, round_id)
    if result is not Result.OK or found is None:
        return refusal(result), None
    lines = [_("<b>Reviewers of {round}</b>").format(round=round_title(found)),
             _("The street's admins, always: {names}").format(
                 names=escape("、".join(names[p] for p in admins)) or "—"),
             _("Named: {names}").format(names=escape("、".join(names[p] for p in named)) or "—"),
             escape(_("Name more with /round_reviewers {number} @username …").format(
                 number=found.id))]
    rows = [[InlineKeyboardButton(text=_("✖ {name}").format(name=names[p]),
                                  callback_data=ReviewerCb(round=round_id, person=p).pack())]
            for p in named] if found.state in selection.NAMING_STATES else []
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


async def round_reviewers(message: Message, command: CommandObject, messenger: Messenger,
                          actor: Actor, clock: Clock) -> None:
    parts = (command.args or "").split()
    round_id = _round_number(command.args)
    if round_id is None:
        await message.reply(escape(_("Give the round's number, and the people to name: "
                                     "/round_reviewers 3 @username …")))
        return
    wanted, unknown = [], []
    for word in parts[1:]:
        if word.isdecimal():
            wanted.append(int(word))
        elif (person := await people.by_username(messenger.db, word)) is not None:
            wanted.append(person.id)
        else:
            unknown.append(word)
    lines = []
    if wanted:
        done = await usecase.name_reviewers(messenger, actor, round_id, wanted, now=clock.now())
        refused = set(done.values()) & {Result.NOT_ALLOWED, Result.NOT_FOUND}
        if refused:
            await message.reply(refusal(refused.pop()))
            return
        names = await people.names_of(messenger.db, wanted)
        for person_id, result in done.items():
            name = escape(names[person_id])
            lines.append({
                Result.OK: _("Named: {name}.").format(name=name),
                Result.ALREADY: _("{name} is a reviewer already.").format(name=name),
                Result.ADMIN: _("{name} is an admin of the street and reviews always.").format(
                    name=name),
                Result.TOO_MANY: _("{name} was not named: a round has at most {count} named "
                                   "reviewers.").format(name=name, count=selection.MAX_NAMED),
            }.get(result, refusal(result)))
    lines += [_("I do not know {name}: they need to write to me once first.").format(
        name=escape(word)) for word in unknown]
    text, markup = await _reviewers_text(messenger.db, actor, round_id)
    await message.reply("\n".join([*lines, text]), reply_markup=markup)


async def remove_pressed(query: CallbackQuery, callback_data: ReviewerCb, messenger: Messenger,
                         actor: Actor, clock: Clock) -> None:
    done = await usecase.remove_reviewer(messenger, actor, callback_data.round,
                                         callback_data.person, now=clock.now())
    if done is not Result.OK:
        await query.answer(_("{name} is not a named reviewer of this round.").format(
            name=await people.name_of(messenger.db, callback_data.person))
            if done is Result.NOT_FOUND else refusal(done), show_alert=True)
        return
    await query.answer(_("Removed."))
    text, markup = await _reviewers_text(messenger.db, actor, callback_data.round)
    await _edit(query, text, markup)


# -- scoring ---------------------------------------------------------------------------------


def _scores_line(found: VentureRound, scores: dict[str, int]) -> str:
    return " · ".join(f"{criterion_label(c)} {scores[c]}" for c in found.criteria
                      if c in scores)


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
            scores=_scores_line(found, mine.scores)) if mine else _("  Not scored by you yet"))
    if board.complete:
        lines.append(_("<b>Everyone has scored. All reviewers' scores:</b>"))
        for ranked in board.ranking():
            lines.append(_ranked_line(board, ranked))
            for person_id in board.panel:
                given = board.scores.get((ranked.proposal.id or 0, person_id))
                if given is not None:
                    lines.append(f"  {escape(names.get(person_id, ''))}: "
                                 f"{_scores_line(found, given.scores)}"
                                 + (f" · {escape(given.note)}" if given.note else ""))
    else:
        waiting = len(board.missing)
        lines.append(_("Other reviewers' scores are shown here once every reviewer has scored "
                       "every proposal ({count} still scoring). You may change your scores "
                       "until the selection.").format(count=waiting))
    return "\n".join(lines)


def _ranked_line(board: Board, ranked: Ranked) -> str:
    means = " · ".join(f"{criterion_label(c)} {points(m)}" for c, m in ranked.means.items())
    return _("<b>{title}</b> ({organisation}), {budget}: mean {mean} ({means}; {count} "
             "reviewers)").format(
        title=escape(ranked.proposal.title), organisation=escape(ranked.proposal.organisation),
        budget=money(ranked.proposal.budget_fen), mean=points(ranked.mean),
        means=means or "—", count=ranked.reviewers)


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
    round_id = _round_number(command.args)
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
        [_cancel(ScoreCb)]])


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
    if not await _own_form(query, state, callback_data.round):
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
        await _edit(query, _question(data), _score_buttons(data))
        return
    await state.set_state(ScoreForm.note)
    await _edit(query, _note_question(data), InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=_("Skip"), callback_data=ScoreCb(
            step=ScoreStep.SKIP_NOTE, round=int(data["round"]),
            proposal=int(data["proposal"])).pack())], [_cancel(ScoreCb)]]))


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
        _cancel(ScoreCb)]])


async def skipped_note(query: CallbackQuery, callback_data: ScoreCb, state: FSMContext) -> None:
    if not await _own_form(query, state, callback_data.round):
        return
    await query.answer()
    data = await state.update_data(note=None)
    await state.set_state(ScoreForm.confirm)
    await _edit(query, "\n".join([*_summary(data), _("Save these scores?")]),
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
    if not await _own_form(query, state, callback_data.round):
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
        await _edit(query, refusal(done), None)
        return
    await query.answer(_("Saved."))
    await _edit(query, "\n".join([*_summary(data), _("Saved.")]), None)
    if isinstance(query.message, Message):
        await _send_board(query.message, messenger.db, actor, int(data["round"]))


async def score_cancelled(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await _edit(query, _("Cancelled. Nothing was saved."), None)


# -- selecting -------------------------------------------------------------------------------


def _chosen_total(board: Board, chosen: Sequence[int]) -> int:
    return sum(p.budget_fen for p in board.proposals if p.id in chosen)


def choose_text(board: Board, chosen: Sequence[int]) -> str:
    found = board.round
    lines = [_("<b>Selection of {round}</b>").format(round=round_title(found)),
             _("Ranked by the mean of the reviewers' scores:")]
    for n, ranked in enumerate(board.ranking(), 1):
        mark = "☑" if ranked.proposal.id in chosen else "☐"
        lines.append(f"{mark} {n}. " + _ranked_line(board, ranked))
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
        step=SelectStep.NEXT, round=round_id).pack()), _cancel(SelectCb)])
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
            step=SelectStep.BEGIN, round=board.round.id or 0).pack()), _cancel(SelectCb)]])


async def begin_select(message: Message, command: CommandObject, db: Database, actor: Actor,
                       clock: Clock, state: FSMContext) -> None:
    await state.clear()
    round_id = _round_number(command.args)
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
    shown = await _view(query, db, actor, clock, callback_data.round)
    if shown is None or shown.board is None or not isinstance(query.message, Message):
        return
    await query.answer()
    await _edit(query, choose_text(shown.board, []), _choose_buttons(shown.board, []))
    await _start_choosing(state, callback_data.round, query.message.message_id)


async def toggled(query: CallbackQuery, callback_data: SelectCb, db: Database, actor: Actor,
                  clock: Clock, state: FSMContext) -> None:
    if not await _own_form(query, state, callback_data.round):
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
    await _edit(query, choose_text(board, chosen), _choose_buttons(board, chosen))


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
        _cancel(SelectCb)]])


async def next_pressed(query: CallbackQuery, callback_data: SelectCb, db: Database,
                       actor: Actor, clock: Clock, state: FSMContext) -> None:
    if not await _own_form(query, state, callback_data.round):
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
    await _edit(query, choose_text_done(titles, chosen), None)
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
        await message.answer(_reason_question(titles.get(asking, ""), chosen),
                             reply_markup=None if chosen else _skip_one(int(data["round"])))
        return
    others = [p for p in titles if p not in data["chosen"]]
    if current == SelectForm.reason.state and others:
        await state.set_state(SelectForm.others)
        await state.update_data(asking=0)
        await message.answer(_("A reason for the proposals not selected? Write one reason for "
                               "all of them, tap One by one, or Skip."),
                             reply_markup=InlineKeyboardMarkup(inline_keyboard=[[
                                 InlineKeyboardButton(text=_("One by one"), callback_data=SelectCb(
                                     step=SelectStep.EACH, round=int(data["round"])).pack()),
                                 InlineKeyboardButton(text=_("Skip"), callback_data=SelectCb(
                                     step=SelectStep.SKIP, round=int(data["round"])).pack())]]))
        return
    await state.set_state(SelectForm.confirm)
    form = await message.answer(_confirm_text(data, titles), reply_markup=InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=_("✅ Confirm and announce"),
                                               callback_data=SelectCb(
                                                   step=SelectStep.CONFIRM,
                                                   round=int(data["round"])).pack()),
                          _cancel(SelectCb)]]))
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
    if await state.get_value("round") != callback_data.round:
        await query.answer(_("This button belongs to another form."), show_alert=True)
        return
    await query.answer()
    if not isinstance(query.message, Message):
        return
    await query.message.edit_reply_markup(reply_markup=None)
    data = await state.get_data()
    titles = {int(k): v for k, v in data["titles"].items()}
    if callback_data.step is SelectStep.EACH and data.get("asking") == 0:
        await state.update_data(queue=[p for p in titles if p not in data["chosen"]])
    elif data.get("asking") == 0:
        await state.update_data(queue=[])
    await _ask_next(query.message, state)


async def confirmed(query: CallbackQuery, callback_data: SelectCb, messenger: Messenger,
                    actor: Actor, clock: Clock, state: FSMContext) -> None:
    if not await _own_form(query, state, callback_data.round):
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
        await _edit(query, text, None)
        return
    await query.answer()
    await _edit(query, _("Selected: {count} projects, {total} of {budget}. The result is "
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


async def select_cancelled(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await _edit(query, _("Cancelled. Nothing was saved."), None)


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(round_reviewers, Command("round_reviewers"))
    router.callback_query.register(remove_pressed, ReviewerCb.filter())
    router.message.register(begin_score, Command("score"), in_private)
    router.message.register(begin_select, Command("select"), in_private)
    router.message.register(private_only, Command(*COMMANDS), in_group)
    router.callback_query.register(list_pressed, ScoreCb.filter(F.step == ScoreStep.LIST))
    router.callback_query.register(open_pressed, ScoreCb.filter(F.step == ScoreStep.OPEN))
    router.callback_query.register(scored, StateFilter(ScoreForm.score),
                                   ScoreCb.filter(F.step == ScoreStep.SCORE))
    router.callback_query.register(skipped_note, StateFilter(ScoreForm.note),
                                   ScoreCb.filter(F.step == ScoreStep.SKIP_NOTE))
    router.message.register(typed_note, StateFilter(ScoreForm.note), typed, in_private)
    router.callback_query.register(save_pressed, StateFilter(ScoreForm.confirm),
                                   ScoreCb.filter(F.step == ScoreStep.SAVE))
    router.callback_query.register(score_cancelled, ScoreCb.filter(F.step == ScoreStep.CANCEL))
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
    router.callback_query.register(select_cancelled,
                                   SelectCb.filter(F.step == SelectStep.CANCEL))
    return router

