"""Joint meetings end to end with an injected clock: series, notice, answers, reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.jobs import sweep_once
from storage.models import Meeting, MeetingState, Rsvp
from tests.fake_telegram import Call
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    RESIDENT,
    WORKER,
    Harness,
    Someone,
    set_up_grid,
    translate,
    url_button,
)

CADRE = Someone(5001, "Cadre Zhou", language_code="en", username="zhou")
DEPUTY = Someone(5002, "Cadre Wu", language_code="en", username="wu")


def zh(h: Harness, msgid: str, **values: object) -> str:
    return translate(h, "zh_Hans", msgid, **values)


async def sweep(h: Harness) -> None:
    await sweep_once(h.app.messenger)
    await h.app.sender.drain()


def at(h: Harness, moment: datetime) -> None:
    h.clock.advance(moment - h.clock.now())


def notices(h: Harness) -> list[Call]:
    """The notices posted in the community chat: the ones with answer buttons."""
    return [c for c in h.fake.sent("sendMessage", COMMUNITY_CHAT)
            if "📋" in c.text and any("callback_data" in b for b in c.buttons())]


def notice_now(h: Harness) -> str:
    [posted] = notices(h)
    return str(h.fake.message(COMMUNITY_CHAT, posted.message_id)["text"])


def counts(h: Harness, attend: int, absent: int, silent: int) -> str:
    return zh(h, "Attending: {attend} · Cannot attend: {absent} · Not answered yet: {silent}",
              attend=attend, absent=absent, silent=silent)


async def set_up(h: Harness) -> None:
    await set_up_grid(h)
    for cadre in (CADRE, DEPUTY):
        await h.send(ADMIN, f"/grant cadre {cadre.id}", COMMUNITY_CHAT)
        await h.send(cadre, "/start")
    h.fake.clear()


async def test_a_meeting_typed_full_width_keeps_its_title_as_typed(harness: Harness) -> None:
    h = harness
    await set_up(h)
    await h.send(CADRE, "/meeting_new weekly ５ １９：００ ９０ 三工联席会议（扩大）",
                 COMMUNITY_CHAT)
    created = h.fake.last_to(COMMUNITY_CHAT).text
    assert "11月27日周五 19:00" in created and "三工联席会议（扩大）" in created


async def test_a_weekly_meeting_from_notice_to_start(harness: Harness) -> None:
    h = harness
    await set_up(h)
    # START is Wednesday 2026-11-25 14:00 in Shanghai; the meeting is on Fridays at 19:00.
    await h.send(CADRE, "/meeting_new weekly 5 19:00 90 三工联席会议", COMMUNITY_CHAT)
    created = h.fake.last_to(COMMUNITY_CHAT).text
    assert "#1" in created and "11月27日周五 19:00" in created and "12月4日周五 19:00" in created
    await h.send(CADRE, "/meeting 1 where 社区党群服务中心二楼", COMMUNITY_CHAT)
    await h.send(RESIDENT, "/meetings", COMMUNITY_CHAT)
    assert "社区党群服务中心二楼" in h.fake.last_to(COMMUNITY_CHAT).text

    await sweep(h)
    assert notices(h) == [], "the notice waits until 24 hours before"
    at(h, datetime(2026, 11, 26, 11, 0, tzinfo=UTC))  # Thursday 19:00 local
    await sweep(h)
    text = notice_now(h)
    for part in ("三工联席会议", "11月27日周五 19:00", "社区党群服务中心二楼"):
        assert part in text
    assert counts(h, 0, 0, 3) in text  # the two cadres and the social worker
    assert zh(h, "(This notice comes late: I was not running when it was due.)") not in text
    posted = notices(h)[0]

    await h.press_text(RESIDENT, posted, zh(h, "✅ Attend"))
    assert h.last_alert() == zh(h, "Only members of this meeting can answer.")
    await h.press_text(WORKER, posted, zh(h, "✅ Attend"))
    assert counts(h, 1, 0, 2) in notice_now(h)

    await h.press_text(DEPUTY, posted, zh(h, "Cannot attend"))
    assert "Why can you not attend?" in h.fake.last_to(DEPUTY.id).text
    assert counts(h, 1, 0, 2) in notice_now(h), "no absence without a reason"
    await h.send(DEPUTY, "区里同一时间开培训会")
    assert "host has your reason" in h.fake.last_to(DEPUTY.id).text
    told = h.fake.last_to(CADRE.id).text
    assert "Cadre Wu cannot attend 三工联席会议" in told and "区里同一时间开培训会" in told
    assert counts(h, 1, 1, 1) in notice_now(h)

    await h.press_text(WORKER, posted, zh(h, "Cannot attend"))  # changed their mind
    await h.send(WORKER, "孩子发烧，要去医院")
    assert counts(h, 0, 2, 1) in notice_now(h)
    async with h.db.transaction() as session:
        answers = {r.person_id: r.answer for r in (await session.exec(select(Rsvp))).all()}
    assert answers == {WORKER.id: "absent", DEPUTY.id: "absent"}

    at(h, datetime(2026, 11, 27, 8, 0, tzinfo=UTC))  # three hours before
    await sweep(h)
    reminder = h.fake.last_to(CADRE.id)
    assert "You have not said yet whether you will come" in reminder.text
    assert not [t for t in h.fake.texts_to(WORKER.id) if "not said yet" in t]
    await h.press_text(CADRE, reminder, "Attend")
    assert counts(h, 1, 2, 0) in notice_now(h)

    at(h, datetime(2026, 11, 27, 10, 31, tzinfo=UTC))  # 18:31 local
    await sweep(h)
    assert "Starting soon" in h.fake.last_to(CADRE.id).text
    await sweep(h)
    assert len([t for t in h.fake.texts_to(CADRE.id) if "Starting soon" in t]) == 1

    at(h, datetime(2026, 11, 27, 11, 5, tzinfo=UTC))
    await h.press_text(WORKER, posted, zh(h, "✅ Attend"))
    assert h.last_alert() == zh(h, "That meeting has already started.")
    await sweep(h)
    async with h.db.transaction() as session:
        planned = [m.planned_at for m in (await session.exec(
            select(Meeting).order_by(Meeting.planned_at))).all()]
    assert planned[-1] == datetime(2026, 12, 4, 11, 0, tzinfo=UTC)
    assert len(notices(h)) == 1


async def test_a_monthly_series_on_the_last_friday_crosses_months(harness: Harness) -> None:
    h = harness
    await set_up(h)
    await h.send(CADRE, "/meeting_new monthly last 5 09:30 60 街道领导小组会", COMMUNITY_CHAT)
    text = h.fake.last_to(COMMUNITY_CHAT).text
    for day in ("11月27日周五 09:30", "12月25日周五 09:30", "1月29日周五 09:30"):
        assert day in text
    assert zh(h, "the last {weekday} of each month at {time}", weekday=zh(h, "Fri"),
              time="09:30") in text
    await h.send(CADRE, "/meeting_new monthly 2 1 09:30 60 社区月度例会", COMMUNITY_CHAT)
    assert zh(h, "the {nth} {weekday} of each month at {time}", nth=zh(h, "second"),
              weekday=zh(h, "Mon"), time="09:30") in h.fake.last_to(COMMUNITY_CHAT).text
    assert "12月14日周一 09:30" in h.fake.last_to(COMMUNITY_CHAT).text
    await h.send(CADRE, "/meeting_new monthly 5 5 09:30 60 x", COMMUNITY_CHAT)
    assert "/meeting_new" in h.fake.last_to(COMMUNITY_CHAT).text  # there is no 5th: usage


async def test_skip_and_move_tell_every_member(harness: Harness) -> None:
    h = harness
    await set_up(h)
    await h.send(CADRE, "/meeting_new weekly 5 19:00 90 三工联席会议", COMMUNITY_CHAT)
    await h.send(CADRE, "/meeting 1 skip 2026-12-04", COMMUNITY_CHAT)
    assert "will not take place" in h.fake.last_to(WORKER.id).text
    await h.send(CADRE, "/meeting 1 skip 2026-12-05", COMMUNITY_CHAT)
    assert h.fake.last_to(COMMUNITY_CHAT).text == zh(
        h, "The series does not meet on that day, or the new time has passed.")
    await h.send(CADRE, "/meeting 1 move 2026-12-11 2026-12-12 10:00", COMMUNITY_CHAT)
    assert "is moved from" in h.fake.last_to(DEPUTY.id).text
    await h.send(RESIDENT, "/meetings", COMMUNITY_CHAT)
    listed = h.fake.last_to(COMMUNITY_CHAT).text
    assert zh(h, "• {when}: will not take place", when="12月4日周五 19:00") in listed
    assert zh(h, "• {when} (moved)", when="12月12日周六 10:00") in listed

    at(h, datetime(2026, 11, 26, 11, 0, tzinfo=UTC))  # the one before the skipped one
    await sweep(h)
    assert "11月27日周五 19:00" in notice_now(h)
    at(h, datetime(2026, 12, 3, 12, 0, tzinfo=UTC))  # the skipped one gets no notice
    await sweep(h)
    assert len(notices(h)) == 1
    at(h, datetime(2026, 12, 11, 3, 0, tzinfo=UTC))  # 24 h before the moved time
    await sweep(h)
    assert "12月12日周六 10:00" in notices(h)[-1].text


async def test_only_the_host_and_admins_change_a_series(harness: Harness) -> None:
    h = harness
    await set_up(h)
    await h.send(RESIDENT, "/meeting_new weekly 5 19:00 90 会", COMMUNITY_CHAT)
    assert h.fake.last_to(COMMUNITY_CHAT).text == zh(
        h, "Only a cadre or an admin of this place can set up meetings.")
    await h.send(CADRE, "/meeting_new weekly 5 19:00 90 三工联席会议", COMMUNITY_CHAT)
    for who in (WORKER, DEPUTY):
        await h.send(who, "/meeting 1 pause", COMMUNITY_CHAT)
        assert h.fake.last_to(COMMUNITY_CHAT).text == zh(
            h, "Only the host or an admin can change this meeting series.")
    await h.send(CADRE, "/meeting 1 notice soon", COMMUNITY_CHAT)
    assert "/meeting &lt;" in h.fake.last_to(COMMUNITY_CHAT).text  # the usage
    await h.send(CADRE, "/meeting 1 add @zhang", COMMUNITY_CHAT)  # a resident representative
    await h.send(CADRE, "/meeting 1 roles cadre,teacher", COMMUNITY_CHAT)
    assert "/meeting &lt;" in h.fake.last_to(COMMUNITY_CHAT).text, "no such role: the usage"
    await h.send(CADRE, "/meeting 1 roles 干部、社工", COMMUNITY_CHAT)
    await h.send(ADMIN, "/meeting 1 pause", COMMUNITY_CHAT)
    at(h, datetime(2026, 11, 26, 11, 0, tzinfo=UTC))
    await sweep(h)
    assert notices(h) == [], "a paused series sends nothing"
    await h.send(CADRE, "/meeting 1 resume", COMMUNITY_CHAT)
    await sweep(h)
    assert len(notices(h)) == 1
    assert counts(h, 0, 0, 4) in notice_now(h), "two cadres, the social worker, the resident"
    await h.press_text(RESIDENT, notices(h)[0], zh(h, "✅ Attend"))
    assert h.last_alert() == zh(h, "Thank you, you are on the list. See you there!")
    await h.send(CADRE, "/meeting 1 end", COMMUNITY_CHAT)
    await h.send(CADRE, "/meetings", COMMUNITY_CHAT)
    assert "/meeting_new" in h.fake.last_to(COMMUNITY_CHAT).text


async def test_a_restart_in_the_notice_window_sends_the_notice_once(
        harness: Harness, fake, database_url) -> None:
    from bot.app import build
    from tests.conftest import make_settings

    h = harness
    await set_up(h)
    await h.send(CADRE, "/meeting_new weekly 5 19:00 90 三工联席会议", COMMUNITY_CHAT)
    at(h, datetime(2026, 11, 26, 11, 0, tzinfo=UTC))
    await sweep_once(h.app.messenger)  # the notice is queued, then the bot stops
    await h.app.close()
    h.app = await build(make_settings(fake, database_url), h.clock)
    await sweep(h)
    await sweep(h)
    assert len(notices(h)) == 1


async def test_a_notice_missed_while_down_is_sent_late_or_skipped(harness: Harness) -> None:
    h = harness
    await set_up(h)
    await h.send(CADRE, "/meeting_new weekly 5 19:00 90 三工联席会议", COMMUNITY_CHAT)
    at(h, datetime(2026, 11, 27, 5, 0, tzinfo=UTC))  # down from Thursday till Friday 13:00
    await sweep(h)
    assert zh(h, "(This notice comes late: I was not running when it was due.)") in notice_now(h)
    at(h, datetime(2026, 12, 4, 12, 0, tzinfo=UTC))  # down through the next one altogether
    await sweep(h)
    assert len(notices(h)) == 1, "a meeting that has happened gets no notice"
    async with h.db.transaction() as session:
        states = [m.state for m in (await session.exec(select(Meeting))).all()]
    assert states.count(MeetingState.SCHEDULED) == len(states)


async def test_a_series_in_berlin_keeps_its_wall_clock_time_across_daylight_saving(
        harness: Harness, fake, database_url) -> None:
    from bot.app import build
    from tests.conftest import make_settings

    h = harness
    await h.app.close()
    h.app = await build(make_settings(fake, database_url, timezone="Europe/Berlin"), h.clock)
    await set_up(h)
    at(h, datetime(2027, 3, 20, 12, 0, tzinfo=UTC))
    await h.send(CADRE, "/meeting_new weekly 3 19:00 90 Runder Tisch", COMMUNITY_CHAT)
    for _week in range(3):
        await sweep(h)
        h.clock.advance(timedelta(days=7))
    async with h.db.transaction() as session:
        starts = [m.starts_at for m in (await session.exec(
            select(Meeting).order_by(Meeting.planned_at))).all()]
    # 19:00 in Berlin: 18:00 UTC in winter time, 17:00 UTC from 28 March 2027.
    assert starts[:3] == [datetime(2027, 3, 24, 18, 0, tzinfo=UTC),
                          datetime(2027, 3, 31, 17, 0, tzinfo=UTC),
                          datetime(2027, 4, 7, 17, 0, tzinfo=UTC)]


async def test_topics_from_members_and_unsolved_wishes_make_the_agenda(
        harness: Harness) -> None:
    from tests.harness import GRID_CHAT

    h = harness
    await set_up(h)
    await h.send(RESIDENT, "/wish 楼道灯坏了很久没人修", GRID_CHAT)
    at(h, datetime(2026, 11, 27, 7, 0, tzinfo=UTC))  # Friday 15:00: past the grid deadline
    await sweep(h)  # the wish goes up to the community
    # Mondays at 19:00: topics from Friday 19:00, until Sunday 19:00.
    await h.send(CADRE, "/meeting_new weekly 1 19:00 90 三工联席会议", COMMUNITY_CHAT)
    await h.send(WORKER, "/topic 太早了", COMMUNITY_CHAT)
    assert await _topics(h) == ["太早了"], "taken before the call too, until the cut-off"
    at(h, datetime(2026, 11, 27, 11, 1, tzinfo=UTC))
    await sweep(h)
    [call] = [c for c in h.fake.sent("sendMessage", COMMUNITY_CHAT)
              if "/topic" in c.text and "📋" in c.text]
    assert "11月29日周日 19:00" in call.text

    link = url_button(call)  # the button opens a private chat that asks for the topic
    await h.send(DEPUTY, "/start " + link.split("start=")[1])
    assert "What topic would you like to propose?" in h.fake.last_to(DEPUTY.id).text
    await h.send(DEPUTY, "社区食堂试运营情况")
    assert "your topic is in for 三工联席会议" in h.fake.last_to(DEPUTY.id).text
    await h.send(RESIDENT, "/topic 小区停车难", COMMUNITY_CHAT)
    assert "New topic for 三工联席会议 from Resident Zhang: 小区停车难" in h.fake.last_to(
        CADRE.id).text
    await h.send(RESIDENT, "/agenda 1")
    assert "Only the host or an admin" in h.fake.last_to(RESIDENT.id).text

    await h.send(CADRE, "/agenda 1")
    listed = h.fake.last_to(CADRE.id).text
    assert "1. 太早了 — Worker Li (proposed)" in listed
    assert "2. 楼道灯坏了很久没人修 (micro-wish #1) — offered from the grids (proposed)" in listed
    await h.send(CADRE, "/agenda 1 merge 3 1")
    assert "merged it into “太早了”" in h.fake.last_to(DEPUTY.id).text
    await h.send(CADRE, "/agenda 1 decline 4")
    assert "Usage: /agenda" in h.fake.last_to(CADRE.id).text
    await h.send(CADRE, "/agenda 1 decline 4 请在业主大会上反映")
    assert "请在业主大会上反映" in h.fake.last_to(RESIDENT.id).text
    await h.send(CADRE, "/agenda 1 order 1 2")
    await h.send(CADRE, "/agenda 1 confirm")
    assert "<b>Agenda</b>\n1. 太早了\n2. 楼道灯坏了很久没人修 (micro-wish #1)" in h.fake.last_to(
        CADRE.id).text
    await h.send(WORKER, "/topic 再加一个", COMMUNITY_CHAT)
    assert h.fake.last_to(COMMUNITY_CHAT).text == zh(h, "No meeting here is taking topics now.")

    at(h, datetime(2026, 11, 29, 11, 0, tzinfo=UTC))
    await sweep(h)
    text = notice_now(h)
    assert zh(h, "<b>Agenda</b>") + "\n1. 太早了\n2. " in text


async def _topics(h: Harness) -> list[str]:
    from storage.models import MeetingTopic

    async with h.db.transaction() as session:
        return [t.text for t in (await session.exec(select(MeetingTopic))).all()]


async def test_minutes_and_action_items_after_the_meeting(harness: Harness) -> None:
    h = harness
    await set_up(h)
    await h.send(CADRE, "/meeting_new weekly 5 19:00 90 三工联席会议", COMMUNITY_CHAT)
    at(h, datetime(2026, 11, 26, 11, 0, tzinfo=UTC))
    await sweep(h)
    await h.press_text(WORKER, notices(h)[0], zh(h, "✅ Attend"))
    await h.send(CADRE, "/minutes 1")
    assert "No meeting of this series has taken place yet." in h.fake.last_to(CADRE.id).text

    at(h, datetime(2026, 11, 27, 12, 30, tzinfo=UTC))  # Friday 20:30, the meeting is over
    await h.send(RESIDENT, "/minutes 1")
    assert "Only the host or an admin" in h.fake.last_to(RESIDENT.id).text
    await h.send(CADRE, "/minutes 1")
    draft = h.fake.last_to(CADRE.id).text
    assert "Present: Cadre Zhou, Worker Li" in draft and "Absent: Cadre Wu" in draft, \
        "the host is present unless marked otherwise"
    await h.send(CADRE, "/minutes 1 present @zhou")
    assert h.fake.last_to(CADRE.id).text.startswith("Marked present: Cadre Zhou.")
    await h.send(CADRE, "/minutes 1 note 讨论了冬季走访安排")
    await h.send(CADRE, "/minutes 1 decide 每周二下午走访独居老人")
    await h.send(CADRE, "/minutes 1 action @worker_li 2026-11-01 过期的事")
    assert "The due day has passed already." in h.fake.last_to(CADRE.id).text
    await h.send(CADRE, "/minutes 1 action @worker_li 2026-12-01 整理独居老人名单")
    task = h.fake.last_to(WORKER.id)
    assert ("New action item for you from 三工联席会议: “整理独居老人名单”, due Tue, Dec 1"
            in task.text)
    assert h.fake.last_to(CADRE.id).text.startswith(
        "Action item for Worker Li, due Tue, Dec 1: “整理独居老人名单”. They are told.")
    await h.send(CADRE, "/minutes 1")
    draft = h.fake.last_to(CADRE.id).text
    assert "Present: Cadre Zhou, Worker Li\nExcused: —\nAbsent: Cadre Wu" in draft
    assert "每周二下午走访独居老人" in draft
    assert "• 整理独居老人名单 — Worker Li, due Tue, Dec 1" in draft

    await h.send(CADRE, "/minutes 1 send")
    assert "The minutes went to 3 members." in h.fake.texts_to(CADRE.id)
    sent = h.fake.last_to(DEPUTY.id).text
    assert "📝 <b>Minutes: 三工联席会议</b>" in sent and "讨论了冬季走访安排" in sent
    await h.send(CADRE, "/minutes 1 send")
    assert "were sent already" in h.fake.last_to(CADRE.id).text

    at(h, datetime(2026, 11, 30, 1, 0, tzinfo=UTC))  # Monday: due tomorrow
    await sweep(h)
    assert "is due Tue, Dec 1" in h.fake.last_to(WORKER.id).text
    await sweep(h)
    assert len([t for t in h.fake.texts_to(WORKER.id) if "is due" in t]) == 1
    at(h, datetime(2026, 12, 2, 2, 0, tzinfo=UTC))  # Wednesday: overdue
    await sweep(h)
    assert "Overdue: “整理独居老人名单” (Worker Li)" in h.fake.last_to(CADRE.id).text
    assert "Overdue" in h.fake.last_to(WORKER.id).text

    at(h, datetime(2026, 12, 3, 11, 0, tzinfo=UTC))  # the next meeting's notice
    await sweep(h)
    [_first, second] = notices(h)
    assert zh(h, "<b>Open action items</b>") in second.text
    item = zh(h, "• {text} — {owner}, due {day}", text="整理独居老人名单", owner="Worker Li",
              day="12月1日周二")
    assert zh(h, "{line} (overdue)", line=item) in second.text

    await h.press_text(RESIDENT, task, "Done")
    assert h.last_alert() == "Only the owner of this action item can mark it done."
    await h.press_text(WORKER, task, "Done")
    assert h.last_alert() == "Marked done. Thank you!"
    assert "Worker Li has done “整理独居老人名单”." in h.fake.last_to(CADRE.id).text
    now_shown = str(h.fake.message(COMMUNITY_CHAT, second.message_id)["text"])
    assert "整理独居老人名单" not in now_shown  # the next meeting's notice is brought up to date
    assert zh(h, "<b>Open action items</b>") not in now_shown
    await h.press_text(WORKER, task, "Done")
    assert h.last_alert() == "This action item is done already."


async def test_whoever_cannot_attend_may_name_a_substitute_of_the_same_role(
        harness: Harness) -> None:
    from tests.harness import GRID_CHAT, NEIGHBOUR

    h = harness
    await set_up(h)
    await h.send(ADMIN, f"/grant cadre {NEIGHBOUR.id}", GRID_CHAT)  # a grid's cadre
    await h.send(NEIGHBOUR, "/start")
    await h.send(CADRE, "/meeting_new weekly 5 19:00 90 三工联席会议", COMMUNITY_CHAT)
    at(h, datetime(2026, 11, 26, 11, 0, tzinfo=UTC))
    await sweep(h)
    await h.press_text(DEPUTY, notices(h)[0], zh(h, "Cannot attend"))
    await h.send(DEPUTY, "出差")
    await h.press_text(DEPUTY, h.fake.last_to(DEPUTY.id), "Name a substitute")
    await h.send(DEPUTY, "@worker_li")
    assert "does not hold your role here" in h.fake.last_to(DEPUTY.id).text
    await h.send(DEPUTY, "@zhao")
    assert "Neighbour Zhao comes in your place" in h.fake.last_to(DEPUTY.id).text
    told = ("Neighbour Zhao will attend 三工联席会议 on Fri, Nov 27 7:00\u202fPM in place of "
            "Cadre Wu.")
    assert told in h.fake.texts_to(CADRE.id)
    assert zh(h, "Coming in someone's place: {count}", count=1) in notice_now(h)
    async with h.db.transaction() as session:
        [answer] = (await session.exec(select(Rsvp))).all()
    assert (answer.person_id, answer.substitute_id) == (DEPUTY.id, NEIGHBOUR.id)


async def test_skipping_a_later_meeting_leaves_the_ones_before_it(harness: Harness) -> None:
    h = harness
    await set_up(h)
    await h.send(CADRE, "/meeting_new weekly 5 19:00 90 三工联席会议", COMMUNITY_CHAT)
    await h.send(CADRE, "/meeting 1 skip 2026-12-11", COMMUNITY_CHAT)  # two weeks ahead
    at(h, datetime(2026, 12, 3, 11, 0, tzinfo=UTC))
    await sweep(h)
    assert "12月4日周五 19:00" in notices(h)[-1].text


async def test_a_notice_with_a_long_agenda_stays_one_message_with_every_topic(
        harness: Harness) -> None:
    """The notice is edited as members answer, so it cannot go out in parts: 25 topics of
    200 characters are shortened alike, each still named."""
    h = harness
    await set_up(h)
    await h.send(CADRE, "/meeting_new weekly 5 19:00 90 三工联席会议", COMMUNITY_CHAT)
    topics = [f"议题{number:02d}：" + "关于小区加装电梯和停车位规划的意见" * 11
              for number in range(1, 26)]
    for topic in topics:
        await h.send(WORKER, f"/topic {topic[:200]}", COMMUNITY_CHAT)
    order = " ".join(str(number) for number in range(1, 26))
    await h.send(CADRE, f"/agenda 1 order {order}")
    at(h, datetime(2026, 11, 26, 11, 0, tzinfo=UTC))  # Thursday 19:00 local
    await sweep(h)
    text = notice_now(h)
    assert len(text) <= 4096
    for number, topic in enumerate(topics, start=1):
        assert f"{number}. {topic[:20]}" in text
    assert counts(h, 0, 0, 3) in text, "the answers are still shown"
    await h.press(WORKER, notices(h)[0], notices(h)[0].buttons()[0]["callback_data"])
    assert counts(h, 1, 0, 2) in notice_now(h), "and the notice is edited as members answer"
