"""The command menu, in each language."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

# Telegram targets menus by two-letter language code only, so "zh" gets Simplified Chinese;
# a chat that chose Traditional Chinese with /lang gets its own menu.
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
