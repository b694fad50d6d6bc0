"""The schema: Alembic brings an empty database to the newest revision, and knows it is there."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from storage.db import Database, MigrationFailed, alembic_config
from storage.migrations import HEAD
from storage.models import PARTIAL_WHERE

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


async def test_partial_indexes_are_partial_on_either_database(database_url: str) -> None:
    """The models name only SQLite's condition of a partial index; the migrations must give
    PostgreSQL the same one, or a released claim would block the next."""
    partial = {index.name: index.info[PARTIAL_WHERE]
               for table in SQLModel.metadata.tables.values() for index in table.indexes
               if PARTIAL_WHERE in index.info}
    assert partial
    database = Database(database_url)
    try:
        await database.migrate()
        async with database.engine.connect() as connection:
            query = ("SELECT indexname, indexdef FROM pg_indexes"
                     if connection.dialect.name == "postgresql"
                     else "SELECT name, sql FROM sqlite_master WHERE type = 'index'")
            found = dict((await connection.exec_driver_sql(query)).all())
    finally:
        await database.dispose()
    for name, where in partial.items():  # PostgreSQL writes the condition in brackets
        assert found[name].replace("(", "").replace(")", "").endswith(f" WHERE {where}"), \
            found[name]


def test_a_bot_on_sqlite_does_not_load_the_postgresql_dialect() -> None:
    """2.4 MiB that a bot on SQLite never uses."""
    script = ("import sys, bot.app\n"
              "print('sqlalchemy.dialects.postgresql' in sys.modules)\n")
    loaded = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True,
                            text=True, check=True)
    assert loaded.stdout.split() == ["False"]


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
