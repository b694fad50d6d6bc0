"""The schema: Alembic brings an empty database to the newest revision, and knows it is there."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from storage.db import Database, MigrationFailed, alembic_config
from storage.migrations import HEAD

PROJECT = Path(__file__).resolve().parent.parent


def test_head_names_the_newest_revision() -> None:
    assert ScriptDirectory.from_config(alembic_config()).get_heads() == [HEAD]


async def test_an_empty_database_is_migrated_to_head_once(database_url: str) -> None:
    database = Database(database_url)
    try:
        assert await database.schema_version() is None
        await database.migrate()
        assert await database.schema_version() == HEAD
        await database.migrate()  # already at head: nothing to do, nothing fails
        assert await database.schema_version() == HEAD
    finally:
        await database.dispose()



async def test_the_bot_migrates_in_a_process_of_its_own(database_url: str) -> None:
    """build() migrates through ``python -m storage.migrate``: the bot's process reaches head
    without ever loading Alembic."""
    script = ("import asyncio, sys\n"
              "from storage.db import Database\n"
              "async def main():\n"
              "    database = Database(sys.argv[1])\n"
              "    await database.migrate_separately()\n"
              "    print(await database.schema_version(), 'alembic' in sys.modules)\n"
              "    await database.dispose()\n"
              "asyncio.run(main())\n")
    bot = await asyncio.create_subprocess_exec(sys.executable, "-c", script, database_url,
                                               stdout=asyncio.subprocess.PIPE, cwd=PROJECT)
    said, _ = await bot.communicate()
    assert bot.returncode == 0
    assert said.decode().split() == [HEAD, "False"]


async def test_a_failed_migration_says_why(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'no such folder' / 'gridlink.db'}")
    try:
        with pytest.raises(MigrationFailed, match="unable to open database file"):
            await database.migrate_separately()
    finally:
        await database.dispose()
