"""The form for a new meeting series (/meeting_new alone) end to end: by buttons, by typed
Chinese words, with buttons pressed twice or by someone else, nonsense mid-form, and /cancel."""

from __future__ import annotations

from datetime import timedelta
from html import escape
from typing import Any

from sqlmodel import select

from storage.models import MeetingSeries
from tests.fake_telegram import Call
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    WORKER,
    Harness,
    Someone,
    button,
    set_up_grid,
    translate,
)

CADRE = Someone(5001, "Cadre Zhou", language_code="en", username="zhou")
DEPUTY = Someone(5002, "Cadre Wu", language_code="en", username="wu")


def zh(h: Harness, msgid: str, **values: Any) -> str:
    return translate(h, "zh_Hans", msgid, **values)


def now_shown(h: Harness, call: Call) -> Call:
    shown = h.fake.message(call.chat_id or 0, call.message_id)
    return Call("editMessageText", {"chat_id": call.chat_id, "message_id": call.message_id,
                                    "text": shown["text"],
                                    "reply_markup": shown.get("reply_markup")})


async def tap(h: Harness, who: Someone, form: Call, label: str) -> Call:
    await h.press(who, form, button(now_shown(h, form), label))
    return now_shown(h, form)


async def set_up(h: Harness) -> None:
    await set_up_grid(h)
    for cadre in (CADRE, DEPUTY):
        await h.send(ADMIN, f"/grant cadre {cadre.id}", COMMUNITY_CHAT)
        await h.send(cadre, "/start")
    h.fake.clear()


async def series(h: Harness) -> list[MeetingSeries]:
    async with h.db.transaction() as session:
        return list((await session.exec(select(MeetingSeries))).all())


async def open_form(h: Harness, who: Someone = CADRE) -> Call:
    await h.send(who, "/meeting_new", COMMUNITY_CHAT)
    return h.fake.last_to(COMMUNITY_CHAT)


async def test_a_monthly_series_by_buttons(harness: Harness) -> None:
    h = harness
    await set_up(h)
    form = await open_form(h)
    assert zh(h, "How often does it meet?") in form.text
    shown = await tap(h, CADRE, form, zh(h, "Every month"))
    assert zh(h, "Which weekday of the month?") in shown.text
    shown = await tap(h, CADRE, form, zh(h, "Last"))
    assert " · ".join([zh(h, "Every month"), zh(h, "Last")]) in shown.text
    shown = await tap(h, CADRE, form, "周五")
    shown = await tap(h, CADRE, form, "19:00")
    assert zh(h, "How long does it last?") in shown.text
    shown = await tap(h, CADRE, form, zh(h, "{minutes} min", minutes=90))
    assert " · ".join([zh(h, "Every month"), zh(h, "Last"), "周五", "19:00",
                       zh(h, "{minutes} min", minutes=90)]) in shown.text
    await tap(h, CADRE, form, zh(h, "Three-worker joint meeting"))
    assert now_shown(h, form).buttons() == []
    created = h.fake.last_to(COMMUNITY_CHAT).text
    assert zh(h, "Meeting series #{number} is set up. You host it; cadres, social workers and "
                 "volunteers' representatives of this place are its members.",
              number=1) in created
    assert "11月27日周五 19:00" in created  # the last Friday of November
    [made] = await series(h)
    assert (made.rule, made.nth, made.weekday, made.start_time, made.duration_minutes,
            made.title, made.host_id) == ("monthly", -1, 4, "19:00", 90, "三工联席会议",
                                          CADRE.id)
    assert "volunteer_rep" in made.member_roles


async def test_a_weekly_series_by_typed_chinese_words(harness: Harness) -> None:
    h = harness
    await set_up(h)
    await open_form(h)
    await h.send(CADRE, "你好", COMMUNITY_CHAT)
    assert h.fake.last_to(COMMUNITY_CHAT).text == escape(zh(
        h, "I did not understand that. {how} /cancel stops.",
        how=zh(h, "Tap, or type every week or every month.")))
    answers = [("每周", "On which weekday?"), ("星期三", "At what time does it start?"),
               ("晚上7点半", "How long does it last?"), ("两小时", "What is it called?")]
    for typed, asked in answers:
        await h.send(CADRE, typed, COMMUNITY_CHAT)
        assert zh(h, asked) in h.fake.last_to(COMMUNITY_CHAT).text, typed
    await h.send(CADRE, "五分钟", COMMUNITY_CHAT)  # a title may be any words
    [made] = await series(h)
    assert (made.rule, made.nth, made.weekday, made.start_time, made.duration_minutes,
            made.title) == ("weekly", None, 2, "19:30", 120, "五分钟")
    forms = [c for c in h.fake.sent("sendMessage", COMMUNITY_CHAT)
             if c.buttons() and zh(h, "Cancel") in {b["text"] for b in c.buttons()}]
    assert all(now_shown(h, c).buttons() == [] for c in forms), "no form keeps its buttons"


async def test_a_length_out_of_range_is_asked_again(harness: Harness) -> None:
    h = harness
    await set_up(h)
    await open_form(h)
    for typed in ("每周", "周一", "9点"):
        await h.send(CADRE, typed, COMMUNITY_CHAT)
    await h.send(CADRE, "5分钟", COMMUNITY_CHAT)
    assert h.fake.last_to(COMMUNITY_CHAT).text == escape(zh(
        h, "Please give the length in minutes, from {least} to {most} (e.g. 90), or tap one; "
        "/cancel stops.", least=15, most=480))
    await h.send(CADRE, "一个半小时", COMMUNITY_CHAT)
    assert zh(h, "What is it called?") in h.fake.last_to(COMMUNITY_CHAT).text
    assert await series(h) == []


async def test_buttons_pressed_twice_or_by_someone_else_change_nothing(
        harness: Harness) -> None:
    h = harness
    await set_up(h)
    form = await open_form(h)
    first = now_shown(h, form)
    await h.press(CADRE, form, button(first, zh(h, "Every week")))
    await h.press(CADRE, form, button(first, zh(h, "Every week")))
    assert h.last_alert() == zh(h, "This button is no longer valid.")
    await h.press(WORKER, form, button(now_shown(h, form), "周二"))
    assert h.last_alert() == zh(h, "This button is no longer valid.")
    await open_form(h, DEPUTY)
    await h.press(DEPUTY, form, button(first, zh(h, "Every week")))
    assert h.last_alert() == zh(h, "This button belongs to another form: send /meeting_new to "
                                   "open your own.")
    shown = await tap(h, CADRE, form, "周二")
    assert zh(h, "At what time does it start?") in shown.text
    await h.send(WORKER, "/meeting_new", COMMUNITY_CHAT)
    assert h.fake.last_to(COMMUNITY_CHAT).text == zh(
        h, "Only a cadre or an admin of this place can set up meetings.")
    assert await series(h) == []


async def test_cancel_ends_the_form_and_its_buttons(harness: Harness) -> None:
    h = harness
    await set_up(h)
    form = await open_form(h)
    await tap(h, CADRE, form, zh(h, "Every week"))
    await h.send(CADRE, "/cancel", COMMUNITY_CHAT)
    assert h.fake.last_to(COMMUNITY_CHAT).text == zh(h, "Cancelled. Nothing was saved.")
    await h.press(CADRE, form, button(now_shown(h, form), "周二"))
    assert h.last_alert() == zh(h, "This button is no longer valid.")
    form = await open_form(h)
    shown = await tap(h, CADRE, form, zh(h, "Cancel"))
    assert shown.text == zh(h, "Cancelled. Nothing was saved.") and shown.buttons() == []
    said = len(h.fake.sent("sendMessage", COMMUNITY_CHAT))
    await h.send(CADRE, "周二", COMMUNITY_CHAT)  # the form is over: this is just talk
    assert len(h.fake.sent("sendMessage", COMMUNITY_CHAT)) == said
    assert await series(h) == []


async def test_a_form_left_alone_takes_no_more_words(harness: Harness) -> None:
    h = harness
    await set_up(h)
    await open_form(h)
    await h.send(CADRE, "每周", COMMUNITY_CHAT)
    h.clock.advance(timedelta(hours=1))
    said = len(h.fake.sent("sendMessage", COMMUNITY_CHAT))
    await h.send(CADRE, "周二", COMMUNITY_CHAT)
    assert len(h.fake.sent("sendMessage", COMMUNITY_CHAT)) == said
    assert await series(h) == []
