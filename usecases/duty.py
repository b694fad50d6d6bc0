"""The front desk (全科受理, AB岗): the roster, acknowledging pages, answering residents'
questions. Each checks authority at the community inside its transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from html import escape

from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import notices
from bot.messenger import Messenger, Rendered
from bot.pages import PageNotices
from bot.paging import shorten
from storage import duty, outbox, people, places, quotas
from storage.duty import Ack
from storage.models import DutyPost, Lane, OutboxMessage, Page, Place, Question
from storage.people import Actor
from storage.quotas import Hold, Reason
from storage.wishes import Outcome
from usecases import wishes as wishes_usecase
from usecases.authority import Act, holds, may_in


class Done(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    NOT_ON_DUTY = "not_on_duty"  # the person named may not serve on the roster
    ALREADY = "already"  # someone acknowledged or answered first
    TOO_MANY = "too_many"  # the limits on people (storage.quotas)
    REPEATED = "repeated"


@dataclass(frozen=True)
class Asked:
    """DONE with the question; NOT_FOUND when the place belongs to no community; TOO_MANY or
    REPEATED (the limits on people) with the ``hold`` that says when to ask again."""

    done: Done
    question: Question | None = None
    hold: Hold | None = None


async def ask(messenger: Messenger, actor: Actor, place: Place, text: str, *,
              now: datetime) -> Asked:
    """A resident's question (最多跑一次) and the page to the front desk about it, together.
    Beyond the limits on people it waits, unless staff ask it."""
    async with messenger.db.transaction() as session:
        if await duty.community_of(session, place) is None:
            return Asked(Done.NOT_FOUND)
        if not await may_in(session, actor, Act.POST_WITHOUT_LIMITS, place.id or 0):
            hold = await quotas.question_hold(session, place, actor.id, text, now)
            if hold is not None:
                return Asked(Done.REPEATED if hold.reason is Reason.REPEATED
                             else Done.TOO_MANY, hold=hold)
        question = await duty.ask(session, place=place, resident_id=actor.id, text=text,
                                  now=now, notify=PageNotices(messenger))
    return Asked(Done.DONE, question) if question else Asked(Done.NOT_FOUND)


async def set_post(messenger: Messenger, actor: Actor, community: Place, post: DutyPost,
                   person_id: int | None, *, when: int | date | Sequence[int],
                   now: datetime) -> Done:
    """Put a social worker of the community on post A or B, weekly (``when`` a weekday, 0 =
    Monday, or several: "周一至周五") or on one day; None clears the post. A post receives
    residents' contact details, so whoever is named must be one of its social workers."""
    days: list[int | date] = list(when) if isinstance(when, Sequence) else [when]
    async with messenger.db.transaction() as session:
        if not await may_in(session, actor, Act.KEEP_ROSTER, community.id or 0):
            return Done.NOT_ALLOWED
        if person_id is not None and not await holds(session, person_id, Act.SERVE_ON_DUTY,
                                                     community.id or 0):
            return Done.NOT_ON_DUTY
        for day in days:
            await duty.set_shift(session, community_id=community.id or 0, post=post,
                                 person_id=person_id,
                                 weekday=day if isinstance(day, int) else None,
                                 day=day if isinstance(day, date) else None,
                                 actor_id=actor.id, now=now)
    return Done.DONE


@dataclass(frozen=True)
class Acked:
    """DONE with the page and, for a page about a wish, what taking it on gave (``taken``:
    OK, or why not: claimed meanwhile, not someone who takes wishes on); ALREADY with who
    acknowledged it first. ``by`` names who acknowledged it."""

    done: Done
    page: Page | None = None
    taken: Outcome | None = None
    by: str = ""


async def acknowledge(messenger: Messenger, actor: Actor, page_id: int, *, now: datetime,
                      pressed_in: int | None = None) -> Acked:
    """Staff of the page's community acknowledge it; the ladder stops, and a page about a wish
    takes the wish on (usecases.wishes.take_on). Whoever the page reached before is told who
    has it, except in ``pressed_in``, the chat where it was acknowledged. Of two, one wins."""
    async with messenger.db.transaction() as session:
        page = await session.get(Page, page_id)
        if page is None:
            return Acked(Done.NOT_FOUND)
        if not await may_in(session, actor, Act.ANSWER_PAGES, page.community_id):
            return Acked(Done.NOT_ALLOWED)
        if await duty.acknowledge(session, page_id, person_id=actor.id, now=now) is Ack.ALREADY:
            await session.refresh(page)
            return Acked(Done.ALREADY, page,
                         by=await people.name_in(session, page.acknowledged_by or 0))
        taken = (await wishes_usecase.take_on(messenger, actor, page.wish_id, now=now)
                 if page.wish_id is not None else None)
        name = await people.name_in(session, actor.id)
        await outbox.add(session, await _tell_who_was_paged(
            messenger, session, page, name, taken, skip={actor.id, pressed_in}))
    return Acked(Done.DONE, page, taken, by=name)


async def _tell_who_was_paged(messenger: Messenger, session: AsyncSession, page: Page,
                              name: str, taken: Outcome | None,
                              skip: set[int | None]) -> list[OutboxMessage]:
    """Post A, post B or the community chat, when the page reached them before: who has it."""
    question = await session.get(Question, page.question_id) if page.question_id else None

    def render() -> Rendered:
        return acknowledged_by(name, page, taken, question), None

    community = await places.get(session, page.community_id)
    rows = []
    for chat_id in await duty.told_of(session, page.id or 0):
        if chat_id in skip:
            continue
        key = f"acked:{page.id}:{chat_id}"
        if community is not None and chat_id == community.chat_id:
            rows += messenger.for_place(community, key, render)
        else:
            rows.append(await messenger.for_person(session, chat_id, key, render))
    return rows


def acknowledged_by(name: str, page: Page, taken: Outcome | None,
                    question: Question | None = None) -> str:
    """The page's news for anyone but the person who acknowledged it: in the third person."""
    if taken is not None and taken.ok:
        return _("{name} has acknowledged the page about micro-wish #{id} and taken it "
                 "on.").format(name=escape(name), id=page.wish_id)
    if page.wish_id is not None:
        return _("{name} has acknowledged the page about micro-wish #{id}.").format(
            name=escape(name), id=page.wish_id)
    if question is None:
        return _("{name} has acknowledged this.").format(name=escape(name))
    return _("{name} has acknowledged the question “{text}”.").format(
        name=escape(name), text=escape(shorten(question.text, 60)))


async def answer(messenger: Messenger, actor: Actor, page: Page, text: str, *,
                 now: datetime) -> Done:
    """A reply to the page about a question answers the resident (最多跑一次): the first answer
    wins, and it is queued to the resident in the same transaction."""
    async with messenger.db.transaction() as session:
        if page.question_id is None:
            return Done.NOT_FOUND
        if not await may_in(session, actor, Act.ANSWER_PAGES, page.community_id):
            return Done.NOT_ALLOWED
        question = await duty.answer(session, page.question_id, staff_id=actor.id,
                                     text=text, now=now)
        if question is None:
            return Done.ALREADY
        community = await places.get(session, question.community_id)
        name = await people.name_in(session, actor.id)

        def render() -> tuple[str, None]:
            return _("The answer to your question “{question}”:\n{answer}\n— {name}, on duty "
                     "at “{community}”").format(
                question=escape(question.text), answer=escape(question.answer or ""),
                name=escape(name), community=escape(community.name if community else "")), None

        await outbox.add(session, [await messenger.for_person(
            session, question.resident_id, f"answer:{question.id}", render, lane=Lane.URGENT,
            on_undeliverable=notices.answered_by(actor.id, question.id or 0))])
    return Done.DONE
