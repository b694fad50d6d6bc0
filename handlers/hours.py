"""Service hours: stated for a fulfilled wish, logged and confirmed, shown with /myhours and
/hours, corrected with /fixhours."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import formatting, keyboards, paging, volunteering, words_zh
from bot.callbacks import HoursCb, ListKind, ListPageCb, ServiceCb, ServiceFormCb, ServiceStep
from bot.clock import Clock
from bot.filters import in_group, in_private, not_a_command, typed
from bot.i18n import current_locale
from bot.messenger import Messenger
from bot.states import ServiceForm, WishHours
from bot.volunteering import hours_text as _hours
from handlers.admin import find_person, not_met, not_staff, staff_here
from handlers.wish_form import not_text, use_buttons
from storage import hours, people, places, volunteers
from storage.db import Database
from storage.hours import Outcome, Result
from storage.models import Person, Place, ServiceLog, ServiceState
from storage.people import Actor
from storage.words import row_number
from usecases import hours as usecase

DEFAULT_TIMEZONE = "Asia/Shanghai"
LISTED = 1_000  # entries /hours lists, newest first, a page at a time


def _bad_hours() -> str:
    return _("Please give the hours as a number from 0.25 to 12, e.g. 1.5.")


def _refusal(outcome: Outcome) -> str:
    match outcome.result:
        case Result.BAD_HOURS:
            return _bad_hours()
        case Result.BAD_DAY:
            return _("Please give a day in the last {days} days, not in the future.").format(
                days=hours.DAYS_BACK)
        case Result.EMPTY:
            return _("The text is empty. Please write a few words.")
        case Result.TOO_LONG:
            return _("Please keep it under {limit} characters.").format(
                limit=hours.MAX_DESCRIPTION)
        case Result.NOT_A_VOLUNTEER:
            return _("You are not a volunteer yet. /volunteer signs you up.")
        case Result.NOT_YOURS:
            return _("Only the volunteer who claimed it can do that.")
        case Result.NOT_ALLOWED:
            return _("Only a social worker of that grid can confirm service hours.")
        case Result.WRONG_STATE if outcome.entry is not None:
            return _("Already decided: {state}.").format(state=_state(outcome.entry.state))
        case _:
            return _("This button is no longer valid.")


def _state(state: str) -> str:
    return {ServiceState.PENDING: _("waiting for confirmation"),
            ServiceState.CONFIRMED: _("confirmed"),
            ServiceState.REJECTED: _("not confirmed")}[ServiceState(state)]


# --- hours of a fulfilled wish ---------------------------------------------------------------

async def ask_wish_hours(message: Message, state: FSMContext, wish_id: int) -> None:
    """Asked of the claimer right after Mark fulfilled."""
    await state.set_state(WishHours.hours)
    await state.update_data(wish_id=wish_id)
    await message.answer(_("How long did it take? Tap, or type the hours (e.g. 1.5). They "
                           "count as your service hours."),
                         reply_markup=keyboards.wish_hours(wish_id))


async def wish_hours_pressed(query: CallbackQuery, callback_data: HoursCb, actor: Actor,
                             clock: Clock, state: FSMContext, messenger: Messenger) -> None:
    outcome = await usecase.for_wish(messenger, actor, callback_data.wish_id,
                                     callback_data.minutes, now=clock.now())
    if not outcome.ok:
        await query.answer(_refusal(outcome), show_alert=True)
        return
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(_wish_hours_noted(outcome, callback_data.wish_id))


async def wish_hours_typed(message: Message, actor: Actor, clock: Clock, state: FSMContext,
                           messenger: Messenger) -> None:
    minutes = typed_hours(message.text or "")
    if minutes is None:
        await message.answer(_bad_hours())
        return
    wish_id = int(await state.get_value("wish_id", 0))
    outcome = await usecase.for_wish(messenger, actor, wish_id, minutes, now=clock.now())
    await state.clear()
    await message.answer(_wish_hours_noted(outcome, wish_id) if outcome.ok
                         else _refusal(outcome))


def typed_hours(text: str) -> int | None:
    """Hours typed as a number ("1.5", "2小时") or in words ("一个半小时", "两小时", "90分钟"),
    in minutes; None when it is not a sensible length. A number alone counts hours here."""
    minutes = hours.parse_minutes(text)
    if minutes is None and words_zh.number(text) is None:
        minutes = words_zh.length_minutes(text)
    return minutes if minutes is not None and hours.MIN_MINUTES <= minutes <= hours.MAX_MINUTES \
        else None


def _wish_hours_noted(outcome: Outcome, wish_id: int) -> str:
    minutes = outcome.entry.minutes if outcome.entry else 0
    return _("Noted: {hours} h of service for micro-wish #{id}. Thank you! /myhours shows "
             "all your hours.").format(hours=_hours(minutes), id=wish_id)


# --- other service, logged and confirmed ------------------------------------------------------

async def log_service(message: Message, db: Database, actor: Actor, clock: Clock,
                      state: FSMContext) -> None:
    standing, grids = await volunteers.with_grids(db, actor.id)
    if standing is None or standing.status not in hours.MAY_LOG or not grids:
        await message.answer(_("Only active volunteers can log service. /volunteer signs you "
                               "up."))
        return
    await state.clear()
    await state.set_data({"grids": [[g.id, g.name, g.timezone] for g in grids]})
    if len(grids) == 1:
        await _chose_grid(message, state, grids[0].id or 0, clock)
        return
    await state.set_state(ServiceForm.grid)
    await message.answer(_("In which grid did you serve?"),
                         reply_markup=keyboards.service_grids([(g.id or 0, g.name)
                                                               for g in grids]))


async def grid_pressed(query: CallbackQuery, callback_data: ServiceFormCb, state: FSMContext,
                       clock: Clock) -> None:
    grids = {int(g[0]) for g in (await state.get_data()).get("grids", [])}
    if not callback_data.value.isdecimal() or int(callback_data.value) not in grids:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await _chose_grid(query.message, state, int(callback_data.value), clock)


async def _today(state: FSMContext, clock: Clock) -> date:
    data = await state.get_data()
    zone = next((g[2] for g in data.get("grids", []) if g[0] == data.get("grid_id")),
                DEFAULT_TIMEZONE)
    return hours.local_day(clock.now(), zone)


async def _chose_grid(message: Message, state: FSMContext, grid_id: int, clock: Clock) -> None:
    await state.update_data(grid_id=grid_id)
    await state.set_state(ServiceForm.day)
    today = await _today(state, clock)
    locale = current_locale()
    await message.answer(
        _("On which day? Tap, or type it: 2026-11-24, 11/24 or yesterday. /cancel stops."),
        reply_markup=keyboards.service_days([
            (_("Today, {day}").format(day=formatting.day(today, locale)), today.isoformat()),
            (_("Yesterday, {day}").format(day=formatting.day(today - timedelta(days=1), locale)),
             (today - timedelta(days=1)).isoformat())]))


async def day_pressed(query: CallbackQuery, callback_data: ServiceFormCb, state: FSMContext,
                      clock: Clock) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await _chose_day(query.message, state, callback_data.value, clock)


async def day_typed(message: Message, state: FSMContext, clock: Clock) -> None:
    await _chose_day(message, state, (message.text or "").strip(), clock)


async def _chose_day(message: Message, state: FSMContext, raw: str, clock: Clock) -> None:
    today = await _today(state, clock)
    served_on = words_zh.day(raw, today, ahead=False)
    if served_on is None or served_on > today or served_on < today - timedelta(
            days=hours.DAYS_BACK):
        await message.answer(_refusal(Outcome(Result.BAD_DAY)))
        return
    await state.update_data(served_on=served_on.isoformat())
    await state.set_state(ServiceForm.hours)
    await message.answer(_("How many hours? Tap, or type them (e.g. 1.5)."),
                         reply_markup=keyboards.service_hours())


async def hours_pressed(query: CallbackQuery, callback_data: ServiceFormCb,
                        state: FSMContext) -> None:
    await query.answer()
    if isinstance(query.message, Message) and callback_data.value.isdecimal():
        await query.message.edit_reply_markup(reply_markup=None)
        await _chose_hours(query.message, state, int(callback_data.value))


async def hours_typed(message: Message, state: FSMContext) -> None:
    minutes = typed_hours(message.text or "")
    if minutes is None:
        await message.answer(_bad_hours())
        return
    await _chose_hours(message, state, minutes)


async def _chose_hours(message: Message, state: FSMContext, minutes: int) -> None:
    await state.update_data(minutes=minutes)
    await state.set_state(ServiceForm.description)
    await message.answer(_("What did you do? One or two sentences (at most {limit} "
                           "characters).").format(limit=hours.MAX_DESCRIPTION))


async def description_typed(message: Message, state: FSMContext, actor: Actor, clock: Clock,
                            messenger: Messenger) -> None:
    data = await state.get_data()
    outcome = await usecase.log(
        messenger, actor, grid_id=int(data.get("grid_id", 0)),
        served_on=date.fromisoformat(str(data.get("served_on"))),
        minutes=int(data.get("minutes", 0)), description=message.text or "",
        today=await _today(state, clock), now=clock.now())
    if outcome.result in (Result.EMPTY, Result.TOO_LONG):
        await message.answer(_refusal(outcome))
        return
    await state.clear()
    if not outcome.ok or outcome.entry is None:
        await message.answer(_refusal(outcome))
        return
    await message.answer(_("Logged {hours} h. A social worker will confirm them; /myhours "
                           "shows them as pending until then.").format(
        hours=_hours(outcome.entry.minutes)))


async def decide(query: CallbackQuery, callback_data: ServiceCb, actor: Actor, clock: Clock,
                 messenger: Messenger) -> None:
    outcome = await usecase.decide(messenger, actor, callback_data.entry_id,
                                   confirm=callback_data.confirm, now=clock.now())
    if not outcome.ok or outcome.entry is None:
        await query.answer(_refusal(outcome), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await query.message.answer(_("Confirmed.") if callback_data.confirm
                                   else _("Marked as not confirmed; the volunteer is told."))


# --- seeing and correcting ------------------------------------------------------------------

def totals_text(totals: hours.Totals) -> str:
    def line(label: str, span: tuple[int, int]) -> str:
        text = _("{span}: {confirmed} h").format(span=label, confirmed=_hours(span[0]))
        if span[1]:
            text += _(" (and {pending} h waiting for confirmation)").format(
                pending=_hours(span[1]))
        return text

    return "\n".join([line(_("This month"), totals.month), line(_("This year"), totals.year),
                      line(_("In total"), totals.total),
                      _("Micro-wishes fulfilled: {count}").format(count=totals.wishes)])


def _local_today(grids: list[Place], clock: Clock) -> date:
    """Today in the time zone of the volunteer's (first) grid."""
    return hours.local_day(clock.now(), grids[0].timezone if grids else DEFAULT_TIMEZONE)


async def my_hours(message: Message, db: Database, actor: Actor, clock: Clock) -> None:
    _standing, grids = await volunteers.with_grids(db, actor.id)
    totals = await hours.totals(db, actor.id, today=_local_today(grids, clock))
    await message.answer("\n".join([_("<b>Your service hours</b>"), totals_text(totals)]))


async def hours_of(message: Message, command: CommandObject, db: Database, actor: Actor,
                   place: Place | None, clock: Clock) -> None:
    if not await staff_here(message, db, actor, place) or place is None:
        return
    who = (command.args or "").strip() or None
    person, asked = await find_person(message, who, db, clock)
    if person is None:
        await message.reply(not_met(asked) if asked else escape(_(
            "Usage: /hours @username|id, or reply to the volunteer's message with /hours.")))
        return
    listing = await _service_of(db, place, person, clock)
    if listing is None:
        await message.reply(_not_a_volunteer_here(person))
        return
    await paging.send(message, listing, ListKind.HOURS, about=person.id)


async def hours_page(query: CallbackQuery, callback_data: ListPageCb, db: Database,
                     actor: Actor, place: Place | None, clock: Clock) -> None:
    """The pages of /hours: for the staff of the chat's place, as the command is."""
    refused = await not_staff(db, actor, place)
    person = await people.get(db, callback_data.about)
    if refused is not None or place is None or person is None:
        await query.answer(refused or _("This button is no longer valid."), show_alert=True)
        return
    listing = await _service_of(db, place, person, clock)
    if listing is None:
        await query.answer(_not_a_volunteer_here(person), show_alert=True)
        return
    await paging.turn(query, callback_data, listing)


def _not_a_volunteer_here(person: Person) -> str:
    return _("{name} is not a volunteer of this place.").format(name=escape(person.full_name))


async def _service_of(db: Database, place: Place, person: Person,
                      clock: Clock) -> paging.Listing | None:
    """A volunteer's totals and entries, newest first; None when they do not serve here."""
    here = {g.id for g in await places.grids_under(db, place)}
    standing, grids = await volunteers.with_grids(db, person.id)
    if standing is None or not here & {g.id for g in grids}:
        return None
    totals = await hours.totals(db, person.id, today=_local_today(grids, clock))
    entries = await hours.recent(db, person.id, limit=LISTED)
    heading = [_("<b>Service hours of {name}</b>").format(name=escape(standing.real_name)),
               totals_text(totals), ""]
    return paging.Listing("\n".join(heading), [_("#{number} {entry} ({state})").format(
        number=e.id, entry=volunteering.entry_text(e, standing.real_name), state=_state(e.state))
        for e in entries], footer=escape(_("/fixhours <number> <hours> corrects an entry.")))


async def fix_hours(message: Message, command: CommandObject, db: Database, actor: Actor,
                    place: Place | None, clock: Clock, messenger: Messenger) -> None:
    if not await staff_here(message, db, actor, place):
        return
    words = (command.args or "").split()
    minutes = typed_hours(words[1]) if len(words) == 2 else None
    number = row_number(words[0]) if words else None
    outcome = (await usecase.correct(messenger, actor, number, minutes, now=clock.now())
               if number is not None and minutes is not None else None)
    if outcome is None or outcome.result is Result.NOT_FOUND:
        await message.reply(escape(_("Usage: /fixhours <number> <hours>, e.g. /fixhours 12 "
                                     "1.5. /hours @username shows the numbers.")))
        return
    if not outcome.ok or outcome.entry is None:
        await message.reply(_("Only a social worker of that grid can correct service hours.")
                            if outcome.result is Result.NOT_ALLOWED else _refusal(outcome))
        return
    await message.reply(_fixed(outcome.entry, await hours.name_of(db, outcome.entry.person_id)))


def _fixed(entry: ServiceLog, name: str) -> str:
    """Whose entry a correction changed: each volunteer who fulfilled a wish has their own."""
    said = (_("Entry #{number} of {name} now counts {hours} h; they are told.")
            if entry.wish_id is None else
            _("Entry #{number} of {name}, for micro-wish #{wish}, now counts {hours} h; they are "
              "told."))
    return said.format(number=entry.id, name=escape(name), wish=entry.wish_id,
                       hours=_hours(entry.minutes))


def router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(wish_hours_pressed, HoursCb.filter())
    router.message.register(wish_hours_typed, StateFilter(WishHours.hours), typed)
    router.message.register(log_service, Command("logservice"), in_private)
    form = ServiceForm
    router.callback_query.register(grid_pressed, StateFilter(form.grid),
                                   ServiceFormCb.filter(F.step == ServiceStep.GRID))
    router.callback_query.register(day_pressed, StateFilter(form.day),
                                   ServiceFormCb.filter(F.step == ServiceStep.DAY))
    router.callback_query.register(hours_pressed, StateFilter(form.hours),
                                   ServiceFormCb.filter(F.step == ServiceStep.HOURS))
    router.message.register(day_typed, StateFilter(form.day), typed)
    router.message.register(hours_typed, StateFilter(form.hours), typed)
    router.message.register(description_typed, StateFilter(form.description), typed)
    router.message.register(not_text, StateFilter(form.day, form.hours, form.description,
                                                  WishHours.hours), not_a_command)
    router.message.register(use_buttons, StateFilter(form.grid), not_a_command)
    router.callback_query.register(decide, ServiceCb.filter())
    router.message.register(my_hours, Command("myhours"))
    router.message.register(hours_of, Command("hours"), in_group)
    router.callback_query.register(hours_page, ListPageCb.filter(F.kind == ListKind.HOURS))
    router.message.register(fix_hours, Command("fixhours"), in_group)
    return router
