"""The minutes of a joint meeting end to end, written in Chinese words and read in three
languages: the host present, excused (with the reason) apart from absent, each step answered
with what it changed, and the volunteers' representatives among the members."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from sqlmodel import select

from bot.jobs import sweep_once
from storage.models import Attendance, MeetingSeries
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    RESIDENT,
    WORKER,
    Harness,
    Someone,
    set_up_grid,
    translate,
)

HOST = Someone(5101, "周书记", language_code="zh-hans", username="zhou_sj")
HANT_WORKER = Someone(5102, "陳社工", language_code="zh-hant", username="chen_sg")
REP = Someone(5103, "Rep Lin", language_code="en", username="lin_rep")
TITLE = "三工联席会议"


def at(h: Harness, moment: datetime) -> None:
    h.clock.advance(moment - h.clock.now())


async def sweep(h: Harness) -> None:
    await sweep_once(h.app.messenger)
    await h.app.sender.drain()


def names_on(h: Harness, locale: str, text: str, msgid: str) -> set[str]:
    """The names on the line of ``text`` that ``msgid`` ("Present: {names}") begins."""
    start = translate(h, locale, msgid, names="")
    [line] = [x for x in text.splitlines() if x.startswith(start)]
    rest = line[len(start):]
    return set() if rest == "—" else set(rest.split(translate(h, locale, ", ")))


async def a_meeting_held(h: Harness) -> None:
    """A weekly meeting of the community, its notice answered, and the meeting over: the
    social worker of Traditional Chinese cannot come (with a reason), the volunteers'
    representative comes, Worker Li never answers."""
    await set_up_grid(h)
    for person in (HOST, HANT_WORKER, REP):
        await h.send(person, "/start")
    await h.send(ADMIN, "/grant 社区干部 @zhou_sj", COMMUNITY_CHAT)
    await h.send(ADMIN, "/grant 社工 @chen_sg", COMMUNITY_CHAT)
    await h.send(ADMIN, "/grant 志愿者代表 @lin_rep", COMMUNITY_CHAT)
    await h.send(HOST, f"/meeting_new 每周 周五 晚上7点 一个半小时 {TITLE}", COMMUNITY_CHAT)
    assert translate(h, "zh_Hans", "Meeting series #{number} is set up. You host it; cadres, "
                     "social workers and volunteers' representatives of this place are its "
                     "members.", number=1) in h.fake.last_to(COMMUNITY_CHAT).text
    at(h, datetime(2026, 11, 26, 11, 0, tzinfo=UTC))  # Thursday 19:00: the notice
    await sweep(h)
    [notice] = [c for c in h.fake.sent("sendMessage", COMMUNITY_CHAT)
                if "📋" in c.text and any("callback_data" in b for b in c.buttons())]
    assert translate(h, "zh_Hans", "Attending: {attend} · Cannot attend: {absent} · Not "
                     "answered yet: {silent}", attend=0, absent=0, silent=4) in notice.text
    await h.press_text(REP, notice, translate(h, "zh_Hans", "✅ Attend"))
    assert h.last_alert() == translate(h, "zh_Hans", "Thank you, you are on the list. See you "
                                       "there!")
    await h.press_text(HANT_WORKER, notice, translate(h, "zh_Hans", "Cannot attend"))
    await h.send(HANT_WORKER, "孩子生病")
    at(h, datetime(2026, 11, 27, 12, 30, tzinfo=UTC))  # Friday 20:30: over
    h.fake.clear()


async def test_the_draft_lists_the_host_present_and_excused_apart_from_absent(
        harness: Harness) -> None:
    h = harness
    await a_meeting_held(h)
    await h.send(HOST, "/minutes 1")
    draft = h.fake.last_to(HOST.id).text
    assert draft.startswith(f"📝 <b>会议纪要：{TITLE}</b>") and "会议会议" not in draft
    zh = "zh_Hans"
    assert names_on(h, zh, draft, "Present: {names}") == {HOST.name, REP.name}
    assert names_on(h, zh, draft, "Excused: {names}") == {
        translate(h, zh, "{name} ({reason})", name=HANT_WORKER.name, reason="孩子生病")}
    assert names_on(h, zh, draft, "Absent: {names}") == {WORKER.name}


async def test_each_step_in_chinese_answers_with_what_it_changed(harness: Harness) -> None:
    h = harness
    await a_meeting_held(h)
    zh = "zh_Hans"
    hint = escape(translate(h, zh, "/minutes {number} shows the whole draft; /minutes {number} "
                            "send sends it to the members.", number=1))
    steps = [
        ("/minutes 1 出席 @worker_li @lin_rep", translate(
            h, zh, "Marked present: {names}.", names=f"{WORKER.name}、{REP.name}")),
        ("/minutes 1 缺席 @worker_li", translate(h, zh, "Marked absent: {names}.",
                                               names=WORKER.name)),
        ("/minutes 1 請假 @worker_li 临时出差", translate(
            h, zh, "Marked excused: {names} ({reason}).", names=WORKER.name, reason="临时出差")),
        ("/minutes 1 记录 讨论了冬季走访独居老人的安排", translate(h, zh, "Added to the notes.")),
        ("/minutes 1 决议 每周二下午走访独居老人", translate(h, zh, "Added to the decisions.")),
        ("/minutes 1 事项 @chen_sg 12月1日 整理独居老人名单", translate(
            h, zh, "Action item for {owner}, due {day}: “{text}”. They are told.",
            owner=HANT_WORKER.name, day="12月1日周二", text="整理独居老人名单")),
    ]
    for command, said in steps:
        await h.send(HOST, command)
        assert h.fake.last_to(HOST.id).text == f"{said}\n{hint}", command
    assert not [t for t in h.fake.texts_to(HOST.id) if "📝" in t], "no step re-sends the draft"
    assert "整理独居老人名单" in h.fake.last_to(HANT_WORKER.id).text
    async with h.db.transaction() as session:
        rows = {(r.person_id, r.present, r.reason)
                for r in (await session.exec(select(Attendance))).all()}
    assert rows == {(HOST.id, True, None), (REP.id, True, None),
                    (HANT_WORKER.id, False, "孩子生病"), (WORKER.id, False, "临时出差")}


async def test_minutes_read_the_same_in_three_languages(harness: Harness) -> None:
    h = harness
    await a_meeting_held(h)
    for command in ("/minutes 1 请假 @worker_li 临时出差", "/minutes 1 记录 讨论了冬季走访",
                    "/minutes 1 决定 每周二走访", "/minutes 1 事项 @lin_rep 12月1日 联系志愿者"):
        await h.send(HOST, command)
    await h.send(HOST, "/minutes 1 发送")
    assert translate(h, "zh_Hans", "The minutes went to {count} members.", count=4) in \
        h.fake.texts_to(HOST.id)
    for person, locale in ((HOST, "zh_Hans"), (HANT_WORKER, "zh_Hant"), (REP, "en")):
        sent = h.fake.last_to(person.id).text
        heading = translate(h, locale, "📝 <b>Minutes: {title}</b>, {when}", title=TITLE,
                            when="")
        assert sent.startswith(heading), (locale, sent)
        for section in ("<b>Notes</b>", "<b>Decisions</b>", "<b>Action items</b>"):
            assert translate(h, locale, section) in sent, (locale, section)
        assert "会议会议" not in sent and "會議會議" not in sent
        assert names_on(h, locale, sent, "Present: {names}") == {HOST.name, REP.name}
        assert names_on(h, locale, sent, "Excused: {names}") == {
            translate(h, locale, "{name} ({reason})", name=HANT_WORKER.name, reason="孩子生病"),
            translate(h, locale, "{name} ({reason})", name=WORKER.name, reason="临时出差")}
        assert names_on(h, locale, sent, "Absent: {names}") == set()
    assert translate(h, "zh_Hans", "📝 <b>Minutes: {title}</b>, {when}", title=TITLE,
                     when="").startswith("📝 <b>会议纪要：")
    assert translate(h, "zh_Hant", "📝 <b>Minutes: {title}</b>, {when}", title=TITLE,
                     when="").startswith("📝 <b>會議紀要：")
    await h.send(HOST, "/minutes 1 send")
    assert h.fake.last_to(HOST.id).text == translate(
        h, "zh_Hans", "The minutes of this meeting were sent already.")


async def test_a_step_that_cannot_be_taken_changes_nothing(harness: Harness) -> None:
    h = harness
    await a_meeting_held(h)
    await h.send(HOST, "/minutes 1")  # the attendance is taken from the answers
    usage = escape(translate(h, "zh_Hans", "Usage: /minutes <number> [present|absent @user… | "
                             "excused @user <reason> | note <text> | decide <text> | action "
                             "@user <due day> <text> | send]"))
    for command in ("/minutes 1 请假 @worker_li", "/minutes 1 出席", "/minutes 1 记录",
                    "/minutes 1 事项 @worker_li 下下周 整理名单", "/minutes 1 批准 @worker_li"):
        await h.send(HOST, command)
        assert h.fake.last_to(HOST.id).text == usage, command
    await h.send(HOST, "/minutes 1 出席 @nobody_here")
    assert "@nobody_here" in h.fake.last_to(HOST.id).text
    await h.send(HOST, "/minutes 1 事项 @worker_li 昨天 整理名单")
    assert h.fake.last_to(HOST.id).text == translate(h, "zh_Hans",
                                                     "The due day has passed already.")
    await h.send(RESIDENT, "/minutes 1 出席 @worker_li")
    assert h.fake.last_to(RESIDENT.id).text == "Only the host or an admin can change this " \
        "meeting series."
    async with h.db.transaction() as session:
        rows = (await session.exec(select(Attendance))).all()
        series = (await session.exec(select(MeetingSeries))).one()
    assert {(r.person_id, r.present) for r in rows} == {
        (HOST.id, True), (REP.id, True), (HANT_WORKER.id, False), (WORKER.id, False)}
    assert "volunteer_rep" in series.member_roles
