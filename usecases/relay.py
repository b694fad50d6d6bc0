"""The relay (转达): a wish's claimer and its resident write to each other through the bot.

What one writes reaches the other privately, through the outbox in the person lane (it keeps
its place among the other news of the wish to that person, and never overtakes a risk page),
with a Reply button; neither sees the other's Telegram account. Only the two of them may write,
and only while the claim holds the wish (``storage.relay``): anyone else, a button of a claim
that ended, or a forged one is refused. Each message is audited (who, to whom, which wish) and
counted on the claim for staff; its words are kept only in the outbox row that carries them,
which retention empties.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import reaching
from bot.messenger import Messenger
from storage import audit, outbox, people, relay
from storage.people import Actor
from storage.relay import Conversation, Side
from storage.words import Words

KEY = "relay"  # outbox keys: relay:<claim id>:<audit event>


class Relayed(StrEnum):
    OK = "ok"
    NOT_FOUND = "not_found"
    NOT_YOURS = "not_yours"  # neither the claimer nor the resident
    CLOSED = "closed"  # the claim no longer holds the wish
    EMPTY = "empty"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class Relay:
    result: Relayed
    wish_id: int | None = None
    side: Side | None = None  # the writer's
    other_name: str = ""  # whom they write to

    @property
    def ok(self) -> bool:
        return self.result is Relayed.OK


def claim_of_key(key: str) -> int | None:
    """The claim an outbox row of the relay belongs to, or None for other rows."""
    parts = key.split(":")
    return int(parts[1]) if parts[0] == KEY and len(parts) > 2 and parts[1].isdecimal() else None


async def _open(session: AsyncSession, actor: Actor,
                claim_id: int) -> tuple[Relay, Conversation | None]:
    found = await relay.of_claim(session, claim_id)
    if found is None:
        return Relay(Relayed.NOT_FOUND), None
    side = found.side_of(actor.id)
    if side is None:
        return Relay(Relayed.NOT_YOURS, found.wish.id), None
    if not found.open:
        return Relay(Relayed.CLOSED, found.wish.id, side), None
    other = await people.name_in(session, found.other(side))
    return Relay(Relayed.OK, found.wish.id, side, other), found


async def may_write(messenger: Messenger, actor: Actor, claim_id: int) -> Relay:
    """Before asking for the words: OK with whom they go to, or why not."""
    async with messenger.db.transaction() as session:
        return (await _open(session, actor, claim_id))[0]


async def send(messenger: Messenger, actor: Actor, claim_id: int, text: str, *,
               now: datetime) -> Relay:
    """Pass ``text`` on to the other side of the claim's conversation: audited, counted and
    queued together, or nothing when it may not go."""
    checked = relay.check_text(text)
    if checked is not Words.OK:
        return Relay(Relayed.EMPTY if checked is Words.EMPTY else Relayed.TOO_LONG)
    async with messenger.db.transaction() as session:
        allowed, found = await _open(session, actor, claim_id)
        if found is None or allowed.side is None:
            return allowed
        wish, to = found.wish, found.other(allowed.side)
        event = await audit.record(session, entity="wish", entity_id=wish.id or 0,
                                   actor_id=actor.id, action="relay", at=now,
                                   detail=f"to={to} claim={claim_id}")
        await relay.count(session, claim_id, allowed.side, now)
        writer = await people.name_in(session, actor.id)
        await outbox.add(session, [await messenger.for_person(
            session, to, f"{KEY}:{claim_id}:{event}",
            reaching.relayed(wish, claim_id, allowed.side, writer, text.strip()),
            on_undeliverable=reaching.relayed_by(actor.id, claim_id), wish_id=wish.id)])
    return allowed
