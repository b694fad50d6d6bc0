"""Telegram's sending limits, kept by the sender so that it rarely sees a 429."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

# Our clock and Telegram's do not tick together: keep a little further from each limit.
MARGIN = 1.05


class Slot:
    """One send counted against a window: from when it was reserved until it completed."""

    def __init__(self, at: float) -> None:
        self.at = at


class Window:
    """At most ``limit`` sends in any ``period`` seconds. A send counts from the moment it
    completes, since a request slowed on its way may reach Telegram later than it left."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period * MARGIN
        self.slots: list[Slot] = []

    def wait(self, now: float) -> float:
        """Seconds until one more send fits (0 when it fits now)."""
        self.slots = [slot for slot in self.slots if now - slot.at < self.period]
        if len(self.slots) < self.limit:
            return 0.0
        return min(slot.at for slot in self.slots) + self.period - now

    def take(self, slot: Slot) -> None:
        self.slots.append(slot)


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

    def __post_init__(self) -> None:
        self._overall = Window(self.per_second, 1.0)

    def _windows(self, chat_id: int) -> list[Window]:
        windows = [self._overall,
                   self._chats.setdefault(chat_id, Window(self.per_chat_per_second, 1.0))]
        if chat_id < 0:
            windows.append(self._groups.setdefault(chat_id,
                                                   Window(self.per_group_per_minute, 60.0)))
        return windows

    def wait(self, chat_id: int) -> float:
        now = self.clock()
        return max(window.wait(now) for window in self._windows(chat_id))

    def take(self, chat_id: int) -> Slot:
        """Count a send that starts now; call ``done`` with the slot when it has completed."""
        slot = Slot(self.clock())
        for window in self._windows(chat_id):
            window.take(slot)
        return slot

    def done(self, slot: Slot) -> None:
        slot.at = self.clock()
