"""Inline keyboards. Buttons are verbs; labels come from the current language."""

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import labels
from bot.callbacks import (
    CATEGORY_ORDER,
    CommentCb,
    FormCb,
    FormStep,
    LangCb,
    PageCb,
    RateCb,
    WishAction,
    WishCb,
)
from storage.models import PlaceKind, Tier, Wish, WishState

TIER_CHAT = {Tier.GRID: PlaceKind.GRID, Tier.COMMUNITY: PlaceKind.COMMUNITY,
             Tier.STREET: PlaceKind.STREET}

LANGUAGE_NAMES = {"zh_Hans": "简体中文", "zh_Hant": "繁體中文", "en": "English"}


def card(wish: Wish, chat_kind: str) -> InlineKeyboardMarkup | None:
    """The one button a card offers, in the chat of the tier the wish is at."""
    if wish.state != WishState.OPEN or wish.id is None or TIER_CHAT[wish.tier] != chat_kind:
        return None
    label, action = {
        Tier.GRID: (_("🙋 Claim"), WishAction.CLAIM),
        Tier.COMMUNITY: (_("🤝 Take on"), WishAction.TAKE_ON),
        Tier.STREET: (_("📌 Adopt as a project"), WishAction.ADOPT),
    }[Tier(wish.tier)]
    builder = InlineKeyboardBuilder()
    builder.button(text=label, callback_data=WishCb(action=action, wish_id=wish.id))
    return builder.as_markup()


def verification(wish_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Approve"), callback_data=WishCb(action=WishAction.APPROVE,
                                                           wish_id=wish_id))
    builder.button(text=_("Reject"), callback_data=WishCb(action=WishAction.REJECT,
                                                          wish_id=wish_id))
    return builder.as_markup()


def claimer(wish_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Mark fulfilled"), callback_data=WishCb(action=WishAction.DONE,
                                                                    wish_id=wish_id))
    builder.button(text=_("Give up"), callback_data=WishCb(action=WishAction.RELEASE,
                                                           wish_id=wish_id))
    return builder.as_markup()


def withdraw(wish_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Withdraw"), callback_data=WishCb(action=WishAction.WITHDRAW,
                                                            wish_id=wish_id))
    return builder.as_markup()


def rating(wish_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for score in range(1, 6):
        builder.button(text=f"{score} ⭐",
                       callback_data=RateCb(wish_id=wish_id, score=score))
    builder.adjust(3, 2)
    return builder.as_markup()


def comment(wish_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Add a comment"), callback_data=CommentCb(wish_id=wish_id))
    return builder.as_markup()


def categories() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for value in CATEGORY_ORDER:
        builder.button(text=labels.category(value),
                       callback_data=FormCb(step=FormStep.CATEGORY, value=value))
    builder.button(text=_("Cancel"), callback_data=FormCb(step=FormStep.CANCEL))
    builder.adjust(2)
    return builder.as_markup()


def urgency() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🚨 Urgent"), callback_data=FormCb(step=FormStep.URGENT, value="1"))
    builder.button(text=_("Not urgent"), callback_data=FormCb(step=FormStep.URGENT, value="0"))
    return builder.as_markup()


def skip() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Skip"), callback_data=FormCb(step=FormStep.SKIP))
    return builder.as_markup()


def confirm_form() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Submit"), callback_data=FormCb(step=FormStep.SUBMIT))
    builder.button(text=_("Cancel"), callback_data=FormCb(step=FormStep.CANCEL))
    return builder.as_markup()


def languages() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code, name in LANGUAGE_NAMES.items():
        builder.button(text=name, callback_data=LangCb(locale=code))
    return builder.as_markup()


def link(text: str, url: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=text, url=url)
    return builder.as_markup()


def acknowledge(page_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Acknowledge"), callback_data=PageCb(page_id=page_id))
    return builder.as_markup()
