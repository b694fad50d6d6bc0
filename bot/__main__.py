"""python -m bot: read the settings, migrate (in a process of its own), and run until stopped."""

import asyncio
import logging
import sys

from bot.startup import main

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    sys.exit(asyncio.run(main()))
