"""Autogenerate an Alembic revision against a scratch SQLite database at head.

Usage: python scripts/new_migration.py "what changed"
Read the generated file before committing it.
"""

import asyncio
import sys
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy.engine import Connection

from storage.db import Database, alembic_config


def _revise(connection: Connection, message: str) -> None:
    command.revision(alembic_config(connection), message=message, autogenerate=True)


async def main(message: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite+aiosqlite:///{Path(folder) / 'scratch.db'}")
        await database.migrate()
        async with database.engine.begin() as connection:
            await connection.run_sync(_revise, message)
        await database.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
