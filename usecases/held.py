"""Messages held back: what could not be delivered to a person because they had never
started the bot, or had blocked it, is delivered when they start it, in the order it was
written, once, and only what still matters:

- news of one of their wishes, unless the wish ended after it was written (a "claimed" notice
  of a wish since withdrawn is not sent; the notice of how a wish ended, such as a rejection
  with its reason, is);
- a message through the relay while its conversation is still open (usecases.relay);
- answers to their questions (usecases.duty);
- and nothing older than the outbox's retention, whose words are erased by then.

Reminders, pages, pings about new wishes and meeting notices are about a moment that has
passed, and stay undelivered.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.messenger import Messenger
from storage import held, relay
from storage.models import Lane, OutboxMessage, Wish
from storage.people import Actor
from usecases.relay import claim_of_key

ANSWER = "answer:"  # the outbox key of an answer to a resident's question (usecases.duty)


async def deliver(messenger: Messenger, actor: Actor, *, since: datetime,
                  now: datetime) -> int:
    """Queue again the person's held messages that still matter; how many."""
    async with messenger.db.transaction() as session:
        rows = await held.held_for(session, actor.id, since=since)
        return await held.send_again(
            session, [row.id for row in rows if row.id and await _matters(session, row)], now)


async def _matters(session: AsyncSession, row: OutboxMessage) -> bool:
    if row.lane == Lane.BULK:
        return False
    claim_id = claim_of_key(row.key)
    if claim_id is not None:
        found = await relay.of_claim(session, claim_id)
        return found is not None and found.open
    if row.wish_id is not None:
        wish = await session.get(Wish, row.wish_id)
        return wish is not None and (wish.closed_at is None or row.created_at >= wish.closed_at)
    return row.key.startswith(ANSWER)
