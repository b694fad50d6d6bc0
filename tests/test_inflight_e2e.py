"""Overload and shutdown: updates wait their turn instead of failing, and those being handled
when the bot stops are finished, not apologised for.

These run the bot as `python -m bot` runs it (bot.app.serve): polling the fake Bot API, or
its webhook behind aiohttp's test client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiogram import BaseMiddleware
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import event
from sqlmodel import col, func, select

from bot import inflight
from bot.app import WEBHOOK_PATH, App, build, make_webhook_app, serve
from bot.clock import FrozenClock
from storage.models import FailedUpdate, ProcessedUpdate
from tests.conftest import at_head, make_settings
from tests.fake_telegram import FakeTelegram
from tests.harness import START

AT_ONCE = 3
PEOPLE = 40
SECRET = "s3cret-token-for-tests"
PATIENCE = 60  # seconds: only an upper bound for a busy machine
SORRY = "Sorry, something went wrong"


class Probe(BaseMiddleware):
    """Counts the updates between the intake and their handler, and can hold them there."""

    def __init__(self) -> None:
        self.now = 0
        self.most = 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self, handler: Callable[[Any, dict[str, Any]], Awaitable[Any]],
                       event: Any, data: dict[str, Any]) -> Any:
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            await self.gate.wait()
            return await handler(event, data)
        finally:
            self.now -= 1


class Connections:
    """The most connections the database's pool had handed out at once."""

    def __init__(self, app: App) -> None:
        self.now = self.most = 0
        pool = app.db.engine.sync_engine.pool
        event.listen(pool, "checkout", self._out)
        event.listen(pool, "checkin", self._in)

    def _out(self, *_args: Any) -> None:
        self.now += 1
        self.most = max(self.most, self.now)

    def _in(self, *_args: Any) -> None:
        self.now -= 1


def start_from(user_id: int, update_id: int) -> dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": f"Person {user_id}",
            "language_code": "en"}
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "from": user, "text": "/start",
        "chat": {"id": user_id, "type": "private", "first_name": user["first_name"]},
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}


PEOPLE_IDS = [5_000 + n for n in range(PEOPLE)]


async def until(condition: Callable[[], bool], serving: asyncio.Task[Any] | None = None) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, "waited too long"
        if serving is not None and serving.done():
            raise AssertionError(f"the bot stopped: {serving.exception()!r}")
        await asyncio.sleep(0.02)


def welcomed(fake: FakeTelegram) -> set[int]:
    return {c.chat_id or 0 for c in fake.sent("sendMessage") if "Hello! I am GridLink" in c.text}


def apologies(fake: FakeTelegram) -> list[str]:
    return [c.text for c in fake.sent("sendMessage") if SORRY in c.text]


async def counted(app: App, table: Any, *where: Any) -> int:
    async with app.db.transaction() as session:
        return (await session.exec(select(func.count()).select_from(table).where(*where))).one()


@pytest.fixture
async def polling(fake: FakeTelegram, database_url: str) -> AsyncIterator[tuple[App, Probe]]:
    app = await build(make_settings(fake, await at_head(database_url),
                                    updates_at_once=AT_ONCE), FrozenClock(START))
    probe = Probe()
    app.dispatcher.update.outer_middleware(probe)
    yield app, probe
    await app.close()


async def test_many_updates_at_once_wait_their_turn_and_all_are_answered(
        polling: tuple[App, Probe], fake: FakeTelegram) -> None:
    app, probe = polling
    connections = Connections(app)
    for n, person in enumerate(PEOPLE_IDS):
        fake.queue_update(start_from(person, n + 1))
    serving = asyncio.create_task(serve(app))
    try:
        await until(lambda: welcomed(fake) == set(PEOPLE_IDS), serving)
    finally:
        await app.dispatcher.stop_polling()
        await serving
    assert probe.most <= AT_ONCE
    assert connections.most <= AT_ONCE + 8  # the pool kept for them: nobody waited for one
    assert apologies(fake) == []
    assert await counted(app, FailedUpdate) == 0


async def test_updates_in_flight_at_shutdown_are_finished_and_not_apologised_for(
        polling: tuple[App, Probe], fake: FakeTelegram) -> None:
    app, probe = polling
    probe.gate.clear()
    people = PEOPLE_IDS[:AT_ONCE]
    for n, person in enumerate(people):
        fake.queue_update(start_from(person, n + 1))
    serving = asyncio.create_task(serve(app))
    await until(lambda: probe.now == len(people), serving)  # taken in, each holding its lock
    stopping = asyncio.create_task(app.dispatcher.stop_polling())  # as SIGTERM does
    await until(lambda: app.dispatcher.in_flight.stopping)
    probe.gate.set()
    await stopping
    await serving
    assert welcomed(fake) == set(people)
    assert apologies(fake) == []
    assert await counted(app, FailedUpdate) == 0


async def test_an_update_stuck_at_shutdown_is_handled_when_the_bot_starts_again(
        polling: tuple[App, Probe], fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database or Telegram that stopped answering: after the grace the update is cancelled
    and nobody is told anything; its hold is given up, and the bot started again handles it,
    once, whether or not Telegram sends it again."""
    monkeypatch.setattr(inflight, "GRACE", 0.2)
    app, probe = polling
    probe.gate.clear()
    fake.queue_update(start_from(PEOPLE_IDS[0], 77))
    serving = asyncio.create_task(serve(app))
    await until(lambda: probe.now == 1, serving)
    assert await counted(app, ProcessedUpdate, col(ProcessedUpdate.update_id) == 77,
                         col(ProcessedUpdate.body).is_not(None)) == 1
    await app.dispatcher.stop_polling()
    await serving
    assert fake.sent("sendMessage") == []
    assert await counted(app, FailedUpdate) == 0

    again = await build(app.settings, FrozenClock(START))
    fake.queue_update(start_from(PEOPLE_IDS[0], 77))  # Telegram's offset may not have moved
    serving = asyncio.create_task(serve(again))
    try:
        await until(lambda: welcomed(fake) == {PEOPLE_IDS[0]}, serving)
        await until(lambda: fake.pending_updates() == 0, serving)
    finally:
        await again.dispatcher.stop_polling()
        await serving
        await again.close()
    assert len([c for c in fake.sent("sendMessage") if "Hello! I am GridLink" in c.text]) == 1
    assert await counted(app, ProcessedUpdate, col(ProcessedUpdate.update_id) == 77,
                         col(ProcessedUpdate.body).is_(None),
                         col(ProcessedUpdate.held_until).is_(None)) == 1


@pytest.fixture
async def webhook(fake: FakeTelegram, database_url: str
                  ) -> AsyncIterator[tuple[App, Probe, TestClient]]:
    settings = make_settings(fake, await at_head(database_url), mode="webhook",
                             webhook_url="https://bot.example.org", webhook_secret=SECRET,
                             updates_at_once=AT_ONCE)
    app = await build(settings, FrozenClock(START))
    probe = Probe()
    app.dispatcher.update.outer_middleware(probe)
    client = TestClient(TestServer(make_webhook_app(app), host="127.0.0.1"))
    await client.start_server()
    yield app, probe, client
    await client.close()
    await app.close()


async def test_webhook_requests_beyond_the_turns_wait_and_all_are_answered(
        webhook: tuple[App, Probe, TestClient], fake: FakeTelegram) -> None:
    app, probe, client = webhook
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    responses = await asyncio.gather(*(
        client.post(WEBHOOK_PATH, json=start_from(person, n + 1), headers=headers)
        for n, person in enumerate(PEOPLE_IDS)))
    assert {response.status for response in responses} == {200}
    await until(lambda: welcomed(fake) == set(PEOPLE_IDS))
    assert probe.most <= AT_ONCE
    assert apologies(fake) == []
    assert await counted(app, FailedUpdate) == 0


async def test_webhook_updates_in_flight_at_shutdown_are_finished(
        webhook: tuple[App, Probe, TestClient], fake: FakeTelegram) -> None:
    app, probe, client = webhook
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    probe.gate.clear()
    people = PEOPLE_IDS[:AT_ONCE]
    for n, person in enumerate(people):
        response = await client.post(WEBHOOK_PATH, json=start_from(person, n + 1),
                                     headers=headers)
        assert response.status == 200
    await until(lambda: probe.now == len(people))
    closing = asyncio.create_task(client.close())  # the server shuts down, as at SIGTERM
    await until(lambda: app.dispatcher.in_flight.stopping)
    probe.gate.set()
    await closing
    assert welcomed(fake) == set(people)
    assert apologies(fake) == []
    assert await counted(app, FailedUpdate) == 0
