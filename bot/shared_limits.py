"""Telegram's sending limits kept in Redis, so that several instances of one bot share them.

Telegram counts a bot's messages, not a process's: about 30 a second overall, 1 a second to
one chat, 20 a minute to one group. Each instance's own ``bot.limits.Limits`` would let two
instances send twice that. Here each limit is a sliding window in Redis (a sorted set of the
sends of its period, scored by Redis's own clock, so the instances' clocks need not agree),
and one Lua script checks every window of a send and counts it in all of them at once, or
answers how long to wait: two instances can never both take the last place of a window.

When Redis cannot be reached the instance falls back on its own limits (and says so in the
log): it then keeps Telegram's limits alone, as it would if it were the only instance, and a
429 that this might bring is waited out like any other.
"""

from __future__ import annotations

import itertools
import logging
import uuid
from typing import Any

from bot.limits import MARGIN, Limits

# A send under way is counted as completing this long after it started, until it does. Not
# the Bot API session's whole minute: the sends of an instance killed half-way hold their
# places this long, and a request that takes longer to reach Telegram is rarer than a 429.
UNDER_WAY_MS = 15_000

log = logging.getLogger(__name__)

# KEYS: the windows of one send (overall, the chat, and the group for a group).
# ARGV: for each key its limit and period in ms, then how long in ms a send under way is held
# counted before it completes, the send's name, and "take" or "look".
# Returns 0 when the send fits every window (and, with "take", is counted in each), else the
# milliseconds until it would. A send under way is scored in the future (now + under way), so
# it keeps its place however long its request takes to reach Telegram; its completion scores
# it at once. The wait is never more than a period: a window full of sends under way is looked
# at again when the first of them could have completed.
_WINDOWS = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local wait = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i - 1])
  local period = tonumber(ARGV[2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - period)
  if redis.call('ZCARD', key) >= limit then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    local until_free = math.min(tonumber(oldest[2]) + period - now, period)
    if until_free > wait then wait = until_free end
  end
end
if wait > 0 or ARGV[#ARGV] ~= 'take' then return wait end
local under_way = tonumber(ARGV[#ARGV - 2])
local name = ARGV[#ARGV - 1]
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + under_way, name)
  redis.call('PEXPIRE', key, tonumber(ARGV[2 * i]) + under_way)
end
return 0
"""


# KEYS: the windows a send was counted in; ARGV: its name. It counts from now, when it has
# completed: a request slowed on its way may reach Telegram later than it left.
_COMPLETED = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', now, ARGV[1])
end
return 0
"""


class SharedLimits:
    """``reserve`` a send (0 when counted, else the seconds to wait) and ``chat_wait`` (the
    seconds a chat must rest for its own limits), across every instance of the bot."""

    def __init__(self, redis: Any, bot_id: int, *, per_second: int = 30,
                 per_chat_per_second: int = 1, per_group_per_minute: int = 20) -> None:
        self.redis = redis
        self.prefix = f"gridlink:bot{bot_id}:sent"
        self.overall = (per_second, int(1000 * MARGIN))
        self.chat = (per_chat_per_second, int(1000 * MARGIN))
        self.group = (per_group_per_minute, int(60_000 * MARGIN))
        self.under_way_ms = UNDER_WAY_MS
        self.local = Limits(per_second=per_second, per_chat_per_second=per_chat_per_second,
                            per_group_per_minute=per_group_per_minute)
        self._script = redis.register_script(_WINDOWS)
        self._completed = redis.register_script(_COMPLETED)
        self._counted: dict[int, str] = {}  # chat → the name of its send under way
        self._names = (f"{uuid.uuid4().hex[:12]}:{n}" for n in itertools.count())
        self._failing = False

    @classmethod
    def from_url(cls, url: str, bot_id: int) -> SharedLimits:
        from redis.asyncio import Redis

        return cls(Redis.from_url(url), bot_id)

    def _windows(self, chat_id: int, *, overall: bool) -> tuple[list[str], list[int]]:
        windows = [(f"{self.prefix}:chat:{chat_id}", self.chat)]
        if chat_id < 0:
            windows.append((f"{self.prefix}:group:{chat_id}", self.group))
        if overall:
            windows.insert(0, (f"{self.prefix}:all", self.overall))
        keys = [key for key, _ in windows]
        values = [number for _, (limit, period) in windows for number in (limit, period)]
        return keys, values

    async def reserve(self, chat_id: int) -> float:
        """Count one send to ``chat_id`` now if it fits every limit (0), else the seconds
        until it would (nothing counted)."""
        keys, values = self._windows(chat_id, overall=True)
        name = next(self._names)
        waited = await self._run(self._script, keys, [*values, self.under_way_ms, name, "take"])
        if waited is not None:
            if waited <= 0:
                self._counted[chat_id] = name
            return waited
        pause = self.local.wait(chat_id)
        if pause <= 0:
            self.local.done(self.local.take(chat_id))
        return pause

    async def chat_wait(self, chat_id: int) -> float:
        """Seconds until the chat's own limits let one more send through (the overall one
        aside)."""
        keys, values = self._windows(chat_id, overall=False)
        waited = await self._run(self._script, keys, [*values, self.under_way_ms, "", "look"])
        return self.local.chat_wait(chat_id) if waited is None else waited

    async def done(self, chat_id: int) -> None:
        """The send reserved for ``chat_id`` has completed: it counts from now."""
        name = self._counted.pop(chat_id, None)
        if name is not None:
            keys, _values = self._windows(chat_id, overall=True)
            await self._run(self._completed, keys, [name])

    async def _run(self, script: Any, keys: list[str], args: list[Any]) -> float | None:
        """The script's answer in seconds; None when Redis cannot be reached."""
        try:
            milliseconds = await script(keys=keys, args=args)
        except Exception as error:  # Redis down or restarting: this instance's own limits
            if not self._failing:
                log.warning("Telegram's limits cannot be shared through Redis (%s); this "
                            "instance keeps them alone until Redis answers again", error)
            self._failing = True
            return None
        if self._failing:
            log.warning("Telegram's limits are shared through Redis again")
            self._failing = False
        return int(milliseconds) / 1000

    async def close(self) -> None:
        await self.redis.aclose()
