"""Taking updates in: several arriving at once share one transaction, and each is handled
once, however often Telegram delivers it."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiogram.types import Update
from sqlmodel import col, func, select

from storage import updates
from storage.db import Database
from storage.models import Person, ProcessedUpdate
from tests.harness import START, Harness, Someone

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


async def test_recording_updates_tells_which_are_new(db: Database) -> None:
    async with db.transaction() as session:
        assert await updates.first_times_in(session, {1, 2}, now=START) == {1, 2}
    async with db.transaction() as session:
        assert await updates.first_times_in(session, {2, 3}, now=START) == {3}
        assert await updates.first_times_in(session, set(), now=START) == set()
