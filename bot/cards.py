"""The wish card in the grid group, edited as the wish moves so the group sees its state."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot import keyboards, labels
from bot.formatting import when
from bot.i18n import current_locale
from bot.messenger import Messenger, Rendered
from storage import people, places, wishes
from storage.models import Wish, WishState
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


async def post(messenger: Messenger, wish: Wish) -> Message | None:
    """Post the card in the wish's grid group and remember where it is."""
    grid = await places.by_id(messenger.db, wish.grid_id)
    if grid is None:
        return None
    view = await load_view(messenger, wish)
    message = await messenger.to_place(grid, lambda: render(view))
    if message is not None and wish.id is not None:
        await wishes.set_card(messenger.db, wish.id, chat_id=message.chat.id,
                              message_id=message.message_id)
    return message


async def refresh(messenger: Messenger, wish: Wish) -> None:
    """Show the wish's current state on its card; post the card if it has none yet."""
    fresh = await wishes.get(messenger.db, wish.id or 0) or wish
    if fresh.card_chat_id is None or fresh.card_message_id is None:
        if fresh.state == WishState.OPEN:
            await post(messenger, fresh)
        return
    view = await load_view(messenger, fresh)
    place = await messenger.place_of_chat(fresh.card_chat_id)
    await messenger.edit(fresh.card_chat_id, fresh.card_message_id,
                         messenger.locale_of_place(place), lambda: render(view))
