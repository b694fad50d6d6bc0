"""The wish card in the grid group, edited as the wish moves so the group sees its state."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from html import escape

from aiogram.utils.i18n import gettext as _

from bot import keyboards, labels
from bot.formatting import when
from bot.i18n import current_locale
from bot.messenger import Messenger, Rendered
from storage import outbox, people, places, wishes
from storage.models import OutboxKind, OutboxMessage, Wish, WishState
from storage.privacy import mask_numbers


@dataclass(frozen=True)
class CardView:
    wish: Wish
    timezone: str
    claimer_name: str | None
    score: int | None


async def load_view(messenger: Messenger, wish: Wish) -> CardView:
    grid = await places.by_id(messenger.db, wish.grid_id)
    claimer = await people.get(messenger.db, wish.claimer_id) if wish.claimer_id else None
    rating = (await wishes.rating_of(messenger.db, wish.id or 0)
              if wish.state == WishState.CLOSED else None)
    return CardView(wish, grid.timezone if grid else "Asia/Shanghai",
                    claimer.full_name if claimer else None, rating.score if rating else None)


def headline(wish: Wish) -> str:
    line = _("Micro-wish #{id} · {category}").format(id=wish.id,
                                                      category=labels.category(wish.category))
    return f"🚨 {line} · {_('Urgent')}" if wish.urgent else f"🎯 {line}"


def status(view: CardView) -> str:
    wish, name = view.wish, escape(view.claimer_name or "")
    match wish.state:
        case WishState.SUBMITTED:
            return _("Waiting for a social worker to verify it")
        case WishState.OPEN if wish.follow_up:
            return _("Open again: the resident said it was not solved")
        case WishState.OPEN:
            return _("Open: waiting for a volunteer")
        case WishState.CLAIMED:
            return _("Claimed by {name}").format(name=name)
        case WishState.FULFILLED:
            return _("Fulfilled by {name}; waiting for the resident to confirm").format(name=name)
        case WishState.CLOSED if view.score is not None:
            return _("Done. The resident rated it {score} of 5").format(score=view.score)
        case WishState.CLOSED:
            return _("Done")
        case WishState.CANCELLED:
            return _("Withdrawn by the resident")
        case _:
            return _("Not accepted by the social worker")


def render(view: CardView) -> Rendered:
    wish = view.wish
    public_text, _masked = mask_numbers(wish.text)
    posted = when(wish.created_at, view.timezone, current_locale())
    text = "\n".join([
        f"<b>{escape(headline(wish))}</b>",
        escape(public_text),
        "",
        _("Status: {status}").format(status=status(view)),
        _("Posted {when}").format(when=posted),
    ])
    return text, keyboards.card(wish)


async def show(messenger: Messenger, wish: Wish) -> None:
    """Queue the card's update everywhere it stands; a wish that just opened is posted in its
    grid group."""
    chats = [post.chat_id for post in await wishes.posts_of(messenger.db, wish.id or 0)]
    if not chats and wish.state == WishState.OPEN:
        grid = await places.by_id(messenger.db, wish.grid_id)
        chats = [grid.chat_id] if grid is not None and grid.chat_id is not None else []
    await outbox.enqueue(messenger.db, [
        OutboxMessage(key=f"card:{wish.id}:{chat_id}:{uuid.uuid4().hex}", kind=OutboxKind.CARD,
                      chat_id=chat_id, wish_id=wish.id, not_before=messenger.clock.now(),
                      created_at=messenger.clock.now())
        for chat_id in chats
    ])


async def sync(messenger: Messenger, wish_id: int, chat_id: int) -> int | None:
    """Post or edit the card in one chat so it shows the wish as it is now (for the sender)."""
    wish = await wishes.get(messenger.db, wish_id)
    if wish is None:
        return None
    view = await load_view(messenger, wish)
    place = await messenger.place_of_chat(chat_id)
    locale = messenger.locale_of_place(place)
    post = await wishes.post_in(messenger.db, wish_id, chat_id)
    if post is not None and await messenger.edit(chat_id, post.message_id, locale,
                                                 lambda: render(view)):
        return post.message_id
    text, markup = messenger.render(locale, lambda: render(view))
    message = await messenger.bot.send_message(chat_id, text, reply_markup=markup)
    await wishes.record_post(messenger.db, wish_id, chat_id=chat_id,
                             message_id=message.message_id)
    return message.message_id
