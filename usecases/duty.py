"""The front desk (全科受理, AB岗): the roster, acknowledging pages, answering residents'
questions. Each checks authority at the community inside its transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from html import escape

from aiogram.utils.i18n import gettext as _

from bot import notices
from bot.messenger import Messenger
from bot.pages import PageNotices
from storage import duty, outbox, places, quotas
from storage.duty import Ack
from storage.models import DutyPost, Lane, Page, Place, Question
from storage.people import Actor
from storage.quotas import Hold, Reason
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


async def acknowledge(messenger: Messenger, actor: Actor, page_id: int, *,
                      now: datetime) -> Done:
    """Staff of the page's community acknowledge it; the ladder stops. Of two, one wins."""
    async with messenger.db.transaction() as session:
        page = await session.get(Page, page_id)
        if page is None:
            return Done.NOT_FOUND
        if not await may_in(session, actor, Act.ANSWER_PAGES, page.community_id):
            return Done.NOT_ALLOWED
        acked = await duty.acknowledge(session, page_id, person_id=actor.id, now=now)
    return Done.ALREADY if acked is Ack.ALREADY else Done.DONE


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

        def render() -> tuple[str, None]:
            return _("The answer to your question “{question}”:\n{answer}\n— {name}, on duty "
                     "at “{community}”").format(
                question=escape(question.text), answer=escape(question.answer or ""),
                name=escape(actor.person.full_name),
                community=escape(community.name if community else "")), None

        await outbox.add(session, [await messenger.for_person(
            session, question.resident_id, f"answer:{question.id}", render, lane=Lane.URGENT,
            on_undeliverable=notices.answered_by(actor.id, question.id or 0))])
    return Done.DONE
