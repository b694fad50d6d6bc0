"""What the benchmarks share: a fresh database of either kind, settings, and the output lines.

Kept light on imports: the echo baseline of bench.throughput imports this module too, and its
memory must not include GridLink's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.app import App
    from bot.settings import Settings

DATABASES = ("sqlite", "postgresql")
POSTGRES_DEFAULT = "postgresql+asyncpg://gridlink@127.0.0.1:55432/postgres"
PROJECT = Path(__file__).resolve().parent.parent
# Telegram's sending limits lifted (bot.limits.Limits' arguments), where a benchmark measures
# the bot's work rather than Telegram's pace.
LIFTED_LIMITS = {"per_second": 10**9, "per_chat_per_second": 10**9,
                 "per_group_per_minute": 10**9}


def parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database", choices=DATABASES, default="sqlite",
                        help="SQLite in a temporary folder (default), or a throwaway database "
                             "in the PostgreSQL of GRIDLINK_TEST_POSTGRES_URL (default "
                             f"{POSTGRES_DEFAULT})")
    return parser


def postgres_server_url() -> str:
    return os.environ.get("GRIDLINK_TEST_POSTGRES_URL") or POSTGRES_DEFAULT


@asynccontextmanager
async def fresh_database(kind: str, label: str) -> AsyncIterator[str]:
    """The SQLAlchemy URL of a new, empty database, removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"gridlink-bench-{label}-") as folder:
            yield f"sqlite+aiosqlite:///{folder}/gridlink.db"
        return
    import asyncpg
    from sqlalchemy.engine import make_url

    server = make_url(postgres_server_url())
    name = f"gridlink_bench_{label}_{uuid.uuid4().hex[:10]}"
    dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        connection = await asyncpg.connect(dsn)
    except OSError as error:
        raise SystemExit(f"no PostgreSQL at {dsn} ({error}); start one with "
                         "`eval \"$(scripts/test-postgres.sh)\"`") from error
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


def settings(api_url: str, database_url: str, admin_ids: frozenset[int] = frozenset(),
             token: str | None = None) -> Settings:
    """GridLink's settings against the fake Bot API, ignoring any .env file."""
    from bot.settings import Settings

    if token is None:
        from tests.fake_telegram import GOOD_TOKEN as token
    values: dict[str, object] = {"bot_token": token, "telegram_api_url": api_url,
                                 "database_url": database_url, "admin_ids": admin_ids,
                                 "redis_url": None}
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def figure(name: str, value: float | int, digits: int = 2) -> str:
    """One goal line, `name: figure`."""
    text = str(value) if isinstance(value, int) else f"{value:.{digits}f}"
    return f"{name}: {text}"


def heading(text: str) -> None:
    print(f"\n== {text}", flush=True)


class FakeServerProcess:
    """bench.fake_server in a subprocess, driven over its stdin and stdout."""

    def __init__(self, *args: str) -> None:
        self.args = args
        self.base_url = ""
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> str:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.fake_server", *self.args,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            cwd=PROJECT, limit=64 * 1024 * 1024)
        self.base_url = str((await self._read())["base_url"])
        return self.base_url

    async def _read(self) -> dict[str, Any]:
        assert self._process is not None and self._process.stdout is not None
        line = await self._process.stdout.readline()
        if not line:
            raise RuntimeError("the fake Bot API server stopped")
        return dict(json.loads(line))

    async def command(self, name: str) -> dict[str, Any]:
        assert self._process is not None and self._process.stdin is not None
        self._process.stdin.write(f"{name}\n".encode())
        await self._process.stdin.drain()
        return await self._read()

    async def stop(self) -> None:
        if self._process is None:
            return
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            await asyncio.wait_for(self._process.wait(), timeout=10)
        except TimeoutError:
            self._process.kill()
            await self._process.wait()


@asynccontextmanager
async def app_beside_fake(database: str, label: str, *limits: str
                          ) -> AsyncIterator[tuple[App, FakeServerProcess]]:
    """The bot's app with its real clock on a fresh database, and a fake Bot API in its own
    process started with ``limits`` (its command-line options); both closed afterwards."""
    from bot.app import build

    fake = FakeServerProcess(*limits)
    await fake.start()
    try:
        async with fresh_database(database, label) as url:
            app = await build(settings(fake.base_url, url))
            try:
                yield app, fake
            finally:
                await app.close()
    finally:
        await fake.stop()
