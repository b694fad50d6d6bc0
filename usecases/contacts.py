"""Staff asking for a wish's contact details, which a group never shows (bot.audience)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from bot import keyboards
from bot.messenger import Messenger, Rendered
from bot.notices import contact_lines, summary
from bot.reaching import relay_line
from storage import audit, media, outbox, relay
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
    the wish's grid or to its claimer, with whether the claimer and the resident wrote to each
    other through the bot, and the wish's photos and voice messages one tap away; each
    disclosure is written to the audit log."""
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
        claim = await relay.latest_claim(session, wish_id)
        attached = len(await media.of_wish(session, wish_id))

        def render() -> Rendered:
            parts = [summary(wish), contact_lines(wish)]
            if claim is not None:  # staff see whether claimer and resident were in touch
                parts.append(relay_line(claim))
            return "\n\n".join(parts), keyboards.media(wish_id, attached)

        await outbox.add(session, [await messenger.for_person(
            session, actor.id, f"audit:{event}:contact", render, lane=Lane.URGENT)])
    return Shown.SENT
