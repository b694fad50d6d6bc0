"""Webhook mode: the secret token is required, and an update delivered twice is handled once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import WEBHOOK_PATH, App, build, make_webhook_app
from bot.clock import FrozenClock
from tests.conftest import at_head, make_settings
from tests.fake_telegram import FakeTelegram
from tests.harness import START

SECRET = "s3cret-token-for-tests"
USER = {"id": 4343, "is_bot": False, "first_name": "Webby", "language_code": "en"}


def start_update(update_id: int) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": 1, "date": int(time.time()), "text": "/start",
        "chat": {"id": USER["id"], "type": "private", "first_name": "Webby"}, "from": USER,
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}


@pytest.fixture
async def webhook(fake: FakeTelegram, database_url: str) -> AsyncIterator[tuple[App, TestClient]]:
    settings = make_settings(fake, database_url, mode="webhook",
                             webhook_url="https://bot.example.org", webhook_secret=SECRET)
    await at_head(database_url)
    app = await build(settings, FrozenClock(START))
    client = TestClient(TestServer(make_webhook_app(app), host="127.0.0.1"))
    await client.start_server()
    yield app, client
    await client.close()
    await app.close()


async def welcomes(fake: FakeTelegram, settle: float = 0.5) -> int:
    """How many answers Webby got, once the background handling has settled."""
    deadline = time.monotonic() + 5
    count = -1
    while time.monotonic() < deadline:
        now = len(fake.sent("sendMessage", USER["id"]))
        if now == count and now > 0:
            return now
        count = now
        await asyncio.sleep(settle)
    return max(count, 0)


async def test_a_request_without_the_secret_is_refused(webhook: tuple[App, TestClient],
                                                       fake: FakeTelegram) -> None:
    _app, client = webhook
    response = await client.post(WEBHOOK_PATH, json=start_update(1))
    assert response.status == 401
    wrong = await client.post(WEBHOOK_PATH, json=start_update(2),
                              headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
    assert wrong.status == 401
    await asyncio.sleep(0.3)
    assert fake.sent("sendMessage") == []


async def test_an_update_delivered_twice_is_handled_once(webhook: tuple[App, TestClient],
                                                         fake: FakeTelegram) -> None:
    _app, client = webhook
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    for _ in range(2):
        response = await client.post(WEBHOOK_PATH, json=start_update(77), headers=headers)
        assert response.status == 200
    assert await welcomes(fake) == 1
    await client.post(WEBHOOK_PATH, json=start_update(78), headers=headers)
    assert await welcomes(fake) == 2
