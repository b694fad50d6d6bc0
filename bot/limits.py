"""Telegram's sending limits, kept by the sender so that it rarely sees a 429."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

# Our clock and Telegram's do not tick together: keep a little further from each limit.
MARGIN = 1.05


class Window:
    """At most ``limit`` events in any ``period`` seconds."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period * MARGIN
        self.times: deque[float] = deque()

    def wait(self, now: float) -> float:
        """Seconds until one more event fits (0 when it fits now)."""
        while self.times and now - self.times[0] >= self.period:
            self.times.popleft()
        return 0.0 if len(self.times) < self.limit else self.times[0] + self.period - now

    def take(self, now: float) -> None:
        self.times.append(now)


@dataclass
class Limits:
    """About 30 messages a second overall, 1 a second per chat, 20 a minute per group."""

    per_second: int = 30
    per_chat_per_second: int = 1
    per_group_per_minute: int = 20
    clock: Callable[[], float] = time.monotonic
    _overall: Window | None = None
    _chats: dict[int, Window] = field(default_factory=dict)
    _groups: dict[int, Window] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._overall = Window(self.per_second, 1.0)

    def _windows(self, chat_id: int) -> list[Window]:
        windows = [self._overall or Window(self.per_second, 1.0),
                   self._chats.setdefault(chat_id, Window(self.per_chat_per_second, 1.0))]
        if chat_id < 0:
            windows.append(self._groups.setdefault(chat_id,
                                                   Window(self.per_group_per_minute, 60.0)))
        return windows

    def wait(self, chat_id: int) -> float:
        now = self.clock()
        return max(window.wait(now) for window in self._windows(chat_id))

    def take(self, chat_id: int) -> None:
        now = self.clock()
        for window in self._windows(chat_id):
            window.take(now)
