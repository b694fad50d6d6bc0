"""The shape shared by the round form (/round) and the proposal form (/propose): a private
form of steps in order, each asked in one message with its buttons and ‹ Back and Cancel.

A step is answered by typing (read by the step's reader) or by its buttons. A typed answer
that cannot be read gets a clear answer and the step is asked again; nothing is kept of it.
A good one moves the form on in a new message, and the old message loses its buttons; a
button moves it on in place. A button of an older message of the form, or of another form,
changes nothing and says so. Answers live in FSM storage, so a form survives a restart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot import paging
from bot.callbacks import VentureFormCb, VentureStep
from storage import ventures

Rows = list[list[InlineKeyboardButton]]
Data = dict[str, Any]
NEEDS_PER_PAGE = 8
NEED_LABEL = 28  # characters of a need's words on its button


@dataclass(frozen=True)
class Read:
    """A typed answer understood: what it changes, and whether the step stays (budget lines
    and milestones are typed until Done)."""

    changes: Mapping[str, Any] = field(default_factory=dict)
    stay: bool = False


Reader = Callable[[str, Data, datetime], "Read | str"]
Ask = Callable[[State, Data], Awaitable[tuple[str, Rows]]]


def button(text: str, step: VentureStep, value: object = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=VentureFormCb(
        step=step, value=str(value)).pack())


@dataclass(frozen=True)
class Form:
    """A form's steps in order; ``skipped`` says which a form leaves out (one street to
    choose from); ``ask`` renders a step's question and its own buttons."""

    title: Callable[[Data], str]
    order: Sequence[State]
    ask: Ask
    readers: Mapping[str, Reader]
    skipped: Callable[[State, Data], bool] = lambda _step, _data: False

    def _index(self, current: str | None) -> int:
        return next((n for n, step in enumerate(self.order) if step.state == current), 0)

    def after(self, current: str | None, data: Data) -> State:
        """The next step; the summary once a single part was changed from it."""
        if data.get("part"):
            return self.order[-1]
        for step in self.order[self._index(current) + 1:]:
            if not self.skipped(step, data):
                return step
        return self.order[-1]

    def before(self, current: str | None, data: Data) -> State | None:
        for step in reversed(self.order[:self._index(current)]):
            if not self.skipped(step, data):
                return step
        return None

    async def render(self, step: State, data: Data) -> tuple[str, InlineKeyboardMarkup]:
        question, rows = await self.ask(step, data)
        number = [s for s in self.order if not self.skipped(s, data)].index(step) + 1 \
            if not self.skipped(step, data) else 1
        steps = len([s for s in self.order if not self.skipped(s, data)])
        navigation = [button(_("‹ Back"), VentureStep.BACK)] if self.before(
            step.state, data) is not None else []
        navigation.append(button(_("Cancel"), VentureStep.CANCEL))
        heading = _("<b>{title}</b> · step {number} of {steps}").format(
            title=self.title(data), number=number, steps=steps)
        # The summary of a long proposal stays one message (Telegram's 4,096).
        return paging.shorten("\n".join([heading, question]), paging.BUDGET), InlineKeyboardMarkup(
            inline_keyboard=[*rows, navigation])


async def own_form(query: CallbackQuery, state: FSMContext) -> bool:
    """Whether the button is of the form's message now asking."""
    if query.message is None or query.message.message_id != await state.get_value(
            "message_id"):
        await query.answer(_("This button belongs to another form."), show_alert=True)
        return False
    return True


async def show(form: Form, state: FSMContext, step: State, *, query: CallbackQuery | None = None,
               message: Message | None = None, **changes: Any) -> None:
    """Ask ``step``: in place of the form's message for a button, in a new message for a
    typed answer (the old message loses its buttons)."""
    data = await state.update_data(**changes) if changes else await state.get_data()
    await state.set_state(step)
    text, markup = await form.render(step, data)
    if query is not None and isinstance(query.message, Message):
        await query.answer()
        with suppress(TelegramBadRequest):  # the same page shown again: "not modified"
            await query.message.edit_text(text, reply_markup=markup)
        return
    if message is None:
        return
    await close(message, data.get("message_id"))
    sent = await message.answer(text, reply_markup=markup)
    await state.update_data(message_id=sent.message_id)


async def close(message: Message, message_id: object) -> None:
    if isinstance(message_id, int) and message.bot is not None:
        with suppress(TelegramBadRequest):
            await message.bot.edit_message_reply_markup(chat_id=message.chat.id,
                                                        message_id=message_id,
                                                        reply_markup=None)


async def typed(form: Form, message: Message, state: FSMContext, now: datetime) -> None:
    """A typed answer to the step asking now."""
    current = await state.get_state()
    data = await state.get_data()
    reader = form.readers.get(current or "")
    if reader is None:
        await message.answer(_("Please tap one of the buttons above, or /cancel to stop."))
        return
    read = reader(message.text or "", data, now)
    step = next(s for s in form.order if s.state == current)
    if isinstance(read, str):
        await message.answer(read)
        await show(form, state, step, message=message)
        return
    target = step if read.stay else form.after(current, {**data, **read.changes})
    await show(form, state, target, message=message, **read.changes)


async def back(form: Form, query: CallbackQuery, state: FSMContext) -> None:
    if not await own_form(query, state):
        return
    data = await state.get_data()
    step = form.before(await state.get_state(), data)
    if step is None:
        await query.answer()
        return
    await show(form, state, step, query=query, part=False)


async def forward(form: Form, query: CallbackQuery, state: FSMContext,
                  **changes: Any) -> None:
    """A button answered the step: on to the next."""
    data = await state.get_data()
    await show(form, state, form.after(await state.get_state(), {**data, **changes}),
               query=query, **changes)


async def cancel(query: CallbackQuery, state: FSMContext) -> None:
    if not await own_form(query, state):
        return
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(_("Cancelled. Nothing was saved."))


# -- choosing needs --------------------------------------------------------------------------


def need_rows(offered: Sequence[Sequence[Any]], chosen: Sequence[int], page: int) -> Rows:
    """The needs (``[wish id, words]``) on and off, a page at a time, and Done."""
    pages = max(1, -(-len(offered) // NEEDS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    rows: Rows = []
    for wish_id, words in offered[page * NEEDS_PER_PAGE:(page + 1) * NEEDS_PER_PAGE]:
        label = words if len(words) <= NEED_LABEL else words[:NEED_LABEL - 1] + "…"
        mark = "✅ " if wish_id in chosen else ""
        rows.append([button(f"{mark}#{wish_id} {label}", VentureStep.NEED, wish_id)])
    turning = []
    if page > 0:
        turning.append(button(_("‹ Previous"), VentureStep.PAGE, page - 1))
    if page < pages - 1:
        turning.append(button(_("Next ›"), VentureStep.PAGE, page + 1))
    if turning:
        rows.append(turning)
    rows.append([button(_("Done ({count} chosen)").format(count=len(chosen)),
                        VentureStep.DONE)])
    return rows


async def toggle_need(form: Form, query: CallbackQuery, state: FSMContext,
                      value: str) -> None:
    data = await state.get_data()
    offered = {int(wish_id) for wish_id, _words in data.get("offered", [])}
    if not value.isdecimal() or int(value) not in offered:
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    chosen = [int(n) for n in data.get("chosen", [])]
    if int(value) not in chosen and len(chosen) >= ventures.MAX_NEEDS:
        await query.answer(_("At most {most} needs.").format(most=ventures.MAX_NEEDS),
                           show_alert=True)
        return
    chosen = [n for n in chosen if n != int(value)] if int(value) in chosen \
        else [*chosen, int(value)]
    current = await state.get_state()
    await show(form, state, next(s for s in form.order if s.state == current), query=query,
               chosen=chosen)


async def turn_needs(form: Form, query: CallbackQuery, state: FSMContext, value: str) -> None:
    if not value.isdecimal():
        await query.answer(_("This button is no longer valid."), show_alert=True)
        return
    current = await state.get_state()
    await show(form, state, next(s for s in form.order if s.state == current), query=query,
               page=int(value))


async def needs_done(form: Form, query: CallbackQuery, state: FSMContext) -> None:
    if not (await state.get_data()).get("chosen"):
        await query.answer(_("Please choose at least one need."), show_alert=True)
        return
    await forward(form, query, state)


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def state_named(order: Sequence[State], name: str) -> State | None:
    return next((s for s in order if s.state is not None and s.state.endswith(f":{name}")),
                None)
