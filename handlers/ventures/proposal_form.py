"""/propose: an organisation's representative proposes a project in a round, privately.

The steps: the round (when several take proposals), the organisation (remembered from the
last proposal), title, the round's needs it answers, plan, budget lines ("item amount", one
per line or one per message, then Done; the total is shown and a line over the round's cap is
refused with the figures), milestones ("2026-12-20 title", one per line, each after today),
team, and a summary to Submit. From the summary any part may be changed alone. A proposal
changed later (/my_proposals) opens the same summary with its parts filled in.
"""

from __future__ import annotations

import uuid
from datetime import date

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot import venture_forms
from bot.callbacks import VentureAction, VentureCb, VentureFormCb, VentureStep
from bot.clock import Clock
from bot.filters import in_group, in_private, not_a_command
from bot.states import ProposalForm
from bot.venture_forms import Data
from handlers.ventures.proposal_steps import FORM, no_round, summary
from storage import ventures
from storage.db import Database
from storage.people import Actor
from storage.ventures import ProposalDraft, Result
from usecases import ventures as usecase
from usecases.ventures import Offered

# -- opening the form ------------------------------------------------------------------------


async def begin(message: Message, db: Database, actor: Actor, clock: Clock,
                state: FSMContext) -> None:
    offered = await usecase.open_to(db, actor, now=clock.now())
    if not offered:
        await message.answer(no_round())
        return
    await _start(message, db, actor, state, offered)


async def private_only(message: Message) -> None:
    await message.reply(_("Proposals are made privately: please send /propose to me in a "
                          "private chat."))


async def from_announcement(query: CallbackQuery, callback_data: VentureCb, db: Database,
                            actor: Actor, clock: Clock, state: FSMContext) -> None:
    found = await usecase.offered(db, actor, callback_data.round, now=clock.now())
    if found is None or not isinstance(query.message, Message):
        await query.answer(no_round(), show_alert=True)
        return
    await query.answer()
    await _start(query.message, db, actor, state, [found])


async def _start(message: Message, db: Database, actor: Actor, state: FSMContext,
                 offered: list[Offered]) -> None:
    await state.clear()
    organisation = await usecase.last_organisation(db, actor)
    await state.update_data(rounds=[[o.round.id, o.round.theme] for o in offered],
                            form_id=uuid.uuid4().hex, organisation=organisation or "",
                            message_id=None)
    if len(offered) == 1:
        await state.update_data(**_round_data(offered[0]))
        await venture_forms.show(FORM, state, ProposalForm.organisation, message=message)
        return
    await venture_forms.show(FORM, state, ProposalForm.round, message=message)


def _round_data(found: Offered) -> Data:
    return {"round": found.round.id, "theme": found.round.theme, "cap": found.round.cap_fen,
            "tz": found.street.timezone, "chosen": [], "page": 0,
            "offered": [[n.wish_id, f"{n.text} · {n.community}"] for n in found.needs]}


async def chose_round(query: CallbackQuery, callback_data: VentureFormCb, db: Database,
                      actor: Actor, clock: Clock, state: FSMContext) -> None:
    if not await venture_forms.own_form(query, state):
        return
    found = await usecase.offered(db, actor, int(callback_data.value or 0)
                                  if callback_data.value.isdecimal() else 0, now=clock.now())
    if found is None:
        await query.answer(no_round(), show_alert=True)
        return
    await venture_forms.forward(FORM, query, state, **_round_data(found))


async def edit(query: CallbackQuery, callback_data: VentureCb, db: Database, actor: Actor,
               clock: Clock, state: FSMContext) -> None:
    """/my_proposals' ✏️ Change: the summary with the proposal's parts, to change any."""
    found = await usecase.draft_of(db, actor, callback_data.proposal)
    if found is None:
        await query.answer(_("This is not your proposal."), show_alert=True)
        return
    proposal = found.full.proposal
    if not ventures.taking_proposals(found.round, clock.now()) \
            or proposal.state not in ventures.LIVE:
        await query.answer(closed_or_withdrawn(found.round, proposal.state), show_alert=True)
        return
    await state.clear()
    await state.update_data(
        rounds=[[found.round.id, found.round.theme]], form_id=uuid.uuid4().hex,
        proposal_id=proposal.id, message_id=None, round=found.round.id,
        theme=found.round.theme, cap=found.round.cap_fen, tz=found.timezone, page=0,
        offered=[[n.wish_id, f"{n.text} · {n.community}"] for n in found.needs],
        chosen=found.full.needs, organisation=proposal.organisation, title=proposal.title,
        plan=proposal.plan, team=proposal.team,
        lines=[[line.item, line.amount_fen] for line in found.full.lines],
        milestones=[[m.due_on.isoformat(), m.title] for m in found.full.milestones])
    await query.answer()
    if isinstance(query.message, Message):
        await venture_forms.show(FORM, state, ProposalForm.confirm, message=query.message)


def closed_or_withdrawn(found: object, state: str) -> str:
    if state not in ventures.LIVE:
        return _("This proposal was withdrawn: it can no longer be changed.")
    return _("The deadline for proposals of round #{id} has passed: proposals can no longer "
             "be changed or withdrawn.").format(id=getattr(found, "id", ""))


# -- buttons of the steps --------------------------------------------------------------------


async def need(query: CallbackQuery, callback_data: VentureFormCb, state: FSMContext) -> None:
    if await venture_forms.own_form(query, state):
        await venture_forms.toggle_need(FORM, query, state, callback_data.value)


async def page(query: CallbackQuery, callback_data: VentureFormCb, state: FSMContext) -> None:
    if await venture_forms.own_form(query, state):
        await venture_forms.turn_needs(FORM, query, state, callback_data.value)


async def done(query: CallbackQuery, state: FSMContext) -> None:
    if not await venture_forms.own_form(query, state):
        return
    current = await state.get_state()
    if current == ProposalForm.needs.state:
        await venture_forms.needs_done(FORM, query, state)
        return
    name = "lines" if current == ProposalForm.lines.state else "milestones"
    if not (await state.get_data()).get(name):
        await query.answer(_("Please add at least one line first."), show_alert=True)
        return
    await venture_forms.forward(FORM, query, state)


async def again(query: CallbackQuery, state: FSMContext) -> None:
    """Start over: the budget lines or milestones typed anew; from the summary, every step
    again with the answers kept (each may be kept with a tap)."""
    if not await venture_forms.own_form(query, state):
        return
    current = await state.get_state()
    if current == ProposalForm.confirm.state:
        await venture_forms.show(FORM, state, ProposalForm.organisation, query=query,
                                 part=False)
        return
    name = "lines" if current == ProposalForm.lines.state else "milestones"
    await venture_forms.show(FORM, state, ProposalForm.lines if name == "lines"
                             else ProposalForm.milestones, query=query, **{name: []})


async def keep(query: CallbackQuery, state: FSMContext) -> None:
    if await venture_forms.own_form(query, state):
        await venture_forms.forward(FORM, query, state)


async def part(query: CallbackQuery, callback_data: VentureFormCb, state: FSMContext) -> None:
    if not await venture_forms.own_form(query, state):
        return
    step = venture_forms.state_named(FORM.order, callback_data.value)
    if step is None or step in (ProposalForm.round, ProposalForm.confirm):
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await venture_forms.show(FORM, state, step, query=query, part=True)


async def typed(message: Message, state: FSMContext, clock: Clock) -> None:
    await venture_forms.typed(FORM, message, state, clock.now())


async def back(query: CallbackQuery, state: FSMContext) -> None:
    await venture_forms.back(FORM, query, state)


def _draft(data: Data) -> ProposalDraft:
    return ProposalDraft(
        organisation=str(data.get("organisation", "")), title=str(data.get("title", "")),
        wish_ids=[int(n) for n in data.get("chosen", [])], plan=str(data.get("plan", "")),
        lines=[(str(item), int(amount)) for item, amount in data.get("lines", [])],
        milestones=[(date.fromisoformat(str(day)), str(title))
                    for day, title in data.get("milestones", [])],
        team=str(data.get("team", "")))


def refusal(result: Result, data: Data) -> str:
    return {
        Result.NOT_ALLOWED: no_round(),
        Result.CLOSED: _("The deadline for proposals of round #{id} has passed: proposals can "
                         "no longer be changed or withdrawn.").format(id=data.get("round")),
        Result.TOO_MANY: _("Your organisation has already made as many proposals in this round "
                           "as it allows. /my_proposals shows them: you may change one "
                           "instead."),
        Result.NOT_YOURS: _("This is not your proposal."),
        Result.WRONG_STATE: _("This proposal was withdrawn: it can no longer be changed."),
        Result.PAST: _("A milestone's day has passed: please change the timeline."),
        Result.OVER_CAP: _("The budget is over the round's cap: please change it."),
    }.get(result, _("Some part of the proposal is missing: please fill it in."))


async def submitted(query: CallbackQuery, state: FSMContext, db: Database, actor: Actor,
                    clock: Clock) -> None:
    if not await venture_forms.own_form(query, state):
        return
    data = await state.get_data()
    if data.get("proposal_id"):
        outcome = await usecase.edit(db, actor, int(data["proposal_id"]), _draft(data),
                                     now=clock.now())
    else:
        outcome = await usecase.propose(db, actor, int(data["round"]), _draft(data),
                                        now=clock.now(), source_key=f"proposal:{data['form_id']}")
    if outcome.result not in (Result.OK, Result.ALREADY) or outcome.proposal is None:
        if outcome.result in (Result.PAST, Result.OVER_CAP, Result.EMPTY, Result.NO_NEEDS,
                              Result.NOT_A_NEED, Result.TOO_LONG):
            await query.answer(refusal(outcome.result, data), show_alert=True)
            return
        await state.clear()
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.edit_text(refusal(outcome.result, data))
        return
    await state.clear()
    await query.answer()
    text = (_("Proposal #{id} is changed.") if data.get("proposal_id") else
            _("Proposal #{id} is submitted.")).format(id=outcome.proposal.id)
    if isinstance(query.message, Message):
        mine = outcome.proposal.id or 0
        await query.message.edit_text("\n".join([
            text, _("Until the deadline you may change or withdraw it: /my_proposals."),
            summary(data)]), reply_markup=InlineKeyboardMarkup(inline_keyboard=[[
                InlineKeyboardButton(text=_("✏️ Change #{id}").format(id=mine),
                                     callback_data=VentureCb(action=VentureAction.EDIT,
                                                             proposal=mine).pack()),
                InlineKeyboardButton(text=_("Withdraw #{id}").format(id=mine),
                                     callback_data=VentureCb(action=VentureAction.WITHDRAW,
                                                             proposal=mine).pack())]]))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(begin, Command("propose"), in_private)
    router.message.register(private_only, Command("propose", "my_proposals"), in_group)
    router.callback_query.register(from_announcement,
                                   VentureCb.filter(F.action == VentureAction.PROPOSE))
    router.callback_query.register(edit, VentureCb.filter(F.action == VentureAction.EDIT))
    form = StateFilter(ProposalForm)
    router.callback_query.register(chose_round, StateFilter(ProposalForm.round),
                                   VentureFormCb.filter(F.step == VentureStep.CHOOSE))
    needs = StateFilter(ProposalForm.needs)
    router.callback_query.register(need, needs, VentureFormCb.filter(F.step == VentureStep.NEED))
    router.callback_query.register(page, needs, VentureFormCb.filter(F.step == VentureStep.PAGE))
    router.callback_query.register(
        done, StateFilter(ProposalForm.needs, ProposalForm.lines, ProposalForm.milestones),
        VentureFormCb.filter(F.step == VentureStep.DONE))
    router.callback_query.register(again, StateFilter(ProposalForm.lines,
                                                      ProposalForm.milestones,
                                                      ProposalForm.confirm),
                                   VentureFormCb.filter(F.step == VentureStep.AGAIN))
    router.callback_query.register(keep, form, VentureFormCb.filter(F.step == VentureStep.KEEP))
    router.callback_query.register(part, StateFilter(ProposalForm.confirm),
                                   VentureFormCb.filter(F.step == VentureStep.PART))
    router.callback_query.register(submitted, StateFilter(ProposalForm.confirm),
                                   VentureFormCb.filter(F.step == VentureStep.CONFIRM))
    router.callback_query.register(back, form, VentureFormCb.filter(F.step == VentureStep.BACK))
    router.callback_query.register(venture_forms.cancel, form,
                                   VentureFormCb.filter(F.step == VentureStep.CANCEL))
    router.message.register(typed, form, in_private, not_a_command)
    return router
