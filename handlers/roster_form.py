"""The roster form: /duty_set alone, in the community's chat, asks with buttons for the days,
the post (A or B) and one of the community's social workers, then keeps them on the roster.

Each step may also be typed ("周一至周五", "A岗", "@li"). The form belongs to the admin who
opened it (its state is theirs in this chat) and to its own message: a button of an earlier
or of someone else's form is answered, and changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot import keyboards, labels, words_zh
from bot.callbacks import RosterCb, RosterStep
from bot.clock import Clock
from bot.filters import in_group, typed
from bot.messenger import Messenger
from bot.states import RosterForm
from handlers.admin import find_person, not_met
from handlers.duty import community_of, not_on_duty, not_the_community_chat, show_roster
from storage import people, places
from storage.db import Database
from storage.models import DutyPost, Place, Role
from storage.people import Actor
from usecases import duty as usecase
from usecases.authority import Act, may
from usecases.duty import Done

OFFERED = 40  # social workers offered as buttons; anyone else can be typed as @username
LEFT_ALONE = timedelta(minutes=30)  # a form this old no longer takes what is typed in a group


async def opened(state: FSMContext, clock: Clock) -> None:
    await state.update_data(opened_at=clock.now().isoformat())


async def answering(message: Message, state: FSMContext, clock: Clock) -> bool:
    """Whether a typed message is an answer to the person's open form. In a group a form left
    alone for half an hour lets go, so that what they write there later is talk again."""
    opened_at = await state.get_value("opened_at")
    if message.chat.type == "private" or not isinstance(opened_at, str) or \
            clock.now() - datetime.fromisoformat(opened_at) < LEFT_ALONE:
        return True
    await state.clear()
    return False


async def begin(message: Message, db: Database, actor: Actor, place: Place | None,
                clock: Clock, state: FSMContext) -> None:
    community = await community_of(db, place)
    if place is None or community is None or community.id != place.id:
        await message.reply(not_the_community_chat())
        return
    if not await may(db, actor, Act.KEEP_ROSTER, community.id):
        await message.reply(_("Only an admin of this place can do that."))
        return
    await state.clear()
    await state.set_state(RosterForm.days)
    await state.update_data(community_id=community.id, days=[])
    await opened(state, clock)
    sent = await message.reply(_days_question([]), reply_markup=keyboards.roster_days([]))
    await state.update_data(message_id=sent.message_id)


def _days_question(days: list[int]) -> str:
    chosen = [_("Chosen: {days}").format(days=_days_text(days))] if days else []
    return "\n".join([
        _("<b>Duty roster</b> · step 1 of 3: on which days of each week? Tap them, then Next."),
        *chosen, escape(_("You can also type them: Mon, 1-5, weekdays. /cancel stops.")),
    ])


def _days_text(days: list[int]) -> str:
    return _(", ").join(labels.weekday(day) for day in sorted(days))


async def _own_form(query: CallbackQuery, state: FSMContext) -> bool:
    """Whether the pressed button is on the message of this person's open form; if not they
    are told, and nothing changes."""
    message_id = await state.get_value("message_id")
    if query.message is None or query.message.message_id != message_id:
        await query.answer(_("This button belongs to another form: send /duty_set to open "
                             "your own."), show_alert=True)
        return False
    return True


async def toggled_day(query: CallbackQuery, callback_data: RosterCb,
                      state: FSMContext) -> None:
    if not await _own_form(query, state):
        return
    days: list[int] = list(await state.get_value("days", []))
    if callback_data.step is RosterStep.DAY and callback_data.value in {str(d) for d in range(7)}:
        day = int(callback_data.value)
        days = [d for d in days if d != day] if day in days else [*days, day]
    elif callback_data.value in words_zh.WEEKDAY_GROUPS:
        group = words_zh.WEEKDAY_GROUPS[callback_data.value]
        days = ([d for d in days if d not in group] if set(group) <= set(days)
                else sorted({*days, *group}))
    else:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await state.update_data(days=sorted(days))
    await query.answer()
    await _edit(query, _days_question(sorted(days)), keyboards.roster_days(days))


async def _edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    if isinstance(query.message, Message):
        await query.message.edit_text(text, reply_markup=markup)


async def days_done(query: CallbackQuery, state: FSMContext) -> None:
    if not await _own_form(query, state):
        return
    days = list(await state.get_value("days", []))
    if not days:
        await query.answer(_("Please choose at least one day."), show_alert=True)
        return
    await query.answer()
    await state.set_state(RosterForm.post)
    await _edit(query, _post_question(days), keyboards.roster_posts())


def _post_question(days: list[int]) -> str:
    return "\n".join([_("<b>Duty roster</b> · {days}").format(days=_days_text(days)),
                      _("Step 2 of 3: which post?")])


async def typed_days(message: Message, state: FSMContext) -> None:
    days = words_zh.weekdays(message.text or "")
    if days is None:
        await message.reply(escape(_("I did not understand those days. Tap them above, or type "
                                     "them as Mon, 1-5 or weekdays; /cancel stops.")))
        return
    await state.update_data(days=days)
    await state.set_state(RosterForm.post)
    await _ask_again(message, state, _post_question(days), keyboards.roster_posts())


async def _ask_again(message: Message, state: FSMContext, text: str,
                     markup: InlineKeyboardMarkup) -> None:
    """A typed answer moves the form on in a new message; the old one's buttons go."""
    old = await state.get_value("message_id")
    if old and message.bot is not None:
        await message.bot.edit_message_reply_markup(chat_id=message.chat.id, message_id=old,
                                                    reply_markup=None)
    sent = await message.reply(text, reply_markup=markup)
    await state.update_data(message_id=sent.message_id)


async def chose_post(query: CallbackQuery, callback_data: RosterCb, db: Database,
                     state: FSMContext) -> None:
    if not await _own_form(query, state):
        return
    post = words_zh.post(callback_data.value)
    if post is None:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    await query.answer()
    question, markup = await _person_question(db, state, post)
    await _edit(query, question, markup)


async def typed_post(message: Message, db: Database, state: FSMContext) -> None:
    post = words_zh.post(message.text or "")
    if post is None:
        await message.reply(_("Please tap Post A or Post B above, or type A or B; /cancel "
                              "stops."))
        return
    question, markup = await _person_question(db, state, post)
    await _ask_again(message, state, question, markup)


async def _person_question(db: Database, state: FSMContext,
                           post: str) -> tuple[str, InlineKeyboardMarkup]:
    data = await state.update_data(post=post)
    await state.set_state(RosterForm.person)
    workers = await people.holders(db, int(data["community_id"]), Role.SOCIAL_WORKER)
    offered = [(p.id, p.full_name) for p in workers[:OFFERED]]
    lines = [_("<b>Duty roster</b> · {days} · {post}").format(
                 days=_days_text(data["days"]), post=_post_label(post)),
             _("Step 3 of 3: who? The social workers of this community:") if offered else _(
                 "Step 3 of 3: who? This community has no social workers yet: grant the role "
                 "with /grant social_worker, or leave the post empty."),
             escape(_("You can also type @username."))]
    return "\n".join(lines), keyboards.roster_people(offered)


def _post_label(post: str) -> str:
    return _("Post A") if post == DutyPost.A else _("Post B (backup)")


async def chose_person(query: CallbackQuery, callback_data: RosterCb, db: Database,
                       actor: Actor, place: Place | None, clock: Clock, messenger: Messenger,
                       state: FSMContext) -> None:
    if not await _own_form(query, state):
        return
    person_id = (int(callback_data.value) if callback_data.step is RosterStep.PERSON
                 and callback_data.value.isdecimal() else None)
    if callback_data.step is RosterStep.PERSON and person_id is None:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    person = await people.get(db, person_id) if person_id else None
    await query.answer()
    if isinstance(query.message, Message):
        await _save(query.message, db, actor, place, clock, messenger, state, person_id,
                    person.full_name if person else None, edit=True)


async def typed_person(message: Message, db: Database, actor: Actor, place: Place | None,
                       clock: Clock, messenger: Messenger, state: FSMContext) -> None:
    text = (message.text or "").strip()
    if words_zh.clears(text):
        await _save(message, db, actor, place, clock, messenger, state, None, None, edit=False)
        return
    person, asked = await find_person(message, text, db, clock)
    if person is None:
        await message.reply(not_met(asked) if asked and asked.startswith("@") else escape(_(
            "Please tap a name above, or type @username; /cancel stops.")))
        return
    await _save(message, db, actor, place, clock, messenger, state, person.id, person.full_name,
                edit=False)


async def _save(message: Message, db: Database, actor: Actor, place: Place | None,
                clock: Clock, messenger: Messenger, state: FSMContext, person_id: int | None,
                name: str | None, *, edit: bool) -> None:
    """Keep the chosen post on the roster; the form ends, or stays at its last step when the
    person may not be on duty."""
    data = await state.get_data()
    community = await places.by_id(db, int(data.get("community_id", 0)))
    if community is None:
        await state.clear()
        await message.answer(_("This button is no longer valid."))
        return
    done = await usecase.set_post(messenger, actor, community, DutyPost(data["post"]),
                                  person_id, when=list(data["days"]), now=clock.now())
    if done is Done.NOT_ON_DUTY:
        await message.answer(not_on_duty(name or ""))
        return
    await state.clear()
    if done is Done.NOT_ALLOWED:
        await message.answer(_("Only an admin of this place can do that."))
        return
    saved = _("Saved: {post} on {days}: {name}.").format(
        post=_post_label(data["post"]), days=_days_text(data["days"]),
        name=escape(name) if name else _("nobody"))
    if edit:
        await message.edit_text(saved, reply_markup=None)
    else:
        await _close(message, int(data.get("message_id", 0)))
        await message.reply(saved)
    await show_roster(message, db, place, clock)


async def _close(message: Message, message_id: int) -> None:
    if message_id and message.bot is not None:
        await message.bot.edit_message_reply_markup(chat_id=message.chat.id,
                                                    message_id=message_id, reply_markup=None)


async def cancelled(query: CallbackQuery, state: FSMContext) -> None:
    if not await _own_form(query, state):
        return
    await state.clear()
    await query.answer()
    await _edit(query, _("Cancelled. Nothing was saved."), None)


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(begin, Command("duty_set", magic=F.args.is_(None)), in_group)
    form = RosterForm
    router.callback_query.register(toggled_day, StateFilter(form.days), RosterCb.filter(
        F.step.in_({RosterStep.DAY, RosterStep.DAYS})))
    router.callback_query.register(days_done, StateFilter(form.days),
                                   RosterCb.filter(F.step == RosterStep.DAYS_DONE))
    router.callback_query.register(chose_post, StateFilter(form.post),
                                   RosterCb.filter(F.step == RosterStep.POST))
    router.callback_query.register(chose_person, StateFilter(form.person), RosterCb.filter(
        F.step.in_({RosterStep.PERSON, RosterStep.CLEAR})))
    router.callback_query.register(cancelled, StateFilter(*form.__all_states__),
                                   RosterCb.filter(F.step == RosterStep.CANCEL))
    router.message.register(typed_days, StateFilter(form.days), typed, answering)
    router.message.register(typed_post, StateFilter(form.post), typed, answering)
    router.message.register(typed_person, StateFilter(form.person), typed, answering)
    return router
