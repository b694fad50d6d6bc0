"""The micro-wish flow end to end: real Dispatcher and Bot against the fake Bot API."""

from __future__ import annotations

import asyncio

from sqlmodel import func, select

from storage import wishes
from storage.models import Claim, Wish, WishState
from tests.fake_telegram import Call
from tests.harness import (
    ADMIN,
    GRID_CHAT,
    RESIDENT,
    VOLUNTEER,
    Harness,
    Someone,
    button,
    set_up_grid,
    translate,
)

PHONE = "13812345678"


async def wish_count(h: Harness) -> int:
    async with h.db.transaction() as session:
        return (await session.exec(select(func.count()).select_from(Wish))).one()


def card(h: Harness) -> Call:
    """The latest wish card in the grid group."""
    cards = [c for c in h.fake.sent("sendMessage", GRID_CHAT) if c.buttons()
             or "#" in c.text]
    return cards[-1]


def card_now(h: Harness, posted: Call) -> str:
    return str(h.fake.message(GRID_CHAT, posted.message_id)["text"])


async def post_wish(h: Harness, text: str = "帮我去超市买米和油") -> Call:
    await h.send(RESIDENT, f"/wish {text}", GRID_CHAT)
    return card(h)


async def test_a_wish_goes_from_posted_to_rated(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    posted = await post_wish(h)
    assert "帮我去超市买米和油" in posted.text
    assert translate(h, "zh_Hans", "Open: waiting for a volunteer") in posted.text

    await h.press_text(VOLUNTEER, posted, "🙋")
    assert "You claimed it" in h.last_alert()
    assert translate(h, "zh_Hans", "Claimed by {name}", name=VOLUNTEER.name) in card_now(h, posted)
    assert h.fake.message(GRID_CHAT, posted.message_id).get("reply_markup") is None
    contact = h.fake.last_to(VOLUNTEER.id)
    assert "帮我去超市买米和油" in contact.text
    assert "Claimed" not in contact.text
    assert any("has claimed your micro-wish" in t for t in h.fake.texts_to(RESIDENT.id))

    await h.press_text(VOLUNTEER, contact, "Mark fulfilled")
    assert translate(h, "zh_Hans", "Fulfilled by {name}; waiting for the resident to confirm",
                     name=VOLUNTEER.name) in card_now(h, posted)
    ask = h.fake.last_to(RESIDENT.id)
    assert "is fulfilled" in ask.text
    await h.press_text(RESIDENT, ask, "5")
    assert translate(h, "zh_Hans", "Done. The resident rated it {score} of 5",
                     score=5) in card_now(h, posted)
    assert any("5 of 5" in t for t in h.fake.texts_to(VOLUNTEER.id))

    comment_button = h.fake.sent("editMessageText", RESIDENT.id)[-1]
    await h.press_text(RESIDENT, comment_button, "comment")
    await h.send(RESIDENT, "小陈很耐心，谢谢！")
    assert "comment is saved" in h.fake.last_to(RESIDENT.id).text
    wish = await wishes.get(h.db, 1)
    assert wish.state == WishState.CLOSED
    assert (await wishes.rating_of(h.db, 1)).comment == "小陈很耐心，谢谢！"


async def test_pressing_a_button_twice_changes_nothing_the_second_time(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    posted = await post_wish(h)
    await h.press_text(VOLUNTEER, posted, "🙋")
    await h.press_text(VOLUNTEER, posted, "🙋")
    assert "already claimed" in h.last_alert()
    contact = h.fake.last_to(VOLUNTEER.id)
    await h.press_text(VOLUNTEER, contact, "Mark fulfilled")
    await h.press_text(VOLUNTEER, contact, "Mark fulfilled")
    assert "already marked fulfilled" in h.last_alert()
    async with h.db.transaction() as session:
        assert (await session.exec(select(func.count()).select_from(Claim))).one() == 1


async def test_twenty_volunteers_press_claim_at_once_and_one_wins(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    crowd = [Someone(5000 + n, f"Volunteer {n}", language_code="en") for n in range(20)]
    for person in crowd:
        await h.send(person, "/start")
        await h.send(ADMIN, f"/grant volunteer {person.id}", GRID_CHAT)
    posted = await post_wish(h)
    h.fake.clear()
    await asyncio.gather(*[h.press(p, posted, button(posted, "🙋")) for p in crowd])
    alerts = h.fake.alerts()
    assert sum("You claimed it" in a for a in alerts) == 1
    assert sum("Someone else was quicker" in a for a in alerts) == 19
    async with h.db.transaction() as session:
        claims = (await session.exec(select(Claim))).all()
    assert len(claims) == 1
    winner = claims[0].volunteer_id
    contacts = [c.chat_id for c in h.fake.sent("sendMessage") if "You claimed this" in c.text]
    assert contacts == [winner]
    assert (await wishes.get(h.db, 1)).claimer_id == winner
