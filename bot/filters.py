"""Filters used by several routers."""

from typing import Any

from aiogram import F
from aiogram.filters import Filter
from aiogram.types import TelegramObject
from magic_filter import MagicFilter


class Magic(Filter):
    """A magic filter checked in the event loop. aiogram runs a bare ``F`` rule like any
    synchronous callable, in a worker thread: one thread hop per rule per update, which was
    most of the time the bot spent on a group message it ignores."""

    def __init__(self, rule: MagicFilter) -> None:
        self.rule = rule

    async def __call__(self, event: TelegramObject) -> Any:
        return self.rule.resolve(event)


in_group = Magic(F.chat.type.in_({"group", "supergroup"}))
in_private = Magic(F.chat.type == "private")
not_a_command = Magic(~F.text.startswith("/"))
typed = Magic(F.text & ~F.text.startswith("/"))
