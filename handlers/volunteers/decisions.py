"""The staff decide on an application (approve, ask for more, decline); the applicant
answers a question."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, ForceReply, Message
from aiogram.utils.i18n import gettext as _

from bot import labels
from bot.callbacks import VolAction, VolCb
from bot.clock import Clock
from bot.filters import typed
from bot.messenger import Messenger
from bot.states import VolunteerAnswer, VolunteerDecision
from storage import people, volunteers
from storage.db import Database
from storage.models import VolunteerStatus
from storage.people import Actor
from storage.volunteers import Outcome, Result
from usecases import volunteers as usecase
from usecases.volunteers import Decision

# --- the staff decide -------------------------------------------------------------------------

DECISION_OF = {VolAction.APPROVE: Decision.APPROVE, VolAction.ASK: Decision.ASK,
               VolAction.DECLINE: Decision.DECLINE}


def _decision_refusal(outcome: Outcome) -> str:
    if outcome.result is Result.NOT_ALLOWED:
        return _("Only a social worker of the volunteer's grids can decide.")
    if outcome.result is Result.NOT_FOUND or outcome.volunteer is None:
        return _("This application no longer exists.")
    if outcome.result is Result.EMPTY:
        return _("The text is empty. Please write a few words.")
    if outcome.result is Result.TOO_LONG:
        return _("That is too long: please keep it under {limit} characters.").format(
            limit=volunteers.MAX_REASON)
    return _("Already decided: the volunteer is {status} now.").format(
        status=labels.volunteer_status(outcome.volunteer.status))


async def decide(query: CallbackQuery, callback_data: VolCb, actor: Actor, clock: Clock,
                 messenger: Messenger, state: FSMContext) -> None:
    decision = DECISION_OF[callback_data.action]
    if decision is Decision.APPROVE:
        outcome = await usecase.decide(messenger, actor, callback_data.person_id, decision,
                                       now=clock.now())
        if not outcome.ok:
            await query.answer(_decision_refusal(outcome), show_alert=True)
            return
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=None)
            await query.message.answer(
                _("You approved the application.") if query.message.chat.type == "private"
                else _("Approved by {name}.").format(
                    name=escape(await people.name_of(messenger.db, actor.id))))
        return
    allowed = await usecase.may_decide(messenger, actor, callback_data.person_id, decision)
    if not allowed.ok or allowed.volunteer is None:
        await query.answer(_decision_refusal(allowed), show_alert=True)
        return
    step, prompt = ((VolunteerDecision.question, _("What would you like to ask {name}? Reply "
                                                   "to this message."))
                    if decision is Decision.ASK else
                    (VolunteerDecision.decline_reason, _("Why is {name} declined? Reply to "
                                                         "this message; they will see it.")))
    await _ask_for_reply(query, state, step, callback_data.person_id,
                         prompt.format(name=escape(allowed.volunteer.real_name)))


async def _ask_for_reply(query: CallbackQuery, state: FSMContext, step: State, person_id: int,
                         prompt: str) -> None:
    await state.set_state(step)
    await state.update_data(person_id=person_id)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(prompt, reply_markup=ForceReply(selective=True))


async def wrote_question(message: Message, state: FSMContext, actor: Actor, clock: Clock,
                         messenger: Messenger) -> None:
    await _decided_with_words(message, state, actor, clock, messenger, Decision.ASK,
                              _("Sent. I will bring you the answer."))


async def wrote_decline_reason(message: Message, state: FSMContext, actor: Actor,
                               clock: Clock, messenger: Messenger) -> None:
    await _decided_with_words(message, state, actor, clock, messenger, Decision.DECLINE,
                              _("Declined; the applicant has been told the reason."))


async def _decided_with_words(message: Message, state: FSMContext, actor: Actor, clock: Clock,
                              messenger: Messenger, decision: Decision, done: str) -> None:
    person_id = int(await state.get_value("person_id", 0))
    outcome = await usecase.decide(messenger, actor, person_id, decision, now=clock.now(),
                                   said=message.text or "")
    if outcome.result in (Result.EMPTY, Result.TOO_LONG):
        await message.reply(_decision_refusal(outcome))  # the reply is still awaited
        return
    await state.clear()
    await message.reply(done if outcome.ok else _decision_refusal(outcome))


async def answer_pressed(query: CallbackQuery, callback_data: VolCb, actor: Actor,
                         db: Database, state: FSMContext) -> None:
    standing = await volunteers.get(db, actor.id)
    if callback_data.person_id != actor.id or standing is None \
            or standing.status != VolunteerStatus.NEEDS_INFO:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await state.set_state(VolunteerAnswer.answer)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(_("Please write your answer."),
                                   reply_markup=ForceReply(selective=True))


async def wrote_answer(message: Message, state: FSMContext, actor: Actor, clock: Clock,
                       messenger: Messenger) -> None:
    outcome = await usecase.answer(messenger, actor, message.text or "", now=clock.now())
    if outcome.result in (Result.EMPTY, Result.TOO_LONG):
        await message.answer(_("Please keep it under {limit} characters.").format(
            limit=volunteers.MAX_ANSWER))
        return
    await state.clear()
    await message.answer(_("Thank you, I passed your answer on.") if outcome.ok else _(
        "Your application has been decided meanwhile; nothing to answer any more."))


def router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(answer_pressed, VolCb.filter(F.action == VolAction.ANSWER))
    router.callback_query.register(decide, VolCb.filter())
    router.message.register(wrote_question, StateFilter(VolunteerDecision.question), typed)
    router.message.register(wrote_decline_reason,
                            StateFilter(VolunteerDecision.decline_reason), typed)
    router.message.register(wrote_answer, StateFilter(VolunteerAnswer.answer), typed)
    return router
