"""Privacy by audience: who a message is for decides what it may say.

Every text the bot sends is for one of two audiences. A private chat (a positive chat id) is
one person: the resident themself, a claimer or named staff. A group (a negative chat id: grid
groups, and community and street chats alike, whose members may be residents, volunteers and
organisations) is never entitled to a contact field. Two rules follow, each decided here:

- Contact fields (phone, address, ID number) render only while the audience is private:
  ``private_details_allowed`` answers for the message being rendered. Renderers ask it and
  offer a private "Contact details" button in a group instead.
- Every text, caption and button label sent to a group passes ``GroupPrivacy``, which masks
  what the detector of ``storage.privacy`` finds in what people typed (wish texts, names,
  topics, questions). It is the bot's one way out to Telegram, so no route can skip it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardMarkup

from storage.privacy import mask_numbers


class Audience(StrEnum):
    PRIVATE = "private"
    GROUP = "group"


_audience: ContextVar[Audience] = ContextVar("audience", default=Audience.PRIVATE)
_TAG = re.compile(r"(<[^>]*>)")


def of_chat(chat_id: int | str | None) -> Audience:
    """Telegram gives people positive ids and groups, supergroups and channels negative ones
    (a channel may also be named by "@username")."""
    if isinstance(chat_id, str):
        return Audience.GROUP if chat_id.startswith("@") or chat_id.startswith("-") \
            else Audience.PRIVATE
    return Audience.GROUP if chat_id is not None and chat_id < 0 else Audience.PRIVATE


@contextmanager
def addressing(chat_id: int | str | None) -> Iterator[Audience]:
    """Render for the audience of ``chat_id`` within this block."""
    audience = of_chat(chat_id)
    token = _audience.set(audience)
    try:
        yield audience
    finally:
        _audience.reset(token)


def current() -> Audience:
    return _audience.get()


def private_details_allowed() -> bool:
    """Whether a contact field may be rendered into the message being built now."""
    return _audience.get() is Audience.PRIVATE


def for_group(text: str) -> str:
    """``text`` as a group may see it: numbers people typed are masked; HTML tags (links,
    mentions by user id) are left as they are."""
    parts = _TAG.split(text)
    return "".join(part if part.startswith("<") else mask_numbers(part)[0] for part in parts)


def _masked_markup(markup: Any) -> Any:
    if not isinstance(markup, InlineKeyboardMarkup):
        return markup
    rows = [[button.model_copy(update={"text": for_group(button.text)}) for button in row]
            for row in markup.inline_keyboard]
    return InlineKeyboardMarkup(inline_keyboard=rows)


class GroupPrivacy(BaseRequestMiddleware):
    """Masks every text, caption and button label of a request to a group chat."""

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        if of_chat(getattr(method, "chat_id", None)) is Audience.GROUP:
            changes: dict[str, Any] = {}
            for field in ("text", "caption"):
                value = getattr(method, field, None)
                if isinstance(value, str):
                    changes[field] = for_group(value)
            markup = getattr(method, "reply_markup", None)
            if markup is not None:
                changes["reply_markup"] = _masked_markup(markup)
            if changes:
                method = method.model_copy(update=changes)
        return await make_request(bot, method)
