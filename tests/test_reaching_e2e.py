"""Reaching the resident, end to end: the relay between the claimer and the resident, the
messages held back for someone who had not started the bot, and a wish's photos and voice
messages, which only the claimer and staff see."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from bot.callbacks import MediaCb, ProofCb, RelayCb, WishAction, WishCb
from bot.links import Purpose
from storage import wishes
from storage.models import AuditEntry, Claim, OutboxMessage, OutboxState
from tests.fake_telegram import BOT_USERNAME, Call
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    GRID_CHAT,
    NEIGHBOUR,
    RESIDENT,
    VOLUNTEER,
    WORKER,
    Harness,
    Someone,
    button,
    set_up_grid,
    translate,
)
from tests.tripwire import shown_to_groups

OTHER_VOLUNTEER = Someone(1006, "Volunteer Sun", language_code="en", username="sun")
LAMP = {"file_id": "AgACAgUAA-photo-of-the-broken-lamp", "file_unique_id": "lamp",
        "width": 800, "height": 600}
VOICE = {"file_id": "AwACAgUAA-voice-of-the-resident", "file_unique_id": "voice",
         "duration": 35}
PROOF = {"file_id": "AgACAgUAA-photo-of-the-lamp-mended", "file_unique_id": "mended",
         "width": 800, "height": 600}


def en(h: Harness, msgid: str, **values: object) -> str:
    return translate(h, "en", msgid, **values)


def card(h: Harness) -> Call:
    return [c for c in h.fake.sent("sendMessage", GRID_CHAT) if c.buttons()][-1]


async def post_and_claim(h: Harness, resident: Someone = RESIDENT,
                         claimer: Someone = VOLUNTEER, text: str = "帮我去超市买米和油") -> Call:
    """The resident posts in the group, the volunteer claims; the claimer's private message."""
    await h.send(resident, f"/wish {text}", GRID_CHAT)
    await h.press_text(claimer, card(h), "🙋")
    return h.fake.last_to(claimer.id)


async def write(h: Harness, who: Someone, pressed: Call, label: str, words: str) -> None:
    await h.press_text(who, pressed, label)
    await h.send(who, words)


def relayed_to(h: Harness, whom: Someone) -> list[Call]:
    return [c for c in h.fake.sent("sendMessage", whom.id) if c.text.startswith("💬")]


async def relay_audit(h: Harness) -> list[tuple[int | None, str | None]]:
    async with h.db.transaction() as session:
        rows = (await session.exec(select(AuditEntry).where(AuditEntry.action == "relay")
                                   .order_by(col(AuditEntry.id)))).all()
    return [(row.actor_id, row.detail) for row in rows]


async def test_the_claimer_and_the_resident_write_to_each_other_through_the_bot(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    claimed = await post_and_claim(h)
    assert en(h, "Resident: {name}", name=RESIDENT.name) in claimed.text
    assert en(h, "not given") not in claimed.text  # no phone or address given: none shown
    told = h.fake.last_to(RESIDENT.id)
    assert "has claimed your micro-wish" in told.text
    assert button(told, "Message the volunteer")

    await write(h, VOLUNTEER, claimed, "Message the resident", "我下午三点到，可以吗？")
    assert h.fake.sent("sendMessage", VOLUNTEER.id)[-2].text == en(
        h, "Write your message to {name}, the resident of micro-wish #{id}, and send it here.",
        name=RESIDENT.name, id=1) + " " + en(
        h, "I will pass it on privately, without your Telegram account. /cancel to stop.")
    assert h.fake.last_to(VOLUNTEER.id).text == en(
        h, "On its way to {name}. Their answer will come here; if it cannot be delivered, I "
        "will tell you.", name=RESIDENT.name)
    (to_resident,) = relayed_to(h, RESIDENT)
    assert to_resident.text == "\n".join([en(
        h, "💬 {name}, who is helping with your micro-wish #{id}, writes:",
        name=VOLUNTEER.name, id=1), "我下午三点到，可以吗？"])
    assert str(VOLUNTEER.id) not in to_resident.text and VOLUNTEER.username not in to_resident.text

    await write(h, RESIDENT, to_resident, "Reply", "好的，我在家等您")
    (to_claimer,) = relayed_to(h, VOLUNTEER)
    assert to_claimer.text == "\n".join([en(
        h, "💬 {name}, the resident of micro-wish #{id}, writes:", name=RESIDENT.name, id=1),
        "好的，我在家等您"])
    assert str(RESIDENT.id) not in to_claimer.text and RESIDENT.username not in to_claimer.text

    # Who wrote to whom about which wish is recorded; the words are not.
    assert await relay_audit(h) == [(VOLUNTEER.id, f"to={RESIDENT.id} claim=1"),
                                    (RESIDENT.id, f"to={VOLUNTEER.id} claim=1")]
    # The grid's social worker sees that the two were in touch, not what they said.
    await h.press(WORKER, card(h), WishCb(action=WishAction.CONTACT, wish_id=1).pack())
    assert en(h, "Messages passed on through me: {claimer} from the claimer, {resident} from "
              "the resident.", claimer=1, resident=1) in h.fake.last_to(WORKER.id).text
    assert "三点" not in h.fake.last_to(WORKER.id).text
    assert not any("三点" in c.text or "等您" in c.text for c in shown_to_groups(h.fake))


async def test_the_relay_closes_with_the_claim_and_the_next_claimer_gets_a_new_one(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, f"/grant volunteer {OTHER_VOLUNTEER.id}", GRID_CHAT)
    await h.send(OTHER_VOLUNTEER, "/start")
    first = await post_and_claim(h)
    resident_button = h.fake.last_to(RESIDENT.id)
    await h.press_text(VOLUNTEER, first, "Message the resident")  # writing, then gives up
    await h.press_text(VOLUNTEER, first, "Give up")
    await h.send(VOLUNTEER, "还在吗？")
    closed = en(h, "Messages through me about micro-wish #{id} have ended: it was closed, "
                "withdrawn, given back or opened again. /mywishes and /mytasks show what is "
                "going on.", id=1)
    assert h.fake.last_to(VOLUNTEER.id).text == closed
    await h.press_text(VOLUNTEER, first, "Message the resident")
    assert h.last_alert() == closed
    await h.press_text(RESIDENT, resident_button, "Message the volunteer")
    assert h.last_alert() == closed

    await h.press_text(OTHER_VOLUNTEER, card(h), "🙋")
    second = h.fake.last_to(OTHER_VOLUNTEER.id)
    await write(h, OTHER_VOLUNTEER, second, "Message the resident", "我是新的志愿者")
    assert relayed_to(h, RESIDENT)[-1].text.endswith("我是新的志愿者")
    await h.press_text(VOLUNTEER, first, "Message the resident")  # the old claim stays closed
    assert h.last_alert() == closed

    await h.press_text(OTHER_VOLUNTEER, second, "Mark fulfilled")  # still open, until rated
    await write(h, OTHER_VOLUNTEER, second, "Message the resident", "已经送到了")
    assert relayed_to(h, RESIDENT)[-1].text.endswith("已经送到了")
    await h.press_text(RESIDENT, h.fake.sent("sendMessage", RESIDENT.id)[-2], "5")
    assert (await wishes.get(h.db, 1)).state == "closed"
    await h.press_text(OTHER_VOLUNTEER, second, "Message the resident")
    assert h.last_alert() == closed
    async with h.db.transaction() as session:
        counts = [(c.volunteer_id, c.from_claimer, c.from_resident)
                  for c in (await session.exec(select(Claim).order_by(col(Claim.id)))).all()]
    assert counts == [(VOLUNTEER.id, 0, 0), (OTHER_VOLUNTEER.id, 2, 0)]


async def test_a_withdrawn_wish_closes_its_relay(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    claimed = await post_and_claim(h)
    await h.send(RESIDENT, "/mywishes")
    mine = h.fake.last_to(RESIDENT.id)
    assert button(mine, "Message the volunteer")
    await h.press_text(RESIDENT, mine, "Withdraw")
    await h.press_text(VOLUNTEER, claimed, "Message the resident")
    assert "have ended" in h.last_alert()
    assert relayed_to(h, RESIDENT) == []


async def test_the_relay_is_refused_to_anyone_else_and_to_a_forged_button(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, f"/grant volunteer {NEIGHBOUR.id}", GRID_CHAT)
    await h.send(NEIGHBOUR, "/start")
    await post_and_claim(h)
    await h.send(NEIGHBOUR, "/mytasks")
    own = h.fake.last_to(NEIGHBOUR.id)  # a message of their own to press the buttons on
    # Another volunteer with the claim's button (forged from its number), in Chinese:
    await h.press(NEIGHBOUR, own, RelayCb(claim_id=1).pack())
    assert h.last_alert() == translate(
        h, "zh_Hans", "Only the resident and the volunteer who claimed this micro-wish can "
        "write to each other here.")
    await h.send(NEIGHBOUR, "我也想联系这位居民")  # no conversation was opened for them
    # A claim that does not exist, and a number no claim can have:
    await h.press(NEIGHBOUR, own, RelayCb(claim_id=99).pack())
    assert h.last_alert() == translate(h, "zh_Hans", "This button is no longer valid.")
    await h.press(NEIGHBOUR, own, "rl:0")
    assert h.last_alert() == translate(h, "zh_Hans", "This button is no longer valid.")
    assert relayed_to(h, RESIDENT) == [] and await relay_audit(h) == []


@pytest.mark.parametrize(("code", "locale"), [("zh-hans", "zh_Hans"), ("zh-hant", "zh_Hant"),
                                              ("en", "en")])
async def test_each_side_reads_the_relay_in_their_own_language(
        harness: Harness, code: str, locale: str) -> None:
    h = harness
    await set_up_grid(h)
    resident = Someone(1010, "王奶奶", language_code=code)
    claimer = Someone(1011, "小陈", language_code=code)
    await h.send(ADMIN, f"/grant volunteer {claimer.id}", GRID_CHAT)
    for person in (resident, claimer):
        await h.send(person, "/start")
    claimed = await post_and_claim(h, resident, claimer)
    assert translate(h, locale, "Resident: {name}", name="王奶奶") in claimed.text
    assert translate(h, locale, "Tap “Message the resident” to write to them: I pass your "
                     "words on privately and bring their answer back here. Neither of you sees "
                     "the other's Telegram account.") in claimed.text
    told = h.fake.last_to(resident.id)
    assert translate(h, locale, "You can also write to them here with “Message the volunteer”: "
                     "I pass your words on privately, without your Telegram account.") in told.text
    assert button(told, translate(h, locale, "💬 Message the volunteer"))

    await write(h, claimer, claimed, translate(h, locale, "💬 Message the resident"), "明天见")
    assert h.fake.last_to(claimer.id).text == translate(
        h, locale, "On its way to {name}. Their answer will come here; if it cannot be "
        "delivered, I will tell you.", name="王奶奶")
    (message,) = relayed_to(h, resident)
    assert message.text.startswith(translate(
        h, locale, "💬 {name}, who is helping with your micro-wish #{id}, writes:",
        name="小陈", id=1))
    await write(h, resident, message, translate(h, locale, "↩️ Reply"), "好")
    assert relayed_to(h, claimer)[-1].text.startswith(translate(
        h, locale, "💬 {name}, the resident of micro-wish #{id}, writes:", name="王奶奶", id=1))


async def test_what_waited_for_a_resident_reaches_them_once_when_they_start_the_bot(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    h.fake.unreachable.add(NEIGHBOUR.id)  # posts in the group, never opened a private chat
    await h.send(NEIGHBOUR, "/wish 请帮忙修一下楼道的灯", GRID_CHAT)
    first_card = card(h)
    news = [b for b in first_card.buttons() if "url" in b]
    assert news == [{"text": translate(h, "zh_Hans", "🔔 Get its news privately"),
                     "url": f"https://t.me/{BOT_USERNAME}?start=mine"}]
    await h.press_text(VOLUNTEER, first_card, "🙋")
    claimed = h.fake.last_to(VOLUNTEER.id)
    await write(h, VOLUNTEER, claimed, "Message the resident", "我明天上午来修")
    assert h.fake.last_to(VOLUNTEER.id).text == en(
        h, "{name} has not opened a private chat with me yet, or has blocked me, so your message "
        "about micro-wish #{id} is waiting. I will deliver it if they open a chat with me while "
        "the micro-wish is still going.", name=NEIGHBOUR.name, id=1)

    await h.send(NEIGHBOUR, "/wish 想找人陪我去医院", GRID_CHAT)  # #2: claimed, written, given up
    await h.press_text(VOLUNTEER, card(h), "🙋")
    second = h.fake.last_to(VOLUNTEER.id)
    await write(h, VOLUNTEER, second, "Message the resident", "这句话不该再送达")
    await h.press_text(VOLUNTEER, second, "Give up")

    h.fake.unreachable.discard(NEIGHBOUR.id)
    h.fake.clear()
    await h.send(NEIGHBOUR, "/start")
    texts = h.fake.texts_to(NEIGHBOUR.id)
    zh = lambda msgid, **values: translate(h, "zh_Hans", msgid, **values)  # noqa: E731
    assert texts[0] == zh("While I could not write to you, {count} messages waited for you. "
                          "Here they are, in the order they were written.", count=4)
    held = texts[2:]  # after the heading and the welcome, in the order they were written
    assert [text.split("\n")[0] for text in held] == [
        zh("Good news: {name} has claimed your micro-wish #{id} and will contact you.",
           name=VOLUNTEER.name, id=1),
        zh("💬 {name}, who is helping with your micro-wish #{id}, writes:",
           name=VOLUNTEER.name, id=1),
        zh("Good news: {name} has claimed your micro-wish #{id} and will contact you.",
           name=VOLUNTEER.name, id=2),
        zh("The volunteer could not go on with your micro-wish #{id}. It is open again for "
           "other volunteers.", id=2),
    ]
    assert "我明天上午来修" in held[1] and not any("不该再送达" in t for t in texts)
    (waited,) = relayed_to(h, NEIGHBOUR)

    h.fake.clear()
    await h.send(NEIGHBOUR, "/start")  # once: nothing waits any more
    assert len(h.fake.texts_to(NEIGHBOUR.id)) == 1
    async with h.db.transaction() as session:
        left = (await session.exec(select(OutboxMessage.key).where(
            OutboxMessage.chat_id == NEIGHBOUR.id,
            OutboxMessage.state == OutboxState.UNDELIVERABLE))).all()
    assert [key.split(":")[0] for key in left] == ["relay"]  # of the claim given up

    # The resident now answers the volunteer of the first wish.
    await write(h, NEIGHBOUR, waited, translate(h, "zh_Hans", "↩️ Reply"), "好的，谢谢")
    assert relayed_to(h, VOLUNTEER)[-1].text.endswith("好的，谢谢")


async def fill_form_with_media(h: Harness) -> Call:
    """The private form: a photo without words, then a voice message as the description."""
    await h.send(RESIDENT, "/wish", GRID_CHAT)
    await h.open_link(RESIDENT, Purpose.WISH_FORM, 3)
    await h.press_text(RESIDENT, h.fake.last_to(RESIDENT.id), "Daily life")
    await h.send(RESIDENT, "", photo=[LAMP])
    assert h.fake.sent("sendMessage", RESIDENT.id)[-2].text == en(
        h, "Kept ({count} of {limit}): only the staff and the volunteer who claims it will see "
        "it.", count=1, limit=3)
    assert h.fake.last_to(RESIDENT.id).text == en(
        h, "Now please describe what you need in words, or send a voice message.")
    await h.send(RESIDENT, "", voice=VOICE)  # the voice message is the description
    await h.press_text(RESIDENT, h.fake.last_to(RESIDENT.id), "Not urgent")
    await h.press_text(RESIDENT, h.fake.last_to(RESIDENT.id), "Skip")
    await h.press_text(RESIDENT, h.fake.last_to(RESIDENT.id), "Skip")
    summary = h.fake.last_to(RESIDENT.id)
    assert en(h, "Photos and voice messages: {count} (only the staff and the volunteer who "
              "claims it will see them)", count=2) in summary.text
    assert "🎤 0:35" in summary.text
    return summary


def media_sent_to(h: Harness, chat_id: int) -> list[tuple[str, str]]:
    return [(c.method, str(c.params.get("photo") or c.params.get("voice")))
            for c in h.fake.history if c.method in ("sendPhoto", "sendVoice")
            and c.chat_id == chat_id]


async def test_a_photo_and_a_voice_message_reach_staff_and_the_claimer_never_the_group(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, "/set verify on", COMMUNITY_CHAT)
    summary = await fill_form_with_media(h)
    await h.press_text(RESIDENT, summary, "Submit")
    request = h.fake.last_to(WORKER.id)
    await h.press_text(WORKER, request, en(h, "📎 Photos and voice ({count})", count=2))
    assert media_sent_to(h, WORKER.id) == [("sendPhoto", LAMP["file_id"]),
                                           ("sendVoice", VOICE["file_id"])]
    assert h.fake.sent("sendPhoto", WORKER.id)[-1].params["caption"] == en(
        h, "Micro-wish #{id}: from the resident", id=1)
    await h.press_text(WORKER, request, "Approve")

    posted = card(h)
    assert "🎤 0:35" in posted.text
    await h.press_text(NEIGHBOUR, request, "📎")  # not theirs to see
    assert h.last_alert() == translate(
        h, "zh_Hans", "Only the resident, the volunteer who claimed it and the social workers "
        "of its grid can see its photos and voice messages.")
    await h.press_text(VOLUNTEER, posted, "🙋")
    claimed = h.fake.last_to(VOLUNTEER.id)
    assert en(h, "The resident added photos or voice messages ({count}): tap “Photos and voice” "
              "to see them.", count=2) in claimed.text
    await h.press_text(VOLUNTEER, claimed, "📎")
    assert media_sent_to(h, VOLUNTEER.id) == [("sendPhoto", LAMP["file_id"]),
                                              ("sendVoice", VOICE["file_id"])]
    assert media_sent_to(h, NEIGHBOUR.id) == []
    for group in (GRID_CHAT, COMMUNITY_CHAT):
        assert media_sent_to(h, group) == []
    assert not any(LAMP["file_id"] in str(c.params) or VOICE["file_id"] in str(c.params)
                   for c in shown_to_groups(h.fake))
    async with h.db.transaction() as session:
        shown = (await session.exec(select(AuditEntry.actor_id).where(
            AuditEntry.action == "show_media").order_by(col(AuditEntry.id)))).all()
    assert shown == [WORKER.id, VOLUNTEER.id]


async def test_a_photo_of_the_help_proves_the_fulfilment_to_the_resident_and_staff(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, f"/grant volunteer {OTHER_VOLUNTEER.id}", GRID_CHAT)
    await h.send(OTHER_VOLUNTEER, "/start")
    claimed = await post_and_claim(h, text="楼道的灯坏了")
    await h.press_text(VOLUNTEER, claimed, "Mark fulfilled")
    done = next(c for c in reversed(h.fake.sent("sendMessage", VOLUNTEER.id))
                if c.buttons() and "📷" in c.buttons()[0]["text"])
    await h.press(OTHER_VOLUNTEER, done, ProofCb(wish_id=1).pack())
    assert h.last_alert() == en(h, "Only the volunteer who fulfilled it can add a photo of the "
                                "help.")
    await h.press_text(VOLUNTEER, done, "📷")
    await h.send(VOLUNTEER, "", photo=[PROOF])
    assert h.fake.last_to(VOLUNTEER.id).text == en(
        h, "Thank you! The photo is kept with micro-wish #{id}; the resident has been told.",
        id=1)
    told = h.fake.last_to(RESIDENT.id)
    assert told.text == en(h, "{name} added a photo of the help given with your micro-wish "
                           "#{id}.", name=VOLUNTEER.name, id=1)
    await h.press_text(RESIDENT, told, "📎")
    assert media_sent_to(h, RESIDENT.id) == [("sendPhoto", PROOF["file_id"])]
    assert h.fake.sent("sendPhoto", RESIDENT.id)[-1].params["caption"] == en(
        h, "Micro-wish #{id}: a photo of the help given", id=1)
    await h.press(WORKER, told, MediaCb(wish_id=1).pack())  # staff see it too
    assert media_sent_to(h, WORKER.id) == [("sendPhoto", PROOF["file_id"])]
    assert all(media_sent_to(h, group) == [] for group in (GRID_CHAT, COMMUNITY_CHAT))


async def test_asking_without_a_private_chat_brings_the_button_to_open_one(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    h.fake.clear()
    await h.send(NEIGHBOUR, "/ask 社区活动室几点开门？", GRID_CHAT)
    reply = h.fake.last_to(GRID_CHAT)
    assert translate(h, "zh_Hans", "Please open a private chat with me and press Start, so "
                     "that I can write to you.") in reply.text
    assert reply.buttons() == [{"text": translate(h, "zh_Hans", "Open private chat"),
                                "url": f"https://t.me/{BOT_USERNAME}"}]
