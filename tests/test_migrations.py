"""The schema: Alembic brings an empty database to the newest revision, and knows it is there."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from storage.db import Database, alembic_config
from storage.migrations import HEAD


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
