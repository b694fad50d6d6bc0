"""Bad input gets a clear answer and changes nothing: numbers no row or person can have, typed
in commands or put in buttons (never a database error: a PostgreSQL `integer` ends at
2,147,483,647, Telegram's ids at 2**63 - 1), and words with nothing visible in them."""

from __future__ import annotations

from sqlmodel import func, select

from bot.audience import for_group
from storage import wishes
from storage.models import FailedUpdate, WishState
from tests.harness import (
    ADMIN,
    GRID_CHAT,
    RESIDENT,
    VOLUNTEER,
    WORKER,
    Harness,
    set_up_grid,
    translate,
)

HUGE = "99999999999999999999"  # beyond 64 bits
PAST_INTEGER = "2147483648"  # one beyond PostgreSQL's integer
NEW_CHAT = -1009


def zh(h: Harness, msgid: str, **values: object) -> str:
    return translate(h, "zh_Hans", msgid, **values)


async def failed_updates(h: Harness) -> int:
    async with h.db.transaction() as session:
        return (await session.exec(select(func.count()).select_from(FailedUpdate))).one()


async def test_numbers_too_large_for_any_row_get_a_clear_answer(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(RESIDENT, "/wish 帮忙修水管", GRID_CHAT)
    no_wish = zh(h, "This micro-wish no longer exists.")
    for number in (HUGE, PAST_INTEGER):
        await h.send(WORKER, f"/reject {number} 不符合", GRID_CHAT)
        assert h.fake.last_to(GRID_CHAT).text == no_wish, number
        await h.send(WORKER, f"/fixhours {number} 1", GRID_CHAT)
        assert "/fixhours" in h.fake.last_to(GRID_CHAT).text, number
        await h.send(WORKER, f"/agenda {number}")
        assert "/agenda" in h.fake.last_to(WORKER.id).text, number
        await h.send(ADMIN, f"/bind {number}", NEW_CHAT)  # a chat not bound: Admin's English
        assert h.fake.last_to(NEW_CHAT).text == for_group(translate(
            h, "en", "There is no place with number {id}. /places shows the numbers.",
            id=number)), "the number is repeated as any long number in a group: masked"
    for command in (f"/grant volunteer {HUGE}", f"/hours {HUGE}"):
        await h.send(ADMIN, command, GRID_CHAT)
        assert h.fake.last_to(GRID_CHAT).text == for_group(zh(
            h, "I have not met {who} yet. Ask them to send a message here, then reply to it "
            "with the command.", who=HUGE)), command
    assert await failed_updates(h) == 0
    assert (await wishes.get(h.db, 1)).state == WishState.OPEN


async def test_a_button_with_an_impossible_number_is_a_stale_button(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(RESIDENT, "/wish 帮忙修水管", GRID_CHAT)
    card = [c for c in h.fake.sent("sendMessage", GRID_CHAT) if c.buttons()][-1]
    for data in (f"w:c:{HUGE}", f"w:c:{PAST_INTEGER}", "w:c:0", f"pg:{HUGE}", f"v:a:{HUGE}"):
        await h.press(VOLUNTEER, card, data)
    assert h.fake.alerts() == [zh(h, "This button is no longer valid.")] * 5
    assert await failed_updates(h) == 0


async def test_a_number_typed_full_width_names_the_wish(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(RESIDENT, "/wish 帮忙修水管", GRID_CHAT)
    await h.send(WORKER, "/reject ＃１ 不属于社区服务范围", GRID_CHAT)
    assert (await wishes.get(h.db, 1)).state == WishState.REJECTED


async def test_a_wish_of_invisible_characters_only_is_empty(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(RESIDENT, "/wish \u200b\u200e\u2060\u00ad\u202e \u3000", GRID_CHAT)
    assert h.fake.last_to(GRID_CHAT).text == zh(
        h, "The text is empty. Please write what you need.")
    assert await wishes.get(h.db, 1) is None


ANONYMOUS = {"id": 1087968824, "is_bot": True, "first_name": "Group",
             "username": "GroupAnonymousBot"}


async def test_an_anonymous_admin_is_answered_in_every_kind_of_message(
        harness: Harness) -> None:
    """A command in a photo's caption, or a reply to the bot, from someone posting as the
    group: the same clear answer as a typed command, and nothing crashes."""
    h = harness
    await set_up_grid(h)
    group = {"id": GRID_CHAT, "type": "supergroup", "title": "Grid"}
    sent = {"date": 0, "chat": group, "from": ANONYMOUS, "sender_chat": group}
    bot_message = {"message_id": 1, "date": 0, "chat": group, "text": "…",
                   "from": {"id": 7000000001, "is_bot": True, "first_name": "GridLink"}}
    messages = [
        {"message_id": 5001, "caption": "/wish 修灯",
         "photo": [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}],
         "caption_entities": [{"type": "bot_command", "offset": 0, "length": 5}]},
        {"message_id": 5002, "text": "低保的答复在这里", "reply_to_message": bot_message},
        {"message_id": 5003, "text": "/wish 修灯",
         "entities": [{"type": "bot_command", "offset": 0, "length": 5}]},
    ]
    for message in messages:
        await h.feed({"message": {**sent, **message}})
    answer = zh(h, "You are posting anonymously as the group or as a channel, so I cannot tell "
                "who you are. Please turn off “Remain anonymous” or send the command from "
                "your own account.")
    assert h.fake.texts_to(GRID_CHAT) == [answer] * 3
    assert await failed_updates(h) == 0
    assert await wishes.get(h.db, 1) is None
