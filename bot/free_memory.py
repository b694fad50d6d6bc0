"""Giving back to the system the memory the process freed.

glibc's malloc keeps memory that the bot freed for later use, and gives back only what lies
at the top of its heap. Over a day the bot's resident memory thus rises about 1.5 MiB for
every 5,000 updates while what it uses stays the same (measured with bench.memory: 215.0,
215.4, 215.5 MiB after giving back, against 215.7, 217.0, 218.4 before). ``malloc_trim``
gives the free pages back wherever they are, in a few milliseconds; the scheduler calls it
every few minutes. On a system without glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from collections.abc import Callable
from functools import cache

log = logging.getLogger(__name__)
EVERY_MINUTES = 5


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        log.info("this system's C library cannot give freed memory back (no malloc_trim)")
        return None


def give_back() -> None:
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
