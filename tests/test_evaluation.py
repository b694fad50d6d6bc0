"""The monthly evaluation's figures on SQLite and PostgreSQL: the parts and the weighted total
worked out by hand from seeded ratings and reviews, the month in the street's time zone, and a
closed month that nothing changes."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from storage import audit, evaluation, people, places
from storage.db import Database
from storage.evaluation import Parts, Result
from storage.models import CLAIM_FULFILLED, Claim, Place, PlaceKind, Rating, Role, Wish, WishState
from tests.harness import START
from tests.test_storage_wishes import step

W1, W2, ADMIN_A, ADMIN_B, ORG_REP, VOL_REP, RESIDENT = 7001, 7002, 7003, 7004, 7005, 7006, 7007
NOVEMBER = "2026-11"
_chats = itertools.count(-700)


async def _place(db: Database, kind: PlaceKind, parent: int | None) -> int:
    bound = await places.bind(db, chat_id=next(_chats), kind=kind, name=f"{kind}",
                              parent_id=parent, timezone="Asia/Shanghai", actor_id=1, now=START)
    assert bound.place is not None and bound.place.id is not None
    return bound.place.id


async def _rate(db: Database, grid: int, score: int, at: datetime) -> None:
    """A wish of the grid posted an hour before ``at``, claimed half an hour before, fulfilled
    ten minutes before, and rated ``score`` at ``at``, with the audit rows the reports count."""
    created, claimed = at - timedelta(hours=1), at - timedelta(minutes=30)
    ended = at - timedelta(minutes=10)
    async with db.transaction() as session:
        wish = Wish(grid_id=grid, resident_id=RESIDENT, text="帮忙买菜", category="daily_life",
                    state=WishState.CLOSED, created_at=created)
        session.add(wish)
        await session.flush()
        claim = Claim(wish_id=wish.id or 0, volunteer_id=W1, claimed_at=claimed,
                      ended_at=ended, outcome=CLAIM_FULFILLED)
        session.add(claim)
        await session.flush()
        session.add(Rating(wish_id=wish.id or 0, claim_id=claim.id or 0, resident_id=RESIDENT,
                           volunteer_id=W1, score=score, created_at=at))
        for action, when, to in (("submit", created, "open"), ("claim", claimed, "claimed"),
                                 ("fulfil", ended, "fulfilled"),
                                 ("confirm" if score >= 3 else "reopen", at, None)):
            await audit.record(session, entity="wish", entity_id=wish.id or 0,
                               actor_id=RESIDENT, action=action, at=when, to_state=to)


async def _street(db: Database, street_id: int) -> Place:
    place = await places.by_id(db, street_id)
    assert place is not None
    return place


async def _world(db: Database) -> dict[str, int]:
    """A street; W1 serves the two grids of one community, W2 the one grid of another."""
    street = await _place(db, PlaceKind.STREET, None)
    c1 = await _place(db, PlaceKind.COMMUNITY, street)
    g1, g2 = await _place(db, PlaceKind.GRID, c1), await _place(db, PlaceKind.GRID, c1)
    c2 = await _place(db, PlaceKind.COMMUNITY, street)
    g3 = await _place(db, PlaceKind.GRID, c2)
    for person, place, role in ((W1, c1, Role.SOCIAL_WORKER), (W2, g3, Role.SOCIAL_WORKER),
                                (ADMIN_A, c1, Role.ADMIN), (ADMIN_B, street, Role.ADMIN)):
        await people.grant(db, person_id=person, place_id=place, role=role, by=1, now=START)
    # In November of Shanghai: 5 and 3 in g1 (the 3 at 00:30 on 1 November, local), 1 in g2,
    # 4 in g3; a 5 in g1 at 00:30 on 1 December (local) is December's.
    await _rate(db, g1, 5, datetime(2026, 11, 10, 2, tzinfo=UTC))
    await _rate(db, g1, 3, datetime(2026, 10, 31, 16, 30, tzinfo=UTC))
    await _rate(db, g2, 1, datetime(2026, 11, 20, 2, tzinfo=UTC))
    await _rate(db, g3, 4, datetime(2026, 11, 21, 2, tzinfo=UTC))
    await _rate(db, g1, 5, datetime(2026, 11, 30, 16, 30, tzinfo=UTC))
    return {"street": street, "g1": g1, "g2": g2, "g3": g3}


async def _review(db: Database, street: Place, reviewer: int,
                  scores: dict[str, int]) -> Result:
    return await step(db, evaluation.review_staff, street=street, month=NOVEMBER,
                      worker_id=W1, reviewer_id=reviewer, scores=scores, note="台账清楚",
                      now=START)


async def _partner(db: Database, street: Place, reviewer: int, role: Role,
                   score: int) -> Result:
    return await step(db, evaluation.review_as_partner, street=street, month=NOVEMBER,
                      worker_id=W1, reviewer_id=reviewer, role=role, score=score, note=None,
                      now=START)


async def _results(db: Database, street: Place) -> evaluation.Results:
    return await step(db, evaluation.results, street, NOVEMBER)


def test_a_month_is_the_streets_local_month() -> None:
    assert evaluation.bounds(NOVEMBER, "Asia/Shanghai") == (
        datetime(2026, 10, 31, 16, tzinfo=UTC), datetime(2026, 11, 30, 16, tzinfo=UTC))
    assert evaluation.previous_month("2027-01") == "2026-12"
    assert evaluation.month_of(datetime(2026, 11, 30, 16, 30, tzinfo=UTC),
                               "Asia/Shanghai") == "2026-12"


async def test_the_parts_and_the_weighted_total_by_hand(db: Database) -> None:
    world = await _world(db)
    street = await _street(db, world["street"])
    # A review counts the mean of (score - 1) / 4 × 100 over the criteria: 100, 75, 50, 75
    # is 75; all 3s is 50; the organisation's part is their mean, 62.5.
    assert await _review(db, street, ADMIN_A, {"attitude": 5, "results": 4, "records": 3,
                                               "cooperation": 4}) is Result.OK
    assert await _review(db, street, ADMIN_B, dict.fromkeys(evaluation.DEFAULT_CRITERIA,
                                                            2)) is Result.OK
    # Given again, the admin's review replaces their first.
    assert await _review(db, street, ADMIN_B, dict.fromkeys(evaluation.DEFAULT_CRITERIA,
                                                            3)) is Result.OK
    assert await _review(db, street, ADMIN_A, {"attitude": 6, "results": 4, "records": 3,
                                               "cooperation": 4}) is Result.OUT_OF_RANGE
    assert await _review(db, street, ADMIN_A, {"attitude": 5}) is Result.OUT_OF_RANGE
    # Partners: 4 is 75, 5 is 100: 87.5.
    assert await _partner(db, street, ORG_REP, Role.ORG_REP, 4) is Result.OK
    assert await _partner(db, street, VOL_REP, Role.VOLUNTEER_REP, 5) is Result.OK
    assert await _partner(db, street, VOL_REP, Role.VOLUNTEER_REP, 0) is Result.OUT_OF_RANGE
    shown = await _results(db, street)
    # Residents of W1's grids: 5, 3 and 1 are 100, 50 and 0: 50.
    # Total: 0.4 × 50 + 0.4 × 62.5 + 0.2 × 87.5 = 62.5.
    assert shown.people[W1] == Parts(residents=50.0, organisation=62.5, partners=87.5,
                                     total=62.5, ratings=3, solved=1, partly=1, not_solved=1,
                                     staff_reviews=2, partner_reviews=2)
    # W2 has only residents' ratings (a 4: 75): the total is that part alone.
    assert shown.people[W2] == Parts(residents=75.0, total=75.0, ratings=1, solved=1)
    # Grid g1: its own ratings (5, 3: 75) with W1's other parts:
    # 0.4 × 75 + 0.4 × 62.5 + 0.2 × 87.5 = 72.5.
    assert shown.grids[world["g1"]].total == 72.5
    assert shown.grids[world["g3"]].total == 75.0
    assert shown.grids_of[W1] == sorted([world["g1"], world["g2"]])
    # The report's figures of W1's grids in November of Shanghai: the wish rated at 00:30 on
    # 1 November was posted in October, claimed at midnight and fulfilled in November; the
    # one rated at 00:30 on 1 December was posted in November, and no more.
    assert shown.figures == {}, "only for those asked for"
    figures = (await step(db, evaluation.results, street, NOVEMBER, [W1])).figures
    assert figures == {W1: {"submitted": 3, "claimed": 3, "fulfilled": 3, "confirmed": 2,
                            "to_community": 0, "volunteer_minutes": 0, "active_volunteers": 0,
                            "to_claim": 1800.0, "to_fulfil": 600.0 * 2}}
    # The street's own weights: 50 / 30 / 20 gives 25 + 18.75 + 17.5.
    changed = evaluation.with_change(evaluation.settings_of(street), residents=50,
                                     organisation=30)
    assert changed is not None
    assert evaluation.with_change(changed, partners=30) is None  # 110 in all
    await places.change_setting(db, street.id or 0, evaluation.SETTING, changed.model_dump(),
                                actor_id=ADMIN_B, now=START)
    street = await _street(db, world["street"])
    assert (await _results(db, street)).people[W1].total == 61.25


async def test_a_closed_month_does_not_change(db: Database) -> None:
    world = await _world(db)
    street = await _street(db, world["street"])
    await _partner(db, street, ORG_REP, Role.ORG_REP, 4)
    assert await step(db, evaluation.set_comment, street=street, month=NOVEMBER, person_id=W1,
                      text="感谢评议", now=START) is Result.OK
    before = await _results(db, street)
    assert await step(db, evaluation.close, street=street, month=NOVEMBER, by=ADMIN_B,
                      now=START) is Result.OK
    assert await step(db, evaluation.close, street=street, month=NOVEMBER, by=ADMIN_B,
                      now=START) is Result.ALREADY
    await _rate(db, world["g2"], 5, datetime(2026, 11, 25, 2, tzinfo=UTC))
    assert await _partner(db, street, VOL_REP, Role.VOLUNTEER_REP, 1) is Result.CLOSED
    assert await _review(db, street, ADMIN_A, dict.fromkeys(evaluation.DEFAULT_CRITERIA,
                                                            1)) is Result.CLOSED
    assert await step(db, evaluation.set_comment, street=street, month=NOVEMBER, person_id=W1,
                      text="改一下", now=START) is Result.CLOSED
    after = await _results(db, street)
    assert after.closed_by == ADMIN_B
    assert (after.people, after.grids, after.grids_of) == (
        before.people, before.grids, before.grids_of)
    assert after.figures[W1]["submitted"] == 3 and after.figures[W2]["submitted"] == 1, \
        "closing keeps every social worker's figures"
    live = await step(db, evaluation.live, street, NOVEMBER)
    assert live.people[W1].ratings == 4, "the late rating is there, and not shown"
    comment = await step(db, evaluation.comment_of, street.id, NOVEMBER, W1)
    assert comment is not None and comment.text == "感谢评议"
