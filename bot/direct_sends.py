"""Answers sent straight from a handler keep Telegram's limits with the outbox's.

A handler answers the person acting at once, not through the outbox (a claim's "it is
yours", /mywishes, a reply in the group). Those messages use up the same quotas as the
sender's: a group's 20 a minute above all. Uncounted, a busy group's sender and handlers
together went past it, and Telegram's 429 failed the update (the person was told "sorry" for a
wish that was stored). This request middleware counts each such send with the sender's budget
(this instance's own limits, or those shared in Redis), waits for the chat's window when it is
full, and waits out a 429 and sends again.
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from typing import TYPE_CHECKING

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

if TYPE_CHECKING:
    from bot.sender import Sender

# Methods that Telegram counts against a chat's quota.
SENDS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendVoice", "sendMediaGroup",
                   "copyMessage", "forwardMessage"})
TRIES = 3
# Set inside the sender's own tasks: it counts its sends itself (bot.sender).
BY_THE_SENDER: ContextVar[bool] = ContextVar("gridlink_by_the_sender", default=False)


class WithinLimits(BaseRequestMiddleware):
    def __init__(self, sender: Sender) -> None:
        self.sender = sender

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        chat_id = getattr(method, "chat_id", None)
        if (BY_THE_SENDER.get() or method.__api_method__ not in SENDS
                or not isinstance(chat_id, int)):
            return await make_request(bot, method)
        for attempt in range(1, TRIES + 1):
            await self.sender.window(chat_id)
            try:
                return await self.sender.counted(chat_id, make_request(bot, method))
            except TelegramRetryAfter as error:
                if attempt == TRIES:
                    raise
                await asyncio.sleep(error.retry_after)
        raise AssertionError("unreachable")
