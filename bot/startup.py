"""Start-up with one clear sentence for every way it can fail, instead of a traceback.

A wrong setting is reported by bot.__main__, before this module's imports take their seconds.
"""

from __future__ import annotations

import logging
import sys

from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from bot.app import App, build, serve
from bot.instances import AnotherInstance
from bot.settings import Settings
from storage.db import MigrationFailed

log = logging.getLogger("gridlink")


def _network_errors(settings: Settings) -> tuple[type[Exception], ...]:
    """What a Bot API server or proxy out of reach raises: aiohttp-socks's errors are not
    aiohttp's, so aiogram lets them through unwrapped (and they exist only with a proxy)."""
    if settings.proxy is None:
        return (TelegramNetworkError,)
    from aiohttp_socks import ProxyConnectionError, ProxyError, ProxyTimeoutError

    return (TelegramNetworkError, ProxyConnectionError, ProxyError, ProxyTimeoutError)


def unreachable(settings: Settings, error: Exception) -> str:
    """The one sentence for a Bot API that cannot be reached, naming the settings that help."""
    reason = error.message if isinstance(error, TelegramNetworkError) else (
        f"{type(error).__name__}: {error}")
    server = ("the Bot API server at GRIDLINK_TELEGRAM_API_URL" if settings.telegram_api_url
              else "Telegram's Bot API")
    if settings.proxy is not None:
        return (f"GridLink cannot start: {server} cannot be reached through the proxy "
                f"GRIDLINK_PROXY ({reason}). Check that the proxy runs and lets this machine "
                "through, or point GRIDLINK_TELEGRAM_API_URL at a local Bot API server; see "
                "README.md, Reaching Telegram.")
    return (f"GridLink cannot start: {server} cannot be reached ({reason}). Where Telegram "
            "is blocked, set GRIDLINK_PROXY (socks5://host:port or http://host:port) or point "
            "GRIDLINK_TELEGRAM_API_URL at a local Bot API server; see README.md, Reaching "
            "Telegram.")


async def main(settings: Settings) -> int:
    """Build and serve the bot with settings already checked (bot.__main__ reads them first)."""
    try:
        app: App = await build(settings)
    except (OperationalError, DBAPIError, ArgumentError, OSError, MigrationFailed) as error:
        reason = getattr(error, "orig", None) or error
        print(f"GridLink cannot start: the database at GRIDLINK_DATABASE_URL cannot be used "
              f"({reason}).", file=sys.stderr)
        return 2
    try:
        await serve(app)
    except AnotherInstance as refusal:
        print(refusal, file=sys.stderr)
        return 2
    except TelegramUnauthorizedError:
        print("GridLink cannot start: Telegram rejected GRIDLINK_BOT_TOKEN. Check it with "
              "BotFather (/token).", file=sys.stderr)
        return 2
    except _network_errors(settings) as error:
        print(unreachable(settings, error), file=sys.stderr)
        return 2
    finally:
        await app.close()
    return 0
