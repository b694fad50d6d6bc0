"""/export end to end: every export read back as a spreadsheet program would (openpyxl, the
csv module), contact columns only for those who may see them and marked, the file always sent
privately, and every refusal."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta

import openpyxl

from handlers.exports import ExportQueue, queue_of
from storage import places
from storage.models import (
    ActionItem,
    Attendance,
    Claim,
    Meeting,
    MeetingSeries,
    Rating,
    ServiceLog,
    ServiceState,
    Volunteer,
    Wish,
    WishState,
)
from tests.fake_telegram import Upload
from tests.harness import (
    ADMIN,
    COMMUNITY_CHAT,
    GRID_CHAT,
    NEIGHBOUR,
    RESIDENT,
    START,
    STREET_CHAT,
    VOLUNTEER,
    WORKER,
    Harness,
    Someone,
    set_up_grid,
    translate,
)

CADRE = NEIGHBOUR  # speaks Simplified Chinese
STRANGER = Someone(1030, "Cadre Never Started", language_code="en")
WISH_TEXT = "帮忙买菜, 送到3楼\n谢谢“阿姨”"
PHONE, ADDRESS, VOLUNTEER_PHONE = "01012345678", "幸福路1号, 3单元", "01398765432"
NOVEMBER_20 = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)  # 19:00 in Shanghai


def zh(h: Harness, msgid: str, **values: object) -> str:
    return translate(h, "zh_Hans", msgid, **values)


def en(h: Harness, msgid: str, **values: object) -> str:
    return translate(h, "en", msgid, **values)


async def _ids(h: Harness) -> tuple[int, int, int]:
    ids = []
    for chat in (STREET_CHAT, COMMUNITY_CHAT, GRID_CHAT):
        place = await places.by_chat(h.db, chat)
        assert place is not None
        ids.append(place.id or 0)
    return ids[0], ids[1], ids[2]


async def seed(h: Harness) -> None:
    """A wish of this month, claimed, fulfilled and rated, one of October; an hour and a half
    of service; a joint meeting with someone present, excused and absent; an overdue item."""
    _street, community, grid = await _ids(h)
    day_before = START - timedelta(days=1)
    async with h.db.transaction() as session:
        wish = Wish(grid_id=grid, resident_id=RESIDENT.id, text=WISH_TEXT, category="daily_life",
                    contact_phone=PHONE, contact_address=ADDRESS, state=WishState.CLOSED,
                    claimer_id=VOLUNTEER.id, created_at=day_before, opened_at=day_before,
                    claimed_at=day_before, fulfilled_at=START, closed_at=START)
        october = Wish(grid_id=grid, resident_id=RESIDENT.id, text="十月的心愿",
                       category="other", state=WishState.OPEN,
                       created_at=datetime(2026, 10, 31, 15, 0, tzinfo=UTC))  # Nov 1, 23:00
        session.add_all([wish, october])
        await session.flush()
        claim = Claim(wish_id=wish.id or 0, volunteer_id=VOLUNTEER.id, claimed_at=day_before,
                      ended_at=START, outcome="fulfilled", from_claimer=2, from_resident=1)
        session.add(claim)
        await session.flush()
        session.add(Rating(wish_id=wish.id or 0, claim_id=claim.id or 0,
                           resident_id=RESIDENT.id, volunteer_id=VOLUNTEER.id, score=5,
                           comment="很好, 谢谢\n小陈", created_at=START))
        session.add(ServiceLog(person_id=VOLUNTEER.id, grid_id=grid, wish_id=wish.id,
                               served_on=date(2026, 11, 20), minutes=90,
                               description="陪老人看病, 取药", state=ServiceState.CONFIRMED,
                               logged_at=NOVEMBER_20))
        volunteer = await session.get(Volunteer, VOLUNTEER.id)
        assert volunteer is not None
        volunteer.phone = VOLUNTEER_PHONE
        series = MeetingSeries(place_id=community, title="三工联席会议", rule="weekly",
                               weekday=4, start_time="19:00", host_id=ADMIN.id,
                               created_at=START)
        session.add(series)
        await session.flush()
        meeting = Meeting(series_id=series.id or 0, planned_at=NOVEMBER_20,
                          starts_at=NOVEMBER_20, minutes="讨论了, 买菜\n送药",
                          decisions="每周一次")
        session.add(meeting)
        await session.flush()
        session.add_all([
            Attendance(meeting_id=meeting.id or 0, person_id=WORKER.id, present=True),
            Attendance(meeting_id=meeting.id or 0, person_id=VOLUNTEER.id, present=False,
                       reason="出差"),
            Attendance(meeting_id=meeting.id or 0, person_id=ADMIN.id, present=False),
            ActionItem(meeting_id=meeting.id or 0, owner_id=WORKER.id, text="联系物业, 修灯",
                       due_on=date(2026, 11, 23), overdue_at=START, created_at=NOVEMBER_20)])


async def exported(h: Harness, who: Someone) -> list[Upload]:
    """The files sent to ``who`` once every export started has been built."""
    await queue_of(h.app.dispatcher).finished()
    return [call.upload("document") for call in h.fake.sent("sendDocument", who.id)]


def sheets(upload: Upload) -> dict[str, list[tuple[object, ...]]]:
    assert upload.filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(upload.data), read_only=True)
    found = {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}
    book.close()
    return found


def csv_rows(upload: Upload) -> list[list[str]]:
    assert upload.filename.endswith(".csv") and upload.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(upload.data.decode("utf-8-sig"), newline="")))


def row_of(table: list[tuple[object, ...]], header: str, value: object) -> dict[str, object]:
    headers = [str(h) for h in table[0]]
    rows = [dict(zip(headers, row, strict=True)) for row in table[1:]]
    found = [row for row in rows if row[header] == value]
    assert len(found) == 1, f"{header}={value!r} in {rows}"
    return found[0]


def last_caption(h: Harness, who: Someone) -> str:
    return str(h.fake.sent("sendDocument", who.id)[-1].params.get("caption", ""))


async def test_staff_export_each_kind_privately_read_back_as_written(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await seed(h)
    h.fake.clear()

    # Asked in the community's chat: one short line there, the workbook privately.
    await h.send(WORKER, "/export 心愿", COMMUNITY_CHAT)
    told_group = h.fake.sent(chat_id=COMMUNITY_CHAT)
    assert [c.method for c in told_group] == ["sendMessage"]
    assert told_group[0].text == zh(h, "I am sending it to you privately.")
    (workbook,) = await exported(h, WORKER)
    assert h.fake.sent("sendChatAction", WORKER.id)[0].params["action"] == "upload_document"
    found = sheets(workbook)
    assert list(found) == ["Micro-wishes", "Claims", "Ratings"]
    wishes = found["Micro-wishes"]
    assert "Contact phone (confidential)" in wishes[0]
    assert "Address (confidential)" in wishes[0]
    assert len(wishes) == 2, "October's wish is not in November"
    wish = row_of(wishes, "Micro-wish", WISH_TEXT)
    assert wish["Contact phone (confidential)"] == PHONE
    assert wish["Address (confidential)"] == ADDRESS
    assert wish["Submitted"] == datetime(2026, 11, 24, 14, 0)  # Shanghai's wall clock
    assert (wish["State"], wish["Claimed by"], wish["Category"]) == (
        en(h, "done"), VOLUNTEER.name, en(h, "Daily life"))
    claim = row_of(found["Claims"], "Claimed by", VOLUNTEER.name)
    assert (claim["Outcome"], claim["Messages from the claimer"]) == (en(h, "fulfilled"), 2)
    rating = row_of(found["Ratings"], "Stars", 5)
    assert (rating["Solved?"], rating["Comment"]) == (en(h, "solved"), "很好, 谢谢\n小陈")
    caption = last_caption(h, WORKER)
    assert caption.endswith("Rows: 3.\n" + en(
        h, "⚠️ It holds contact details: keep it private and delete it when done."))

    # Privately, as CSV, of the one place where the worker is staff.
    await h.send(WORKER, "/export hours csv")
    (hours,) = (await exported(h, WORKER))[1:]
    rows = csv_rows(hours)
    assert rows[0][:3] == ["No.", "Volunteer", "Contact phone (confidential)"]
    served = dict(zip(rows[0], rows[1], strict=True))
    assert (served["Contact phone (confidential)"], served["Day served"], served["Hours"],
            served["Service"]) == (VOLUNTEER_PHONE, "2026-11-20", "1.5", "陪老人看病, 取药")

    # A month by its name; meetings with who came, was excused and was absent.
    await h.send(WORKER, "/export 会议 2026-11")
    found = sheets((await exported(h, WORKER))[-1])
    assert list(found) == ["Joint meetings", "Attendance"]
    meeting = row_of(found["Joint meetings"], "Joint meeting", "三工联席会议")
    assert (meeting["Present"], meeting["Excused"], meeting["Absent"]) == (1, 1, 1)
    assert meeting["Starts"] == datetime(2026, 11, 20, 19, 0)
    assert meeting["Minutes"] == "讨论了, 买菜\n送药"
    excused = row_of(found["Attendance"], "Member", VOLUNTEER.name)
    assert (excused["Attendance"], excused["Reason"]) == (en(h, "not present"), "出差")

    # An admin names the place; action items as CSV files; the audit log of the street.
    street, community, _grid = await _ids(h)
    await h.send(ADMIN, f"/export 事项 11月 #{community} csv")
    rows = csv_rows((await exported(h, ADMIN))[0])
    item = dict(zip(rows[0], rows[1], strict=True))
    assert (item["Action item"], item["Due"], item["Overdue"], item["Owner"]) == (
        "联系物业, 修灯", "2026-11-23", en(h, "yes"), WORKER.name)
    await h.send(ADMIN, f"/export audit 2026 #{street}")
    audit = sheets((await exported(h, ADMIN))[-1])["Audit log"]
    assert {row[5] for row in audit[1:]} >= {"export", "bind"}

    # The month's evaluation: the resident's five stars make the worker's and the grid's
    # residents' part 100 (下评上), the only part there is.
    await h.send(ADMIN, f"/export 考评 2026-11 #{street}")
    evaluation = sheets((await exported(h, ADMIN))[-1])["Evaluation"]
    worker = row_of(evaluation, "Name", WORKER.name)
    assert (worker["Month"], worker["Evaluated"], worker["Residents' part"],
            worker["Weighted total"], worker["Ratings"], worker["Month closed"]) == (
        "2026-11", en(h, "social worker"), 100, 100, 1, en(h, "no"))
    assert row_of(evaluation, "Name", "第三网格")["Residents' part"] == 100


async def test_who_may_not_export_is_told_and_nothing_is_sent(harness: Harness) -> None:
    h = harness
    await set_up_grid(h)
    await seed(h)
    await h.send(CADRE, "/start")
    await h.send(ADMIN, f"/grant cadre {CADRE.id}", COMMUNITY_CHAT)
    await h.send(ADMIN, f"/grant cadre {STRANGER.id}", COMMUNITY_CHAT)
    await h.send(ADMIN, "/bind street 月光街道", -1009)
    far = await places.by_chat(h.db, -1009)
    assert far is not None
    h.fake.clear()

    await h.send(RESIDENT, "/export 心愿", GRID_CHAT)
    assert h.fake.last_to(GRID_CHAT).text == zh(
        h, "Only the staff of {place} can export its records.", place="第三网格")
    await h.send(VOLUNTEER, "/export hours")
    assert h.fake.last_to(VOLUNTEER.id).text == en(
        h, "Only the staff of a place can export its records.")
    await h.send(WORKER, f"/export wishes #{far.id}")
    assert h.fake.last_to(WORKER.id).text == en(
        h, "Only the staff of {place} can export its records.", place="月光街道")
    await h.send(CADRE, "/export 日志", COMMUNITY_CHAT)
    assert h.fake.last_to(COMMUNITY_CHAT).text == zh(
        h, "Only an admin of {place} can export its audit log.", place="幸福社区")
    await h.send(WORKER, "/export 考评")
    assert h.fake.last_to(WORKER.id).text == en(
        h, "Only an admin of {place} can export its evaluations.", place="幸福社区")
    await h.send(STRANGER, "/export 心愿", COMMUNITY_CHAT)
    assert h.fake.last_to(COMMUNITY_CHAT).text.startswith(zh(
        h, "I send exports privately, and you have not opened a private chat with me yet. "
           "Tap the button, press Start, then ask again here."))

    for typed, msgid, values in [
        ("/export 东西", "I cannot export “{what}”. ", {"what": "东西"}),
        ("/export 心愿 2026-02-30", "There is no such day as “{day}”. Please write it like "
                                    "2026-11-30.", {"day": "2026-02-30"}),
        ("/export 心愿 #99999", "There is no place #{number}. /places lists yours.",
         {"number": "99999"}),
        ("/export 心愿 阳光社区", "There is no place called “{name}”. /places lists yours.",
         {"name": "阳光社区"}),
    ]:
        await h.send(WORKER, typed)
        assert h.fake.last_to(WORKER.id).text.startswith(en(h, msgid, **values)), typed
    await h.send(WORKER, "/export wishes 2026-11-30 2026-11-01")
    assert h.fake.last_to(WORKER.id).text.startswith("The first day (")
    assert await exported(h, WORKER) == []
    assert await exported(h, STRANGER) == []

    # A cadre may export, without contact details, in Chinese.
    await h.send(CADRE, "/export 心愿", COMMUNITY_CHAT)
    found = sheets((await exported(h, CADRE))[0])
    assert list(found) == [zh(h, "Micro-wishes"), zh(h, "Claims"), zh(h, "Ratings")]
    headers = found[zh(h, "Micro-wishes")][0]
    assert zh(h, "Micro-wish") in headers and zh(h, "Submitted") in headers
    assert not any(zh(h, "Contact phone") in str(header) for header in headers)
    assert PHONE not in str(found)


async def test_exports_beyond_two_wait_their_turn_one_per_person() -> None:
    queue = ExportQueue(at_once=2)
    release = asyncio.Event()
    running: list[int] = []

    def job(person: int) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            running.append(person)
            await release.wait()
        return run

    assert [queue.start(person, job(person)) for person in (1, 2, 3, 4)] == [0, 0, 1, 2]
    assert queue.has(3) and not queue.has(5)
    await asyncio.sleep(0)  # the first two take their turns; the others wait
    assert running == [1, 2]
    release.set()
    await queue.finished()
    assert running == [1, 2, 3, 4] and not queue.has(1)

    # A stopping bot gives up what is still being built; it may be asked again.
    release.clear()
    queue.start(5, job(5))
    await asyncio.sleep(0)
    await queue.stop()
    assert not queue.has(5)
