"""Telegram's sending limits as the sender keeps them, on a clock the test moves."""

from __future__ import annotations

import pytest

from bot.limits import FORGET_EVERY, MARGIN, Limits

GROUP, PERSON = -100, 7


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def limits(clock: Clock) -> Limits:
    return Limits(per_second=30, per_chat_per_second=1, per_group_per_minute=20, clock=clock)


def test_one_message_a_second_to_a_chat_counted_from_when_it_completed() -> None:
    clock = Clock()
    keeper = limits(clock)
    slot = keeper.take(PERSON)
    clock.now += 0.5
    keeper.done(slot)  # it took half a second to reach Telegram
    assert keeper.wait(PERSON) == pytest.approx(MARGIN)
    assert keeper.wait(PERSON + 1) == 0
    clock.now += MARGIN
    assert keeper.wait(PERSON) == 0


def test_a_send_under_way_keeps_its_place_however_long_it_takes() -> None:
    clock = Clock()
    keeper = limits(clock)
    slot = keeper.take(PERSON)
    clock.now += 5  # the request has not reached Telegram yet
    assert keeper.wait(PERSON) == pytest.approx(MARGIN)  # looked at again within the second
    keeper.done(slot)
    assert keeper.wait(PERSON) == pytest.approx(MARGIN)  # a second from when it completed
    clock.now += MARGIN
    assert keeper.wait(PERSON) == 0


def test_twenty_messages_a_minute_to_a_group() -> None:
    clock = Clock()
    keeper = limits(clock)
    for _ in range(20):
        keeper.done(keeper.take(GROUP))
        clock.now += 2
    assert keeper.wait(GROUP) == pytest.approx(60 * MARGIN - 40)
    clock.now += 60 * MARGIN - 40
    assert keeper.wait(GROUP) == 0


def test_a_finished_send_behind_a_slow_one_does_not_hold_the_limit() -> None:
    clock = Clock()
    keeper = Limits(per_second=2, per_chat_per_second=10, per_group_per_minute=100,
                    clock=clock)
    slow = keeper.take(1)
    keeper.done(keeper.take(2))
    clock.now += 0.9
    keeper.done(slow)  # the first one completes after the second
    assert keeper.wait(3) > 0  # both count: two in the last second
    clock.now += 0.2  # the second has left the window; the slow one has not
    assert keeper.wait(3) == 0


def test_chats_gone_quiet_are_forgotten() -> None:
    clock = Clock()
    keeper = limits(clock)
    for person in range(1, FORGET_EVERY):
        keeper.done(keeper.take(person))
        clock.now += 0.01
    assert len(keeper._chats) == FORGET_EVERY - 1
    keeper.done(keeper.take(GROUP))  # the next sweep: everyone but the last second is quiet
    assert len(keeper._chats) < 120
    assert GROUP in keeper._groups and GROUP in keeper._chats
    assert keeper.wait(GROUP) == pytest.approx(MARGIN)  # still counted after the sweep
