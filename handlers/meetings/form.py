"""The form for a new meeting series: /meeting_new alone asks with buttons for the rule
(every week, or a weekday of each month), the weekday, the time, the length and the title.

Every step may also be typed ("每月", "周五", "晚上7点", "一个半小时"). The form belongs to
whoever opened it in this chat and to its own message: a button of an earlier or of someone
else's form changes nothing, and says so.
"""

from __future__ import annotations

from datetime import time
from html import escape

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import keyboards, labels, words_zh
from bot.callbacks import MeetingFormCb, MeetingStep
from bot.clock import Clock
from bot.filters import in_group, typed
from bot.messenger import Messenger
from bot.states import MeetingForm
from handlers.admin import not_bound
from handlers.meetings.series import (
    MAX_MINUTES,
    MIN_MINUTES,
    not_a_host,
    set_up,
    too_long_title,
)
from handlers.roster_form import answering, opened
from storage import meetings, places, words
from storage.db import Database
from storage.meetings import Rule
from storage.models import MeetingRule, Place
from storage.people import Actor
from usecases.authority import Act, may

STEPS = 5  # rule, weekday, time, length, title (a monthly rule asks which weekday too)


async def begin(message: Message, db: Database, actor: Actor, place: Place | None,
                clock: Clock, state: FSMContext) -> None:
    if place is None:
        await message.reply(not_bound())
        return
    if not await may(db, actor, Act.HOST_MEETINGS, place.id):
        await message.reply(not_a_host())
        return
    await state.clear()
    await state.set_state(MeetingForm.rule)
    await state.update_data(place_id=place.id)
    await opened(state, clock)
    sent = await message.reply(await _question(state), reply_markup=keyboards.meeting_rules())
    await state.update_data(message_id=sent.message_id)


# --- what each step asks ----------------------------------------------------------------------

def _asked(step: str | None) -> tuple[int, str, str]:
    """The step's number, its question, and how it may be typed."""
    return {
        MeetingForm.rule.state: (1, _("How often does it meet?"),
                                 _("Tap, or type every week or every month.")),
        MeetingForm.nth.state: (1, _("Which weekday of the month?"),
                                _("Tap, or type 1–4 or last.")),
        MeetingForm.weekday.state: (2, _("On which weekday?"), _("Tap, or type Mon … Sun.")),
        MeetingForm.time.state: (3, _("At what time does it start?"),
                                 _("Tap, or type the time, e.g. 19:00 or 7:30pm.")),
        MeetingForm.length.state: (4, _("How long does it last?"),
                                   _("Tap, or type the minutes, e.g. 90.")),
        MeetingForm.title.state: (5, _("What is it called?"),
                                  _("Tap the usual name, or type another (at most {limit} "
                                    "characters).").format(limit=meetings.MAX_TITLE)),
    }[step or MeetingForm.rule.state]


async def _question(state: FSMContext) -> str:
    number, question, how = _asked(await state.get_state())
    chosen = _chosen(await state.get_data())
    return "\n".join([
        _("<b>New meeting series</b> · step {number} of {steps}").format(number=number,
                                                                          steps=STEPS),
        *([chosen] if chosen else []),
        question,
        escape(_("{how} /cancel stops.").format(how=how)),
    ])


def _chosen(data: dict[str, object]) -> str:
    """What was chosen so far, in one line: "Every month · Last · Fri · 19:00"."""
    parts: list[str] = []
    if data.get("rule"):
        parts.append(_("Every week") if data["rule"] == MeetingRule.WEEKLY else _("Every month"))
    if data.get("nth") is not None:
        parts.append(labels.nth(int(str(data["nth"]))))
    if data.get("weekday") is not None:
        parts.append(labels.weekday(int(str(data["weekday"]))))
    if data.get("time"):
        parts.append(str(data["time"]))
    if data.get("minutes"):
        parts.append(_("{minutes} min").format(minutes=data["minutes"]))
    return " · ".join(parts)


MARKUPS = {
    MeetingForm.nth.state: keyboards.meeting_nths,
    MeetingForm.weekday.state: keyboards.meeting_weekdays,
    MeetingForm.time.state: keyboards.meeting_times,
    MeetingForm.length.state: keyboards.meeting_lengths,
    MeetingForm.title.state: keyboards.meeting_titles,
}


# --- moving on ---------------------------------------------------------------------------

async def _own_form(query: CallbackQuery, state: FSMContext) -> bool:
    if query.message is None or query.message.message_id != await state.get_value("message_id"):
        await query.answer(_("This button belongs to another form: send /meeting_new to open "
                             "your own."), show_alert=True)
        return False
    return True


async def _next_by_button(query: CallbackQuery, state: FSMContext, step: State,
                          **chosen: object) -> None:
    await state.update_data(**chosen)
    await state.set_state(step)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(await _question(state),
                                      reply_markup=MARKUPS[step.state or ""]())


async def _next_by_text(message: Message, state: FSMContext, step: State,
                        **chosen: object) -> None:
    """A typed answer moves the form on in a new message; the old one's buttons go."""
    await state.update_data(**chosen)
    await state.set_state(step)
    await _close(message, await state.get_value("message_id"))
    sent = await message.reply(await _question(state), reply_markup=MARKUPS[step.state or ""]())
    await state.update_data(message_id=sent.message_id)


async def _close(message: Message, message_id: object) -> None:
    if isinstance(message_id, int) and message.bot is not None:
        await message.bot.edit_message_reply_markup(chat_id=message.chat.id,
                                                    message_id=message_id, reply_markup=None)


def _stale() -> str:
    return _("This button is no longer valid.")


# --- the steps ------------------------------------------------------------------------------

def _rule_step(rule: str) -> tuple[State, dict[str, object]]:
    monthly = rule == MeetingRule.MONTHLY
    return (MeetingForm.nth if monthly else MeetingForm.weekday), {"rule": rule, "nth": None}


async def chose_rule(query: CallbackQuery, callback_data: MeetingFormCb,
                     state: FSMContext) -> None:
    if not await _own_form(query, state):
        return
    if callback_data.value not in set(MeetingRule):
        await query.answer(_stale(), show_alert=True)
        return
    step, chosen = _rule_step(callback_data.value)
    await _next_by_button(query, state, step, **chosen)


async def typed_rule(message: Message, state: FSMContext) -> None:
    rule = words_zh.keyword(message.text or "", words_zh.MEETING_RULES)
    if rule is None:
        await _not_understood(message, state)
        return
    step, chosen = _rule_step(rule)
    await _next_by_text(message, state, step, **chosen)


async def _not_understood(message: Message, state: FSMContext) -> None:
    _number, _question_text, how = _asked(await state.get_state())
    await message.reply(escape(_("I did not understand that. {how} /cancel stops.").format(
        how=how)))


async def chose_nth(query: CallbackQuery, callback_data: MeetingFormCb,
                    state: FSMContext) -> None:
    if not await _own_form(query, state):
        return
    nth = int(callback_data.value) if callback_data.value in {"1", "2", "3", "4", "-1"} \
        else None
    if nth is None:
        await query.answer(_stale(), show_alert=True)
        return
    await _next_by_button(query, state, MeetingForm.weekday, nth=nth)


async def typed_nth(message: Message, state: FSMContext) -> None:
    nth = words_zh.nth_in_month(message.text or "")
    if nth is None:
        await _not_understood(message, state)
        return
    await _next_by_text(message, state, MeetingForm.weekday, nth=nth)


async def chose_weekday(query: CallbackQuery, callback_data: MeetingFormCb,
                        state: FSMContext) -> None:
    if not await _own_form(query, state):
        return
    if callback_data.value not in {str(d) for d in range(7)}:
        await query.answer(_stale(), show_alert=True)
        return
    await _next_by_button(query, state, MeetingForm.time, weekday=int(callback_data.value))


async def typed_weekday(message: Message, state: FSMContext) -> None:
    weekday = words_zh.weekday(message.text or "")
    if weekday is None:
        await _not_understood(message, state)
        return
    await _next_by_text(message, state, MeetingForm.time, weekday=weekday)


def _button_time(value: str) -> time | None:
    return words_zh.clock(f"{value[:2]}:{value[2:]}") if len(value) == 4 else None


async def chose_time(query: CallbackQuery, callback_data: MeetingFormCb,
                     state: FSMContext) -> None:
    if not await _own_form(query, state):
        return
    at = _button_time(callback_data.value)
    if at is None:
        await query.answer(_stale(), show_alert=True)
        return
    await _next_by_button(query, state, MeetingForm.length, time=f"{at:%H:%M}")


async def typed_time(message: Message, state: FSMContext) -> None:
    at = words_zh.clock(message.text or "")
    if at is None:
        await _not_understood(message, state)
        return
    await _next_by_text(message, state, MeetingForm.length, time=f"{at:%H:%M}")


def _length(value: str) -> int | None:
    minutes = words_zh.length_minutes(value)
    return minutes if minutes is not None and MIN_MINUTES <= minutes <= MAX_MINUTES else None


async def chose_length(query: CallbackQuery, callback_data: MeetingFormCb,
                       state: FSMContext) -> None:
    if not await _own_form(query, state):
        return
    minutes = _length(callback_data.value)
    if minutes is None:
        await query.answer(_stale(), show_alert=True)
        return
    await _next_by_button(query, state, MeetingForm.title, minutes=minutes)


async def typed_length(message: Message, state: FSMContext) -> None:
    minutes = _length(message.text or "")
    if minutes is None:
        await message.reply(escape(_("Please give the length in minutes, from {least} to "
                                     "{most} (e.g. 90), or tap one; /cancel stops.").format(
            least=MIN_MINUTES, most=MAX_MINUTES)))
        return
    await _next_by_text(message, state, MeetingForm.title, minutes=minutes)


async def chose_title(query: CallbackQuery, callback_data: MeetingFormCb, db: Database,
                      actor: Actor, clock: Clock, messenger: Messenger,
                      state: FSMContext) -> None:
    if not await _own_form(query, state):
        return
    if callback_data.value != "joint":
        await query.answer(_stale(), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await _finish(query.message, _("Three-worker joint meeting"), db, actor, clock,
                      messenger, state)


async def typed_title(message: Message, db: Database, actor: Actor, clock: Clock,
                      messenger: Messenger, state: FSMContext) -> None:
    title = (message.text or "").strip()
    checked = words.check(title, meetings.MAX_TITLE)
    if checked is not words.Words.OK:
        await (_not_understood(message, state) if checked is words.Words.EMPTY
               else message.reply(too_long_title()))
        return
    await _finish(message, title, db, actor, clock, messenger, state)


async def _finish(message: Message, title: str, db: Database, actor: Actor, clock: Clock,
                  messenger: Messenger, state: FSMContext) -> None:
    """Set the series up as chosen; the form's buttons go, and the form ends."""
    data = await state.get_data()
    await state.clear()
    await _close(message, data.get("message_id"))
    place_id = int(data.get("place_id", 0))
    place = await places.by_id(db, place_id)
    if place is None:
        await message.answer(_stale())
        return
    hours, minutes = (int(part) for part in str(data["time"]).split(":"))
    nth = data.get("nth")
    rule = Rule(MeetingRule(str(data["rule"])), int(data["weekday"]), time(hours, minutes),
                int(nth) if nth is not None else None)
    await set_up(message, rule, int(data["minutes"]), title, db, actor, place, clock,
                 messenger)


async def cancelled(query: CallbackQuery, state: FSMContext) -> None:
    if not await _own_form(query, state):
        return
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(_("Cancelled. Nothing was saved."), reply_markup=None)


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(begin, Command("meeting_new", magic=F.args.is_(None)), in_group)
    form = MeetingForm
    buttons = {
        MeetingStep.RULE: (chose_rule, form.rule),
        MeetingStep.NTH: (chose_nth, form.nth),
        MeetingStep.WEEKDAY: (chose_weekday, form.weekday),
        MeetingStep.TIME: (chose_time, form.time),
        MeetingStep.LENGTH: (chose_length, form.length),
        MeetingStep.TITLE: (chose_title, form.title),
    }
    for step, (handler, at) in buttons.items():
        router.callback_query.register(handler, StateFilter(at),
                                       MeetingFormCb.filter(F.step == step))
    router.callback_query.register(cancelled, StateFilter(*form.__all_states__),
                                   MeetingFormCb.filter(F.step == MeetingStep.CANCEL))
    texts = {form.rule: typed_rule, form.nth: typed_nth, form.weekday: typed_weekday,
             form.time: typed_time, form.length: typed_length, form.title: typed_title}
    for at, handler in texts.items():
        router.message.register(handler, StateFilter(at), typed, answering)
    return router

