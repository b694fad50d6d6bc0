"""What the bot says of micro-venture rounds (微创投) and proposals, in the reader's words:
the announcement of a round, the news that its deadline passed, and a proposal in full.

A round's needs are residents' wishes: only their words are shown, shortened and with any
number masked, never a contact field.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import formatting
from bot.callbacks import VentureAction, VentureCb
from bot.i18n import current_locale
from bot.messenger import Messenger, Render, Rendered
from storage import ventures
from storage.models import OutboxMessage, Place, ProposalState, RoundState, VentureRound
from storage.privacy import mask_numbers
from storage.ventures import DEFAULT_CRITERIA, Counts, Full, Need

NEED_WORDS = 60  # a wish's words in a list of needs


def money(fen: int) -> str:
    return formatting.yuan(fen, current_locale())


def day(value: date) -> str:
    return formatting.day(value, current_locale())


def last_day(found: VentureRound, timezone: str) -> date:
    """The last day proposals are taken, in the street's time zone."""
    due = found.proposals_due_at
    due = due if due.tzinfo else due.replace(tzinfo=UTC)
    return (due.astimezone(ZoneInfo(timezone)) - timedelta(seconds=1)).date()


def criterion(name: str) -> str:
    """A default criterion in the reader's words; a round's own as it was typed."""
    return {"need_fit": _("need fit"), "feasibility": _("feasibility"), "cost": _("cost"),
            "record": _("the organisation's record")}.get(name, escape(name))


def criteria(names: Sequence[str]) -> str:
    return "、".join(criterion(name) for name in names)


def default_criteria() -> str:
    return criteria(DEFAULT_CRITERIA)


def need_words(text: str, most: int = NEED_WORDS) -> str:
    masked = mask_numbers(" ".join(text.split()))[0]
    return escape(masked if len(masked) <= most else masked[:most - 1] + "…")


def need_line(need: Need) -> str:
    return _("• #{id} {text} ({community})").format(
        id=need.wish_id, text=need_words(need.text), community=escape(need.community))


def round_state(state: str) -> str:
    return {RoundState.OPEN: _("taking proposals"), RoundState.REVIEWING: _("under review"),
            RoundState.RUNNING: _("projects under way"),
            RoundState.EVALUATING: _("final evaluation"), RoundState.FINISHED: _("finished"),
            RoundState.CANCELLED: _("cancelled")}.get(state, state)


def proposal_state(state: str) -> str:
    return {ProposalState.SUBMITTED: _("submitted"), ProposalState.WITHDRAWN: _("withdrawn"),
            ProposalState.SELECTED: _("selected"),
            ProposalState.NOT_SELECTED: _("not selected"),
            ProposalState.COMPLETED: _("completed")}.get(state, state)


def round_lines(found: VentureRound, needs: Sequence[Need], timezone: str) -> list[str]:
    """What a round asks for: its needs, money, dates and criteria."""
    return [
        _("Needs it answers:"),
        *(need_line(need) for need in needs),
        _("Budget: {budget} in all, at most {cap} per project.").format(
            budget=money(found.budget_fen), cap=money(found.cap_fen)),
        _("Proposals until {due}; selection on {selection}.").format(
            due=day(last_day(found, timezone)), selection=day(found.selection_on)),
        _("Criteria: {criteria}").format(criteria=criteria(found.criteria)),
        _("Proposals per organisation: {count}").format(count=found.proposals_per_org),
    ]


def announcement(found: VentureRound, street: str, needs: Sequence[Need], timezone: str,
                 *, button: bool) -> Render:
    """A new round, for a chat of the street or one of its communities, or privately for an
    organisation's representative (``button``: with Propose)."""

    def render() -> Rendered:
        lines = [_("📢 <b>Micro-venture round #{id}: {theme}</b> · {street}").format(
                     id=found.id, theme=escape(found.theme), street=escape(street)),
                 *round_lines(found, needs, timezone),
                 _("Organisation reps: send /propose to me in a private chat to propose a "
                   "project.")]
        markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
            text=_("📝 Propose"), callback_data=VentureCb(
                action=VentureAction.PROPOSE, round=found.id or 0).pack())]]) if button \
            else None
        return "\n".join(lines), markup

    return render


def deadline_passed(found: VentureRound, counted: Counts) -> Render:
    """The street's chat hears that a round's deadline passed, and what came in."""

    def render() -> Rendered:
        return _("⏰ Micro-venture round #{id} ({theme}) takes no more proposals. Proposals "
                 "received: {count}, from {organisations} organisations. Its reviewers will "
                 "now score them.").format(
            id=found.id, theme=escape(found.theme), count=counted.proposals,
            organisations=counted.organisations), None

    return render


def proposal_text(shown: Full, found: VentureRound, needs: Sequence[Need],
                  timezone: str) -> str:
    """A proposal in full, for private reading."""
    proposal = shown.proposal
    by_id = {need.wish_id: need for need in needs}
    lines = [
        _("<b>Proposal #{id}: {title}</b>").format(id=proposal.id, title=escape(proposal.title)),
        _("Round #{id}: {theme}").format(id=found.id, theme=escape(found.theme)),
        _("Organisation: {name}").format(name=escape(proposal.organisation)),
        _("State: {state}").format(state=proposal_state(proposal.state)),
        _("Needs it answers:"),
        *(need_line(by_id[wish_id]) for wish_id in shown.needs if wish_id in by_id),
        _("Plan:"), escape(proposal.plan),
        _("Budget: {total} (cap {cap})").format(total=money(proposal.budget_fen),
                                                cap=money(found.cap_fen)),
        *(_("• {item}: {amount}").format(item=escape(line.item), amount=money(line.amount_fen))
          for line in shown.lines),
        _("Timeline:"),
        *(_("• {day}: {title}").format(day=day(m.due_on), title=escape(m.title))
          for m in shown.milestones),
        _("Team: {team}").format(team=escape(proposal.team)),
        _("Submitted {when}").format(when=formatting.when(
            proposal.submitted_at if proposal.submitted_at.tzinfo
            else proposal.submitted_at.replace(tzinfo=UTC), timezone, current_locale())),
    ]
    return "\n".join(lines)


def today_in(timezone: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


class DeadlineNotices:
    """Renders, in the sweep's transaction, what the street's chat hears when a round's
    deadline for proposals passes."""

    def __init__(self, messenger: Messenger) -> None:
        self.messenger = messenger

    async def __call__(self, session: AsyncSession, found: VentureRound,
                       event_id: int) -> list[OutboxMessage]:
        street = await session.get(Place, found.street_id)
        if street is None:
            return []
        counted = await ventures.counts(session, found.id or 0)
        return self.messenger.for_place(street, f"audit:{event_id}:due",
                                        deadline_passed(found, counted))
