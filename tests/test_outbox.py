"""The outbox and its sender: limits, retries, undeliverable chats, restarts, two senders."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

from sqlmodel import select

from bot.limits import Limits
from bot.sender import Sender
from bot.splitting import MAX_TEXT
from storage import outbox, people
from storage.models import FailedUpdate, Lane, OutboxMessage, OutboxState
from tests.fake_telegram import RateLimits
from tests.harness import RESIDENT, VOLUNTEER, WORKER, Harness, button, set_up_grid


def queued(h: Harness, key: str, chat_id: int, text: str | None = None,
           lane: Lane = Lane.PERSON, markup: dict[str, Any] | None = None) -> OutboxMessage:
    now = h.clock.now()
    return OutboxMessage(key=key, chat_id=chat_id, text=text or key, not_before=now,
                         created_at=now, lane=lane, markup=markup)


def delivered(h: Harness) -> Counter[str]:
    """How many times each text reached Telegram."""
    return Counter(c.text for c in h.fake.sent("sendMessage")
                   if isinstance(c.result, dict))


async def drain_through_time(h: Harness, sender: Sender, *, step: timedelta,
                             rounds: int = 100) -> None:
    """Deliver, moving the injected clock on whenever only postponed rows are left."""
    for _ in range(rounds):
        await sender.drain()
        states = await outbox.counts(h.db)
        if not states.get(OutboxState.PENDING) and not states.get(OutboxState.SENDING):
            return
        h.clock.advance(step)
    raise AssertionError(f"still undelivered: {await outbox.counts(h.db)}")


async def test_the_same_key_is_queued_once(harness: Harness) -> None:
    h = harness
    await outbox.enqueue(h.db, [queued(h, "notice:1", 42)])
    await outbox.enqueue(h.db, [queued(h, "notice:1", 42, "again"), queued(h, "notice:2", 42)])
    assert [row.text for row in await outbox.rows(h.db)] == ["notice:1", "notice:2"]


async def test_the_sender_keeps_within_telegrams_limits(harness: Harness) -> None:
    h = harness
    h.fake.limits = RateLimits()
    messages = [queued(h, f"private {n}", 10_000 + n) for n in range(45)]
    messages += [queued(h, f"one chat {n}", 77) for n in range(3)]
    messages += [queued(h, f"group {n}", -500) for n in range(3)]
    await outbox.enqueue(h.db, messages)
    await Sender(h.app.messenger, limits=Limits()).drain()
    assert h.fake.limits.refused == 0
    assert delivered(h) == Counter({m.text: 1 for m in messages})
    to_one_chat = [c for c in h.fake.sent("sendMessage", 77)]
    assert [c.text for c in to_one_chat] == ["one chat 0", "one chat 1", "one chat 2"]
    assert await outbox.counts(h.db) == {OutboxState.SENT: len(messages)}


async def test_a_429_waits_retry_after_and_loses_nothing(harness: Harness) -> None:
    h = harness
    h.fake.limits = RateLimits(per_second=5)
    eager = Sender(h.app.messenger, limits=Limits(per_second=1000))  # it does not know better
    messages = [queued(h, f"burst {n}", 20_000 + n) for n in range(20)]
    await outbox.enqueue(h.db, messages)
    await drain_through_time(h, eager, step=timedelta(seconds=1))
    assert h.fake.limits.refused > 0
    assert delivered(h) == Counter({m.text: 1 for m in messages})
    assert all(row.attempts == 1 for row in await outbox.rows(h.db)), "a 429 is no failure"


async def test_server_errors_are_retried_with_backoff(harness: Harness) -> None:
    h = harness
    h.fake.failing["sendMessage"] = 3
    await outbox.enqueue(h.db, [queued(h, "after three failures", 42)])
    await h.app.sender.drain()
    row = (await outbox.rows(h.db))[0]
    assert (row.state, row.attempts) == (OutboxState.PENDING, 1)
    assert row.not_before == h.clock.now() + timedelta(seconds=1)
    await drain_through_time(h, h.app.sender, step=timedelta(seconds=5))
    row = (await outbox.rows(h.db))[0]
    assert (row.state, row.attempts) == (OutboxState.SENT, 4)
    assert delivered(h) == Counter({"after three failures": 1})


async def test_a_resident_who_blocked_the_bot_is_reported_to_staff(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    h.fake.unreachable.add(RESIDENT.id)
    await h.send(RESIDENT, "/wish 帮忙换灯泡", -1003)
    card = [c for c in h.fake.sent("sendMessage", -1003) if c.buttons()][-1]
    await h.press(VOLUNTEER, card, button(card, "🙋"))
    bounced = [row for row in await outbox.rows(h.db)
               if row.state == OutboxState.UNDELIVERABLE]
    assert [row.chat_id for row in bounced] == [RESIDENT.id]
    assert "cannot reach the resident of micro-wish #1" in h.fake.last_to(WORKER.id).text
    assert (await people.get(h.db, RESIDENT.id)).reachable is False


async def test_a_sender_that_died_mid_batch_loses_and_repeats_nothing(
        harness: Harness) -> None:
    h = harness
    messages = [queued(h, f"batch {n}", 30_000 + n) for n in range(10)]
    await outbox.enqueue(h.db, messages)
    taken = await outbox.claim_due(h.db, now=h.clock.now(), limit=6)
    for row in taken[:2]:  # it delivered two, then died before the others
        await h.app.bot.send_message(row.chat_id, row.text)
        await outbox.mark_sent(h.db, row, telegram_id=1, now=h.clock.now())
    await h.app.sender.drain()
    assert sum(delivered(h).values()) == 6, "rows under another sender's lease wait"
    h.clock.advance(outbox.LEASE + timedelta(seconds=1))
    await h.app.sender.drain()
    assert delivered(h) == Counter({m.text: 1 for m in messages})


async def test_two_senders_take_disjoint_rows(harness: Harness) -> None:
    h = harness
    await outbox.enqueue(h.db, [queued(h, f"shared {n}", 40_000 + n) for n in range(50)])
    first, second = await asyncio.gather(
        outbox.claim_due(h.db, now=h.clock.now(), limit=30),
        outbox.claim_due(h.db, now=h.clock.now(), limit=30),
    )
    ids_first, ids_second = {r.id for r in first}, {r.id for r in second}
    assert not ids_first & ids_second
    assert len(ids_first | ids_second) == 50


async def test_a_row_queued_in_this_process_goes_out_at_once(harness: Harness) -> None:
    """The sender looks again every ``idle`` seconds for rows queued elsewhere; a transaction
    of this process that queued rows wakes it when it commits."""
    h = harness
    sender = h.app.sender
    running = asyncio.create_task(sender.run_forever(idle=3600))
    try:
        await asyncio.sleep(0.2)  # its first look found nothing: it waits for the next
        await outbox.enqueue(h.db, [queued(h, "straight away", 42)])

        async def sent() -> None:
            while not delivered(h)["straight away"]:  # noqa: ASYNC110 - the fake server
                await asyncio.sleep(0.01)

        await asyncio.wait_for(sent(), timeout=10)
    finally:
        sender.stop()
        await running
    assert await outbox.counts(h.db) == {OutboxState.SENT: 1}


async def _until(condition: Any) -> None:
    """Wait for the fake server to have seen what ``condition`` looks for."""
    async def seen() -> None:
        while not condition():  # noqa: ASYNC110 - the fake server records as it answers
            await asyncio.sleep(0.01)

    await asyncio.wait_for(seen(), timeout=120)


async def test_a_group_at_its_limit_does_not_hold_up_a_page(harness: Harness) -> None:
    """A group gets 20 messages a minute: its 21st card waits a minute, and a risk page to
    someone else, queued meanwhile, goes out at once instead of after the group's rows."""
    h = harness
    h.fake.limits = RateLimits(per_chat_per_second=30)  # only the group's minute counts here
    sender = Sender(h.app.messenger, limits=Limits(per_chat_per_second=30))
    running = asyncio.create_task(sender.run_forever(idle=3600))
    try:
        await outbox.enqueue(h.db, [queued(h, f"card {n}", -500, lane=Lane.GROUP)
                                    for n in range(40)])
        sender.wake()
        await _until(lambda: len(h.fake.sent("sendMessage", -500)) == 20)
        await outbox.enqueue(h.db, [queued(h, "risk page", WORKER.id, lane=Lane.URGENT)])
        sender.wake()
        await _until(lambda: delivered(h)["risk page"])
        assert len(h.fake.sent("sendMessage", -500)) == 20, "the group's next minute is ahead"
    finally:
        sender.stop()
        await running
    assert h.fake.limits.refused == 0
    states = await outbox.counts(h.db)
    assert states == {OutboxState.SENT: 21, OutboxState.PENDING: 20}, "none lost, none held"


async def test_the_lowest_lane_goes_first(harness: Harness) -> None:
    h = harness
    await outbox.enqueue(h.db, [queued(h, f"honour roll {n}", 50_000 + n, lane=Lane.BULK)
                                for n in range(5)])
    await outbox.enqueue(h.db, [queued(h, "card", -501, lane=Lane.GROUP),
                                queued(h, "notice", 60_000, lane=Lane.PERSON),
                                queued(h, "page", -500, lane=Lane.URGENT)])
    await Sender(h.app.messenger, concurrency=1).drain()
    order = [c.text for c in h.fake.sent("sendMessage")]
    assert order[:3] == ["page", "notice", "card"], order
    assert sorted(order[3:]) == [f"honour roll {n}" for n in range(5)]


def _long_text() -> str:
    paragraphs = [f"第{n}段：" + "请各位志愿者留意本周的安排，按时到岗。" * 20 for n in range(40)]
    return "<b>通知</b>\n\n" + "\n\n".join(paragraphs)


async def test_a_long_text_goes_out_in_parts_with_its_buttons_on_the_last(
        harness: Harness) -> None:
    h = harness
    text = _long_text()
    buttons = {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}
    await outbox.enqueue(h.db, [queued(h, "long", 42, text, markup=buttons)])
    await h.app.sender.drain()
    calls = [c for c in h.fake.sent("sendMessage", 42)]
    assert len(text) == 15_479 and len(calls) == 4  # not one part more than needed
    assert all(isinstance(c.result, dict) for c in calls), "Telegram took every part"
    assert all(len(c.text) <= MAX_TEXT for c in calls)
    assert "".join(c.text for c in calls).replace("\n", "") == text.replace("\n", "")
    assert [bool(c.buttons()) for c in calls] == [False, False, False, True]
    assert all(c.text.split("\n\n")[-1].endswith("。") for c in calls), "cut between paragraphs"
    row = (await outbox.rows(h.db))[0]
    assert (row.state, row.message_id) == (OutboxState.SENT, calls[-1].result["message_id"])


async def test_a_part_refused_for_a_while_is_sent_later_and_no_part_twice(
        harness: Harness) -> None:
    h = harness
    h.fake.limits = RateLimits(per_chat_per_second=1, retry_after=1)
    eager = Sender(h.app.messenger, limits=Limits(per_chat_per_second=1000))
    text = _long_text()
    await outbox.enqueue(h.db, [queued(h, "long", 42, text)])
    await drain_through_time(h, eager, step=timedelta(seconds=1))
    assert h.fake.limits.refused > 0, "a part met a 429"
    parts = [c.text for c in h.fake.sent("sendMessage", 42) if isinstance(c.result, dict)]
    assert len(parts) == 4 and len(set(parts)) == 4
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")


async def test_a_row_held_longer_than_its_lease_is_not_taken_by_another_instance(
        harness: Harness) -> None:
    """Instance a sends a row and Telegram is slow to answer, past the row's lease; instance b
    looks meanwhile. a renews the lease of what it holds, so b leaves the row alone."""
    h = harness
    other = Sender(h.app.messenger, limits=h.app.sender.limits)  # instance b's sender
    await outbox.enqueue(h.db, [queued(h, "slow to answer", 50_001)])
    h.fake.hold = asyncio.Event()
    assert await h.app.sender.take() == 1
    await h.fake.holding.wait()
    for _ in range(3):  # 3 × 40 s: twice the lease, a's sender looking as it always does
        h.clock.advance(timedelta(seconds=40))
        await h.app.sender.take()
        assert await other.take() == 0
    h.fake.hold.set()
    await h.app.sender.drain()
    assert delivered(h) == Counter({"slow to answer": 1})
    assert (await outbox.counts(h.db)) == {OutboxState.SENT: 1}


async def test_an_answer_refused_for_a_moment_is_sent_again_and_the_update_holds(
        harness: Harness) -> None:
    """A handler's own answer (not through the outbox) that Telegram refuses with 429 waits
    its second and goes again: the update is not failed, nobody is told "sorry"."""
    h = harness
    await set_up_grid(h)
    h.fake.too_many = 1
    await h.send(RESIDENT, "/mywishes")
    refused, answered = h.fake.sent("sendMessage", RESIDENT.id)
    assert refused.result is None or not isinstance(refused.result, dict)
    assert isinstance(answered.result, dict) and answered.text == refused.text
    assert "Sorry" not in answered.text
    async with h.db.transaction() as session:
        assert not (await session.exec(select(FailedUpdate))).all()
