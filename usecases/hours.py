"""Service hours (志愿服务记录) that staff decide on: confirming a logged entry and correcting
one. Each checks authority at the entry's grid and tells the volunteer in its transaction."""

from __future__ import annotations

from datetime import date, datetime

from aiogram.utils.i18n import gettext as _

from bot import formatting, volunteering
from bot.i18n import current_locale
from bot.messenger import Messenger, Rendered
from bot.volunteering import hours_text
from storage import hours, people
from storage.hours import Outcome, Result
from storage.models import ServiceLog
from storage.people import Actor
from usecases.authority import Act, may_in


async def for_wish(messenger: Messenger, actor: Actor, wish_id: int, minutes: int, *,
                   now: datetime) -> Outcome:
    """A volunteer states how long their fulfilled claim of a wish took; it counts at once.
    Stating it again corrects their own claim's entry."""
    async with messenger.db.transaction() as session:
        return await hours.for_wish(session, wish_id, volunteer_id=actor.id, minutes=minutes,
                                    now=now)


async def log(messenger: Messenger, actor: Actor, *, grid_id: int, served_on: date,
              minutes: int, description: str, today: date, now: datetime) -> Outcome:
    """Other service, logged by the volunteer: stored, and the grid's social workers asked to
    confirm it, together."""
    async with messenger.db.transaction() as session:
        outcome = await hours.log(session, actor.id, grid_id=grid_id, served_on=served_on,
                                  minutes=minutes, description=description, today=today,
                                  now=now)
        if outcome.ok and outcome.entry is not None:
            await volunteering.ask_hours_confirmation(messenger, outcome.entry, outcome.event_id,
                                                      await people.name_in(session, actor.id))
        return outcome


async def _managed_entry(messenger: Messenger, actor: Actor, entry_id: int) -> Outcome:
    async with messenger.db.transaction() as session:
        entry = await session.get(ServiceLog, entry_id)
        if entry is None:
            return Outcome(Result.NOT_FOUND)
        if not await may_in(session, actor, Act.MANAGE_VOLUNTEERS, entry.grid_id):
            return Outcome(Result.NOT_ALLOWED, entry)
        return Outcome(Result.OK, entry)


async def decide(messenger: Messenger, actor: Actor, entry_id: int, *, confirm: bool,
                 now: datetime) -> Outcome:
    """A social worker of the entry's grid confirms it or not; of two at once, one decides."""
    async with messenger.db.transaction() as session:
        allowed = await _managed_entry(messenger, actor, entry_id)
        if not allowed.ok:
            return allowed
        outcome = await hours.decide(session, entry_id, by=actor.id, confirm=confirm,
                                     now=now)
        if outcome.ok and outcome.entry is not None:
            done = outcome.entry

            def told() -> Rendered:
                said = (_("Your {hours} h of service on {day} are confirmed. Thank you!")
                        if confirm else
                        _("Your {hours} h of service on {day} were not confirmed. Please ask "
                          "your social worker if you think this is wrong."))
                return said.format(hours=hours_text(done.minutes),
                                   day=formatting.day(done.served_on, current_locale())), None

            await messenger.tell(done.person_id, f"audit:{outcome.event_id}:hours-decided", told)
        return outcome


async def correct(messenger: Messenger, actor: Actor, entry_id: int, minutes: int, *,
                  now: datetime) -> Outcome:
    """Staff put an entry's length right; the volunteer is told what it was and is now."""
    async with messenger.db.transaction() as session:
        allowed = await _managed_entry(messenger, actor, entry_id)
        if not allowed.ok or allowed.entry is None:
            return allowed
        before = allowed.entry.minutes
        outcome = await hours.correct(session, entry_id, by=actor.id, minutes=minutes,
                                      now=now)
        if outcome.ok and outcome.entry is not None:
            fixed = outcome.entry
            await messenger.tell(fixed.person_id, f"audit:{outcome.event_id}:hours-fixed",
                                 lambda: (_corrected(fixed, before), None))
        return outcome


def _corrected(entry: ServiceLog, before: int) -> str:
    """The volunteer's news of a correction, naming the wish when the entry is a wish's."""
    said = (_("A social worker corrected your service on {day}: {before} h → {after} h.")
            if entry.wish_id is None else
            _("A social worker corrected your service for micro-wish #{wish} on {day}: "
              "{before} h → {after} h."))
    return said.format(wish=entry.wish_id, day=formatting.day(entry.served_on, current_locale()),
                       before=hours_text(before), after=hours_text(entry.minutes))
