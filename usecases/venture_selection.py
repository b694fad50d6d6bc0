"""A micro-venture round's selection (评审立项): naming reviewers, scoring, selecting and the
announcement. Each verb is one transaction that asks authority about the round's street:
``may_review_round`` for scoring and seeing scores, ``SELECT_PROJECTS`` for naming reviewers
and selecting. What is said to others is queued in the outbox in the same transaction: the
reviewers' call, the result to the street's and its communities' chats (no contact field of
any wish), the proposers' answers and the residents whose wishes a selected project answers,
each privately."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import formatting
from bot.callbacks import ScoreCb, ScoreStep
from bot.i18n import current_locale
from bot.messenger import Messenger, Render, Rendered
from storage import outbox, people, places, ventures
from storage import venture_selection as selection
from storage.db import Database
from storage.models import OutboxMessage, Place, Proposal, ProposalState, RoundState, VentureRound
from storage.people import Actor
from storage.venture_selection import Board, Details, Result, Selection
from usecases.authority import Act, may_in, may_review_round


@dataclass(frozen=True)
class Shown:
    """A round's scoring as a reviewer or a selecting admin may see it."""

    result: Result
    board: Board | None = None
    names: dict[int, str] = field(default_factory=dict)


# -- words -----------------------------------------------------------------------------------


def criterion_label(name: str) -> str:
    """A default criterion in the reader's words; a round's own as it was typed."""
    return {"need_fit": _("need fit"), "feasibility": _("feasibility"), "cost": _("cost"),
            "record": _("the organisation's record")}.get(name, escape(name))


def money(fen: int) -> str:
    return formatting.yuan(fen, current_locale())


def points(value: float | None) -> str:
    return "—" if value is None else formatting.decimal(round(value, 1), current_locale())


def round_title(found: VentureRound) -> str:
    return _("Round {number} · {theme}").format(number=found.id, theme=escape(found.theme))


def _list_button(found: VentureRound) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
        text=_("📝 Score"), callback_data=ScoreCb(step=ScoreStep.LIST,
                                                  round=found.id or 0).pack())]])


def _call(found: VentureRound, proposals: int) -> Render:
    def render() -> Rendered:
        return ("\n".join([
            _("<b>{round}</b>: proposals are closed. Please score them.").format(
                round=round_title(found)),
            _("You are one of its reviewers: score each of its {count} proposals from 1 to 5 "
              "for every criterion ({criteria}). Other reviewers' scores are shown to you once "
              "everyone has scored every proposal; you may change yours until the selection. "
              "Send /score {number} or tap below.").format(
                count=proposals, number=found.id,
                criteria="、".join(criterion_label(c) for c in found.criteria))]),
            _list_button(found))
    return render


def _named(found: VentureRound) -> Render:
    def render() -> Rendered:
        text = _("You were named a reviewer of <b>{round}</b>. Once its proposals close you "
                 "will be asked to score them (/score {number}).").format(
            round=round_title(found), number=found.id)
        return text, _list_button(found) if found.state == RoundState.REVIEWING else None
    return render


def _all_scored(found: VentureRound) -> Render:
    def render() -> Rendered:
        return (_("Every reviewer has scored every proposal of <b>{round}</b>: the scores of "
                  "all reviewers are shown with /score {number}.").format(
            round=round_title(found), number=found.id), _list_button(found))
    return render


def _project_line(proposal: Proposal) -> str:
    return _("<b>{title}</b> by {organisation}, {budget}").format(
        title=escape(proposal.title), organisation=escape(proposal.organisation),
        budget=money(proposal.budget_fen))


def _result(found: VentureRound, done: Selection) -> Render:
    def render() -> Rendered:
        lines = [_("<b>{round}: the selection</b>").format(round=round_title(found)),
                 _("Selected, {total} of the budget of {budget}:").format(
                     total=money(done.total_fen), budget=money(found.budget_fen))]
        for proposal in done.selected:
            lines.append("• " + _project_line(proposal))
            lines.append(_("  Why: {reason}").format(reason=escape(proposal.reason or "")))
        if done.not_selected:
            lines.append(_("Not selected:"))
        for proposal in done.not_selected:
            lines.append("• " + _project_line(proposal))
            if proposal.reason:
                lines.append(_("  Why: {reason}").format(reason=escape(proposal.reason)))
        return "\n".join(lines), None
    return render


def _to_proposer(found: VentureRound, proposal: Proposal) -> Render:
    def render() -> Rendered:
        if proposal.state == ProposalState.SELECTED:
            lines = [_("Your proposal <b>{title}</b> in {round} was selected, with a budget of "
                       "{budget}. Its milestones start now; you will be reminded of each.")
                     .format(title=escape(proposal.title), round=round_title(found),
                             budget=money(proposal.budget_fen))]
        else:
            lines = [_("Your proposal <b>{title}</b> in {round} was not selected this time.")
                     .format(title=escape(proposal.title), round=round_title(found))]
        if proposal.reason:
            lines.append(_("Why: {reason}").format(reason=escape(proposal.reason)))
        return "\n".join(lines), None
    return render


def _to_resident(found: VentureRound, proposal: Proposal, wish_text: str) -> Render:
    def render() -> Rendered:
        return (_("Good news about your wish “{wish}”: the street office selected the project "
                  "<b>{title}</b> by {organisation} in {round} to answer it. You will be asked "
                  "how it went when it ends.").format(
            wish=escape(wish_text[:80]), title=escape(proposal.title),
            organisation=escape(proposal.organisation), round=round_title(found)), None)
    return render


# -- reading ---------------------------------------------------------------------------------


async def _may_select(session: AsyncSession, actor: Actor, found: VentureRound) -> bool:
    return await may_in(session, actor, Act.SELECT_PROJECTS, found.street_id)


async def rounds_to_review(db: Database, actor: Actor) -> list[VentureRound]:
    """The rounds being reviewed that ``actor`` reviews, newest first."""
    async with db.transaction() as session:
        rows = (await session.exec(select(VentureRound).where(
            VentureRound.state == RoundState.REVIEWING)
            .order_by(col(VentureRound.id).desc()).limit(50))).all()
        return [r for r in rows if await may_review_round(session, actor, r.id or 0)]


async def rounds_to_select(db: Database, actor: Actor) -> list[VentureRound]:
    """The rounds not yet selected whose street ``actor`` selects for, newest first."""
    async with db.transaction() as session:
        rows = (await session.exec(select(VentureRound).where(
            col(VentureRound.state).in_(list(selection.NAMING_STATES)))
            .order_by(col(VentureRound.id).desc()).limit(50))).all()
        return [r for r in rows if await _may_select(session, actor, r)]


async def _shown(session: AsyncSession, found: VentureRound) -> Shown:
    board = await selection.board(session, found)
    return Shown(Result.OK, board, await people.names_in(session, board.panel))


async def review_board(db: Database, actor: Actor, round_id: int) -> Shown:
    """The round's proposals and scores as the reviewer may see them."""
    async with db.transaction() as session:
        if not await may_review_round(session, actor, round_id):
            return Shown(Result.NOT_REVIEWER)
        result, found, _proposal = await selection.scorable(session, round_id, None)
        if result is not Result.OK or found is None:
            return Shown(result)
        return await _shown(session, found)


async def may_score(db: Database, actor: Actor, round_id: int,
                    proposal_id: int) -> tuple[Result, VentureRound | None, Details | None]:
    """Before and during the scoring form: whether ``actor`` may score the proposal."""
    async with db.transaction() as session:
        if not await may_review_round(session, actor, round_id):
            return Result.NOT_REVIEWER, None, None
        result, found, proposal = await selection.scorable(session, round_id, proposal_id)
        if result is not Result.OK or proposal is None:
            return result, found, None
        return Result.OK, found, await selection.details(session, proposal)


async def reviewers(db: Database, actor: Actor,
                    round_id: int) -> tuple[Result, VentureRound | None, list[int], list[int],
                                            dict[int, str]]:
    """(result, round, its street's admins, the named reviewers, their names)."""
    async with db.transaction() as session:
        found = await ventures.get_round(session, round_id)
        if found is None:
            return Result.NOT_FOUND, None, [], [], {}
        if not await _may_select(session, actor, found):
            return Result.NOT_ALLOWED, found, [], [], {}
        admins = await selection.street_admins(session, found.street_id)
        named = await selection.named(session, round_id)
        return Result.OK, found, admins, named, await people.names_in(session,
                                                                       [*admins, *named])


async def selection_view(db: Database, actor: Actor, round_id: int, *, now: datetime) -> Shown:
    """The round's scoring as a street admin selecting sees it."""
    async with db.transaction() as session:
        found = await ventures.get_round(session, round_id)
        if found is None:
            return Shown(Result.NOT_FOUND)
        if not await _may_select(session, actor, found):
            return Shown(Result.NOT_ALLOWED)
        if (ready := selection.selectable(found, now)) is not Result.OK:
            return Shown(ready)
        return await _shown(session, found)


# -- changes ---------------------------------------------------------------------------------


async def name_reviewers(messenger: Messenger, actor: Actor, round_id: int,
                         person_ids: Sequence[int], *, now: datetime) -> dict[int, Result]:
    """Name reviewers of the round; each one named is told privately."""
    async with messenger.db.transaction() as session:
        found = await ventures.get_round(session, round_id)
        if found is None:
            return dict.fromkeys(person_ids, Result.NOT_FOUND)
        if not await _may_select(session, actor, found):
            return dict.fromkeys(person_ids, Result.NOT_ALLOWED)
        done: dict[int, Result] = {}
        for person_id in dict.fromkeys(person_ids):
            done[person_id] = await selection.name_reviewer(session, round_id, person_id,
                                                            by=actor.id, now=now)
            if done[person_id] is Result.OK:
                await outbox.add(session, [await messenger.for_person(
                    session, person_id, f"round:{round_id}:named:{person_id}:{now.timestamp()}",
                    _named(found))])
        return done


async def remove_reviewer(messenger: Messenger, actor: Actor, round_id: int, person_id: int, *,
                          now: datetime) -> Result:
    async with messenger.db.transaction() as session:
        found = await ventures.get_round(session, round_id)
        if found is None:
            return Result.NOT_FOUND
        if not await _may_select(session, actor, found):
            return Result.NOT_ALLOWED
        return await selection.remove_reviewer(session, round_id, person_id, by=actor.id,
                                               now=now)


async def score(messenger: Messenger, actor: Actor, round_id: int, proposal_id: int, *,
                scores: Mapping[str, int], note: str | None, now: datetime) -> Result:
    """Save a reviewer's scores; when they complete the round's scoring, every reviewer is
    told that all the scores are shown now."""
    async with messenger.db.transaction() as session:
        if not await may_review_round(session, actor, round_id):
            return Result.NOT_REVIEWER
        found = await ventures.get_round(session, round_id)
        before = await selection.board(session, found) if found else None
        done = await selection.save_score(session, round_id, proposal_id,
                                          reviewer_id=actor.id, scores=scores, note=note,
                                          now=now)
        if done is not Result.OK or found is None or before is None or before.complete:
            return done
        after = await selection.board(session, found)
        if after.complete:
            await outbox.add(session, [await messenger.for_person(
                session, person_id, f"round:{round_id}:all-scored", _all_scored(found))
                for person_id in after.panel])
        return done


async def select_projects(messenger: Messenger, actor: Actor, round_id: int, *,
                 chosen: Mapping[int, str], others: Mapping[int, str | None],
                 now: datetime) -> Selection:
    """The selection, once; its announcement to the street's and communities' chats, the
    proposers and the residents whose wishes the selected projects answer."""
    async with messenger.db.transaction() as session:
        found = await ventures.get_round(session, round_id)
        if found is None:
            return Selection(Result.NOT_FOUND)
        if not await _may_select(session, actor, found):
            return Selection(Result.NOT_ALLOWED, found)
        done = await selection.select_projects(session, round_id, chosen=chosen, others=others,
                                               by=actor.id, now=now)
        if done.ok:
            await outbox.add(session, await _announcement(messenger, session, found, done))
        return done


async def _announcement(messenger: Messenger, session: AsyncSession, found: VentureRound,
                        done: Selection) -> list[OutboxMessage]:
    key = f"audit:{done.event_id}"
    street = await places.get(session, found.street_id)
    chats: list[Place] = [p for p in [street, *await ventures.communities_of(
        session, found.street_id)] if p is not None]
    rows = [row for place in chats
            for row in messenger.for_place(place, f"{key}:selection", _result(found, done))]
    for proposal in [*done.selected, *done.not_selected]:
        rows.append(await messenger.for_person(session, proposal.rep_id,
                                               f"{key}:proposal:{proposal.id}",
                                               _to_proposer(found, proposal)))
    by_id = {p.id: p for p in done.selected}
    told: set[int] = set()
    for proposal_id, wish in await selection.residents_answered(session, list(by_id)):
        if wish.resident_id in told:
            continue
        told.add(wish.resident_id)
        rows.append(await messenger.for_person(
            session, wish.resident_id, f"{key}:resident:{wish.resident_id}",
            _to_resident(found, by_id[proposal_id], wish.text), wish_id=wish.id))
    return rows


async def call_due(messenger: Messenger, *, now: datetime) -> int:
    """The sweep's step: ask the reviewers of rounds whose proposals closed, once."""

    async def notify(session: AsyncSession, found: VentureRound, board: Board,
                     event: int) -> list[OutboxMessage]:
        return [await messenger.for_person(session, person_id,
                                           f"audit:{event}:review-call",
                                           _call(found, len(board.proposals)))
                for person_id in board.panel]

    return await selection.call_reviewers(messenger.db, now=now, notify=notify)
