"""Start-up with one clear sentence for every way it can fail, instead of a traceback."""

from __future__ import annotations

import logging
import sys

from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError
from pydantic import ValidationError
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from bot.app import App, build, serve
from bot.settings import Settings
from storage.db import MigrationFailed

log = logging.getLogger("gridlink")


def describe_settings_error(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        name = "GRIDLINK_" + "_".join(str(part) for part in item["loc"]).upper()
        if item["type"] == "missing":
            problems.append(f"{name} is not set")
        elif item["type"] == "value_error" and not item["loc"]:
            problems.append(str(item["ctx"]["error"]))
        elif item["type"] == "value_error":
            problems.append(f"{name} {item['ctx']['error']}")
        else:
            problems.append(f"{name}: {item['msg']}")
    return "GridLink cannot start: " + "; ".join(problems) + ". See README.md, Configuration."


async def main() -> int:
    try:
        settings = Settings()  # type: ignore[call-arg]
    except ValidationError as error:
        print(describe_settings_error(error), file=sys.stderr)
        return 2
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
