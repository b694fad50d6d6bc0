"""Staff asking for a wish's contact details, which a group never shows (bot.audience)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from bot.messenger import Messenger, Rendered
from bot.notices import contact_lines, summary
from storage import audit, outbox
from storage.models import Lane, Wish
from storage.people import Actor
from usecases.authority import Act, may_in


class Shown(StrEnum):
    SENT = "sent"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    UNREACHABLE = "unreachable"  # never opened a private chat with the bot


async def send_contact(messenger: Messenger, actor: Actor, wish_id: int, *,
                       now: datetime) -> Shown:
    """The contact details go privately, through the outbox, to a social worker or admin of
    the wish's grid or to its claimer; each disclosure is written to the audit log."""
    async with messenger.db.transaction() as session:
        wish = await session.get(Wish, wish_id)
        if wish is None:
            return Shown.NOT_FOUND
        if wish.claimer_id != actor.id and not await may_in(
                session, actor, Act.SEE_CONTACTS, wish.grid_id):
            return Shown.NOT_ALLOWED
        if not actor.person.reachable:
            return Shown.UNREACHABLE
        event = await audit.record(session, entity="wish", entity_id=wish_id,
                                   actor_id=actor.id, action="show_contact", at=now)

        def render() -> Rendered:
            return "\n\n".join([summary(wish), contact_lines(wish)]), None

        await outbox.add(session, [await messenger.for_person(
            session, actor.id, f"audit:{event}:contact", render, lane=Lane.URGENT)])
    return Shown.SENT
