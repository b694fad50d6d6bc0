"""Long lists are answered a page at a time, each page within Telegram's 4,096 characters:
‹ Previous / Next › turn the pages in place, every entry is on some page, and someone who may
not see the list cannot turn its pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import func, select

from bot.callbacks import ListKind, ListPageCb
from storage import hours, places, volunteers
from storage.models import FailedUpdate, Skill
from tests.fake_telegram import TEXT_LIMIT, Call, Refusal, visible_length
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    GRID_CHAT,
    RESIDENT,
    STREET_CHAT,
    VOLUNTEER,
    WORKER,
    Harness,
    Someone,
    set_up_grid,
    translate,
)
from tests.test_meetings_e2e import CADRE, DEPUTY, at
from tests.test_meetings_e2e import set_up as set_up_meetings
from tests.test_storage_wishes import step

LONG_SKILL = "修理家电、辅导功课、陪老人聊天、代买药品、" * 5  # 100 characters, the most allowed


def zh(h: Harness, msgid: str, **values: object) -> str:
    return translate(h, "zh_Hans", msgid, **values)


def en(h: Harness, msgid: str, **values: object) -> str:
    return translate(h, "en", msgid, **values)


def shown(h: Harness, call: Call) -> dict[str, Any]:
    """The message as it stands now, after any edits."""
    return h.fake.message(call.chat_id or 0, call.message_id)


def page_button(h: Harness, call: Call, label: str) -> str | None:
    markup = shown(h, call).get("reply_markup") or {}
    return next((str(b["callback_data"]) for row in markup.get("inline_keyboard", [])
                 for b in row if b["text"] == label), None)


async def every_page(h: Harness, who: Someone, call: Call, next_label: str) -> list[str]:
    """The texts of the list's pages, pressing Next › from the first until the last."""
    pages = [str(shown(h, call)["text"])]
    while (data := page_button(h, call, next_label)) is not None:
        await h.press(who, call, data)
        pages.append(str(shown(h, call)["text"]))
        assert len(pages) < 50, "the pages never end"
    return pages


async def within_limits(h: Harness) -> None:
    """Every text the bot sent fits Telegram's limit, Telegram refused none, nothing failed."""
    for call in h.fake.history:
        if call.method in {"sendMessage", "editMessageText"}:
            assert visible_length(call.text, call.params.get("parse_mode")) <= TEXT_LIMIT
        assert not isinstance(call.result, Refusal), (call.method, call.result)
    async with h.db.transaction() as session:
        assert (await session.exec(select(func.count()).select_from(FailedUpdate))).one() == 0


def each_on_one_page(names: list[str], pages: list[str]) -> None:
    for name in names:
        assert sum(name in text for text in pages) == 1, name


# --- /volunteers ----------------------------------------------------------------------------

async def forty_volunteers(h: Harness) -> list[str]:
    grid = await places.by_chat(h.db, GRID_CHAT)
    assert grid is not None
    names = []
    for number in range(40):
        who = Someone(6000 + number, f"Helper {number}")
        await h.send(who, "/start")
        name = f"志愿者{number:02d}号" + "名字很长的人" * 5 + "甲乙丙"  # 40, the most allowed
        application = volunteers.Application(
            real_name=name, phone=None, skills=list(Skill), other_skill=LONG_SKILL,
            grid_ids=[grid.id or 0], days=list(range(7)),
            periods=["morning", "afternoon", "evening"])
        assert (await step(h.db, volunteers.apply, who.id, application, now=h.clock.now())).ok
        names.append(name)
    return names


async def test_forty_volunteers_with_long_names_are_listed_a_page_at_a_time(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    names = await forty_volunteers(h)
    await h.send(WORKER, "/volunteers", GRID_CHAT)
    listed = h.fake.last_to(GRID_CHAT)
    assert zh(h, "<b>Volunteers of {place}</b>", place="第三网格") in listed.text
    assert listed.buttons()[0]["text"] == zh(h, "Next ›")

    pages = await every_page(h, WORKER, listed, zh(h, "Next ›"))
    assert len(pages) >= 3
    each_on_one_page(names, pages)
    for number, text in enumerate(pages, start=1):
        assert zh(h, "Page {number} of {count}", number=number, count=len(pages)) in text
        assert zh(h, "<b>Volunteers of {place}</b>", place="第三网格") in text

    await h.press(WORKER, listed, page_button(h, listed, zh(h, "‹ Previous")) or "")
    assert shown(h, listed)["text"] == pages[-2]
    assert [b["text"] for b in shown(h, listed)["reply_markup"]["inline_keyboard"][0]] == [
        zh(h, "‹ Previous"), zh(h, "Next ›")]

    before = shown(h, listed)["text"]
    await h.press(RESIDENT, listed, page_button(h, listed, zh(h, "Next ›")) or "")
    assert h.last_alert() == zh(h, "Only the staff of this place can do that.")
    assert shown(h, listed)["text"] == before

    forged = ListPageCb(kind=ListKind.VOLUNTEERS, page=99).pack()
    await h.press(WORKER, listed, forged)
    assert shown(h, listed)["text"] == pages[-1]
    assert h.last_alert() == zh(h, "The list is shorter now: this is its last page.")
    await h.press(WORKER, listed, "ls:v:0:0")
    assert h.last_alert() == zh(h, "This button is no longer valid.")
    await within_limits(h)


# --- /agenda --------------------------------------------------------------------------------

async def test_an_agenda_of_twenty_five_long_topics_is_shown_a_page_at_a_time(
        harness: Harness) -> None:
    h = harness
    await set_up_meetings(h)
    await h.send(CADRE, "/meeting_new weekly 5 19:00 90 三工联席会议", COMMUNITY_CHAT)
    topics = [f"议题{number:02d}：" + "关于小区加装电梯和停车位规划的意见" * 11
              for number in range(25)]
    for topic in topics:
        await h.send(WORKER, f"/topic {topic[:200]}", COMMUNITY_CHAT)
    order = " ".join(str(number) for number in range(1, 26))
    await h.send(CADRE, f"/agenda 1 order {order}", COMMUNITY_CHAT)
    listed = h.fake.last_to(COMMUNITY_CHAT)
    assert "📋" in listed.text and "三工联席会议" in listed.text

    pages = await every_page(h, CADRE, listed, zh(h, "Next ›"))
    assert len(pages) >= 3
    for number, topic in enumerate(topics, start=1):
        line = f"{number}. {topic[:30]}"
        assert sum(text.count(line) for text in pages) == 2, "listed, and on the agenda"
    assert any(zh(h, "<b>Agenda</b> (not yet confirmed by the host)") in text for text in pages)
    assert zh(h, "Page {number} of {count}", number=2, count=len(pages)) in pages[1]

    before = shown(h, listed)["text"]
    for outsider in (DEPUTY, WORKER, RESIDENT):  # a cadre who does not host it, a member
        await h.press(outsider, listed, page_button(h, listed, zh(h, "‹ Previous")) or "")
        assert h.last_alert() == zh(
            h, "Only the host or an admin can change this meeting series."), outsider
        assert shown(h, listed)["text"] == before
    await h.press(ADMIN, listed, page_button(h, listed, zh(h, "‹ Previous")) or "")
    assert shown(h, listed)["text"] == pages[-2]
    await within_limits(h)


async def test_a_draft_of_the_minutes_with_long_action_items_is_paged_for_the_host(
        harness: Harness) -> None:
    h = harness
    await set_up_meetings(h)
    await h.send(CADRE, "/meeting_new weekly 5 19:00 90 三工联席会议", COMMUNITY_CHAT)
    at(h, datetime(2026, 11, 27, 12, 30, tzinfo=UTC))  # Friday 20:30, the meeting is over
    await h.send(CADRE, "/minutes 1 note " + "讨论了冬季走访独居老人的安排。" * 66, COMMUNITY_CHAT)
    await h.send(CADRE, "/minutes 1 decide " + "每周二下午由社工和志愿者结对走访。" * 58,
                 COMMUNITY_CHAT)
    actions = [f"督办{number}：" + "整理辖区独居老人名单并逐户核实联系方式" * 52
               for number in range(6)]
    for action in actions:
        await h.send(CADRE, f"/minutes 1 action @worker_li 2026-12-01 {action}", COMMUNITY_CHAT)
    await h.send(CADRE, "/minutes 1", COMMUNITY_CHAT)
    listed = h.fake.last_to(COMMUNITY_CHAT)
    assert "📝" in listed.text

    pages = await every_page(h, CADRE, listed, zh(h, "Next ›"))
    assert len(pages) >= 3
    each_on_one_page([action[:20] for action in actions], pages)
    await h.press(DEPUTY, listed, page_button(h, listed, zh(h, "‹ Previous")) or "")
    assert h.last_alert() == zh(h, "Only the host or an admin can change this meeting series.")
    assert shown(h, listed)["text"] == pages[-1]
    await within_limits(h)


# --- /people --------------------------------------------------------------------------------

async def test_many_roles_are_listed_a_page_at_a_time_to_staff_only(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    people = [Someone(7000 + number, f"社区热心居民{number:02d}" + "名字特别特别长" * 8,
                      username=f"neighbour_{number:02d}_with_a_long_name")
              for number in range(50)]
    for person in people:
        await h.send(person, "/start")
        await h.send(ADMIN, f"/grant cadre @{person.username}", COMMUNITY_CHAT)
    await h.send(WORKER, "/people", COMMUNITY_CHAT)
    listed = h.fake.last_to(COMMUNITY_CHAT)
    assert zh(h, "<b>People and roles</b>") in listed.text

    pages = await every_page(h, WORKER, listed, zh(h, "Next ›"))
    assert len(pages) >= 2
    each_on_one_page([f"(@{person.username})" for person in people], pages)

    await h.press(RESIDENT, listed, page_button(h, listed, zh(h, "‹ Previous")) or "")
    assert h.last_alert() == zh(h, "Only the staff of this place can see this list.")
    assert shown(h, listed)["text"] == pages[-1]
    await within_limits(h)


# --- /hours @volunteer: every entry, a page at a time -------------------------------------

async def test_every_entry_of_a_volunteer_is_on_a_page_of_hours_for_staff_only(
        harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    grid = await places.by_chat(h.db, GRID_CHAT)
    assert grid is not None
    today = hours.local_day(h.clock.now(), grid.timezone)
    numbers = []
    for number in range(30):
        logged = await step(h.db, hours.log, VOLUNTEER.id, grid_id=grid.id or 0,
                            served_on=today - timedelta(days=number), minutes=60,
                            description=f"第{number:02d}次：" + "陪独居老人去医院复查并取药" * 15,
                            today=today, now=h.clock.now())
        assert logged.ok and logged.entry is not None
        numbers.append(logged.entry.id)
    await h.send(WORKER, "/hours @chen", GRID_CHAT)
    listed = h.fake.last_to(GRID_CHAT)
    assert zh(h, "<b>Service hours of {name}</b>", name=VOLUNTEER.name) in listed.text

    pages = await every_page(h, WORKER, listed, zh(h, "Next ›"))
    assert len(pages) >= 2
    each_on_one_page([f"#{number} " for number in numbers], pages)
    for outsider in (RESIDENT, VOLUNTEER):
        await h.press(outsider, listed, page_button(h, listed, zh(h, "‹ Previous")) or "")
        assert h.last_alert() == zh(h, "Only the staff of this place can do that.")
        assert shown(h, listed)["text"] == pages[-1]
    await within_limits(h)


# --- /riskwords: a list everyone may read ---------------------------------------------------

async def test_many_risk_words_are_paged_for_anyone_in_the_community(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    words = [f"风险词{number:02d}" + "独居老人摔倒无人发现" * 8 for number in range(60)]
    for word in words:
        await h.send(ADMIN, f"/riskwords add {word}", COMMUNITY_CHAT)
    await h.send(RESIDENT, "/riskwords", COMMUNITY_CHAT)
    listed = h.fake.last_to(COMMUNITY_CHAT)
    pages = await every_page(h, RESIDENT, listed, zh(h, "Next ›"))
    assert len(pages) >= 2
    each_on_one_page(words, pages)
    await within_limits(h)


# --- /places: the pages are the asker's -----------------------------------------------------

async def test_many_places_are_paged_for_the_admin_who_asked(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    community = await places.by_chat(h.db, COMMUNITY_CHAT)
    assert community is not None
    names = [f"第{number:02d}网格" + "（幸福家园小区东区及周边沿街商铺）" * 5
             for number in range(40)]
    for number, name in enumerate(names):
        await h.send(ADMIN, f"/bind grid {community.id} {name}", -2000 - number)
    await h.send(ADMIN, f"/grant admin {WORKER.id}", COMMUNITY_CHAT)
    await h.send(ADMIN, "/places", STREET_CHAT)
    listed = h.fake.last_to(STREET_CHAT)
    pages = await every_page(h, ADMIN, listed, zh(h, "Next ›"))
    assert len(pages) >= 2
    each_on_one_page(names, pages)

    await h.press(WORKER, listed, page_button(h, listed, zh(h, "‹ Previous")) or "")
    assert h.last_alert() == zh(h, "These are someone else's places. Send /places to see yours.")
    assert shown(h, listed)["text"] == pages[-1]
    await within_limits(h)
