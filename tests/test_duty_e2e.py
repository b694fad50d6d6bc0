"""The front desk end to end: roster, pages A → B → chat, quiet hours, /ask, mornings."""

from __future__ import annotations

from datetime import timedelta
from html import escape

from sqlmodel import select

from bot.jobs import sweep_once
from bot.links import Purpose
from storage import outbox
from storage.models import OutboxState, Page, Question
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    GRID_CHAT,
    RESIDENT,
    VOLUNTEER,
    WORKER,
    Harness,
    Someone,
    button,
    set_up_grid,
    translate,
)

BACKUP = Someone(1010, "Backup Sun", language_code="en", username="sun")
MINUTE = timedelta(minutes=1)


async def sweep(h: Harness) -> dict[str, int]:
    done = await sweep_once(h.app.messenger)
    await h.app.sender.drain()
    return done


async def staff_roster(h: Harness) -> None:
    """Wednesday (the harness's first day): Li on post A, Sun on post B."""
    await set_up_grid(h)
    await h.send(BACKUP, "/start")
    await h.send(ADMIN, f"/grant social_worker {BACKUP.id}", COMMUNITY_CHAT)
    await h.send(ADMIN, f"/duty_set 3 A {WORKER.id}", COMMUNITY_CHAT)
    await h.send(ADMIN, f"/duty_set 3 B {BACKUP.id}", COMMUNITY_CHAT)
    h.fake.clear()


async def pages(h: Harness) -> list[Page]:
    async with h.db.transaction() as session:
        return list((await session.exec(select(Page))).all())


async def test_the_roster_is_set_and_shown(harness: Harness) -> None:
    h = harness
    await staff_roster(h)
    await h.send(RESIDENT, "/duty", COMMUNITY_CHAT)
    shown = h.fake.last_to(COMMUNITY_CHAT).text
    zh = translate(h, "zh_Hans", "Post A: {name}", name=WORKER.name)
    assert zh in shown
    assert translate(h, "zh_Hans", "Post B (backup): {name}", name=BACKUP.name) in shown
    await h.send(RESIDENT, f"/duty_set 3 A {RESIDENT.id}", COMMUNITY_CHAT)
    assert translate(h, "zh_Hans", "Only an admin of this place can do that.") == \
        h.fake.last_to(COMMUNITY_CHAT).text


async def test_a_risk_wish_pages_a_then_b_then_the_community_chat(harness: Harness) -> None:
    h = harness
    await staff_roster(h)
    h.clock.advance(timedelta(hours=9))  # 23:00 in Shanghai: quiet hours, risk is not held
    await h.send(RESIDENT, "/wish 楼下王奶奶独居，今天摔倒了起不来", GRID_CHAT)
    page_a = h.fake.last_to(WORKER.id)
    assert "Risk alert: micro-wish #1" in page_a.text
    assert button(page_a, "Acknowledge")
    h.clock.advance(16 * MINUTE)
    assert (await sweep(h))["pages_passed_on"] == 1
    page_b = h.fake.last_to(BACKUP.id)
    assert "Post A did not acknowledge this in time" in page_b.text
    h.clock.advance(16 * MINUTE)
    await sweep(h)
    in_chat = h.fake.last_to(COMMUNITY_CHAT)
    assert translate(h, "zh_Hans", "Nobody on duty acknowledged this in time.") in in_chat.text
    await h.press_text(WORKER, in_chat, "✅")
    [page] = await pages(h)
    assert (page.level, page.acknowledged_by) == ("chat", WORKER.id)
    h.clock.advance(timedelta(hours=1))
    assert (await sweep(h))["pages_passed_on"] == 0


async def test_acknowledging_stops_the_ladder_and_only_staff_may(harness: Harness) -> None:
    h = harness
    await staff_roster(h)
    await h.send(RESIDENT, "/wish 急需有人帮忙送药", GRID_CHAT)
    assert not [p for p in await pages(h)], "neither urgent nor risky: no page"
    await h.open_link(RESIDENT, Purpose.WISH_FORM, 3)
    await h.press_text(RESIDENT, h.fake.last_to(RESIDENT.id), "Daily life")
    await h.send(RESIDENT, "家里的药吃完了，需要有人帮忙去医院开药")
    await h.press_text(RESIDENT, h.fake.last_to(RESIDENT.id), "Urgent")
    await h.press_text(RESIDENT, h.fake.last_to(RESIDENT.id), "Skip")
    await h.press_text(RESIDENT, h.fake.last_to(RESIDENT.id), "Skip")
    await h.press_text(RESIDENT, h.fake.last_to(RESIDENT.id), "Submit")
    page_a = h.fake.last_to(WORKER.id)
    assert "Urgent micro-wish #2" in page_a.text
    await h.press_text(VOLUNTEER, page_a, "Acknowledge")
    assert "Only the staff of this community" in h.last_alert()
    await h.press_text(WORKER, page_a, "Acknowledge")
    await h.press_text(BACKUP, page_a, "Acknowledge")
    assert "already acknowledged" in h.last_alert()
    h.clock.advance(timedelta(hours=1))
    assert (await sweep(h))["pages_passed_on"] == 0
    assert not h.fake.sent("sendMessage", BACKUP.id)


async def test_quiet_hours_hold_an_escalation_page_until_morning(harness: Harness) -> None:
    h = harness
    await staff_roster(h)
    await h.send(ADMIN, f"/duty_set 5 A {WORKER.id}", COMMUNITY_CHAT)
    await h.send(ADMIN, f"/duty_set 6 A {WORKER.id}", COMMUNITY_CHAT)
    await h.send(RESIDENT, "/wish 帮忙搬一下旧家具", GRID_CHAT)
    h.clock.advance(timedelta(hours=48 + 8))  # past the grid deadline, Friday 22:00 local
    await sweep(h)
    [page] = await pages(h)
    assert page.kind == "escalation"
    assert not [c for c in h.fake.sent("sendMessage", WORKER.id) if "micro-wish #1" in c.text]
    h.clock.advance(timedelta(hours=9))  # 07:00 the next morning
    await sweep(h)
    assert any("took micro-wish #1 in time, so it was passed to the community" in c.text
               for c in h.fake.sent("sendMessage", WORKER.id))


async def test_a_swap_wins_over_the_weekly_pattern(harness: Harness) -> None:
    h = harness
    await staff_roster(h)
    await h.send(ADMIN, f"/swap 2026-11-25 A {BACKUP.id}", COMMUNITY_CHAT)
    await h.send(RESIDENT, "/wish 有位老人走失了，穿蓝色外套", GRID_CHAT)
    assert "Risk alert" in h.fake.last_to(BACKUP.id).text
    assert not h.fake.sent("sendMessage", WORKER.id)


async def test_a_question_is_answered_from_one_place(harness: Harness) -> None:
    h = harness
    await staff_roster(h)
    await h.send(RESIDENT, "/ask 办理居住证需要带哪些材料？", GRID_CHAT)
    page = h.fake.last_to(WORKER.id)
    assert "办理居住证需要带哪些材料" in page.text
    await h.send(WORKER, "带身份证、租房合同和一张照片，到社区服务中心一楼办理。",
                 reply_to=h.fake.message(WORKER.id, page.message_id))
    answer = h.fake.last_to(RESIDENT.id).text
    assert "带身份证、租房合同和一张照片" in answer
    assert "on its way to the resident" in h.fake.last_to(WORKER.id).text
    async with h.db.transaction() as session:
        question = (await session.exec(select(Question))).one()
    assert question.answered_by == WORKER.id
    assert "could not be delivered" not in h.fake.last_to(WORKER.id).text
    [stored] = await pages(h)
    assert stored.acknowledged_by == WORKER.id
    await h.send(WORKER, "补充一句", reply_to=h.fake.message(WORKER.id, page.message_id))
    assert "already been answered" in h.fake.last_to(WORKER.id).text
    await h.send(RESIDENT, "/ask", GRID_CHAT)
    assert h.fake.last_to(GRID_CHAT).text.startswith(
        escape(translate(h, "zh_Hans", "Usage: /ask <your question>, in at most {limit} "
                         "characters. The social worker on duty will answer you privately.",
                         limit=500))[:20])
    async with h.db.transaction() as session:
        assert len((await session.exec(select(Question))).all()) == 1


async def test_the_duty_workers_are_reminded_each_morning_once(harness: Harness) -> None:
    h = harness
    await staff_roster(h)
    await h.send(ADMIN, f"/duty_set 4 A {BACKUP.id}", COMMUNITY_CHAT)
    await h.send(ADMIN, f"/duty_set 5 A {WORKER.id}", COMMUNITY_CHAT)
    assert (await sweep(h))["morning_reminders"] == 0, "14:00 is too late for a morning note"
    h.clock.advance(timedelta(hours=12))  # Thursday 02:00: too early
    assert (await sweep(h))["morning_reminders"] == 0
    h.clock.advance(timedelta(hours=7))  # Thursday 09:00
    assert (await sweep(h))["morning_reminders"] == 1
    assert "on duty today at post A" in h.fake.last_to(BACKUP.id).text
    assert not h.fake.sent("sendMessage", WORKER.id)
    assert (await sweep(h))["morning_reminders"] == 0
    h.clock.advance(timedelta(hours=24))  # Friday 09:00
    assert (await sweep(h))["morning_reminders"] == 1
    assert "on duty today at post A" in h.fake.last_to(WORKER.id).text


async def test_the_roster_takes_full_width_digits_and_letters(harness: Harness) -> None:
    """A Chinese keyboard often types "３" and "Ａ" full-width; they mean 3 and A."""
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, f"/duty_set ３ Ａ {WORKER.id}", COMMUNITY_CHAT)
    await h.send(RESIDENT, "/duty", COMMUNITY_CHAT)
    assert translate(h, "zh_Hans", "Post A: {name}", name=WORKER.name) in \
        h.fake.last_to(COMMUNITY_CHAT).text


async def test_an_answer_that_cannot_reach_the_resident_is_reported_to_who_wrote_it(
        harness: Harness) -> None:
    h = harness
    await staff_roster(h)
    await h.send(RESIDENT, "/ask 社区食堂几点开门？", GRID_CHAT)
    page = h.fake.last_to(WORKER.id)
    h.fake.unreachable.add(RESIDENT.id)  # the resident blocked the bot after asking
    await h.send(WORKER, "早上六点半。", reply_to=h.fake.message(WORKER.id, page.message_id))
    told = [c.text for c in h.fake.sent("sendMessage", WORKER.id)][-2:]
    assert "on its way to the resident" in told[0], "not reported as sent"
    assert "answer to “社区食堂几点开门？” could not be delivered" in told[1]
    answers = [r for r in await outbox.rows(h.db) if r.key.startswith("answer:")]
    assert [r.state for r in answers] == [OutboxState.UNDELIVERABLE]


async def test_a_long_answer_reaches_the_resident_in_parts(harness: Harness) -> None:
    h = harness
    await staff_roster(h)
    await h.send(RESIDENT, "/ask 办理居住证需要哪些材料和流程？", GRID_CHAT)
    page = h.fake.last_to(WORKER.id)
    steps = "\n".join(f"第{n}步：带好身份证原件和复印件，到社区服务中心一楼窗口取号办理。" * 3
                      for n in range(1, 42))
    await h.send(WORKER, steps, reply_to=h.fake.message(WORKER.id, page.message_id))
    # as long as Telegram lets the worker write; with the question around it, it is longer
    assert 4000 < len(steps) <= 4096
    parts = [c for c in h.fake.sent("sendMessage", RESIDENT.id) if isinstance(c.result, dict)]
    parts = parts[-2:]
    assert all(len(c.text) <= 4096 for c in parts)
    assert "办理居住证需要哪些材料和流程" in parts[0].text and "第41步" in parts[1].text
    assert "".join(c.text for c in parts).count("窗口取号办理") == 123
    answers = [r for r in await outbox.rows(h.db) if r.key.startswith("answer:")]
    assert [r.state for r in answers] == [OutboxState.SENT]
