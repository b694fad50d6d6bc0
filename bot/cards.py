"""A wish's card: in the grid group, and in the community or street chat it was passed up to.

Cards are synced by the outbox sender from the wish as it is at that moment, so the groups
always see its true state, however many changes were queued.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import keyboards, labels, links
from bot.formatting import when
from bot.i18n import current_locale
from bot.messenger import Messenger, Rendered
from storage import outbox, people, places, wishes
from storage.models import (
    Lane,
    OutboxKind,
    OutboxMessage,
    Person,
    PlaceKind,
    Tier,
    Wish,
    WishState,
)


@dataclass(frozen=True)
class CardView:
    wish: Wish
    timezone: str
    claimer_name: str | None
    score: int | None
    # Whether the bot can write to the resident: if not, the grid's card of a live wish offers
    # them the way to a private chat, where its news reaches them.
    resident_reachable: bool = True


async def view_in(session: AsyncSession, wish: Wish) -> CardView:
    grid = await places.get(session, wish.grid_id)
    claimer = await people.name_in(session, wish.claimer_id) if wish.claimer_id else None
    resident = await session.get(Person, wish.resident_id)
    rating = (await wishes.rating_in(session, wish.id or 0)
              if wish.state == WishState.CLOSED else None)
    return CardView(wish, grid.timezone if grid else "Asia/Shanghai",
                    claimer, rating.score if rating else None,
                    resident_reachable=resident is None or resident.reachable)


async def load_views(messenger: Messenger, shown: Iterable[Wish]) -> list[CardView]:
    async with messenger.db.transaction() as session:
        return [await view_in(session, wish) for wish in shown]


def headline(wish: Wish) -> str:
    line = _("Micro-wish #{id} · {category}").format(id=wish.id,
                                                      category=labels.category(wish.category))
    if wish.risk:
        alert = _("Risk alert")
        return f"⚠️ {line} · {alert}"
    return f"🚨 {line} · {_('Urgent')}" if wish.urgent else f"🎯 {line}"


def _open_status(wish: Wish) -> str:
    if wish.tier == Tier.STREET:
        return _("Passed to the street office: a candidate for a micro-venture project")
    if wish.tier == Tier.COMMUNITY:
        return _("Passed to the community: waiting for a social worker or organisation to "
                 "take it on")
    if wish.follow_up:
        return _("Open again: the resident said it was not solved")
    if wish.risk or wish.urgent:
        return _("Open: the social worker on duty has been alerted")
    return _("Open: waiting for a volunteer")


def status(view: CardView) -> str:
    wish, name = view.wish, escape(view.claimer_name or "")
    match wish.state:
        case WishState.SUBMITTED:
            return _("Waiting for a social worker to verify it")
        case WishState.OPEN:
            return _open_status(wish)
        case WishState.CLAIMED if wish.adopted_note:
            return _("Adopted by the street office as a project: {note}").format(
                note=escape(wish.adopted_note))
        case WishState.CLAIMED if wish.taken_on:
            return _("Taken on by {name}").format(name=name)
        case WishState.CLAIMED:
            return _("Claimed by {name}").format(name=name)
        case WishState.FULFILLED:
            return _("Fulfilled by {name}; waiting for the resident to confirm").format(name=name)
        case WishState.CLOSED if view.score is not None:
            return _("Done: {solved} ({score} of 5)").format(solved=labels.solved(view.score),
                                                            score=view.score)
        case WishState.CLOSED if wish.unconfirmed:
            return _("Done (the resident did not confirm in time)")
        case WishState.CLOSED:
            return _("Done")
        case WishState.CANCELLED:
            return _("Withdrawn by the resident")
        case _:
            return _("Not accepted by the social worker")


def render(view: CardView, chat_kind: str = PlaceKind.GRID,
           news_url: str | None = None) -> Rendered:
    wish = view.wish
    posted = when(wish.created_at, view.timezone, current_locale())
    text = "\n".join([
        f"<b>{escape(headline(wish))}</b>",
        escape(wish.text),  # a group's copy is masked on its way (bot.audience)
        "",
        _("Status: {status}").format(status=status(view)),
        _("Posted {when}").format(when=posted),
    ])
    return text, keyboards.card(wish, chat_kind, news_url)


async def _news_url(messenger: Messenger, view: CardView, chat_kind: str) -> str | None:
    """The link to a private chat (at the resident's own wishes) that the grid's card of a live
    wish shows while the bot cannot write to its resident."""
    if (view.resident_reachable or chat_kind != PlaceKind.GRID
            or view.wish.state not in wishes.LIVE_STATES):
        return None
    return await links.mine(messenger.bot)


async def card_rows(session: AsyncSession, wish: Wish, *, reason: str, now: object,
                    also: Iterable[int | None] = ()) -> list[OutboxMessage]:
    """Outbox rows that bring the card up to date wherever it stands, and post it in
    ``also`` (the chats it is being passed to)."""
    posted = [chat_id for _wish, chat_id in await wishes.posts_in(session, [wish.id or 0])]
    chats = list(dict.fromkeys([*posted, *(chat for chat in also if chat is not None)]))
    return [OutboxMessage(key=f"card:{wish.id}:{chat_id}:{reason}", kind=OutboxKind.CARD,
                          lane=Lane.GROUP, chat_id=chat_id, wish_id=wish.id, not_before=now,
                          created_at=now)
            for chat_id in chats]


async def show(messenger: Messenger, wish: Wish) -> None:
    """Queue the card's update everywhere it stands; a wish that just opened is posted in its
    grid group."""
    async with messenger.db.transaction() as session:
        grid = await places.get(session, wish.grid_id)
        fresh = await session.get(Wish, wish.id)
        first_post = grid.chat_id if grid and fresh and fresh.state == WishState.OPEN else None
        rows = await card_rows(session, wish, reason=uuid.uuid4().hex, now=messenger.clock.now(),
                               also=[first_post])
        await outbox.add(session, rows)


@dataclass
class Standing:
    """A card as the sender finds it: the wish as it is now, and its message in the chat (set
    once posted, so a later row of the same batch edits it)."""

    view: CardView
    message_id: int | None


Standings = dict[tuple[int, int], Standing]  # by (wish id, chat id)


async def standings(messenger: Messenger, cards: Iterable[tuple[int, int]]) -> Standings:
    """The cards a sender's batch brings up to date, read in one transaction."""
    cards = set(cards)
    if not cards:
        return {}
    async with messenger.db.transaction() as session:
        views: dict[int, CardView] = {}
        for wish_id in {wish_id for wish_id, _chat in cards}:
            wish = await session.get(Wish, wish_id)
            if wish is not None:
                views[wish_id] = await view_in(session, wish)
        posts = await wishes.posts_in(session, list(views))
    return {(wish_id, chat_id): Standing(views[wish_id], posts.get((wish_id, chat_id)))
            for wish_id, chat_id in cards if wish_id in views}


async def sync(messenger: Messenger, standing: Standing | None, chat_id: int) -> int | None:
    """Post or edit the card in one chat so it shows the wish as it is now (for the sender)."""
    if standing is None:  # the wish is gone
        return None
    view = standing.view
    place = await messenger.place_of_chat(chat_id)
    kind = place.kind if place else PlaceKind.GRID
    locale = messenger.locale_of_place(place)
    url = await _news_url(messenger, view, kind)
    if standing.message_id is not None and await messenger.edit(
            chat_id, standing.message_id, locale, lambda: render(view, kind, url)):
        return standing.message_id
    text, markup = messenger.render(locale, lambda: render(view, kind, url), chat_id)
    message = await messenger.bot.send_message(chat_id, text, reply_markup=markup)
    await wishes.record_post(messenger.db, view.wish.id or 0, chat_id=chat_id,
                             message_id=message.message_id)
    standing.message_id = message.message_id
    return message.message_id
