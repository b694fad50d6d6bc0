"""/rounds (a street's rounds with their state and counts, for its staff and organisation
representatives), /my_proposals (a representative's proposals, to change or withdraw until the
deadline), and a round's proposals read in full by its reviewers, always privately."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot import paging, venture_notices
from bot.callbacks import ListKind, ListPageCb, VentureAction, VentureCb
from bot.clock import Clock
from bot.filters import in_private
from bot.messenger import Messenger
from handlers.ventures.proposal_form import closed_or_withdrawn
from storage import evaluation
from storage.db import Database
from storage.models import Place
from storage.people import Actor
from storage.ventures import Result
from usecases import ventures as usecase
from usecases.ventures import Listed

MY_LISTED = 20


def _not_allowed() -> str:
    return _("Only the staff and organisation representatives of this street can see its "
             "micro-venture rounds.")


def _not_a_reviewer() -> str:
    return _("Only the round's reviewers and its street's admins can read its proposals.")


def _entry(item: Listed) -> str:
    found = item.round
    return "\n".join([
        _("<b>#{id} {theme}</b> · {street} · {state}").format(
            id=found.id, theme=escape(found.theme), street=escape(item.street.name),
            state=venture_notices.round_state(found.state)),
        _("Budget {budget}, cap {cap}; proposals until {due}; selection on {selection}.").format(
            budget=venture_notices.money(found.budget_fen),
            cap=venture_notices.money(found.cap_fen),
            due=venture_notices.day(venture_notices.last_day(found, item.street.timezone)),
            selection=venture_notices.day(found.selection_on)),
        _("Proposals: {count} from {organisations} organisations; withdrawn: {withdrawn}.")
        .format(count=item.counts.proposals, organisations=item.counts.organisations,
                withdrawn=item.counts.withdrawn),
    ])


def _listing(found: list[Listed]) -> paging.Listing:
    buttons = [[InlineKeyboardButton(text=_("📄 Proposals of #{id}").format(id=item.round.id),
                                     callback_data=VentureCb(
                                         action=VentureAction.PROPOSALS,
                                         round=item.round.id or 0).pack())]
               if item.reviews else [] for item in found]
    return paging.Listing(
        header=_("<b>Micro-venture rounds</b>"),
        entries=[_entry(item) for item in found] or [_("No round yet.")],
        separator="\n\n", buttons=buttons,
        footer=_("A street admin opens one with /round; organisations propose with /propose."))


async def _street_here(db: Database, place: Place | None) -> Place | None:
    if place is None:
        return None
    async with db.transaction() as session:
        return await evaluation.street_of(session, place.id or 0)


async def rounds(message: Message, db: Database, actor: Actor, place: Place | None) -> None:
    street_id = None
    if message.chat.type != "private":
        street = await _street_here(db, place)
        if street is None or place is None or not await usecase.may_see_rounds(db, actor, place):
            await message.reply(_not_allowed())
            return
        street_id = street.id
    found = await usecase.listed(db, actor, street_id)
    if message.chat.type == "private" and not found and not await usecase.sees_rounds(
            db, actor):
        await message.reply(_not_allowed())
        return
    await paging.send(message, _listing(found), ListKind.ROUNDS, street_id or 0)


async def rounds_page(query: CallbackQuery, callback_data: ListPageCb, db: Database,
                      actor: Actor) -> None:
    found = await usecase.listed(db, actor, callback_data.about or None)
    await paging.turn(query, callback_data, _listing(found))


async def proposals(query: CallbackQuery, callback_data: VentureCb, db: Database,
                    actor: Actor, messenger: Messenger) -> None:
    """A round's proposals, sent privately to the reviewer who asked, wherever they asked."""
    found = await usecase.proposals(db, actor, callback_data.round)
    if found is None:
        await query.answer(_not_a_reviewer(), show_alert=True)
        return
    await query.answer(None if query.message and query.message.chat.type == "private" else _(
        "I sent them to you in a private chat."))

    def render() -> tuple[str, InlineKeyboardMarkup | None]:
        lines = [_("<b>Proposals of round #{id}</b>").format(id=callback_data.round)]
        lines += [_("#{id} {title} · {organisation} · {budget}").format(
            id=p.id, title=escape(p.title), organisation=escape(p.organisation),
            budget=venture_notices.money(p.budget_fen)) for p in found[:40]]
        if not found:
            lines.append(_("No proposal yet."))
        rows = [[InlineKeyboardButton(text=_("📄 Read #{id}").format(id=p.id),
                                      callback_data=VentureCb(action=VentureAction.READ,
                                                              proposal=p.id or 0).pack())]
                for p in found[:40]]
        return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows) if rows else None

    await messenger.tell(actor.id, f"proposals:{query.id}", render)


async def read(query: CallbackQuery, callback_data: VentureCb, db: Database, actor: Actor,
               messenger: Messenger) -> None:
    shown = await usecase.read(db, actor, callback_data.proposal)
    if shown is None:
        await query.answer(_not_a_reviewer(), show_alert=True)
        return
    await query.answer(None if query.message and query.message.chat.type == "private" else _(
        "I sent it to you in a private chat."))
    # Through the outbox: a long proposal goes out in parts, each within Telegram's limit.
    await messenger.tell(actor.id, f"read:{query.id}", lambda: (venture_notices.proposal_text(
        shown.full, shown.round, shown.needs, shown.timezone), None))


async def my_proposals(message: Message, db: Database, actor: Actor, clock: Clock) -> None:
    found = (await usecase.own(db, actor, now=clock.now()))[:MY_LISTED]
    if not found:
        await message.answer(_("You have made no proposal yet. /propose makes one."))
        return
    lines = [_("<b>Your proposals</b>")]
    rows: list[list[InlineKeyboardButton]] = []
    for item in found:
        p = item.proposal
        lines.append(_("#{id} {title} · round #{round} · {budget} · {state}").format(
            id=p.id, title=escape(p.title), round=item.round.id,
            budget=venture_notices.money(p.budget_fen),
            state=venture_notices.proposal_state(p.state)))
        row = [InlineKeyboardButton(text=_("📄 #{id}").format(id=p.id), callback_data=VentureCb(
            action=VentureAction.READ, proposal=p.id or 0).pack())]
        if item.changeable:
            row += [InlineKeyboardButton(text=_("✏️ Change #{id}").format(id=p.id),
                                         callback_data=VentureCb(action=VentureAction.EDIT,
                                                                 proposal=p.id or 0).pack()),
                    InlineKeyboardButton(text=_("Withdraw #{id}").format(id=p.id),
                                         callback_data=VentureCb(action=VentureAction.WITHDRAW,
                                                                 proposal=p.id or 0).pack())]
        rows.append(row)
    await message.answer("\n".join(lines), reply_markup=InlineKeyboardMarkup(
        inline_keyboard=rows))


async def withdraw(query: CallbackQuery, callback_data: VentureCb, db: Database, actor: Actor,
                   clock: Clock) -> None:
    outcome = await usecase.withdraw(db, actor, callback_data.proposal, now=clock.now())
    if not outcome.ok:
        await query.answer(_("This is not your proposal.") if outcome.result in (
            Result.NOT_YOURS, Result.NOT_FOUND) else closed_or_withdrawn(
            outcome.round, "" if outcome.result is Result.WRONG_STATE else "submitted"),
            show_alert=True)
        return
    await query.answer(_("Proposal #{id} is withdrawn.").format(id=callback_data.proposal),
                       show_alert=True)
    if isinstance(query.message, Message):
        await query.message.answer(_("Proposal #{id} is withdrawn.").format(
            id=callback_data.proposal))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(rounds, Command("rounds"))
    router.message.register(my_proposals, Command("my_proposals"), in_private)
    router.callback_query.register(rounds_page, ListPageCb.filter(F.kind == ListKind.ROUNDS))
    router.callback_query.register(proposals,
                                   VentureCb.filter(F.action == VentureAction.PROPOSALS))
    router.callback_query.register(read, VentureCb.filter(F.action == VentureAction.READ))
    router.callback_query.register(withdraw,
                                   VentureCb.filter(F.action == VentureAction.WITHDRAW))
    return router
