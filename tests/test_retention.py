"""Retention: the outbox's texts and failed updates are erased after their time, on SQLite and
PostgreSQL; rows still to be sent, and newer ones, are left as they are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.jobs import retention_of, sweep_once
from storage import failures, outbox
from storage.db import Database
from storage.models import FailedUpdate, OutboxMessage, OutboxState
from storage.retention import EVERY, Retention, erase_failed_updates, erase_outbox
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram
from tests.harness import ADMIN, GRID_CHAT, RESIDENT, START, WORKER, Harness, set_up_grid

DAY = timedelta(days=1)
NOW = START + 100 * DAY
PHONE = "13812345678"
TEXT = f"Contact phone: {PHONE}\nAddress: 幸福路5号楼2单元301"
MARKUP = {"inline_keyboard": [[{"text": "Mark fulfilled", "callback_data": "w:f:1"}]]}


async def queue(db: Database, key: str, state: OutboxState, age: timedelta) -> None:
    at = NOW - age
    async with db.transaction() as session:
        session.add(OutboxMessage(key=key, chat_id=RESIDENT.id, text=TEXT, markup=MARKUP,
                                  state=state, not_before=at, created_at=at,
                                  sent_at=at if state == OutboxState.SENT else None))


async def outbox_rows(db: Database) -> dict[str, OutboxMessage]:
    async with db.transaction() as session:
        statement = select(OutboxMessage).order_by(col(OutboxMessage.id))
        return {row.key: row for row in (await session.exec(statement)).all()}


async def test_final_outbox_rows_lose_their_words_after_the_retention(db: Database) -> None:
    old = 31 * DAY
    for key, state, age in (("sent-old", OutboxState.SENT, old),
                            ("failed-old", OutboxState.FAILED, old),
                            ("undeliverable-old", OutboxState.UNDELIVERABLE, old),
                            ("sent-new", OutboxState.SENT, 29 * DAY),
                            ("pending-old", OutboxState.PENDING, 40 * DAY),
                            ("sending-old", OutboxState.SENDING, old)):
        await queue(db, key, state, age)

    assert await erase_outbox(db, before=NOW - 30 * DAY) == (3, True)
    rows = await outbox_rows(db)
    for key in ("sent-old", "failed-old", "undeliverable-old"):
        assert (rows[key].text, rows[key].markup) == ("", None), key
    for key in ("sent-new", "pending-old", "sending-old"):
        assert (rows[key].text, rows[key].markup) == (TEXT, MARKUP), key
    assert [r.state for r in rows.values()] == [OutboxState.SENT, OutboxState.FAILED,
                                               OutboxState.UNDELIVERABLE, OutboxState.SENT,
                                               OutboxState.PENDING, OutboxState.SENDING]
    assert await erase_outbox(db, before=NOW - 30 * DAY) == (0, True)


async def test_erasing_goes_in_bounded_batches(db: Database) -> None:
    for n in range(5):
        await queue(db, f"old-{n}", OutboxState.SENT, 31 * DAY)
    assert await erase_outbox(db, before=NOW - 30 * DAY, batch=2, batches=2) == (4, False)
    # One more for the sent rows, then one for each of the other two final states.
    assert await erase_outbox(db, before=NOW - 30 * DAY, batch=2, batches=3) == (1, True)
    assert all(row.text == "" for row in (await outbox_rows(db)).values())


async def keep_failure(db: Database, update_id: int, age: timedelta) -> None:
    await failures.keep(db, update_id=update_id, chat_id=GRID_CHAT, person_id=RESIDENT.id,
                        text=f"/wish 电话{PHONE}", payload=f'{{"text": "/wish 电话{PHONE}"}}',
                        error=f"ValueError('invalid literal for int(): {PHONE}')",
                        now=NOW - age)


async def test_failed_updates_keep_only_their_id_time_and_kind_of_error(db: Database) -> None:
    await keep_failure(db, 1, 31 * DAY)
    await keep_failure(db, 2, 29 * DAY)
    assert await erase_failed_updates(db, before=NOW - 30 * DAY) == (1, True)
    async with db.transaction() as session:
        old, new = (await session.exec(select(FailedUpdate)
                                       .order_by(col(FailedUpdate.update_id)))).all()
    assert (old.update_id, old.created_at) == (1, NOW - 31 * DAY)
    assert (old.payload, old.text, old.chat_id, old.person_id, old.error) == (
        "", None, None, None, "ValueError")
    assert (new.text, new.person_id) == (f"/wish 电话{PHONE}", RESIDENT.id)
    assert PHONE in new.payload and PHONE in new.error


async def test_a_pass_that_reached_the_end_waits_an_hour(db: Database) -> None:
    retention = Retention()
    await queue(db, "a", OutboxState.SENT, 31 * DAY)
    assert await retention.sweep(db, now=NOW) == {"outbox_texts_erased": 1,
                                                   "failed_updates_erased": 0}
    await queue(db, "b", OutboxState.SENT, 31 * DAY)
    assert await retention.sweep(db, now=NOW + EVERY - timedelta(seconds=1)) == {}
    assert (await retention.sweep(db, now=NOW + EVERY))["outbox_texts_erased"] == 1


@pytest.mark.parametrize("days", [7, 30])
async def test_the_sweep_honours_the_retention_setting(harness: Harness, fake: FakeTelegram,
                                                       database_url: str, days: int,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A wish's notices went out and a crash kept an update; eight days later the sweep
    erases them when the retention is seven days, and keeps them when it is thirty."""
    h = harness
    monkeypatch.setenv("GRIDLINK_OUTBOX_RETENTION_DAYS", str(days))
    monkeypatch.setenv("GRIDLINK_FAILED_UPDATE_RETENTION_DAYS", str(days))
    retention = retention_of(make_settings(fake, database_url))
    await set_up_grid(h)
    await h.send(ADMIN, "/set verify on", GRID_CHAT)
    h.fake.failing["sendMessage"] = 1  # the reply in the group fails: the update is kept
    await h.send(RESIDENT, f"/wish 帮忙修水管，电话{PHONE}", GRID_CHAT)
    sent = [row for row in (await outbox_rows(h.db)).values() if row.text]
    assert sent and all(row.state == OutboxState.SENT for row in sent)

    h.clock.advance(8 * DAY)
    await h.send(RESIDENT, "/wish 新的心愿", GRID_CHAT)  # queued now: kept either way
    await sweep_once(h.app.messenger, retention)
    rows = await outbox_rows(h.db)
    async with h.db.transaction() as session:
        kept = (await session.exec(select(FailedUpdate))).one()
    erased = days < 8
    assert all((rows[row.key].text == "") is erased for row in sent)
    assert (kept.text is None, kept.payload == "") == (erased, erased)
    assert any("新的心愿" in row.text for row in rows.values())

    if erased:  # the row stays: its notice is not sent again
        before = len(h.fake.sent("sendMessage", WORKER.id))
        request = next(row for row in sent if row.chat_id == WORKER.id)
        async with h.db.transaction() as session:
            await outbox.add(session, [OutboxMessage(
                key=request.key, chat_id=WORKER.id, text="again", not_before=h.clock.now(),
                created_at=h.clock.now())])
        await h.app.sender.drain()
        assert len(h.fake.sent("sendMessage", WORKER.id)) == before
