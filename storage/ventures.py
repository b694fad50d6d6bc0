"""Micro-venture rounds (微创投), their opening and proposals.

A street opens a round for needs its communities could not meet (wishes it adopted as
projects), with a budget, a cap per project and a deadline for proposals. Organisations'
representatives propose projects until the deadline: each proposal answers some of the round's
needs, with budget lines (in fen) whose sum is within the cap, and milestones. When the
deadline passes the sweep moves the round from OPEN to REVIEWING once (``close_due_rounds``);
the selection (storage.venture_selection) goes on from there.

Every change is one conditional update naming the state it expects, or an insert keyed by the
form that made it (``source_key``), so a double tap opens one round and submits one proposal.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, outbox, reports, words
from storage.db import Database
from storage.models import (
    BudgetLine,
    Milestone,
    OutboxMessage,
    Place,
    PlaceKind,
    Proposal,
    ProposalNeed,
    ProposalState,
    Role,
    RoleGrant,
    RoundNeed,
    RoundState,
    VentureRound,
    Wish,
    WishState,
)

# What one proposal may hold: its summary, checked in the form, stays one message.
MAX_THEME = 100
MAX_TITLE = 100
MAX_ORGANISATION = 100
MAX_PLAN = 2000
MAX_TEAM = 500
MAX_ITEM = 60  # a budget line's item, a milestone's title
MAX_LINES = 20  # budget lines of a proposal
MAX_MILESTONES = 12
MAX_CRITERIA = 8
MAX_CRITERION = 20
MAX_NEEDS = 20  # needs of a round
MAX_PER_ORG = 10
MAX_FEN = 10**12  # ¥10,000,000,000: more is a typing slip
# The criteria of the background articles, by key; their words are the bot's.
DEFAULT_CRITERIA = ("need_fit", "feasibility", "cost", "record")
LIVE = (ProposalState.SUBMITTED,)
Keyed = TypeVar("Keyed", VentureRound, Proposal)


class Result(StrEnum):
    OK = "ok"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"  # answered by the use cases (usecases.ventures)
    NOT_YOURS = "not_yours"
    WRONG_STATE = "wrong_state"
    CLOSED = "closed"  # the deadline for proposals has passed
    ALREADY = "already"  # the same form was sent before
    TOO_MANY = "too_many"  # the organisation has made as many proposals as the round allows
    OVER_CAP = "over_cap"
    CAP_OVER_BUDGET = "cap_over_budget"
    NOT_A_NEED = "not_a_need"
    NO_NEEDS = "no_needs"
    PAST = "past"  # a date that is not in the future
    OUT_OF_RANGE = "out_of_range"  # proposals per organisation, or the number of criteria
    ORDER = "order"  # the selection before the deadline
    EMPTY = "empty"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class Outcome:
    result: Result
    round: VentureRound | None = None
    proposal: Proposal | None = None
    event_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.result is Result.OK


@dataclass(frozen=True)
class RoundDraft:
    """What the opener's form gathered."""

    street_id: int
    theme: str
    wish_ids: Sequence[int]
    budget_fen: int
    cap_fen: int
    due_on: date  # proposals are taken until the end of this day, in the street's time zone
    selection_on: date
    criteria: Sequence[str] = DEFAULT_CRITERIA
    proposals_per_org: int = 1


@dataclass(frozen=True)
class ProposalDraft:
    """What a representative's form gathered."""

    organisation: str
    title: str
    wish_ids: Sequence[int]
    plan: str
    lines: Sequence[tuple[str, int]]  # item, amount in fen
    milestones: Sequence[tuple[date, str]]
    team: str

    @property
    def total_fen(self) -> int:
        return sum(amount for _item, amount in self.lines)


@dataclass(frozen=True)
class Need:
    """A need as it may be shown: the wish's words, never its contact fields."""

    wish_id: int
    text: str
    community: str


@dataclass(frozen=True)
class Counts:
    proposals: int = 0
    withdrawn: int = 0
    organisations: int = 0


@dataclass(frozen=True)
class Full:
    """A proposal with everything it holds."""

    proposal: Proposal
    needs: list[int] = field(default_factory=list)
    lines: list[BudgetLine] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)


# -- what people type ------------------------------------------------------------------------

_AMOUNT = re.compile(r"^(.*?)\s*[¥￥]?\s*(\d[\d,]*(?:\.\d{1,2})?)\s*(万)?\s*(?:元|块|rmb|yuan)?$",
                     re.IGNORECASE)


def amount_fen(typed: str) -> int | None:
    """A sum of money typed as "50000", "5万", "¥50,000", "1200.50元", in fen; None if not one
    (nothing else may be typed with it)."""
    found = _AMOUNT.match(words.plain(typed).strip())
    if found is None or found.group(1).strip():
        return None
    return _fen(found)


def _fen(found: re.Match[str]) -> int | None:
    yuan = float(found.group(2).replace(",", "")) * (10_000 if found.group(3) else 1)
    fen = round(yuan * 100)
    return fen if 0 < fen <= MAX_FEN else None


def budget_line(typed: str) -> tuple[str, int] | None:
    """"场地租金 800", "材料费 1,200元", "printing 50.5": the item and its amount in fen."""
    found = _AMOUNT.match(words.plain(typed).strip())
    if found is None:
        return None
    item, fen = found.group(1).strip(" :：-—"), _fen(found)
    if fen is None or words.check(item, MAX_ITEM) is not words.Words.OK:
        return None
    return item, fen


def check_text(text: str | None, limit: int) -> Result:
    return Result(words.check(text, limit))


# -- reading ---------------------------------------------------------------------------------


async def get_round(session: AsyncSession, round_id: int) -> VentureRound | None:
    return await session.get(VentureRound, round_id)


async def street_places(session: AsyncSession, street_id: int) -> list[int]:
    """The street and every place below it."""
    return await reports.places_below(session, street_id)


async def candidate_needs(session: AsyncSession, street_id: int) -> list[Need]:
    """The needs a new round of the street may answer: its communities' wishes that the street
    office adopted as projects and that are still in hand, oldest first."""
    below = await street_places(session, street_id)
    rows = (await session.exec(
        select(Wish).where(col(Wish.grid_id).in_(below), col(Wish.adopted_note).is_not(None),
                           col(Wish.state) == WishState.CLAIMED)
        .order_by(col(Wish.id)).limit(MAX_NEEDS * 4))).all()
    return await _needs(session, rows)


async def _needs(session: AsyncSession, wishes: Iterable[Wish]) -> list[Need]:
    found = []
    for wish in wishes:
        grid = await session.get(Place, wish.grid_id)
        community = await session.get(Place, grid.parent_id) if grid and grid.parent_id \
            else None
        found.append(Need(wish.id or 0, wish.text, community.name if community else ""))
    return found


async def round_needs(session: AsyncSession, round_id: int) -> list[Need]:
    """The needs a round answers, as they may be shown."""
    rows = (await session.exec(
        select(Wish).join(RoundNeed, col(RoundNeed.wish_id) == col(Wish.id))
        .where(RoundNeed.round_id == round_id).order_by(col(Wish.id)))).all()
    return await _needs(session, rows)


async def rounds_of(session: AsyncSession, street_ids: Sequence[int],
                    states: Sequence[str] | None = None) -> list[VentureRound]:
    """The streets' rounds, newest first."""
    statement = select(VentureRound).where(col(VentureRound.street_id).in_(street_ids))
    if states is not None:
        statement = statement.where(col(VentureRound.state).in_(list(states)))
    return list((await session.exec(statement.order_by(col(VentureRound.id).desc()))).all())


async def proposals_of(session: AsyncSession, round_id: int,
                       states: Sequence[str] | None = None) -> list[Proposal]:
    """A round's proposals (in ``states``, all when None), in the order they came."""
    statement = select(Proposal).where(Proposal.round_id == round_id)
    if states is not None:
        statement = statement.where(col(Proposal.state).in_(list(states)))
    return list((await session.exec(statement.order_by(col(Proposal.id)))).all())


async def counts(session: AsyncSession, round_id: int) -> Counts:
    rows = await proposals_of(session, round_id)
    live = [p for p in rows if p.state != ProposalState.WITHDRAWN]
    return Counts(len(live), len(rows) - len(live), len({p.rep_id for p in live}))


async def full(session: AsyncSession, proposal_id: int) -> Full | None:
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None:
        return None
    needs = (await session.exec(select(ProposalNeed.wish_id).where(
        ProposalNeed.proposal_id == proposal_id).order_by(col(ProposalNeed.wish_id)))).all()
    lines = (await session.exec(select(BudgetLine).where(
        BudgetLine.proposal_id == proposal_id).order_by(col(BudgetLine.position)))).all()
    milestones = (await session.exec(select(Milestone).where(
        Milestone.proposal_id == proposal_id).order_by(col(Milestone.position)))).all()
    return Full(proposal, list(needs), list(lines), list(milestones))


async def proposals_by(session: AsyncSession, rep_id: int) -> list[Proposal]:
    """A representative's proposals, newest first."""
    return list((await session.exec(select(Proposal).where(Proposal.rep_id == rep_id)
                                    .order_by(col(Proposal.id).desc()).limit(50))).all())


async def last_organisation(session: AsyncSession, rep_id: int) -> str | None:
    """The organisation a representative named in their last proposal."""
    return (await session.exec(select(Proposal.organisation).where(Proposal.rep_id == rep_id)
                               .order_by(col(Proposal.id).desc()).limit(1))).first()


async def org_reps(session: AsyncSession, street_id: int) -> list[int]:
    """Everyone who represents an organisation at a place of the street."""
    below = await street_places(session, street_id)
    return sorted(set((await session.exec(select(RoleGrant.person_id).where(
        RoleGrant.role == Role.ORG_REP, col(RoleGrant.place_id).in_(below)))).all()))


async def communities_of(session: AsyncSession, street_id: int) -> list[Place]:
    return list((await session.exec(select(Place).where(
        Place.parent_id == street_id, Place.kind == PlaceKind.COMMUNITY)
        .order_by(col(Place.id)))).all())


def due_at(day: date, timezone: str) -> datetime:
    """The end of ``day`` in the time zone: when proposals stop being taken."""
    return datetime.combine(day + timedelta(days=1), time(), ZoneInfo(timezone)).astimezone(UTC)


def taking_proposals(found: VentureRound, now: datetime) -> bool:
    return found.state == RoundState.OPEN and _aware(found.proposals_due_at) > now


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# -- opening a round -------------------------------------------------------------------------


def check_round(draft: RoundDraft, today: date) -> Result:
    """Whether the opener's answers make a round (``today`` in the street's time zone)."""
    checked = check_text(draft.theme, MAX_THEME)
    if checked is not Result.OK:
        return checked
    if not draft.wish_ids:
        return Result.NO_NEEDS
    if len(set(draft.wish_ids)) > MAX_NEEDS:
        return Result.TOO_LONG
    if draft.cap_fen > draft.budget_fen:
        return Result.CAP_OVER_BUDGET
    if draft.due_on <= today:
        return Result.PAST
    if draft.selection_on <= draft.due_on:
        return Result.ORDER
    if not 1 <= draft.proposals_per_org <= MAX_PER_ORG or not 1 <= len(draft.criteria) \
            <= MAX_CRITERIA:
        return Result.OUT_OF_RANGE
    return Result.OK


async def open_round(session: AsyncSession, draft: RoundDraft, *, opened_by: int,
                     now: datetime, source_key: str) -> Outcome:
    """Open a round with its needs; a form sent twice (``source_key``) opens one: ALREADY with
    the round it opened."""
    street = await session.get(Place, draft.street_id)
    if street is None or street.kind != PlaceKind.STREET:
        return Outcome(Result.NOT_FOUND)
    if (earlier := await _by_key(session, VentureRound, source_key)) is not None:
        return Outcome(Result.ALREADY, round=earlier)
    today = now.astimezone(ZoneInfo(street.timezone)).date()
    checked = check_round(draft, today)
    if checked is not Result.OK:
        return Outcome(checked)
    offered = {need.wish_id for need in await candidate_needs(session, draft.street_id)}
    if not set(draft.wish_ids) <= offered:
        return Outcome(Result.NOT_A_NEED)
    row = VentureRound(
        street_id=draft.street_id, theme=draft.theme.strip(), budget_fen=draft.budget_fen,
        cap_fen=draft.cap_fen, proposals_due_at=due_at(draft.due_on, street.timezone),
        selection_on=draft.selection_on, criteria=list(draft.criteria),
        proposals_per_org=draft.proposals_per_org, opened_by=opened_by, announced_at=now,
        source_key=source_key, created_at=now)
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:  # the same form sent at the same moment
        return Outcome(Result.ALREADY, round=await _by_key(session, VentureRound, source_key))
    session.add_all(RoundNeed(round_id=row.id or 0, wish_id=wish_id)
                    for wish_id in sorted(set(draft.wish_ids)))
    event = await audit.record(session, entity="venture_round", entity_id=row.id or 0,
                               actor_id=opened_by, action="open", at=now,
                               to_state=RoundState.OPEN, detail=f"street={draft.street_id}")
    return Outcome(Result.OK, round=row, event_id=event)


async def _by_key(session: AsyncSession, model: type[Keyed], key: str) -> Keyed | None:
    return (await session.exec(select(model).where(col(model.source_key) == key))).first()


# -- proposals -------------------------------------------------------------------------------


def check_proposal(draft: ProposalDraft, found: VentureRound, needs: set[int],
                   today: date) -> Result:
    for text, limit in ((draft.organisation, MAX_ORGANISATION), (draft.title, MAX_TITLE),
                        (draft.plan, MAX_PLAN), (draft.team, MAX_TEAM)):
        if (checked := check_text(text, limit)) is not Result.OK:
            return checked
    if not draft.wish_ids:
        return Result.NO_NEEDS
    if not set(draft.wish_ids) <= needs:
        return Result.NOT_A_NEED
    if not draft.lines or len(draft.lines) > MAX_LINES or not draft.milestones \
            or len(draft.milestones) > MAX_MILESTONES:
        return Result.EMPTY
    if any(words.check(text, MAX_ITEM) is not words.Words.OK
           for text in [*(item for item, _fen in draft.lines),
                        *(title for _day, title in draft.milestones)]):
        return Result.TOO_LONG
    if draft.total_fen > found.cap_fen:
        return Result.OVER_CAP
    if any(day <= today for day, _title in draft.milestones):
        return Result.PAST
    return Result.OK


async def _checked(session: AsyncSession, round_id: int, draft: ProposalDraft,
                   now: datetime) -> tuple[Result, VentureRound | None]:
    found = await get_round(session, round_id)
    if found is None:
        return Result.NOT_FOUND, None
    if not taking_proposals(found, now):
        return Result.CLOSED, found
    street = await session.get(Place, found.street_id)
    today = now.astimezone(ZoneInfo(street.timezone if street else "UTC")).date()
    needs = {n.wish_id for n in await round_needs(session, round_id)}
    return check_proposal(draft, found, needs, today), found


async def submit_proposal(session: AsyncSession, round_id: int, draft: ProposalDraft, *,
                          rep_id: int, now: datetime, source_key: str) -> Outcome:
    """A representative's proposal in an open round, before its deadline, within its cap and
    the number of proposals it allows an organisation; a form sent twice submits one."""
    if (earlier := await _by_key(session, Proposal, source_key)) is not None:
        return Outcome(Result.ALREADY, proposal=earlier)
    checked, found = await _checked(session, round_id, draft, now)
    if checked is not Result.OK or found is None:
        return Outcome(checked, round=found)
    made = (await session.exec(select(func.count()).select_from(Proposal).where(
        Proposal.round_id == round_id, col(Proposal.state).in_(LIVE),
        (col(Proposal.rep_id) == rep_id)
        | (func.lower(col(Proposal.organisation)) == draft.organisation.strip().lower())))).one()
    if made >= found.proposals_per_org:
        return Outcome(Result.TOO_MANY, round=found)
    row = Proposal(round_id=round_id, rep_id=rep_id, organisation=draft.organisation.strip(),
                   title=draft.title.strip(), plan=draft.plan.strip(), team=draft.team.strip(),
                   budget_fen=draft.total_fen, source_key=source_key, submitted_at=now,
                   updated_at=now)
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        return Outcome(Result.ALREADY, proposal=await _by_key(session, Proposal, source_key))
    _add_parts(session, row.id or 0, draft)
    event = await audit.record(session, entity="venture_proposal", entity_id=row.id or 0,
                               actor_id=rep_id, action="submit", at=now,
                               to_state=ProposalState.SUBMITTED, detail=f"round={round_id}")
    return Outcome(Result.OK, round=found, proposal=row, event_id=event)


def _add_parts(session: AsyncSession, proposal_id: int, draft: ProposalDraft) -> None:
    session.add_all([ProposalNeed(proposal_id=proposal_id, wish_id=wish_id)
                     for wish_id in sorted(set(draft.wish_ids))])
    session.add_all([BudgetLine(proposal_id=proposal_id, position=n, item=item.strip(),
                                amount_fen=amount)
                     for n, (item, amount) in enumerate(draft.lines)])
    session.add_all([Milestone(proposal_id=proposal_id, position=n, title=title.strip(),
                               due_on=day)
                     for n, (day, title) in enumerate(sorted(draft.milestones))])


async def _own_live(session: AsyncSession, proposal_id: int, rep_id: int,
                    now: datetime) -> tuple[Result, Proposal | None, VentureRound | None]:
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None:
        return Result.NOT_FOUND, None, None
    if proposal.rep_id != rep_id:
        return Result.NOT_YOURS, proposal, None
    found = await get_round(session, proposal.round_id)
    if found is None or not taking_proposals(found, now):
        return Result.CLOSED, proposal, found
    if proposal.state != ProposalState.SUBMITTED:
        return Result.WRONG_STATE, proposal, found
    return Result.OK, proposal, found


async def edit_proposal(session: AsyncSession, proposal_id: int, draft: ProposalDraft, *,
                        rep_id: int, now: datetime) -> Outcome:
    """Replace a submitted proposal's contents, by its representative, until the deadline."""
    result, proposal, found = await _own_live(session, proposal_id, rep_id, now)
    if result is not Result.OK or proposal is None or found is None:
        return Outcome(result, round=found, proposal=proposal)
    checked, _found = await _checked(session, found.id or 0, draft, now)
    if checked is not Result.OK:
        return Outcome(checked, round=found, proposal=proposal)
    changed = await session.exec(
        update(Proposal).where(col(Proposal.id) == proposal_id,
                               col(Proposal.state) == ProposalState.SUBMITTED)
        .values(organisation=draft.organisation.strip(), title=draft.title.strip(),
                plan=draft.plan.strip(), team=draft.team.strip(), budget_fen=draft.total_fen,
                updated_at=now).execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        return Outcome(Result.WRONG_STATE, round=found, proposal=proposal)
    for part in (ProposalNeed, BudgetLine, Milestone):
        await session.exec(delete(part).where(col(part.proposal_id) == proposal_id))
    _add_parts(session, proposal_id, draft)
    event = await audit.record(session, entity="venture_proposal", entity_id=proposal_id,
                               actor_id=rep_id, action="edit", at=now)
    await session.flush()
    await session.refresh(proposal)
    return Outcome(Result.OK, round=found, proposal=proposal, event_id=event)


async def withdraw_proposal(session: AsyncSession, proposal_id: int, *, rep_id: int,
                            now: datetime) -> Outcome:
    """The representative takes a proposal back, until the deadline; of two taps one wins."""
    result, proposal, found = await _own_live(session, proposal_id, rep_id, now)
    if result is not Result.OK or proposal is None:
        return Outcome(result, round=found, proposal=proposal)
    moved = await session.exec(
        update(Proposal).where(col(Proposal.id) == proposal_id,
                               col(Proposal.state) == ProposalState.SUBMITTED)
        .values(state=ProposalState.WITHDRAWN, updated_at=now)
        .execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        return Outcome(Result.WRONG_STATE, round=found, proposal=proposal)
    event = await audit.record(session, entity="venture_proposal", entity_id=proposal_id,
                               actor_id=rep_id, action="withdraw", at=now,
                               from_state=ProposalState.SUBMITTED,
                               to_state=ProposalState.WITHDRAWN)
    await session.refresh(proposal)
    return Outcome(Result.OK, round=found, proposal=proposal, event_id=event)


# -- the deadline ----------------------------------------------------------------------------

Notify = Callable[[AsyncSession, VentureRound, int], Awaitable[list[OutboxMessage]]]


async def close_due_rounds(db: Database, *, now: datetime, notify: Notify,
                           limit: int = 100) -> int:
    """Move every open round whose deadline passed to REVIEWING, once each (several sweeps
    at once move each round once); ``notify`` gives the messages about it, given the round
    and its audit event. How many rounds moved."""
    moved = 0
    while moved < limit:
        async with db.transaction() as session:
            statement = select(VentureRound).where(
                col(VentureRound.state) == RoundState.OPEN,
                col(VentureRound.proposals_due_at) <= now).order_by(
                col(VentureRound.proposals_due_at)).limit(1)
            if not db.is_sqlite:
                statement = statement.with_for_update(skip_locked=True)
            found = (await session.exec(statement)).first()
            if found is None:
                return moved
            changed = await session.exec(
                update(VentureRound).where(col(VentureRound.id) == found.id,
                                           col(VentureRound.state) == RoundState.OPEN)
                .values(state=RoundState.REVIEWING)
                .execution_options(synchronize_session=False))
            if changed.rowcount != 1:
                continue
            event = await audit.record(session, entity="venture_round",
                                       entity_id=found.id or 0, actor_id=None,
                                       action="proposals_due", at=now,
                                       from_state=RoundState.OPEN,
                                       to_state=RoundState.REVIEWING)
            await session.refresh(found)
            await outbox.add(session, await notify(session, found, event))
            moved += 1
    return moved
