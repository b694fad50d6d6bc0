"""Chinese words wherever a person types, end to end: on and off, settings, roles, the duty
roster's days and posts, risk words; and the roster form with its buttons."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape
from typing import Any

from sqlmodel import select

from storage import places
from storage.models import DutyShift, RoleGrant, Volunteer
from tests.fake_telegram import Call
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
HANT_VOLUNTEER = Someone(1011, "志工林", language_code="zh-hant", username="lin")
DEPUTY_ADMIN = Someone(1012, "Admin Xu", language_code="en", username="xu")


def zh(h: Harness, msgid: str, **values: Any) -> str:
    return translate(h, "zh_Hans", msgid, **values)


def now_shown(h: Harness, call: Call) -> Call:
    """A message as it stands after its edits, to read and to press."""
    shown = h.fake.message(call.chat_id or 0, call.message_id)
    return Call("editMessageText", {"chat_id": call.chat_id, "message_id": call.message_id,
                                    "text": shown["text"],
                                    "reply_markup": shown.get("reply_markup")})


async def shifts(h: Harness) -> set[tuple[int | None, date | None, str, int]]:
    async with h.db.transaction() as session:
        rows = (await session.exec(select(DutyShift))).all()
    return {(s.weekday, s.day, s.post, s.person_id) for s in rows}


async def volunteer(h: Harness, person_id: int) -> Volunteer:
    async with h.db.transaction() as session:
        found = await session.get(Volunteer, person_id)
    assert found is not None
    return found


async def community_settings(h: Harness) -> dict[str, Any]:
    place = await places.by_chat(h.db, COMMUNITY_CHAT)
    assert place is not None
    return dict(place.settings or {})


# --- on and off -----------------------------------------------------------------------------

async def test_pings_and_honour_take_on_and_off_in_either_script(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(HANT_VOLUNTEER, "/start")
    await h.send(ADMIN, f"/grant 志愿者 {HANT_VOLUNTEER.id}", GRID_CHAT)
    hant = "zh_Hant"
    await h.send(HANT_VOLUNTEER, "/pings 關")
    assert h.fake.last_to(HANT_VOLUNTEER.id).text == translate(
        h, hant, "I will no longer tell you about new micro-wishes; you can still claim them "
        "in your grid group.")
    assert (await volunteer(h, HANT_VOLUNTEER.id)).pings is False
    await h.send(HANT_VOLUNTEER, "/pings 開啟")
    assert (await volunteer(h, HANT_VOLUNTEER.id)).pings is True
    await h.send(HANT_VOLUNTEER, "/honour 关闭")
    assert h.fake.last_to(HANT_VOLUNTEER.id).text == translate(
        h, hant, "Your name will stay off the honour roll; your hours still count.")
    assert (await volunteer(h, HANT_VOLUNTEER.id)).public is False
    await h.send(VOLUNTEER, "/pings 关")
    assert (await volunteer(h, VOLUNTEER.id)).pings is False
    await h.send(HANT_VOLUNTEER, "/pings 也許")
    assert h.fake.last_to(HANT_VOLUNTEER.id).text == escape(translate(
        h, hant, "Usage: /pings on|off — whether I tell you privately about new micro-wishes "
        "that suit you."))
    assert (await volunteer(h, HANT_VOLUNTEER.id)).pings is True


# --- /set and /settings ---------------------------------------------------------------------

async def test_settings_are_named_and_set_in_chinese(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(ADMIN, "/set 审核 开启", COMMUNITY_CHAT)
    assert h.fake.last_to(COMMUNITY_CHAT).text == zh(
        h, "Saved: {label} is now {value}.", label=zh(h, "Verify wishes before they are posted"),
        value=zh(h, "on"))
    await h.send(ADMIN, "/set 網格時限 兩天", COMMUNITY_CHAT)
    await h.send(ADMIN, "/set 收到时限 20分钟", COMMUNITY_CHAT)
    await h.send(ADMIN, "/set 免打扰 晚上10点至早上7点", COMMUNITY_CHAT)
    await h.send(ADMIN, "/set 早间提醒 早上8点半", COMMUNITY_CHAT)
    await h.send(ADMIN, "/set 工作日 關", COMMUNITY_CHAT)
    assert await community_settings(h) == {
        "verify": True, "grid_deadline_hours": 48, "page_ack_minutes": 20,
        "quiet_hours": "22:00-07:00", "duty_reminder_time": "08:30", "working_days": False}

    await h.send(ADMIN, "/settings", COMMUNITY_CHAT)
    shown = h.fake.last_to(COMMUNITY_CHAT).text
    assert "<code>审核</code>" in shown and "<code>网格时限</code>" in shown
    assert escape(zh(h, "Admins change one with /set <name> <value>, e.g. /set verify on.")) \
        in shown and "/set 审核 开启" in shown

    await h.send(ADMIN, "/lang", COMMUNITY_CHAT)
    await h.press_text(ADMIN, h.fake.last_to(COMMUNITY_CHAT), "繁體中文")
    await h.send(ADMIN, "/settings", COMMUNITY_CHAT)
    shown = h.fake.last_to(COMMUNITY_CHAT).text
    assert "<code>審核</code>" in shown and "<code>勿擾時段</code>" in shown
    await h.send(ADMIN, "/lang", COMMUNITY_CHAT)
    await h.press_text(ADMIN, h.fake.last_to(COMMUNITY_CHAT), "English")
    await h.send(ADMIN, "/settings", COMMUNITY_CHAT)
    assert "<code>verify</code>" in h.fake.last_to(COMMUNITY_CHAT).text


# --- roles and places -----------------------------------------------------------------------

async def test_roles_are_granted_by_their_chinese_names(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await h.send(BACKUP, "/start")
    await h.send(ADMIN, f"/grant 社會工作者 {BACKUP.id}", COMMUNITY_CHAT)
    await h.send(ADMIN, f"/grant 志工代表 {HANT_VOLUNTEER.id}", COMMUNITY_CHAT)
    await h.send(ADMIN, f"/grant 政工 {RESIDENT.id}", COMMUNITY_CHAT)
    async with h.db.transaction() as session:
        held = {(g.person_id, g.role) for g in (await session.exec(select(RoleGrant))).all()}
    assert {(BACKUP.id, "social_worker"), (HANT_VOLUNTEER.id, "volunteer_rep"),
            (RESIDENT.id, "cadre")} <= held
    assert zh(h, "{name} is now a {role} of “{place}”.", name=RESIDENT.name,
              role=zh(h, "cadre"), place="幸福社区") in h.fake.texts_to(COMMUNITY_CHAT)


# --- the duty roster by command -------------------------------------------------------------

async def staff(h: Harness) -> None:
    await set_up_grid(h)
    await h.send(BACKUP, "/start")
    await h.send(ADMIN, f"/grant social_worker {BACKUP.id}", COMMUNITY_CHAT)
    h.fake.clear()


async def test_duty_set_takes_weekdays_ranges_and_posts_in_chinese(harness: Harness) -> None:
    h = harness
    await staff(h)
    await h.send(ADMIN, "/duty_set 周一 A @worker_li", COMMUNITY_CHAT)
    assert await shifts(h) == {(0, None, "A", WORKER.id)}
    assert zh(h, "Post A: {name}", name=zh(h, "nobody")) in h.fake.last_to(COMMUNITY_CHAT).text
    await h.send(ADMIN, "/duty_set 1-5 备岗 @sun", COMMUNITY_CHAT)
    await h.send(ADMIN, "/duty_set 週二至週五 A崗 @worker_li", COMMUNITY_CHAT)
    await h.send(ADMIN, "/duty_set 星期六 至 星期天 Ａ @sun", COMMUNITY_CHAT)
    workdays = {(day, None, "B", BACKUP.id) for day in range(5)}
    assert await shifts(h) == workdays | {(day, None, "A", WORKER.id) for day in range(5)} | {
        (5, None, "A", BACKUP.id), (6, None, "A", BACKUP.id)}
    await h.send(ADMIN, "/duty_set 周末 A 无", COMMUNITY_CHAT)
    await h.send(ADMIN, "/swap 明天 A @sun", COMMUNITY_CHAT)
    await h.send(ADMIN, "/swap 12月1日 B @worker_li", COMMUNITY_CHAT)
    assert await shifts(h) == workdays | {(day, None, "A", WORKER.id) for day in range(5)} | {
        (None, date(2026, 11, 26), "A", BACKUP.id), (None, date(2026, 12, 1), "B", WORKER.id)}
    await h.send(RESIDENT, "/duty", GRID_CHAT)  # Wednesday
    assert zh(h, "On duty today: post A {a}, post B {b}.", a=WORKER.name, b=BACKUP.name) in \
        h.fake.last_to(GRID_CHAT).text


async def test_duty_set_words_it_does_not_know_change_nothing(harness: Harness) -> None:
    h = harness
    await staff(h)
    usage = escape(zh(h, "Usage: /duty_set <days> <A|B> @user, the days as 1–7, Mon, 1-5 or "
                         "weekdays (/duty_set alone opens a form with buttons); /swap <day> "
                         "<A|B> @user for one day, as 2026-12-01 or tomorrow. - instead of @user "
                         "clears the post."))
    for command in ("/duty_set 周八 A @worker_li", "/duty_set 周一 C @worker_li",
                    "/duty_set 1-9 A @worker_li", "/swap 13月1日 A @sun", "/swap 周一 @sun"):
        await h.send(ADMIN, command, COMMUNITY_CHAT)
        assert h.fake.last_to(COMMUNITY_CHAT).text == usage, command
    assert await shifts(h) == set()


async def test_risk_words_are_added_and_removed_in_chinese(harness: Harness) -> None:
    h = harness
    await staff(h)
    await h.send(ADMIN, "/riskwords 添加 煤气味", COMMUNITY_CHAT)
    assert "煤气味" in h.fake.last_to(COMMUNITY_CHAT).text
    await h.send(ADMIN, "/riskwords 刪除 煤气味", COMMUNITY_CHAT)
    assert "煤气味" not in h.fake.last_to(COMMUNITY_CHAT).text
    assert "risk_words" in await community_settings(h)


# --- the roster form ------------------------------------------------------------------------

async def open_form(h: Harness, who: Someone = ADMIN) -> Call:
    await h.send(who, "/duty_set", COMMUNITY_CHAT)
    return h.fake.last_to(COMMUNITY_CHAT)


async def tap(h: Harness, who: Someone, form: Call, label: str) -> Call:
    await h.press(who, form, button(now_shown(h, form), label))
    return now_shown(h, form)


async def test_the_roster_form_puts_a_social_worker_on_workdays(harness: Harness) -> None:
    h = harness
    await staff(h)
    form = await open_form(h)
    assert zh(h, "<b>Duty roster</b> · step 1 of 3: on which days of each week? Tap them, then "
                 "Next.") in form.text
    shown = await tap(h, ADMIN, form, zh(h, "Workdays"))
    assert zh(h, "Chosen: {days}", days="周一、周二、周三、周四、周五") in shown.text
    shown = await tap(h, ADMIN, form, "周三")  # Wednesday off again
    assert zh(h, "Chosen: {days}", days="周一、周二、周四、周五") in shown.text
    shown = await tap(h, ADMIN, form, zh(h, "Next"))
    assert zh(h, "Step 2 of 3: which post?") in shown.text
    shown = await tap(h, ADMIN, form, zh(h, "Post A"))
    assert zh(h, "Step 3 of 3: who? The social workers of this community:") in shown.text
    assert {b["text"] for b in shown.buttons()} >= {WORKER.name, BACKUP.name,
                                                   zh(h, "Nobody (clear the post)")}
    shown = await tap(h, ADMIN, form, BACKUP.name)
    assert shown.text == zh(h, "Saved: {post} on {days}: {name}.", post=zh(h, "Post A"),
                            days="周一、周二、周四、周五", name=BACKUP.name)
    assert shown.buttons() == []
    assert await shifts(h) == {(day, None, "A", BACKUP.id) for day in (0, 1, 3, 4)}
    assert zh(h, "<b>The roster</b>") in h.fake.last_to(COMMUNITY_CHAT).text


async def test_the_roster_form_answers_buttons_pressed_twice_or_by_others(
        harness: Harness) -> None:
    h = harness
    await staff(h)
    await h.send(DEPUTY_ADMIN, "/start")
    await h.send(ADMIN, f"/grant admin {DEPUTY_ADMIN.id}", COMMUNITY_CHAT)
    form = await open_form(h)
    await h.send(WORKER, "/duty_set", COMMUNITY_CHAT)
    assert h.fake.last_to(COMMUNITY_CHAT).text == zh(h, "Only an admin of this place can do "
                                                        "that.")
    days_step = now_shown(h, form)
    await tap(h, ADMIN, form, "周六")
    await h.press(WORKER, form, button(now_shown(h, form), "周日"))
    assert h.last_alert() == zh(h, "This button is no longer valid.")
    other = await open_form(h, DEPUTY_ADMIN)
    await h.press(DEPUTY_ADMIN, form, button(now_shown(h, form), "周日"))
    assert h.last_alert() == zh(h, "This button belongs to another form: send /duty_set to "
                                   "open your own.")
    await h.press(ADMIN, form, button(days_step, zh(h, "Next")))
    await h.press(ADMIN, form, button(days_step, zh(h, "Next")))  # the same button again
    assert h.last_alert() == zh(h, "This button is no longer valid.")
    await tap(h, ADMIN, form, zh(h, "Post B (backup)"))
    people_step = now_shown(h, form)
    await h.press(ADMIN, form, button(people_step, WORKER.name))
    await h.press(ADMIN, form, button(people_step, WORKER.name))
    assert h.last_alert() == zh(h, "This button is no longer valid.")
    await h.press(ADMIN, form, button(people_step, zh(h, "Nobody (clear the post)")))
    assert h.last_alert() == zh(h, "This button is no longer valid.")
    assert await shifts(h) == {(5, None, "B", WORKER.id)}
    assert button(now_shown(h, other), zh(h, "Next"))  # the other admin's form is still open


async def test_the_roster_form_takes_typed_answers_and_explains_nonsense(
        harness: Harness) -> None:
    h = harness
    await staff(h)
    await open_form(h)
    await h.send(ADMIN, "你好", COMMUNITY_CHAT)
    assert h.fake.last_to(COMMUNITY_CHAT).text == escape(zh(
        h, "I did not understand those days. Tap them above, or type them as Mon, 1-5 or "
        "weekdays; /cancel stops."))
    await h.send(ADMIN, "周一至周三", COMMUNITY_CHAT)
    assert zh(h, "Step 2 of 3: which post?") in h.fake.last_to(COMMUNITY_CHAT).text
    await h.send(ADMIN, "C", COMMUNITY_CHAT)
    assert h.fake.last_to(COMMUNITY_CHAT).text == zh(
        h, "Please tap Post A or Post B above, or type A or B; /cancel stops.")
    await h.send(ADMIN, "A岗", COMMUNITY_CHAT)
    await h.send(ADMIN, "随便谁", COMMUNITY_CHAT)
    assert h.fake.last_to(COMMUNITY_CHAT).text == escape(zh(
        h, "Please tap a name above, or type @username; /cancel stops."))
    await h.send(ADMIN, f"{RESIDENT.id}", COMMUNITY_CHAT)
    assert h.fake.last_to(COMMUNITY_CHAT).text == zh(
        h, "{name} is not a social worker of this community, so they cannot be put on duty: "
        "pages carry residents' contact details. Grant the role first with /grant "
        "social_worker.", name=RESIDENT.name)
    await h.send(ADMIN, "@worker_li", COMMUNITY_CHAT)
    assert zh(h, "Saved: {post} on {days}: {name}.", post=zh(h, "Post A"),
              days="周一、周二、周三", name=WORKER.name) in h.fake.texts_to(COMMUNITY_CHAT)
    assert await shifts(h) == {(day, None, "A", WORKER.id) for day in range(3)}
    said = len(h.fake.sent("sendMessage", COMMUNITY_CHAT))
    await h.send(ADMIN, "大家辛苦了", COMMUNITY_CHAT)  # the form is over: this is just talk
    assert len(h.fake.sent("sendMessage", COMMUNITY_CHAT)) == said


async def test_cancel_stops_the_roster_form_and_its_buttons(harness: Harness) -> None:
    h = harness
    await staff(h)
    form = await open_form(h)
    await tap(h, ADMIN, form, zh(h, "Every day"))
    await tap(h, ADMIN, form, zh(h, "Next"))
    await h.send(ADMIN, "/cancel", COMMUNITY_CHAT)
    assert h.fake.last_to(COMMUNITY_CHAT).text == zh(h, "Cancelled. Nothing was saved.")
    await h.press(ADMIN, form, button(now_shown(h, form), zh(h, "Post A")))
    assert h.last_alert() == zh(h, "This button is no longer valid.")
    form = await open_form(h)
    shown = await tap(h, ADMIN, form, zh(h, "Cancel"))
    assert shown.text == zh(h, "Cancelled. Nothing was saved.") and shown.buttons() == []
    assert await shifts(h) == set()
    await h.send(ADMIN, "/duty_set", GRID_CHAT)
    assert h.fake.last_to(GRID_CHAT).text == zh(h, "Please change the roster in the "
                                                   "community's chat.")


# --- service hours --------------------------------------------------------------------------

async def test_logged_service_takes_days_and_hours_in_chinese(harness: Harness) -> None:
    from tests.test_hours_e2e import approved, entries

    h = harness
    await set_up_grid(h)
    helper = Someone(2001, "Helper Sun", language_code="zh-hans")
    await approved(h, helper)
    await h.send(helper, "/logservice")
    await h.send(helper, "后天")
    assert h.fake.last_to(helper.id).text == zh(
        h, "Please give a day in the last {days} days, not in the future.", days=60)
    await h.send(helper, "前天")
    await h.send(helper, "十三个小时")
    assert h.fake.last_to(helper.id).text == zh(
        h, "Please give the hours as a number from 0.25 to 12, e.g. 1.5.")
    await h.send(helper, "一个半小时")
    await h.send(helper, "陪社区老人包饺子")
    [entry] = await entries(h, helper)
    assert (entry.minutes, entry.served_on) == (90, date(2026, 11, 23))


async def test_a_roster_form_left_alone_lets_the_admin_talk_again(harness: Harness) -> None:
    h = harness
    await staff(h)
    form = await open_form(h)
    h.clock.advance(timedelta(minutes=31))
    said = len(h.fake.sent("sendMessage", COMMUNITY_CHAT))
    await h.send(ADMIN, "大家好，明天开会", COMMUNITY_CHAT)
    assert len(h.fake.sent("sendMessage", COMMUNITY_CHAT)) == said
    await h.press(ADMIN, form, button(now_shown(h, form), zh(h, "Next")))
    assert h.last_alert() == zh(h, "This button is no longer valid.")
