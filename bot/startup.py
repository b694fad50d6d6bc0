"""Start-up with one clear sentence for every way it can fail, instead of a traceback.

A wrong setting is reported by bot.__main__, before this module's imports take their seconds.
"""

from __future__ import annotations

import logging
import sys

from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from bot.app import App, build, serve
from bot.settings import Settings
from storage.db import MigrationFailed

log = logging.getLogger("gridlink")


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
    except TelegramUnauthorizedError:
        print("GridLink cannot start: Telegram rejected GRIDLINK_BOT_TOKEN. Check it with "
              "BotFather (/token).", file=sys.stderr)
        return 2
    except TelegramNetworkError as error:
        print(f"GridLink cannot start: Telegram's Bot API cannot be reached ({error.message}).",
              file=sys.stderr)
        return 2
    finally:
        await app.close()
    return 0
