"""Taking updates in: several arriving at once share one transaction, and each is handled
once, however often Telegram delivers it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pytest
from aiogram.types import Update
from sqlalchemy.exc import OperationalError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import updates
from storage.db import Database
from storage.models import FailedUpdate, Person, ProcessedUpdate
from tests.harness import START, Harness, Someone, translate

NEIGHBOURS = [Someone(2000 + n, f"邻居{n}") for n in range(6)]


def _start(update_id: int, who: Someone) -> dict[str, Any]:
    return {"update_id": 10_000 + update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "text": "/start",
        "chat": {"id": who.id, "type": "private", "first_name": who.name}, "from": who.user(),
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}


async def _feed_together(h: Harness, raw: list[dict[str, Any]]) -> None:
    bot = h.app.bot
    await asyncio.gather(*(h.app.dispatcher.feed_update(
        bot, Update.model_validate(update, context={"bot": bot})) for update in raw))


async def test_updates_arriving_together_are_each_handled_once(harness: Harness) -> None:
    h = harness
    first = [_start(n, who) for n, who in enumerate(NEIGHBOURS)]
    # Telegram repeats the first update in the same batch, and again in the next one.
    await _feed_together(h, [*first, first[0]])
    await _feed_together(h, [first[0], _start(len(NEIGHBOURS), NEIGHBOURS[0])])

    welcomes = {who.id: len(h.fake.sent("sendMessage", who.id)) for who in NEIGHBOURS}
    assert welcomes == {NEIGHBOURS[0].id: 2, **{who.id: 1 for who in NEIGHBOURS[1:]}}
    async with h.db.transaction() as session:
        people = (await session.exec(select(Person.id, Person.full_name, Person.reachable)
                                     .where(col(Person.id) >= 2000)
                                     .order_by(col(Person.id)))).all()
        recorded = (await session.exec(select(func.count()).select_from(ProcessedUpdate))).one()
    assert people == [(who.id, who.name, True) for who in NEIGHBOURS]
    assert recorded == len(NEIGHBOURS) + 1


async def test_when_taking_in_fails_each_update_is_kept_and_apologised_for(
        harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    h = harness
    record = updates.first_times_in
    locked = True  # another process holds the database while these updates arrive

    async def unless_locked(session: AsyncSession, bodies: Mapping[int, updates.Body | None], *,
                            now: datetime) -> set[int]:
        if locked:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return await record(session, bodies, now=now)

    monkeypatch.setattr(updates, "first_times_in", unless_locked)
    together = NEIGHBOURS[:3]
    await _feed_together(h, [_start(n, who) for n, who in enumerate(together)])
    locked = False

    sorry = translate(h, "zh_Hans", "Sorry, something went wrong on my side. What you sent has "
                      "been kept, and the team will look into it. Please try again in a moment.")
    assert [h.fake.texts_to(who.id) for who in together] == [[sorry]] * 3
    async with h.db.transaction() as session:
        kept = (await session.exec(select(FailedUpdate.person_id, FailedUpdate.text)
                                   .order_by(col(FailedUpdate.person_id)))).all()
    assert kept == [(who.id, "/start") for who in together]

    await _feed_together(h, [_start(10, together[0])])  # the next update is taken in again
    assert len(h.fake.texts_to(together[0].id)) == 2


async def test_recording_updates_tells_which_are_new(db: Database) -> None:
    async with db.transaction() as session:
        assert await updates.first_times_in(session, {1: {}, 2: {}}, now=START) == {1, 2}
    async with db.transaction() as session:
        assert await updates.first_times_in(session, {2: {}, 3: {}}, now=START) == {3}
        assert await updates.first_times_in(session, {}, now=START) == set()
