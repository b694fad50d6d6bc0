"""python -m storage.migrate URL: bring the database at URL to the newest schema, then exit.

The bot runs this in a process of its own when its database is behind (see
``Database.migrate_separately``)."""

from __future__ import annotations

import asyncio
import logging
import sys

from storage.db import Database


async def migrate(url: str) -> None:
    database = Database(url)
    try:
        await database.migrate()
    finally:
        await database.dispose()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    if len(sys.argv) != 2:
        sys.exit("usage: python -m storage.migrate DATABASE_URL")
    try:
        asyncio.run(migrate(sys.argv[1]))
    except Exception as error:  # one line for whoever started us, not a traceback
        sys.exit(str(getattr(error, "orig", None) or error).splitlines()[0])
