"""The relay between a wish's claimer and its resident (usecases.relay).

A claim is the conversation: what one of the two writes reaches the other privately through
the bot, while that claim holds the wish (claimed, or fulfilled and waiting for the resident).
It closes when the wish is confirmed, closed, withdrawn, released or reopened; whoever claims
it next gets a new one. The words themselves are not kept here: each message is an audit row
(who, to whom, which wish) and an outbox row, whose text retention erases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import words
from storage.models import CLAIM_FULFILLED, Claim, Wish, WishState

MAX_TEXT = 1000
OPEN_STATES = (WishState.CLAIMED, WishState.FULFILLED)


class Side(StrEnum):
    CLAIMER = "claimer"
    RESIDENT = "resident"


@dataclass(frozen=True)
class Conversation:
    claim: Claim
    wish: Wish
    open: bool

    def side_of(self, person_id: int) -> Side | None:
        """Which side of the conversation a person is on; None for anyone else."""
        if person_id == self.claim.volunteer_id:
            return Side.CLAIMER
        if person_id == self.wish.resident_id:
            return Side.RESIDENT
        return None

    def other(self, side: Side) -> int:
        return self.wish.resident_id if side is Side.CLAIMER else self.claim.volunteer_id


async def latest_claim(session: AsyncSession, wish_id: int) -> Claim | None:
    return (await session.exec(select(Claim).where(col(Claim.wish_id) == wish_id)
                               .order_by(col(Claim.id).desc()).limit(1))).first()


async def of_claim(session: AsyncSession, claim_id: int) -> Conversation | None:
    claim = await session.get(Claim, claim_id)
    wish = await session.get(Wish, claim.wish_id) if claim is not None else None
    if claim is None or wish is None:
        return None
    latest = await latest_claim(session, wish.id or 0)
    is_open = (wish.state in OPEN_STATES and wish.claimer_id == claim.volunteer_id
               and claim.outcome in (None, CLAIM_FULFILLED)
               and latest is not None and latest.id == claim.id)
    return Conversation(claim, wish, is_open)


async def open_claim_id(session: AsyncSession, wish_id: int) -> int | None:
    """The claim whose conversation is open for the wish now, if any."""
    latest = await latest_claim(session, wish_id)
    if latest is None or latest.id is None:
        return None
    found = await of_claim(session, latest.id)
    return latest.id if found is not None and found.open else None


def check_text(text: str | None) -> words.Words:
    return words.check(text, MAX_TEXT)


async def count(session: AsyncSession, claim_id: int, side: Side, now: datetime) -> None:
    """One more message passed on from ``side``: counted in one statement, so two at once
    both count."""
    column = Claim.from_claimer if side is Side.CLAIMER else Claim.from_resident
    await session.exec(update(Claim).where(col(Claim.id) == claim_id)
                       .values({column: column + 1, Claim.last_relayed_at: now}))
