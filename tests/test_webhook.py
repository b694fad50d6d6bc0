"""Webhook mode: the secret token is required, a body that is not an update is refused, and an
update delivered twice is handled once."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import WEBHOOK_PATH, App, build, make_webhook_app
from bot.clock import FrozenClock
from bot.settings import Settings, describe_settings_error
from storage import outbox
from storage.models import Lane, OutboxMessage
from tests.conftest import UNLIMITED, at_head, make_settings
from tests.fake_telegram import GOOD_TOKEN, FakeTelegram, RateLimits
from tests.harness import START

SECRET = "s3cret-token-for-tests"
USER = {"id": 4343, "is_bot": False, "first_name": "Webby", "language_code": "en"}
NOT_UPDATES = {
    "empty": b"",
    "not JSON": b"/start",
    "not UTF-8": b"\xff\xfe{}",
    "a list": b"[1, 2]",
    "a string": b'"update"',
    "without update_id": b'{"message": {"text": "/start"}}',
    "a message without a chat": json.dumps({"update_id": 9, "message": {
        "message_id": 1, "date": 0, "text": "/start", "from": USER}}).encode(),
}


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
    deadline = time.monotonic() + 60  # an upper bound for a busy machine
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


async def test_a_body_that_is_not_an_update_gets_400(webhook: tuple[App, TestClient],
                                                    fake: FakeTelegram) -> None:
    _app, client = webhook
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    unsigned = await client.post(WEBHOOK_PATH, data=b"/start", headers={
        "X-Telegram-Bot-Api-Secret-Token": "guess", "Content-Type": "application/json"})
    assert unsigned.status == 401, "the secret is checked before the body"
    for name, body in NOT_UPDATES.items():
        response = await client.post(WEBHOOK_PATH, data=body, headers=headers)
        assert response.status == 400, name
    assert fake.sent("sendMessage") == []
    good = await client.post(WEBHOOK_PATH, json=start_update(80), headers=headers)
    assert good.status == 200
    assert await welcomes(fake) == 1


async def test_the_webhook_is_never_served_without_a_secret(
        webhook: tuple[App, TestClient]) -> None:
    app, _client = webhook
    open_door = app.settings.model_copy(update={"webhook_secret": None})
    with pytest.raises(ValueError, match="GRIDLINK_WEBHOOK_SECRET is required"):
        make_webhook_app(dataclasses.replace(app, settings=open_door))


def webhook_settings(**values: object) -> Settings:
    return Settings(_env_file=None, bot_token=GOOD_TOKEN, mode="webhook",  # type: ignore[arg-type]
                    webhook_url="https://bot.example.org", **values)


def refusal(**values: object) -> str:
    with pytest.raises(ValidationError) as caught:
        webhook_settings(**values)
    return describe_settings_error(caught.value)


@pytest.mark.parametrize("secret", [None, ""])
def test_webhook_mode_without_a_secret_does_not_start(secret: str | None) -> None:
    assert refusal(webhook_secret=secret) == (
        "GridLink cannot start: GRIDLINK_WEBHOOK_SECRET is required when GRIDLINK_MODE is "
        "webhook: Telegram sends it with every update, and requests without it are refused. "
        "See README.md, Configuration.")


@pytest.mark.parametrize("secret", ["two words", "slash/ed", "пароль", "x" * 257])
def test_a_secret_telegram_would_not_accept_is_refused(secret: str) -> None:
    assert "GRIDLINK_WEBHOOK_SECRET must be 1 to 256 characters, each a letter A-Z or a-z, " \
        "a digit, _ or -" in refusal(webhook_secret=secret)


@pytest.mark.parametrize("secret", ["x", "Az09_-" * 42 + "abcd"])
def test_a_secret_telegram_accepts_is_kept(secret: str) -> None:
    settings = webhook_settings(webhook_secret=secret)
    assert settings.webhook_secret is not None
    assert settings.webhook_secret.get_secret_value() == secret


def scraped(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(body) for sample in family.samples}


async def test_healthz_and_metrics_tell_an_operator_how_the_instance_does(
        webhook: tuple[App, TestClient], fake: FakeTelegram) -> None:
    app, client = webhook
    health = await client.get("/healthz")
    assert (health.status, await health.text()) == (200, "ok")
    await client.post(WEBHOOK_PATH, json=start_update(1),
                      headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert await welcomes(fake) == 1
    now = START
    app.sender.limits = UNLIMITED  # so that Telegram's own limit answers 429 once
    fake.limits = RateLimits()
    await outbox.enqueue(app.db, [OutboxMessage(key=f"twice {n}", chat_id=USER["id"],
                                                text=f"twice {n}", lane=Lane.URGENT,
                                                not_before=now, created_at=now)
                                  for n in range(2)])
    await app.sender.drain()
    await outbox.enqueue(app.db, [
        OutboxMessage(key="an hour late", chat_id=5, text="late", lane=Lane.PERSON,
                      not_before=now - timedelta(hours=1), created_at=now),
        OutboxMessage(key="later", chat_id=6, text="later", lane=Lane.BULK,
                      not_before=now + timedelta(hours=1), created_at=now)])
    response = await client.get("/metrics")
    assert response.status == 200
    figures = scraped(await response.text())
    assert figures[("gridlink_updates_handled_total", ())] == 1
    assert figures[("gridlink_handler_errors_total", ())] == 0
    assert figures[("gridlink_telegram_429_total", ())] == 1
    assert figures[("gridlink_outbox_waiting", (("lane", "person"),))] == 1
    assert figures[("gridlink_outbox_waiting", (("lane", "bulk"),))] == 1
    # the second page, refused once, waits for its retry
    assert figures[("gridlink_outbox_waiting", (("lane", "urgent"),))] == 1
    assert figures[("gridlink_outbox_oldest_due_seconds", ())] == 3600


async def test_healthz_says_when_the_database_does_not_answer(
        webhook: tuple[App, TestClient]) -> None:
    app, client = webhook
    working = app.db.engine
    app.db.engine = create_async_engine(  # a server that went away, a disk that did
        "sqlite+aiosqlite:////nonexistent/folder/gridlink.db" if app.db.is_sqlite
        else "postgresql+asyncpg://gridlink@127.0.0.1:1/gone")
    try:
        response = await client.get("/healthz")
    finally:
        await app.db.engine.dispose()
        app.db.engine = working
    assert response.status == 503
    assert "the database does not answer" in await response.text()
    assert (await client.get("/healthz")).status == 200
