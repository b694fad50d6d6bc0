"""The engine, short transactions, and migrations."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection, CursorResult, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.sql import Executable
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.migrations import HEAD
from storage.sqlite_inline import connector

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
PROJECT = str(Path(__file__).resolve().parent.parent)  # where ``storage`` can be imported from
REMEMBERED_AT_MOST = 10_000
UPDATES_AT_ONCE = 24  # the default of GRIDLINK_UPDATES_AT_ONCE (bot.inflight)
# Connections kept open for PostgreSQL: one for each update handled at once, and these for
# what runs beside them (the outbox sender, the sweep, the reads that updates arriving
# together share). One opened beyond them is closed after use, and a new connection prepares
# each statement again (a round trip each): with 5 in all, most statements were prepared
# afresh.
SPARE_CONNECTIONS = 8
ANALYSIS_LIMIT = 1000
PLACES_TTL = 30.0  # seconds another bot instance's /bind or /set may take to be seen here


class Remembered:
    """Answers kept for ``ttl`` seconds. This process forgets them when it changes what they
    depend on; a change made by another instance is seen once they expire."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._answers: dict[Any, tuple[float, Any]] = {}

    def get(self, key: Any) -> tuple[bool, Any]:
        """(True, answer) when one is kept and fresh, else (False, None)."""
        kept = self._answers.get(key)
        if kept is None or kept[0] < time.monotonic():
            return False, None
        return True, kept[1]

    def put(self, key: Any, answer: Any) -> None:
        if len(self._answers) >= REMEMBERED_AT_MOST:
            self._answers.clear()
        self._answers[key] = (time.monotonic() + self.ttl, answer)

    def clear(self) -> None:
        self._answers.clear()


QUEUED = "outbox_queued"  # Session.info key: this transaction queued outbox rows
PLACES_CHANGED = "places_changed"  # Session.info key: this transaction changed places


class Database:
    """One engine; every storage operation runs in its own short transaction."""

    def __init__(self, url: str, *, echo: bool = False,
                 updates_at_once: int = UPDATES_AT_ONCE) -> None:
        self.url = url
        self.chat_places = Remembered(ttl=PLACES_TTL)
        self.places = Remembered(ttl=PLACES_TTL)
        self.engine: AsyncEngine = _make_engine(url, echo=echo,
                                                pool_size=updates_at_once + SPARE_CONNECTIONS)
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False,
            info={"places": self.places},  # storage.places.get reaches it from a session
        )
        # The transaction open in the current task, if any (tasks started inside it get a
        # copy of this variable but a transaction of their own: see ``transaction``).
        self._open: ContextVar[tuple[asyncio.Task[Any] | None, AsyncSession] | None] = \
            ContextVar(f"gridlink_transaction_{id(self)}", default=None)
        self._on_queued: list[Callable[[], None]] = []
        self._on_places_changed: list[Callable[[], Awaitable[None]]] = []

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """Commit on success, roll back on any error.

        Inside another transaction of the same task this one joins it, and its work commits
        or rolls back with the outer one. A handler thus makes one step of several storage
        calls (the change, its audit row and the outbox rows that tell people) by opening a
        transaction around them: one commit instead of one each, and no moment where the
        change is stored but the news is not. There is no savepoint in between: a storage
        error inside a joined transaction fails the whole step, so storage code avoids errors
        it would want to carry on from (``INSERT … ON CONFLICT`` rather than catching a
        clash)."""
        task = asyncio.current_task()
        outer = self._open.get()
        if outer is not None and outer[0] is task:
            yield outer[1]
            return
        async with self._sessions() as session:
            async with session.begin():
                token = self._open.set((task, session))
                try:
                    yield session
                finally:
                    self._open.reset(token)
            if session.info.get(QUEUED):
                for wake in self._on_queued:
                    wake()
            if session.info.get(PLACES_CHANGED):
                await self._tell_places_changed()

    def forget_places(self) -> None:
        self.chat_places.clear()
        self.places.clear()

    def when_places_changed(self, tell: Callable[[], Awaitable[None]]) -> None:
        """Await ``tell`` after each transaction that changed places has committed (other
        instances are told to forget what they remember of places: bot.instances)."""
        self._on_places_changed.append(tell)

    async def _tell_places_changed(self) -> None:
        self.forget_places()
        for tell in self._on_places_changed:
            await tell()

    def when_queued(self, wake: Callable[[], None]) -> None:
        """Call ``wake`` after each transaction that queued outbox rows has committed (the
        sender then delivers them at once rather than at its next look)."""
        self._on_queued.append(wake)

    async def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision, in this process."""
        if await self.schema_version() == HEAD:
            return
        async with self.engine.begin() as connection:
            await connection.run_sync(_upgrade_to_head)

    async def migrate_separately(self) -> None:
        """Bring the schema to the newest revision in a process of its own (``python -m
        storage.migrate``), so that Alembic and the migration scripts never take memory in
        the bot, which runs for months after a migration of seconds."""
        if await self.schema_version() == HEAD:
            return
        path = os.pathsep.join(filter(None, (PROJECT, os.environ.get("PYTHONPATH"))))
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "storage.migrate", self.url,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": path})
        _, complaint = await child.communicate()
        if child.returncode != 0:
            lines = complaint.decode(errors="replace").strip().splitlines() or ["no output"]
            raise MigrationFailed(lines[-1])

    async def schema_version(self) -> str | None:
        """The Alembic revision the database is at; None for an empty or unreachable one
        (migrating then says which)."""
        try:
            async with self.engine.connect() as connection:
                found = await connection.exec_driver_sql("SELECT version_num FROM alembic_version")
                return found.scalar()
        except DBAPIError:
            return None

    async def gather_statistics(self) -> None:
        """Tell SQLite's planner how the tables' values are spread (``ANALYZE`` of a sample of
        each index, milliseconds even for a district's million wishes). Without it the
        planner guesses, and may walk every approved volunteer of a district to find one
        grid's. Run at start and every hour; PostgreSQL's autovacuum does this itself."""
        if not self.is_sqlite:
            return
        async with self.engine.begin() as connection:
            await connection.exec_driver_sql("ANALYZE")

    async def check_connection(self) -> None:
        async with self.engine.connect() as connection:
            await connection.exec_driver_sql("SELECT 1")

    async def dispose(self) -> None:
        await self.engine.dispose()


def _make_engine(url: str, *, echo: bool, pool_size: int) -> AsyncEngine:
    # hide_parameters: a statement's values are residents' words, phones and addresses; an
    # error message or a log line names the statement, never what it carried.
    # pool_timeout=None: waiting for a connection never fails an update; the number of
    # updates handled at once keeps the wait short (bot.inflight).
    if not url.startswith("sqlite"):
        # No pre-ping: it costs a round trip on every checkout. After the server restarts,
        # the first statement on a dead connection fails (that update is kept and apologised
        # for) and SQLAlchemy then replaces the whole pool.
        return create_async_engine(url, echo=echo, hide_parameters=True, pool_recycle=1800,
                                   pool_size=pool_size, pool_timeout=None)
    # Every SQLite transaction takes the write lock, so more connections only queue inside
    # SQLite's busy handler; one connection queues them in the pool instead, in order.
    engine = create_async_engine(url, echo=echo, hide_parameters=True,
                                 async_creator=connector(make_url(url).database),
                                 pool_size=1, max_overflow=0, pool_timeout=None)
    _serialize_sqlite_writers(engine)
    return engine


def _serialize_sqlite_writers(engine: AsyncEngine) -> None:
    """Make every SQLite transaction take the write lock when it begins.

    A deferred SQLite transaction that reads and then writes can fail with "database is locked"
    when another writer got there first, without waiting. BEGIN IMMEDIATE queues writers on the
    busy timeout instead, so concurrent button presses wait their turn and the conditional
    UPDATE decides the winner.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # With WAL, NORMAL syncs at checkpoints rather than at every commit: a crash of the bot
        # loses nothing; a power cut may lose the last moments, never the database's integrity.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # ANALYZE looks at this many rows of each index rather than all of them.
        cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config  # only when migrating: it costs memory on every start

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade_to_head(connection: Connection) -> None:
    from alembic import command

    command.upgrade(alembic_config(connection), "head")


def insert_for(dialect: str) -> Callable[[Any], Any]:
    """The ``insert`` that can say ``ON CONFLICT`` in the SQL of ``dialect``."""
    if dialect == "postgresql":  # imported only here: a bot on SQLite need not load it
        from sqlalchemy.dialects.postgresql import insert

        return insert
    return sqlite.insert


def upsert(session: AsyncSession, table: type[Any]) -> Any:
    """An ``INSERT`` that can say ``ON CONFLICT`` in the SQL of the session's database."""
    return insert_for(session.bind.dialect.name)(table)


S = TypeVar("S", bound=Executable)  # the kind of statement


class Prepared(Generic[S]):
    """A statement built once for each kind of database, then run with new parameters.

    On the busiest paths this matters: SQLAlchemy takes longer to build a statement and its
    cache key than SQLite takes to run it. ``build`` gets the dialect's name."""

    def __init__(self, build: Callable[[str], S]) -> None:
        self._build = build
        self._built: dict[str, S] = {}

    def on(self, session: AsyncSession) -> S:
        dialect = session.bind.dialect.name
        if dialect not in self._built:
            self._built[dialect] = self._build(dialect)
        return self._built[dialect]

    async def run(self, session: AsyncSession, params: Any) -> CursorResult[Any]:
        """Run it on the session's connection, in its transaction: rows, not ORM objects, and
        no flush of the session's pending objects first."""
        connection = await session.connection()
        return await connection.execute(self.on(session), params)


class MigrationFailed(RuntimeError):
    """The migrating process failed; the message is its last line of complaint."""
