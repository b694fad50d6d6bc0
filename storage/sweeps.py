"""Scheduled work derived from rows with due timestamps.

Each sweep step takes one due wish at a time, in its own transaction: on PostgreSQL with
``FOR UPDATE SKIP LOCKED`` so that several bot instances may sweep side by side, on SQLite
under the write lock every transaction takes. The change, its audit row and the outbox rows
that tell people about it commit together, so a restart or a second sweep loses nothing and
does nothing twice. A sweep that was not run for an hour simply finds more that is due.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, outbox, places
from storage.calendar import add_hours
from storage.db import Database
from storage.models import OutboxMessage, Tier, Wish, WishState
from storage.places import chain
from storage.settings import PlaceSettings, effective
from storage.wishes import NO_CLAIM_TIMERS, NO_CLAIMER, end_live_claim, fresh_deadline


class Step(StrEnum):
    TO_COMMUNITY = "to_community"
    TO_STREET = "to_street"
    RELEASE_CLAIM = "release_claim"
    REMIND_CLAIMER = "remind_claimer"
    CLOSE_UNCONFIRMED = "close_unconfirmed"


@dataclass(frozen=True)
class Rule:
    step: Step
    deadline: Any  # the column whose time has come
    state: WishState
    tier: Tier | None
    to_state: WishState

    def due(self, now: datetime) -> ColumnElement[bool]:
        conditions = [col(Wish.state) == self.state, self.deadline <= now]
        if self.tier is not None:
            conditions.append(col(Wish.tier) == self.tier)
        return and_(*conditions)


RULES = (
    Rule(Step.TO_COMMUNITY, col(Wish.grid_deadline_at), WishState.OPEN, Tier.GRID,
         WishState.OPEN),
    Rule(Step.TO_STREET, col(Wish.community_deadline_at), WishState.OPEN, Tier.COMMUNITY,
         WishState.OPEN),
    Rule(Step.RELEASE_CLAIM, col(Wish.claim_release_at), WishState.CLAIMED, None,
         WishState.OPEN),
    Rule(Step.REMIND_CLAIMER, col(Wish.claim_remind_at), WishState.CLAIMED, None,
         WishState.CLAIMED),
    Rule(Step.CLOSE_UNCONFIRMED, col(Wish.confirm_deadline_at), WishState.FULFILLED, None,
         WishState.CLOSED),
)


def _changes(step: Step, wish: Wish, now: datetime, settings: PlaceSettings,
             timezone: str) -> dict[str, Any]:
    match step:
        case Step.TO_COMMUNITY:
            return {"tier": Tier.COMMUNITY, "community_deadline_at": add_hours(
                now, settings.community_deadline_hours, timezone,
                working_days=settings.working_days)}
        case Step.TO_STREET:
            return {"tier": Tier.STREET}
        case Step.RELEASE_CLAIM:
            return {**NO_CLAIMER, **NO_CLAIM_TIMERS,
                    **fresh_deadline(wish, now, settings, timezone)}
        case Step.REMIND_CLAIMER:
            return {"claim_remind_at": None}
        case Step.CLOSE_UNCONFIRMED:
            return {"closed_at": now, "unconfirmed": True, "confirm_deadline_at": None}


@dataclass(frozen=True)
class Due:
    """One wish whose time came, as it is after the step, for the notifier."""

    step: Step
    wish: Wish
    event_id: int
    previous_claimer: int | None
    session: AsyncSession


Notify = Callable[[Due], Awaitable[list[OutboxMessage]]]


async def sweep(db: Database, *, now: datetime, notify: Notify,
                limit: int = 1000) -> dict[Step, int]:
    """Apply every step whose time has come; how many wishes each step moved."""
    done: dict[Step, int] = {}
    for rule in RULES:
        done[rule.step] = 0
        while done[rule.step] < limit and await _one(db, rule, now, notify):
            done[rule.step] += 1
    return done


async def _one(db: Database, rule: Rule, now: datetime, notify: Notify) -> bool:
    async with db.transaction() as session:
        statement = select(Wish).where(rule.due(now)).order_by(rule.deadline).limit(1)
        if not db.is_sqlite:
            statement = statement.with_for_update(skip_locked=True)
        wish = (await session.exec(statement)).first()
        if wish is None:
            return False
        grid = await places.get(session, wish.grid_id)
        settings = effective(await chain(session, grid)) if grid else PlaceSettings()
        previous_claimer = wish.claimer_id
        moved = await session.exec(
            update(Wish).where(col(Wish.id) == wish.id, rule.due(now))
            .values(state=rule.to_state,
                    **_changes(rule.step, wish, now, settings, grid.timezone if grid else "UTC"))
            .execution_options(synchronize_session=False))
        if moved.rowcount != 1:
            return True  # another sweep took it between our read and our write
        if rule.step is Step.RELEASE_CLAIM:
            await end_live_claim(session, wish.id or 0, "expired", now)
        event = await audit.record(session, entity="wish", entity_id=wish.id or 0, actor_id=None,
                                   action=rule.step, at=now, from_state=rule.state,
                                   to_state=rule.to_state)
        await session.flush()
        await session.refresh(wish)
        await outbox.add(session, await notify(
            Due(rule.step, wish, event, previous_claimer, session)))
        return True
