"""/round: a street admin opens a micro-venture round (微创投) with a private form.

Sent in the street's chat (or any chat of the street), it answers with a button that opens the
form privately (a signed link for that street). Sent privately, it opens the form at once,
asking first which street when the person administers several. The steps: theme, the needs
(the street's adopted wishes, on and off), total budget, cap per project, deadline for
proposals, selection date, criteria, proposals per organisation, then a summary to Confirm.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot import links, venture_forms, venture_notices, words_zh
from bot.callbacks import VentureFormCb, VentureStep
from bot.clock import Clock
from bot.filters import in_group, in_private, not_a_command
from bot.links import Opens, Purpose
from bot.messenger import Messenger
from bot.states import RoundForm
from bot.venture_forms import Data, Form, Read, Rows, button
from storage import ventures
from storage.db import Database
from storage.models import Place
from storage.people import Actor
from storage.ventures import DEFAULT_CRITERIA, Result, RoundDraft
from usecases import ventures as usecase

_SEPARATORS = re.compile(r"\s*[,，、;；/]\s*")


def not_a_street_admin() -> str:
    return _("Only an admin of the street office can open a micro-venture round.")


def no_needs() -> str:
    return _("This street has no needs for a round yet: a round answers micro-wishes that "
             "the street office adopted as projects (the Adopt button on a wish passed up to "
             "the street).")


# -- the steps -------------------------------------------------------------------------------


def _today(data: Data, now: datetime) -> date:
    return venture_notices.today_in(str(data.get("tz", "Asia/Shanghai")), now)


def _theme(text: str, data: Data, now: datetime) -> Read | str:
    if ventures.check_text(text, ventures.MAX_THEME) is not Result.OK:
        return _("Please write the theme in a few words (at most {limit} characters).").format(
            limit=ventures.MAX_THEME)
    return Read({"theme": text.strip()})


def _budget(text: str, data: Data, now: datetime) -> Read | str:
    fen = ventures.amount_fen(text)
    if fen is None:
        return escape(_("Please give the amount in yuan, e.g. 50000 or 5万."))
    return Read({"budget": fen})


def _cap(text: str, data: Data, now: datetime) -> Read | str:
    fen = ventures.amount_fen(text)
    if fen is None:
        return escape(_("Please give the amount in yuan, e.g. 50000 or 5万."))
    if fen > int(data["budget"]):
        return _("The cap per project cannot be more than the budget ({budget}).").format(
            budget=venture_notices.money(int(data["budget"])))
    return Read({"cap": fen})


def _day(text: str, data: Data, now: datetime) -> date | None:
    return words_zh.day(text, _today(data, now))


def _due(text: str, data: Data, now: datetime) -> Read | str:
    found = _day(text, data, now)
    if found is None:
        return escape(_("Please give a date, e.g. 2026-12-20, 12月20日 or 下周五."))
    if found <= _today(data, now):
        return _("The deadline must be a day in the future.")
    return Read({"due": found.isoformat()})


def _selection(text: str, data: Data, now: datetime) -> Read | str:
    found = _day(text, data, now)
    if found is None:
        return escape(_("Please give a date, e.g. 2026-12-20, 12月20日 or 下周五."))
    due = datetime.fromisoformat(str(data["due"])).date()
    if found <= due:
        return _("The selection comes after the deadline for proposals ({due}).").format(
            due=venture_notices.day(due))
    return Read({"selection": found.isoformat()})


def _criteria(text: str, data: Data, now: datetime) -> Read | str:
    names = [name for name in _SEPARATORS.split(text.strip()) if name]
    if not 1 <= len(names) <= ventures.MAX_CRITERIA or len(set(names)) != len(names) or any(
            len(name) > ventures.MAX_CRITERION for name in names):
        return _("Please give one to {most} different criteria, separated by commas, each at "
                 "most {limit} characters.").format(most=ventures.MAX_CRITERIA,
                                                    limit=ventures.MAX_CRITERION)
    return Read({"criteria": names})


def _per_org(text: str, data: Data, now: datetime) -> Read | str:
    count = words_zh.number(text)
    if count is None or not 1 <= count <= ventures.MAX_PER_ORG:
        return _("Please give a number from 1 to {most}.").format(most=ventures.MAX_PER_ORG)
    return Read({"per_org": count})


READERS = {RoundForm.theme.state: _theme, RoundForm.budget.state: _budget,
           RoundForm.cap.state: _cap, RoundForm.due.state: _due,
           RoundForm.selection.state: _selection, RoundForm.criteria.state: _criteria,
           RoundForm.per_org.state: _per_org}


def _money(data: Data, name: str) -> str:
    return venture_notices.money(int(data[name])) if data.get(name) else "—"


def _date(data: Data, name: str) -> str:
    return venture_notices.day(datetime.fromisoformat(str(data[name])).date()) \
        if data.get(name) else "—"


def _summary(data: Data) -> str:
    chosen = [int(n) for n in data.get("chosen", [])]
    needs = [f"#{wish_id} {venture_notices.need_words(str(words))}"
             for wish_id, words in data.get("offered", []) if wish_id in chosen]
    return "\n".join([
        _("Street: {street}").format(street=escape(str(data.get("street_name", "")))),
        _("Theme: {theme}").format(theme=escape(str(data.get("theme", "")))),
        _("Needs: {needs}").format(needs="; ".join(needs)),
        _("Budget: {budget} in all, at most {cap} per project.").format(
            budget=_money(data, "budget"), cap=_money(data, "cap")),
        _("Proposals until {due}; selection on {selection}.").format(
            due=_date(data, "due"), selection=_date(data, "selection")),
        _("Criteria: {criteria}").format(criteria=venture_notices.criteria(
            data.get("criteria") or DEFAULT_CRITERIA)),
        _("Proposals per organisation: {count}").format(count=data.get("per_org", 1)),
    ])


async def _ask(step: State, data: Data) -> tuple[str, Rows]:
    match step:
        case RoundForm.street:
            return _("For which street?"), [
                [button(str(name), VentureStep.CHOOSE, street_id)]
                for street_id, name in data.get("streets", [])]
        case RoundForm.theme:
            return escape(_("What is the theme of the round? E.g. 关爱独居老人 (at most {limit} "
                            "characters).").format(limit=ventures.MAX_THEME)), []
        case RoundForm.needs:
            return _("Which needs does it answer? Tap to choose, tap again to leave out; then "
                     "Done."), venture_forms.need_rows(
                data.get("offered", []), [int(n) for n in data.get("chosen", [])],
                int(data.get("page", 0)))
        case RoundForm.budget:
            return escape(_("The total budget, in yuan (e.g. 50000 or 5万)?")), []
        case RoundForm.cap:
            return _("At most how much may one project ask for? (The budget is {budget}.)") \
                .format(budget=_money(data, "budget")), []
        case RoundForm.due:
            return escape(_("Until which day are proposals taken? (E.g. 2026-12-20 or "
                            "12月20日; the street's time.)")), []
        case RoundForm.selection:
            return _("On which day are the projects selected? (After {due}.)").format(
                due=_date(data, "due")), []
        case RoundForm.criteria:
            return _("The criteria reviewers score against: the four defaults ({defaults}), "
                     "or type your own, separated by commas.").format(
                defaults=venture_notices.default_criteria()), [
                [button(_("Use the defaults"), VentureStep.DEFAULT)]]
        case RoundForm.per_org:
            return _("How many proposals may one organisation make? Tap 1, or type a number "
                     "up to {most}.").format(most=ventures.MAX_PER_ORG), [
                [button("1", VentureStep.DEFAULT)]]
    return "\n".join([_("Please check the round, then Confirm. It is announced at once to "
                        "the street's communities and organisations."), _summary(data)]), [
        [button(_("✅ Confirm"), VentureStep.CONFIRM)]]


FORM = Form(title=lambda _data: _("New micro-venture round"), order=list(RoundForm.__states__),
            ask=_ask, readers=READERS,
            skipped=lambda step, data: step == RoundForm.street and len(
                data.get("streets", [])) < 2)


# -- opening the form ------------------------------------------------------------------------


async def in_chat(message: Message, bot: Bot, db: Database, actor: Actor,
                  place: Place | None) -> None:
    street = await usecase.may_open(db, actor, place)
    if street is None:
        await message.reply(not_a_street_admin())
        return
    url = await links.link(bot, Purpose.ROUND_FORM, street.id or 0)
    await message.reply(_("The form for a new round opens in a private chat with me."),
                        reply_markup=InlineKeyboardMarkup(inline_keyboard=[[
                            InlineKeyboardButton(text=_("Open the form"), url=url)]]))


async def in_private_chat(message: Message, db: Database, actor: Actor,
                          state: FSMContext) -> None:
    streets = await usecase.streets_to_open(db, actor)
    if not streets:
        await message.answer(not_a_street_admin())
        return
    await _begin(message, db, state, streets)


async def from_link(message: Message, thing_id: int, db: Database, actor: Actor,
                    state: FSMContext) -> None:
    street = next((s for s in await usecase.streets_to_open(db, actor) if s.id == thing_id),
                  None)
    if street is None:
        await message.answer(not_a_street_admin())
        return
    await _begin(message, db, state, [street])


async def _begin(message: Message, db: Database, state: FSMContext,
                 streets: list[Place]) -> None:
    await state.clear()
    await state.update_data(streets=[[s.id, s.name] for s in streets], form_id=uuid.uuid4().hex,
                            message_id=None)
    if len(streets) == 1:
        if not await _street_chosen(message, db, state, streets[0]):
            await state.clear()
            return
        await venture_forms.show(FORM, state, RoundForm.theme, message=message)
        return
    await venture_forms.show(FORM, state, RoundForm.street, message=message)


async def _street_chosen(message: Message, db: Database, state: FSMContext,
                         street: Place) -> bool:
    offered = await usecase.needs(db, street.id or 0)
    if not offered:
        await message.answer(no_needs())
        return False
    await state.update_data(street=street.id, street_name=street.name, tz=street.timezone,
                            offered=[[n.wish_id, f"{n.text} · {n.community}"] for n in offered],
                            chosen=[], page=0)
    return True


async def chose_street(query: CallbackQuery, callback_data: VentureFormCb, db: Database,
                       actor: Actor, state: FSMContext) -> None:
    if not await venture_forms.own_form(query, state):
        return
    street = next((s for s in await usecase.streets_to_open(db, actor)
                   if str(s.id) == callback_data.value), None)
    if street is None or not isinstance(query.message, Message):
        await query.answer(not_a_street_admin(), show_alert=True)
        return
    if not await _street_chosen(query.message, db, state, street):
        await query.answer()
        return
    await venture_forms.forward(FORM, query, state)


# -- buttons of the steps --------------------------------------------------------------------


async def need(query: CallbackQuery, callback_data: VentureFormCb, state: FSMContext) -> None:
    if await venture_forms.own_form(query, state):
        await venture_forms.toggle_need(FORM, query, state, callback_data.value)


async def page(query: CallbackQuery, callback_data: VentureFormCb, state: FSMContext) -> None:
    if await venture_forms.own_form(query, state):
        await venture_forms.turn_needs(FORM, query, state, callback_data.value)


async def needs_done(query: CallbackQuery, state: FSMContext) -> None:
    if await venture_forms.own_form(query, state):
        await venture_forms.needs_done(FORM, query, state)


async def default(query: CallbackQuery, state: FSMContext) -> None:
    if not await venture_forms.own_form(query, state):
        return
    if await state.get_state() == RoundForm.criteria.state:
        await venture_forms.forward(FORM, query, state, criteria=list(DEFAULT_CRITERIA))
    else:
        await venture_forms.forward(FORM, query, state, per_org=1)


async def typed(message: Message, state: FSMContext, clock: Clock) -> None:
    await venture_forms.typed(FORM, message, state, clock.now())


async def back(query: CallbackQuery, state: FSMContext) -> None:
    await venture_forms.back(FORM, query, state)


def _draft(data: Data) -> RoundDraft:
    return RoundDraft(
        street_id=int(data["street"]), theme=str(data["theme"]),
        wish_ids=[int(n) for n in data.get("chosen", [])], budget_fen=int(data["budget"]),
        cap_fen=int(data["cap"]), due_on=datetime.fromisoformat(str(data["due"])).date(),
        selection_on=datetime.fromisoformat(str(data["selection"])).date(),
        criteria=list(data.get("criteria") or DEFAULT_CRITERIA),
        proposals_per_org=int(data.get("per_org", 1)))


def refusal(result: Result) -> str:
    return {
        Result.NOT_ALLOWED: not_a_street_admin(),
        Result.PAST: _("The deadline must be a day in the future."),
        Result.ORDER: _("The selection comes after the deadline for proposals."),
        Result.NOT_A_NEED: _("A need you chose is no longer in the street's hands: please "
                             "choose the needs again."),
        Result.CAP_OVER_BUDGET: _("The cap per project cannot be more than the budget."),
    }.get(result, _("This button is no longer valid."))


async def confirmed(query: CallbackQuery, state: FSMContext, actor: Actor, clock: Clock,
                    messenger: Messenger) -> None:
    if not await venture_forms.own_form(query, state):
        return
    data = await state.get_data()
    outcome = await usecase.open_round(messenger, actor, _draft(data), now=clock.now(),
                                       source_key=f"round:{data.get('form_id')}")
    if outcome.result not in (Result.OK, Result.ALREADY) or outcome.round is None:
        await query.answer(refusal(outcome.result), show_alert=True)
        return
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text("\n".join([
            _("Round #{id} is open: it was announced in the chats of the street and its "
              "communities, and to the street's organisation representatives. /rounds shows "
              "it.").format(id=outcome.round.id), _summary(data)]))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(in_chat, Command("round"), in_group)
    router.message.register(in_private_chat, Command("round"), in_private)
    router.message.register(from_link, CommandStart(deep_link=True), in_private,
                            Opens(Purpose.ROUND_FORM))
    form = StateFilter(RoundForm)
    router.callback_query.register(chose_street, StateFilter(RoundForm.street),
                                   VentureFormCb.filter(F.step == VentureStep.CHOOSE))
    needs = StateFilter(RoundForm.needs)
    router.callback_query.register(need, needs, VentureFormCb.filter(F.step == VentureStep.NEED))
    router.callback_query.register(page, needs, VentureFormCb.filter(F.step == VentureStep.PAGE))
    router.callback_query.register(needs_done, needs,
                                   VentureFormCb.filter(F.step == VentureStep.DONE))
    router.callback_query.register(default, StateFilter(RoundForm.criteria, RoundForm.per_org),
                                   VentureFormCb.filter(F.step == VentureStep.DEFAULT))
    router.callback_query.register(confirmed, StateFilter(RoundForm.confirm),
                                   VentureFormCb.filter(F.step == VentureStep.CONFIRM))
    router.callback_query.register(back, form, VentureFormCb.filter(F.step == VentureStep.BACK))
    router.callback_query.register(venture_forms.cancel, form,
                                   VentureFormCb.filter(F.step == VentureStep.CANCEL))
    router.message.register(typed, form, in_private, not_a_command)
    return router
