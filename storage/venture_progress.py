"""A micro-venture round's projects under way, and their final evaluation (评估验收).

A selected proposal is a project: its milestones are due on days of the street's time zone.
Its representative is reminded the day before a milestone is due, and once it is overdue (the
day after) the street's admins are told; each once, by a conditional update of
``reminded_at`` or ``escalated_at``, so that sweeps of several instances do it once. When every
milestone of a project is done it is COMPLETED, and when every project of a running round is,
the round goes to its final evaluation (EVALUATING): the residents of the wishes each project
answered are asked whether it was solved (``ProjectRating``), the round's reviewers give a
final score per criterion (``ProposalScore``, stage FINAL). Once they all have, or a street
admin says so, the round is FINISHED and its report goes to the street's chat.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from statistics import fmean

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import audit, outbox, places
from storage.calendar import local_day
from storage.db import Database
from storage.models import (
    Milestone,
    MilestoneState,
    OutboxMessage,
    Place,
    ProgressReport,
    ProjectRating,
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
from storage.wishes import NOT_SOLVED_BELOW, SOLVED_FROM

MAX_TEXT = 2000
MAX_NOTE = 500
MAX_PHOTOS = 10
SCALE = 5  # final scores per criterion, 1 to 5
PROJECT_STATES = (ProposalState.SELECTED, ProposalState.COMPLETED)


class Result(StrEnum):
    OK = "ok"
    NOT_FOUND = "not_found"
    NOT_YOURS = "not_yours"
    NOT_ALLOWED = "not_allowed"
    WRONG_STATE = "wrong_state"  # the project or round is not at that step (any more)
    ALREADY = "already"  # done once: the second tap changes nothing
    EMPTY = "empty"
    TOO_LONG = "too_long"
    TOO_MANY = "too_many"
    OUT_OF_RANGE = "out_of_range"  # a score or criterion the round does not have


@dataclass(frozen=True)
class Outcome:
    result: Result
    proposal: Proposal | None = None
    milestone: Milestone | None = None
    completed: bool = False  # the project became COMPLETED
    evaluation_called: bool = False  # and so its round went to the final evaluation
    event_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.result is Result.OK


# -- reading -----------------------------------------------------------------------------------


async def lock_round(session: AsyncSession, round_id: int) -> None:
    """Wait for another transaction deciding about the same round, so that whichever commits
    second sees the first: two last milestones of two projects, or two last evaluations, done
    at once still move the round (on SQLite every transaction waits anyway)."""
    await session.exec(select(VentureRound.id).where(col(VentureRound.id) == round_id)
                       .with_for_update(key_share=True))


async def round_of(session: AsyncSession, proposal: Proposal) -> VentureRound | None:
    return await session.get(VentureRound, proposal.round_id)


async def street_of(session: AsyncSession, found: VentureRound) -> Place | None:
    return await places.get(session, found.street_id)


async def projects(session: AsyncSession, round_id: int) -> list[Proposal]:
    """The round's selected projects, completed or not, in the order they were proposed."""
    return list((await session.exec(select(Proposal).where(
        Proposal.round_id == round_id, col(Proposal.state).in_([str(s) for s in PROJECT_STATES]))
        .order_by(col(Proposal.id)))).all())


async def running_projects_of(session: AsyncSession, rep_id: int) -> list[Proposal]:
    """The projects a representative reports on: selected, in a running round."""
    return list((await session.exec(
        select(Proposal).join(VentureRound, col(VentureRound.id) == col(Proposal.round_id))
        .where(Proposal.rep_id == rep_id, Proposal.state == ProposalState.SELECTED,
               VentureRound.state == RoundState.RUNNING)
        .order_by(col(Proposal.id)))).all())


async def milestones(session: AsyncSession, proposal_id: int) -> list[Milestone]:
    return list((await session.exec(select(Milestone).where(Milestone.proposal_id == proposal_id)
                                    .order_by(col(Milestone.position), col(Milestone.id)))).all())


async def reports(session: AsyncSession, proposal_id: int) -> list[ProgressReport]:
    return list((await session.exec(select(ProgressReport).where(
        ProgressReport.proposal_id == proposal_id).order_by(col(ProgressReport.id)))).all())


async def street_admins(session: AsyncSession, street_id: int) -> list[int]:
    """Those who hold the admin role at the street office itself."""
    return sorted(set((await session.exec(select(RoleGrant.person_id).where(
        RoleGrant.place_id == street_id, RoleGrant.role == Role.ADMIN))).all()))


async def panel(session: AsyncSession, found: VentureRound) -> list[int]:
    """Who gives the final evaluation: the reviewers named for the round and the street's
    admins, who review every round of their street."""
    named = (await session.exec(select(RoundReviewer.person_id).where(
        RoundReviewer.round_id == found.id))).all()
    return sorted(set(named) | set(await street_admins(session, found.street_id)))


# -- progress ----------------------------------------------------------------------------------


def check_text(text: str, limit: int = MAX_TEXT) -> Result:
    if not text.strip():
        return Result.EMPTY
    return Result.TOO_LONG if len(text) > limit else Result.OK


async def may_report(session: AsyncSession, proposal: Proposal | None,
                     person_id: int) -> Result:
    """Only the project's representative, while it is under way in a running round."""
    if proposal is None:
        return Result.NOT_FOUND
    if proposal.rep_id != person_id:
        return Result.NOT_YOURS
    found = await round_of(session, proposal)
    if proposal.state != ProposalState.SELECTED or found is None or (
            found.state != RoundState.RUNNING):
        return Result.WRONG_STATE
    return Result.OK


async def add_report(session: AsyncSession, *, proposal_id: int, author_id: int,
                     milestone_id: int | None, text: str, photos: Sequence[str],
                     source_key: str | None, now: datetime) -> Outcome:
    """A progress report, once per ``source_key`` (the form's: a double tap on Send saves one)."""
    proposal = await session.get(Proposal, proposal_id)
    if (allowed := await may_report(session, proposal, author_id)) is not Result.OK:
        return Outcome(allowed)
    if (checked := check_text(text)) is not Result.OK:
        return Outcome(checked, proposal)
    if len(photos) > MAX_PHOTOS:
        return Outcome(Result.TOO_MANY, proposal)
    milestone = None
    if milestone_id is not None:
        milestone = await session.get(Milestone, milestone_id)
        if milestone is None or milestone.proposal_id != proposal_id:
            return Outcome(Result.NOT_FOUND, proposal)
    if source_key is not None and (await session.exec(select(ProgressReport.id).where(
            ProgressReport.source_key == source_key))).first() is not None:
        return Outcome(Result.ALREADY, proposal, milestone)
    try:
        async with session.begin_nested():
            session.add(ProgressReport(proposal_id=proposal_id, milestone_id=milestone_id,
                                       author_id=author_id, text=text.strip(),
                                       photo_file_ids=list(photos), source_key=source_key,
                                       created_at=now))
    except IntegrityError:
        return Outcome(Result.ALREADY, proposal, milestone)
    event = await audit.record(session, entity="venture_proposal", entity_id=proposal_id,
                               actor_id=author_id, action="progress_report", at=now,
                               detail=f"milestone={milestone_id or '-'} photos={len(photos)}")
    return Outcome(Result.OK, proposal, milestone, event_id=event)


async def mark_done(session: AsyncSession, milestone_id: int, person_id: int,
                    now: datetime) -> Outcome:
    """The representative marks a milestone done; the last one completes the project, and the
    round's last project calls its final evaluation (``Outcome.evaluation_called``)."""
    milestone = await session.get(Milestone, milestone_id)
    if milestone is None:
        return Outcome(Result.NOT_FOUND)
    proposal = await session.get(Proposal, milestone.proposal_id)
    if (allowed := await may_report(session, proposal, person_id)) is not Result.OK:
        if allowed is Result.WRONG_STATE and milestone.state == MilestoneState.DONE:
            return Outcome(Result.ALREADY, proposal, milestone)
        return Outcome(allowed, proposal, milestone)
    assert proposal is not None
    await lock_round(session, proposal.round_id)
    moved = await session.exec(update(Milestone).where(
        col(Milestone.id) == milestone_id, col(Milestone.state) == MilestoneState.PENDING)
        .values(state=MilestoneState.DONE, done_at=now)
        .execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        return Outcome(Result.ALREADY, proposal, milestone)
    event = await audit.record(session, entity="milestone", entity_id=milestone_id,
                               actor_id=person_id, action="milestone_done", at=now,
                               from_state=MilestoneState.PENDING, to_state=MilestoneState.DONE)
    await session.refresh(milestone)
    completed = await _complete_if_done(session, proposal, now)
    called = False
    if completed and not await _any_left(session, proposal.round_id):
        called = await call_evaluation(session, proposal.round_id, None, now)
    await session.refresh(proposal)
    return Outcome(Result.OK, proposal, milestone, completed=completed,
                   evaluation_called=called, event_id=event)


async def _complete_if_done(session: AsyncSession, proposal: Proposal, now: datetime) -> bool:
    pending = (await session.exec(select(func.count()).select_from(Milestone).where(
        Milestone.proposal_id == proposal.id, Milestone.state == MilestoneState.PENDING))).one()
    if pending:
        return False
    moved = await session.exec(update(Proposal).where(
        col(Proposal.id) == proposal.id, col(Proposal.state) == ProposalState.SELECTED)
        .values(state=ProposalState.COMPLETED, completed_at=now)
        .execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        return False
    await audit.record(session, entity="venture_proposal", entity_id=proposal.id or 0,
                       actor_id=None, action="project_completed", at=now,
                       from_state=ProposalState.SELECTED, to_state=ProposalState.COMPLETED)
    return True


async def _any_left(session: AsyncSession, round_id: int) -> bool:
    return (await session.exec(select(Proposal.id).where(
        Proposal.round_id == round_id, Proposal.state == ProposalState.SELECTED))).first() \
        is not None


# -- the final evaluation ----------------------------------------------------------------------


async def call_evaluation(session: AsyncSession, round_id: int, by: int | None,
                          now: datetime) -> bool:
    """A running round goes to its final evaluation, once: each resident of a wish a project
    answered gets a row to answer (asked through the outbox by the caller)."""
    moved = await session.exec(update(VentureRound).where(
        col(VentureRound.id) == round_id, col(VentureRound.state) == RoundState.RUNNING,
        col(VentureRound.evaluation_called_at).is_(None))
        .values(state=RoundState.EVALUATING, evaluation_called_at=now)
        .execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        return False
    await audit.record(session, entity="venture_round", entity_id=round_id, actor_id=by,
                       action="call_evaluation", at=now, from_state=RoundState.RUNNING,
                       to_state=RoundState.EVALUATING)
    for proposal in await projects(session, round_id):
        needs = (await session.exec(
            select(ProposalNeed.wish_id, Wish.resident_id)
            .join(Wish, col(Wish.id) == col(ProposalNeed.wish_id))
            .where(ProposalNeed.proposal_id == proposal.id)
            .order_by(col(ProposalNeed.wish_id)))).all()
        session.add_all([ProjectRating(proposal_id=proposal.id or 0, wish_id=wish_id,
                                       resident_id=resident_id, asked_at=now)
                         for wish_id, resident_id in needs])
    await session.flush()
    return True


async def ratings_asked(session: AsyncSession, round_id: int) -> list[ProjectRating]:
    return list((await session.exec(
        select(ProjectRating).join(Proposal, col(Proposal.id) == col(ProjectRating.proposal_id))
        .where(Proposal.round_id == round_id).order_by(col(ProjectRating.id)))).all())


async def rate(session: AsyncSession, rating_id: int, person_id: int, score: int,
               now: datetime) -> Outcome:
    """The resident answers once; a second tap, or a button for another's wish, changes
    nothing."""
    rating = await session.get(ProjectRating, rating_id)
    if rating is None:
        return Outcome(Result.NOT_FOUND)
    proposal = await session.get(Proposal, rating.proposal_id)
    if rating.resident_id != person_id:
        return Outcome(Result.NOT_YOURS, proposal)
    if score not in (1, 2, 3, 4, 5):
        return Outcome(Result.OUT_OF_RANGE, proposal)
    found = await round_of(session, proposal) if proposal else None
    if found is None or found.state != RoundState.EVALUATING:
        return Outcome(Result.WRONG_STATE, proposal)
    moved = await session.exec(update(ProjectRating).where(
        col(ProjectRating.id) == rating_id, col(ProjectRating.answered_at).is_(None))
        .values(score=score, answered_at=now).execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        return Outcome(Result.ALREADY, proposal)
    event = await audit.record(session, entity="venture_rating", entity_id=rating_id,
                               actor_id=person_id, action="rate_project", at=now,
                               detail=f"score={score}")
    return Outcome(Result.OK, proposal, event_id=event)


async def may_evaluate(session: AsyncSession, proposal: Proposal | None,
                       reviewer_id: int) -> Result:
    """The project is one of an evaluating round, and the reviewer has not evaluated it."""
    if proposal is None or proposal.state not in PROJECT_STATES:
        return Result.NOT_FOUND
    found = await round_of(session, proposal)
    if found is None or found.state != RoundState.EVALUATING:
        return Result.WRONG_STATE
    if await final_score(session, proposal.id or 0, reviewer_id) is not None:
        return Result.ALREADY
    return Result.OK


async def final_score(session: AsyncSession, proposal_id: int,
                      reviewer_id: int) -> ProposalScore | None:
    return (await session.exec(select(ProposalScore).where(
        ProposalScore.proposal_id == proposal_id, ProposalScore.reviewer_id == reviewer_id,
        ProposalScore.stage == ScoreStage.FINAL))).first()


async def evaluate(session: AsyncSession, *, proposal_id: int, reviewer_id: int,
                   scores: dict[str, int], note: str | None, now: datetime) -> Outcome:
    """A reviewer's final evaluation of a project: a score from 1 to 5 for each criterion of
    its round, and a note; once."""
    proposal = await session.get(Proposal, proposal_id)
    if (allowed := await may_evaluate(session, proposal, reviewer_id)) is not Result.OK:
        return Outcome(allowed, proposal)
    assert proposal is not None
    found = await round_of(session, proposal)
    assert found is not None
    if set(scores) != set(found.criteria) or any(not 1 <= s <= SCALE for s in scores.values()):
        return Outcome(Result.OUT_OF_RANGE, proposal)
    if note is not None and (checked := check_text(note, MAX_NOTE)) is not Result.OK:
        return Outcome(checked, proposal)
    await lock_round(session, found.id or 0)
    try:
        async with session.begin_nested():
            session.add(ProposalScore(proposal_id=proposal_id, reviewer_id=reviewer_id,
                                      stage=ScoreStage.FINAL, scores=dict(scores),
                                      note=note.strip() if note else None, at=now))
    except IntegrityError:
        return Outcome(Result.ALREADY, proposal)
    event = await audit.record(session, entity="venture_proposal", entity_id=proposal_id,
                               actor_id=reviewer_id, action="final_evaluation", at=now)
    return Outcome(Result.OK, proposal, event_id=event)


async def all_evaluated(session: AsyncSession, found: VentureRound) -> bool:
    """Every member of the panel has evaluated every project."""
    members = await panel(session, found)
    ids = [p.id for p in await projects(session, found.id or 0)]
    if not members or not ids:
        return False
    given = set((await session.exec(select(ProposalScore.proposal_id, ProposalScore.reviewer_id)
                                    .where(col(ProposalScore.proposal_id).in_(ids),
                                           ProposalScore.stage == ScoreStage.FINAL))).all())
    return all((p, m) in given for p in ids for m in members)


async def finish(session: AsyncSession, round_id: int, by: int | None, now: datetime) -> bool:
    """The round is FINISHED once; its report is the caller's to queue."""
    moved = await session.exec(update(VentureRound).where(
        col(VentureRound.id) == round_id, col(VentureRound.state) == RoundState.EVALUATING)
        .values(state=RoundState.FINISHED, finished_at=now)
        .execution_options(synchronize_session=False))
    if moved.rowcount != 1:
        return False
    await audit.record(session, entity="venture_round", entity_id=round_id, actor_id=by,
                       action="finish_round", at=now, from_state=RoundState.EVALUATING,
                       to_state=RoundState.FINISHED)
    return True


# -- milestones' reminders and escalations -----------------------------------------------------


class MilestoneStep(StrEnum):
    REMIND = "remind"  # the day before it is due, to the representative
    OVERDUE = "overdue"  # the day after, to the street's admins and its chat


MilestoneNotify = Callable[[AsyncSession, MilestoneStep, Milestone, Proposal, VentureRound,
                            Place], Awaitable[list[OutboxMessage]]]


def _due(step: MilestoneStep, milestone: Milestone, today: date) -> bool:
    if step is MilestoneStep.REMIND:
        return milestone.reminded_at is None and (
            milestone.due_on - timedelta(days=1) <= today <= milestone.due_on)
    return milestone.escalated_at is None and today > milestone.due_on


async def sweep(db: Database, *, now: datetime, notify: MilestoneNotify) -> int:
    """Reminders before a milestone is due and word when it is overdue, each once."""
    async with db.transaction() as session:
        rows = (await session.exec(
            select(Milestone, Place.timezone)
            .join(Proposal, col(Proposal.id) == col(Milestone.proposal_id))
            .join(VentureRound, col(VentureRound.id) == col(Proposal.round_id))
            .join(Place, col(Place.id) == col(VentureRound.street_id))
            .where(Milestone.state == MilestoneState.PENDING,
                   col(Milestone.escalated_at).is_(None),
                   col(Milestone.due_on) <= (now + timedelta(days=2)).date(),
                   Proposal.state == ProposalState.SELECTED,
                   VentureRound.state == RoundState.RUNNING))).all()
    done = 0
    for milestone, timezone in rows:
        today = local_day(now, timezone)
        for step in MilestoneStep:
            if _due(step, milestone, today):  # only then a transaction, which decides for sure
                done += await _take(db, milestone.id or 0, step, today, now, notify)
    return done


async def _take(db: Database, milestone_id: int, step: MilestoneStep, today: date,
                now: datetime, notify: MilestoneNotify) -> int:
    column = Milestone.reminded_at if step is MilestoneStep.REMIND else Milestone.escalated_at
    async with db.transaction() as session:
        milestone = await session.get(Milestone, milestone_id)
        if milestone is None or milestone.state != MilestoneState.PENDING or not _due(
                step, milestone, today):
            return 0
        taken = await session.exec(update(Milestone).where(
            col(Milestone.id) == milestone_id, col(column).is_(None),
            col(Milestone.state) == MilestoneState.PENDING).values(
            {column.key: now}).execution_options(synchronize_session=False))
        if taken.rowcount != 1:
            return 0  # another sweep took it between our read and our write
        proposal = await session.get(Proposal, milestone.proposal_id)
        found = await round_of(session, proposal) if proposal else None
        street = await street_of(session, found) if found else None
        if proposal is None or found is None or street is None:
            return 0
        await audit.record(session, entity="milestone", entity_id=milestone_id,
                           actor_id=None, action=f"milestone_{step}", at=now)
        await outbox.add(session, await notify(session, step, milestone, proposal, found,
                                               street))
        return 1


# -- the round's report ------------------------------------------------------------------------


@dataclass(frozen=True)
class Answers:
    """What the residents of a project's wishes answered: solved, partly, not, or nothing."""

    solved: int = 0
    partly: int = 0
    not_solved: int = 0
    unanswered: int = 0

    @property
    def asked(self) -> int:
        return self.solved + self.partly + self.not_solved + self.unanswered


def answers_of(scores: Sequence[int | None]) -> Answers:
    return Answers(solved=sum(1 for s in scores if s is not None and s >= SOLVED_FROM),
                   partly=sum(1 for s in scores
                              if s is not None and NOT_SOLVED_BELOW <= s < SOLVED_FROM),
                   not_solved=sum(1 for s in scores if s is not None and s < NOT_SOLVED_BELOW),
                   unanswered=sum(1 for s in scores if s is None))


@dataclass(frozen=True)
class ProjectLine:
    proposal: Proposal
    budget_fen: int
    milestones: int
    on_time: int
    late: int  # done after its day, or still not done after it
    answers: Answers
    means: dict[str, float | None]  # the reviewers' final mean per criterion
    evaluations: int


@dataclass(frozen=True)
class RoundReport:
    round: VentureRound
    street: Place
    projects: list[ProjectLine] = field(default_factory=list)

    @property
    def budget_fen(self) -> int:
        return sum(p.budget_fen for p in self.projects)


def is_late(milestone: Milestone, timezone: str, today: date) -> bool:
    if milestone.done_at is not None:
        return local_day(milestone.done_at, timezone) > milestone.due_on
    return today > milestone.due_on


async def report(session: AsyncSession, round_id: int, now: datetime) -> RoundReport | None:
    found = await session.get(VentureRound, round_id)
    street = await street_of(session, found) if found else None
    if found is None or street is None:
        return None
    today = local_day(now, street.timezone)
    lines = []
    for proposal in await projects(session, round_id):
        steps = await milestones(session, proposal.id or 0)
        late = sum(1 for m in steps if is_late(m, street.timezone, today))
        on_time = sum(1 for m in steps if m.state == MilestoneState.DONE
                      and not is_late(m, street.timezone, today))
        scores = (await session.exec(select(ProjectRating.score).where(
            ProjectRating.proposal_id == proposal.id))).all()
        finals = (await session.exec(select(ProposalScore.scores).where(
            ProposalScore.proposal_id == proposal.id,
            ProposalScore.stage == ScoreStage.FINAL))).all()
        means: dict[str, float | None] = {}
        for criterion in found.criteria:
            given = [s[criterion] for s in finals if criterion in s]
            means[criterion] = fmean(given) if given else None
        lines.append(ProjectLine(proposal, proposal.budget_fen, len(steps), on_time, late,
                                 answers_of(list(scores)), means, len(finals)))
    return RoundReport(found, street, lines)


# -- the monthly report and the export ---------------------------------------------------------


@dataclass(frozen=True)
class PeriodFigures:
    """A street's micro-venture rounds in a report's period."""

    rounds_running: int = 0  # selected before the period's end and not finished before it
    projects_completed: int = 0
    answers: Answers = Answers()

    @property
    def any(self) -> bool:
        return bool(self.rounds_running or self.projects_completed or self.answers.asked)


async def figures(session: AsyncSession, place_ids: Sequence[int], start: datetime,
                  end: datetime) -> PeriodFigures:
    rounds = col(VentureRound.street_id).in_(list(place_ids))
    running = (await session.exec(select(func.count()).select_from(VentureRound).where(
        rounds, col(VentureRound.selected_at) < end,
        col(VentureRound.state) != RoundState.CANCELLED,
        (col(VentureRound.finished_at).is_(None)) | (col(VentureRound.finished_at) >= start)))
    ).one()
    completed = (await session.exec(
        select(func.count()).select_from(Proposal)
        .join(VentureRound, col(VentureRound.id) == col(Proposal.round_id))
        .where(rounds, col(Proposal.completed_at) >= start, col(Proposal.completed_at) < end))
    ).one()
    scores = (await session.exec(
        select(ProjectRating.score)
        .join(Proposal, col(Proposal.id) == col(ProjectRating.proposal_id))
        .join(VentureRound, col(VentureRound.id) == col(Proposal.round_id))
        .where(rounds, col(ProjectRating.answered_at) >= start,
               col(ProjectRating.answered_at) < end))).all()
    return PeriodFigures(int(running), int(completed), answers_of(list(scores)))


@dataclass(frozen=True)
class ExportRow:
    """One project for the export: its round, budget, milestones and residents' answers."""

    round_id: int
    theme: str
    street: str
    proposal_id: int
    organisation: str
    title: str
    state: str
    budget_fen: int
    milestones: list[Milestone]
    timezone: str
    answers: Answers
    completed_at: datetime | None


async def export_rows(session: AsyncSession, place_ids: Sequence[int], start: datetime,
                      end: datetime) -> list[ExportRow]:
    """The projects of rounds of these streets selected before ``end`` and not finished
    before ``start``."""
    found = (await session.exec(
        select(Proposal, VentureRound, Place)
        .join(VentureRound, col(VentureRound.id) == col(Proposal.round_id))
        .join(Place, col(Place.id) == col(VentureRound.street_id))
        .where(col(VentureRound.street_id).in_(list(place_ids)),
               col(Proposal.state).in_([str(s) for s in PROJECT_STATES]),
               col(VentureRound.selected_at) < end,
               (col(VentureRound.finished_at).is_(None)) | (col(VentureRound.finished_at) >= start))
        .order_by(col(VentureRound.id), col(Proposal.id)))).all()
    rows = []
    for proposal, venture, street in found:
        scores = (await session.exec(select(ProjectRating.score).where(
            ProjectRating.proposal_id == proposal.id))).all()
        rows.append(ExportRow(venture.id or 0, venture.theme, street.name, proposal.id or 0,
                              proposal.organisation, proposal.title, proposal.state,
                              proposal.budget_fen, await milestones(session, proposal.id or 0),
                              street.timezone, answers_of(list(scores)), proposal.completed_at))
    return rows


# The export's table of projects (/export projects): one row each, its milestones in a cell as
# (title, day due, day done or None).
EXPORT_FIELDS = ("round", "theme", "id", "organisation", "title", "state", "budget",
                 "milestones", "on_time", "late", "solved_count", "partly_count",
                 "not_solved_count", "not_answered_count", "completed_on")


def _export_row(row: ExportRow, today: date) -> tuple[object, ...]:
    steps = tuple((m.title, m.due_on.isoformat(),
                   local_day(m.done_at, row.timezone).isoformat() if m.done_at else None)
                  for m in row.milestones)
    late = sum(1 for m in row.milestones if is_late(m, row.timezone, today))
    on_time = sum(1 for m in row.milestones if m.state == MilestoneState.DONE
                  and not is_late(m, row.timezone, today))
    return (row.round_id, row.theme, row.proposal_id, row.organisation, row.title, row.state,
            row.budget_fen / 100, steps, on_time, late, row.answers.solved, row.answers.partly,
            row.answers.not_solved, row.answers.unanswered,
            local_day(row.completed_at, row.timezone) if row.completed_at else None)


async def export(db: Database, place_ids: Sequence[int], start: datetime, end: datetime,
                 last_day: date) -> AsyncIterator[Sequence[object]]:
    """The projects of a street's rounds under way in the days exported, a milestone late as
    of ``last_day``: a street has a few rounds a year, so one short transaction reads them."""
    async with db.transaction() as session:
        found = await export_rows(session, place_ids, start, end)
    for row in found:
        yield _export_row(row, last_day)
