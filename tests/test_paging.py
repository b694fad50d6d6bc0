"""bot.paging: pages under Telegram's limits, shortened entries, the page buttons."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiogram.types import InlineKeyboardButton

from bot import paging
from bot.callbacks import ListKind, ListPageCb
from bot.i18n import make_i18n, speaking
from tests.fake_telegram import BUTTON_LIMIT, CALLBACK_DATA_LIMIT, TEXT_LIMIT, visible_length


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with speaking(make_i18n("zh_Hans"), "en"):
        yield


def every_page(listing: paging.Listing) -> list[paging.Page]:
    first = paging.page(listing, ListKind.VOLUNTEERS)
    return [paging.page(listing, ListKind.VOLUNTEERS, number)
            for number in range(1, first.count + 1)]


def test_a_short_list_is_one_page_without_buttons() -> None:
    shown = paging.page(paging.Listing("<b>Volunteers</b>", ["• Chen", "• Li"], "Usage"),
                        ListKind.VOLUNTEERS)
    assert shown.text == "<b>Volunteers</b>\n• Chen\n• Li\nUsage"
    assert (shown.number, shown.count, shown.markup) == (1, 1, None)


def test_pages_hold_as_many_entries_as_fit_and_every_entry_once() -> None:
    entries = [f"• {number} " + "很长的名字&amp;技能" * (number % 40) for number in range(300)]
    pages = every_page(paging.Listing("<b>Volunteers</b>", entries, "Usage"))
    assert len(pages) > 3
    shown = [line for page in pages for line in page.text.split("\n")[1:-2]]
    assert shown == entries, "in order, each on one page, none shortened"
    for page in pages:
        assert visible_length(page.text, "HTML") <= TEXT_LIMIT
        assert paging.size(page.text) <= paging.BUDGET
        assert page.text.startswith("<b>Volunteers</b>\n")
        assert page.text.endswith(f"Usage\nPage {page.number} of {len(pages)}")
    sizes = [len(page.text.split("\n")) for page in pages]
    assert max(sizes) > 2 * min(sizes[:-1]), "short entries fill a page with more of them"


def test_an_entry_longer_than_a_page_is_shortened_with_an_ellipsis() -> None:
    whole = "<b>" + "长" * 5000 + "</b> &amp; " + "尾" * 100
    [page] = every_page(paging.Listing("Header", ["short", whole, "after"]))[1:2]
    entry = page.text.split("\n")[1]
    assert entry.startswith("<b>长") and entry.endswith("…</b>")
    assert paging.size(page.text) <= paging.BUDGET


@pytest.mark.parametrize("most", range(1, 40))
def test_shortening_never_cuts_a_tag_or_an_escape(most: int) -> None:
    text = '<a href="tg://user?id=1">Chen &amp; Li</a> 的 <b>长</b>文字 &lt;ok&gt; ' * 3
    short = paging.shorten(text, most)
    assert paging.size(short) <= max(most, paging.size("…"))
    assert short.count("<a ") == short.count("</a>") and short.count("<b>") == short.count("</b>")
    assert short.endswith(("…", "…</a>", "…</b>"))
    assert "&" not in short.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")


def test_the_page_buttons_turn_the_pages_and_fit_telegram() -> None:
    listing = paging.Listing("Header", ["x" * 1000] * 9)
    pages = every_page(listing)
    labels = [[b.text for b in (p.markup.inline_keyboard[-1] if p.markup else [])]
              for p in pages]
    assert labels[0] == ["Next ›"] and labels[-1] == ["‹ Previous"]
    assert all(row == ["‹ Previous", "Next ›"] for row in labels[1:-1])
    middle = pages[1].markup
    assert middle is not None
    data = [ListPageCb.unpack(b.callback_data or "") for b in middle.inline_keyboard[-1]]
    assert [d.page for d in data] == [1, 3]
    huge = ListPageCb(kind=ListKind.HOURS, page=10_000, about=2**63 - 1).pack()
    assert len(huge.encode()) <= CALLBACK_DATA_LIMIT


def test_a_page_number_beyond_the_list_shows_its_last_page() -> None:
    listing = paging.Listing("Header", ["x" * 1000] * 9)
    last = every_page(listing)[-1]
    assert paging.page(listing, ListKind.PEOPLE, 999).text == last.text


def test_entries_keep_their_own_buttons_on_their_page() -> None:
    entries = [f"topic {number}" for number in range(120)]
    buttons = [[InlineKeyboardButton(text=f"#{number}", callback_data=f"t:{number}")]
               for number in range(120)]
    pages = every_page(paging.Listing("Agenda", entries, buttons=buttons))
    assert len(pages) == 2
    for page in pages:
        assert page.markup is not None
        rows = page.markup.inline_keyboard
        assert sum(len(row) for row in rows) <= BUTTON_LIMIT
        listed = [line.split()[1] for line in page.text.split("\n")[1:-1]]
        assert [row[0].text for row in rows[:-1]] == [f"#{n}" for n in listed]
