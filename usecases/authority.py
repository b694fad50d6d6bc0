"""Who may do what, where: the one place GridLink decides it.

A role is granted at a place and holds there and at every place below it (a social worker of
a community is one for each of its grids). Whether someone may act on a thing is asked of
``may`` with the act and the thing's own place: a wish's grid, a volunteer's grids, a page's
community, a meeting's place. Bootstrap admins (``GRIDLINK_ADMIN_IDS``) hold every staff role
everywhere, but not the volunteer's: claiming a wish stays with people who serve.

One notion of volunteer: the volunteer role at a grid, in good standing. An approved
application and ``/grant volunteer`` give the same row (``storage.volunteers.enlist``); a
paused or suspended volunteer keeps the role and may not claim.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import council, places
from storage.db import Database
from storage.models import Person, PlaceKind, Role, RoleGrant, Volunteer, VolunteerStatus
from storage.people import Actor


class Act(StrEnum):
    """What someone may be allowed to do, in the product's words."""

    ADMINISTER = "administer"  # bind below, unbind, grant, revoke, settings, the group's language
    KEEP_ROSTER = "keep_roster"  # /duty_set, /swap
    SERVE_ON_DUTY = "serve_on_duty"  # be named on post A or B: receives residents' contacts
    SEE_STAFF_LISTS = "see_staff_lists"  # /people, /volunteers, /hours
    MANAGE_VOLUNTEERS = "manage_volunteers"  # decide applications, suspend, reinstate, hours
    VERIFY_WISHES = "verify_wishes"  # approve or reject a wish
    SEE_CONTACTS = "see_contacts"  # a wish's phone and address, privately
    CLAIM_WISHES = "claim_wishes"  # grid tier
    TAKE_ON_WISHES = "take_on_wishes"  # community tier (微公益)
    ADOPT_WISHES = "adopt_wishes"  # street tier (微创投)
    ANSWER_PAGES = "answer_pages"  # acknowledge a page, answer a resident's question
    HOST_MEETINGS = "host_meetings"  # start a joint meeting series
    RUN_SERIES = "run_series"  # change a series, its agenda and minutes: its host, or admins
    POST_WITHOUT_LIMITS = "post_without_limits"  # /wish and /ask beyond the limits on people
    EXPORT_RECORDS = "export_records"  # /export wishes, hours, meetings, action items
    REVIEW_STAFF = "review_staff"  # the organisation's review of a social worker's month
    REVIEW_AS_PARTNER = "review_as_partner"  # a partner's rating of a worker's cooperation
    SEE_EVALUATIONS = "see_evaluations"  # the monthly evaluations of the place's workers, grids
    CLOSE_EVALUATIONS = "close_evaluations"  # close a street's month of evaluation
    SEE_REPORTS = "see_reports"  # /report: a place's weekly and monthly figures and chart
    OPEN_MATTERS = "open_matters"  # put a matter to the residents' council, close it early
    OPEN_ROUNDS = "open_rounds"  # open a street's micro-venture round (微创投), read proposals
    SEE_ROUNDS = "see_rounds"  # /rounds: a street's rounds, their states and counts
    PROPOSE_PROJECTS = "propose_projects"  # an organisation's proposal in a round
    # A micro-venture round's reviewers beyond those named (RoundReviewer): its street's admins.
    REVIEW_ROUNDS = "review_rounds"
    EVALUATE_ROUNDS = "evaluate_rounds"  # call a round's final evaluation, finish the round
    SELECT_PROJECTS = "select_projects"  # name a round's reviewers, select its projects


STAFF = frozenset({Role.ADMIN, Role.SOCIAL_WORKER, Role.CADRE})
WORKERS = frozenset({Role.ADMIN, Role.SOCIAL_WORKER})

# The table every use case reads: the roles that allow an act, held at or above the place.
ROLES_FOR: dict[Act, frozenset[Role]] = {
    Act.ADMINISTER: frozenset({Role.ADMIN}),
    Act.KEEP_ROSTER: frozenset({Role.ADMIN}),
    Act.SERVE_ON_DUTY: frozenset({Role.SOCIAL_WORKER}),
    Act.SEE_STAFF_LISTS: STAFF,
    Act.MANAGE_VOLUNTEERS: WORKERS,
    Act.VERIFY_WISHES: WORKERS,
    Act.SEE_CONTACTS: WORKERS,
    Act.CLAIM_WISHES: frozenset({Role.VOLUNTEER}),
    Act.TAKE_ON_WISHES: frozenset({Role.SOCIAL_WORKER, Role.ORG_REP}),
    Act.ADOPT_WISHES: frozenset({Role.ADMIN}),
    Act.ANSWER_PAGES: STAFF,
    Act.HOST_MEETINGS: frozenset({Role.CADRE, Role.ADMIN}),
    Act.RUN_SERIES: frozenset({Role.ADMIN}),
    Act.POST_WITHOUT_LIMITS: STAFF,
    Act.EXPORT_RECORDS: STAFF,
    Act.REVIEW_STAFF: frozenset({Role.ADMIN}),
    Act.REVIEW_AS_PARTNER: frozenset({Role.ORG_REP, Role.VOLUNTEER_REP}),
    Act.SEE_EVALUATIONS: frozenset({Role.ADMIN}),
    Act.CLOSE_EVALUATIONS: frozenset({Role.ADMIN}),
    Act.SEE_REPORTS: STAFF,
    Act.OPEN_MATTERS: frozenset({Role.ADMIN, Role.CADRE}),
    Act.OPEN_ROUNDS: frozenset({Role.ADMIN}),
    Act.SEE_ROUNDS: STAFF | {Role.ORG_REP},
    Act.PROPOSE_PROJECTS: frozenset({Role.ORG_REP}),
    Act.REVIEW_ROUNDS: frozenset({Role.ADMIN}),
    Act.EVALUATE_ROUNDS: frozenset({Role.ADMIN}),
    Act.SELECT_PROJECTS: frozenset({Role.ADMIN}),
}
# Acts whose role counts only where it is held at one kind of place: adopting a wish as a
# micro-venture project is the street office's, not a community admin's.
_HELD_AT: dict[Act, PlaceKind] = {Act.ADOPT_WISHES: PlaceKind.STREET,
                                   Act.CLOSE_EVALUATIONS: PlaceKind.STREET,
                                   Act.REVIEW_ROUNDS: PlaceKind.STREET,
                                   Act.EVALUATE_ROUNDS: PlaceKind.STREET,
                                   Act.SELECT_PROJECTS: PlaceKind.STREET,
                                   Act.OPEN_ROUNDS: PlaceKind.STREET}
# Acts a bootstrap admin does not get by being one: they are about the person themself.
# A partner's review speaks for an organisation or the volunteers: a bootstrap admin is neither.
# A proposal is an organisation's: a bootstrap admin is none.
_PERSONAL = frozenset({Act.CLAIM_WISHES, Act.SERVE_ON_DUTY, Act.REVIEW_AS_PARTNER,
                       Act.PROPOSE_PROJECTS})
# Acts that also need the person's standing as a volunteer to be good.
_NEEDS_GOOD_STANDING = frozenset({Act.CLAIM_WISHES})


class Standing(StrEnum):
    """Why a volunteer in the role may not act now, or OK."""

    OK = "ok"
    PAUSED = "paused"
    SUSPENDED = "suspended"


async def _places_at_or_above(session: AsyncSession, place_ids: Iterable[int],
                              kind: PlaceKind | None) -> set[int]:
    found: set[int] = set()
    for place_id in place_ids:
        place = await places.get(session, place_id)
        if place is not None:
            found.update(p.id for p in await places.chain(session, place)
                         if p.id is not None and kind in (None, p.kind))
    return found


async def holds(session: AsyncSession, person_id: int, act: Act,
                at: int | Iterable[int]) -> bool:
    """Whether ``person_id`` holds a role for ``act`` at one of the places ``at`` or above."""
    ids = await _places_at_or_above(session, [at] if isinstance(at, int) else at,
                                    _HELD_AT.get(act))
    if not ids:
        return False
    statement = select(RoleGrant.id).where(
        RoleGrant.person_id == person_id, col(RoleGrant.place_id).in_(ids),
        col(RoleGrant.role).in_([str(role) for role in ROLES_FOR[act]]))
    return (await session.exec(statement)).first() is not None


async def standing(session: AsyncSession, person_id: int) -> Standing:
    volunteer = await session.get(Volunteer, person_id)
    if volunteer is None:
        return Standing.OK
    return {VolunteerStatus.PAUSED: Standing.PAUSED,
            VolunteerStatus.SUSPENDED: Standing.SUSPENDED}.get(
        VolunteerStatus(volunteer.status), Standing.OK)


async def may_in(session: AsyncSession, actor: Actor, act: Act,
                 at: int | Iterable[int], *, owner_id: int | None = None) -> bool:
    """Whether ``actor`` may do ``act`` to a thing whose place is ``at`` (or one of them);
    ``owner_id`` is the person the thing belongs to (a series' host), who may act on it too."""
    if actor.superadmin and act not in _PERSONAL:
        return True
    if owner_id is not None and actor.id == owner_id:
        return True
    if not await holds(session, actor.id, act, at):
        return False
    return act not in _NEEDS_GOOD_STANDING or await standing(session, actor.id) is Standing.OK


async def may(db: Database, actor: Actor, act: Act, at: int | Iterable[int] | None, *,
              owner_id: int | None = None) -> bool:
    """``may_in`` in a transaction of its own (joined to the caller's when there is one). A
    thing with no place (a chat not bound) allows only bootstrap admins."""
    if at is None:
        return actor.superadmin and act not in _PERSONAL
    async with db.transaction() as session:
        return await may_in(session, actor, act, at, owner_id=owner_id)


async def may_review_round(session: AsyncSession, actor: Actor, round_id: int) -> bool:
    """Whether ``actor`` reviews the micro-venture round: an admin of its street (or a bootstrap
    admin), or someone a street admin named its reviewer. Every route that scores, evaluates
    or shows a round's projects to reviewers asks this."""
    from storage.models import RoundReviewer, VentureRound

    found = await session.get(VentureRound, round_id)
    if found is None:
        return False
    if await may_in(session, actor, Act.REVIEW_ROUNDS, found.street_id):
        return True
    named = await session.exec(select(RoundReviewer.id).where(
        RoundReviewer.round_id == round_id, RoundReviewer.person_id == actor.id))
    return named.first() is not None



async def may_vote(session: AsyncSession, person_id: int, community_id: int) -> bool:
    """Whether the person may vote on the residents' council of the community: a resident
    registered with the bot, who opened a private chat with it and belongs to one of the
    community's grids (``storage.council.residents``). No role gives a vote, and none is
    needed: the council is the residents'."""
    found = council.residents(community_id).where(col(Person.id) == person_id)
    return (await session.exec(found)).first() is not None
