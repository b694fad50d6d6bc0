"""The residents' council (居民议事会, 一委三会: 议事, 听证, 评议): opening a matter, comments,
votes, closing it, and taking a decided matter to the next joint meeting. Each is one
transaction that asks authority about the matter's community; who may vote is
``usecases.authority.may_vote``. What goes to the community's chat is queued in the outbox in
the same transaction (``bot.council_notices``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import council_notices as notices
from bot.messenger import Messenger
from storage import council, meetings, outbox, places
from storage.council import Draft, Outcome, Record, Result
from storage.db import Database
from storage.models import (
    Matter,
    MatterComment,
    MatterState,
    OutboxMessage,
    Place,
    PlaceKind,
    Proposal,
    ProposalNeed,
    Tier,
    Wish,
)
from storage.people import Actor
from usecases import meetings as meeting_usecases
from usecases.authority import Act, may_in, may_vote


@dataclass(frozen=True)
class Shown:
    """A matter as /matter shows it: the record, and the buttons of whoever may run it."""

    matter: Matter
    community: Place
    counts: list[int]
    remarks: list[tuple[MatterComment, str]]
    runs_it: bool


async def _community(session: AsyncSession, place_id: int | None) -> Place | None:
    place = await places.get(session, place_id)
    return place if place is not None and place.kind == PlaceKind.COMMUNITY else None


async def may_open(db: Database, actor: Actor, community_id: int) -> bool:
    async with db.transaction() as session:
        return await _community(session, community_id) is not None and await may_in(
            session, actor, Act.OPEN_MATTERS, community_id)


async def wish_source(db: Database, actor: Actor, wish_id: int) -> tuple[Result, Wish | None,
                                                                         Place | None]:
    """A community-tier wish a matter may be opened from, and its community."""
    async with db.transaction() as session:
        wish = await session.get(Wish, wish_id)
        grid = await places.get(session, wish.grid_id) if wish else None
        community = await _community(session, grid.parent_id) if grid else None
        if wish is None or community is None:
            return Result.NOT_FOUND, None, None
        if not await may_in(session, actor, Act.OPEN_MATTERS, community.id or 0):
            return Result.NOT_ALLOWED, wish, community
        if wish.tier != Tier.COMMUNITY:
            return Result.WRONG_STATE, wish, community
        return Result.OK, wish, community


async def proposal_source(db: Database, actor: Actor,
                          proposal_id: int) -> tuple[Result, Place | None]:
    """A micro-venture proposal a matter may be opened from, and the community it is put to:
    the first community whose needs it answers where the actor may open matters."""
    async with db.transaction() as session:
        if await session.get(Proposal, proposal_id) is None:
            return Result.NOT_FOUND, None
        grids = (await session.exec(
            select(Wish.grid_id).join(ProposalNeed, col(ProposalNeed.wish_id) == col(Wish.id))
            .where(ProposalNeed.proposal_id == proposal_id).order_by(col(Wish.id)))).all()
        communities: list[Place] = []
        for grid_id in grids:
            grid = await places.get(session, grid_id)
            community = await _community(session, grid.parent_id) if grid else None
            if community is not None and community not in communities:
                communities.append(community)
        for community in communities:
            if await may_in(session, actor, Act.OPEN_MATTERS, community.id or 0):
                return Result.OK, community
        return (Result.NOT_ALLOWED if communities else Result.WRONG_STATE), None


async def open_matter(messenger: Messenger, actor: Actor, draft: Draft, *,
                      now: datetime) -> Outcome:
    """The matter is opened and posted in the community's chat for discussion."""
    async with messenger.db.transaction() as session:
        community = await _community(session, draft.community_id)
        if community is None:
            return Outcome(Result.NOT_FOUND)
        if not await may_in(session, actor, Act.OPEN_MATTERS, draft.community_id):
            return Outcome(Result.NOT_ALLOWED)
        if community.chat_id is None:
            return Outcome(Result.NO_CHAT)
        outcome = await council.create(session, draft, by=actor.id, now=now)
        if not outcome.ok or outcome.matter is None:
            return outcome
        matter = outcome.matter
        matter.post_chat_id = community.chat_id
        session.add(matter)
        await session.flush()
        await outbox.add(session, [notices.row(matter, notices.POST, "open", now)])
        return outcome


async def _may_speak(session: AsyncSession, actor: Actor, matter: Matter) -> bool:
    return await may_vote(session, actor.id, matter.community_id) or await may_in(
        session, actor, Act.SEE_STAFF_LISTS, matter.community_id)


async def comment(messenger: Messenger, actor: Actor, matter_id: int, text: str, *,
                  in_chat: int | None, now: datetime) -> Outcome:
    """A comment: a reply to the matter's post in the community's chat (whoever is in it), or
    sent privately by a resident who may vote or staff of the community."""
    async with messenger.db.transaction() as session:
        matter = await council.get(session, matter_id)
        if matter is None:
            return Outcome(Result.NOT_FOUND)
        here = in_chat is not None and in_chat == matter.post_chat_id
        if not here and not await _may_speak(session, actor, matter):
            return Outcome(Result.NOT_ELIGIBLE, matter)
        return await council.comment(session, matter_id, actor.id, text, now=now)


async def vote(messenger: Messenger, actor: Actor, matter_id: int, choice: int, *,
               chat_id: int, now: datetime) -> Outcome:
    """A resident's vote by the button of the matter's vote; a changed vote replaces the
    first. The vote shows the counts anew unless they are hidden."""
    async with messenger.db.transaction() as session:
        matter = await council.get(session, matter_id)
        if matter is None:
            return Outcome(Result.NOT_FOUND)
        if matter.post_chat_id != chat_id:
            return Outcome(Result.OTHER_PLACE, matter)
        if not await may_vote(session, actor.id, matter.community_id):
            return Outcome(Result.NOT_ELIGIBLE, matter)
        outcome = await council.vote(session, matter_id, actor.id, choice, now=now)
        if outcome.ok and not matter.hidden:
            await outbox.add(session, [notices.row(matter, notices.VOTE,
                                                   f"audit:{outcome.event_id}", now)])
        return outcome


async def _closing_rows(messenger: Messenger, session: AsyncSession, matter: Matter,
                        key: str, now: datetime) -> list[OutboxMessage]:
    """The vote shows the final counts without buttons, the outcome is posted, and the
    opener hears of it with what may follow."""
    community = await places.get(session, matter.community_id)
    rows = [notices.row(matter, notices.VOTE, key, now)]
    if community is not None:
        rows += messenger.for_place(community, f"matter:{matter.id}:outcome",
                                    lambda: notices.outcome(matter))
    record = Record.of(matter.result or {})
    rows.append(await messenger.for_person(
        session, matter.opened_by, f"matter:{matter.id}:closed", lambda: (
            notices.outcome(matter)[0], notices.opener_buttons(matter, record))))
    return rows


async def close(messenger: Messenger, actor: Actor, matter_id: int, *,
                now: datetime) -> Outcome:
    """The opener (or an admin or cadre of the community) closes the vote before its end."""
    async with messenger.db.transaction() as session:
        matter = await council.get(session, matter_id)
        if matter is None:
            return Outcome(Result.NOT_FOUND)
        if not await may_in(session, actor, Act.OPEN_MATTERS, matter.community_id,
                            owner_id=matter.opened_by):
            return Outcome(Result.NOT_ALLOWED, matter)
        outcome = await council.close(session, matter_id, by=actor.id, now=now)
        if outcome.ok and outcome.matter is not None:
            await outbox.add(session, await _closing_rows(
                messenger, session, outcome.matter, f"audit:{outcome.event_id}", now))
        return outcome


async def to_agenda(messenger: Messenger, actor: Actor, matter_id: int, *,
                    now: datetime) -> Outcome:
    """A decided matter becomes a topic of the community's next joint meeting (its host is
    told); the meeting's minutes then give its follow-up an action item (/minutes … action)."""
    async with messenger.db.transaction() as session:
        matter = await session.get(Matter, matter_id, with_for_update=True)
        if matter is None:
            return Outcome(Result.NOT_FOUND)
        if not await may_in(session, actor, Act.OPEN_MATTERS, matter.community_id,
                            owner_id=matter.opened_by):
            return Outcome(Result.NOT_ALLOWED, matter)
        if matter.topic_id is not None:
            return Outcome(Result.ALREADY, matter)
        if matter.state != MatterState.CLOSED or not Record.of(matter.result or {}).decided:
            return Outcome(Result.UNDECIDED, matter)
        found = await meetings.taking_topics(messenger.db, matter.community_id, now=now)
        if found is None:
            return Outcome(Result.NO_MEETING, matter)
        meeting, series = found
        community = await places.get(session, matter.community_id)
        if community is None:
            return Outcome(Result.NOT_FOUND)
        record = Record.of(matter.result or {})
        text, _markup = messenger.render(messenger.locale_of_place(community), lambda: (
            notices.topic(matter, record)[:meetings.MAX_TOPIC], None))
        proposed = await meeting_usecases.propose(messenger, actor, meeting, series, community,
                                                  text, now=now)
        topic = (await meetings.topics(session, meeting.id or 0))[-1] if proposed.ok else None
        if topic is None or not await council.set_topic(session, matter_id, topic.id or 0,
                                                        by=actor.id, now=now):
            return Outcome(Result.ALREADY, matter)
        return Outcome(Result.OK, matter, proposed.event_id)


async def show(db: Database, actor: Actor, matter_id: int) -> Shown | None:
    async with db.transaction() as session:
        matter = await council.get(session, matter_id)
        community = await places.get(session, matter.community_id) if matter else None
        if matter is None or community is None:
            return None
        found = await council.counts(session, matter)
        remarks = await notices.names(session, await council.comments(session, matter_id))
        runs_it = await may_in(session, actor, Act.OPEN_MATTERS, matter.community_id,
                               owner_id=matter.opened_by)
        return Shown(matter, community, found, list(remarks), runs_it)


async def listed(db: Database, community_id: int) -> list[Matter]:
    async with db.transaction() as session:
        return await council.of_community(session, community_id)


async def choice_of(db: Database, matter_id: int, person_id: int) -> int | None:
    async with db.transaction() as session:
        return await council.choice_of(session, matter_id, person_id)


async def sweep(messenger: Messenger, *, now: datetime) -> int:
    """Discussions that ended open their vote; votes that ended close. Each in a transaction
    of its own, with a conditional move: whoever sweeps, each happens once."""
    talking, voting = await council.due(messenger.db, now=now)
    done = 0
    for matter_id in talking:
        async with messenger.db.transaction() as session:
            outcome = await council.open_vote(session, matter_id, now=now)
            if outcome.ok and outcome.matter is not None:
                await outbox.add(session, [notices.row(outcome.matter, notices.VOTE, "open",
                                                       now)])
                done += 1
    for matter_id in voting:
        async with messenger.db.transaction() as session:
            outcome = await council.close(session, matter_id, by=None, now=now)
            if outcome.ok and outcome.matter is not None:
                await outbox.add(session, await _closing_rows(
                    messenger, session, outcome.matter, f"audit:{outcome.event_id}", now))
                done += 1
    return done
