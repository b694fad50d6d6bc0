"""Limits on people end to end: wishes and questions per person and per group in an hour, the
same words twice, staff beyond the limits, and the settings that change them."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import func, select

from storage.models import Page, Question, Wish
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    GRID_CHAT,
    RESIDENT,
    WORKER,
    Harness,
    Someone,
    set_up_grid,
    translate,
)
from tests.test_volunteers_e2e import form_wish

MINUTE = timedelta(minutes=1)
NEIGHBOURS = [Someone(6000 + n, f"Neighbour {n}") for n in range(10)]


def zh(h: Harness, msgid: str, **values: object) -> str:
    return translate(h, "zh_Hans", msgid, **values)


async def rows(h: Harness, table: type[Wish] | type[Question] | type[Page]) -> int:
    async with h.db.transaction() as session:
        return (await session.exec(select(func.count()).select_from(table))).one()


def cards(h: Harness) -> list[str]:
    return [c.text for c in h.fake.sent("sendMessage", GRID_CHAT) if "#" in c.text
            and c.buttons()]


def replies(h: Harness, chat_id: int, message_id: int) -> list[str]:
    return [c.text for c in h.fake.sent("sendMessage", chat_id)
            if (c.params.get("reply_parameters") or {}).get("message_id") == message_id
            or c.params.get("reply_to_message_id") == message_id]


async def post(h: Harness, who: Someone, text: str) -> str:
    """Post in the grid group; the bot's answer to it there, if any (the card is none)."""
    message_id = await h.send(who, f"/wish {text}", GRID_CHAT)
    return "\n".join(replies(h, GRID_CHAT, message_id))


def person_limit_answer(h: Harness, count: int, until: str) -> str:
    return (zh(h, "You have posted as many micro-wishes in the past hour as one person may "
                  "({count}).", count=count) + " "
            + zh(h, "This one is not posted: please send it again after {time}.", time=until)
            + "\n" + zh(h, "If it is urgent, send /ask in your grid group to reach the social "
                           "worker on duty; in an emergency, call 110 (police) or 120 "
                           "(ambulance)."))


async def test_the_sixth_wish_in_an_hour_waits_and_says_until_when(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    for n in range(5):  # 14:00, 14:01 … 14:04 in Shanghai
        assert await post(h, RESIDENT, f"第{n}件事：帮忙取快递") == ""
        h.clock.advance(MINUTE)
    assert len(cards(h)) == 5

    answer = await post(h, RESIDENT, "第6件事：帮忙修水管")
    assert answer == person_limit_answer(h, 5, "15:00")
    for n in range(7, 27):  # a flood is answered once, not with a flood of replies
        assert await post(h, RESIDENT, f"第{n}件事") == ""
    assert await rows(h, Wish) == 5
    assert len(cards(h)) == 5

    h.clock.advance(55 * MINUTE)  # 15:00: the first no longer counts
    assert await post(h, RESIDENT, "第6件事：帮忙修水管") == ""
    assert await rows(h, Wish) == 6
    assert "帮忙修水管" in cards(h)[-1]
    assert await post(h, RESIDENT, "第7件事") == person_limit_answer(h, 5, "15:01")


async def test_a_grid_group_takes_so_many_wishes_an_hour_from_everyone(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, "/set group_wishes_per_hour 3", COMMUNITY_CHAT)  # the grid inherits it
    for n, neighbour in enumerate(NEIGHBOURS[:3]):
        assert await post(h, neighbour, f"邻居{n}的心愿") == ""
        h.clock.advance(10 * MINUTE)

    answer = await post(h, NEIGHBOURS[3], "我也有个心愿")
    assert answer.startswith(zh(h, "This group has had as many micro-wishes in the past hour "
                                   "as it takes ({count}), so that each one is seen.", count=3))
    assert zh(h, "This one is not posted: please send it again after {time}.",
              time="15:00") in answer
    assert await rows(h, Wish) == 3
    assert len(cards(h)) == 3


async def test_many_people_posting_at_once_never_pass_the_groups_limit(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, "/set group_wishes_per_hour 3", GRID_CHAT)
    await asyncio.gather(*(h.send(n, f"/wish {n.name}的心愿", GRID_CHAT) for n in NEIGHBOURS))
    assert await rows(h, Wish) == 3
    assert len(cards(h)) == 3


async def test_the_same_words_again_soon_are_not_posted_twice(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await post(h, RESIDENT, "楼道灯坏了，请帮忙修")
    h.clock.advance(2 * MINUTE)
    answer = await post(h, RESIDENT, "  楼道灯坏了，请帮忙修 ")
    assert answer.startswith(
        zh(h, "You sent these same words at {time}: they are micro-wish #{id} already.",
           time="14:00", id=1)
        + " " + zh(h, "If you do need it twice, send it again after {time}.", time="14:10"))
    assert await rows(h, Wish) == 1

    await post(h, NEIGHBOURS[0], "楼道灯坏了，请帮忙修")  # someone else's words are their own
    h.clock.advance(8 * MINUTE)
    assert await post(h, RESIDENT, "楼道灯坏了，请帮忙修") == ""
    assert await rows(h, Wish) == 3


async def test_staff_are_not_limited(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, "/set person_wishes_per_hour 1", COMMUNITY_CHAT)
    for _ in range(3):
        assert await post(h, WORKER, "为独居老人登记的心愿：代买药品") == ""
        await h.send(WORKER, "/ask 社区的老年卡怎么办理？", GRID_CHAT)
    for _ in range(2):
        assert await post(h, ADMIN, "管理员代发的心愿") == ""
    assert await rows(h, Wish) == 5
    assert await rows(h, Question) == 3


async def test_a_changed_setting_takes_effect_at_once(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, "/set person_wishes_per_hour 2", COMMUNITY_CHAT)
    await post(h, RESIDENT, "心愿一")
    await post(h, RESIDENT, "心愿二")
    assert await post(h, RESIDENT, "心愿三") == person_limit_answer(h, 2, "15:00")

    await h.send(ADMIN, "/set person_wishes_per_hour 0", GRID_CHAT)  # here, 0: no limit
    assert await post(h, RESIDENT, "心愿三") == ""
    await h.send(ADMIN, "/set same_text_minutes 0", GRID_CHAT)
    assert await post(h, RESIDENT, "心愿三") == ""
    assert await rows(h, Wish) == 4

    await h.send(RESIDENT, "/settings", GRID_CHAT)
    shown = h.fake.last_to(GRID_CHAT).text
    assert zh(h, "{label}: {value}", label=zh(
        h, "Micro-wishes one person may post per hour (0: no limit)"), value=0) in shown


async def test_the_private_form_keeps_a_held_wish_for_a_later_submit(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, "/set person_wishes_per_hour 1", GRID_CHAT)
    await post(h, RESIDENT, "帮忙取快递")
    h.clock.advance(20 * MINUTE)
    await form_wish(h, "Daily life", "家里灯泡坏了，够不着")
    held = h.fake.last_to(RESIDENT.id)
    assert held.text == (
        "You have posted as many micro-wishes in the past hour as one person may (1). "
        "I kept this one for you: tap Submit again after 3:00\u202fPM.\n"
        "If it is urgent, send /ask in your grid group to reach the social worker on duty; "
        "in an emergency, call 110 (police) or 120 (ambulance).")
    assert await rows(h, Wish) == 1

    h.clock.advance(40 * MINUTE)
    await h.press_text(RESIDENT, held, "Submit")
    assert await rows(h, Wish) == 2
    async with h.db.transaction() as session:
        wish = (await session.exec(select(Wish).where(Wish.id == 2))).one()
    assert (wish.text, wish.category) == ("家里灯泡坏了，够不着", "daily_life")
    assert "家里灯泡坏了" in cards(h)[-1]


async def staff_on_duty(h: Harness) -> None:
    await set_up_grid(h)
    await h.send(ADMIN, f"/duty_set 3 A {WORKER.id}", COMMUNITY_CHAT)
    h.fake.clear()


async def ask(h: Harness, who: Someone, question: str) -> str:
    message_id = await h.send(who, f"/ask {question}", GRID_CHAT)
    return "\n".join(replies(h, GRID_CHAT, message_id))


async def test_a_fourth_question_in_an_hour_pages_nobody(harness: Harness) -> None:
    h = harness
    await staff_on_duty(h)
    for n in range(3):
        await ask(h, RESIDENT, f"第{n}个问题：居住证怎么办？")
        h.clock.advance(MINUTE)
    pages_to_worker = len(h.fake.sent("sendMessage", WORKER.id))
    assert pages_to_worker == 3

    answer = await ask(h, RESIDENT, "第4个问题：医保卡丢了怎么办？")
    assert answer == (
        zh(h, "You have asked as many questions in the past hour as one person may ({count}). "
              "This one is not sent: please ask again after {time}.", count=3, time="15:00")
        + "\n" + zh(h, "If it cannot wait, please phone your community office; in an "
                       "emergency, call 110 (police) or 120 (ambulance)."))
    for n in range(5, 25):
        assert await ask(h, RESIDENT, f"第{n}个问题") == ""
    assert await rows(h, Question) == 3
    assert await rows(h, Page) == 3
    assert len(h.fake.sent("sendMessage", WORKER.id)) == pages_to_worker


async def test_the_same_question_again_soon_is_not_sent_twice(harness: Harness) -> None:
    h = harness
    await staff_on_duty(h)
    await ask(h, RESIDENT, "低保怎么申请？")
    h.clock.advance(3 * MINUTE)
    answer = await ask(h, RESIDENT, "低保怎么申请？")
    assert answer.startswith(zh(
        h, "You asked the same question at {asked}; the social worker on duty has it and will "
           "answer you privately. If you need to ask it again, please do after {time}.",
        asked="14:00", time="14:10"))
    assert await rows(h, Question) == 1
    assert len(h.fake.sent("sendMessage", WORKER.id)) == 1
