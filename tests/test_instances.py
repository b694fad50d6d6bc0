"""Two instances on one database: refused without Redis; with Redis, a place changed in one is
seen at once in the other, a form begun in one goes on in the other, one person's updates
are handled in turn, and Telegram's limits are kept by both together; an update in flight on
a killed instance is handled by another; three sweep at once."""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import suppress
from datetime import timedelta
from typing import Any

import pytest
from aiogram import BaseMiddleware
from redis.asyncio import Redis
from sqlmodel import select

from bot.app import App, build
from bot.clock import FrozenClock
from bot.instances import AnotherInstance, Seat
from bot.jobs import sweep_once
from bot.links import Purpose
from bot.shared_limits import SharedLimits
from bot.startup import main
from storage import outbox, places, updates, wishes
from storage.models import AuditEntry, OutboxMessage, Wish
from storage.sweeps import Step
from tests.conftest import UNLIMITED, at_head, make_settings
from tests.fake_telegram import FakeTelegram, RateLimits
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    GRID_CHAT,
    RESIDENT,
    START,
    Harness,
    set_up_grid,
)


def redis_of_this_worker() -> str | None:
    """The test Redis, a database of its own for each of pytest's workers (the suite runs
    in two): each empties its own, and the windows of Telegram's limits are not shared."""
    url = os.environ.get("GRIDLINK_TEST_REDIS_URL")
    if not url:
        return None
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    return f"{url.rsplit('/', 1)[0]}/{int(worker or 0) + 1}"


REDIS_URL = redis_of_this_worker()
HOUR = timedelta(hours=1)
WISHES = 12
HEARD_WITHIN_S = 30  # a bound for a stuck test; the message comes in milliseconds


@pytest.fixture
async def redis_url() -> str:
    """The test Redis, emptied."""
    if not REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("GRIDLINK_TEST_REDIS_URL is not set; CI must run the Redis tests")
        pytest.skip("no Redis: run the tests with `make test` to start one")
    redis = Redis.from_url(REDIS_URL)
    await redis.flushdb()
    await redis.aclose()
    return REDIS_URL


@pytest.fixture
async def postgres_url(database_url: str) -> str:
    if database_url.startswith("sqlite"):
        pytest.skip("several instances run on PostgreSQL")
    return await at_head(database_url)


def shared_limits(redis_url: str, app: App, *, unlimited: bool = False) -> SharedLimits:
    many = 1_000_000
    if unlimited:
        return SharedLimits(Redis.from_url(redis_url), app.bot.id, per_second=many,
                            per_chat_per_second=many, per_group_per_minute=many)
    return SharedLimits(Redis.from_url(redis_url), app.bot.id)


async def instance(fake: FakeTelegram, url: str, redis_url: str | None, number: int
                   ) -> tuple[Harness, Seat]:
    app: App = await build(make_settings(fake, url, redis_url=redis_url), FrozenClock(START))
    app.sender.limits = UNLIMITED  # flows are tested without waiting on Telegram's pace
    if app.sender.shared is not None:
        await app.sender.shared.close()
        app.sender.shared = shared_limits(redis_url or "", app, unlimited=True)
    seat = await Seat.take(redis_url, app.db)
    return Harness(app, fake, app.dispatcher["clock"],
                   first_update_id=1 + number * 1_000_000), seat


async def test_a_second_instance_without_redis_is_refused_with_a_clear_sentence(
        fake: FakeTelegram, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    url = await at_head(database_url)
    first, seat = await instance(fake, url, None, 0)
    try:
        assert await main(make_settings(fake, url)) == 2
        said = capsys.readouterr().err
        assert "another GridLink instance is already running on this database" in said
        assert "GRIDLINK_REDIS_URL" in said
        with pytest.raises(AnotherInstance):
            await Seat.take(None, first.app.db)
    finally:
        await seat.leave()
        await first.app.close()
    again, seat = await instance(fake, url, None, 1)  # the first one stopped: no refusal
    await seat.leave()
    await again.app.close()


Instances = list[tuple[Harness, Seat]]


@pytest.fixture
async def two(fake: FakeTelegram, postgres_url: str, redis_url: str) -> AsyncIterator[Instances]:
    running = [await instance(fake, postgres_url, redis_url, number) for number in (0, 1)]
    yield running
    for harness, seat in running:
        await seat.leave()
        await harness.app.close()


async def test_a_setting_changed_in_one_instance_is_seen_at_once_in_the_other(
        two: Instances) -> None:
    (a, _), (b, b_seat) = two
    await set_up_grid(a)
    grid = await places.by_chat(b.db, GRID_CHAT)  # b remembers the grid as it is now
    assert grid is not None and grid.settings.get("grid_deadline_hours") is None
    assert b_seat.changes is not None
    b_seat.changes.heard.clear()
    await a.send(ADMIN, "/set grid_deadline_hours 12", GRID_CHAT)
    await asyncio.wait_for(b_seat.changes.heard.wait(), HEARD_WITHIN_S)
    seen = await places.by_chat(b.db, GRID_CHAT)
    assert seen is not None and seen.settings["grid_deadline_hours"] == 12


async def test_a_form_begun_in_one_instance_goes_on_in_the_other(two: Instances) -> None:
    (a, _), (b, _) = two
    await set_up_grid(a)
    await a.open_link(RESIDENT, Purpose.WISH_FORM, 3)
    await b.press_text(RESIDENT, b.fake.last_to(RESIDENT.id), "Daily life")
    await a.send(RESIDENT, "家里灯泡坏了，够不着")
    await b.press_text(RESIDENT, b.fake.last_to(RESIDENT.id), "Not urgent")
    await a.press_text(RESIDENT, a.fake.last_to(RESIDENT.id), "Skip")
    await b.press_text(RESIDENT, b.fake.last_to(RESIDENT.id), "Skip")
    await a.press_text(RESIDENT, a.fake.last_to(RESIDENT.id), "Submit")
    wish = await wishes.get(a.db, 1)
    assert (wish.text, wish.category, wish.urgent) == ("家里灯泡坏了，够不着", "daily_life", False)


async def test_two_instances_keep_one_budget_of_telegrams_limits(
        two: Instances, fake: FakeTelegram, redis_url: str) -> None:
    """90 messages through two instances: together they keep 30 a second (the fake Bot API
    answers 429 beyond Telegram's limits), and a chat written to by one must wait its second
    before the other writes to it."""
    (a, _), (b, _) = two
    for harness in (a, b):  # Telegram's own limits, kept together
        assert harness.app.sender.shared is not None
        await harness.app.sender.shared.close()
        harness.app.sender.shared = shared_limits(redis_url, harness.app)
    a_shared, b_shared = a.app.sender.shared, b.app.sender.shared
    started = time.monotonic()
    assert await a_shared.reserve(777) == 0
    wait, chat_wait = await b_shared.reserve(777), await b_shared.chat_wait(777)
    since = time.monotonic() - started  # however busy the machine, the rest of the second
    assert 1 - since - 0.05 < wait <= 1.05 and 1 - since - 0.05 < chat_wait <= 1.05
    assert (wait > 0 and chat_wait > 0) or since >= 1
    now = a.clock.now()
    await outbox.enqueue(a.db, [
        OutboxMessage(key=f"budget {n}", chat_id=60_000 + n, text=f"budget {n}", not_before=now,
                      created_at=now) for n in range(90)])
    fake.limits = RateLimits()
    a.app.sender.batch = b.app.sender.batch = 45  # each instance takes half of them at once
    await asyncio.gather(a.app.sender.drain(), b.app.sender.drain())
    assert fake.limits.refused == 0
    assert len({c.chat_id for c in fake.sent("sendMessage") if isinstance(c.result, dict)}) == 90


async def test_a_groups_twenty_a_minute_are_counted_across_instances(redis_url: str) -> None:
    instances = [SharedLimits(Redis.from_url(redis_url), 1, per_chat_per_second=100,
                              per_group_per_minute=3) for _ in range(2)]
    try:
        waits = [await instances[n % 2].reserve(-5) for n in range(4)]
        assert waits[:3] == [0, 0, 0]
        assert 55 < waits[3] <= 63
        assert await instances[0].reserve(-6) == 0  # another group has its own minute
    finally:
        for shared in instances:
            await shared.close()


async def test_a_send_under_way_in_one_instance_keeps_the_chat_from_the_other(
        redis_url: str) -> None:
    """A request slowed on its way past the chat's second still holds the chat's place, so
    the other instance's send cannot reach Telegram within the same second; once it has
    completed, the second counts from then."""
    a, b = (SharedLimits(Redis.from_url(redis_url), 1) for _ in range(2))
    try:
        assert await a.reserve(778) == 0
        await asyncio.sleep(1.2)  # longer than the chat's second (and its margin)
        assert await b.reserve(778) > 0
        await a.done(778)
        completed = time.monotonic()
        wait = await b.reserve(778)
        assert 1.05 - (time.monotonic() - completed) - 0.05 < wait <= 1.05
    finally:
        for shared in (a, b):
            await shared.close()


async def test_a_killed_instances_send_under_way_frees_its_place_in_time(
        redis_url: str) -> None:
    a, b = (SharedLimits(Redis.from_url(redis_url), 1) for _ in range(2))
    a.under_way_ms = 300
    try:
        started = time.monotonic()
        assert await a.reserve(779) == 0  # and then the instance is killed: no done
        while (wait := await b.reserve(779)) > 0:
            assert time.monotonic() - started < 30
            await asyncio.sleep(wait)
        assert time.monotonic() - started >= 0.3 + 1.0  # under way, then the chat's second
    finally:
        for shared in (a, b):
            await shared.close()


async def test_three_instances_sweeping_at_once_do_each_thing_once(
        fake: FakeTelegram, postgres_url: str, redis_url: str) -> None:
    """Every wish past its grid's deadline climbs to the community once, its card is posted
    there once and its resident told once, whichever instance took it."""
    running = [await instance(fake, postgres_url, redis_url, number) for number in range(3)]
    try:
        first = running[0][0]
        await set_up_grid(first)
        await first.send(ADMIN, "/set person_wishes_per_hour 0", GRID_CHAT)
        for n in range(WISHES):
            await first.send(RESIDENT, f"/wish 第{n}件事", GRID_CHAT)
        for harness, _ in running:
            harness.app.dispatcher["clock"].advance(10 * 24 * HOUR)  # ten days on, everywhere
        done = await asyncio.gather(*(sweep_once(h.app.messenger) for h, _ in running))
        assert sum(steps[Step.TO_COMMUNITY] for steps in done) == WISHES
        await asyncio.gather(*(h.app.sender.drain() for h, _ in running))
        for harness, _ in running:  # a send postponed by a network error (a busy machine)
            harness.app.dispatcher["clock"].advance(HOUR)
        await asyncio.gather(*(h.app.sender.drain() for h, _ in running))
        async with first.db.transaction() as session:
            climbed = (await session.exec(select(AuditEntry.entity_id).where(
                AuditEntry.action == Step.TO_COMMUNITY))).all()
        assert sorted(climbed) == sorted(set(climbed)) and len(climbed) == WISHES
        cards = [c for c in fake.sent("sendMessage", COMMUNITY_CHAT) if c.buttons()]
        assert len(cards) == WISHES
        told = Counter(c.text for c in fake.sent("sendMessage", RESIDENT.id))
        assert told and all(count == 1 for count in told.values())
    finally:
        for harness, seat in running:
            await seat.leave()
            await harness.app.close()


class Stall(BaseMiddleware):
    """Holds every update between the intake and its handler until ``gate`` is set."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.arrived = asyncio.Event()

    async def __call__(self, handler: Callable[[Any, dict[str, Any]], Awaitable[Any]],
                       event: Any, data: dict[str, Any]) -> Any:
        self.arrived.set()
        await self.gate.wait()
        return await handler(event, data)


async def test_an_update_in_flight_on_a_killed_instance_is_handled_by_another(
        two: Instances, fake: FakeTelegram) -> None:
    """Telegram was answered as soon as the update arrived, so it will not send it again: the
    other instance takes it over once the killed one's hold on it has run out, not before,
    and the wish is stored and posted once."""
    (a, _), (b, _) = two
    await set_up_grid(a)
    await a.app.dispatcher.in_flight.tend(a.db, a.clock)  # what a finished is marked so
    stall = Stall()
    a.app.dispatcher.update.outer_middleware(stall)
    sending = asyncio.create_task(a.send(RESIDENT, "/wish 楼道的灯坏了，晚上看不见", GRID_CHAT))
    await asyncio.wait_for(stall.arrived.wait(), HEARD_WITHIN_S)
    sending.cancel()  # killed: nothing of it runs again, and it never tends again
    with suppress(asyncio.CancelledError):
        await sending

    b_in_flight = b.app.dispatcher.in_flight
    assert await b_in_flight.take_over(b.app.dispatcher, b.app.bot, b.db, b.clock) == []
    b.clock.advance(updates.HOLD + timedelta(seconds=1))
    handling = await b_in_flight.take_over(b.app.dispatcher, b.app.bot, b.db, b.clock)
    assert len(handling) == 1
    await asyncio.gather(*handling)
    await b.app.sender.drain()
    assert await b_in_flight.take_over(b.app.dispatcher, b.app.bot, b.db, b.clock) == []

    async with b.db.transaction() as session:
        stored = (await session.exec(select(Wish.text))).all()
    assert stored == ["楼道的灯坏了，晚上看不见"]
    cards = [c for c in fake.sent("sendMessage", GRID_CHAT) if "楼道的灯坏了" in c.text]
    assert len(cards) == 1


class InTurn(BaseMiddleware):
    """Notes when an update's handling starts and ends, held at the start until ``gate``."""

    def __init__(self, name: str, seen: list[str], gate: asyncio.Event) -> None:
        self.name, self.seen, self.gate = name, seen, gate
        self.started = asyncio.Event()

    async def __call__(self, handler: Callable[[Any, dict[str, Any]], Awaitable[Any]],
                       event: Any, data: dict[str, Any]) -> Any:
        self.seen.append(f"{self.name} starts")
        self.started.set()
        await self.gate.wait()
        try:
            return await handler(event, data)
        finally:
            self.seen.append(f"{self.name} ends")


async def test_one_persons_updates_are_handled_in_turn_across_instances(two: Instances) -> None:
    """Redis's event isolation: while one instance handles a person's update, another that
    receives their next one waits for it, as one process would."""
    (a, _), (b, _) = two
    seen: list[str] = []
    a_gate, b_gate = asyncio.Event(), asyncio.Event()
    b_gate.set()
    a_turns = InTurn("a", seen, a_gate)
    a.app.dispatcher.update.outer_middleware(a_turns)
    b.app.dispatcher.update.outer_middleware(InTurn("b", seen, b_gate))
    first = asyncio.create_task(a.send(RESIDENT, "/start"))
    await asyncio.wait_for(a_turns.started.wait(), HEARD_WITHIN_S)
    second = asyncio.create_task(b.send(RESIDENT, "/help"))
    await asyncio.sleep(0.5)  # a chance for b to overtake; a slow machine only gives it less
    assert seen == ["a starts"]
    a_gate.set()
    await asyncio.wait_for(asyncio.gather(first, second), HEARD_WITHIN_S)
    assert seen == ["a starts", "a ends", "b starts", "b ends"]
