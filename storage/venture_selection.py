"""A micro-venture round's selection (评审立项): its reviewers, their scores, and the choice.

Once a round's deadline for proposals has passed (REVIEWING), its reviewers score each live
proposal against the round's criteria, 1 to 5 each (``ProposalScore``, stage SELECTION), and
may change their scores until the selection. The reviewers are the admins of the round's
street, those a street admin named (``RoundReviewer``), and anyone else who scored (a
bootstrap admin). The selection is one transaction: the round moves REVIEWING -> RUNNING by a
conditional update, so of two admins confirming at once one wins, and the chosen proposals'
budgets are added up again inside it, so that nothing over the round's budget is ever
selected.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from statistics import fmean

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, outbox, privacy, ventures, words
from storage.db import Database
from storage.models import (
    BudgetLine,
    Milestone,
    OutboxMessage,
    Proposal,
    ProposalNeed,
    ProposalScore,
    ProposalState,
    Role,
    RoleGrant,
    RoundReviewer,
    RoundState,
    ScoreStage,
    VentureRound,
    Wish,
)

SCALE = 5
MAX_NOTE = 500
MAX_REASON = 500
MAX_NAMED = 20  # reviewers a street admin may name in a round
# Reviewers may be named and removed until the selection.
NAMING_STATES = (RoundState.OPEN, RoundState.REVIEWING)
DECIDED = (ProposalState.SELECTED, ProposalState.NOT_SELECTED, ProposalState.COMPLETED)


class Result(StrEnum):
    OK = "ok"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"  # answered by the use cases (usecases.venture_selection)
    NOT_REVIEWER = "not_reviewer"
    NOT_IN_ROUND = "not_in_round"  # a proposal of another round
    WRONG_STATE = "wrong_state"  # the round is not being reviewed (any more)
    EARLY = "early"  # before the deadline for proposals
    ALREADY = "already"
    OUT_OF_RANGE = "out_of_range"  # a criterion or score the round does not have
    OVER_BUDGET = "over_budget"
    NOTHING_CHOSEN = "nothing_chosen"
    ADMIN = "admin"  # a street admin reviews always and cannot be removed
    TOO_MANY = "too_many"
    EMPTY = "empty"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class Ranked:
    """A proposal with its reviewers' mean score, overall and per criterion."""

    proposal: Proposal
    mean: float | None
    means: dict[str, float]
    reviewers: int


@dataclass(frozen=True)
class Board:
    """A round's scoring as it stands."""

    round: VentureRound
    panel: list[int]  # every reviewer, in the order they came
    proposals: list[Proposal]  # the live ones, in the order they came
    scores: dict[tuple[int, int], ProposalScore]  # (proposal, reviewer)
    missing: dict[int, int] = field(default_factory=dict)  # reviewer: proposals not scored

    @property
    def complete(self) -> bool:
        return bool(self.proposals) and not self.missing

    def own(self, reviewer_id: int) -> dict[int, ProposalScore]:
        return {p: s for (p, r), s in self.scores.items() if r == reviewer_id}

    def ranking(self) -> list[Ranked]:
        ranked = []
        for proposal in self.proposals:
            given = [s for (p, _r), s in self.scores.items() if p == proposal.id]
            means = {c: fmean(s.scores[c] for s in given if c in s.scores)
                     for c in self.round.criteria if any(c in s.scores for s in given)}
            totals = [fmean(s.scores.values()) for s in given if s.scores]
            ranked.append(Ranked(proposal, fmean(totals) if totals else None, means,
                                 len(given)))
        return sorted(ranked, key=lambda r: (-(r.mean or 0.0), r.proposal.id or 0))


@dataclass(frozen=True)
class Details:
    """A proposal as its reviewers read it: the words of the wishes it answers with any phone
    or ID number in them masked, and none of their contact fields."""

    proposal: Proposal
    needs: list[str]
    lines: list[BudgetLine]
    milestones: list[Milestone]


@dataclass(frozen=True)
class Selection:
    """What a confirmed selection did."""

    result: Result
    round: VentureRound | None = None
    selected: list[Proposal] = field(default_factory=list)
    not_selected: list[Proposal] = field(default_factory=list)
    total_fen: int = 0
    event_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.result is Result.OK


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# -- reading ---------------------------------------------------------------------------------


async def street_admins(session: AsyncSession, street_id: int) -> list[int]:
    return sorted(set((await session.exec(select(RoleGrant.person_id).where(
        RoleGrant.place_id == street_id, RoleGrant.role == Role.ADMIN))).all()))


async def named(session: AsyncSession, round_id: int) -> list[int]:
    return list((await session.exec(select(RoundReviewer.person_id).where(
        RoundReviewer.round_id == round_id).order_by(col(RoundReviewer.id)))).all())


async def live_proposals(session: AsyncSession, round_id: int) -> list[Proposal]:
    """The proposals reviewers score: submitted and not withdrawn."""
    return await ventures.proposals_of(session, round_id, ventures.LIVE)


async def decided_proposals(session: AsyncSession, round_id: int) -> list[Proposal]:
    return await ventures.proposals_of(session, round_id, DECIDED)


async def board(session: AsyncSession, found: VentureRound) -> Board:
    round_id = found.id or 0
    proposals = await live_proposals(session, round_id)
    ids = [p.id or 0 for p in proposals]
    rows = (await session.exec(select(ProposalScore).where(
        col(ProposalScore.proposal_id).in_(ids), ProposalScore.stage == ScoreStage.SELECTION)
        .order_by(col(ProposalScore.id)))).all() if ids else []
    scores = {(s.proposal_id, s.reviewer_id): s for s in rows}
    panel = list(dict.fromkeys([*await street_admins(session, found.street_id),
                                *await named(session, round_id),
                                *(s.reviewer_id for s in rows)]))
    missing = {r: n for r in panel
               if (n := sum((p, r) not in scores for p in ids))}
    return Board(found, panel, proposals, scores, missing)


async def details(session: AsyncSession, proposal: Proposal) -> Details:
    held = await ventures.full(session, proposal.id or 0)
    needs = [privacy.mask_numbers(n.text)[0]
             for n in await ventures.round_needs(session, proposal.round_id)
             if held and n.wish_id in held.needs]
    return Details(proposal, needs, held.lines if held else [], held.milestones if held else [])


async def residents_answered(session: AsyncSession,
                             proposal_ids: Sequence[int]) -> list[tuple[int, Wish]]:
    """(proposal, wish) for every wish the proposals answer."""
    if not proposal_ids:
        return []
    rows = (await session.exec(select(ProposalNeed.proposal_id, Wish).join(
        Wish, col(ProposalNeed.wish_id) == col(Wish.id)).where(
        col(ProposalNeed.proposal_id).in_(list(proposal_ids))).order_by(
        col(ProposalNeed.proposal_id), col(Wish.id)))).all()
    return [(proposal_id, wish) for proposal_id, wish in rows]


# -- reviewers -------------------------------------------------------------------------------


async def name_reviewer(session: AsyncSession, round_id: int, person_id: int, *, by: int,
                        now: datetime) -> Result:
    found = await ventures.get_round(session, round_id)
    if found is None:
        return Result.NOT_FOUND
    if found.state not in NAMING_STATES:
        return Result.WRONG_STATE
    if person_id in await street_admins(session, found.street_id):
        return Result.ADMIN
    if len(await named(session, round_id)) >= MAX_NAMED:
        return Result.TOO_MANY
    try:
        async with session.begin_nested():
            session.add(RoundReviewer(round_id=round_id, person_id=person_id, named_by=by,
                                      named_at=now))
            await session.flush()
    except IntegrityError:
        return Result.ALREADY
    await audit.record(session, entity="venture_round", entity_id=round_id, actor_id=by,
                       action="name_reviewer", at=now, detail=f"person={person_id}")
    return Result.OK


async def remove_reviewer(session: AsyncSession, round_id: int, person_id: int, *, by: int,
                          now: datetime) -> Result:
    """Take a named reviewer off the round before the selection; their scores go with them."""
    found = await ventures.get_round(session, round_id)
    if found is None:
        return Result.NOT_FOUND
    if found.state not in NAMING_STATES:
        return Result.WRONG_STATE
    gone = await session.exec(delete(RoundReviewer).where(
        col(RoundReviewer.round_id) == round_id, col(RoundReviewer.person_id) == person_id))
    if gone.rowcount != 1:
        return Result.ADMIN if person_id in await street_admins(session, found.street_id) \
            else Result.NOT_FOUND
    ids = [p.id or 0 for p in await live_proposals(session, round_id)]
    if ids:
        await session.exec(delete(ProposalScore).where(
            col(ProposalScore.proposal_id).in_(ids), col(ProposalScore.reviewer_id) == person_id,
            col(ProposalScore.stage) == ScoreStage.SELECTION))
    await audit.record(session, entity="venture_round", entity_id=round_id, actor_id=by,
                       action="remove_reviewer", at=now, detail=f"person={person_id}")
    return Result.OK


# -- scores ----------------------------------------------------------------------------------


def check_scores(found: VentureRound, scores: Mapping[str, int]) -> Result:
    if set(scores) != set(found.criteria) or not all(
            isinstance(v, int) and 1 <= v <= SCALE for v in scores.values()):
        return Result.OUT_OF_RANGE
    return Result.OK


async def scorable(session: AsyncSession, round_id: int,
                   proposal_id: int | None) -> tuple[Result, VentureRound | None,
                                                     Proposal | None]:
    """Whether the round takes scores now, and the proposal is one of its live ones."""
    found = await ventures.get_round(session, round_id)
    if found is None:
        return Result.NOT_FOUND, None, None
    if found.state == RoundState.OPEN:
        return Result.EARLY, found, None
    if found.state != RoundState.REVIEWING:
        return Result.WRONG_STATE, found, None
    if proposal_id is None:
        return Result.OK, found, None
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None or proposal.round_id != round_id:
        return Result.NOT_IN_ROUND, found, None
    if proposal.state != ProposalState.SUBMITTED:
        return Result.WRONG_STATE, found, proposal
    return Result.OK, found, proposal


async def save_score(session: AsyncSession, round_id: int, proposal_id: int, *,
                     reviewer_id: int, scores: Mapping[str, int], note: str | None,
                     now: datetime) -> Result:
    """A reviewer's scores of a proposal, replacing their earlier ones."""
    result, found, _proposal = await scorable(session, round_id, proposal_id)
    if result is not Result.OK or found is None:
        return result
    if (checked := check_scores(found, scores)) is not Result.OK:
        return checked
    if note is not None and (kept := words.check(note, MAX_NOTE)) is not words.Words.OK:
        return Result(kept)
    values = {"scores": dict(scores), "note": note.strip() if note else None, "at": now}
    changed = await session.exec(update(ProposalScore).where(
        col(ProposalScore.proposal_id) == proposal_id,
        col(ProposalScore.reviewer_id) == reviewer_id,
        col(ProposalScore.stage) == ScoreStage.SELECTION).values(**values)
        .execution_options(synchronize_session=False))
    action = "rescore"
    if changed.rowcount != 1:
        action = "score"
        try:
            async with session.begin_nested():
                session.add(ProposalScore(proposal_id=proposal_id, reviewer_id=reviewer_id,
                                          stage=ScoreStage.SELECTION, **values))
                await session.flush()
        except IntegrityError:  # the same reviewer's other tap, at the same moment
            return Result.ALREADY
    await audit.record(session, entity="venture_proposal", entity_id=proposal_id,
                       actor_id=reviewer_id, action=action, at=now,
                       detail=" ".join(f"{k}={v}" for k, v in sorted(scores.items())))
    return Result.OK


# -- the review call -------------------------------------------------------------------------

Call = Callable[[AsyncSession, VentureRound, Board, int], Awaitable[list[OutboxMessage]]]


async def call_reviewers(db: Database, *, now: datetime, notify: Call, limit: int = 100) -> int:
    """Ask the reviewers of every round that is being reviewed and was not called yet, once
    each (``review_called_at``, set by a conditional update). How many rounds were called."""
    called = 0
    while called < limit:
        async with db.transaction() as session:
            statement = select(VentureRound).where(
                col(VentureRound.state) == RoundState.REVIEWING,
                col(VentureRound.review_called_at).is_(None)).order_by(
                col(VentureRound.id)).limit(1)
            if not db.is_sqlite:
                statement = statement.with_for_update(skip_locked=True)
            found = (await session.exec(statement)).first()
            if found is None:
                return called
            changed = await session.exec(
                update(VentureRound).where(col(VentureRound.id) == found.id,
                                           col(VentureRound.review_called_at).is_(None))
                .values(review_called_at=now).execution_options(synchronize_session=False))
            if changed.rowcount != 1:
                continue
            event = await audit.record(session, entity="venture_round",
                                       entity_id=found.id or 0, actor_id=None,
                                       action="call_reviewers", at=now)
            await outbox.add(session, await notify(session, found, await board(session, found),
                                                   event))
            called += 1
    return called


# -- the selection ---------------------------------------------------------------------------


def selectable(found: VentureRound, now: datetime) -> Result:
    if found.state == RoundState.OPEN or _aware(found.proposals_due_at) > now:
        return Result.EARLY
    if found.state != RoundState.REVIEWING:
        return Result.ALREADY if found.selected_at is not None else Result.WRONG_STATE
    return Result.OK


async def select_projects(session: AsyncSession, round_id: int, *,
                          chosen: Mapping[int, str], others: Mapping[int, str | None],
                          by: int, now: datetime) -> Selection:
    """Select ``chosen`` (proposal: reason) and not the other live proposals (``others``:
    their reasons, if given), once: the round moves to RUNNING. The budgets are added up here
    again, inside the transaction that moves the round."""
    found = await ventures.get_round(session, round_id)
    if found is None:
        return Selection(Result.NOT_FOUND)
    if (ready := selectable(found, now)) is not Result.OK:
        return Selection(ready, found)
    if not chosen:
        return Selection(Result.NOTHING_CHOSEN, found)
    live = {p.id or 0: p for p in await live_proposals(session, round_id)}
    if not set(chosen) <= set(live):
        return Selection(Result.NOT_IN_ROUND, found)
    for reason in [*chosen.values(), *(r for r in others.values() if r is not None)]:
        if (kept := words.check(reason, MAX_REASON)) is not words.Words.OK:
            return Selection(Result(kept), found)
    total = sum(live[p].budget_fen for p in chosen)
    if total > found.budget_fen:
        return Selection(Result.OVER_BUDGET, found, total_fen=total)
    moved = await session.exec(
        update(VentureRound).where(col(VentureRound.id) == round_id,
                                   col(VentureRound.state) == RoundState.REVIEWING)
        .values(state=RoundState.RUNNING, selected_at=now)
        .execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        return Selection(Result.ALREADY, found)
    event = await audit.record(session, entity="venture_round", entity_id=round_id,
                               actor_id=by, action="select", at=now,
                               from_state=RoundState.REVIEWING, to_state=RoundState.RUNNING,
                               detail="selected=" + ",".join(str(p) for p in sorted(chosen)))
    for proposal_id in live:
        selected = proposal_id in chosen
        reason = chosen[proposal_id] if selected else others.get(proposal_id)
        state = ProposalState.SELECTED if selected else ProposalState.NOT_SELECTED
        await session.exec(update(Proposal).where(
            col(Proposal.id) == proposal_id, col(Proposal.state) == ProposalState.SUBMITTED)
            .values(state=state, reason=reason.strip() if reason else None, decided_at=now)
            .execution_options(synchronize_session=False))
        await audit.record(session, entity="venture_proposal", entity_id=proposal_id,
                           actor_id=by, action="decide", at=now,
                           from_state=ProposalState.SUBMITTED, to_state=state)
    for row in [found, *live.values()]:
        await session.refresh(row)
    return Selection(Result.OK, found,
                     [p for i, p in live.items() if i in chosen],
                     [p for i, p in live.items() if i not in chosen], total, event)
