"""`python -m bot` with Telegram's sending limits lifted, for bench.instances' throughput run.

What that run compares is how much work one instance and three get through. With the limits
kept, three instances share Telegram's 30 messages a second and each group's 20 a minute, and
the run would measure those (bench.fanout and bench.flood do) instead of the instances, as
bench.throughput, which lifts them in its own process, says too.
"""

import sys
from functools import partial

from bench.common import LIFTED_LIMITS
from bot import __main__ as bot_main
from bot import limits, sender, shared_limits


def lift_limits() -> None:
    sender.Limits = partial(limits.Limits, **LIFTED_LIMITS)  # type: ignore[misc]
    defaults = shared_limits.SharedLimits.__init__.__kwdefaults__
    assert defaults is not None and set(LIFTED_LIMITS) <= set(defaults)
    defaults.update(LIFTED_LIMITS)


if __name__ == "__main__":
    lift_limits()
    sys.exit(bot_main.run())
