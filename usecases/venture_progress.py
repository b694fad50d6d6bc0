"""A micro-venture round's projects under way and their final evaluation (评估验收): progress
reports and milestones by the project's representative, the projects shown to the round's
reviewers, the evaluation called and the round finished by a street admin (or by themselves
when every project is done and every reviewer has evaluated), the residents' answers and the
reviewers' final scores. Each is one transaction: authority, the change with its audit row,
and what others are told, queued in the outbox (storage.venture_progress has the rules).

What goes to the street's chat names projects and rounds, never a person: the organisation's
representative and the residents are told privately.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import formatting, keyboards, labels
from bot.callbacks import FinalCb, FinalStep, ProgressCb, ProgressStep, ProjectRateCb
from bot.i18n import current_locale
from bot.messenger import Messenger, Render, Rendered
from storage import outbox, people, venture_progress
from storage.models import (
    Lane,
    Milestone,
    MilestoneState,
    OutboxKind,
    OutboxMessage,
    Place,
    ProgressReport,
    ProjectRating,
    Proposal,
    RoundState,
    VentureRound,
)
from storage.people import Actor
from storage.venture_progress import MilestoneStep, Outcome, Result
from usecases.authority import Act, may_in, may_review_round

# -- what people are told ----------------------------------------------------------------------


def _day(milestone: Milestone) -> str:
    return formatting.day(milestone.due_on, current_locale())


def rating_buttons(rating_id: int) -> InlineKeyboardMarkup:
    """The three worded answers of a fulfilled wish (bot.keyboards.rating), one to a row."""
    builder = InlineKeyboardBuilder()
    for score in keyboards.WORDED_SCORES:
        builder.button(text=labels.solved_button(score),
                       callback_data=ProjectRateCb(rating=rating_id, score=score))
    builder.adjust(1)
    return builder.as_markup()


def reminder_buttons(proposal_id: int, milestone_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📝 Report progress"), callback_data=ProgressCb(
        step=ProgressStep.REPORT, proposal=proposal_id, milestone=milestone_id))
    builder.button(text=_("✅ Mark done"), callback_data=ProgressCb(
        step=ProgressStep.DONE, proposal=proposal_id, milestone=milestone_id))
    return builder.as_markup()


def evaluate_button(proposal_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📋 Evaluate"), callback_data=FinalCb(step=FinalStep.BEGIN,
                                                               proposal=proposal_id))
    return builder.as_markup()


def _reminder(milestone: Milestone, proposal: Proposal) -> Render:
    def render() -> Rendered:
        return _("⏰ Milestone “{milestone}” of your micro-venture project “{project}” is due on "
                 "{day}. Tell the street office how it goes (/progress, or the buttons below) "
                 "and mark it done once it is reached.").format(
            milestone=escape(milestone.title), project=escape(proposal.title),
            day=_day(milestone)), reminder_buttons(proposal.id or 0, milestone.id or 0)

    return render


def _overdue_to_admin(milestone: Milestone, proposal: Proposal, found: VentureRound,
                      rep: str) -> Render:
    def render() -> Rendered:
        return _("⚠️ Milestone “{milestone}” of micro-venture project #{id} “{project}” "
                 "({organisation}, round “{theme}”) was due on {day} and is not done. The "
                 "organisation's representative: {rep}. Its progress: /project {id}").format(
            milestone=escape(milestone.title), id=proposal.id, project=escape(proposal.title),
            organisation=escape(proposal.organisation), theme=escape(found.theme),
            day=_day(milestone), rep=escape(rep)), None

    return render


def _overdue_in_chat(milestone: Milestone, proposal: Proposal) -> Render:
    def render() -> Rendered:
        return _("⚠️ A milestone of micro-venture project #{id} “{project}” is overdue (due on "
                 "{day}).").format(id=proposal.id, project=escape(proposal.title),
                                   day=_day(milestone)), None

    return render


def _completed_in_chat(proposal: Proposal) -> Render:
    def render() -> Rendered:
        return _("✅ Micro-venture project #{id} “{project}” has reached all its "
                 "milestones.").format(id=proposal.id, project=escape(proposal.title)), None

    return render


def _evaluation_in_chat(found: VentureRound) -> Render:
    def render() -> Rendered:
        return _("📋 The final evaluation of micro-venture round #{id} “{theme}” has begun: "
                 "the residents whose needs its projects took up are asked whether they were "
                 "solved, and the reviewers evaluate each project.").format(
            id=found.id, theme=escape(found.theme)), None

    return render


def _ask_resident(rating: ProjectRating, proposal: Proposal) -> Render:
    def render() -> Rendered:
        return _("The micro-venture project “{project}” of {organisation} took up your "
                 "micro-wish #{wish}. Now that it is done: was your need solved?").format(
            project=escape(proposal.title), organisation=escape(proposal.organisation),
            wish=rating.wish_id), rating_buttons(rating.id or 0)

    return render


def _ask_reviewer(proposal: Proposal, found: VentureRound) -> Render:
    def render() -> Rendered:
        return _("📋 Final evaluation of micro-venture project #{id} “{project}” "
                 "({organisation}) in round “{theme}”: please score it against each "
                 "criterion.").format(id=proposal.id, project=escape(proposal.title),
                                      organisation=escape(proposal.organisation),
                                      theme=escape(found.theme)), evaluate_button(
            proposal.id or 0)

    return render


def report_row(messenger: Messenger, street: Place, round_id: int) -> list[OutboxMessage]:
    """The round's report: rendered, with its chart, in the chat's language when it is sent
    (bot.round_report)."""
    if street.chat_id is None:
        return []
    now = messenger.clock.now()
    return [OutboxMessage(key=f"round-report:{round_id}", kind=OutboxKind.REPORT, lane=Lane.GROUP,
                          chat_id=street.chat_id, markup={"round": round_id}, not_before=now,
                          created_at=now)]


# -- the sweep ---------------------------------------------------------------------------------


class MilestoneNotices:
    """Renders, inside the sweep's transaction, a milestone's reminder (to the representative)
    and its overdue notice (to the street's admins privately, a line without names in its
    chat)."""

    def __init__(self, messenger: Messenger) -> None:
        self.messenger = messenger

    async def __call__(self, session: AsyncSession, step: MilestoneStep, milestone: Milestone,
                       proposal: Proposal, found: VentureRound,
                       street: Place) -> list[OutboxMessage]:
        key = f"milestone:{milestone.id}:{step}"
        if step is MilestoneStep.REMIND:
            return [await self.messenger.for_person(session, proposal.rep_id, key,
                                                    _reminder(milestone, proposal))]
        rep = await people.name_in(session, proposal.rep_id)
        rows = [await self.messenger.for_person(session, admin, key,
                                                _overdue_to_admin(milestone, proposal, found,
                                                                  rep))
                for admin in await venture_progress.street_admins(session, street.id or 0)]
        return rows + self.messenger.for_place(street, key, _overdue_in_chat(milestone, proposal))


# -- progress ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Project:
    """A project as its representative chooses it: its pending milestones."""

    proposal: Proposal
    pending: list[Milestone]


async def projects_of(messenger: Messenger, actor: Actor) -> list[Project]:
    async with messenger.db.transaction() as session:
        found = []
        for proposal in await venture_progress.running_projects_of(session, actor.id):
            steps = await venture_progress.milestones(session, proposal.id or 0)
            found.append(Project(proposal, [m for m in steps if m.state == MilestoneState.PENDING]))
        return found


async def project_of(messenger: Messenger, actor: Actor, proposal_id: int,
                     milestone_id: int = 0) -> tuple[Result, Project | None]:
    """Before the form asks for words: OK and the project, or why not."""
    async with messenger.db.transaction() as session:
        proposal = await session.get(Proposal, proposal_id)
        allowed = await venture_progress.may_report(session, proposal, actor.id)
        if allowed is not Result.OK or proposal is None:
            return allowed, None
        steps = await venture_progress.milestones(session, proposal_id)
        if milestone_id and milestone_id not in {m.id for m in steps}:
            return Result.NOT_FOUND, None
        return Result.OK, Project(proposal, [m for m in steps if m.state == MilestoneState.PENDING])


async def _after_done(messenger: Messenger, session: AsyncSession,
                      outcome: Outcome) -> list[OutboxMessage]:
    """A project completed is said in the street's chat; the round's last one calls its
    final evaluation."""
    proposal = outcome.proposal
    if proposal is None or not outcome.completed:
        return []
    found = await venture_progress.round_of(session, proposal)
    street = await venture_progress.street_of(session, found) if found else None
    if found is None or street is None:
        return []
    rows = messenger.for_place(street, f"project-completed:{proposal.id}",
                               _completed_in_chat(proposal))
    if outcome.evaluation_called:
        rows += await _evaluation_rows(messenger, session, found, street)
    return rows


async def report(messenger: Messenger, actor: Actor, *, proposal_id: int,
                 milestone_id: int | None, text: str, photos: Sequence[str], done: bool,
                 source_key: str, now: datetime) -> Outcome:
    """A progress report with its photos; ``done``: its milestone is reached, too."""
    async with messenger.db.transaction() as session:
        added = await venture_progress.add_report(
            session, proposal_id=proposal_id, author_id=actor.id, milestone_id=milestone_id,
            text=text, photos=photos, source_key=source_key, now=now)
        if not added.ok or not done or milestone_id is None:
            return added
        marked = await venture_progress.mark_done(session, milestone_id, actor.id, now)
        await outbox.add(session, await _after_done(messenger, session, marked))
        return Outcome(Result.OK, marked.proposal, marked.milestone, marked.completed,
                       marked.evaluation_called, added.event_id)


async def mark_done(messenger: Messenger, actor: Actor, milestone_id: int, *,
                    now: datetime) -> Outcome:
    async with messenger.db.transaction() as session:
        marked = await venture_progress.mark_done(session, milestone_id, actor.id, now)
        await outbox.add(session, await _after_done(messenger, session, marked))
        return marked


# -- a project as reviewers see it -------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    proposal: Proposal
    round: VentureRound
    street: Place
    milestones: list[Milestone]
    reports: list[ProgressReport]
    evaluated: bool  # the reader gave their final evaluation already
    may_evaluate: bool  # the round is being evaluated and the reader has not yet


async def show(messenger: Messenger, actor: Actor, proposal_id: int, *,
               now: datetime) -> tuple[Result, Shown | None]:
    """A project's milestones and progress reports, for the round's reviewers (street admins
    and those named) and its own representative."""
    async with messenger.db.transaction() as session:
        proposal = await session.get(Proposal, proposal_id)
        found = await venture_progress.round_of(session, proposal) if proposal else None
        street = await venture_progress.street_of(session, found) if found else None
        if proposal is None or found is None or street is None or (
                proposal.state not in venture_progress.PROJECT_STATES):
            return Result.NOT_FOUND, None
        reviewer = await may_review_round(session, actor, found.id or 0)
        if not reviewer and proposal.rep_id != actor.id:
            return Result.NOT_ALLOWED, None
        evaluated = await venture_progress.final_score(session, proposal_id, actor.id)
        return Result.OK, Shown(
            proposal, found, street, await venture_progress.milestones(session, proposal_id),
            await venture_progress.reports(session, proposal_id), evaluated is not None,
            reviewer and evaluated is None and found.state == RoundState.EVALUATING)


# -- the final evaluation ----------------------------------------------------------------------


async def _evaluation_rows(messenger: Messenger, session: AsyncSession, found: VentureRound,
                           street: Place) -> list[OutboxMessage]:
    """Residents asked whether their need was solved, reviewers asked to evaluate each project,
    and a line in the street's chat. A resident who cannot be reached stays unanswered."""
    rows = messenger.for_place(street, f"round-evaluation:{found.id}", _evaluation_in_chat(found))
    projects = {p.id: p for p in await venture_progress.projects(session, found.id or 0)}
    for rating in await venture_progress.ratings_asked(session, found.id or 0):
        proposal = projects[rating.proposal_id]
        rows.append(await messenger.for_person(
            session, rating.resident_id, f"project-rating:{rating.id}",
            _ask_resident(rating, proposal), wish_id=rating.wish_id))
    for reviewer in await venture_progress.panel(session, found):
        for proposal in projects.values():
            rows.append(await messenger.for_person(
                session, reviewer, f"final-evaluation:{proposal.id}:{reviewer}",
                _ask_reviewer(proposal, found)))
    return rows


async def _round_and_street(session: AsyncSession,
                            round_id: int) -> tuple[VentureRound | None, Place | None]:
    found = await session.get(VentureRound, round_id)
    street = await venture_progress.street_of(session, found) if found else None
    return found, street


async def may_decide(messenger: Messenger, actor: Actor, round_id: int,
                     state: RoundState) -> Result:
    """Before the confirmation: OK when ``actor`` may call the evaluation of (``state``
    RUNNING) or finish (EVALUATING) the round, and it is at that step."""
    async with messenger.db.transaction() as session:
        found, street = await _round_and_street(session, round_id)
        if found is None or street is None:
            return Result.NOT_FOUND
        if not await may_in(session, actor, Act.EVALUATE_ROUNDS, street.id or 0):
            return Result.NOT_ALLOWED
        return Result.OK if found.state == state else Result.WRONG_STATE


async def call_evaluation(messenger: Messenger, actor: Actor, round_id: int, *,
                          now: datetime) -> Result:
    """A street admin ends a running round's work: the final evaluation begins, once."""
    async with messenger.db.transaction() as session:
        found, street = await _round_and_street(session, round_id)
        if found is None or street is None:
            return Result.NOT_FOUND
        if not await may_in(session, actor, Act.EVALUATE_ROUNDS, street.id or 0):
            return Result.NOT_ALLOWED
        if not await venture_progress.call_evaluation(session, round_id, actor.id, now):
            return Result.ALREADY if found.evaluation_called_at else Result.WRONG_STATE
        await session.refresh(found)
        await outbox.add(session, await _evaluation_rows(messenger, session, found, street))
        return Result.OK


async def finish(messenger: Messenger, actor: Actor | None, round_id: int, *,
                 now: datetime) -> Result:
    """The round is finished (by a street admin, or ``None``: when every reviewer has
    evaluated); its report goes to the street's chat."""
    async with messenger.db.transaction() as session:
        return await _finish(messenger, session, actor, round_id, now)


async def _finish(messenger: Messenger, session: AsyncSession, actor: Actor | None,
                  round_id: int, now: datetime) -> Result:
    found, street = await _round_and_street(session, round_id)
    if found is None or street is None:
        return Result.NOT_FOUND
    if actor is not None and not await may_in(session, actor, Act.EVALUATE_ROUNDS,
                                              street.id or 0):
        return Result.NOT_ALLOWED
    if not await venture_progress.finish(session, round_id, actor.id if actor else None, now):
        return Result.ALREADY if found.finished_at else Result.WRONG_STATE
    await outbox.add(session, report_row(messenger, street, round_id))
    return Result.OK


async def rate(messenger: Messenger, actor: Actor, rating_id: int, score: int, *,
               now: datetime) -> Outcome:
    async with messenger.db.transaction() as session:
        return await venture_progress.rate(session, rating_id, actor.id, score, now)


@dataclass(frozen=True)
class ToEvaluate:
    proposal: Proposal
    round: VentureRound


async def may_evaluate(messenger: Messenger, actor: Actor,
                       proposal_id: int) -> tuple[Result, ToEvaluate | None]:
    """Before the form asks for scores: OK with the project and its round, or why not."""
    async with messenger.db.transaction() as session:
        proposal = await session.get(Proposal, proposal_id)
        found = await venture_progress.round_of(session, proposal) if proposal else None
        if proposal is None or found is None:
            return Result.NOT_FOUND, None
        if not await may_review_round(session, actor, found.id or 0):
            return Result.NOT_ALLOWED, None
        allowed = await venture_progress.may_evaluate(session, proposal, actor.id)
        return allowed, ToEvaluate(proposal, found) if allowed is Result.OK else None


async def evaluate(messenger: Messenger, actor: Actor, *, proposal_id: int,
                   scores: dict[str, int], note: str | None, now: datetime) -> Outcome:
    """A reviewer's final evaluation; the last one of the panel finishes the round."""
    async with messenger.db.transaction() as session:
        proposal = await session.get(Proposal, proposal_id)
        found = await venture_progress.round_of(session, proposal) if proposal else None
        if proposal is None or found is None:
            return Outcome(Result.NOT_FOUND)
        if not await may_review_round(session, actor, found.id or 0):
            return Outcome(Result.NOT_ALLOWED, proposal)
        given = await venture_progress.evaluate(session, proposal_id=proposal_id,
                                                reviewer_id=actor.id, scores=scores, note=note,
                                                now=now)
        if given.ok and await venture_progress.all_evaluated(session, found):
            await _finish(messenger, session, None, found.id or 0, now)
        return given

