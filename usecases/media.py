"""A wish's photos and voice messages: shown privately to whoever may see them, and the
claimer's photo of the help given (服务影像).

They are never posted in a group: a photo of a broken lamp may also show a door number, a
letter or a face, and no detector can mask a picture. The resident, the volunteer who holds
the claim and the grid's social workers and admins see them, each on request (audited).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from html import escape

from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import keyboards, notices
from bot.messenger import Messenger, Rendered
from storage import audit, media, outbox, people, relay
from storage.models import CLAIM_FULFILLED, MediaKind, MediaPurpose, Wish, WishMedia, WishState
from storage.people import Actor
from usecases.authority import Act, may_in


class Seen(StrEnum):
    OK = "ok"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    NONE = "none"  # the wish has no photo or voice message


@dataclass(frozen=True)
class Shown:
    result: Seen
    wish: Wish | None = None
    items: list[WishMedia] = field(default_factory=list)


async def _may_see(session: AsyncSession, actor: Actor, wish: Wish) -> bool:
    if actor.id == wish.resident_id:
        return True
    if actor.id == wish.claimer_id and wish.state in relay.OPEN_STATES:
        return True
    return await may_in(session, actor, Act.SEE_CONTACTS, wish.grid_id)


async def show(messenger: Messenger, actor: Actor, wish_id: int, *, now: datetime) -> Shown:
    """The wish's photos and voice messages for ``actor`` to be sent privately, or why not;
    each showing is written to the audit log."""
    async with messenger.db.transaction() as session:
        wish = await session.get(Wish, wish_id)
        if wish is None:
            return Shown(Seen.NOT_FOUND)
        if not await _may_see(session, actor, wish):
            return Shown(Seen.NOT_ALLOWED, wish)
        items = await media.of_wish(session, wish_id)
        if not items:
            return Shown(Seen.NONE, wish)
        await audit.record(session, entity="wish", entity_id=wish_id, actor_id=actor.id,
                           action="show_media", at=now)
    return Shown(Seen.OK, wish, items)


class Proof(StrEnum):
    OK = "ok"
    NOT_FOUND = "not_found"
    NOT_YOURS = "not_yours"  # only whoever fulfilled it
    WRONG_STATE = "wrong_state"  # not fulfilled (or reopened since)
    TOO_MANY = "too_many"


async def _proof_allowed(session: AsyncSession, actor: Actor, wish: Wish | None) -> Proof:
    """Only the volunteer whose claim fulfilled the wish, while it waits for the resident or
    after it closed, up to the limit."""
    if wish is None:
        return Proof.NOT_FOUND
    latest = await relay.latest_claim(session, wish.id or 0)
    if latest is None or latest.volunteer_id != actor.id:
        return Proof.NOT_YOURS
    if latest.outcome != CLAIM_FULFILLED or wish.state not in (WishState.FULFILLED,
                                                               WishState.CLOSED):
        return Proof.WRONG_STATE
    if len(await media.of_wish(session, wish.id or 0, MediaPurpose.PROOF)) >= media.MAX_PROOF:
        return Proof.TOO_MANY
    return Proof.OK


async def may_add_proof(messenger: Messenger, actor: Actor, wish_id: int) -> Proof:
    """Before asking for the photo: OK, or why not."""
    async with messenger.db.transaction() as session:
        return await _proof_allowed(session, actor, await session.get(Wish, wish_id))


async def add_proof(messenger: Messenger, actor: Actor, wish_id: int, file_id: str, *,
                    now: datetime) -> Proof:
    """The volunteer who fulfilled the wish adds a photo of the help given; the resident hears
    of it, and it stays with the wish for staff (evaluation, follow-up)."""
    async with messenger.db.transaction() as session:
        wish = await session.get(Wish, wish_id)
        allowed = await _proof_allowed(session, actor, wish)
        if allowed is not Proof.OK or wish is None:
            return allowed
        await media.add(session, wish_id, [media.Item(MediaKind.PHOTO, file_id)],
                        purpose=MediaPurpose.PROOF, by=actor.id, now=now)
        event = await audit.record(session, entity="wish", entity_id=wish_id,
                                   actor_id=actor.id, action="add_proof", at=now)
        name = await people.name_in(session, actor.id)
        count = len(await media.of_wish(session, wish_id))

        def render() -> Rendered:
            return _("{name} added a photo of the help given with your micro-wish #{id}.").format(
                name=escape(name), id=wish_id), keyboards.media(wish_id, count)

        await outbox.add(session, [await messenger.for_person(
            session, wish.resident_id, f"audit:{event}:proof", render, wish_id=wish_id,
            on_undeliverable=f"{notices.RESIDENT_OF}{wish_id}")])
    return Proof.OK
