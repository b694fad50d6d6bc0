"""Group talk that is for people, not for the bot: taken first and left alone.

Most messages in a grid group are residents talking to each other. Without this router each
of them would try every handler of every flow (some eighty) before being ignored; here it is
recognised by one filter and stops."""

from __future__ import annotations

from aiogram import Router
from aiogram.enums import ChatType
from aiogram.types import Message


async def people_talking(message: Message, raw_state: str | None) -> bool:
    """Plain text in a group that is no command, no reply to a bot (answers to the bot's
    questions are replies) and not written while the bot waits for this person's answer."""
    if message.chat.type == ChatType.PRIVATE or raw_state is not None:
        return False
    if message.text is None or message.text.startswith("/"):
        return False
    replied = message.reply_to_message
    return replied is None or replied.from_user is None or not replied.from_user.is_bot


async def leave_alone(message: Message) -> None:
    """Nothing to do: the talk is not for the bot."""


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(leave_alone, people_talking)
    return router
