"""/report [week|month] [place]: a place's figures and chart, for its staff.

A report names no one, but a grid's group is full of residents and volunteers: asked there (or
in a group bound to no place, whose people nobody knows, or in the chat of a place it is not
about), the report goes to the person privately and the group is told so. In a community's or
street's chat, where the scheduled reports go too, and in a private chat, it is the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from aiogram import Bot, Router
from aiogram.enums import ChatAction, ChatType
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlmodel import col, select

from bot import reporting, words_zh
from bot.clock import Clock
from storage import places
from storage.db import Database
from storage.models import STAFF_ROLES, Place, PlaceKind, RoleGrant
from storage.people import Actor
from storage.reports import Span
from storage.words import NO_ROW, row_number
from usecases import reports as usecase

# The period each keyword of words_zh.REPORT_PERIODS asks for: its span, and how many periods
# back (0: this one so far).
PERIODS: dict[str, tuple[Span, int]] = {"week": (Span.WEEK, 0), "lastweek": (Span.WEEK, 1),
                                        "month": (Span.MONTH, 0), "lastmonth": (Span.MONTH, 1)}


@dataclass(frozen=True)
class Request:
    span: Span = Span.WEEK
    back: int = 0
    place_words: str | None = None


def usage() -> str:
    return _("Usage: /report [week|month|last week|last month] [place number or name], e.g. "
             "/report month, /report 上周 #3. /places lists the numbers.")


def parse(args: str) -> Request:
    """The period and the place asked for: words after the period name the place."""
    words = args.split()
    for taken in (2, 1):  # "last week" is two words
        found = words_zh.keyword(" ".join(words[:taken]), words_zh.REPORT_PERIODS)
        if len(words) >= taken and found is not None:
            span, back = PERIODS[found]
            rest = words[taken:]
            return Request(span, back, " ".join(rest) if rest else None)
    return Request(place_words=" ".join(words) if words else None)


async def _named(db: Database, words: str) -> Place | str:
    number = row_number(words)
    if number is not None:
        found = await places.by_id(db, number) if number != NO_ROW else None
        return found or _("There is no place #{number}. /places lists them.").format(
            number=escape(words.lstrip("#")))
    async with db.transaction() as session:
        named = list((await session.exec(select(Place).where(
            col(Place.name) == words.strip()).order_by(col(Place.id)))).all())
    if not named:
        return _("There is no place called “{name}”.").format(name=escape(words)) + "\n" + usage()
    if len(named) > 1:  # names are not unique; numbers are
        return _("Several places are called “{name}”: please give its number ({numbers}).") \
            .format(name=escape(words), numbers=", ".join(f"#{p.id}" for p in named))
    return named[0]


async def _staff_places(db: Database, actor: Actor) -> list[Place]:
    async with db.transaction() as session:
        ids = set((await session.exec(select(RoleGrant.place_id).where(
            RoleGrant.person_id == actor.id,
            col(RoleGrant.role).in_([str(r) for r in STAFF_ROLES])))).all())
    found = await places.by_ids(db, list(ids)) if ids else []
    order = [PlaceKind.STREET, PlaceKind.COMMUNITY, PlaceKind.GRID]
    return sorted(found, key=lambda p: (order.index(PlaceKind(p.kind)), p.name))  # widest first


async def _place(db: Database, actor: Actor, request: Request,
                 chat_place: Place | None) -> Place | str:
    if request.place_words is not None:
        return await _named(db, request.place_words)
    if chat_place is not None:
        return chat_place
    mine = await _staff_places(db, actor)
    if len(mine) == 1:
        return mine[0]
    if not mine and not actor.superadmin:
        return not_allowed()
    if not mine:
        return _("Which place? Please add its number, e.g. /report week #1 (/places lists "
                 "them).")
    return _("Which place? Please add its number: {places}.").format(
        places=", ".join(f"#{p.id} {escape(p.name)}" for p in mine))


def not_allowed() -> str:
    return _("Only the staff of a place (admins, social workers and cadres) can see its "
             "reports.")


async def _privately(db: Database, message: Message, place: Place | None,
                     target: Place) -> bool:
    """A grid's group, a group bound to no place, and the group of a place the report is not
    about (neither it nor above it) get no report: its asker gets it privately."""
    if message.chat.type == ChatType.PRIVATE:
        return False
    if place is None or place.kind == PlaceKind.GRID:
        return True
    return place.id not in {p.id for p in await places.chain_of(db, target.id or 0)}


async def report(message: Message, command: CommandObject, db: Database, actor: Actor,
                 place: Place | None, clock: Clock, bot: Bot) -> None:
    request = parse(command.args or "")
    target = await _place(db, actor, request, place)
    if isinstance(target, str):
        await message.reply(target)
        return
    outcome = await usecase.ask(db, actor, target.id or 0, request.span, now=clock.now(),
                                periods_back=request.back)
    if outcome.report is None:
        await message.reply(not_allowed())
        return
    privately = await _privately(db, message, place, target)
    chat_id = actor.id if privately else message.chat.id
    try:
        await bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO)
        words, png = await reporting.rendered(outcome.report)
        await reporting.send(bot, chat_id, outcome.report, words, png)
    except (TelegramForbiddenError, TelegramBadRequest):
        if not privately:
            raise
        await message.reply(_("I could not send you the report privately: please start a "
                              "private chat with me first, then ask again."))
        return
    if privately:
        await message.reply(_("I sent you the report privately: figures for staff are not "
                              "posted in this group."))


def router() -> Router:
    router = Router(name=__name__)
    router.message.register(report, Command("report"))
    return router
