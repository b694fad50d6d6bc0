"""People talking in a group: the bot keeps quiet and stores nothing but the update's id, while
answers it asked for (replies, or text typed while it waits) still reach their flow."""

from __future__ import annotations

from sqlmodel import func, select

from storage import wishes
from storage.models import ProcessedUpdate, Wish, WishState
from tests.harness import ADMIN, GRID_CHAT, NEIGHBOUR, RESIDENT, STREET_CHAT, Harness, set_up_grid
from tests.test_sweeps_e2e import HOUR, cards_in, sweep


async def _count(h: Harness, table: type) -> int:
    async with h.db.transaction() as session:
        return (await session.exec(select(func.count()).select_from(table))).one()


async def test_talk_in_a_grid_group_gets_no_answer(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    said_before, updates_before = len(h.fake.calls), await _count(h, ProcessedUpdate)
    await h.send(RESIDENT, "明天停水，大家注意", GRID_CHAT)
    first = await h.send(NEIGHBOUR, "收到，谢谢提醒", GRID_CHAT)
    neighbours_words = {"message_id": first, "date": 0, "chat": {"id": GRID_CHAT,
                        "type": "supergroup"}, "from": NEIGHBOUR.user(), "text": "收到，谢谢提醒"}
    await h.send(RESIDENT, "不客气", GRID_CHAT, reply_to=neighbours_words)
    await h.app.sender.drain()
    assert h.fake.calls[said_before:] == []
    assert await _count(h, ProcessedUpdate) == updates_before + 3
    assert await _count(h, Wish) == 0


async def test_text_typed_while_the_bot_waits_for_it_is_not_taken_for_talk(
        harness: Harness) -> None:
    """The street admin adopting a wish types the note without replying to the prompt."""
    h = harness
    await set_up_grid(h)
    await h.send(RESIDENT, "/wish 独居老人家里的热水器坏了", GRID_CHAT)
    h.clock.advance(49 * HOUR)
    await sweep(h)
    h.clock.advance(168 * HOUR)
    await sweep(h)
    await h.press_text(ADMIN, cards_in(h, STREET_CHAT)[-1], "📌")
    await h.send(ADMIN, "由阳光助老服务社承接", STREET_CHAT)
    wish = await wishes.get(h.db, 1)
    assert wish is not None
    assert (wish.state, wish.adopted_note) == (WishState.CLAIMED, "由阳光助老服务社承接")
