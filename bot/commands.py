"""The command menu, in each language.

Telegram picks a menu by the two-letter language code of the person's app (setMyCommands
accepts ISO 639-1 codes only): "zh" cannot tell Simplified from Traditional, and a Chinese
resident whose phone runs Telegram in English gets the "en" menu. So the menus by language
are Simplified Chinese for "zh", English for "en" and the default language for everyone else,
and a private chat whose language differs from its menu's (a Traditional Chinese reader, an
English app in a Chinese-speaking grid, a choice made with /lang) gets a menu of its own, set
for that chat alone the first time the person writes to the bot (``PersonalMenus``). A group
speaks one language: /lang in the group sets its menu. What cannot be done: a Traditional menu
before the person's first private message, and a menu per person inside a group.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    Message,
    TelegramObject,
)
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from storage import people
from storage.db import Database
from storage.models import Person
from storage.people import Actor

log = logging.getLogger(__name__)

MENU_LANGUAGES = {"zh": "zh_Hans", "en": "en"}


def private_commands() -> list[BotCommand]:
    return [
        BotCommand(command="mywishes", description=_("My micro-wishes")),
        BotCommand(command="mytasks", description=_("Wishes I claimed")),
        BotCommand(command="volunteer", description=_("Sign up as a volunteer")),
        BotCommand(command="myhours", description=_("My service hours")),
        BotCommand(command="logservice", description=_("Log other volunteer service")),
        BotCommand(command="lang", description=_("Choose the language")),
        BotCommand(command="cancel", description=_("Stop filling in a form")),
        BotCommand(command="help", description=_("What I can do")),
    ]


def group_commands() -> list[BotCommand]:
    return [
        BotCommand(command="wish", description=_("Post a micro-wish")),
        BotCommand(command="ask", description=_("Ask the social worker on duty")),
        BotCommand(command="duty", description=_("Who is on duty today")),
        BotCommand(command="meetings", description=_("Joint meetings here")),
        BotCommand(command="topic", description=_("Propose a meeting topic")),
        BotCommand(command="volunteer", description=_("Sign up as a volunteer")),
        BotCommand(command="help", description=_("What I can do")),
        BotCommand(command="lang", description=_("Choose the group's language")),
    ]


async def register_menus(bot: Bot, i18n: I18n) -> None:
    for language, locale in [(None, i18n.default_locale), *MENU_LANGUAGES.items()]:
        with i18n.context(), i18n.use_locale(locale):
            await bot.set_my_commands(private_commands(), scope=BotCommandScopeAllPrivateChats(),
                                      language_code=language)
            await bot.set_my_commands(group_commands(), scope=BotCommandScopeAllGroupChats(),
                                      language_code=language)
            await bot.set_my_commands(group_commands(), scope=BotCommandScopeDefault(),
                                      language_code=language)


async def set_chat_commands(bot: Bot, chat_id: int, *, private: bool) -> None:
    """The menu of one chat, in the language it chose (call inside that locale)."""
    commands = private_commands() if private else group_commands()
    await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=chat_id))


def menu_by_language(language_code: str | None, default: str) -> str:
    """The language of the menu Telegram shows for an app language (its first two letters)."""
    return MENU_LANGUAGES.get((language_code or "")[:2].lower(), default)


class PersonalMenus(BaseMiddleware):
    """Gives a private chat the menu in its own language when Telegram's menus by language
    code cannot (see the module's docstring). Runs inside the locale of the update; the
    language of the menu set is kept on the person, so it is set once per change."""

    def __init__(self, db: Database, default: str) -> None:
        self.db = db
        self.default = default

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        actor: Actor | None = data.get("actor")
        if isinstance(event, Message) and event.chat.type == "private" and actor is not None:
            await self._keep_in_step(data["bot"], actor.person, I18n.get_current())
        return await handler(event, data)

    async def _keep_in_step(self, bot: Bot, person: Person, i18n: I18n) -> None:
        """No menu of their own (None) means Telegram's menu for their app's language."""
        wanted = i18n.current_locale
        own = person.menu_locale
        if own == wanted or (own is None and wanted == menu_by_language(person.language_code,
                                                                        self.default)):
            return
        try:
            await set_chat_commands(bot, person.id, private=True)
        except TelegramAPIError as error:
            log.warning("cannot set the menu of %s: %s", person.id, error)
            return
        await people.set_menu_locale(self.db, person.id, wanted)
        person.menu_locale = wanted
