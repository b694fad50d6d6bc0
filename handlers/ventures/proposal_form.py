"""/propose: an organisation's representative proposes a project in a round, privately.

The steps: the round (when several take proposals), the organisation (remembered from the
last proposal), title, the round's needs it answers, plan, budget lines ("item amount", one
per line or one per message, then Done; the total is shown and a line over the round's cap is
refused with the figures), milestones ("2026-12-20 title", one per line, each after today),
team, and a summary to Submit. From the summary any part may be changed alone. A proposal
changed later (/my_proposals) opens the same summary with its parts filled in.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from html import escape

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import venture_forms, venture_notices, words_zh
from bot.callbacks import VentureAction, VentureCb, VentureFormCb, VentureStep
from bot.clock import Clock
from bot.filters import in_group, in_private, not_a_command
from bot.states import ProposalForm
from bot.venture_forms import Data, Form, Read, Rows, button, lines_of
from storage import ventures, words
from storage.db import Database
from storage.people import Actor
from storage.privacy import has_number
from storage.ventures import ProposalDraft, Result
from usecases import ventures as usecase
from usecases.ventures import Offered

KEPT = 24  # characters of a kept answer on its button
_DATED = re.compile(r"^(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日号號]?"
                    r"|\d{1,2}\s*[-/.月]\s*\d{1,2}\s*[日号號]?)\s*[:：,，]?\s*(.*)$")
TEXTS = {"organisation": ventures.MAX_ORGANISATION, "title": ventures.MAX_TITLE,
         "plan": ventures.MAX_PLAN, "team": ventures.MAX_TEAM}


def no_numbers() -> str:
    return _("Please leave out phone, ID and other long numbers: a proposal is read by "
             "reviewers and may be announced; people reach your organisation through me.")


def no_round() -> str:
    return _("There is no round you can propose in now: a round takes proposals from the "
             "representatives of organisations of its street, until its deadline.")


# -- the steps -------------------------------------------------------------------------------


def _text(name: str) -> venture_forms.Reader:
    def read(text: str, data: Data, now: datetime) -> Read | str:
        if ventures.check_text(text, TEXTS[name]) is not Result.OK:
            return _("Please write a few words (at most {limit} characters).").format(
                limit=TEXTS[name])
        if has_number(text):
            return no_numbers()
        return Read({name: text.strip()})

    return read


def _total(lines: list[list[object]]) -> int:
    return sum(int(str(amount)) for _item, amount in lines)


def _lines(text: str, data: Data, now: datetime) -> Read | str:
    kept = list(data.get("lines", []))
    for typed in lines_of(text):
        line = ventures.budget_line(typed)
        if line is not None and has_number(line[0]):
            return no_numbers()
        if line is None:
            return _("I could not read “{line}”. Write one item and its amount in yuan per "
                     "line, e.g. 场地租金 800.").format(line=escape(typed))
        kept.append([line[0], line[1]])
    if len(kept) > ventures.MAX_LINES:
        return _("A proposal has at most {most} budget lines.").format(most=ventures.MAX_LINES)
    if _total(kept) > int(data["cap"]):
        return _("That makes {total}, over the round's cap of {cap} per project: these lines "
                 "were not added.").format(total=venture_notices.money(_total(kept)),
                                           cap=venture_notices.money(int(data["cap"])))
    return Read({"lines": kept}, stay=True)


def _milestone(typed: str, today: date) -> tuple[date, str] | None:
    found = _DATED.match(words.plain(typed).strip())
    if found is None:
        return None
    day = words_zh.day(found.group(1), today)
    title = found.group(2).strip()
    if day is None or words.check(title, ventures.MAX_TITLE) is not words.Words.OK:
        return None
    return day, title


def _milestones(text: str, data: Data, now: datetime) -> Read | str:
    today = venture_notices.today_in(str(data.get("tz", "Asia/Shanghai")), now)
    kept = list(data.get("milestones", []))
    for typed in lines_of(text):
        found = _milestone(typed, today)
        if found is None:
            return escape(_("I could not read “{line}”. Write the day and what is done by "
                            "then, one per line, e.g. 2026-12-20 招募志愿者.").format(line=typed))
        if has_number(found[1]):
            return no_numbers()
        if found[0] <= today:
            return _("“{line}”: a milestone's day comes after today.").format(
                line=escape(typed))
        kept.append([found[0].isoformat(), found[1]])
    if len(kept) > ventures.MAX_MILESTONES:
        return _("A proposal has at most {most} milestones.").format(
            most=ventures.MAX_MILESTONES)
    return Read({"milestones": sorted(kept)}, stay=True)


READERS = {ProposalForm.organisation.state: _text("organisation"),
           ProposalForm.title.state: _text("title"), ProposalForm.plan.state: _text("plan"),
           ProposalForm.team.state: _text("team"), ProposalForm.lines.state: _lines,
           ProposalForm.milestones.state: _milestones}


def _kept(data: Data, name: str) -> Rows:
    value = str(data.get(name) or "")
    if not value:
        return []
    short = value if len(value) <= KEPT else value[:KEPT - 1] + "…"
    return [[button(_("Keep: {value}").format(value=short), VentureStep.KEEP)]]


def _line_list(data: Data) -> list[str]:
    return [_("• {item}: {amount}").format(item=escape(str(item)),
                                           amount=venture_notices.money(int(amount)))
            for item, amount in data.get("lines", [])]


def _milestone_list(data: Data) -> list[str]:
    return [_("• {day}: {title}").format(
        day=venture_notices.day(date.fromisoformat(str(day))), title=escape(str(title)))
        for day, title in data.get("milestones", [])]


def _typed_list_rows(data: Data, name: str) -> Rows:
    if not data.get(name):
        return []
    return [[button(_("Done"), VentureStep.DONE), button(_("Start over"), VentureStep.AGAIN)]]


def summary(data: Data) -> str:
    chosen = [int(n) for n in data.get("chosen", [])]
    needs = [f"#{wish_id} {venture_notices.need_words(str(words_of))}"
             for wish_id, words_of in data.get("offered", []) if wish_id in chosen]
    return "\n".join([
        _("Round #{id}: {theme}").format(id=data.get("round"),
                                         theme=escape(str(data.get("theme", "")))),
        _("Organisation: {name}").format(name=escape(str(data.get("organisation", "")))),
        _("Title: {title}").format(title=escape(str(data.get("title", "")))),
        _("Needs: {needs}").format(needs="; ".join(needs)),
        _("Plan:"), escape(str(data.get("plan", ""))),
        _("Budget: {total} (cap {cap})").format(
            total=venture_notices.money(_total(data.get("lines", []))),
            cap=venture_notices.money(int(data.get("cap", 0)))),
        *_line_list(data),
        _("Timeline:"), *_milestone_list(data),
        _("Team: {team}").format(team=escape(str(data.get("team", "")))),
    ])


def _parts() -> list[tuple[str, str]]:
    return [("organisation", _("Organisation")), ("title", _("Title")), ("needs", _("Needs")),
            ("plan", _("Plan")), ("lines", _("Budget")), ("milestones", _("Timeline")),
            ("team", _("Team"))]


async def _ask(step: State, data: Data) -> tuple[str, Rows]:
    match step:
        case ProposalForm.round:
            return _("In which round?"), [
                [button(f"#{round_id} {theme}", VentureStep.CHOOSE, round_id)]
                for round_id, theme in data.get("rounds", [])]
        case ProposalForm.organisation:
            return _("Which organisation proposes it? (Its full name.)"), _kept(
                data, "organisation")
        case ProposalForm.title:
            return _("The project's title?"), _kept(data, "title")
        case ProposalForm.needs:
            return _("Which of the round's needs does it answer? Tap to choose, tap again to "
                     "leave out; then Done."), venture_forms.need_rows(
                data.get("offered", []), [int(n) for n in data.get("chosen", [])],
                int(data.get("page", 0)))
        case ProposalForm.plan:
            return _("The plan: what will be done, for whom, and how (at most {limit} "
                     "characters).").format(limit=ventures.MAX_PLAN), _kept(data, "plan")
        case ProposalForm.lines:
            return "\n".join([
                escape(_("The budget: one item and its amount in yuan per line, e.g. 场地租金 "
                         "800. Send them in one message or several, then Done.")),
                *_line_list(data),
                _("Total: {total} of at most {cap}").format(
                    total=venture_notices.money(_total(data.get("lines", []))),
                    cap=venture_notices.money(int(data.get("cap", 0))))]), \
                _typed_list_rows(data, "lines")
        case ProposalForm.milestones:
            return "\n".join([
                escape(_("The timeline: each milestone's day and what is done by then, one "
                         "per line, e.g. 2026-12-20 招募志愿者. Then Done.")),
                *_milestone_list(data)]), _typed_list_rows(data, "milestones")
        case ProposalForm.team:
            return _("Who does the work? The team and their experience."), _kept(data, "team")
    parts = [button(_("✏️ {part}").format(part=label), VentureStep.PART, name)
             for name, label in _parts()]
    return "\n".join([_("Please check your proposal, then Submit."), summary(data)]), [
        [button(_("✅ Submit"), VentureStep.CONFIRM)], parts[:4], parts[4:]]


FORM = Form(title=lambda data: _("Changing proposal #{id}").format(id=data["proposal_id"])
            if data.get("proposal_id") else _("New proposal"),
            order=list(ProposalForm.__states__), ask=_ask, readers=READERS,
            skipped=lambda step, data: step == ProposalForm.round and len(
                data.get("rounds", [])) < 2)


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
    if not await venture_forms.own_form(query, state):
        return
    current = await state.get_state()
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
        await query.message.edit_text("\n".join([
            text, _("Until the deadline you may change or withdraw it: /my_proposals."),
            summary(data)]))


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
                                                      ProposalForm.milestones),
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
