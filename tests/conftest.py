"""Fixtures: a database on SQLite and on PostgreSQL, and the bot against the fake Bot API."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.app import build
from bot.clock import FrozenClock
from bot.limits import Limits
from bot.settings import Settings
from storage.db import Database
from tests import tripwire
from tests.fake_telegram import GOOD_TOKEN, FakeTelegram
from tests.harness import ADMIN, START, Harness
from tests.schema_copies import at_newest_schema

POSTGRES_URL = os.environ.get("GRIDLINK_TEST_POSTGRES_URL")
UNLIMITED = Limits(per_second=1_000_000, per_chat_per_second=1_000_000,
                   per_group_per_minute=1_000_000)
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'gridlink.db'}"
        return
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("GRIDLINK_TEST_POSTGRES_URL is not set; CI must run the PostgreSQL tests")
        pytest.skip("no PostgreSQL: run the tests with `make test` to start one")
    admin = make_url(POSTGRES_URL)
    name = f"gridlink_test_{uuid.uuid4().hex[:12]}"
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(await at_head(database_url))
    yield database
    await database.dispose()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


def make_settings(fake: FakeTelegram, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "bot_token": GOOD_TOKEN,
        "telegram_api_url": fake.base_url,
        "database_url": database_url,
        "admin_ids": frozenset({ADMIN.id}),
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


async def at_head(url: str) -> str:
    """The empty database at ``url`` brought to the newest schema here (a copy of one migrated
    once): build() would spawn a migrating process, a second a test."""
    return await at_newest_schema(url)


@pytest.fixture
async def harness(fake: FakeTelegram, database_url: str) -> AsyncIterator[Harness]:
    clock = FrozenClock(START)
    app = await build(make_settings(fake, await at_head(database_url)), clock)
    # Flows are tested without waiting on Telegram's pace; test_outbox tests the pace.
    app.sender.limits = UNLIMITED
    harness = Harness(app, fake, clock)
    yield harness
    try:
        await tripwire.check(fake, app.db)
    finally:
        await app.close()
