"""Volunteers (社工+义工): the staff's decision on an application, the applicant's answer, and
suspending and reinstating. Each is one transaction with its authority check and its news."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from html import escape

from aiogram.utils.i18n import gettext as _

from bot import volunteering
from bot.messenger import Messenger
from storage import places, volunteers
from storage.models import Volunteer, VolunteerStatus
from storage.people import Actor
from storage.volunteers import Outcome, Result
from usecases.authority import Act, may_in


class Decision(StrEnum):
    APPROVE = "approve"
    ASK = "ask"  # ask the applicant for more
    DECLINE = "decline"


# Where each decision may be taken from: a question only while the application waits.
OPEN_FOR = {
    Decision.APPROVE: (VolunteerStatus.APPLIED, VolunteerStatus.NEEDS_INFO),
    Decision.ASK: (VolunteerStatus.APPLIED,),
    Decision.DECLINE: (VolunteerStatus.APPLIED, VolunteerStatus.NEEDS_INFO),
}


async def _manages(messenger: Messenger, actor: Actor, person_id: int) -> Outcome:
    """OK with the volunteer when ``actor`` is a social worker or admin of one of their grids
    (a volunteer is managed where they serve); else why not."""
    async with messenger.db.transaction() as session:
        volunteer = await session.get(Volunteer, person_id)
        if volunteer is None:
            return Outcome(Result.NOT_FOUND)
        grid_ids = await volunteers.grids_of(session, person_id)
        if not grid_ids or not await may_in(session, actor, Act.MANAGE_VOLUNTEERS, grid_ids):
            return Outcome(Result.NOT_ALLOWED, volunteer, grid_ids)
        return Outcome(Result.OK, volunteer, grid_ids)


async def may_decide(messenger: Messenger, actor: Actor, person_id: int,
                     decision: Decision) -> Outcome:
    """Before asking the decider for words: OK, or why not (already decided included)."""
    allowed = await _manages(messenger, actor, person_id)
    if allowed.ok and allowed.volunteer is not None \
            and allowed.volunteer.status not in OPEN_FOR[decision]:
        return Outcome(Result.WRONG_STATE, allowed.volunteer, allowed.grid_ids)
    return allowed


async def _tell_decision(messenger: Messenger, outcome: Outcome) -> None:
    volunteer = outcome.volunteer
    if volunteer is None:
        return
    grids = await places.by_ids(messenger.db, outcome.grid_ids)
    await volunteering.tell_applicant(messenger, volunteer.person_id, outcome.event_id,
                                      lambda: volunteering.decision_for_applicant(volunteer,
                                                                                   grids))


async def decide(messenger: Messenger, actor: Actor, person_id: int, decision: Decision, *,
                 now: datetime, said: str = "") -> Outcome:
    """Approve, ask for more (``said`` is the question) or decline (``said`` is the reason);
    of two deciders at once, one wins. The applicant is told in the same transaction."""
    async with messenger.db.transaction() as session:
        allowed = await _manages(messenger, actor, person_id)
        if not allowed.ok:
            return allowed
        match decision:
            case Decision.APPROVE:
                outcome = await volunteers.approve(session, person_id, by=actor.id, now=now)
            case Decision.ASK:
                outcome = await volunteers.ask_more(session, person_id, by=actor.id,
                                                    question=said, now=now)
            case Decision.DECLINE:
                outcome = await volunteers.decline(session, person_id, by=actor.id,
                                                   reason=said, now=now)
        if outcome.ok:
            await _tell_decision(messenger, outcome)
        return outcome


async def answer(messenger: Messenger, actor: Actor, text: str, *, now: datetime) -> Outcome:
    """The applicant's answer to a question goes back before the social workers."""
    async with messenger.db.transaction() as session:
        outcome = await volunteers.answer(session, actor.id, text=text, now=now)
        await _ask_staff(messenger, outcome)
        return outcome


async def _ask_staff(messenger: Messenger, outcome: Outcome) -> None:
    if outcome.ok and outcome.volunteer is not None:
        grids = await places.by_ids(messenger.db, outcome.grid_ids)
        await volunteering.ask_staff(messenger, outcome.volunteer, grids, outcome.event_id)


async def apply(messenger: Messenger, actor: Actor, application: volunteers.Application, *,
                now: datetime) -> Outcome:
    """A sign-up (志愿者报名): stored, and the social workers of its grids asked to decide."""
    async with messenger.db.transaction() as session:
        outcome = await volunteers.apply(session, actor.id, application, now=now)
        await _ask_staff(messenger, outcome)
        return outcome


async def pause(messenger: Messenger, actor: Actor, *, now: datetime) -> Outcome:
    async with messenger.db.transaction() as session:
        return await volunteers.pause(session, actor.id, now=now)


async def resume(messenger: Messenger, actor: Actor, *, now: datetime) -> Outcome:
    async with messenger.db.transaction() as session:
        return await volunteers.resume(session, actor.id, now=now)


async def choose(messenger: Messenger, actor: Actor, *, pings: bool | None = None,
                 public: bool | None = None) -> bool:
    """Pings of matching wishes, or a name on the honour roll, on or off; False when the
    person is not a volunteer."""
    async with messenger.db.transaction() as session:
        return await volunteers.set_choice(session, actor.id, pings=pings, public=public)


async def suspend(messenger: Messenger, actor: Actor, person_id: int, reason: str, *,
                  now: datetime) -> Outcome:
    """Only staff of a grid the volunteer serves; the volunteer is told the reason."""
    async with messenger.db.transaction() as session:
        allowed = await _manages(messenger, actor, person_id)
        if not allowed.ok:
            return allowed
        outcome = await volunteers.suspend(session, person_id, by=actor.id, reason=reason,
                                           now=now)
        if outcome.ok and outcome.volunteer is not None:
            said = outcome.volunteer.reason or ""
            await volunteering.tell_applicant(messenger, person_id, outcome.event_id, lambda: (
                _("Your volunteer service is suspended: {reason}. Please talk to your social "
                  "worker.").format(reason=escape(said)), None))
        return outcome


async def reinstate(messenger: Messenger, actor: Actor, person_id: int, *,
                    now: datetime) -> Outcome:
    async with messenger.db.transaction() as session:
        allowed = await _manages(messenger, actor, person_id)
        if not allowed.ok:
            return allowed
        outcome = await volunteers.reinstate(session, person_id, by=actor.id, now=now)
        if outcome.ok:
            await volunteering.tell_applicant(messenger, person_id, outcome.event_id, lambda: (
                _("Your volunteer service is active again. Thank you for being with us!"),
                None))
        return outcome
