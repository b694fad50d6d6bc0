"""Micro-venture rounds (微创投), opening and proposals: a street admin opens a round and it is
announced; organisation representatives propose, change and withdraw projects until the
deadline; reviewers and the representative read a proposal in full.

Each verb is one transaction: authority (``usecases.authority``, asked about the round's
street and the places below it), the change with its audit row (``storage.ventures``) and the
news queued in the outbox. Announcements to groups go through the messenger's rendering for
their audience, like every other message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import venture_notices
from bot.messenger import Messenger
from storage import evaluation, outbox, ventures
from storage.db import Database
from storage.models import (
    OutboxMessage,
    Place,
    PlaceKind,
    Proposal,
    ProposalState,
    RoleGrant,
    VentureRound,
)
from storage.people import Actor
from storage.ventures import Counts, Full, Need, Outcome, ProposalDraft, Result, RoundDraft
from usecases.authority import Act, may_in, may_review_round


@dataclass(frozen=True)
class Listed:
    """A round as /rounds shows it."""

    round: VentureRound
    street: Place
    counts: Counts
    reviews: bool  # the person may read its proposals


@dataclass(frozen=True)
class Offered:
    """A round open to proposals, with what a representative's form needs of it."""

    round: VentureRound
    street: Place
    needs: list[Need]


async def _streets_held(session: AsyncSession, actor: Actor) -> list[Place]:
    """The streets of every place where the person holds a role (every street for a
    bootstrap admin)."""
    if actor.superadmin:
        return list((await session.exec(select(Place).where(Place.kind == PlaceKind.STREET)
                                        .order_by(col(Place.id)))).all())
    found: dict[int, Place] = {}
    held = (await session.exec(select(RoleGrant.place_id).where(
        RoleGrant.person_id == actor.id))).all()
    for place_id in held:
        street = await evaluation.street_of(session, place_id)
        if street is not None and street.id is not None:
            found[street.id] = street
    return [found[key] for key in sorted(found)]


async def _may_at_street(session: AsyncSession, actor: Actor, act: Act,
                         street_id: int) -> bool:
    """Asked at every place of the street: a role held at a community or grid counts."""
    return await may_in(session, actor, act, await ventures.street_places(session, street_id))


async def streets_to_open(db: Database, actor: Actor) -> list[Place]:
    """The streets where the person may open a round."""
    async with db.transaction() as session:
        return [street for street in await _streets_held(session, actor)
                if await may_in(session, actor, Act.OPEN_ROUNDS, street.id or 0)]


async def may_open(db: Database, actor: Actor, place: Place | None) -> Place | None:
    """The street of ``place`` when the person may open a round there."""
    if place is None:
        return None
    async with db.transaction() as session:
        street = await evaluation.street_of(session, place.id or 0)
        if street is None or not await may_in(session, actor, Act.OPEN_ROUNDS, street.id or 0):
            return None
        return street


async def needs(db: Database, street_id: int) -> list[Need]:
    async with db.transaction() as session:
        return await ventures.candidate_needs(session, street_id)


async def open_round(messenger: Messenger, actor: Actor, draft: RoundDraft, *, now: datetime,
                     source_key: str) -> Outcome:
    """Open the round and announce it: to each of the street's communities' chats and the
    street's chat, and privately to every organisation representative of the street."""
    async with messenger.db.transaction() as session:
        if not await may_in(session, actor, Act.OPEN_ROUNDS, draft.street_id):
            return Outcome(Result.NOT_ALLOWED)
        outcome = await ventures.open_round(session, draft, opened_by=actor.id, now=now,
                                            source_key=source_key)
        if outcome.ok and outcome.round is not None:
            await outbox.add(session, await _announcement(messenger, session, outcome.round,
                                                          outcome.event_id or 0))
        return outcome


async def _announcement(messenger: Messenger, session: AsyncSession, found: VentureRound,
                        event_id: int) -> list[OutboxMessage]:
    street = await session.get(Place, found.street_id)
    if street is None:
        return []
    shown = await ventures.round_needs(session, found.id or 0)
    key = f"audit:{event_id}:round"
    group = venture_notices.announcement(found, street.name, shown, street.timezone,
                                         button=False)
    rows: list[OutboxMessage] = []
    for place in [*await ventures.communities_of(session, street.id or 0), street]:
        rows += messenger.for_place(place, key, group)
    private = venture_notices.announcement(found, street.name, shown, street.timezone,
                                           button=True)
    for rep_id in await ventures.org_reps(session, street.id or 0):
        rows.append(await messenger.for_person(session, rep_id, key, private))
    return rows


async def listed(db: Database, actor: Actor, street_id: int | None = None) -> list[Listed]:
    """The rounds of the streets where the person may see them (of ``street_id`` alone when
    given), newest first."""
    async with db.transaction() as session:
        streets = await _streets_held(session, actor)
        if street_id is not None:
            street = await session.get(Place, street_id)
            streets = [street] if street is not None else []
        found: list[Listed] = []
        for street in streets:
            if not await _may_at_street(session, actor, Act.SEE_ROUNDS, street.id or 0):
                continue
            for row in await ventures.rounds_of(session, [street.id or 0]):
                found.append(Listed(row, street, await ventures.counts(session, row.id or 0),
                                    await may_review_round(session, actor, row.id or 0)))
        return sorted(found, key=lambda item: -(item.round.id or 0))


async def sees_rounds(db: Database, actor: Actor) -> bool:
    """Whether the person may see the rounds of some street."""
    async with db.transaction() as session:
        for street in await _streets_held(session, actor):
            if await _may_at_street(session, actor, Act.SEE_ROUNDS, street.id or 0):
                return True
        return False


async def may_see_rounds(db: Database, actor: Actor, place: Place) -> bool:
    async with db.transaction() as session:
        return await may_in(session, actor, Act.SEE_ROUNDS, place.id or 0)


async def open_to(db: Database, actor: Actor, *, now: datetime) -> list[Offered]:
    """The rounds taking proposals where the person may propose."""
    async with db.transaction() as session:
        found: list[Offered] = []
        for street in await _streets_held(session, actor):
            if not await _may_at_street(session, actor, Act.PROPOSE_PROJECTS, street.id or 0):
                continue
            for row in await ventures.rounds_of(session, [street.id or 0]):
                if ventures.taking_proposals(row, now):
                    found.append(Offered(row, street,
                                         await ventures.round_needs(session, row.id or 0)))
        return found


async def offered(db: Database, actor: Actor, round_id: int, *, now: datetime) -> Offered | None:
    """One round, when the person may propose in it now."""
    return next((o for o in await open_to(db, actor, now=now) if o.round.id == round_id), None)


async def last_organisation(db: Database, actor: Actor) -> str | None:
    async with db.transaction() as session:
        return await ventures.last_organisation(session, actor.id)


async def _may_propose_in(session: AsyncSession, actor: Actor, round_id: int) -> bool:
    found = await ventures.get_round(session, round_id)
    return found is not None and await _may_at_street(session, actor, Act.PROPOSE_PROJECTS,
                                                      found.street_id)


async def propose(db: Database, actor: Actor, round_id: int, draft: ProposalDraft, *,
                  now: datetime, source_key: str) -> Outcome:
    async with db.transaction() as session:
        if not await _may_propose_in(session, actor, round_id):
            return Outcome(Result.NOT_ALLOWED)
        return await ventures.submit_proposal(session, round_id, draft, rep_id=actor.id,
                                              now=now, source_key=source_key)


async def edit(db: Database, actor: Actor, proposal_id: int, draft: ProposalDraft, *,
               now: datetime) -> Outcome:
    """Only the representative who made it changes a proposal (storage: NOT_YOURS)."""
    async with db.transaction() as session:
        return await ventures.edit_proposal(session, proposal_id, draft, rep_id=actor.id,
                                            now=now)


async def withdraw(db: Database, actor: Actor, proposal_id: int, *, now: datetime) -> Outcome:
    async with db.transaction() as session:
        return await ventures.withdraw_proposal(session, proposal_id, rep_id=actor.id, now=now)


@dataclass(frozen=True)
class Own:
    """A representative's proposal, and whether it may still change."""

    proposal: Proposal
    round: VentureRound
    changeable: bool


async def own(db: Database, actor: Actor, *, now: datetime) -> list[Own]:
    async with db.transaction() as session:
        found = []
        for proposal in await ventures.proposals_by(session, actor.id):
            row = await ventures.get_round(session, proposal.round_id)
            if row is not None:
                found.append(Own(proposal, row, ventures.taking_proposals(row, now)
                                 and proposal.state in ventures.LIVE))
        return found


@dataclass(frozen=True)
class Read:
    """A proposal in full, with its round, the round's needs and the street's time zone."""

    full: Full
    round: VentureRound
    needs: list[Need]
    timezone: str


async def read(db: Database, actor: Actor, proposal_id: int) -> Read | None:
    """A proposal in full for its representative or the round's reviewers; None for anyone
    else."""
    async with db.transaction() as session:
        shown = await ventures.full(session, proposal_id)
        if shown is None:
            return None
        if shown.proposal.rep_id != actor.id and not await may_review_round(
                session, actor, shown.proposal.round_id):
            return None
        row = await ventures.get_round(session, shown.proposal.round_id)
        street = await session.get(Place, row.street_id) if row else None
        if row is None or street is None:
            return None
        return Read(shown, row, await ventures.round_needs(session, row.id or 0),
                    street.timezone)


async def proposals(db: Database, actor: Actor, round_id: int) -> list[Proposal] | None:
    """A round's proposals (withdrawn ones left out) for its reviewers; None for anyone
    else."""
    async with db.transaction() as session:
        if not await may_review_round(session, actor, round_id):
            return None
        return [p for p in await ventures.proposals_of(session, round_id)
                if p.state != ProposalState.WITHDRAWN]


async def draft_of(db: Database, actor: Actor, proposal_id: int) -> Read | None:
    """A representative's own proposal, to fill the form again."""
    found = await read(db, actor, proposal_id)
    return found if found is not None and found.full.proposal.rep_id == actor.id else None
