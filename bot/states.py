"""FSM states, one group per form."""

from aiogram.fsm.state import State, StatesGroup


class WishForm(StatesGroup):
    category = State()
    text = State()
    urgency = State()
    phone = State()
    address = State()
    confirm = State()


class RejectReason(StatesGroup):
    reason = State()


class RatingComment(StatesGroup):
    comment = State()


class AdoptionNote(StatesGroup):
    note = State()
