"""Long lists a page at a time: Telegram refuses a message text over 4,096 characters.

A list is rendered as entries (a line or a few each) between a header and a footer. A page
holds as many entries as fit a budget, so a page of long entries holds fewer; an entry that
alone would not fit is shortened with "…" (the thing itself stays where it always was: its
card, its meeting). Under a list of more than one page, ‹ Previous / Next › carry the list's
kind and the page's number (``ListPageCb``). Pressed, the list is read again and the message
edited in place; the handler asks first whether the presser may see it, as its command did.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import ListKind, ListPageCb
from bot.formatting import number
from bot.i18n import current_locale

# What a page's text may measure (see ``size``): well under Telegram's 4,096 characters, so
# that masking in groups, which never lengthens a text, leaves it under too.
BUDGET = 3_800
PAGE_LINE_ROOM = 48  # the "Page 2 of 5" line in any language, with its line break
MOST_BUTTONS = 100  # Telegram's limit for one message, the page buttons included
ELLIPSIS = "…"


def size(html: str) -> int:
    """At least what Telegram counts of a text: Telegram counts what it shows once the HTML is
    read, in UTF-16 code units at most (an emoji counts two); the HTML as written is never
    shorter, since tags and escapes only add to it."""
    return len(html.encode("utf-16-le")) // 2


_PIECE = re.compile(r"<[^>]*>|&#?\w+;|.", re.DOTALL)
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z-]+)")


def shorten(html: str, most: int) -> str:
    """``html`` cut to measure at most ``most`` with "…" at the end, closing the tags left
    open and never cutting a tag or an escape in two."""
    if size(html) <= most:
        return html
    kept: list[str] = []
    opened: list[str] = []
    used = size(ELLIPSIS)
    for piece in _PIECE.findall(html):
        tag = _TAG_NAME.match(piece) if piece.startswith("<") else None
        closing = piece.startswith("</")
        after = opened[:-1] if tag and closing else [*opened, tag.group(1)] if tag else opened
        closers = sum(size(f"</{name}>") for name in after)
        if used + size(piece) + closers > most:
            break
        kept.append(piece)
        used += size(piece)
        opened = after
    return "".join([*kept, ELLIPSIS, *(f"</{name}>" for name in reversed(opened))])


@dataclass(frozen=True)
class Listing:
    """A list as rendered: ``entries`` between ``header`` and ``footer``, each entry with the
    buttons it carries (``buttons[i]`` for ``entries[i]``, a row each), if any."""

    header: str
    entries: Sequence[str] = ()
    footer: str = ""
    separator: str = "\n"
    buttons: Sequence[Sequence[InlineKeyboardButton]] = ()

    def buttons_of(self, index: int) -> Sequence[InlineKeyboardButton]:
        return self.buttons[index] if index < len(self.buttons) else ()


@dataclass(frozen=True)
class Page:
    text: str
    markup: InlineKeyboardMarkup | None
    number: int
    count: int


def _room(listing: Listing) -> int:
    """What the entries of one page may measure together."""
    frame = [listing.header, listing.footer]
    return BUDGET - sum(size(part) + 1 for part in frame if part) - PAGE_LINE_ROOM


def _pages(entries: Sequence[str], listing: Listing, room: int) -> list[range]:
    """The entries of each page, in order: as many as fit ``room`` and the button limit."""
    pages: list[range] = []
    start = used = buttons = 0
    for index, entry in enumerate(entries):
        grows = size(entry) + (size(listing.separator) if index > start else 0)
        more_buttons = len(listing.buttons_of(index))
        if index > start and (used + grows > room
                              or buttons + more_buttons > MOST_BUTTONS - 2):
            pages.append(range(start, index))
            start, grows = index, size(entry)
            used = buttons = 0
        used += grows
        buttons += more_buttons
    pages.append(range(start, len(entries)))
    return pages


def page(listing: Listing, kind: ListKind, wanted: int = 1, about: int = 0) -> Page:
    """Page ``wanted`` of the list, or its last page when it has fewer now."""
    room = _room(listing)
    entries = [shorten(entry, room) for entry in listing.entries]
    pages = _pages(entries, listing, room)
    count = len(pages)
    shown = min(max(wanted, 1), count)
    span = pages[shown - 1]
    body = listing.separator.join(entries[index] for index in span)
    parts = [listing.header, body, listing.footer]
    if count > 1:
        parts.append(_("Page {number} of {count}").format(
            number=number(shown, current_locale()), count=number(count, current_locale())))
    rows = [list(listing.buttons_of(index)) for index in span if listing.buttons_of(index)]
    if count > 1:
        rows.append(_turning(kind, shown, count, about))
    return Page("\n".join(part for part in parts if part),
                InlineKeyboardMarkup(inline_keyboard=rows) if rows else None, shown, count)


def _turning(kind: ListKind, shown: int, count: int, about: int) -> list[InlineKeyboardButton]:
    row = []
    if shown > 1:
        row.append(InlineKeyboardButton(text=_("‹ Previous"), callback_data=ListPageCb(
            kind=kind, page=shown - 1, about=about).pack()))
    if shown < count:
        row.append(InlineKeyboardButton(text=_("Next ›"), callback_data=ListPageCb(
            kind=kind, page=shown + 1, about=about).pack()))
    return row


async def send(message: Message, listing: Listing, kind: ListKind, about: int = 0) -> None:
    """Answer a command with the list's first page."""
    first = page(listing, kind, 1, about)
    await message.reply(first.text, reply_markup=first.markup)


async def turn(query: CallbackQuery, callback_data: ListPageCb, listing: Listing) -> None:
    """Show the page a button asks for, in place of the page shown."""
    shown = page(listing, callback_data.kind, callback_data.page, callback_data.about)
    await query.answer(None if shown.number == callback_data.page else _(
        "The list is shorter now: this is its last page."))
    if not isinstance(query.message, Message):
        return
    try:
        await query.message.edit_text(shown.text, reply_markup=shown.markup)
    except TelegramBadRequest as error:
        if "message is not modified" not in error.message:
            raise
