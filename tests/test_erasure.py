"""Erasing a person (storage.erasure) on SQLite and PostgreSQL: afterwards no table holds
their name, username, phone, address, words or Telegram id, and the report's counts are as
they were."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

from sqlalchemy import BigInteger, func, select
from sqlmodel import SQLModel

from storage import erasure, places
from storage.db import Database
from storage.models import (
    ActionItem,
    Attendance,
    AuditEntry,
    Claim,
    ClosedMonth,
    CommandMenu,
    DutyShift,
    EvaluationComment,
    FailedUpdate,
    FsmRecord,
    GridMember,
    Meeting,
    MeetingSeries,
    MeetingTopic,
    OutboxMessage,
    OutboxState,
    Page,
    PartnerReview,
    Person,
    PlaceKind,
    ProcessedUpdate,
    Question,
    Rating,
    RoleGrant,
    Rsvp,
    ServiceLog,
    StaffReview,
    Volunteer,
    VolunteerGrid,
    VolunteerPing,
    Wish,
    WishMedia,
)
from storage.reports import figures, places_below
from tests.harness import START

FANG, QIAN, ZHOU = 7_700_001, 7_700_002, 7_700_003  # erased; a social worker; a resident
NAME, USERNAME, PHONE = "方晓梅", "fang_xm", "013812345678"
WISH_PHONE, ADDRESS = "13900001111", "幸福路8号3单元"
WISH_TEXT, QUESTION, COMMENT = "请帮我买降压药，下午在家", "社区食堂几点开门？", "钱社工很耐心"
PERSONAL = [NAME, f"@{USERNAME}", PHONE, WISH_PHONE, ADDRESS, WISH_TEXT, QUESTION, COMMENT]
DELETED = {"rolegrant", "duty_shift", "command_menu", "wish_media", "fsm_state"}


async def seed(db: Database) -> tuple[int, int]:
    """Fang as resident, volunteer, member of a meeting and evaluated; others' rows that copy
    her name and words. Returns the grid and the community."""
    street = await places.bind(db, chat_id=-21, kind=PlaceKind.STREET, name="街道",
                               parent_id=None, timezone="Asia/Shanghai", actor_id=1, now=START)
    community = await places.bind(db, chat_id=-22, kind=PlaceKind.COMMUNITY, name="社区",
                                  parent_id=street.place.id, timezone="Asia/Shanghai",
                                  actor_id=1, now=START)
    grid = await places.bind(db, chat_id=-23, kind=PlaceKind.GRID, name="网格",
                             parent_id=community.place.id, timezone="Asia/Shanghai",
                             actor_id=1, now=START)
    grid_id, community_id, street_id = grid.place.id, community.place.id, street.place.id
    later = START + timedelta(hours=2)
    async with db.transaction() as session:
        session.add_all([
            Person(id=FANG, full_name=NAME, username=USERNAME, language_code="zh-hans",
                   created_at=START),
            Person(id=QIAN, full_name="钱社工", created_at=START),
            Person(id=ZHOU, full_name="周大爷", created_at=START),
            RoleGrant(person_id=FANG, place_id=grid_id, role="volunteer", granted_by=QIAN,
                      granted_at=START),
            Volunteer(person_id=FANG, real_name=NAME, phone=PHONE, status="approved",
                      answer=f"我是{NAME}", applied_at=START, consented_at=START),
            VolunteerGrid(person_id=FANG, grid_id=grid_id),
            GridMember(person_id=FANG, grid_id=grid_id, since=START),
            Wish(id=501, grid_id=grid_id, resident_id=FANG, text=WISH_TEXT, category="elderly",
                 contact_phone=WISH_PHONE, contact_address=ADDRESS, state="closed",
                 claimer_id=QIAN, created_at=START, opened_at=START, claimed_at=START,
                 fulfilled_at=later, closed_at=later),
            Wish(id=502, grid_id=grid_id, resident_id=ZHOU, text="修水管", category="daily_life",
                 state="closed", claimer_id=FANG, created_at=START, opened_at=START,
                 claimed_at=START, fulfilled_at=later, closed_at=later),
        ])
        await session.flush()
        session.add_all([
            Claim(id=601, wish_id=501, volunteer_id=QIAN, claimed_at=START, ended_at=later,
                  outcome="fulfilled"),
            Claim(id=602, wish_id=502, volunteer_id=FANG, claimed_at=START, ended_at=later,
                  outcome="fulfilled"),
            WishMedia(wish_id=501, kind="photo", purpose="wish", file_id="AgAD-fang",
                      added_by=FANG, added_at=START),
            VolunteerPing(person_id=FANG, wish_id=502, day=date(2026, 11, 25), sent_at=START),
            Question(community_id=community_id, resident_id=FANG, text=QUESTION,
                     answer=f"{NAME}您好，11点", answered_by=QIAN, answered_at=later,
                     created_at=START),
            Page(community_id=community_id, kind="question", level="A", person_id=FANG,
                 acknowledged_by=FANG, acknowledged_at=later, created_at=START),
            DutyShift(community_id=community_id, weekday=2, post="A", person_id=FANG),
            ServiceLog(person_id=FANG, grid_id=grid_id, wish_id=502, served_on=date(2026, 11, 25),
                       minutes=90, description=f"{NAME}帮周大爷修水管", state="confirmed",
                       logged_at=later),
            MeetingSeries(id=701, place_id=community_id, title="联席会议", rule="weekly",
                          weekday=2, start_time="19:00", host_id=QIAN,
                          member_ids=[FANG, QIAN], created_at=START),
            AuditEntry(entity="volunteer", entity_id=FANG, actor_id=FANG, action="answer",
                       detail=f"我是{NAME}，电话{PHONE}", at=START),
            AuditEntry(entity="wish", entity_id=501, actor_id=QIAN, action="claim", at=START,
                       detail=f"to={FANG}"),
            AuditEntry(entity="wish", entity_id=502, actor_id=ZHOU, action="relay", at=START,
                       detail=f"to={FANG} claim=602 to={FANG}1"),
            FsmRecord(key=f"fsm:42:{FANG}:{FANG}:default", state="WishForm:text",
                      data={"text": WISH_TEXT}),
            # Being handled: Telegram's update, their name and words in it (storage.updates).
            ProcessedUpdate(update_id=10, received_at=START, held_until=START, body={
                "update_id": 10, "message": {"from": {"id": FANG, "first_name": NAME},
                                             "chat": {"id": FANG}, "text": WISH_TEXT}}),
            ProcessedUpdate(update_id=11, received_at=START, held_until=START, body={
                "update_id": 11, "message": {"from": {"id": QIAN}, "chat": {"id": QIAN},
                                             "text": "/start"}}),
            FailedUpdate(update_id=9, chat_id=FANG, person_id=FANG, text=WISH_TEXT,
                         payload=json.dumps({"text": WISH_TEXT}, ensure_ascii=False),
                         error=f"ValueError('{NAME}')", created_at=START),
            OutboxMessage(key="sent>1", chat_id=FANG, text=f"{NAME}，您好", state="sent",
                          markup={"inline_keyboard": []}, not_before=START, created_at=START),
            OutboxMessage(key="due>1", chat_id=FANG, text="提醒", state=OutboxState.PENDING,
                          not_before=START, created_at=START),
            OutboxMessage(key="card>2", chat_id=QIAN, text=f"{NAME}：{WISH_TEXT}（{ADDRESS}）",
                          state="sent", wish_id=501, not_before=START, created_at=START),
            StaffReview(street_id=street_id, month="2026-11", worker_id=FANG, reviewer_id=QIAN,
                        scores={"attitude": 5}, note=f"{NAME}工作认真", at=START),
            PartnerReview(street_id=street_id, month="2026-11", worker_id=QIAN,
                          reviewer_id=FANG, role="volunteer_rep", score=4, note="合作愉快",
                          at=START),
            EvaluationComment(street_id=street_id, month="2026-11", person_id=FANG,
                              text=f"我是{NAME}，谢谢", at=START),
            ClosedMonth(street_id=street_id, month="2026-10", closed_by=QIAN, closed_at=START,
                        results={"workers": {str(FANG): {"name": NAME, "total": 88.5}}}),
            CommandMenu(person_id=FANG, chat_id=FANG, digest="x"),
        ])
        await session.flush()
        session.add_all([
            Rating(wish_id=501, claim_id=601, resident_id=FANG, volunteer_id=QIAN, score=5,
                   comment=COMMENT, created_at=later),
            Rating(wish_id=502, claim_id=602, resident_id=ZHOU, volunteer_id=FANG, score=4,
                   comment=f"{NAME}来得很快", created_at=later),
            Meeting(id=801, series_id=701, planned_at=START, starts_at=START,
                    minutes=f"{NAME}介绍了{ADDRESS}的情况", decisions="下周回访"),
        ])
        await session.flush()
        session.add_all([
            MeetingTopic(meeting_id=801, proposer_id=FANG, text="楼道灯坏了", created_at=START),
            MeetingTopic(meeting_id=801, wish_id=501, text=WISH_TEXT, created_at=START),
            Attendance(meeting_id=801, person_id=FANG, present=False, reason="出差"),
            Rsvp(meeting_id=801, person_id=FANG, answer="absent", reason="出差",
                 answered_at=START),
            ActionItem(meeting_id=801, owner_id=FANG, text=f"回访{NAME}家的邻居",
                       due_on=date(2026, 12, 1), created_at=START),
        ])
    return grid_id, street_id


async def row_counts(db: Database) -> dict[str, int]:
    async with db.transaction() as session:
        return {name: (await session.exec(select(func.count()).select_from(table))).one()[0]
                for name, table in SQLModel.metadata.tables.items()}


async def month_figures(db: Database, place_ids: list[int]) -> Any:
    async with db.transaction() as session:
        return await figures(session, place_ids, START - timedelta(days=30),
                             START + timedelta(days=30), timezone="Asia/Shanghai")


def personal_in(value: Any) -> list[str]:
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, str):
        return []
    return [text for text in PERSONAL if text in value] + (
        [str(FANG)] if re.search(rf"(?<!\d){FANG}(?!\d)", value) else [])


async def test_nothing_personal_is_left_in_any_table_and_the_counts_stay(db: Database) -> None:
    assert erasure.unclassified_columns() == [], "a new column of person ids: name it in " \
        "storage.erasure"
    grid_id, street_id = await seed(db)
    async with db.transaction() as session:
        ids = list(await places_below(session, street_id))
    before, counted = await row_counts(db), await month_figures(db, ids)

    async with db.transaction() as session:
        done = await erasure.erase(session, FANG)
    assert done.grid_ids == [grid_id]

    found: list[str] = []
    async with db.transaction() as session:
        for name, table in SQLModel.metadata.tables.items():
            for row in (await session.exec(select(table))).mappings():
                for column, value in row.items():
                    if isinstance(table.c[column].type, BigInteger) and value == FANG:
                        found.append(f"{name}.{column}: the Telegram id")
                    found += [f"{name}.{column}: {text}" for text in personal_in(value)]
    assert found == []
    after = await row_counts(db)
    assert {name: after[name] for name in after if name not in DELETED} == {
        name: before[name] - (name == "outbox") for name in before if name not in DELETED}
    assert after["rolegrant"] == after["duty_shift"] == after["command_menu"] == 0
    assert await month_figures(db, ids) == counted
    async with db.transaction() as session:
        anonymous = await session.get(Person, done.pseudonym)
        series = await session.get(MeetingSeries, 701)
        relayed = (await session.exec(select(AuditEntry.detail).where(
            AuditEntry.action == "relay"))).one()[0]
    assert anonymous is not None and anonymous.full_name == "" and anonymous.username is None
    assert series is not None and series.member_ids == [QIAN]
    assert relayed == f"to={done.pseudonym} claim=602 to={FANG}1", "another id stays whole"
    async with db.transaction() as session:
        bodies = (await session.exec(select(ProcessedUpdate.body))).scalars().all()
    assert bodies == [None, None], "another's update in flight may quote them: no body stays"

