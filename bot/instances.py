"""Several GridLink instances on one database, and the refusal of a second one without Redis.

With ``GRIDLINK_REDIS_URL`` set, any number of instances share a PostgreSQL database: the
forms and each person's order of updates live in Redis (aiogram's RedisStorage and its event
isolation), and a change of places (a bind, a setting, a group's language) is published there,
so every instance forgets what it remembered of places at once (``PlaceChanges``) instead of
after ``storage.db.PLACES_TTL``.

Without Redis the forms and the order of a person's updates are kept by each process alone
(``bot.fsm_storage``), so a second process on the same database would lose a form half-filled
in the first and could handle one person's two updates at once. It is refused at start
(``OnlyInstance``), by a lock the first process holds as long as it runs: a PostgreSQL advisory
lock on a connection of its own (the server releases it when that connection ends, also when
the process is killed), or on SQLite an exclusive lock on a file beside the database (the
system releases it likewise).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from storage.db import Database

log = logging.getLogger(__name__)

# pg_try_advisory_lock's key: the first 8 bytes of sha256("gridlink: one instance"), signed.
INSTANCE_LOCK_KEY = int.from_bytes(
    hashlib.sha256(b"gridlink: one instance").digest()[:8], "big", signed=True)
RECONNECT_S = 1.0  # a lost subscription is made again after this


class AnotherInstance(Exception):
    """A second instance on a database without Redis."""

    def __str__(self) -> str:
        return ("GridLink cannot start: another GridLink instance is already running on this "
                "database (GRIDLINK_DATABASE_URL). Several instances need Redis for their forms "
                "and the order of each person's messages: set GRIDLINK_REDIS_URL in every "
                "instance, with PostgreSQL; see README.md, Several instances. Otherwise stop "
                "the other instance first.")


class OnlyInstance:
    """Held while the bot runs without Redis; ``take`` raises AnotherInstance when another
    process holds it."""

    def __init__(self, database_url: str) -> None:
        self.url = make_url(database_url)
        self._connection: Any = None
        self._file: Any = None

    async def take(self) -> None:
        if self.url.get_backend_name() == "sqlite":
            self._take_file()
        else:
            await self._take_advisory_lock()

    def _take_file(self) -> None:
        database = self.url.database or ""
        if database in ("", ":memory:"):
            return  # a database in memory is this process's alone
        lock = open(f"{os.path.abspath(database)}.instance", "a")  # noqa: SIM115 (held open as the lock)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            raise AnotherInstance from None
        self._file = lock

    async def _take_advisory_lock(self) -> None:
        import asyncpg

        dsn = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
        connection = await asyncpg.connect(dsn)
        if not await connection.fetchval("SELECT pg_try_advisory_lock($1)", INSTANCE_LOCK_KEY):
            await connection.close()
            raise AnotherInstance
        self._connection = connection

    async def release(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None
        if self._file is not None:
            self._file.close()  # closing the file releases its lock
            self._file = None


def channel_of(database_url: str) -> str:
    """The Redis channel of one deployment: instances on the same database share it, others
    on the same Redis (a test server, a second district) do not."""
    url = make_url(database_url)
    where = f"{url.get_backend_name()}://{url.host}:{url.port}/{url.database}"
    if url.get_backend_name() == "sqlite":
        where = str(Path(url.database or "").resolve())
    return f"gridlink:{hashlib.sha256(where.encode()).hexdigest()[:16]}:places-changed"


class PlaceChanges:
    """Tells the other instances, through Redis, that places changed, and forgets this
    instance's remembered places when one of them says so. ``heard`` is set at each such
    message (tests wait for it)."""

    def __init__(self, redis_url: str, db: Database) -> None:
        from redis.asyncio import Redis

        self.redis = Redis.from_url(redis_url)
        self.db = db
        self.channel = channel_of(db.url)
        self.me = uuid.uuid4().hex
        self.heard = asyncio.Event()
        self._listening: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    async def start(self) -> None:
        """Subscribe (returns once subscribed) and tell this process's changes to the others."""
        self.db.when_places_changed(self.publish)
        self._listening = asyncio.create_task(self._listen(), name="place-changes")
        await self._subscribed.wait()

    async def publish(self) -> None:
        try:
            await self.redis.publish(self.channel, self.me)
        except Exception as error:  # the change is stored; the others see it in PLACES_TTL
            log.warning("could not tell the other instances that places changed: %s", error)

    async def _listen(self) -> None:
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    self.db.forget_places()  # what was missed while not subscribed
                    self._subscribed.set()
                    async for message in pubsub.listen():
                        self._on(message)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # Redis restarting: subscribe again
                log.warning("lost the subscription to place changes: %s", error)
                await asyncio.sleep(RECONNECT_S)

    def _on(self, message: dict[str, Any]) -> None:
        if message.get("type") != "message" or message.get("data") == self.me.encode():
            return
        self.db.forget_places()
        self.heard.set()

    async def stop(self) -> None:
        if self._listening is not None:
            self._listening.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listening
        await self.redis.aclose()


class Seat:
    """This instance's seat among the others while it serves: the subscription to place
    changes with Redis, the lock of the only instance without. (Not bot.together's Together,
    which answers requests made at the same moment with one call.)"""

    def __init__(self, changes: PlaceChanges | None, only: OnlyInstance | None) -> None:
        self.changes = changes
        self.only = only

    @classmethod
    async def take(cls, redis_url: str | None, db: Database) -> Seat:
        """Raises AnotherInstance when there is no Redis and another instance runs."""
        if redis_url:
            changes = PlaceChanges(redis_url, db)
            await changes.start()
            return cls(changes, None)
        only = OnlyInstance(db.url)
        await only.take()
        return cls(None, only)

    async def leave(self) -> None:
        if self.changes is not None:
            await self.changes.stop()
        if self.only is not None:
            await self.only.release()
