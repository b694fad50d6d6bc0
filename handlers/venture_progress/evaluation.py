"""The round's final evaluation (评估验收): /evaluate_round and /finish_round (a street admin,
with confirmation), the residents' answers and the reviewers' final scores by buttons."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import labels, round_report
from bot.callbacks import FinalCb, FinalStep, ProjectRateCb, RoundCb, RoundStep
from bot.clock import Clock
from bot.filters import in_private, typed
from bot.messenger import Messenger
from bot.states import FinalEvaluationForm
from handlers.venture_progress.common import edit, number, own_form, refusal, round_refusal
from storage.models import RoundState
from storage.people import Actor
from storage.venture_progress import MAX_NOTE, SCALE, Result
from usecases import venture_progress as usecase

# -- /evaluate_round, /finish_round ------------------------------------------------------------


async def ask_decision(message: Message, command: CommandObject, actor: Actor,
                       messenger: Messenger) -> None:
    evaluating = (command.command or "").lower() == "evaluate_round"
    found = number(command.args)
    if found is None:
        await message.answer(_("Please give the round's number, e.g. /{command} 3.").format(
            command=command.command))
        return
    step = RoundState.RUNNING if evaluating else RoundState.EVALUATING
    checked = await usecase.may_decide(messenger, actor, found, step)
    if checked is not Result.OK:
        await message.answer(round_refusal(checked))
        return
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Confirm"), callback_data=RoundCb(
        step=RoundStep.EVALUATE if evaluating else RoundStep.FINISH, round=found))
    builder.button(text=_("Cancel"), callback_data=RoundCb(step=RoundStep.CANCEL))
    text = (_("Call the final evaluation of round #{id} now? Its projects' work ends: the "
              "residents and reviewers are asked.") if evaluating else
            _("Finish round #{id} now? Its report goes to the street office's chat, with the "
              "evaluations given so far."))
    await message.answer(text.format(id=found), reply_markup=builder.as_markup())


async def decided(query: CallbackQuery, callback_data: RoundCb, actor: Actor, clock: Clock,
                  messenger: Messenger) -> None:
    if callback_data.step is RoundStep.CANCEL:
        await query.answer()
        await edit(query, _("Cancelled. Nothing was changed."), None)
        return
    if callback_data.step is RoundStep.EVALUATE:
        done = await usecase.call_evaluation(messenger, actor, callback_data.round,
                                             now=clock.now())
        said = _("The final evaluation of round #{id} has begun.")
    else:
        done = await usecase.finish(messenger, actor, callback_data.round, now=clock.now())
        said = _("Round #{id} is finished: its report goes to the street office's chat.")
    if done is not Result.OK:
        await query.answer(round_refusal(done), show_alert=True)
        return
    await query.answer()
    await edit(query, said.format(id=callback_data.round), None)


# -- the residents' answers --------------------------------------------------------------------


async def rated(query: CallbackQuery, callback_data: ProjectRateCb, actor: Actor, clock: Clock,
                messenger: Messenger) -> None:
    outcome = await usecase.rate(messenger, actor, callback_data.rating, callback_data.score,
                                 now=clock.now())
    if outcome.result is Result.NOT_YOURS:
        await query.answer(_("This question is about another resident's micro-wish."),
                           show_alert=True)
        return
    if not outcome.ok:
        await query.answer(refusal(outcome.result), show_alert=True)
        return
    await query.answer(_("Thank you for your answer!"))
    if isinstance(query.message, Message):
        await query.message.edit_text(
            "\n".join([query.message.html_text, "", _("Your answer: {answer}").format(
                answer=labels.solved_button(callback_data.score))]), reply_markup=None)


# -- the reviewers' final evaluation -----------------------------------------------------------


def _score_buttons(index: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for score in range(1, SCALE + 1):
        builder.button(text=str(score), callback_data=FinalCb(step=FinalStep.SCORE,
                                                              value=f"{index}.{score}"))
    builder.button(text=_("Cancel"), callback_data=FinalCb(step=FinalStep.CANCEL))
    builder.adjust(SCALE, 1)
    return builder.as_markup()


def _final_heading(data: dict[str, object]) -> str:
    return _("<b>Final evaluation of project #{id}</b> {project}").format(
        id=data["proposal"], project=escape(str(data["title"])))


def _scores_line(data: dict[str, object]) -> str:
    scores = dict(data["scores"])  # type: ignore[call-overload]
    return " · ".join(f"{round_report.criterion(name)} {scores[name]}"
                      for name in data["criteria"] if name in scores)  # type: ignore[attr-defined]


def _criterion_question(data: dict[str, object]) -> str:
    criteria = list(data["criteria"])  # type: ignore[call-overload]
    index = int(data["index"])  # type: ignore[call-overload]
    return "\n".join(line for line in [_final_heading(data), _scores_line(data), _(
        "Step {step} of {steps}: {criterion}, from 1 (poor) to 5 (excellent)?").format(
        step=index + 1, steps=len(criteria) + 1,
        criterion=round_report.criterion(criteria[index]))] if line)


async def begin_final(query: CallbackQuery, callback_data: FinalCb, actor: Actor,
                      messenger: Messenger, state: FSMContext) -> None:
    allowed, found = await usecase.may_evaluate(messenger, actor, callback_data.proposal)
    if found is None or query.message is None:
        await query.answer(refusal(allowed), show_alert=True)
        return
    await query.answer()
    await state.clear()
    await state.set_state(FinalEvaluationForm.score)
    data: dict[str, object] = {
        "proposal": found.proposal.id, "title": found.proposal.title,
        "criteria": list(found.round.criteria), "scores": {}, "index": 0}
    sent = await query.message.answer(_criterion_question(data), reply_markup=_score_buttons(0))
    await state.set_data({**data, "message_id": sent.message_id})


async def scored(query: CallbackQuery, callback_data: FinalCb, state: FSMContext) -> None:
    if not await own_form(query, state):
        return
    data = await state.get_data()
    index, _dot, score = callback_data.value.partition(".")
    criteria = list(data["criteria"])
    if index != str(data["index"]) or not score.isdecimal() or not 1 <= int(score) <= SCALE:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await query.answer()
    data = await state.update_data(scores={**data["scores"], criteria[int(index)]: int(score)},
                                   index=int(index) + 1)
    if int(index) + 1 < len(criteria):
        await edit(query, _criterion_question(data), _score_buttons(int(index) + 1))
        return
    await state.set_state(FinalEvaluationForm.note)
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Skip"), callback_data=FinalCb(step=FinalStep.SKIP_NOTE))
    builder.button(text=_("Cancel"), callback_data=FinalCb(step=FinalStep.CANCEL))
    builder.adjust(1)
    await edit(query, "\n".join([_final_heading(data), _scores_line(data), _(
        "Last step: a short note for the record (up to {limit} characters), or Skip.").format(
        limit=MAX_NOTE)]), builder.as_markup())


async def skipped_note(query: CallbackQuery, actor: Actor, clock: Clock, messenger: Messenger,
                       state: FSMContext) -> None:
    if not await own_form(query, state):
        return
    await query.answer()
    if isinstance(query.message, Message):
        await _save_final(query.message, actor, clock, messenger, state, None, edit=True)


async def typed_note(message: Message, actor: Actor, clock: Clock, messenger: Messenger,
                     state: FSMContext) -> None:
    await _save_final(message, actor, clock, messenger, state, message.text, edit=False)


async def _save_final(message: Message, actor: Actor, clock: Clock, messenger: Messenger,
                      state: FSMContext, note: str | None, *, edit: bool) -> None:
    data = await state.get_data()
    outcome = await usecase.evaluate(messenger, actor, proposal_id=int(data["proposal"]),
                                     scores=dict(data["scores"]), note=note, now=clock.now())
    if outcome.result in (Result.EMPTY, Result.TOO_LONG):
        await message.answer(_("Please keep it under {limit} characters.").format(
            limit=MAX_NOTE) if outcome.result is Result.TOO_LONG else refusal(outcome.result))
        return
    await state.clear()
    text = "\n".join([_final_heading(data), _scores_line(data), _("Saved.")]) if outcome.ok \
        else refusal(outcome.result)
    if edit:
        await message.edit_text(text, reply_markup=None)
        return
    if message.bot is not None and data.get("message_id"):
        await message.bot.edit_message_reply_markup(chat_id=message.chat.id,
                                                    message_id=int(data["message_id"]),
                                                    reply_markup=None)
    await message.answer(text)


async def final_cancelled(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    await edit(query, _("Cancelled. Nothing was saved."), None)


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(ask_decision, Command("evaluate_round", "finish_round"))
    router.callback_query.register(decided, RoundCb.filter())
    router.callback_query.register(rated, ProjectRateCb.filter())
    router.callback_query.register(begin_final, FinalCb.filter(F.step == FinalStep.BEGIN))
    router.callback_query.register(scored, StateFilter(FinalEvaluationForm.score),
                                   FinalCb.filter(F.step == FinalStep.SCORE))
    router.callback_query.register(skipped_note, StateFilter(FinalEvaluationForm.note),
                                   FinalCb.filter(F.step == FinalStep.SKIP_NOTE))
    router.callback_query.register(final_cancelled, FinalCb.filter(F.step == FinalStep.CANCEL))
    router.message.register(typed_note, StateFilter(FinalEvaluationForm.note), typed,
                            in_private)
    return router
