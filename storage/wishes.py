"""Micro-wishes (微心愿): the state machine and every move through it.

Each move is one conditional UPDATE that names the state it expects, so of two people acting
at once exactly one wins, on SQLite and PostgreSQL alike. The audit row is written in the
same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, bindparam, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, places, risk, words
from storage.calendar import add_hours
from storage.db import Database, Prepared, insert_for
from storage.models import (
    CLAIM_FULFILLED,
    Category,
    Claim,
    Place,
    PlaceKind,
    Rating,
    Tier,
    Wish,
    WishPost,
    WishState,
)
from storage.places import chain
from storage.privacy import first_phone
from storage.settings import PlaceSettings, effective

if TYPE_CHECKING:
    from storage.quotas import Hold  # which imports this module

MAX_TEXT = 500
MAX_COMMENT = 500
MAX_REASON = 300
LIVE_STATES = (WishState.SUBMITTED, WishState.OPEN, WishState.CLAIMED, WishState.FULFILLED)
WITHDRAWABLE = (WishState.SUBMITTED, WishState.OPEN, WishState.CLAIMED)
REJECTABLE = (WishState.SUBMITTED, WishState.OPEN)
NOT_SOLVED_BELOW = 3  # a rating of 1–2 means "not solved"
SOLVED_FROM = 4  # 4–5 "solved"; 3 "partly solved"
NO_CLAIM_TIMERS: dict[str, Any] = {"claim_remind_at": None, "claim_release_at": None}
NO_CLAIMER: dict[str, Any] = {"claimer_id": None, "claimed_at": None, "taken_on": False}


class Result(StrEnum):
    OK = "ok"
    NOT_FOUND = "not_found"
    WRONG_STATE = "wrong_state"
    NOT_YOURS = "not_yours"
    OWN_WISH = "own_wish"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NOT_A_GRID = "not_a_grid"
    PASSED_ON = "passed_on"
    # Answers of the use cases (usecases.wishes) for who may not act.
    NOT_ALLOWED = "not_allowed"
    PAUSED = "paused"  # a volunteer who paused
    SUSPENDED = "suspended"  # a volunteer whose service is suspended
    # Limits on people (storage.quotas): the Outcome's ``hold`` says which and until when.
    TOO_MANY = "too_many"
    REPEATED = "repeated"


@dataclass(frozen=True)
class Outcome:
    result: Result
    wish: Wish | None = None
    previous_claimer: int | None = None
    duplicate: bool = False
    # The audit row of the move: notices about it are keyed by it, so they go out once.
    event_id: int | None = None
    hold: Hold | None = None  # TOO_MANY, REPEATED: why, and when to try again
    # A new wish that is urgent or a risk alert: True when someone on duty (or the community
    # chat) was paged, False when nobody could be; None for any other wish.
    alerted: bool | None = None

    @property
    def ok(self) -> bool:
        return self.result is Result.OK


@dataclass(frozen=True)
class Draft:
    """What a resident wrote, before it becomes a wish."""

    text: str
    category: Category = Category.OTHER
    urgent: bool = False
    phone: str | None = None
    address: str | None = None


def check_text(text: str, limit: int = MAX_TEXT) -> Result:
    return Result(words.check(text, limit))


async def submit(session: AsyncSession, *, grid_id: int, resident_id: int, draft: Draft,
                 now: datetime, source_key: str | None = None) -> Outcome:
    """Store the wish; it opens at once unless its community wants it verified first.

    The same ``source_key`` twice gives back the first wish, marked as a duplicate.
    """
    checked = check_text(draft.text)
    if checked is not Result.OK:
        return Outcome(checked)
    if source_key is not None and (earlier := await by_source(session, source_key)) is not None:
        return Outcome(Result.OK, earlier, duplicate=True)
    return await _insert(session, grid_id, resident_id, draft, now, source_key)


_BY_SOURCE = select(Wish).where(col(Wish.source_key) == bindparam("source_key"))
# A wish from a source stored meanwhile (a double tap on Submit) is not stored again; the
# statement then returns nothing instead of failing the transaction.
_ADD = Prepared(lambda dialect: insert_for(dialect)(Wish)
                .on_conflict_do_nothing(index_elements=["source_key"]).returning(Wish))


async def by_source(session: AsyncSession, source_key: str) -> Wish | None:
    """The wish stored from this message or form, if any."""
    return (await session.exec(_BY_SOURCE, params={"source_key": source_key})).first()


async def _insert(session: AsyncSession, grid_id: int, resident_id: int, draft: Draft,
                  now: datetime, source_key: str | None) -> Outcome:
    grid = await places.get(session, grid_id)
    if grid is None or grid.kind != PlaceKind.GRID:
        return Outcome(Result.NOT_A_GRID)
    settings = effective(await chain(session, grid))
    found = risk.of_settings(settings.risk_words, settings.risk_words_off).find(draft.text)
    draft_row = Wish(grid_id=grid_id, resident_id=resident_id, text=draft.text.strip(),
                     category=_category(draft, found), urgent=draft.urgent,
                     risk=risk.reason(found), contact_phone=draft.phone or first_phone(draft.text),
                     contact_address=draft.address,
                     state=WishState.SUBMITTED, created_at=now, source_key=source_key)
    if not settings.verify:
        _open(draft_row, now, grid_deadline(now, settings, grid.timezone))
    wish = (await session.exec(_ADD.on(session),
                               params=draft_row.model_dump(exclude={"id"}))).scalar()
    if wish is None:
        return Outcome(Result.OK, await by_source(session, source_key or ""), duplicate=True)
    event = await audit.record(session, entity="wish", entity_id=wish.id or 0,
                               actor_id=resident_id, action="submit", at=now,
                               to_state=wish.state)
    return Outcome(Result.OK, wish, event_id=event)


def _category(draft: Draft, found: risk.Risk | None) -> str:
    """The kind of help chosen, or, for "other" (a one-line /wish has no other), the kind a
    risk alert tells of (an elder who fell: elderly care)."""
    if draft.category == Category.OTHER and found is not None and found.category is not None:
        return found.category
    return draft.category


def grid_deadline(now: datetime, settings: PlaceSettings, timezone: str) -> datetime:
    return add_hours(now, settings.grid_deadline_hours, timezone,
                     working_days=settings.working_days)


def fresh_deadline(wish: Wish, now: datetime, settings: PlaceSettings,
                   timezone: str) -> dict[str, Any]:
    """A wish open again gets a new deadline at its tier, so it is not passed up at once."""
    if wish.tier == Tier.COMMUNITY:
        return {"community_deadline_at": add_hours(now, settings.community_deadline_hours,
                                                   timezone, working_days=settings.working_days)}
    if wish.tier == Tier.GRID:
        return {"grid_deadline_at": grid_deadline(now, settings, timezone)}
    return {}


async def _reopened(session: AsyncSession, wish_id: int, now: datetime) -> dict[str, Any]:
    wish = await session.get(Wish, wish_id)
    grid = await _grid_of_wish(session, wish_id)
    if wish is None or grid is None:
        return {}
    return fresh_deadline(wish, now, effective(await chain(session, grid)), grid.timezone)


def _open(wish: Wish, now: datetime, deadline: datetime) -> None:
    wish.state = WishState.OPEN
    wish.opened_at = now
    wish.grid_deadline_at = deadline


async def _move(
    session: AsyncSession,
    wish_id: int,
    *,
    expected: Iterable[WishState],
    to: WishState,
    actor_id: int | None,
    action: str,
    now: datetime,
    conditions: Iterable[ColumnElement[bool]] = (),
    values: dict[str, Any] | None = None,
    detail: str | None = None,
) -> Outcome:
    """A wish's move, as ``audit.move`` makes it."""
    expected = list(expected)
    before = await session.get(Wish, wish_id)
    if before is None:
        return Outcome(Result.NOT_FOUND)
    event = await audit.move(session, before, entity="wish", expected=expected, to=to,
                             actor_id=actor_id, action=action, at=now, conditions=conditions,
                             values=values, detail=detail)
    if event is None:
        result = Result.WRONG_STATE if before.state not in expected else Result.NOT_YOURS
        return Outcome(result, before)
    return Outcome(Result.OK, before, event_id=event)


async def _settings_of_wish(session: AsyncSession, wish_id: int) -> PlaceSettings | None:
    grid = await _grid_of_wish(session, wish_id)
    return None if grid is None else effective(await chain(session, grid))


async def _grid_of_wish(session: AsyncSession, wish_id: int) -> Place | None:
    wish = await session.get(Wish, wish_id)
    return await places.get(session, wish.grid_id) if wish is not None else None


async def approve(session: AsyncSession, wish_id: int, *, actor_id: int, now: datetime) -> Outcome:
    grid = await _grid_of_wish(session, wish_id)
    if grid is None:
        return Outcome(Result.NOT_FOUND)
    settings = effective(await chain(session, grid))
    return await _move(
        session, wish_id, expected=[WishState.SUBMITTED], to=WishState.OPEN,
        actor_id=actor_id, action="approve", now=now,
        values={"opened_at": now,
                "grid_deadline_at": grid_deadline(now, settings, grid.timezone)},
    )


async def reject(session: AsyncSession, wish_id: int, *, actor_id: int, reason: str,
                 now: datetime) -> Outcome:
    checked = check_text(reason, MAX_REASON)
    if checked is not Result.OK:
        return Outcome(checked)
    return await _move(
        session, wish_id, expected=REJECTABLE, to=WishState.REJECTED, actor_id=actor_id,
        action="reject", now=now, values={"reject_reason": reason.strip(), "closed_at": now},
        detail=reason.strip(),
    )


async def claim(session: AsyncSession, wish_id: int, *, volunteer_id: int, now: datetime,
                tier: Tier = Tier.GRID, note: str | None = None) -> Outcome:
    """Exactly one of any number of simultaneous claims wins. ``tier`` is the tier the
    claimer's button belongs to (volunteers in the grid, staff and organisations in the
    community, the street office adopting a project with a ``note``): a wish that was passed
    up meanwhile cannot be claimed from the tier below."""
    wish = await session.get(Wish, wish_id)
    if wish is not None and wish.resident_id == volunteer_id:
        return Outcome(Result.OWN_WISH, wish)
    settings = await _settings_of_wish(session, wish_id)
    if settings is None:
        return Outcome(Result.NOT_FOUND)
    if wish is not None and wish.state == WishState.OPEN and wish.tier != tier:
        return Outcome(Result.PASSED_ON, wish)
    adopted = note is not None
    outcome = await _move(
        session, wish_id, expected=[WishState.OPEN], to=WishState.CLAIMED,
        actor_id=volunteer_id, action="adopt" if adopted else "claim", now=now,
        conditions=[col(Wish.tier) == tier], detail=note,
        values={"claimer_id": volunteer_id, "claimed_at": now, "adopted_note": note,
                "taken_on": tier == Tier.COMMUNITY,
                # An adopted wish waits for its micro-venture round, whose milestones are
                # reminded; the clock never releases it.
                "claim_remind_at": None if adopted else now + timedelta(
                    hours=settings.claim_reminder_hours),
                "claim_release_at": None if adopted else now + timedelta(
                    hours=settings.claim_release_hours)},
    )
    if outcome.ok:
        session.add(Claim(wish_id=wish_id, volunteer_id=volunteer_id, claimed_at=now))
    return outcome


async def take_on(session: AsyncSession, wish_id: int, *, worker_id: int,
                  now: datetime) -> Outcome:
    """The duty worker who acknowledges a page about a wish takes it on (承接), whatever its
    tier and whether or not it was verified: it stops climbing, and they are reminded to
    follow it up after the place's ``claim_reminder_hours``. A case a social worker holds is
    not released by the clock; they give it up or mark it fulfilled."""
    wish = await session.get(Wish, wish_id)
    if wish is not None and wish.resident_id == worker_id:
        return Outcome(Result.OWN_WISH, wish)
    settings = await _settings_of_wish(session, wish_id)
    if settings is None:
        return Outcome(Result.NOT_FOUND)
    outcome = await _move(
        session, wish_id, expected=[WishState.SUBMITTED, WishState.OPEN], to=WishState.CLAIMED,
        actor_id=worker_id, action="take_on", now=now,
        values={"claimer_id": worker_id, "claimed_at": now, "taken_on": True,
                "claim_remind_at": now + timedelta(hours=settings.claim_reminder_hours),
                "claim_release_at": None},
    )
    if outcome.ok:
        session.add(Claim(wish_id=wish_id, volunteer_id=worker_id, claimed_at=now))
    return outcome


async def end_live_claim(session: AsyncSession, wish_id: int, outcome: str,
                          now: datetime) -> None:
    await session.exec(
        update(Claim)
        .where(col(Claim.wish_id) == wish_id, col(Claim.ended_at).is_(None))
        .values(ended_at=now, outcome=outcome)
    )


async def release(session: AsyncSession, wish_id: int, *, volunteer_id: int,
                  now: datetime) -> Outcome:
    """The claimer lets the wish go; it is open again for others."""
    outcome = await _move(
        session, wish_id, expected=[WishState.CLAIMED], to=WishState.OPEN,
        actor_id=volunteer_id, action="release", now=now,
        conditions=[col(Wish.claimer_id) == volunteer_id],
        values={**NO_CLAIMER, **NO_CLAIM_TIMERS, **await _reopened(session, wish_id, now)},
    )
    if outcome.ok:
        await end_live_claim(session, wish_id, "released", now)
    return Outcome(outcome.result, outcome.wish, previous_claimer=volunteer_id,
                   event_id=outcome.event_id)


async def mark_fulfilled(session: AsyncSession, wish_id: int, *, volunteer_id: int,
                         now: datetime) -> Outcome:
    settings = await _settings_of_wish(session, wish_id)
    if settings is None:
        return Outcome(Result.NOT_FOUND)
    hours = settings.confirm_timeout_hours
    outcome = await _move(
        session, wish_id, expected=[WishState.CLAIMED], to=WishState.FULFILLED,
        actor_id=volunteer_id, action="fulfil", now=now,
        conditions=[col(Wish.claimer_id) == volunteer_id],
        values={"fulfilled_at": now, "confirm_deadline_at": now + timedelta(hours=hours),
                **NO_CLAIM_TIMERS},
    )
    if outcome.ok:
        await end_live_claim(session, wish_id, CLAIM_FULFILLED, now)
    return outcome


async def confirm(session: AsyncSession, wish_id: int, *, resident_id: int, score: int,
                  now: datetime) -> Outcome:
    """The resident rates the help. 3–5 closes the wish; 1–2 ("not solved") reopens it as
    a follow-up for the grid's social worker instead of closing it silently."""
    if not 1 <= score <= 5:
        return Outcome(Result.WRONG_STATE)
    solved = score >= NOT_SOLVED_BELOW
    values: dict[str, Any] = (
        {"closed_at": now, "confirm_deadline_at": None} if solved else
        {"follow_up": True, **NO_CLAIMER, "fulfilled_at": None,
         "confirm_deadline_at": None, "opened_at": now,
         **await _reopened(session, wish_id, now)}
    )
    before = await session.get(Wish, wish_id)
    claimer = before.claimer_id if before else None
    outcome = await _move(
        session, wish_id, expected=[WishState.FULFILLED],
        to=WishState.CLOSED if solved else WishState.OPEN, actor_id=resident_id,
        action="confirm" if solved else "reopen", now=now,
        conditions=[col(Wish.resident_id) == resident_id], values=values,
        detail=f"score={score}",
    )
    if outcome.ok and claimer is not None:
        last_claim = (await session.exec(
            select(Claim).where(Claim.wish_id == wish_id)
            .order_by(col(Claim.id).desc()))).first()
        assert last_claim is not None
        assert last_claim.id is not None
        session.add(Rating(wish_id=wish_id, claim_id=last_claim.id, resident_id=resident_id,
                           volunteer_id=claimer, score=score, created_at=now))
    return Outcome(outcome.result, outcome.wish, previous_claimer=claimer,
                   event_id=outcome.event_id)


async def add_comment(session: AsyncSession, wish_id: int, *, resident_id: int,
                      comment: str) -> Result:
    checked = check_text(comment, MAX_COMMENT)
    if checked is not Result.OK:
        return checked
    rating = (await session.exec(
        select(Rating).where(Rating.wish_id == wish_id, Rating.resident_id == resident_id)
        .order_by(col(Rating.id).desc()))).first()
    if rating is None:
        return Result.NOT_FOUND
    rating.comment = comment.strip()
    return Result.OK


async def withdraw(session: AsyncSession, wish_id: int, *, resident_id: int,
                   now: datetime) -> Outcome:
    before = await session.get(Wish, wish_id)
    claimer = before.claimer_id if before else None
    outcome = await _move(
        session, wish_id, expected=WITHDRAWABLE, to=WishState.CANCELLED,
        actor_id=resident_id, action="withdraw", now=now,
        conditions=[col(Wish.resident_id) == resident_id],
        values={"closed_at": now, **NO_CLAIM_TIMERS},
    )
    if outcome.ok:
        await end_live_claim(session, wish_id, "withdrawn", now)
    return Outcome(outcome.result, outcome.wish, previous_claimer=claimer,
                   event_id=outcome.event_id)


def _record_post(dialect: str) -> Any:
    statement = insert_for(dialect)(WishPost)
    return statement.on_conflict_do_update(index_elements=["wish_id", "chat_id"],
                                           set_={"message_id": statement.excluded.message_id})


_RECORD_POST = Prepared(_record_post)
_POSTS_OF = select(WishPost).where(col(WishPost.wish_id).in_(
    bindparam("wish_ids", expanding=True)))


async def record_post(db: Database, wish_id: int, *, chat_id: int, message_id: int) -> None:
    async with db.transaction() as session:
        await _RECORD_POST.run(session, {
            "wish_id": wish_id, "chat_id": chat_id, "message_id": message_id})


async def posts_in(session: AsyncSession, wish_ids: list[int]) -> dict[tuple[int, int], int]:
    """The card messages of these wishes: message id by (wish id, chat id)."""
    rows = (await session.exec(_POSTS_OF, params={"wish_ids": wish_ids})).all()
    return {(post.wish_id, post.chat_id): post.message_id for post in rows}


async def posts_of(db: Database, wish_id: int) -> list[WishPost]:
    async with db.transaction() as session:
        return list((await session.exec(select(WishPost).where(
            WishPost.wish_id == wish_id).order_by(col(WishPost.id)))).all())


async def get(db: Database, wish_id: int) -> Wish | None:
    async with db.transaction() as session:
        return await session.get(Wish, wish_id)


_OF_RESIDENT = (select(Wish).where(col(Wish.resident_id) == bindparam("resident_id"))
                .order_by(col(Wish.id).desc()).limit(bindparam("limit")))


async def of_resident(db: Database, resident_id: int, limit: int = 20) -> list[Wish]:
    async with db.transaction() as session:
        return list((await session.exec(_OF_RESIDENT, params={"resident_id": resident_id,
                                                              "limit": limit})).all())


async def of_claimer(db: Database, volunteer_id: int) -> list[Wish]:
    async with db.transaction() as session:
        statement = (select(Wish).where(Wish.claimer_id == volunteer_id,
                                        col(Wish.state).in_([WishState.CLAIMED,
                                                             WishState.FULFILLED]))
                     .order_by(col(Wish.id)))
        return list((await session.exec(statement)).all())


async def rating_of(db: Database, wish_id: int) -> Rating | None:
    async with db.transaction() as session:
        return await rating_in(session, wish_id)


async def rating_in(session: AsyncSession, wish_id: int) -> Rating | None:
    statement = select(Rating).where(Rating.wish_id == wish_id).order_by(col(Rating.id).desc())
    return (await session.exec(statement)).first()
