"""What a page to the social worker on duty says, rendered inside the transaction that opens
or passes it on, in the language of whoever receives it."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import keyboards
from bot.i18n import chat_locale, person_locale
from bot.messenger import Messenger, Render, Rendered
from bot.notices import contact_lines, summary
from storage import people, places
from storage.duty import CHAT, PageDue
from storage.models import (
    Lane,
    OutboxMessage,
    Page,
    PageKind,
    Person,
    Place,
    Question,
    Tier,
    Wish,
    WishState,
)


def _why(page: Page, wish: Wish | None, grid: Place | None, question: Question | None,
         asker: str) -> str:
    where = escape(grid.name) if grid else ""
    match page.kind:
        case PageKind.RISK:
            return _("⚠️ Risk alert: micro-wish #{id} in “{grid}” may need help at once "
                     "({why}).").format(id=page.wish_id, grid=where,
                                         why=escape(wish.risk or "") if wish else "")
        case PageKind.URGENT:
            return _("🚨 Urgent micro-wish #{id} in “{grid}”.").format(id=page.wish_id,
                                                                      grid=where)
        case PageKind.QUESTION:
            return _("❓ A question from {name}: {text}\nReply to this message to answer; your "
                     "reply goes to the resident.").format(
                name=escape(asker), text=escape(question.text if question else ""))
        case _ if wish is not None and wish.tier == Tier.STREET:
            return _("🔔 Micro-wish #{id} of “{grid}” was not taken on in the community in "
                     "time, so it was passed to the street office.").format(
                id=page.wish_id, grid=where)
        case _:
            return _("🔔 Nobody in “{grid}” took micro-wish #{id} in time, so it was passed to "
                     "the community. Please see that it is taken on.").format(
                id=page.wish_id, grid=where)


def _ladder(page: Page, passed_on: bool) -> str:
    if page.level == "B" and passed_on:
        return _("Post A did not acknowledge this in time, so it comes to you (post B).")
    if page.level == CHAT and passed_on:
        return _("Nobody on duty acknowledged this in time.")
    if page.level == CHAT:
        return _("Nobody is on the duty roster today, so this comes to the community chat.")
    return ""


def _takes_on(wish: Wish | None) -> str:
    if wish is None or wish.state not in (WishState.SUBMITTED, WishState.OPEN):
        return ""
    return _("Acknowledging takes the micro-wish on: the resident is told who follows it up, "
             "and it is passed up no further.")


class PageNotices:
    def __init__(self, messenger: Messenger) -> None:
        self.messenger = messenger

    async def __call__(self, due: PageDue) -> list[OutboxMessage]:
        page, session = due.page, due.session
        wish = await session.get(Wish, page.wish_id) if page.wish_id else None
        # A wish passed up has its card in the community chat (with Take on): there the card
        # is its escalation's page, and any other page says so without the wish again.
        card_there = page.level == CHAT and wish is not None and wish.tier != Tier.GRID
        if card_there and page.kind == PageKind.ESCALATION and not due.passed_on:
            return []
        grid = await places.get(session, wish.grid_id) if wish else None
        question = await session.get(Question, page.question_id) if page.question_id else None
        asker = await people.name_in(session, question.resident_id) if question else ""

        def render() -> Rendered:
            parts = [_ladder(page, due.passed_on), _why(page, wish, grid, question, asker)]
            if wish is not None and not card_there:
                parts += [summary(wish), contact_lines(wish)]
            parts.append(_takes_on(wish))
            text = "\n\n".join(p for p in parts if p)
            return text, keyboards.acknowledge(page.id or 0, page.wish_id)

        locale, chat_id = await self._recipient(session, page, due.community)
        if chat_id is None:
            return []
        return [self.messenger.queued(f"page:{page.id}:{page.level}", chat_id, locale, render,
                                      not_before=due.not_before, lane=Lane.URGENT)]

    async def _recipient(self, session: AsyncSession, page: Page,
                         community: Place) -> tuple[str, int | None]:
        default = self.messenger.default_locale
        if page.level == CHAT or page.person_id is None:
            return chat_locale(community, default), community.chat_id
        person = await session.get(Person, page.person_id)
        return (person_locale(person, default) if person else default), page.person_id


def morning_reminder(post: str) -> Render:
    return lambda: (_("Good morning! You are on duty today at post {post}. Pages and residents' "
                      "questions come to you first; /duty shows the roster.").format(post=post),
                    None)
