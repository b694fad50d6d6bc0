"""How the Dispatcher is wired: nothing on the update path leaves the event loop."""

from __future__ import annotations

from aiogram import Router

from tests.harness import Harness


def _routers(router: Router) -> list[Router]:
    return [router, *(r for child in router.sub_routers for r in _routers(child))]


async def test_every_handler_and_filter_runs_in_the_event_loop(harness: Harness) -> None:
    """aiogram runs a synchronous handler or filter (a bare ``F`` rule, a lambda) in a worker
    thread, one hop per check per update; wrap rules in bot.filters.Magic instead."""
    in_threads = []
    for router in _routers(harness.app.dispatcher):
        for name, observer in router.observers.items():
            checks = list(observer._handler.filters or [])
            for handler in observer.handlers:
                if not handler.awaitable:
                    in_threads.append(f"{router.name} {name}: handler {handler.callback!r}")
                checks += handler.filters or []
            in_threads += [f"{router.name} {name}: filter {check.callback!r}"
                           for check in checks if not check.awaitable]
    assert in_threads == []
