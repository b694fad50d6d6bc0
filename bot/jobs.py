"""Scheduled work: APScheduler triggers the sweep; the database says what is due.

APScheduler's in-memory job store is enough because it holds no truth: every due time is a
column of a row, so a restart or a second instance re-derives the same work.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from html import escape
from typing import TYPE_CHECKING

from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import cards, formatting, free_memory, keyboards, reporting
from bot.i18n import current_locale
from bot.meeting_notices import ActionNotices, StepNotices
from bot.messenger import Messenger, Render, Rendered
from bot.pages import PageNotices, morning_reminder
from bot.settings import Settings
from bot.venture_notices import DeadlineNotices
from storage import (
    duty,
    hours,
    meetings,
    minutes,
    places,
    reports,
    sweeps,
    updates,
    venture_progress,
)
from storage.models import Lane, OutboxKind, OutboxMessage, PageKind, Place, Wish
from storage.places import chain
from storage.retention import Retention
from storage.ventures import close_due_rounds
from usecases import council, venture_selection
from usecases.venture_progress import MilestoneNotices

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)


class SweepNotices:
    """Renders, inside the sweep's own transaction, what each step tells whom."""

    def __init__(self, messenger: Messenger) -> None:
        self.messenger = messenger

    async def _to_person(self, session: AsyncSession, person_id: int | None, key: str,
                         render: Render) -> list[OutboxMessage]:
        if person_id is None:
            return []
        return [await self.messenger.for_person(session, person_id, key, render)]

    async def _page(self, session: AsyncSession, grid: Place | None, wish: Wish) -> None:
        """Each escalation pages the community's social worker on duty, and the page of the
        step before goes no further; but while a risk or urgent page about the wish is still
        going down the ladder, that one says it (one page per wish at a time)."""
        await duty.stop_escalations(session, wish.id or 0)
        if grid is not None and await duty.alerting_about(session, wish.id or 0) is None:
            await duty.open_page(session, place=grid, kind=PageKind.ESCALATION,
                                 now=self.messenger.clock.now(),
                                 notify=PageNotices(self.messenger), wish_id=wish.id)

    async def __call__(self, due: sweeps.Due) -> list[OutboxMessage]:
        wish, session, key = due.wish, due.session, f"audit:{due.event_id}"
        grid = await places.get(session, wish.grid_id)
        ladder = await chain(session, grid) if grid else []
        community = ladder[1] if len(ladder) > 1 else None
        street = ladder[2] if len(ladder) > 2 else None
        now = self.messenger.clock.now()
        rows: list[OutboxMessage] = []
        match due.step:
            case sweeps.Step.TO_COMMUNITY:
                rows += await cards.card_rows(session, wish, reason=key, now=now,
                                              also=[community.chat_id if community else None])
                await self._page(session, grid, wish)
                rows += await self._to_person(session, wish.resident_id, f"{key}:up", lambda: (
                    _("No volunteer in your grid could take micro-wish #{id} in time, so it has "
                      "been passed to the community. Its social workers and social "
                      "organisations will look at it.").format(id=wish.id), None))
            case sweeps.Step.TO_STREET:
                rows += await cards.card_rows(session, wish, reason=key, now=now,
                                              also=[street.chat_id if street else None])
                await self._page(session, grid, wish)
                rows += await self._to_person(session, wish.resident_id, f"{key}:up", lambda: (
                    _("Micro-wish #{id} has been passed to the street office, which may take it "
                      "up as a micro-venture project. We will tell you what happens.").format(
                        id=wish.id), None))
            case sweeps.Step.REMIND_CLAIMER:
                rows += await self._to_person(session, wish.claimer_id, f"{key}:remind", lambda: (
                    _reminder(wish) + "\n\n" + escape(wish.text),
                    keyboards.claimer(wish.id or 0)))
            case sweeps.Step.RELEASE_CLAIM:
                rows += await cards.card_rows(session, wish, reason=key, now=now)
                rows += await self._to_person(session, due.previous_claimer, f"{key}:released",
                                              lambda: (_(
                    "Micro-wish #{id} stayed claimed too long without being fulfilled, so it is "
                    "open again for others. Thank you for your time.").format(id=wish.id), None))
                rows += await self._to_person(session, wish.resident_id, f"{key}:reopened",
                                              lambda: (_(
                    "The volunteer could not go on with your micro-wish #{id}. "
                    "It is open again for other volunteers.").format(id=wish.id), None))
                if grid is not None:
                    rows += self.messenger.for_place(grid, f"{key}:again", lambda: (
                        _("Micro-wish #{id} is open again. Can anyone help?").format(
                            id=wish.id), None))
            case sweeps.Step.CLOSE_UNCONFIRMED:
                rows += await cards.card_rows(session, wish, reason=key, now=now)
                rows += await self._to_person(session, due.previous_claimer, f"{key}:closed",
                                              lambda: (_(
                    "Micro-wish #{id} is closed as fulfilled: the resident did not confirm in "
                    "time. Thank you for your help!").format(id=wish.id), None))
        return rows


def _reminder(wish: Wish) -> str:
    if wish.taken_on:  # a social worker's or organisation's case: a follow-up (回访)
        return _("Time to follow up micro-wish #{id}, which you took on: how is the resident "
                 "now? When it is settled, tap Mark fulfilled; if someone else should take it "
                 "on, tap Give up.").format(id=wish.id)
    return _("A reminder about micro-wish #{id}, which you claimed: if you have helped, tap "
             "Mark fulfilled; if you cannot do it, tap Give up so that someone else can.").format(
        id=wish.id)


async def _morning_notices(messenger: Messenger, session: AsyncSession, community: Place,
                          posts: dict[str, int], today: date) -> list[OutboxMessage]:
    return [await messenger.for_person(session, person_id, f"duty:{community.id}:{today}:{post}",
                                       morning_reminder(post))
            for post, person_id in sorted(posts.items())]


HONOUR_NAMED = 5  # volunteers named on a grid's honour roll, ties included


def ranked(standings: list[hours.Standing]) -> list[tuple[int, hours.Standing]]:
    """The volunteers who may be named, with their rank (equal hours and wishes share one),
    up to HONOUR_NAMED places."""
    named: list[tuple[int, hours.Standing]] = []
    for standing in (s for s in standings if s.public):
        previous = named[-1] if named else None
        tied = previous is not None and (previous[1].minutes, previous[1].wishes) == (
            standing.minutes, standing.wishes)
        rank = previous[0] if tied and previous else len(named) + 1
        if rank > HONOUR_NAMED:
            break
        named.append((rank, standing))
    return named


def honour_roll(grid: Place, standings: list[hours.Standing], month: date) -> Render:
    def render() -> Rendered:
        locale = current_locale()
        named = ranked(standings)
        lines = [_("🏅 <b>Honour roll of {grid}, {month}</b>").format(
            grid=escape(grid.name), month=formatting.month(month, locale)), ""]
        lines += [_("{rank}. {name}: {hours} h, micro-wishes fulfilled: {wishes}").format(
            rank=rank, name=escape(s.name), hours=formatting.hours(s.minutes, locale),
            wishes=s.wishes) for rank, s in named]
        others = len(standings) - len(named)
        if others:
            lines += ["", _("Thanks also to {count} more volunteers.").format(count=others)]
        total = sum(s.minutes for s in standings)
        lines += ["", _("Together you gave {hours} hours to our neighbours. Thank you all!")
                  .format(hours=formatting.hours(total, locale))]
        return "\n".join(lines), None

    return render


async def _honour_notices(messenger: Messenger, session: AsyncSession, grid: Place,
                          standings: list[hours.Standing], month: date) -> list[OutboxMessage]:
    return messenger.for_place(grid, f"honour:{grid.id}:{month:%Y-%m}",
                               honour_roll(grid, standings, month), lane=Lane.BULK)


async def _report_rows(messenger: Messenger, _session: AsyncSession, place: Place,
                       span: reports.Span, first: date) -> list[OutboxMessage]:
    """A scheduled report: rendered, with its chart, when the sender sends it."""
    now = messenger.clock.now()
    return [OutboxMessage(key=f"report:{place.id}:{span}:{first}", kind=OutboxKind.REPORT,
                          lane=Lane.BULK, chat_id=place.chat_id or 0,
                          markup=reporting.row_markup(place.id or 0, span, first),
                          not_before=now, created_at=now)]


async def sweep_once(messenger: Messenger, retention: Retention | None = None) -> dict[str, int]:
    """Everything whose time has come: wish deadlines, unanswered pages, morning reminders,
    meeting notices and reminders, action items, monthly honour rolls, and erasing what is
    kept no longer (``retention``: the defaults when not given)."""
    db, now = messenger.db, messenger.clock.now()
    done: dict[str, int] = dict(await sweeps.sweep(db, now=now, notify=SweepNotices(messenger)))
    done["pages_passed_on"] = await duty.pass_on_unacknowledged(
        db, now=now, notify=PageNotices(messenger))
    done["updates_forgotten"] = await updates.forget_old(db, now=now)
    done["morning_reminders"] = await duty.morning_reminders(
        db, now=now, notify=lambda *args: _morning_notices(messenger, *args))
    done["meeting_steps"] = await meetings.sweep(db, now=now, notify=StepNotices(messenger))
    done["action_items"] = await minutes.sweep(db, now=now, notify=ActionNotices(messenger))
    done["milestones"] = await venture_progress.sweep(db, now=now,
                                                     notify=MilestoneNotices(messenger))
    done["rounds_due"] = await close_due_rounds(db, now=now, notify=DeadlineNotices(messenger))
    done["honour_rolls"] = await hours.honour_rolls(
        db, now=now, notify=lambda *args: _honour_notices(messenger, *args))
    done["reports"] = await reports.post_scheduled(
        db, now=now, notify=lambda *args: _report_rows(messenger, *args))
    done["council_matters"] = await council.sweep(messenger, now=now)
    done["review_calls"] = await venture_selection.call_due(messenger, now=now)
    done.update(await (retention or Retention()).sweep(db, now=now))
    if any(done.values()):
        log.info("sweep: %s", {step: n for step, n in done.items() if n})
    return done


def retention_of(settings: Settings) -> Retention:
    return Retention(outbox=timedelta(days=settings.outbox_retention_days),
                     failed_updates=timedelta(days=settings.failed_update_retention_days))


def make_scheduler(messenger: Messenger, *, sweep_seconds: int,
                   retention: Retention) -> AsyncIOScheduler:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    scheduler = AsyncIOScheduler(timezone="UTC")
    # One sweep at a time; runs missed while the process slept collapse into one.
    scheduler.add_job(sweep_once, "interval", seconds=sweep_seconds, args=[messenger, retention],
                      id="sweep", max_instances=1, coalesce=True, misfire_grace_time=None)
    scheduler.add_job(free_memory.give_back, "interval", minutes=free_memory.EVERY_MINUTES,
                      id="free-memory", coalesce=True)
    scheduler.add_job(messenger.db.gather_statistics, "interval", hours=1, id="statistics",
                      max_instances=1, coalesce=True, misfire_grace_time=None)
    return scheduler
