"""What an operator watches: ``/healthz`` and ``/metrics`` on the webhook server.

``/healthz`` answers 200 when the database answers within a few seconds, else 503 (a load
balancer then sends Telegram's requests to the other instances). ``/metrics`` is in
Prometheus's text format, for this instance: updates handled and failed, Telegram's 429s,
and, from the database (so the same in every instance), the outbox rows waiting by lane and
the age of the oldest one due.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.clock import Clock
from storage import outbox
from storage.db import Database
from storage.models import Lane

if TYPE_CHECKING:
    from aiohttp import web

HEALTH_TIMEOUT_S = 5.0


@dataclass
class Tally:
    """Counts this instance keeps as it works, read at each scrape."""

    updates: int = 0
    failed: int = 0
    refused: int = 0  # Telegram's 429 Too Many Requests


@dataclass
class _Outbox:
    by_lane: dict[int, int] = field(default_factory=dict)
    oldest_due_s: float = 0.0


class _Figures(Collector):
    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.outbox = _Outbox()

    def collect(self) -> Iterator[Metric]:
        yield CounterMetricFamily("gridlink_updates_handled", "Updates this instance handled",
                                  value=self.tally.updates)
        yield CounterMetricFamily("gridlink_handler_errors",
                                  "Updates whose handling failed (kept, and the person told)",
                                  value=self.tally.failed)
        yield CounterMetricFamily("gridlink_telegram_429",
                                  "Sends Telegram refused with 429 Too Many Requests",
                                  value=self.tally.refused)
        waiting = GaugeMetricFamily("gridlink_outbox_waiting",
                                    "Outbox rows not yet sent, by lane", labels=["lane"])
        for lane in Lane:
            waiting.add_metric([lane.name.lower()], self.outbox.by_lane.get(lane, 0))
        yield waiting
        yield GaugeMetricFamily("gridlink_outbox_oldest_due_seconds",
                                "How long the oldest outbox row due now has waited",
                                value=self.outbox.oldest_due_s)


class Watch:
    """The two endpoints, added to the webhook server's application."""

    def __init__(self, db: Database, clock: Clock, tally: Tally) -> None:
        self.db = db
        self.clock = clock
        self.figures = _Figures(tally)
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(self.figures)

    def add_to(self, app: web.Application) -> None:
        app.router.add_get("/healthz", self.health)
        app.router.add_get("/metrics", self.metrics)

    async def health(self, _request: web.Request) -> web.Response:
        from aiohttp import web

        try:
            async with asyncio.timeout(HEALTH_TIMEOUT_S):
                await self.db.check_connection()
        except Exception as error:  # unreachable, timed out, refused: not healthy
            return web.Response(status=503, text=f"the database does not answer: {error!r}")
        return web.Response(text="ok")

    async def metrics(self, _request: web.Request) -> web.Response:
        from aiohttp import web

        by_lane, oldest = await outbox.waiting(self.db, now=self.clock.now())
        self.figures.outbox = _Outbox(by_lane, oldest)
        return web.Response(body=generate_latest(self.registry),
                            headers={"Content-Type": CONTENT_TYPE_LATEST})
