"""The authority table: who may do what, in scope and out of it, on SQLite and PostgreSQL.

Every command and button asks ``usecases.authority.may`` with one act (docs/architecture.md
lists which); this table states, person by person, what each act allows at a grid of their
own community, at a grid of another community of the same street, and at a grid of another
street. It is written out by hand, not derived from the rules it checks.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from storage import people, places, volunteers
from storage.db import Database
from storage.models import Person, PlaceKind, Role, VolunteerStatus
from storage.people import Actor
from tests.harness import START
from tests.test_storage_wishes import step
from usecases.authority import Act, may

A = Act
EVERY_ACT = frozenset(Act)
WORKER_ACTS = frozenset({A.SEE_STAFF_LISTS, A.MANAGE_VOLUNTEERS, A.VERIFY_WISHES,
                         A.SEE_CONTACTS, A.TAKE_ON_WISHES, A.ANSWER_PAGES,
                         A.POST_WITHOUT_LIMITS, A.EXPORT_RECORDS, A.SEE_REPORTS,
                         A.SEE_ROUNDS})
ADMIN_ACTS = frozenset({A.ADMINISTER, A.KEEP_ROSTER, A.SEE_STAFF_LISTS, A.MANAGE_VOLUNTEERS,
                        A.VERIFY_WISHES, A.SEE_CONTACTS, A.ANSWER_PAGES, A.HOST_MEETINGS,
                        A.RUN_SERIES, A.POST_WITHOUT_LIMITS, A.REVIEW_STAFF,
                        A.SEE_EVALUATIONS, A.EXPORT_RECORDS, A.SEE_REPORTS, A.SEE_ROUNDS})
# The residents' council: putting a matter to it, closing one early (admins and cadres).
ADMIN_ACTS |= {A.OPEN_MATTERS}
STREET_ADMIN_ACTS = ADMIN_ACTS | {A.ADOPT_WISHES, A.CLOSE_EVALUATIONS, A.OPEN_ROUNDS}
# Micro-venture rounds: reviewing a round, calling its final evaluation and finishing it.
STREET_ADMIN_ACTS |= {A.REVIEW_ROUNDS, A.EVALUATE_ROUNDS}
# Naming a round's reviewers and selecting its projects.
STREET_ADMIN_ACTS |= {A.SELECT_PROJECTS}
PARTNER_ACTS = frozenset({A.REVIEW_AS_PARTNER})
NOT_BOOTSTRAP = frozenset({A.CLAIM_WISHES, A.SERVE_ON_DUTY, A.REVIEW_AS_PARTNER,
                           A.PROPOSE_PROJECTS})


@dataclass(frozen=True)
class Case:
    who: str
    # The acts allowed at our grid, at a grid of the other community, at one of the other street.
    ours: frozenset[Act]
    same_street: frozenset[Act] = frozenset()
    other_street: frozenset[Act] = frozenset()


CASES = [
    Case("resident", frozenset()),
    Case("volunteer", frozenset({A.CLAIM_WISHES})),
    Case("paused volunteer", frozenset()),
    Case("suspended volunteer", frozenset()),
    Case("granted volunteer", frozenset({A.CLAIM_WISHES})),
    Case("social worker", WORKER_ACTS | {A.SERVE_ON_DUTY}),
    Case("cadre", frozenset({A.SEE_STAFF_LISTS, A.ANSWER_PAGES, A.HOST_MEETINGS,
                             A.POST_WITHOUT_LIMITS, A.EXPORT_RECORDS, A.SEE_REPORTS,
                             A.SEE_ROUNDS, A.OPEN_MATTERS})),
    Case("org rep", frozenset({A.TAKE_ON_WISHES, A.SEE_ROUNDS, A.PROPOSE_PROJECTS})
         | PARTNER_ACTS),
    Case("community admin", ADMIN_ACTS),
    Case("street admin", STREET_ADMIN_ACTS, STREET_ADMIN_ACTS),
    Case("bootstrap admin", EVERY_ACT - NOT_BOOTSTRAP, EVERY_ACT - NOT_BOOTSTRAP,
         EVERY_ACT - NOT_BOOTSTRAP),
    # A member of the joint meeting by default (storage.meetings.DEFAULT_ROLES), who rates
    # the social workers' cooperation (社会评议), and no more.
    Case("volunteers' representative", PARTNER_ACTS),
]
IDS = {case.who: 5000 + n for n, case in enumerate(CASES)}


async def _place(db: Database, kind: PlaceKind, name: str, chat_id: int,
                 parent_id: int | None) -> int:
    outcome = await places.bind(db, chat_id=chat_id, kind=kind, name=name, parent_id=parent_id,
                                timezone="Asia/Shanghai", actor_id=1, now=START)
    assert outcome.place is not None
    return outcome.place.id or 0


async def _person(db: Database, who: str) -> Person:
    return await people.remember(db, user_id=IDS[who], full_name=who, username=None,
                                 language_code="en", in_private_chat=True, now=START)


async def _world(db: Database) -> dict[str, int]:
    """Two streets; the first has our community and another; each community one grid."""
    street = await _place(db, PlaceKind.STREET, "阳光街道", -1, None)
    ours = await _place(db, PlaceKind.COMMUNITY, "幸福社区", -2, street)
    grid = await _place(db, PlaceKind.GRID, "第三网格", -3, ours)
    other = await _place(db, PlaceKind.COMMUNITY, "和平社区", -4, street)
    other_grid = await _place(db, PlaceKind.GRID, "第一网格", -5, other)
    far_street = await _place(db, PlaceKind.STREET, "月光街道", -6, None)
    far = await _place(db, PlaceKind.COMMUNITY, "长安社区", -7, far_street)
    far_grid = await _place(db, PlaceKind.GRID, "第九网格", -8, far)
    grants = {"social worker": (Role.SOCIAL_WORKER, ours), "cadre": (Role.CADRE, ours),
              "org rep": (Role.ORG_REP, ours), "community admin": (Role.ADMIN, ours),
              "street admin": (Role.ADMIN, street),
              "volunteers' representative": (Role.VOLUNTEER_REP, ours)}
    for who, (role, place_id) in grants.items():
        await _person(db, who)
        await people.grant(db, person_id=IDS[who], place_id=place_id, role=role, by=1,
                           now=START)
    for who in ("resident", "bootstrap admin"):
        await _person(db, who)
    await _volunteers(db, grid)
    return {"ours": grid, "same_street": other_grid, "other_street": far_grid,
            "community": ours, "street": street}


async def _volunteers(db: Database, grid: int) -> None:
    for who in ("volunteer", "paused volunteer", "suspended volunteer"):
        await _person(db, who)
        await step(db, volunteers.apply, IDS[who], volunteers.Application(
            real_name=who, phone=None, skills=["errands"], other_skill=None, grid_ids=[grid],
            days=[0], periods=["morning"]), now=START)
        assert (await step(db, volunteers.approve, IDS[who], by=1, now=START)).ok
    assert (await step(db, volunteers.pause, IDS["paused volunteer"], now=START)).ok
    assert (await step(db, volunteers.suspend, IDS["suspended volunteer"], by=1,
                       reason="未按时服务", now=START)).ok
    from usecases.roles import change_role

    granted = await _person(db, "granted volunteer")
    place = await places.by_id(db, grid)
    assert place is not None
    await change_role(db, await _actor(db, "bootstrap admin"), person=granted, place=place,
                      role=Role.VOLUNTEER, now=START, granting=True)


@pytest.fixture
async def world(db: Database) -> dict[str, int]:
    return await _world(db)


async def _actor(db: Database, who: str) -> Actor:
    person = await people.get(db, IDS[who])
    assert person is not None
    return Actor(person, superadmin=who == "bootstrap admin")


async def test_every_act_for_every_person_in_and_out_of_scope(
        db: Database, world: dict[str, int]) -> None:
    wrong: list[str] = []
    for case in CASES:
        actor = await _actor(db, case.who)
        for scope, expected in (("ours", case.ours), ("same_street", case.same_street),
                                ("other_street", case.other_street)):
            for act in Act:
                allowed = await may(db, actor, act, world[scope])
                if allowed != (act in expected):
                    wrong.append(f"{case.who} {act} at {scope}: {allowed}")
    assert not wrong, "\n".join(wrong)


async def test_adopting_is_for_the_street_office_alone(db: Database,
                                                      world: dict[str, int]) -> None:
    """Adoption needs the admin role held at a street office, wherever it is asked."""
    street = world["street"]
    assert await may(db, await _actor(db, "street admin"), Act.ADOPT_WISHES, street)
    assert not await may(db, await _actor(db, "community admin"), Act.ADOPT_WISHES, street)
    assert not await may(db, await _actor(db, "social worker"), Act.ADOPT_WISHES, street)


async def test_a_thing_with_no_place_is_for_bootstrap_admins_alone(
        db: Database, world: dict[str, int]) -> None:
    assert await may(db, await _actor(db, "bootstrap admin"), Act.ADMINISTER, None)
    assert not await may(db, await _actor(db, "street admin"), Act.ADMINISTER, None)


async def test_the_granted_volunteer_has_the_standing_of_an_approved_one(
        db: Database, world: dict[str, int]) -> None:
    granted = await volunteers.get(db, IDS["granted volunteer"])
    assert granted is not None and granted.status == VolunteerStatus.APPROVED
    _volunteer, grids = await volunteers.with_grids(db, IDS["granted volunteer"])
    assert [g.id for g in grids] == [world["ours"]]
    assert (await step(db, volunteers.pause, IDS["granted volunteer"], now=START)).ok
    assert not await may(db, await _actor(db, "granted volunteer"), Act.CLAIM_WISHES,
                         world["ours"])


async def test_a_series_is_run_by_its_host_and_by_admins(db: Database,
                                                        world: dict[str, int]) -> None:
    cadre = await _actor(db, "cadre")
    worker = await _actor(db, "social worker")
    assert await may(db, cadre, Act.RUN_SERIES, world["community"], owner_id=IDS["cadre"])
    assert not await may(db, cadre, Act.RUN_SERIES, world["community"], owner_id=IDS["org rep"])
    assert not await may(db, worker, Act.RUN_SERIES, world["community"], owner_id=IDS["cadre"])
    assert await may(db, await _actor(db, "community admin"), Act.RUN_SERIES,
                     world["community"], owner_id=IDS["cadre"])
