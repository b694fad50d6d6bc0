"""Erasing a person (the right to be forgotten, PIPL art. 47): what identifies them goes, the
rows stay, so every count and report reads as before.

- Their Telegram id is replaced everywhere by a pseudonym (``PSEUDONYMS`` and up, beyond any
  Telegram id): their wishes, claims, hours and reviews still count, as one anonymous person,
  but nothing leads back to their account. Writing to the bot again, they are someone new.
- Their name, username, language, contact details (a volunteer's phone, a wish's phone and
  address) and the words they wrote (wishes, comments, questions, service descriptions,
  topics, reasons, answers, what a form held, failed updates, audit details) are emptied;
  photos and voice messages of their wishes, or added by them, are deleted (the file id is
  all the bot keeps).
- The bodies of updates still being handled are dropped: Telegram's update is kept until it
  is handled, and may quote them.
- Their roles, duty shifts and command menus are deleted, they leave the members of every
  meeting, and their volunteer record is kept for the counts but never pinged or named on an
  honour roll; messages still waiting to be sent to them are deleted and those sent lose
  their text.
- Last, every text column of every table is scrubbed of their name, @username, phones,
  addresses and texts, wherever someone else copied them (a notice, a card, minutes).

``PERSON_COLUMNS`` names every column that holds a person's id; ``NOT_PERSON_COLUMNS`` every
other 64-bit column. A test fails when a table gains a 64-bit column in neither list, so that
a new place where people are kept is never missed.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BigInteger, String, Text, delete, func, literal, or_, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import members
from storage.models import (
    Attendance,
    AuditEntry,
    ClosedMonth,
    CommandMenu,
    DutyShift,
    EvaluationComment,
    FailedUpdate,
    FsmRecord,
    MeetingSeries,
    MeetingTopic,
    OutboxMessage,
    OutboxState,
    PartnerReview,
    Person,
    ProcessedUpdate,
    ProposalScore,
    Question,
    Rating,
    RoleGrant,
    Rsvp,
    ServiceLog,
    StaffReview,
    Volunteer,
    Wish,
    WishMedia,
)
from storage.retention import error_kind

PSEUDONYMS = 2**62  # Telegram ids stay far below (52 bits); a pseudonym is 2**62 + 61 bits
ERASED = "***"  # what stands where their name or words were copied into someone's text

# table name -> columns holding a person's id
PERSON_COLUMNS: dict[str, tuple[str, ...]] = {
    "person": ("id",),
    "rolegrant": ("person_id", "granted_by"),
    "wish": ("resident_id", "claimer_id"),
    "wish_media": ("added_by",),
    "claim": ("volunteer_id",),
    "rating": ("resident_id", "volunteer_id"),
    "audit_log": ("actor_id",),
    "failedupdate": ("person_id",),
    "duty_shift": ("person_id",),
    "page": ("person_id", "acknowledged_by"),
    "question": ("resident_id", "answered_by"),
    "volunteer": ("person_id", "decided_by"),
    "volunteer_grid": ("person_id",),
    "volunteer_ping": ("person_id",),
    "service_log": ("person_id", "decided_by"),
    "meeting_series": ("host_id",),
    "meeting_topic": ("proposer_id",),
    "attendance": ("person_id",),
    "action_item": ("owner_id",),
    "rsvp": ("person_id", "substitute_id"),
    "grid_member": ("person_id",),
    "eval_staff_review": ("worker_id", "reviewer_id"),
    "eval_partner_review": ("worker_id", "reviewer_id"),
    "eval_comment": ("person_id",),
    "eval_closed_month": ("closed_by",),
    "command_menu": ("person_id",),
    "council_matter": ("opened_by", "closed_by"),
    "council_comment": ("person_id",),
    "council_vote": ("person_id",),
    "venture_round": ("opened_by",),
    "venture_reviewer": ("person_id", "named_by"),
    "venture_proposal": ("rep_id",),
    "venture_score": ("reviewer_id",),
    "venture_progress": ("author_id",),
    "venture_rating": ("resident_id",),
}
# 64-bit columns that hold something else: chats (a private chat's id is its person's: those
# rows are handled one by one below), messages, updates, and the audit's entity ids.
NOT_PERSON_COLUMNS: dict[str, tuple[str, ...]] = {
    "place": ("chat_id",),
    "wish_post": ("chat_id",),
    "audit_log": ("entity_id",),
    "failedupdate": ("update_id", "chat_id"),
    "outbox": ("chat_id",),
    "meeting": ("notice_chat_id",),
    "processed_update": ("update_id",),
    "command_menu": ("chat_id",),
    "council_matter": ("post_chat_id",),
    # Money, in fen.
    "venture_round": ("budget_fen", "cap_fen"),
    "venture_proposal": ("budget_fen",),
    "venture_budget_line": ("amount_fen",),
}
# Audit rows whose entity is a person.
PERSON_ENTITIES = ("role", "volunteer")
_SHORT = 16  # String columns this short hold codes (states, kinds, locales), never names
_UNSENT = (OutboxState.PENDING, OutboxState.SENDING)


@dataclass
class Erased:
    """What erasing a person did."""

    pseudonym: int
    grid_ids: list[int]
    personal: list[str] = field(default_factory=list)  # what was scrubbed from every text


async def new_pseudonym(session: AsyncSession) -> int:
    while True:
        candidate = PSEUDONYMS + secrets.randbelow(2**61)
        if await session.get(Person, candidate) is None:
            return candidate


async def personal_strings(session: AsyncSession, person_id: int) -> list[str]:
    """Their name, @username, phones, addresses and the texts they wrote: what must not stay
    anywhere once they are erased (longest first, so a name inside a text goes with it)."""
    person = await session.get(Person, person_id)
    volunteer = await session.get(Volunteer, person_id)
    found: list[str | None] = []
    if person is not None:
        found += [person.full_name, f"@{person.username}" if person.username else None]
    if volunteer is not None:
        found += [volunteer.real_name, volunteer.phone, volunteer.other_skill, volunteer.answer]
    for wish in (await session.exec(select(Wish).where(Wish.resident_id == person_id))).all():
        found += [wish.text, wish.contact_phone, wish.contact_address]
    for text in (await session.exec(select(Question.text).where(
            Question.resident_id == person_id))).all():
        found.append(text)
    for comment in (await session.exec(select(Rating.comment).where(
            Rating.resident_id == person_id))).all():
        found.append(comment)
    strings = {s.strip() for s in found if s and _specific(s.strip())}
    return sorted(strings, key=len, reverse=True)


def _specific(text: str) -> bool:
    """Long enough not to be part of everyone's words: two Chinese characters, or four
    letters ("Li" alone would be scrubbed from every "click")."""
    if text.startswith("#"):  # a placeholder name: the id, which is replaced anyway
        return False
    return len(text) >= (4 if text.isascii() else 2)


async def erase(session: AsyncSession, person_id: int) -> Erased:
    """Erase the person in the caller's transaction (see the module's docstring). Their open
    wishes and claims are ended by the use case first."""
    grid_ids = [grid.id for grid in await members.grids_of(session, person_id) if grid.id]
    personal = await personal_strings(session, person_id)
    pseudonym = await new_pseudonym(session)
    await _empty_their_words(session, person_id)
    await _drop_what_only_serves_them(session, person_id)
    await _erase_their_messages(session, person_id, pseudonym)
    await _drop_updates_in_flight(session)
    await _replace_id(session, person_id, pseudonym)
    await _scrub_texts(session, personal)
    await _scrub_json(session, person_id, pseudonym, personal)
    return Erased(pseudonym, grid_ids, personal)


async def _empty_their_words(session: AsyncSession, person_id: int) -> None:
    their_wishes = select(Wish.id).where(Wish.resident_id == person_id).scalar_subquery()
    steps: list[Any] = [
        update(Person).where(col(Person.id) == person_id).values(
            full_name="", username=None, language_code=None, locale=None, menu_locale=None,
            reachable=False),
        # Kept for the counts, never again pinged about a wish nor named on an honour roll.
        update(Volunteer).where(col(Volunteer.person_id) == person_id).values(
            real_name="", phone=None, other_skill=None, reason=None, answer=None, pings=False,
            public=False),
        update(Wish).where(col(Wish.resident_id) == person_id).values(
            text="", contact_phone=None, contact_address=None, reject_reason=None,
            adopted_note=None, source_key=None),
        update(Rating).where(col(Rating.resident_id) == person_id).values(comment=None),
        update(Question).where(col(Question.resident_id) == person_id).values(
            text="", answer=None),
        update(ServiceLog).where(col(ServiceLog.person_id) == person_id).values(description=""),
        update(MeetingTopic).where(or_(col(MeetingTopic.proposer_id) == person_id,
                                       col(MeetingTopic.wish_id).in_(their_wishes)))
        .values(text="", note=None),
        # A reason given is what makes an absence excused: its words go, the fact stays.
        update(Attendance).where(col(Attendance.person_id) == person_id,
                                 col(Attendance.reason).is_not(None)).values(reason=ERASED),
        update(Rsvp).where(col(Rsvp.person_id) == person_id,
                           col(Rsvp.reason).is_not(None)).values(reason=ERASED),
        update(AuditEntry).where(or_(
            col(AuditEntry.actor_id) == person_id,
            (col(AuditEntry.entity) == "wish") & col(AuditEntry.entity_id).in_(their_wishes),
            col(AuditEntry.entity).in_(PERSON_ENTITIES) & (col(AuditEntry.entity_id) == person_id)
        )).values(detail=None),
        delete(WishMedia).where(or_(col(WishMedia.added_by) == person_id,
                                    col(WishMedia.wish_id).in_(their_wishes))),
    ]
    for step in steps:
        await session.exec(step)
    await _empty_evaluation_words(session, person_id)


async def _empty_evaluation_words(session: AsyncSession, person_id: int) -> None:
    """Their comment on their evaluation, and notes they wrote in reviews."""
    await session.exec(update(EvaluationComment).where(
        col(EvaluationComment.person_id) == person_id).values(text=""))
    for review in (StaffReview, PartnerReview):
        await session.exec(update(review).where(
            col(review.reviewer_id) == person_id).values(note=None))
    await session.exec(update(ProposalScore).where(
        col(ProposalScore.reviewer_id) == person_id).values(note=None))


async def _drop_what_only_serves_them(session: AsyncSession, person_id: int) -> None:
    """Roles, duty shifts, menus and form state: they acted as a person, who is gone."""
    for table, column in ((RoleGrant, RoleGrant.person_id), (DutyShift, DutyShift.person_id),
                          (CommandMenu, CommandMenu.person_id)):
        await session.exec(delete(table).where(col(column) == person_id))
    await session.exec(delete(FsmRecord).where(or_(
        col(FsmRecord.key).like(f"%:{person_id}:%"), col(FsmRecord.key).endswith(
            f":{person_id}"))))


async def _erase_their_messages(session: AsyncSession, person_id: int, pseudonym: int) -> None:
    await session.exec(delete(OutboxMessage).where(
        col(OutboxMessage.chat_id) == person_id, col(OutboxMessage.state).in_(_UNSENT)))
    await session.exec(update(OutboxMessage).where(col(OutboxMessage.chat_id) == person_id)
                       .values(chat_id=pseudonym, text="", markup=None, on_undeliverable=None))
    failed = (await session.exec(select(FailedUpdate).where(or_(
        col(FailedUpdate.person_id) == person_id,
        col(FailedUpdate.chat_id) == person_id)))).all()
    for row in failed:
        row.payload, row.text, row.chat_id, row.person_id = "", None, None, None
        row.error = error_kind(row.error)
        session.add(row)
    await session.flush()


async def _drop_updates_in_flight(session: AsyncSession) -> None:
    """Updates taken in and not yet handled keep Telegram's whole update until they are, and
    any of them may be theirs or quote them (a button under a card with their wish): every
    body goes. Those updates are still handled where they are; only an instance killed while
    handling one would have needed its body (bot.inflight)."""
    await session.exec(update(ProcessedUpdate).where(col(ProcessedUpdate.body).is_not(None))
                       .values(body=None))


async def _replace_id(session: AsyncSession, person_id: int, pseudonym: int) -> None:
    tables = SQLModel.metadata.tables
    for name, columns in PERSON_COLUMNS.items():
        table = tables.get(name)
        if table is None:
            continue
        for column in columns:
            await session.exec(update(table).where(table.c[column] == person_id)
                               .values({column: pseudonym}))
    await session.exec(update(AuditEntry).where(
        col(AuditEntry.entity).in_(PERSON_ENTITIES), col(AuditEntry.entity_id) == person_id)
        .values(entity_id=pseudonym))
    for column in (AuditEntry.detail, OutboxMessage.on_undeliverable):
        await _replace_id_in_text(session, column, person_id, pseudonym)


async def _replace_id_in_text(session: AsyncSession, column: Any, person_id: int,
                              pseudonym: int) -> None:
    """Ids written into words ("to=<person> claim=<claim>" in the relay's audit rows, who
    hears of a bounced answer): the whole number only, not one that merely contains it."""
    table = column.class_
    (key,) = [c for c in table.__table__.primary_key.columns]
    whole = re.compile(rf"(?<!\d){person_id}(?!\d)")
    found = (await session.exec(select(key, column).where(
        col(column).like(f"%{person_id}%")))).all()
    for row_id, text in found:
        replaced = whole.sub(str(pseudonym), text)
        if replaced != text:
            await session.exec(update(table).where(key == row_id)
                               .values({column.key: replaced}))


def _text_columns() -> Iterable[tuple[Any, Any]]:
    for table in SQLModel.metadata.tables.values():
        for column in table.columns:
            if column.primary_key or column.unique or column.name in ("key", "source_key"):
                continue
            kind = column.type
            if isinstance(kind, Text) or (isinstance(kind, String) and (kind.length or 0) > _SHORT):
                yield table, column


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def _scrub_texts(session: AsyncSession, personal: Sequence[str]) -> None:
    """Replace what is personal wherever someone copied it (one statement per column)."""
    if not personal:
        return
    for table, column in _text_columns():
        scrubbed: ColumnElement[Any] = column
        for text in personal:
            scrubbed = func.replace(scrubbed, literal(text), literal(ERASED))
        await session.exec(update(table).where(or_(
            *[column.like(_like(text), escape="\\") for text in personal]))
            .values({column.name: scrubbed}))


def _scrubbed(value: Any, person_id: int, pseudonym: int, personal: Sequence[str]) -> Any:
    if isinstance(value, dict):
        return {_scrubbed(k, person_id, pseudonym, personal):
                _scrubbed(v, person_id, pseudonym, personal) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v, person_id, pseudonym, personal) for v in value]
    if isinstance(value, bool):
        return value
    if value == person_id or value == str(person_id):
        return type(value)(pseudonym)
    if isinstance(value, str):
        for text in personal:
            value = value.replace(text, ERASED)
    return value


async def _scrub_json(session: AsyncSession, person_id: int, pseudonym: int,
                      personal: Sequence[str]) -> None:
    """The meetings they are a member of, and closed months of evaluation, name them in
    JSON: both tables are small, so they are read whole. They are no longer a member of any
    meeting (nobody would hear its notices); a closed month keeps their result, anonymous."""
    for series in (await session.exec(select(MeetingSeries))).all():
        if person_id in series.member_ids:
            series.member_ids = [i for i in series.member_ids if i != person_id]
            session.add(series)
    for month in (await session.exec(select(ClosedMonth))).all():
        results = _scrubbed(month.results, person_id, pseudonym, personal)
        if results != month.results:
            month.results = results
            session.add(month)
    await session.flush()


def unclassified_columns() -> list[str]:
    """64-bit columns in neither list, and columns of the lists that are no table's (a test
    keeps this empty)."""
    known = {(t, c) for lists in (PERSON_COLUMNS, NOT_PERSON_COLUMNS)
             for t, cs in lists.items() for c in cs}
    tables = SQLModel.metadata.tables
    there = {(table.name, column.name) for table in tables.values() for column in table.columns
             if isinstance(column.type, BigInteger)}
    return sorted(f"{table}.{column}" for table, column in there ^ known)
