"""The micro-wish flow end to end: real Dispatcher and Bot against the fake Bot API."""

from __future__ import annotations

import asyncio

from sqlmodel import func, select

from bot import links
from bot.callbacks import WishAction, WishCb
from bot.links import Purpose
from storage import wishes
from storage.models import Claim, FailedUpdate, FsmRecord, Rating, Wish, WishState
from tests.fake_telegram import BOT_USERNAME, Call
from tests.harness import (
    ADMIN,
    GRID_CHAT,
    NEIGHBOUR,
    RESIDENT,
    VOLUNTEER,
    WORKER,
    Harness,
    Someone,
    bot_user,
    button,
    set_up_grid,
    translate,
    url_button,
)

PHONE = "13812345678"


def zh(h: Harness, msgid: str, **values: object) -> str:
    """What the grid group (Simplified Chinese by default) is told."""
    return translate(h, "zh_Hans", msgid, **values)


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
    assert h.last_alert() == zh(h, "You claimed it! I sent you the contact details privately.")
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
    assert "is done. Is it solved?" in ask.text
    await h.press_text(RESIDENT, ask, "5")
    assert translate(h, "zh_Hans", "Done: {solved} ({score} of 5)", score=5,
                     solved=translate(h, "zh_Hans", "solved")) in card_now(h, posted)
    assert any("is solved (5 of 5)" in t for t in h.fake.texts_to(VOLUNTEER.id))

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
    assert h.last_alert() == zh(h, "Someone else was quicker: this micro-wish is already "
                                "claimed. Thank you all the same!")
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
    won = zh(h, "You claimed it! I sent you the contact details privately.")
    lost = zh(h, "Someone else was quicker: this micro-wish is already claimed. "
                 "Thank you all the same!")
    assert (alerts.count(won), alerts.count(lost)) == (1, 19)
    async with h.db.transaction() as session:
        claims = (await session.exec(select(Claim))).all()
    assert len(claims) == 1
    winner = claims[0].volunteer_id
    contacts = [c.chat_id for c in h.fake.sent("sendMessage") if "You claimed this" in c.text]
    assert contacts == [winner]
    assert (await wishes.get(h.db, 1)).claimer_id == winner


async def test_a_card_changed_before_it_went_up_is_posted_once(harness: Harness) -> None:
    """Posting the wish and giving it back both queue its card in the group; the sender,
    coming after both, posts it once and shows it open."""
    h = harness
    await set_up_grid(h)
    h.fake.clear()
    await h.feed({"message": {
        "message_id": 1, "date": 0, "chat": {"id": GRID_CHAT, "type": "supergroup",
                                             "title": "Grid"},
        "from": RESIDENT.user(), "text": "/wish 帮我去超市买米和油",
        "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}}, then_send=False)
    not_yet_posted = {"message_id": 99, "date": 0, "text": "…", "from": bot_user(),
                      "chat": {"id": GRID_CHAT, "type": "supergroup", "title": "Grid"}}
    await h.feed({"callback_query": {
        "id": "q1", "from": VOLUNTEER.user(), "chat_instance": "ci", "message": not_yet_posted,
        "data": WishCb(action=WishAction.CLAIM, wish_id=1).pack()}}, then_send=False)
    # The claimer's details (with Give up) wait in the outbox too; Give up is pressed at once.
    claimer_message = {"message_id": 98, "date": 0, "text": "…", "from": bot_user(),
                       "chat": {"id": VOLUNTEER.id, "type": "private", "first_name": "V"}}
    await h.feed({"callback_query": {
        "id": "q2", "from": VOLUNTEER.user(), "chat_instance": "ci", "message": claimer_message,
        "data": WishCb(action=WishAction.RELEASE, wish_id=1).pack()}}, then_send=False)
    assert h.fake.sent("sendMessage", GRID_CHAT) == []

    await h.app.sender.drain()
    posted = h.fake.sent("sendMessage", GRID_CHAT)
    assert len(posted) == 1
    assert zh(h, "Open: waiting for a volunteer") in card_now(h, posted[0])
    assert [(p.chat_id, p.message_id) for p in await wishes.posts_of(h.db, 1)] == [
        (GRID_CHAT, posted[0].message_id)]


async def fill_form(h: Harness, who: Someone = RESIDENT, phone: str = PHONE) -> Call:
    """From the group's form link to the confirmation message, answering every step."""
    await h.send(who, "/wish", GRID_CHAT)
    link = url_button(h.fake.last_to(GRID_CHAT))
    assert link == f"https://t.me/{BOT_USERNAME}?start=" + links.payload(
        h.app.bot, Purpose.WISH_FORM, 3)
    await h.open_link(who, Purpose.WISH_FORM, 3)
    await h.press_text(who, h.fake.last_to(who.id), "Elderly care")
    await h.send(who, "我母亲腿脚不便，想请人每周陪她去一次菜市场")
    await h.press_text(who, h.fake.last_to(who.id), "Urgent")
    await h.send(who, phone)
    await h.send(who, "5号楼2单元301")
    return h.fake.last_to(who.id)


async def test_the_private_form_keeps_contact_details_out_of_the_group(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    summary = await fill_form(h)
    assert PHONE in summary.text
    assert "5号楼2单元301" in summary.text
    await h.press_text(RESIDENT, summary, "Submit")
    assert "is posted in your grid group" in h.fake.last_to(RESIDENT.id).text
    posted = card(h)
    assert "陪她去一次菜市场" in posted.text
    assert translate(h, "zh_Hans", "Elderly care") in posted.text
    assert translate(h, "zh_Hans", "Urgent") in posted.text
    await h.press_text(VOLUNTEER, posted, "🙋")
    contact = h.fake.last_to(VOLUNTEER.id)
    assert PHONE in contact.text
    assert "5号楼2单元301" in contact.text
    group_texts = " ".join(h.fake.texts_to(GRID_CHAT))
    assert PHONE not in group_texts
    assert "301" not in group_texts


async def test_a_phone_typed_full_width_is_kept_in_plain_digits(harness: Harness) -> None:
    """So that the volunteer's phone can dial it."""
    h = harness
    await set_up_grid(h)
    summary = await fill_form(h, phone="１３８ １２３４ ５６７８")
    assert "138 1234 5678" in summary.text
    await h.press_text(RESIDENT, summary, "Submit")
    assert (await wishes.get(h.db, 1)).contact_phone == "138 1234 5678"


async def test_submit_pressed_twice_stores_one_wish(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    summary = await fill_form(h)
    data = button(summary, "Submit")
    await asyncio.gather(h.press(RESIDENT, summary, data), h.press(RESIDENT, summary, data))
    assert await wish_count(h) == 1
    claim_buttons = [b for c in h.fake.sent("sendMessage", GRID_CHAT) for b in c.buttons()
                     if b.get("callback_data", "").startswith("w:c:")]
    assert len(claim_buttons) == 1


async def test_a_half_filled_form_survives_a_restart(harness: Harness, fake, database_url,
                                                     ) -> None:
    from bot.app import build
    from tests.conftest import make_settings

    h = harness
    await set_up_grid(h)
    await h.open_link(RESIDENT, Purpose.WISH_FORM, 3)
    await h.press_text(RESIDENT, h.fake.last_to(RESIDENT.id), "Daily life")
    await h.send(RESIDENT, "家里灯泡坏了，够不着")
    async with h.db.transaction() as session:
        assert len((await session.exec(select(FsmRecord))).all()) == 1
    await h.app.close()

    h.app = await build(make_settings(fake, database_url), h.clock)
    await h.press_text(RESIDENT, h.fake.last_to(RESIDENT.id), "Not urgent")
    await h.press_text(RESIDENT, h.fake.last_to(RESIDENT.id), "Skip")
    await h.press_text(RESIDENT, h.fake.last_to(RESIDENT.id), "Skip")
    await h.press_text(RESIDENT, h.fake.last_to(RESIDENT.id), "Submit")
    wish = await wishes.get(h.db, 1)
    assert (wish.text, wish.category, wish.urgent) == ("家里灯泡坏了，够不着", "daily_life", False)
    assert wish.contact_phone is None


async def test_the_form_answers_bad_input_and_keeps_its_place(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.open_link(RESIDENT, Purpose.WISH_FORM, 3)
    categories = h.fake.last_to(RESIDENT.id)
    await h.send(RESIDENT, "hello")
    assert "tap one of the buttons" in h.fake.last_to(RESIDENT.id).text
    await h.press_text(RESIDENT, categories, "Learning")
    await h.send(RESIDENT, "字" * 5000)
    assert "too long" in h.fake.last_to(RESIDENT.id).text
    await h.send(RESIDENT, "", sticker={"file_id": "x", "file_unique_id": "y", "type": "regular",
                                        "width": 1, "height": 1, "is_animated": False,
                                        "is_video": False})
    assert "text message" in h.fake.last_to(RESIDENT.id).text
    await h.send(RESIDENT, "孩子数学作业需要辅导")
    await h.press_text(RESIDENT, h.fake.last_to(RESIDENT.id), "Not urgent")
    await h.send(RESIDENT, "call me maybe")
    assert "does not look like a phone number" in h.fake.last_to(RESIDENT.id).text
    await h.send(RESIDENT, "/cancel")
    assert "Nothing was saved" in h.fake.last_to(RESIDENT.id).text
    assert await wish_count(h) == 0


async def test_a_stale_form_button_is_refused(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.open_link(RESIDENT, Purpose.WISH_FORM, 3)
    categories = h.fake.last_to(RESIDENT.id)
    await h.send(RESIDENT, "/cancel")
    await h.press_text(RESIDENT, categories, "Other")
    assert "no longer valid" in h.last_alert()


async def test_verification_by_the_grid_worker(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, "/set verify on", GRID_CHAT)
    await h.send(RESIDENT, "/wish 想请人帮忙修理漏水的水龙头", GRID_CHAT)
    assert h.fake.last_to(GRID_CHAT).text == zh(
        h, "Thank you! Micro-wish #{id} is saved. A social worker will check it first; "
        "I will tell you privately when it is posted.", id=1)
    request = h.fake.last_to(WORKER.id)
    assert "needs your verification" in request.text
    await h.press_text(VOLUNTEER, request, "Approve")
    assert "Only a social worker" in h.last_alert()
    await h.press_text(WORKER, request, "Approve")
    assert "approved" in h.fake.last_to(RESIDENT.id).text
    assert "漏水的水龙头" in card(h).text
    assert (await wishes.get(h.db, 1)).state == WishState.OPEN
    await h.press_text(WORKER, request, "Approve")
    assert "open and waiting for a volunteer" in h.last_alert()


async def test_a_rejection_reaches_the_resident_with_its_reason(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, "/set verify on", GRID_CHAT)
    await h.send(RESIDENT, "/wish 帮我代缴物业费", GRID_CHAT)
    request = h.fake.last_to(WORKER.id)
    await h.press_text(WORKER, request, "Reject")
    prompt = h.fake.last_to(WORKER.id)
    assert prompt.params["reply_markup"]["force_reply"] is True
    await h.send(WORKER, "物业费请直接到物业服务中心缴纳，社区可以帮您联系")
    assert "rejected" in h.fake.last_to(WORKER.id).text
    told = h.fake.last_to(RESIDENT.id).text
    assert "物业费请直接到物业服务中心缴纳" in told
    wish = await wishes.get(h.db, 1)
    assert (wish.state, wish.reject_reason) == (WishState.REJECTED,
                                                "物业费请直接到物业服务中心缴纳，社区可以帮您联系")
    assert not [c for c in h.fake.sent("sendMessage", GRID_CHAT) if c.buttons()]


async def test_not_solved_reopens_the_wish_for_the_grid_worker(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    posted = await post_wish(h, "电视没有信号")
    await h.press_text(VOLUNTEER, posted, "🙋")
    await h.press_text(VOLUNTEER, h.fake.last_to(VOLUNTEER.id), "Mark fulfilled")
    await h.press_text(RESIDENT, h.fake.last_to(RESIDENT.id), "1")
    assert "A social worker will follow up" in h.last_alert()
    follow_up = h.fake.last_to(WORKER.id).text
    assert "Follow-up needed" in follow_up
    assert "电视没有信号" in follow_up
    assert translate(h, "zh_Hans", "Open again: the resident said it was not solved") \
        in card_now(h, posted)
    wish = await wishes.get(h.db, 1)
    assert (wish.state, wish.follow_up, wish.claimer_id) == (WishState.OPEN, True, None)
    async with h.db.transaction() as session:
        assert (await session.exec(select(Rating.score))).all() == [1]


async def test_withdrawing_tells_the_claimer_and_stales_the_claim_button(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    posted = await post_wish(h)
    await h.press_text(VOLUNTEER, posted, "🙋")
    await h.send(RESIDENT, "/mywishes")
    mine = h.fake.last_to(RESIDENT.id)
    await h.press_text(RESIDENT, mine, "Withdraw")
    assert "withdrew micro-wish #1" in h.fake.last_to(VOLUNTEER.id).text
    assert translate(h, "zh_Hans", "Withdrawn by the resident") in card_now(h, posted)
    await h.press(NEIGHBOUR, posted, button(posted, "🙋"))
    assert translate(h, "zh_Hans", "Only approved volunteers of this grid can claim "
                     "micro-wishes. Ask your grid worker to sign you up.") == h.last_alert()
    await h.press_text(VOLUNTEER, posted, "🙋")
    assert h.last_alert() == zh(h, "This micro-wish was withdrawn by the resident.")
    await h.press_text(RESIDENT, mine, "Withdraw")
    assert "withdrawn by the resident" in h.last_alert()
    assert (await wishes.get(h.db, 1)).state == WishState.CANCELLED


async def test_a_claimer_who_never_started_the_bot_is_shown_the_way(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    shy = Someone(6001, "Volunteer Shy", language_code="en")
    await h.send(ADMIN, f"/grant volunteer {shy.id}", GRID_CHAT)
    h.fake.unreachable.add(shy.id)
    posted = await post_wish(h)
    await h.press_text(shy, posted, "🙋")
    assert h.last_alert() == zh(h, "You claimed it! I cannot write to you yet: tap the button "
                                "under the card, press Start, and I will send you the "
                                "contact details.")
    invite = h.fake.last_to(GRID_CHAT)
    assert url_button(invite) == f"https://t.me/{BOT_USERNAME}?start=" + links.payload(
        h.app.bot, Purpose.TASK, 1, shy.id)
    h.fake.unreachable.discard(shy.id)
    await h.open_link(shy, Purpose.TASK, 1)
    assert "You claimed this micro-wish" in h.fake.last_to(shy.id).text
    await h.send(shy, "/mytasks")
    assert "Mark fulfilled" in [b["text"] for b in h.fake.last_to(shy.id).buttons()][-2]


async def test_a_phone_number_in_a_group_wish_is_masked_and_removed(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    h.fake.no_delete.add(GRID_CHAT)
    await h.send(RESIDENT, f"/wish 帮忙修电脑，电话{PHONE}", GRID_CHAT)
    posted = card(h)
    assert PHONE not in posted.text
    assert "138********" in posted.text
    assert h.fake.sent("deleteMessage", GRID_CHAT)
    hint = translate(h, "zh_Hans", "Please delete your message yourself; I am not allowed to.")
    assert any(hint in text for text in h.fake.texts_to(GRID_CHAT))
    assert (await wishes.get(h.db, 1)).text.endswith(PHONE)


async def test_wrong_places_and_bad_input_change_nothing(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(RESIDENT, "/wish 帮忙", -4242)
    # An unbound group has no language of its own: the resident's is used.
    assert translate(h, "en", "This chat is not bound to any place yet. An admin can set "
                     "it up with /bind.") in h.fake.last_to(-4242).text
    await h.send(RESIDENT, "/wish 帮忙", -1002)
    assert "grid" in h.fake.last_to(-1002).text or "网格" in h.fake.last_to(-1002).text
    await h.send(RESIDENT, "/wish " + "长" * 5000, GRID_CHAT)
    assert translate(h, "zh_Hans", "That is too long: please keep it under {limit} "
                     "characters.", limit=500) in h.fake.last_to(GRID_CHAT).text
    await h.send(NEIGHBOUR, "/wish 帮忙", None)  # never seen in a grid: told how
    assert zh(h, "I do not know your grid yet. Please send /wish or /ask once in your grid's "
              "group (or tap a button of mine there); after that you can also do it here."
              ) == h.fake.last_to(NEIGHBOUR.id).text
    await h.send(RESIDENT, "/mywishes", GRID_CHAT)
    assert url_button(h.fake.last_to(GRID_CHAT)).endswith("start=mine")
    assert await wish_count(h) == 0


async def test_forged_and_unknown_buttons_are_refused(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    posted = await post_wish(h)
    for data in ("w:c:abc", "w:zz:1", "nonsense", "w:c:999", "r:1:9"):
        await h.press(VOLUNTEER, posted, data)
    alerts = h.fake.alerts()
    assert alerts.count(zh(h, "This button is no longer valid.")) == 4
    assert zh(h, "This micro-wish no longer exists.") in alerts
    assert (await wishes.get(h.db, 1)).state == WishState.OPEN


async def test_someone_else_cannot_rate_a_wish(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    posted = await post_wish(h)
    await h.press_text(VOLUNTEER, posted, "🙋")
    await h.press_text(VOLUNTEER, h.fake.last_to(VOLUNTEER.id), "Mark fulfilled")
    ask = h.fake.last_to(RESIDENT.id)
    await h.press(NEIGHBOUR, ask, button(ask, "5"))
    assert h.last_alert() == translate(h, "zh_Hans", "Only the person it belongs to can do that.")
    assert (await wishes.get(h.db, 1)).state == WishState.FULFILLED


async def test_a_crash_keeps_the_residents_words_and_apologises(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, "/set verify on", GRID_CHAT)
    h.fake.clear()
    h.fake.failing["sendMessage"] = 1  # the reply in the group fails once
    await h.send(RESIDENT, "/wish 楼道灯坏了，晚上老人下楼不安全", GRID_CHAT)
    wish = await wishes.get(h.db, 1)
    assert wish.text == "楼道灯坏了，晚上老人下楼不安全"
    async with h.db.transaction() as session:
        kept = (await session.exec(select(FailedUpdate))).one()
    assert kept.text == "/wish 楼道灯坏了，晚上老人下楼不安全"
    assert kept.person_id == RESIDENT.id
    assert h.fake.last_to(GRID_CHAT).text == zh(
        h, "Sorry, something went wrong on my side. What you sent has been kept, and the team "
        "will look into it. Please try again in a moment.")
    assert "needs your verification" in h.fake.last_to(WORKER.id).text



async def test_a_failed_answer_loses_neither_the_step_nor_its_news(harness: Harness) -> None:
    """Telegram refuses to take the buttons off the resident's summary, yet the wish is posted
    in the group: the wish and its card were stored before anyone was answered."""
    h = harness
    await set_up_grid(h)
    summary = await fill_form(h)
    h.fake.failing["editMessageReplyMarkup"] = 1
    await h.press_text(RESIDENT, summary, "Submit")
    await h.app.sender.drain()
    assert (await wishes.get(h.db, 1)).state == WishState.OPEN
    assert "陪她去一次菜市场" in card(h).text


async def test_the_claimers_contact_details_survive_a_failed_send(harness: Harness) -> None:
    """They go with the claim through the outbox: a Telegram error at that moment delays
    them, and the claim is not answered with an apology."""
    from datetime import timedelta

    from tests.test_outbox import drain_through_time

    h = harness
    await set_up_grid(h)
    await h.send(RESIDENT, f"/wish 帮忙修电脑，电话{PHONE}", GRID_CHAT)
    posted = card(h)
    h.fake.failing["sendMessage"] = 1
    await h.press_text(VOLUNTEER, posted, "🙋")
    assert h.last_alert() == zh(h, "You claimed it! I sent you the contact details privately.")
    await drain_through_time(h, h.app.sender, step=timedelta(seconds=5))
    tries = [c for c in h.fake.sent("sendMessage", VOLUNTEER.id) if PHONE in c.text]
    assert [isinstance(c.result, dict) for c in tries] == [False, True], "refused, then sent"
    assert (await wishes.get(h.db, 1)).claimer_id == VOLUNTEER.id
