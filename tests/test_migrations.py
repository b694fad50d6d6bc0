"""The schema: Alembic brings an empty database to the newest revision, and knows it is there."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from storage.db import Database, MigrationFailed, alembic_config
from storage.migrations import HEAD
from storage.models import PARTIAL_WHERE, Place, PlaceKind
from storage.types import UTCDateTime

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


def _differences(connection: Connection) -> list[object]:
    for table in SQLModel.metadata.tables.values():  # as storage/migrations/env.py does
        for index in table.indexes:
            if PARTIAL_WHERE in index.info:
                index.dialect_kwargs["postgresql_where"] = sa.text(index.info[PARTIAL_WHERE])
    return compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                            SQLModel.metadata)


async def test_the_migrations_make_the_schema_the_models_describe(database_url: str) -> None:
    database = Database(database_url)
    try:
        await database.migrate()
        async with database.engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await database.dispose()


# --- 0005: a wish's hours belong to the claim that fulfilled it --------------------------------

BEFORE_HOURS_PER_CLAIM = "5c1a7e0d2b44"
AT = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
FIRST, SECOND = 7001, 7002
KEPT = ("id", "person_id", "grid_id", "wish_id", "served_on", "minutes", "description", "state")


def _service_log(*more: sa.ColumnClause[object]) -> sa.TableClause:
    """The service_log table as it was before its rows had a claim, and ``more``."""
    return sa.table(
        "service_log", sa.column("id", sa.Integer()), sa.column("person_id", sa.BigInteger()),
        sa.column("grid_id", sa.Integer()), sa.column("wish_id", sa.Integer()),
        sa.column("served_on", sa.Date()), sa.column("minutes", sa.Integer()),
        sa.column("description", sa.Text()), sa.column("state", sa.String()),
        sa.column("logged_at", UTCDateTime()), *more)


OLD_SERVICE_LOG = _service_log()
SERVICE_LOG = _service_log(sa.column("claim_id", sa.Integer()))
# The wish and claim tables as they were then (later revisions add columns the models name).
OLD_WISH = sa.table(
    "wish", sa.column("id", sa.Integer()), sa.column("grid_id", sa.Integer()),
    sa.column("resident_id", sa.BigInteger()), sa.column("text", sa.Text()),
    sa.column("category", sa.String()), sa.column("urgent", sa.Boolean()),
    sa.column("state", sa.String()), sa.column("tier", sa.String()),
    sa.column("follow_up", sa.Boolean()), sa.column("unconfirmed", sa.Boolean()),
    sa.column("created_at", UTCDateTime()))
OLD_CLAIM = sa.table(
    "claim", sa.column("id", sa.Integer()), sa.column("wish_id", sa.Integer()),
    sa.column("volunteer_id", sa.BigInteger()), sa.column("claimed_at", UTCDateTime()),
    sa.column("ended_at", UTCDateTime()), sa.column("outcome", sa.String()))


async def _migrated_to(database: Database, revision: str) -> None:
    async with database.engine.begin() as connection:
        await connection.run_sync(lambda c: command.upgrade(alembic_config(c), revision))


async def _old_hours(database: Database) -> dict[str, int]:
    """Wishes fulfilled, reopened and fulfilled again, each with the one hours row a wish could
    have before; and a logged entry. The claim each wish's row must end up with, by name."""
    async with database.transaction() as session:
        grid = Place(kind=PlaceKind.GRID, name="网格", timezone="Asia/Shanghai", created_at=AT)
        session.add(grid)
        await session.flush()
        ids = [(await session.exec(sa.insert(OLD_WISH).values(  # type: ignore[call-overload]
            grid_id=grid.id, resident_id=1, text=f"wish {n}", category="other", urgent=False,
            state="closed", tier="grid", follow_up=False, unconfirmed=False, created_at=AT)
            .returning(OLD_WISH.c.id))).scalar_one() for n in range(4)]
        claims = {}
        for name, wish, who, outcome in [
                ("reopened", 0, FIRST, "fulfilled"), ("again", 0, SECOND, "fulfilled"),
                ("let go", 1, FIRST, "released"), ("taken back", 1, FIRST, "fulfilled"),
                ("earlier", 2, SECOND, "fulfilled"), ("latest", 2, SECOND, "fulfilled"),
                ("other's", 3, FIRST, "fulfilled")]:
            claims[name] = (await session.exec(sa.insert(OLD_CLAIM).values(  # type: ignore[call-overload]
                wish_id=ids[wish], volunteer_id=who, claimed_at=AT, ended_at=AT,
                outcome=outcome).returning(OLD_CLAIM.c.id))).scalar_one()
        rows = [(FIRST, ids[0], 120), (FIRST, ids[1], 60), (SECOND, ids[2], 90),
                (SECOND, ids[3], 45), (SECOND, None, 30)]
        await session.exec(sa.insert(OLD_SERVICE_LOG).values([  # type: ignore[call-overload]
            {"person_id": who, "grid_id": grid.id, "wish_id": wish, "minutes": minutes,
             "served_on": date(2026, 11, 25), "description": "服务", "state": "confirmed",
             "logged_at": AT} for who, wish, minutes in rows]))
    return claims


async def _hours_rows(database: Database) -> list[tuple[object, ...]]:
    async with database.engine.connect() as connection:
        found = await connection.execute(sa.select(*(OLD_SERVICE_LOG.c[name] for name in KEPT))
                                         .order_by(OLD_SERVICE_LOG.c.id))
        return [tuple(row) for row in found.all()]


async def _claims_of_rows(database: Database) -> list[int | None]:
    async with database.engine.connect() as connection:
        found = await connection.exec_driver_sql("SELECT claim_id FROM service_log ORDER BY id")
        return [row[0] for row in found.all()]


async def test_hours_rows_are_moved_to_the_claim_that_fulfilled_the_wish(
        database_url: str) -> None:
    database = Database(database_url)
    try:
        await _migrated_to(database, BEFORE_HOURS_PER_CLAIM)
        claims = await _old_hours(database)
        before = await _hours_rows(database)

        await database.migrate()
        assert await database.schema_version() == HEAD
        assert await _hours_rows(database) == before, "every row, as it was"
        # Each wish's row goes to its volunteer's latest claim of it that ended fulfilled;
        # a row of the wish fulfilled again is the first volunteer's, and stays theirs.
        assert await _claims_of_rows(database) == [
            claims["reopened"], claims["taken back"], claims["latest"], None, None]

        second = {"person_id": SECOND, "grid_id": before[0][2], "wish_id": before[0][3],
                  "minutes": 60, "served_on": date(2026, 11, 26), "description": "服务",
                  "state": "confirmed", "logged_at": AT, "claim_id": claims["again"]}
        async with database.engine.begin() as connection:  # the same wish, another claim
            await connection.execute(sa.insert(SERVICE_LOG).values(second))
        with pytest.raises(IntegrityError):  # one row per claim
            async with database.engine.begin() as connection:
                await connection.execute(sa.insert(SERVICE_LOG).values(second))

        # Back to one row per wish: the earlier volunteer's row keeps its hours, not the wish.
        async with database.engine.begin() as connection:
            await connection.run_sync(
                lambda c: command.downgrade(alembic_config(c), BEFORE_HOURS_PER_CLAIM))
        after = await _hours_rows(database)
        assert [row[:2] + row[4:] for row in after[:5]] == [row[:2] + row[4:] for row in before]
        assert [row[3] for row in after] == [None, *(row[3] for row in before[1:]), before[0][3]]
    finally:
        await database.dispose()


# --- 0009: excused apart from absent; volunteers' representatives at the joint meeting -------

BEFORE_EXCUSED = "5d2b8e41c7a3"
HOST, CAME, EXCUSED, SILENT = 8001, 8002, 8003, 8004


def _table(name: str, *columns: tuple[str, sa.types.TypeEngine[object]]) -> sa.TableClause:
    return sa.table(name, *(sa.column(column, kind) for column, kind in columns))


PLACE = _table("place", ("id", sa.Integer()), ("kind", sa.String()), ("name", sa.String()),
               ("timezone", sa.String()), ("settings", sa.JSON()), ("created_at", UTCDateTime()))
MEETING_SERIES = _table(
    "meeting_series", ("id", sa.Integer()), ("place_id", sa.Integer()), ("title", sa.String()),
    ("rule", sa.String()), ("weekday", sa.Integer()), ("start_time", sa.String()),
    ("duration_minutes", sa.Integer()), ("host_id", sa.BigInteger()),
    ("member_roles", sa.JSON()), ("member_ids", sa.JSON()), ("topic_days", sa.Integer()),
    ("cutoff_hours", sa.Integer()), ("notice_hours", sa.Integer()),
    ("reminder_hours", sa.Integer()), ("paused", sa.Boolean()), ("created_at", UTCDateTime()))
MEETING = _table("meeting", ("id", sa.Integer()), ("series_id", sa.Integer()),
                 ("planned_at", UTCDateTime()), ("starts_at", UTCDateTime()),
                 ("state", sa.String()))
RSVP = _table("rsvp", ("meeting_id", sa.Integer()), ("person_id", sa.BigInteger()),
              ("answer", sa.String()), ("reason", sa.Text()), ("answered_at", UTCDateTime()))
OLD_ATTENDANCE = _table("attendance", ("meeting_id", sa.Integer()),
                        ("person_id", sa.BigInteger()), ("present", sa.Boolean()))


async def _old_minutes(database: Database) -> None:
    """Two series, one with the old default members and one whose host chose them; minutes
    of a meeting whose attendance was written when excused and absent were one."""
    series = {"place_id": 1, "rule": "weekly", "weekday": 4, "start_time": "19:00",
              "duration_minutes": 90, "host_id": HOST, "member_ids": [], "topic_days": 3,
              "cutoff_hours": 24, "notice_hours": 24, "reminder_hours": 3, "paused": False,
              "created_at": AT}
    async with database.engine.begin() as connection:
        await connection.execute(sa.insert(PLACE).values(
            id=1, kind="community", name="社区", timezone="Asia/Shanghai", settings={},
            created_at=AT))
        await connection.execute(sa.insert(MEETING_SERIES).values([
            {**series, "id": 1, "title": "三工联席会议",
             "member_roles": ["cadre", "social_worker"]},
            {**series, "id": 2, "title": "党委会", "member_roles": ["cadre"]}]))
        await connection.execute(sa.insert(MEETING).values(
            id=1, series_id=1, planned_at=AT, starts_at=AT, state="scheduled"))
        await connection.execute(sa.insert(RSVP).values([
            {"meeting_id": 1, "person_id": CAME, "answer": "attend", "reason": None,
             "answered_at": AT},
            {"meeting_id": 1, "person_id": EXCUSED, "answer": "absent", "reason": "出差",
             "answered_at": AT}]))
        await connection.execute(sa.insert(OLD_ATTENDANCE).values([
            {"meeting_id": 1, "person_id": person, "present": present}
            for person, present in ((HOST, False), (CAME, True), (EXCUSED, False),
                                    (SILENT, False))]))


async def _minutes_rows(database: Database) -> tuple[dict[int, object], dict[int, object]]:
    async with database.engine.connect() as connection:
        reasons = dict((await connection.exec_driver_sql(
            "SELECT person_id, reason FROM attendance")).all())
        roles = (await connection.execute(sa.select(
            MEETING_SERIES.c.id, MEETING_SERIES.c.member_roles))).all()
    return reasons, {series_id: list(found) for series_id, found in roles}


async def test_excused_members_keep_their_reason_and_the_default_members_grow(
        database_url: str) -> None:
    database = Database(database_url)
    try:
        await _migrated_to(database, BEFORE_EXCUSED)
        await _old_minutes(database)
        await database.migrate()
        reasons, roles = await _minutes_rows(database)
        assert reasons == {HOST: None, CAME: None, EXCUSED: "出差", SILENT: None}
        assert roles == {1: ["cadre", "social_worker", "volunteer_rep"], 2: ["cadre"]}

        async with database.engine.begin() as connection:
            await connection.run_sync(
                lambda c: command.downgrade(alembic_config(c), BEFORE_EXCUSED))
            present = dict((await connection.exec_driver_sql(
                "SELECT person_id, present FROM attendance")).all())
        assert {person: bool(here) for person, here in present.items()} == {
            HOST: False, CAME: True, EXCUSED: False, SILENT: False}
        async with database.engine.connect() as connection:
            roles_back = (await connection.execute(sa.select(
                MEETING_SERIES.c.id, MEETING_SERIES.c.member_roles))).all()
        assert {series_id: list(found) for series_id, found in roles_back} == {
            1: ["cadre", "social_worker"], 2: ["cadre"]}
    finally:
        await database.dispose()


# --- 0010: a community's risk words are its own words only ---------------------------------

BEFORE_OWN_RISK_WORDS = "3f8a61c2d9e7"


async def test_the_first_versions_single_risk_words_leave_a_communitys_own(
        database_url: str) -> None:
    database = Database(database_url)
    try:
        await _migrated_to(database, BEFORE_OWN_RISK_WORDS)
        first = ["摔倒", "独居", "一个人在家", "fire", "alone"]
        async with database.engine.begin() as connection:
            await connection.execute(sa.insert(PLACE).values([
                {"id": 1, "kind": "community", "name": "添了词的社区", "timezone": "Asia/Shanghai",
                 "settings": {"risk_words": [*first, "漏水"], "verify": True}, "created_at": AT},
                {"id": 2, "kind": "community", "name": "删了词的社区", "timezone": "Asia/Shanghai",
                 "settings": {"risk_words": first[1:]}, "created_at": AT},
                {"id": 3, "kind": "community", "name": "没改过的社区", "timezone": "Asia/Shanghai",
                 "settings": {}, "created_at": AT}]))
        await database.migrate()
        async with database.engine.connect() as connection:
            settings = dict((await connection.execute(
                sa.select(PLACE.c.id, PLACE.c.settings).order_by(PLACE.c.id))).all())
        assert settings == {1: {"risk_words": ["漏水"], "verify": True}, 2: {}, 3: {}}
    finally:
        await database.dispose()
