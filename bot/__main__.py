"""python -m bot: read the settings, migrate, and run until stopped."""

import asyncio
import logging
import sys

from bot.startup import main

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # Alembic says "Running upgrade …" at INFO; start-up failures should read as one sentence.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    sys.exit(asyncio.run(main()))
