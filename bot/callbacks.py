"""CallbackData factories: short prefixes, typed fields."""

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from storage.models import Category


class WishAction(StrEnum):
    CLAIM = "c"
    RELEASE = "r"
    DONE = "d"
    WITHDRAW = "w"
    APPROVE = "a"
    REJECT = "x"
    TAKE_ON = "t"
    ADOPT = "p"


class WishCb(CallbackData, prefix="w"):
    action: WishAction
    wish_id: int


class RateCb(CallbackData, prefix="r"):
    wish_id: int
    score: int


class CommentCb(CallbackData, prefix="rc"):
    wish_id: int


class FormStep(StrEnum):
    CATEGORY = "c"
    URGENT = "u"
    SKIP = "s"
    SUBMIT = "ok"
    CANCEL = "no"


class FormCb(CallbackData, prefix="f"):
    step: FormStep
    value: str = ""


class LangCb(CallbackData, prefix="l"):
    locale: str


CATEGORY_ORDER = list(Category)


class PageCb(CallbackData, prefix="pg"):
    page_id: int
