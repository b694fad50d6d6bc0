"""The duty roster (值班表, AB岗) and pages to the social worker on duty.

A page goes to post A; unacknowledged after the place's ``page_ack_minutes`` it goes to
post B, then to the community chat. Ordinary pages wait for the end of quiet hours; risk and
urgent ones never wait.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, outbox, places
from storage.calendar import after_quiet_hours, local_day
from storage.db import Database
from storage.models import (
    DutyPost,
    DutyShift,
    OutboxMessage,
    Page,
    PageKind,
    Place,
    PlaceKind,
    Question,
)
from storage.places import chain
from storage.series import claim_run
from storage.settings import PlaceSettings, effective

CHAT = "chat"
NEVER_HELD = (PageKind.RISK, PageKind.URGENT)


async def community_of(session: AsyncSession, place: Place) -> Place | None:
    return next((p for p in await chain(session, place) if p.kind == PlaceKind.COMMUNITY), None)


async def on_duty(session: AsyncSession, community_id: int, day: date) -> dict[str, int]:
    """Who holds each post that day: a swap for the date wins over the weekly pattern."""
    shifts = (await session.exec(select(DutyShift).where(
        DutyShift.community_id == community_id,
        (col(DutyShift.day) == day) | (col(DutyShift.weekday) == day.weekday())))).all()
    posts: dict[str, int] = {}
    for shift in sorted(shifts, key=lambda s: s.day is not None):
        posts[shift.post] = shift.person_id
    return posts


async def set_shift(session: AsyncSession, *, community_id: int, post: DutyPost,
                    person_id: int | None, weekday: int | None = None,
                    day: date | None = None, actor_id: int, now: datetime) -> None:
    """Put someone on a post (weekly, or on one day); ``person_id`` None clears it."""
    await session.exec(delete(DutyShift).where(
        col(DutyShift.community_id) == community_id, col(DutyShift.post) == post,
        col(DutyShift.weekday) == weekday if weekday is not None
        else col(DutyShift.weekday).is_(None),
        col(DutyShift.day) == day if day is not None else col(DutyShift.day).is_(None)))
    if person_id is not None:
        session.add(DutyShift(community_id=community_id, post=post, person_id=person_id,
                              weekday=weekday, day=day))
    await audit.record(session, entity="place", entity_id=community_id, actor_id=actor_id,
                       action="duty", at=now, detail=f"{post}@{day or weekday}={person_id}")


async def roster(db: Database, community_id: int, from_day: date) -> list[DutyShift]:
    async with db.transaction() as session:
        shifts = (await session.exec(select(DutyShift).where(
            DutyShift.community_id == community_id,
            col(DutyShift.day).is_(None) | (col(DutyShift.day) >= from_day)))).all()
    return sorted(shifts, key=lambda s: (s.day or date.min, s.weekday or 0, s.post))


@dataclass(frozen=True)
class PageDue:
    """A page as it now stands, for the notifier to tell its current holder."""

    page: Page
    community: Place
    settings: PlaceSettings
    not_before: datetime
    session: AsyncSession
    passed_on: bool = False  # it comes here because the post before did not acknowledge


PageNotify = Callable[[PageDue], Awaitable[list[OutboxMessage]]]


def _level_after(level: str, posts: dict[str, int], paged: int | None) -> tuple[str, int | None]:
    """The next step of the ladder: A, then B (when someone else holds it), then the chat."""
    if level == "" and DutyPost.A in posts:
        return DutyPost.A, posts[DutyPost.A]
    if level in ("", DutyPost.A) and DutyPost.B in posts and posts[DutyPost.B] != paged:
        return DutyPost.B, posts[DutyPost.B]
    return CHAT, None


async def open_page(session: AsyncSession, *, place: Place, kind: PageKind, now: datetime,
                    notify: PageNotify, wish_id: int | None = None,
                    question_id: int | None = None) -> Page | None:
    """Page the community's duty post A (or whoever comes next), in the caller's transaction."""
    community = await community_of(session, place)
    if community is None or community.id is None:
        return None
    settings = effective(await chain(session, community))
    send_at = now if kind in NEVER_HELD else after_quiet_hours(now, settings.quiet_hours,
                                                               community.timezone)
    posts = await on_duty(session, community.id, local_day(send_at, community.timezone))
    level, person = _level_after("", posts, None)
    page = Page(community_id=community.id, kind=kind, wish_id=wish_id, question_id=question_id,
                level=level, person_id=person, created_at=now,
                next_at=None if level == CHAT else
                send_at + timedelta(minutes=settings.page_ack_minutes))
    session.add(page)
    await session.flush()
    await outbox.add(session, await notify(PageDue(page, community, settings, send_at, session)))
    return page


async def pass_on_unacknowledged(db: Database, *, now: datetime, notify: PageNotify,
                                 limit: int = 1000) -> int:
    """Move every page nobody acknowledged in time one step down the ladder."""
    moved = 0
    while moved < limit:
        async with db.transaction() as session:
            statement = (select(Page).where(col(Page.acknowledged_at).is_(None),
                                            col(Page.next_at) <= now)
                         .order_by(col(Page.next_at)).limit(1))
            if not db.is_sqlite:
                statement = statement.with_for_update(skip_locked=True)
            page = (await session.exec(statement)).first()
            if page is None:
                return moved
            community = await places.get(session, page.community_id)
            assert community is not None
            settings = effective(await chain(session, community))
            posts = await on_duty(session, page.community_id,
                                  local_day(now, community.timezone))
            level, person = _level_after(page.level, posts, page.person_id)
            await session.exec(update(Page).where(
                and_(col(Page.id) == page.id, col(Page.acknowledged_at).is_(None)))
                .values(level=level, person_id=person,
                        next_at=None if level == CHAT else
                        now + timedelta(minutes=settings.page_ack_minutes)))
            await session.refresh(page)
            await outbox.add(session, await notify(PageDue(page, community, settings, now,
                                                           session, passed_on=True)))
            moved += 1
    return moved


class Ack(StrEnum):
    DONE = "done"
    ALREADY = "already"
    NOT_FOUND = "not_found"


async def acknowledge(session: AsyncSession, page_id: int, *, person_id: int, now: datetime) -> Ack:
    done = await session.exec(update(Page).where(
        col(Page.id) == page_id, col(Page.acknowledged_at).is_(None))
        .values(acknowledged_by=person_id, acknowledged_at=now, next_at=None))
    if done.rowcount == 1:
        return Ack.DONE
    return Ack.ALREADY if await session.get(Page, page_id) else Ack.NOT_FOUND


async def acknowledge_wish(session: AsyncSession, wish_id: int, *, person_id: int,
                           now: datetime) -> None:
    """Someone took the wish on: its pages count as acknowledged by them."""
    await session.exec(update(Page).where(
        col(Page.wish_id) == wish_id, col(Page.acknowledged_at).is_(None))
        .values(acknowledged_by=person_id, acknowledged_at=now, next_at=None))


async def alerting_about(session: AsyncSession, wish_id: int) -> Page | None:
    """A risk or urgent page about the wish still going down the ladder, if any."""
    return (await session.exec(select(Page).where(
        col(Page.wish_id) == wish_id, col(Page.acknowledged_at).is_(None),
        col(Page.kind).in_(NEVER_HELD), col(Page.next_at).is_not(None)))).first()


async def stop_escalations(session: AsyncSession, wish_id: int) -> None:
    """The wish was passed up again: its earlier escalation page goes no further."""
    await session.exec(update(Page).where(
        col(Page.wish_id) == wish_id, col(Page.kind) == PageKind.ESCALATION,
        col(Page.acknowledged_at).is_(None)).values(next_at=None))


async def told_of(session: AsyncSession, page_id: int) -> list[int]:
    """The chats a page went to, as it went down the ladder (the outbox remembers)."""
    rows = (await session.exec(select(OutboxMessage.chat_id).where(
        col(OutboxMessage.key).startswith(f"page:{page_id}:")))).all()
    return list(dict.fromkeys(rows))


async def get_page(db: Database, page_id: int) -> Page | None:
    async with db.transaction() as session:
        return await session.get(Page, page_id)


async def ask(session: AsyncSession, *, place: Place, resident_id: int, text: str, now: datetime,
              notify: PageNotify) -> Question | None:
    """Store a resident's question and page the front desk about it."""
    community = await community_of(session, place)
    if community is None:
        return None
    question = Question(community_id=community.id or 0, resident_id=resident_id,
                        text=text.strip(), created_at=now)
    session.add(question)
    await session.flush()
    await open_page(session, place=place, kind=PageKind.QUESTION, now=now, notify=notify,
                    question_id=question.id)
    return question


async def answer(session: AsyncSession, question_id: int, *, staff_id: int, text: str,
                 now: datetime) -> Question | None:
    """The first answer wins; the question's pages count as acknowledged."""
    done = await session.exec(update(Question).where(
        col(Question.id) == question_id, col(Question.answered_at).is_(None))
        .values(answer=text.strip(), answered_by=staff_id, answered_at=now))
    if done.rowcount != 1:
        return None
    await session.exec(update(Page).where(
        col(Page.question_id) == question_id, col(Page.acknowledged_at).is_(None))
        .values(acknowledged_by=staff_id, acknowledged_at=now, next_at=None))
    return await session.get(Question, question_id)


async def page_of_message(db: Database, chat_id: int, message_id: int) -> Page | None:
    """The page a bot message was about (the outbox remembers what it sent where)."""
    async with db.transaction() as session:
        row = (await session.exec(select(OutboxMessage).where(
            OutboxMessage.chat_id == chat_id, OutboxMessage.message_id == message_id,
            col(OutboxMessage.key).startswith("page:")))).first()
        if row is None:
            return None
        return await session.get(Page, int(row.key.split(":")[1]))


async def get_question(db: Database, question_id: int) -> Question | None:
    async with db.transaction() as session:
        return await session.get(Question, question_id)


MorningNotify = Callable[[AsyncSession, Place, dict[str, int], date],
                         Awaitable[list[OutboxMessage]]]
MORNING = "duty_morning"
MORNING_WINDOW = timedelta(hours=4)


async def morning_reminders(db: Database, *, now: datetime, notify: MorningNotify) -> int:
    """Once a local day, after the place's reminder time, tell posts A and B they are on duty."""
    async with db.transaction() as session:
        ids = (await session.exec(select(DutyShift.community_id).distinct())).all()
    sent = 0
    for community_id in ids:
        with suppress(IntegrityError):  # another instance marked the day first
            sent += await _remind_one(db, community_id, now, notify)
    return sent


async def _remind_one(db: Database, community_id: int, now: datetime,
                      notify: MorningNotify) -> int:
    async with db.transaction() as session:
        community = await places.get(session, community_id)
        if community is None:
            return 0
        settings = effective(await chain(session, community))
        today = local_day(now, community.timezone)
        local_now = now.astimezone(ZoneInfo(community.timezone))
        due = datetime.combine(today, time.fromisoformat(settings.duty_reminder_time),
                               local_now.tzinfo)
        if not due <= local_now < due + MORNING_WINDOW:
            return 0  # before the time, or too late in the day for a morning reminder
        if not await claim_run(session, community_id, MORNING, today):
            return 0
        posts = await on_duty(session, community_id, today)
        await outbox.add(session, await notify(session, community, posts, today))
        return 1
