"""Volunteers: the sign-up form, the staff's decision, pausing and suspending, their choices
(/pings, /honour), /volunteers.

The form lives in FSM storage (the database by default), so an interrupted sign-up resumes
where it stopped: /volunteer asks the pending question again.
"""

from __future__ import annotations

from html import escape

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, ForceReply, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot import keyboards, labels, volunteering
from bot.callbacks import VolAction, VolCb, VolFormCb, VolStep
from bot.clock import Clock
from bot.filters import in_group, in_private, not_a_command, typed
from bot.links import Opens, Purpose
from bot.messenger import Messenger
from bot.states import VolunteerAnswer, VolunteerDecision, VolunteerForm
from handlers.admin import find_person, not_met, staff_here
from handlers.wish_form import not_text, typed_phone, use_buttons
from storage import places, volunteers
from storage.db import Database
from storage.models import (
    Period,
    Place,
    PlaceKind,
    Skill,
    Volunteer,
    VolunteerStatus,
)
from storage.people import Actor
from storage.volunteers import MAX_NAME, MAX_OTHER_SKILL, Outcome, Result
from usecases import volunteers as usecase
from usecases.volunteers import Decision

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
        await message.answer(_standing(standing))
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


def _standing(volunteer: Volunteer) -> str:
    match volunteer.status:
        case VolunteerStatus.APPLIED:
            return _("Your volunteer application is waiting for a social worker. I will tell "
                     "you as soon as it is decided.")
        case VolunteerStatus.NEEDS_INFO:
            return _("A social worker asked about your application: {question}\nTap Answer "
                     "under that message to reply.").format(
                question=escape(volunteer.reason or ""))
        case VolunteerStatus.PAUSED:
            return _("You are a volunteer, paused for now. /resume when you are back.")
        case VolunteerStatus.SUSPENDED:
            return _("Your volunteer service is suspended: {reason}. Please talk to your "
                     "social worker.").format(reason=escape(volunteer.reason or ""))
        case _:
            return _("You are already a volunteer. /mytasks shows what you claimed; /pause "
                     "when you are away.")


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
        await query.message.answer(_standing_or_none(outcome))
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
            await query.message.answer(_("Approved by {name}.").format(
                name=escape(actor.person.full_name)))
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


# --- standing: pause, resume, suspend, reinstate, pings ---------------------------------------

async def pause(message: Message, actor: Actor, clock: Clock, messenger: Messenger) -> None:
    outcome = await usecase.pause(messenger, actor, now=clock.now())
    await message.answer(_("Paused. You will not be asked to claim or told about new wishes "
                           "until you send /resume. Enjoy your time off!") if outcome.ok
                         else _standing_or_none(outcome))


async def resume(message: Message, actor: Actor, clock: Clock, messenger: Messenger) -> None:
    outcome = await usecase.resume(messenger, actor, now=clock.now())
    await message.answer(_("Welcome back! You can claim micro-wishes again.") if outcome.ok
                         else _standing_or_none(outcome))


def _standing_or_none(outcome: Outcome) -> str:
    if outcome.volunteer is None:
        return _("You are not a volunteer yet. /volunteer signs you up.")
    return _standing(outcome.volunteer)


async def _switch(message: Message, command: CommandObject, messenger: Messenger, actor: Actor, *,
                  choice: str, usage: str, on: str, off: str) -> None:
    """/pings and /honour: a volunteer turns one of their choices on or off."""
    wanted = {"on": True, "off": False}.get((command.args or "").strip().lower())
    if wanted is None:
        await message.answer(escape(usage))
        return
    if not await usecase.choose(messenger, actor, **{choice: wanted}):
        await message.answer(_("You are not a volunteer yet. /volunteer signs you up."))
        return
    await message.answer(on if wanted else off)


async def pings(message: Message, command: CommandObject, messenger: Messenger,
                actor: Actor) -> None:
    await _switch(message, command, messenger, actor, choice="pings", usage=_(
        "Usage: /pings on|off — whether I tell you privately about new micro-wishes that suit "
        "you."), on=_("I will tell you about new micro-wishes that suit you."), off=_(
        "I will no longer tell you about new micro-wishes; you can still claim them in your "
        "grid group."))


async def honour(message: Message, command: CommandObject, messenger: Messenger,
                 actor: Actor) -> None:
    await _switch(message, command, messenger, actor, choice="public", usage=_(
        "Usage: /honour on|off — whether your name may appear on the monthly honour roll."),
        on=_("Your name may appear on the honour roll. Thank you!"),
        off=_("Your name will stay off the honour roll; your hours still count."))


async def list_volunteers(message: Message, db: Database, actor: Actor,
                          place: Place | None) -> None:
    if not await staff_here(message, db, actor, place) or place is None:
        return
    grids = await places.grids_under(db, place)
    names = {g.id: g.name for g in grids}
    found = await volunteers.of_grids(db, list(names))
    if not found:
        await message.reply(_("No volunteers have signed up here yet. Send /volunteer to "
                              "share the sign-up button."))
        return
    lines = [_("<b>Volunteers of {place}</b>").format(place=escape(place.name))]
    for volunteer, grid_ids in found:
        lines.append(_("• {name} ({status}): {skills}; {grids}").format(
            name=escape(volunteer.real_name),
            status=labels.volunteer_status(volunteer.status),
            skills=escape(volunteering.skills_text(volunteer)),
            grids=escape(_(", ").join(names.get(g, "?") for g in grid_ids))))
    await message.reply("\n".join(lines))


async def suspend(message: Message, command: CommandObject, db: Database, actor: Actor,
                  place: Place | None, clock: Clock, messenger: Messenger) -> None:
    await _change_standing(message, command, db, actor, place, clock, messenger,
                           suspending=True)


async def reinstate(message: Message, command: CommandObject, db: Database, actor: Actor,
                    place: Place | None, clock: Clock, messenger: Messenger) -> None:
    await _change_standing(message, command, db, actor, place, clock, messenger,
                           suspending=False)


async def _change_standing(message: Message, command: CommandObject, db: Database,
                           actor: Actor, place: Place | None, clock: Clock,
                           messenger: Messenger, *, suspending: bool) -> None:
    usage = escape(_("Usage: /suspend @username|id <reason>, or reply to the volunteer's "
                     "message with /suspend <reason>.") if suspending else
                   _("Usage: /reinstate @username|id, or reply to the volunteer's message "
                     "with /reinstate."))
    if not await staff_here(message, db, actor, place):
        return
    replying = message.reply_to_message is not None
    words = (command.args or "").split(maxsplit=0 if replying else 1)
    who = None if replying else (words[0] if words else None)
    reason = (command.args or "").strip() if replying else (words[1] if len(words) > 1 else "")
    person, asked = await find_person(message, who, db, clock)
    if person is None:
        await message.reply(not_met(asked) if asked else usage)
        return
    if suspending and not reason.strip():
        await message.reply(usage)
        return
    outcome = (await usecase.suspend(messenger, actor, person.id, reason, now=clock.now())
               if suspending else
               await usecase.reinstate(messenger, actor, person.id, now=clock.now()))
    name = escape(outcome.volunteer.real_name if outcome.volunteer else person.full_name)
    if outcome.result is Result.NOT_ALLOWED:
        await message.reply(_("Only a social worker or an admin of a grid that {name} serves "
                              "can do that.").format(name=name))
    elif not outcome.ok:
        await message.reply(_("{name} is not a volunteer who can be suspended.").format(
            name=name) if suspending else _("{name} is not suspended.").format(name=name))
    else:
        await message.reply(_("{name} is suspended and has been told why.").format(name=name)
                            if suspending else _("{name} is active again.").format(name=name))


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
    router.callback_query.register(answer_pressed, VolCb.filter(F.action == VolAction.ANSWER))
    router.callback_query.register(decide, VolCb.filter())
    router.message.register(wrote_question, StateFilter(VolunteerDecision.question), typed)
    router.message.register(wrote_decline_reason,
                            StateFilter(VolunteerDecision.decline_reason), typed)
    router.message.register(wrote_answer, StateFilter(VolunteerAnswer.answer), typed)
    router.message.register(pause, Command("pause"))
    router.message.register(resume, Command("resume"))
    router.message.register(pings, Command("pings"))
    router.message.register(honour, Command("honour"))
    router.message.register(list_volunteers, Command("volunteers"), in_group)
    router.message.register(suspend, Command("suspend"), in_group)
    router.message.register(reinstate, Command("reinstate"), in_group)
    return router
