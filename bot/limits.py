"""Telegram's sending limits, kept by the sender so that it rarely sees a 429."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

# Our clock and Telegram's do not tick together: keep a little further from each limit.
MARGIN = 1.05
FORGET_EVERY = 1_000  # sends between two sweeps of the windows of chats gone quiet


class Slot:
    """One send counted against a window: in it for as long as it is under way, then for the
    window's period from when it completed."""

    def __init__(self, at: float) -> None:
        self.at = at
        self.completed = False


class Window:
    """At most ``limit`` sends in any ``period`` seconds. A send counts from the moment it
    completes, since a request slowed on its way may reach Telegram later than it left, and
    keeps its place while under way, however long that takes."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period * MARGIN
        self.slots: deque[Slot] = deque()  # in the order they were taken

    def _expired(self, slot: Slot, now: float) -> bool:
        return slot.completed and now - slot.at >= self.period

    def wait(self, now: float) -> float:
        """Seconds until one more send fits (0 when it fits now).

        Slots are dropped from the oldest on; one still running can hold a few finished
        behind it. Those are only counted against the limit once it is reached, when the
        slots are looked at one by one, so a send that fits is never held back. A window
        full of sends under way is looked at again after a period at most."""
        slots = self.slots
        while slots and self._expired(slots[0], now):
            slots.popleft()
        if len(slots) < self.limit:
            return 0.0
        self.slots = slots = deque(slot for slot in slots if not self._expired(slot, now))
        if len(slots) < self.limit:
            return 0.0
        return min([slot.at + self.period - now for slot in slots if slot.completed],
                   default=self.period)

    def take(self, slot: Slot) -> None:
        self.slots.append(slot)

    def quiet(self, now: float) -> bool:
        """Nothing sent within the period: the window may be forgotten."""
        return all(self._expired(slot, now) for slot in self.slots)


@dataclass
class Limits:
    """About 30 messages a second overall, 1 a second per chat, 20 a minute per group."""

    per_second: int = 30
    per_chat_per_second: int = 1
    per_group_per_minute: int = 20
    clock: Callable[[], float] = time.monotonic
    _overall: Window = field(init=False)
    _chats: dict[int, Window] = field(default_factory=dict)
    _groups: dict[int, Window] = field(default_factory=dict)
    _until_forgetting: int = FORGET_EVERY

    def __post_init__(self) -> None:
        self._overall = Window(self.per_second, 1.0)

    def _chat_windows(self, chat_id: int) -> list[Window]:
        if (chat := self._chats.get(chat_id)) is None:
            chat = self._chats[chat_id] = Window(self.per_chat_per_second, 1.0)
        if chat_id > 0:
            return [chat]
        if (group := self._groups.get(chat_id)) is None:
            group = self._groups[chat_id] = Window(self.per_group_per_minute, 60.0)
        return [chat, group]

    def _windows(self, chat_id: int) -> list[Window]:
        return [self._overall, *self._chat_windows(chat_id)]

    def wait(self, chat_id: int) -> float:
        """Seconds until one more send to ``chat_id`` fits every limit."""
        now = self.clock()
        return max(window.wait(now) for window in self._windows(chat_id))

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until the chat's own limits let one more send to it through (the overall
        limit aside): how long this chat must rest, whatever other chats do."""
        now = self.clock()
        return max(window.wait(now) for window in self._chat_windows(chat_id))

    def take(self, chat_id: int) -> Slot:
        """Count a send that starts now; call ``done`` with the slot when it has completed."""
        slot = Slot(self.clock())
        for window in self._windows(chat_id):
            window.take(slot)
        self._until_forgetting -= 1
        if not self._until_forgetting:
            self._forget_quiet_chats(slot.at)
        return slot

    def _forget_quiet_chats(self, now: float) -> None:
        """A window per chat ever written to would grow with every resident for months."""
        self._until_forgetting = FORGET_EVERY
        for windows in (self._chats, self._groups):
            for chat_id in [c for c, window in windows.items() if window.quiet(now)]:
                del windows[chat_id]

    def done(self, slot: Slot) -> None:
        slot.at = self.clock()
        slot.completed = True
