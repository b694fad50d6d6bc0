"""python -m bot: read the settings, migrate (in a process of its own), and run until stopped.

The settings are read and checked before aiogram and the rest of the bot are imported: those
imports take seconds of CPU, and a wrong setting should be reported at once.
"""

import asyncio
import logging
import sys

from pydantic import ValidationError

from bot.settings import Settings, describe_settings_error


def read_settings() -> Settings | None:
    try:
        return Settings()  # type: ignore[call-arg]
    except ValidationError as error:
        print(describe_settings_error(error), file=sys.stderr)
        return None


def run() -> int:
    settings = read_settings()
    if settings is None:
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    from bot.startup import main  # the heavy imports, only once the settings are good

    return asyncio.run(main(settings))


if __name__ == "__main__":
    sys.exit(run())
