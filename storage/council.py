"""The residents' council (居民议事会): matters, their comments and votes.

A matter is discussed until ``discussion_ends_at``, voted on until ``vote_ends_at`` (or until
its opener closes it early), then closed with a record of the counts, the quorum and the
outcome. Every move is one conditional update that names the state it expects; a vote is one
row per resident (a unique constraint), changed in place until the close.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, func, union, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, words
from storage.db import Database, upsert
from storage.models import (
    GridMember,
    Matter,
    MatterComment,
    MatterKind,
    MatterState,
    MatterVote,
    Person,
    Place,
    PlaceKind,
    RoleGrant,
    VolunteerGrid,
    Wish,
)

MAX_TITLE = 100
MAX_QUESTION = 300
MAX_OPTION = 40
MAX_COMMENT = 500
MIN_OPTIONS, MAX_OPTIONS = 2, 5
DEFAULT_OPTIONS = ("for", "against", "abstain")  # said in the reader's words
LISTED = 20  # matters shown by /matter alone


class Result(StrEnum):
    OK = "ok"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"  # answered by the use cases (usecases.council)
    NOT_ELIGIBLE = "not_eligible"
    WRONG_STATE = "wrong_state"
    CLOSED = "closed"
    OTHER_PLACE = "other_place"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    ALREADY = "already"
    UNDECIDED = "undecided"
    NO_MEETING = "no_meeting"
    NO_CHAT = "no_chat"


@dataclass(frozen=True)
class Outcome:
    result: Result
    matter: Matter | None = None
    event_id: int | None = None
    previous: int | None = None  # a changed vote's earlier choice

    @property
    def ok(self) -> bool:
        return self.result is Result.OK


@dataclass(frozen=True)
class Draft:
    """What the opener's form gathered."""

    community_id: int
    kind: MatterKind
    title: str
    question: str
    options: list[str]
    discussion_ends_at: datetime
    vote_ends_at: datetime
    quorum_votes: int | None = None
    quorum_percent: int | None = None
    hidden: bool = False
    source: str = "question"
    wish_id: int | None = None
    proposal_id: int | None = None
    source_key: str | None = None


@dataclass(frozen=True)
class Record:
    """A closed matter's minutes: what the close found."""

    counts: list[int]
    votes: int
    eligible: int
    needed: int
    met: bool
    winner: int | None  # None: a tie, or no votes
    tie: bool = False

    @property
    def decided(self) -> bool:
        return self.met and self.winner is not None

    def as_json(self) -> dict[str, Any]:
        return {"counts": self.counts, "votes": self.votes, "eligible": self.eligible,
                "needed": self.needed, "met": self.met, "winner": self.winner, "tie": self.tie}

    @classmethod
    def of(cls, data: dict[str, Any]) -> Record:
        return cls(counts=list(data["counts"]), votes=data["votes"], eligible=data["eligible"],
                   needed=data["needed"], met=data["met"], winner=data["winner"],
                   tie=data.get("tie", False))


def option_count(matter: Matter) -> int:
    return len(matter.options) or len(DEFAULT_OPTIONS)


def _grids_of(community_id: int) -> Select[Any]:
    return select(Place.id).where(Place.parent_id == community_id, Place.kind == PlaceKind.GRID)


def residents(community_id: int) -> Select[Any]:
    """The ids of the community's residents registered with the bot: people who opened a
    private chat with it (``Person.reachable``) and belong to one of its grids, with the ties
    ``storage.members.grids_of`` reads (seen in its group, posted a wish there, serve it as a
    volunteer, hold a role at it). Who may vote is decided from this alone
    (``usecases.authority.may_vote``)."""
    grids = _grids_of(community_id)
    ties = union(
        select(GridMember.person_id).where(col(GridMember.grid_id).in_(grids)),
        select(Wish.resident_id).where(col(Wish.grid_id).in_(grids)),
        select(VolunteerGrid.person_id).where(col(VolunteerGrid.grid_id).in_(grids)),
        select(RoleGrant.person_id).where(col(RoleGrant.place_id).in_(grids)),
    ).subquery()
    return select(Person.id).where(col(Person.reachable).is_(True),
                                   col(Person.id).in_(select(ties.c[0])))


async def count_residents(session: AsyncSession, community_id: int) -> int:
    found = residents(community_id).subquery()
    return int((await session.exec(select(func.count()).select_from(found))).one())


def _check(text: str, limit: int) -> Result:
    return Result(words.check(text, limit))


def check_draft(draft: Draft) -> Result:
    for text, limit in ((draft.title, MAX_TITLE), (draft.question, MAX_QUESTION),
                        *((o, MAX_OPTION) for o in draft.options)):
        if (checked := _check(text, limit)) is not Result.OK:
            return checked
    if draft.options and not MIN_OPTIONS <= len(draft.options) <= MAX_OPTIONS:
        return Result.WRONG_STATE
    if draft.discussion_ends_at >= draft.vote_ends_at:
        return Result.WRONG_STATE
    return Result.OK


async def create(session: AsyncSession, draft: Draft, *, by: int, now: datetime) -> Outcome:
    """A new matter under discussion; a second Open of the same form finds the first."""
    if (checked := check_draft(draft)) is not Result.OK:
        return Outcome(checked)
    if draft.source_key is not None:
        existing = (await session.exec(select(Matter).where(
            Matter.source_key == draft.source_key))).first()
        if existing is not None:
            return Outcome(Result.ALREADY, existing)
    matter = Matter(
        community_id=draft.community_id, kind=draft.kind, title=draft.title.strip(),
        question=draft.question.strip(), options=[o.strip() for o in draft.options],
        source=draft.source, wish_id=draft.wish_id, proposal_id=draft.proposal_id,
        opened_by=by, state=MatterState.DISCUSSION,
        discussion_ends_at=draft.discussion_ends_at, vote_ends_at=draft.vote_ends_at,
        quorum_votes=draft.quorum_votes, quorum_percent=draft.quorum_percent,
        hidden=draft.hidden, source_key=draft.source_key, created_at=now)
    try:
        async with session.begin_nested():
            session.add(matter)
    except IntegrityError:  # the same form's Open, pressed twice at once
        return Outcome(Result.ALREADY, (await session.exec(select(Matter).where(
            Matter.source_key == draft.source_key))).first())
    event = await audit.record(session, entity="matter", entity_id=matter.id or 0, actor_id=by,
                               action="open", to_state=MatterState.DISCUSSION, at=now,
                               detail=matter.title)
    return Outcome(Result.OK, matter, event)


async def get(session: AsyncSession, matter_id: int) -> Matter | None:
    return await session.get(Matter, matter_id)


async def read(db: Database, matter_id: int) -> Matter | None:
    async with db.transaction() as session:
        return await session.get(Matter, matter_id)


async def of_community(session: AsyncSession, community_id: int) -> list[Matter]:
    """The community's latest matters, newest first."""
    return list((await session.exec(select(Matter).where(Matter.community_id == community_id)
                                    .order_by(col(Matter.id).desc()).limit(LISTED))).all())


async def by_message(session: AsyncSession, chat_id: int, message_id: int) -> Matter | None:
    """The matter whose post or vote is that message of the chat."""
    return (await session.exec(select(Matter).where(
        Matter.post_chat_id == chat_id,
        (col(Matter.post_message_id) == message_id)
        | (col(Matter.vote_message_id) == message_id)))).first()


async def comment(session: AsyncSession, matter_id: int, person_id: int, text: str, *,
                  now: datetime) -> Outcome:
    """A comment, taken until the matter closes."""
    if (checked := _check(text, MAX_COMMENT)) is not Result.OK:
        return Outcome(checked)
    matter = await session.get(Matter, matter_id)
    if matter is None:
        return Outcome(Result.NOT_FOUND)
    if matter.state == MatterState.CLOSED:
        return Outcome(Result.CLOSED, matter)
    session.add(MatterComment(matter_id=matter_id, person_id=person_id, text=text.strip(),
                              created_at=now))
    event = await audit.record(session, entity="matter", entity_id=matter_id,
                               actor_id=person_id, action="comment", at=now)
    return Outcome(Result.OK, matter, event)


async def vote(session: AsyncSession, matter_id: int, person_id: int, choice: int, *,
               now: datetime) -> Outcome:
    """One vote per resident, changed in place while the vote is open. The matter's row is
    read under a share lock, so a close (an update of that row) waits for the votes that
    began before it and counts them; on SQLite one transaction writes at a time anyway."""
    matter = await session.get(Matter, matter_id, with_for_update={"read": True})
    if matter is None:
        return Outcome(Result.NOT_FOUND)
    if matter.state == MatterState.CLOSED or (matter.state == MatterState.VOTING
                                              and matter.vote_ends_at <= now):
        return Outcome(Result.CLOSED, matter)
    if matter.state != MatterState.VOTING:
        return Outcome(Result.WRONG_STATE, matter)
    if not 0 <= choice < option_count(matter):
        return Outcome(Result.WRONG_STATE, matter)
    previous = (await session.exec(select(MatterVote.choice).where(
        MatterVote.matter_id == matter_id, MatterVote.person_id == person_id))).first()
    values = {"choice": choice, "voted_at": now}
    await session.exec(upsert(session, MatterVote).values(
        matter_id=matter_id, person_id=person_id, **values).on_conflict_do_update(
        index_elements=["matter_id", "person_id"], set_=values))
    event = await audit.record(session, entity="matter", entity_id=matter_id,
                               actor_id=person_id, action="vote", at=now, detail=str(choice))
    return Outcome(Result.OK, matter, event, previous=previous)


async def counts(session: AsyncSession, matter: Matter) -> list[int]:
    found = dict((await session.exec(
        select(MatterVote.choice, func.count()).where(MatterVote.matter_id == matter.id)
        .group_by(col(MatterVote.choice)))).all())
    return [int(found.get(n, 0)) for n in range(option_count(matter))]


async def comments(session: AsyncSession, matter_id: int) -> list[MatterComment]:
    return list((await session.exec(select(MatterComment).where(
        MatterComment.matter_id == matter_id).order_by(col(MatterComment.id)))).all())


async def choice_of(session: AsyncSession, matter_id: int, person_id: int) -> int | None:
    return (await session.exec(select(MatterVote.choice).where(
        MatterVote.matter_id == matter_id, MatterVote.person_id == person_id))).first()


async def open_vote(session: AsyncSession, matter_id: int, *, now: datetime) -> Outcome:
    """The discussion ends and the vote opens: once, whoever sweeps."""
    moved = await session.exec(
        update(Matter).where(col(Matter.id) == matter_id,
                             col(Matter.state) == MatterState.DISCUSSION)
        .values(state=MatterState.VOTING, voting_at=now))
    if moved.rowcount != 1:
        return Outcome(Result.WRONG_STATE)
    event = await audit.record(session, entity="matter", entity_id=matter_id, actor_id=None,
                               action="vote_open", from_state=MatterState.DISCUSSION,
                               to_state=MatterState.VOTING, at=now)
    matter = await session.get(Matter, matter_id, populate_existing=True)
    return Outcome(Result.OK, matter, event)


def needed(matter: Matter, eligible: int) -> int:
    """The votes that make the quorum: the number set, or the share of eligible residents
    rounded up; none set: one vote."""
    if matter.quorum_votes is not None:
        return matter.quorum_votes
    if matter.quorum_percent is not None:
        return max(1, -(-matter.quorum_percent * eligible // 100))
    return 1


def tally(matter: Matter, found: Sequence[int], eligible: int) -> Record:
    total = sum(found)
    top = max(found) if found else 0
    leaders = [n for n, count in enumerate(found) if count == top] if total else []
    need = needed(matter, eligible)
    return Record(counts=list(found), votes=total, eligible=eligible, needed=need,
                  met=total >= need, winner=leaders[0] if len(leaders) == 1 else None,
                  tie=len(leaders) > 1)


async def close(session: AsyncSession, matter_id: int, *, by: int | None,
                now: datetime) -> Outcome:
    """The vote closes (in time, ``by`` None, or early by the opener): the record is kept
    with the matter. Once."""
    matter = await session.get(Matter, matter_id)
    if matter is None:
        return Outcome(Result.NOT_FOUND)
    was = matter.state
    if was == MatterState.CLOSED:
        return Outcome(Result.CLOSED, matter)
    moved = await session.exec(
        update(Matter).where(col(Matter.id) == matter_id, col(Matter.state) == was)
        .values(state=MatterState.CLOSED, closed_at=now, closed_by=by))
    if moved.rowcount != 1:
        return Outcome(Result.CLOSED, matter)
    matter = await session.get(Matter, matter_id, populate_existing=True)
    assert matter is not None
    record = tally(matter, await counts(session, matter),
                   await count_residents(session, matter.community_id))
    matter.result = record.as_json()
    session.add(matter)
    await session.flush()
    event = await audit.record(session, entity="matter", entity_id=matter_id, actor_id=by,
                               action="close", from_state=was, to_state=MatterState.CLOSED,
                               at=now, detail=f"votes={record.votes} met={record.met}")
    return Outcome(Result.OK, matter, event)


async def set_topic(session: AsyncSession, matter_id: int, topic_id: int, *, by: int,
                    now: datetime) -> bool:
    """The matter became a topic of a joint meeting: once."""
    moved = await session.exec(update(Matter).where(
        col(Matter.id) == matter_id, col(Matter.topic_id).is_(None)).values(topic_id=topic_id))
    if moved.rowcount != 1:
        return False
    await audit.record(session, entity="matter", entity_id=matter_id, actor_id=by,
                       action="topic", at=now, detail=str(topic_id))
    return True


async def record_message(db: Database, matter_id: int, *, part: str, chat_id: int,
                         message_id: int) -> None:
    """Where the matter's post or vote stands in the community's chat."""
    column = "post_message_id" if part == "post" else "vote_message_id"
    async with db.transaction() as session:
        await session.exec(update(Matter).where(col(Matter.id) == matter_id).values(
            post_chat_id=chat_id, **{column: message_id}))


async def due(db: Database, *, now: datetime) -> tuple[list[int], list[int]]:
    """The matters whose discussion ended, and those whose vote ended."""
    async with db.transaction() as session:
        talking = (await session.exec(select(Matter.id).where(
            Matter.state == MatterState.DISCUSSION, col(Matter.discussion_ends_at) <= now)
            .order_by(col(Matter.id)))).all()
        voting = (await session.exec(select(Matter.id).where(
            Matter.state == MatterState.VOTING, col(Matter.vote_ends_at) <= now)
            .order_by(col(Matter.id)))).all()
    return [i for i in talking if i is not None], [i for i in voting if i is not None]
