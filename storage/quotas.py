"""Limits on people: how many wishes and questions one person, and one grid group, may send
in an hour, and the same words twice in a short while.

Everything is counted from the rows already stored (``Wish`` and ``Question``: who, when,
what), inside the caller's transaction, after a lock that makes a burst wait its turn: on
PostgreSQL the grid's row for a wish (so the group's count is exact however many people post
at once) and the person's row for a question. SQLite runs one transaction at a time anyway.
The numbers are the place's settings (``storage.settings``); 0 means no limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Person, Place, Question, Wish
from storage.places import chain
from storage.settings import effective
from storage.wishes import LIVE_STATES

HOUR = timedelta(hours=1)


class Reason(StrEnum):
    PERSON = "person"  # the person sent as many as they may in an hour
    GROUP = "group"  # the grid group had as many wishes as it takes in an hour
    REPEATED = "repeated"  # the same words, a short while ago, still going


@dataclass(frozen=True)
class Hold:
    """Why something new is not taken now, and when the person may try again."""

    reason: Reason
    until: datetime
    limit: int  # the number per hour reached; for REPEATED, the minutes
    timezone: str  # the place's, to say the times in
    earlier_id: int | None = None  # REPEATED: the wish or question with the same words
    earlier_at: datetime | None = None


async def wish_hold(session: AsyncSession, grid: Place, resident_id: int, text: str,
                    now: datetime) -> Hold | None:
    """Whether a new wish by ``resident_id`` in ``grid`` must wait; None when it may go."""
    settings = effective(await chain(session, grid))
    await _lock(session, Place, grid.id)
    mine = col(Wish.resident_id) == resident_id
    return (await _repeated(session, Wish, mine, text, now, settings.same_text_minutes,
                            grid.timezone, col(Wish.state).in_(LIVE_STATES))
            or await _over(session, Wish, mine, now, settings.person_wishes_per_hour,
                           Reason.PERSON, grid.timezone)
            or await _over(session, Wish, col(Wish.grid_id) == grid.id, now,
                           settings.group_wishes_per_hour, Reason.GROUP, grid.timezone))


async def question_hold(session: AsyncSession, place: Place, resident_id: int, text: str,
                        now: datetime) -> Hold | None:
    """Whether a new question by ``resident_id`` asked at ``place`` must wait."""
    settings = effective(await chain(session, place))
    await _lock(session, Person, resident_id)
    mine = col(Question.resident_id) == resident_id
    return (await _repeated(session, Question, mine, text, now, settings.same_text_minutes,
                            place.timezone, col(Question.answered_at).is_(None))
            or await _over(session, Question, mine, now, settings.person_questions_per_hour,
                           Reason.PERSON, place.timezone))


async def _lock(session: AsyncSession, table: type[Place] | type[Person],
                row_id: int | None) -> None:
    """Wait for another transaction counting the same things. ``FOR NO KEY UPDATE`` does not
    hold up rows that merely refer to this one (a new wish naming its grid)."""
    if session.bind.dialect.name != "sqlite":
        await session.exec(select(table.id).where(col(table.id) == row_id)
                           .with_for_update(key_share=True))


Counted = type[Wish] | type[Question]


async def _repeated(session: AsyncSession, table: Counted, mine: ColumnElement[bool],
                    text: str, now: datetime, minutes: int, timezone: str,
                    still_going: ColumnElement[bool]) -> Hold | None:
    """The same words (as stored: spaces around them do not count) within ``minutes``."""
    if not minutes:
        return None
    window = timedelta(minutes=minutes)
    earlier = (await session.exec(
        select(table.id, table.created_at)
        .where(mine, still_going, col(table.text) == text.strip(),
               col(table.created_at) > now - window)
        .order_by(col(table.created_at).desc()).limit(1))).first()
    if earlier is None:
        return None
    earlier_id, earlier_at = earlier
    return Hold(Reason.REPEATED, earlier_at + window, minutes, timezone, earlier_id, earlier_at)


async def _over(session: AsyncSession, table: Counted, whose: ColumnElement[bool],
                now: datetime, per_hour: int, reason: Reason, timezone: str) -> Hold | None:
    """Held when ``per_hour`` rows were made in the last hour; the person may try again an
    hour after the ``per_hour``-th latest, when it no longer counts."""
    if not per_hour:
        return None
    times: list[Any] = list((await session.exec(
        select(table.created_at).where(whose, col(table.created_at) > now - HOUR)
        .order_by(col(table.created_at).desc()).limit(per_hour))).all())
    if len(times) < per_hour:
        return None
    return Hold(reason, times[-1] + HOUR, per_hour, timezone)
