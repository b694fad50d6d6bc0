"""The sign-up form (志愿者报名): name, phone, skills, grids, free times, the rules.

The form lives in FSM storage (the database by default), so an interrupted sign-up resumes
where it stopped: /volunteer asks the pending question again.
"""

from __future__ import annotations

from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot import keyboards, labels, volunteering
from bot.callbacks import VolFormCb, VolStep
from bot.clock import Clock
from bot.filters import in_group, in_private, not_a_command, typed
from bot.links import Opens, Purpose
from bot.messenger import Messenger
from bot.states import VolunteerForm
from handlers.volunteers.common import standing_or_none, standing_text
from handlers.wish_form import not_text, typed_phone, use_buttons
from storage import places, volunteers
from storage.db import Database
from storage.models import Period, Place, PlaceKind, Skill, VolunteerStatus
from storage.people import Actor
from storage.volunteers import MAX_NAME, MAX_OTHER_SKILL
from usecases import volunteers as usecase

# --- entering the form ------------------------------------------------------------------------

async def volunteer_in_group(message: Message, bot: Bot, place: Place | None) -> None:
    """The form is private: the group gets a button that opens it, for this grid."""
    url = await volunteering.sign_up_link(bot, place)
    await message.reply(_("Thank you for wanting to help! Signing up takes a few questions in "
                          "a private chat."),
                        reply_markup=keyboards.link(_("Sign up as a volunteer"), url))


async def volunteer_in_private(message: Message, db: Database, actor: Actor,
                               state: FSMContext) -> None:
    await _begin(message, db, actor, state, grid_id=None)


async def volunteer_link(message: Message, db: Database, actor: Actor, state: FSMContext,
                         thing_id: int | None = None) -> None:
    await _begin(message, db, actor, state, grid_id=thing_id)


async def _begin(message: Message, db: Database, actor: Actor, state: FSMContext,
                 grid_id: int | None) -> None:
    current = await state.get_state()
    if current is not None and current.startswith(VolunteerForm.__name__):
        await message.answer(_("Let's go on with your application where you left off."))
        await _ask(message, state, current)
        return
    standing = await volunteers.get(db, actor.id)
    if standing is not None and standing.status != VolunteerStatus.DECLINED:
        await message.answer(standing_text(standing))
        return
    offered = await _grids_to_offer(db, grid_id)
    if not offered:
        await message.answer(_("No grid is set up yet, so there is nothing to sign up for. "
                               "Please try again later."))
        return
    await state.clear()
    await state.set_data({"offered": offered,
                          "grids": [grid_id] if grid_id in {g for g, _n in offered} else [],
                          "skills": [], "days": [], "periods": []})
    await message.answer(_("Thank you for volunteering! A few questions, and a social worker "
                           "will look at your application. /cancel stops at any time."))
    await _ask(message, state, VolunteerForm.name.state)


async def _grids_to_offer(db: Database, grid_id: int | None) -> list[tuple[int, str]]:
    """The grids of the community the link came from; all grids without one."""
    grid = await places.by_id(db, grid_id) if grid_id else None
    parent = grid.parent_id if grid is not None and grid.kind == PlaceKind.GRID else None
    return [(g.id or 0, g.name) for g in await places.grids(db, parent_id=parent)]


# --- one question per step --------------------------------------------------------------------

async def _ask(message: Message, state: FSMContext, step: str | None) -> None:
    data = await state.get_data()
    await state.set_state(step)
    if step == VolunteerForm.name.state:
        await message.answer(_("Your name as the community should know it (at most {limit} "
                               "characters)?").format(limit=MAX_NAME))
    elif step == VolunteerForm.phone.state:
        await message.answer(_("Your phone number, so a social worker can reach you. Only the "
                               "staff see it. Send it, or tap Skip."),
                             reply_markup=keyboards.volunteer_skip_phone())
    elif step == VolunteerForm.skills.state:
        await message.answer(_("How can you help? Tap all that apply, then Next."),
                             reply_markup=keyboards.volunteer_skills(data.get("skills", [])))
    elif step == VolunteerForm.other_skill.state:
        await message.answer(_("You chose Other: in a few words, what else can you do?"))
    elif step == VolunteerForm.grids.state:
        await message.answer(_("Which grids will you serve? Tap all that apply, then Next."),
                             reply_markup=keyboards.volunteer_grids(
                                 [tuple(g) for g in data.get("offered", [])],
                                 data.get("grids", [])))
    elif step == VolunteerForm.times.state:
        await message.answer(_("When are you usually free? Tap the days and the times of day, "
                               "then Next."), reply_markup=keyboards.volunteer_times(
            data.get("days", []), data.get("periods", [])))
    else:
        await message.answer(_rules(), reply_markup=keyboards.volunteer_consent())


def _rules() -> str:
    return "\n".join([
        _("<b>Our volunteer rules</b>"),
        _("• Help for free: never take money or gifts from residents."),
        _("• Keep what you learn about residents to yourself; use their contact details only "
          "for the wish you took on."),
        _("• Claim only what you can do, and give it up in time if you cannot."),
        _("• Tell the social worker at once if a resident is in danger."),
        "",
        _("Do you agree to follow these rules?"),
    ])


async def wrote_name(message: Message, state: FSMContext) -> None:
    name = (message.text or "").strip()
    if len(name) < 2 or len(name) > MAX_NAME:
        await message.answer(_("Please send a name of 2 to {limit} characters.").format(
            limit=MAX_NAME))
        return
    await state.update_data(name=name)
    await _ask(message, state, VolunteerForm.phone.state)


async def wrote_phone(message: Message, state: FSMContext) -> None:
    phone = typed_phone(message.text)
    if phone is None:
        await message.answer(_("That does not look like a phone number. Please send digits "
                               "only, e.g. 13812345678, or tap Skip."),
                             reply_markup=keyboards.volunteer_skip_phone())
        return
    await state.update_data(phone=phone)
    await _ask(message, state, VolunteerForm.skills.state)


async def skipped_phone(query: CallbackQuery, state: FSMContext) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await state.update_data(phone=None)
        await _ask(query.message, state, VolunteerForm.skills.state)


async def wrote_other_skill(message: Message, state: FSMContext) -> None:
    other = (message.text or "").strip()
    if not other or len(other) > MAX_OTHER_SKILL:
        await message.answer(_("Please keep it under {limit} characters.").format(
            limit=MAX_OTHER_SKILL))
        return
    await state.update_data(other_skill=other)
    await _ask(message, state, VolunteerForm.grids.state)


def _toggled(values: list, value: object) -> list:
    return [v for v in values if v != value] if value in values else [*values, value]


async def toggled_skill(query: CallbackQuery, callback_data: VolFormCb,
                        state: FSMContext) -> None:
    if callback_data.value not in set(Skill):
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    skills = _toggled((await state.get_data()).get("skills", []), callback_data.value)
    await state.update_data(skills=skills)
    await _refresh(query, keyboards.volunteer_skills(skills))


async def toggled_grid(query: CallbackQuery, callback_data: VolFormCb,
                       state: FSMContext) -> None:
    data = await state.get_data()
    offered = [tuple(g) for g in data.get("offered", [])]
    if not callback_data.value.isdecimal() or int(callback_data.value) not in {
            g for g, _n in offered}:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    chosen = _toggled(data.get("grids", []), int(callback_data.value))
    await state.update_data(grids=chosen)
    await _refresh(query, keyboards.volunteer_grids(offered, chosen))


async def toggled_time(query: CallbackQuery, callback_data: VolFormCb,
                       state: FSMContext) -> None:
    data = await state.get_data()
    days, periods = data.get("days", []), data.get("periods", [])
    if callback_data.step == VolStep.DAY and callback_data.value in {str(d) for d in range(7)}:
        days = _toggled(days, int(callback_data.value))
    elif callback_data.step == VolStep.PERIOD and callback_data.value in set(Period):
        periods = _toggled(periods, callback_data.value)
    else:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await state.update_data(days=days, periods=periods)
    await _refresh(query, keyboards.volunteer_times(days, periods))


async def _refresh(query: CallbackQuery, markup: InlineKeyboardMarkup) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=markup)


async def _next(query: CallbackQuery, state: FSMContext, chosen_note: str, step: str) -> None:
    """Close the buttons of a finished step, saying what was chosen, and ask the next."""
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(chosen_note)
        await _ask(query.message, state, step)


async def skills_done(query: CallbackQuery, state: FSMContext) -> None:
    skills = (await state.get_data()).get("skills", [])
    if not skills:
        await query.answer(_("Please choose at least one."), show_alert=True)
        return
    note = _("Skills: {skills}").format(skills=escape(_(", ").join(
        labels.skill(s) for s in skills)))
    step = VolunteerForm.other_skill if Skill.OTHER in skills else VolunteerForm.grids
    await _next(query, state, note, step.state)


async def grids_done(query: CallbackQuery, state: FSMContext) -> None:
    data = await state.get_data()
    names = dict(tuple(g) for g in data.get("offered", []))
    if not data.get("grids"):
        await query.answer(_("Please choose at least one."), show_alert=True)
        return
    note = _("Grids: {grids}").format(grids=escape(_(", ").join(
        names.get(g, "?") for g in data["grids"])))
    await _next(query, state, note, VolunteerForm.times.state)


async def times_done(query: CallbackQuery, state: FSMContext) -> None:
    data = await state.get_data()
    if not data.get("days") or not data.get("periods"):
        await query.answer(_("Please choose at least one day and one time of day."),
                           show_alert=True)
        return
    note = _("Available: {times}").format(
        times=volunteering.times_text(data["days"], data["periods"]))
    await _next(query, state, note, VolunteerForm.consent.state)


async def agreed(query: CallbackQuery, state: FSMContext, db: Database, actor: Actor,
                 clock: Clock, messenger: Messenger) -> None:
    data = await state.get_data()
    application = volunteers.Application(
        real_name=data.get("name", actor.person.full_name), phone=data.get("phone"),
        skills=data.get("skills", []), other_skill=data.get("other_skill"),
        grid_ids=data.get("grids", []), days=data.get("days", []),
        periods=data.get("periods", []))
    outcome = await usecase.apply(messenger, actor, application, now=clock.now())
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
    if not isinstance(query.message, Message):
        return
    if not outcome.ok or outcome.volunteer is None:
        await query.message.answer(standing_or_none(outcome))
        return
    await query.message.answer(_("Thank you! Your application is with the social workers of "
                                 "{grids}. I will tell you here when it is decided.").format(
        grids=escape(_(", ").join(g.name for g in await places.by_ids(
            messenger.db, outcome.grid_ids)))))


async def cancelled(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(_("Cancelled. Nothing was saved."))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(volunteer_in_group, Command("volunteer"), in_group)
    router.message.register(volunteer_in_private, Command("volunteer"), in_private)
    router.message.register(
        volunteer_link, CommandStart(deep_link=True, magic=F.args == volunteering.SIGN_UP),
        in_private)
    router.message.register(volunteer_link, CommandStart(deep_link=True),
                            Opens(Purpose.VOLUNTEER), in_private)
    form = VolunteerForm
    router.message.register(wrote_name, StateFilter(form.name), typed)
    router.message.register(wrote_phone, StateFilter(form.phone), typed)
    router.message.register(wrote_other_skill, StateFilter(form.other_skill), typed)
    router.message.register(not_text, StateFilter(form.name, form.phone, form.other_skill),
                            not_a_command)
    router.message.register(use_buttons, StateFilter(form.skills, form.grids, form.times,
                                                     form.consent), not_a_command)
    steps = {
        VolStep.SKIP_PHONE: (skipped_phone, form.phone),
        VolStep.SKILL: (toggled_skill, form.skills),
        VolStep.SKILLS_DONE: (skills_done, form.skills),
        VolStep.GRID: (toggled_grid, form.grids),
        VolStep.GRIDS_DONE: (grids_done, form.grids),
        VolStep.DAY: (toggled_time, form.times),
        VolStep.PERIOD: (toggled_time, form.times),
        VolStep.TIMES_DONE: (times_done, form.times),
        VolStep.AGREE: (agreed, form.consent),
    }
    for step, (handler, at) in steps.items():
        router.callback_query.register(handler, StateFilter(at),
                                       VolFormCb.filter(F.step == step))
    router.callback_query.register(cancelled, StateFilter(*form.__all_states__),
                                   VolFormCb.filter(F.step == VolStep.CANCEL))
    return router
